// Resource identity: group/version/kind, ApiResource (what a request needs to address a kind), the
// Resource concepts the typed API is built on, URL paths, and helpers on any object's metadata.
//
// Every generated kind with a REST endpoint satisfies kube::Resource through static members
// (Pod::group, ::version, ::kind, ::plural, ::scope); DynamicObject carries the same facts at run
// time in an ApiResource.
//
// Example:
//   static_assert(kube::NamespaceScoped<kube::api::core::v1::Pod>);
//   auto ar = kube::ApiResource::of<kube::api::apps::v1::Deployment>();
//   ar.collection_path("prod");              // "/apis/apps/v1/namespaces/prod/deployments"
//   kube::OwnerReference ref = kube::controller_owner_ref(deployment);
#pragma once

#include <concepts>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kube/api/meta/v1.h"
#include "kube/core/scope.h"

namespace kube {

using ObjectMeta = api::meta::v1::ObjectMeta;
using OwnerReference = api::meta::v1::OwnerReference;

struct GroupVersion {
  std::string group;
  std::string version;

  /// "apps/v1" -> {apps, v1}; "v1" -> {"", v1}.
  static GroupVersion parse(std::string_view api_version);
  /// The apiVersion string: "apps/v1", or "v1" for the core group.
  std::string api_version() const;
  bool operator==(const GroupVersion&) const = default;
};

struct GroupVersionKind {
  std::string group;
  std::string version;
  std::string kind;

  static GroupVersionKind from_api_version(std::string_view api_version, std::string kind);
  std::string api_version() const;
  bool operator==(const GroupVersionKind&) const = default;
};

struct GroupVersionResource {
  std::string group;
  std::string version;
  std::string resource;

  std::string api_version() const;
  bool operator==(const GroupVersionResource&) const = default;
};

/// A type whose objects have Kubernetes metadata.
template <class K>
concept HasMetadata = requires(const K& object) {
  { object.metadata } -> std::convertible_to<const ObjectMeta&>;
};

/// A kind with a REST endpoint known at compile time (every generated kind, derived custom resources).
template <class K>
concept Resource = HasMetadata<K> && requires {
  { K::group } -> std::convertible_to<std::string_view>;
  { K::version } -> std::convertible_to<std::string_view>;
  { K::api_version } -> std::convertible_to<std::string_view>;
  { K::kind } -> std::convertible_to<std::string_view>;
  { K::plural } -> std::convertible_to<std::string_view>;
  { K::scope } -> std::convertible_to<Scope>;
};
template <class K>
concept NamespaceScoped = Resource<K> && (K::scope == Scope::Namespaced);
template <class K>
concept ClusterScoped = Resource<K> && (K::scope == Scope::Cluster);

/// Everything needed to address a kind over REST.
struct ApiResource {
  std::string group;
  std::string version;
  std::string api_version;  // "apps/v1" or "v1"
  std::string kind;
  std::string plural;
  Scope scope = Scope::Namespaced;

  template <Resource K>
  static ApiResource of() {
    return ApiResource{std::string(K::group), std::string(K::version), std::string(K::api_version),
                       std::string(K::kind), std::string(K::plural), K::scope};
  }
  /// From a GVK and its plural (as discovery reports it).
  static ApiResource from_gvk(const GroupVersionKind& gvk, std::string plural, Scope scope = Scope::Namespaced);
  /// A built-in kind of the bundled API spec, or nullopt.
  static std::optional<ApiResource> builtin(const GroupVersionKind& gvk);

  GroupVersionKind gvk() const { return {group, version, kind}; }
  /// "/api/v1/namespaces/{ns}/pods", "/apis/apps/v1/deployments" (ns empty or cluster scope).
  std::string collection_path(std::string_view ns = {}) const;

