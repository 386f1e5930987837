// The table of every REST resource in the bundled Kubernetes API spec (api/swagger.json), built
// at build time: group, version, kind, plural, scope, verbs and subresources. Discovery, dynamic
// clients and the local API server look kinds up here.
//
// Example:
//   for (const auto& r : kube::builtin_resources())
//     if (r.kind == "Deployment") std::cout << r.group << "/" << r.version << " " << r.plural;
#pragma once

#include <span>
#include <string_view>

#include "kube/core/scope.h"

namespace kube {

struct BuiltinSubresource {
  std::string_view name;     // "status", "scale", "log", ...
  std::string_view group;    // group/version/kind of the subresource's body ("" when not an object)
  std::string_view version;
  std::string_view kind;
  std::string_view verbs;    // comma-separated: "get,patch,update"
};

struct BuiltinResource {
  std::string_view group;
  std::string_view version;
  std::string_view kind;
  std::string_view plural;
  std::string_view singular;
  Scope scope;
  std::string_view verbs;    // comma-separated, sorted: "create,delete,deletecollection,get,list,..."
  std::span<const BuiltinSubresource> subresources;
};

/// Every resource of the bundled spec, sorted by (group, version, plural).
std::span<const BuiltinResource> builtin_resources();

}  // namespace kube
