// kube::runtime::ObjectRef: the identity of an object within one kind (namespace and name), the
// key of caches and of the controller's work queue.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "kube/core/resource.h"

namespace kube::runtime {

struct ObjectRef {
  std::string name;
  std::string namespace_;  // empty for cluster-scoped objects

  template <HasMetadata K>
  static ObjectRef of(const K& object) {
    return {std::string(name_of(object)), std::string(namespace_of(object))};
  }

  /// "namespace/name", or "name" for cluster-scoped objects.
  std::string to_string() const { return namespace_.empty() ? name : namespace_ + "/" + name; }

  bool operator==(const ObjectRef&) const = default;
  auto operator<=>(const ObjectRef&) const = default;
};

struct ObjectRefHash {
  std::size_t operator()(const ObjectRef& ref) const noexcept {
    std::size_t h = std::hash<std::string_view>()(ref.name);
    return h ^ (std::hash<std::string_view>()(ref.namespace_) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  }
};

}  // namespace kube::runtime