  bool operator==(const ApiResource&) const = default;
};

/// The collection URL path: "/api/{version}" for the core group, "/apis/{group}/{version}" otherwise,
/// then "namespaces/{ns}/" when `ns` is not empty, then the plural. Throws InvalidArgument for a
/// namespace that cannot be a path segment.
std::string collection_path(std::string_view group, std::string_view version, std::string_view plural,
                            std::string_view ns);

/// Throws InvalidArgument unless `name` can be one URL path segment: not empty, "." or "..", and
/// without '/' or '%' (what the API server requires of object and namespace names).
void validate_path_segment(std::string_view name, std::string_view what);
/// Percent-encodes what a URL path segment cannot hold as is (keeps unreserved characters,
/// sub-delimiters, ':' and '@').
std::string escape_path_segment(std::string_view segment);

/// An English plural of a lowercase kind, as kubectl guesses it ("ingress" -> "ingresses",
/// "policy" -> "policies"). Prefer the plural from discovery when there is one.
std::string guess_plural(std::string_view kind);

namespace detail {
/// guess_plural()'s rule, usable at compile time (custom resources derive their plural with it):
/// writes the plural of `kind` to `out`, which has room for kind.size() + 2 characters, and
/// returns its length.
constexpr std::size_t guess_plural_into(std::string_view kind, char* out) noexcept {
  std::size_t n = 0;
  for (char c : kind) out[n++] = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  const std::string_view s(out, n);
  if (n == 0 || s == "endpoints") return n;
  if (s.ends_with('s') || s.ends_with('x') || s.ends_with('z') || s.ends_with("ch") || s.ends_with("sh")) {
    out[n++] = 'e';
    out[n++] = 's';
    return n;
  }
  if (s.ends_with('y') && n > 1 && std::string_view("aeiou").find(s[n - 2]) == std::string_view::npos) {
    out[n - 1] = 'i';
    out[n++] = 'e';
    out[n++] = 's';
    return n;
  }
  out[n++] = 's';
  return n;
}
}  // namespace detail

// ---- metadata helpers -----------------------------------------------------------------------
// The accessors return empty values when a field is absent, so they can be chained freely.

std::string_view name_of(const ObjectMeta& meta) noexcept;
std::string_view namespace_of(const ObjectMeta& meta) noexcept;
std::string_view uid_of(const ObjectMeta& meta) noexcept;
std::string_view resource_version_of(const ObjectMeta& meta) noexcept;
const std::map<std::string, std::string>& labels_of(const ObjectMeta& meta) noexcept;
const std::map<std::string, std::string>& annotations_of(const ObjectMeta& meta) noexcept;
const std::vector<std::string>& finalizers_of(const ObjectMeta& meta) noexcept;
const std::vector<OwnerReference>& owner_references_of(const ObjectMeta& meta) noexcept;
bool has_finalizer(const ObjectMeta& meta, std::string_view finalizer) noexcept;
/// True once deletion was requested (deletionTimestamp is set); finalizers may still hold it.
bool is_being_deleted(const ObjectMeta& meta) noexcept;
/// The owner reference marked controller=true, if any.
const OwnerReference* controller_of(const ObjectMeta& meta) noexcept;

template <HasMetadata K>
std::string_view name_of(const K& object) noexcept {
  return name_of(object.metadata);
}
template <HasMetadata K>
std::string_view namespace_of(const K& object) noexcept {
  return namespace_of(object.metadata);
}
template <HasMetadata K>
std::string_view uid_of(const K& object) noexcept {
  return uid_of(object.metadata);
}
template <HasMetadata K>
std::string_view resource_version_of(const K& object) noexcept {
  return resource_version_of(object.metadata);
}

/// An owner reference to `owner` for its children's metadata.ownerReferences. `controller` marks
/// the owner as the managing controller (and sets blockOwnerDeletion, as controllers do).
template <Resource K>
OwnerReference owner_ref(const K& owner, bool controller = false) {
  OwnerReference ref;
  ref.api_version = std::string(K::api_version);
  ref.kind = std::string(K::kind);
  ref.name = std::string(name_of(owner));
  ref.uid = std::string(uid_of(owner));
  if (controller) {
    ref.controller = true;
    ref.block_owner_deletion = true;
  }
  return ref;
}
template <Resource K>
OwnerReference controller_owner_ref(const K& owner) {
  return owner_ref(owner, true);
}

/// An owner reference to an object whose kind is known only at run time (DynamicObject).
OwnerReference owner_ref(const ApiResource& resource, const ObjectMeta& meta, bool controller = false);

}  // namespace kube
