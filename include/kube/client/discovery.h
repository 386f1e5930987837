// kube::Discovery: what an API server serves (groups, versions, resources with their scope, verbs,
// subresources, short names), so kinds unknown at compile time can be addressed by GVK or by the
// names kubectl accepts ("deploy", "deployments", "Deployment", "deployments.apps").
//
// Uses aggregated discovery (one request each for /api and /apis) and falls back to the legacy
// per-group-version documents when the server does not offer it.
//
// Example:
//   kube::Discovery discovery(client);
//   co_await discovery.run();
//   auto widgets = discovery.resolve_gvk({"example.com", "v1", "Widget"});
//   auto api = kube::Api<kube::DynamicObject>::all_with(client, widgets->resource);
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kube/client/client.h"
#include "kube/core/resource.h"

namespace kube {

struct DiscoveredResource {
  ApiResource resource;  // group, version, kind, plural, scope
  std::string singular;
  std::vector<std::string> verbs;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<std::string> subresources;  // "status", "scale", ...
};

struct DiscoveredGroup {
  std::string name;                   // "" for the core group
  std::vector<std::string> versions;  // preferred first
  std::vector<DiscoveredResource> resources;
};

class Discovery {
 public:
  explicit Discovery(Client client) : client_(std::move(client)) {}

  /// Fetches everything the server serves (again, if called again: discovery changes with CRDs).
  boost::asio::awaitable<void> run();

  const std::vector<DiscoveredGroup>& groups() const noexcept { return groups_; }
  /// The resource serving this group/version/kind.
  std::optional<DiscoveredResource> resolve_gvk(const GroupVersionKind& gvk) const;
  /// By plural, singular, short name or kind, optionally qualified with a group ("deploy",
  /// "deployments.apps", "Deployment"); the preferred version of the first group that has it.
  std::optional<DiscoveredResource> resolve_name(std::string_view name) const;
  /// Whether the server answered with aggregated discovery (apidiscovery.k8s.io/v2).
  bool aggregated() const noexcept { return aggregated_; }

 private:
  Client client_;
  std::vector<DiscoveredGroup> groups_;
  bool aggregated_ = false;
};

}  // namespace kube
