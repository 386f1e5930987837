// The resources the API server serves: every REST resource of the bundled Kubernetes spec, plus
// custom resources registered from CustomResourceDefinitions at run time. Also produces the
// discovery documents (legacy and aggregated) from what is registered, so a new CRD appears in
// discovery immediately.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apiserver/resource_info.h"
#include "kube/core/dom.h"

namespace kube::apiserver {

class Registry {
 public:
  /// Built-in resources from `spec` (the bundled Swagger document).
  explicit Registry(std::shared_ptr<const json::Value> spec);

  /// The resource served at /api[s]/{group}/{version}/{plural}, or null.
  const ResourceInfo* find(std::string_view group, std::string_view version, std::string_view plural) const;
  /// Every served version of a group/resource (shared storage), preferred first.
  std::vector<const ResourceInfo*> versions_of(std::string_view group, std::string_view plural) const;
  const ResourceInfo* find_kind(std::string_view group, std::string_view version, std::string_view kind) const;

  /// Registers or replaces the resources of a CRD (its served versions). Returns the problems
  /// that make the CRD unacceptable (empty when registered).
  void register_crd(const json::Value& crd);
  void unregister_crd(std::string_view group, std::string_view plural);

  // ---- discovery --------------------------------------------------------------------------------
  json::Value legacy_versions() const;                              // GET /api
  json::Value legacy_groups() const;                                // GET /apis
  std::optional<json::Value> resource_list(std::string_view group, std::string_view version) const;  // /api/v1, /apis/g/v
  json::Value aggregated(bool core) const;                          // APIGroupDiscoveryList for /api or /apis
  /// "v1", "apps/v1", ... every served group-version.
  std::vector<std::string> group_versions() const;
  std::vector<ResourceInfo> resources_of(std::string_view group, std::string_view version) const;

  const json::Object& definitions() const { return spec_->at("definitions").get_object(); }
  /// Fields that can be used in field selectors for a resource (metadata.name, metadata.namespace
  /// and the kind's own, as the API server supports them).
  std::vector<std::string> selectable_fields(const ResourceInfo& resource) const;
  /// Monotonic counter bumped whenever the set of resources changes (discovery/openapi caches).
  std::uint64_t generation() const noexcept { return generation_; }

 private:
  void add(ResourceInfo info);

  std::shared_ptr<const json::Value> spec_;
  // (group, version, plural) -> resource
  std::map<std::tuple<std::string, std::string, std::string>, ResourceInfo, std::less<>> resources_;
  std::map<std::tuple<std::string, std::string, std::string>, std::string, std::less<>> kinds_;  // gvk -> plural
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> crd_selectable_;   // (group, plural)
  std::uint64_t generation_ = 1;
};

/// Kubernetes' version priority: v1 > v1beta2 > v1beta1 > v1alpha1, GA by number descending.
bool version_less_preferred(std::string_view a, std::string_view b);

}  // namespace kube::apiserver
