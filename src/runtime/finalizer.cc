#include "kube/runtime/finalizer.h"

#include <boost/json.hpp>

namespace kube::runtime {

namespace {

boost::json::object op(std::string_view name, std::string path, boost::json::value value = nullptr) {
  boost::json::object o{{"op", name}, {"path", std::move(path)}};
  if (name != "remove") o["value"] = std::move(value);
  return o;
}

Patch json_patch(const boost::json::array& ops) {
  return Patch::from_json(PatchType::Json, boost::json::serialize(ops));
}

}  // namespace

Patch add_finalizer_patch(const ObjectMeta& meta, std::string_view finalizer) {
  const std::vector<std::string>& current = finalizers_of(meta);
  boost::json::array ops;
  if (current.empty()) {
    // No list to test: the resourceVersion proves nothing was added since we looked. (A `test`
    // of a missing member against null is not portable across JSON patch implementations.)
    ops.push_back(op("test", "/metadata/resourceVersion", boost::json::string(resource_version_of(meta))));
    ops.push_back(op("add", "/metadata/finalizers", boost::json::array{boost::json::string(finalizer)}));
  } else {
    boost::json::array list;
    for (const auto& f : current) list.emplace_back(f);
    ops.push_back(op("test", "/metadata/finalizers", std::move(list)));
    ops.push_back(op("add", "/metadata/finalizers/-", boost::json::string(finalizer)));
  }
  return json_patch(ops);
}

Patch remove_finalizer_patch(const ObjectMeta& meta, std::string_view finalizer) {
  const std::vector<std::string>& current = finalizers_of(meta);
  auto it = std::find(current.begin(), current.end(), finalizer);
  if (it == current.end()) throw InvalidArgument("remove_finalizer_patch: \"" + std::string(finalizer) + "\" is not set");
  std::string path = "/metadata/finalizers/" + std::to_string(it - current.begin());
  boost::json::array ops;
  ops.push_back(op("test", path, boost::json::string(finalizer)));
  ops.push_back(op("remove", path));
  return json_patch(ops);
}

}  // namespace kube::runtime
