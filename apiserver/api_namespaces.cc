// Namespace lifecycle (the namespace controller, in process): a deleted namespace turns
// Terminating, its contents are deleted (finalizers respected), and it is removed once empty.
// Also the objects every cluster starts with.
#include <boost/json/serialize.hpp>

#include "apiserver/api_impl.h"
#include "apiserver/dom_util.h"
#include "apiserver/garbage_collector.h"
#include "kube/core/time.h"

namespace kube::apiserver {

namespace {

// One entry per stored resource (versions share storage).
std::vector<const ResourceInfo*> namespaced_resources(const Registry& registry) {
  std::vector<const ResourceInfo*> out;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& gv : registry.group_versions()) {
    auto slash = gv.find('/');
    std::string group = slash == std::string::npos ? "" : gv.substr(0, slash);
    std::string version = slash == std::string::npos ? gv : gv.substr(slash + 1);
    for (const auto& r : registry.resources_of(group, version)) {
      if (r.namespaced && seen.insert({r.group, r.plural}).second) {
        if (const ResourceInfo* info = registry.find(r.group, r.version, r.plural)) out.push_back(info);
      }
    }
  }
  return out;
}

}  // namespace

void Api::Impl::bootstrap() {
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    std::string key = storage_key("", "namespaces", "", name);
    if (store.get(key)) continue;
    json::Value ns = json::Object{
        {"apiVersion", "v1"},
        {"kind", "Namespace"},
        {"metadata", json::Object{{"name", name},
                                  {"uid", new_uid()},
                                  {"creationTimestamp", Time::now().to_string()},
                                  {"labels", json::Object{{"kubernetes.io/metadata.name", name}}}}},
        {"spec", json::Object{{"finalizers", json::Array{"kubernetes"}}}},
        {"status", json::Object{{"phase", "Active"}}}};
    store.put(key, ns);
  }
  // Deletions interrupted by a restart carry on.
  std::vector<std::string> terminating;
  store.range(storage_prefix("", "namespaces", ""), "", [&](const ObjectPtr& o) {
    if (string_at(json::parse(o->json), {"status", "phase"}) == "Terminating") terminating.push_back(o->name);
    return true;
  });
  for (const auto& ns : terminating) {
    terminating_namespaces.insert(ns);
    start_namespace_deletion(ns);
  }
  gc->bootstrap();
}

void Api::Impl::register_stored_crds() {
  const auto* raw = store.raw_state();
  if (!raw) return;
  std::string prefix = storage_prefix("apiextensions.k8s.io", "customresourcedefinitions", "");
  for (auto it = raw->lower_bound(prefix); it != raw->end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    registry.register_crd(json::parse(it->second));
  }
}

void Api::Impl::start_namespace_deletion(const std::string& ns) {
  std::string key = storage_key("", "namespaces", "", ns);
  ObjectPtr current = store.get(key);
  if (!current) return;
  json::Value object = json::parse(current->json);
  if (string_at(object, {"status", "phase"}) != "Terminating") {
    json::Object& meta = metadata_of(object);
    if (!meta.contains("deletionTimestamp")) {
      meta["deletionTimestamp"] = Time::now().to_string();
      meta["deletionGracePeriodSeconds"] = 0;
    }
    ensure_object(object, "status")["phase"] = "Terminating";
    store.put(key, object);
  }
  terminating_namespaces.insert(ns);
  for (const ResourceInfo* resource : namespaced_resources(registry)) {
    std::vector<ObjectPtr> contents;
    store.range(storage_prefix(resource->group, resource->plural, ns), "", [&](const ObjectPtr& o) {
      contents.push_back(o);
      return true;
    });
    for (const auto& o : contents) delete_object(*resource, o, false);
  }
  continue_namespace_deletion(ns);
}

void Api::Impl::continue_namespace_deletion(const std::string& ns) {
  if (!terminating_namespaces.count(ns)) return;
  for (const ResourceInfo* resource : namespaced_resources(registry)) {
    bool any = false;
    store.range(storage_prefix(resource->group, resource->plural, ns), "", [&](const ObjectPtr&) {
      any = true;
      return false;
    });
    if (any) return;  // finalizers still hold something: wait for its deletion event
  }
  std::string key = storage_key("", "namespaces", "", ns);
  ObjectPtr current = store.get(key);
  if (!current) {
    terminating_namespaces.erase(ns);
    return;
  }
  json::Value object = json::parse(current->json);
  const json::Value* meta_finalizers = find_path(object, {"metadata", "finalizers"});
  if (meta_finalizers && meta_finalizers->is_array() && !meta_finalizers->as_array().empty()) {
    // Our part ("kubernetes") is done; other finalizers' owners remove theirs.
    if (const json::Value* spec_finalizers = find_path(object, {"spec", "finalizers"});
        spec_finalizers && spec_finalizers->is_array() && !spec_finalizers->as_array().empty()) {
      ensure_object(object, "spec")["finalizers"] = json::Array{};
      store.put(key, object);
    }
    return;
  }
  terminating_namespaces.erase(ns);
  store.remove(key);
}

}  // namespace kube::apiserver
