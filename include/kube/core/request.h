// kube::Request: turns (resource path, verb, params) into an HTTP request without doing any I/O.
//
// The transport (kube::client) sends what this builds; keeping it sans-I/O means every URL, query
// string, header and body can be unit tested on its own. Queries are built in a fixed order with
// Go's url.QueryEscape rules, so requests are byte-for-byte reproducible.
//
// Example:
//   kube::Request pods(kube::ApiResource::of<Pod>().collection_path("default"));
//   kube::HttpRequest r = pods.list({.label_selector = "app=web", .limit = 500});
//   // r.method == "GET", r.target == "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&limit=500"
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kube/core/params.h"
#include "kube/core/resource.h"

namespace kube {

struct HttpRequest {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string target;  // path and query: "/api/v1/namespaces/ns/pods?limit=500"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// The value of a header (case-insensitive name), or "" when absent.
  std::string_view header(std::string_view name) const;
};

/// Accept header values of metadata-only requests.
inline constexpr std::string_view kAcceptPartialObjectMetadata =
    "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";
inline constexpr std::string_view kAcceptPartialObjectMetadataList =
    "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

class Request {
 public:
  /// `collection_path` as from ApiResource::collection_path(): "/api/v1/namespaces/ns/pods".
  explicit Request(std::string collection_path) : path_(std::move(collection_path)) {}
  template <Resource K>
  static Request of(std::string_view ns = {}) {
    return Request(ApiResource::of<K>().collection_path(ns));
  }

  const std::string& collection_path() const noexcept { return path_; }

  // ---- verbs on the collection or one object ---------------------------------------------------
  HttpRequest list(const ListParams& lp = {}) const;
  HttpRequest get(std::string_view name, const GetParams& gp = {}) const;
  HttpRequest create(const PostParams& pp, std::string body) const;
  HttpRequest replace(std::string_view name, const PostParams& pp, std::string body) const;
  HttpRequest patch(std::string_view name, const PatchParams& pp, const Patch& patch) const;
  /// DELETE of one object (named remove: `delete` is a keyword).
  HttpRequest remove(std::string_view name, const DeleteParams& dp = {}) const;
  HttpRequest remove_collection(const DeleteParams& dp, const ListParams& lp) const;
  /// One watch request from `resource_version` ("" or "0": start with the current state).
  HttpRequest watch(const WatchParams& wp, std::string_view resource_version) const;

  // ---- metadata only (PartialObjectMetadata) --------------------------------------------------
  HttpRequest get_metadata(std::string_view name, const GetParams& gp = {}) const;
  HttpRequest list_metadata(const ListParams& lp = {}) const;
  HttpRequest watch_metadata(const WatchParams& wp, std::string_view resource_version) const;
  HttpRequest patch_metadata(std::string_view name, const PatchParams& pp, const Patch& patch) const;

  // ---- subresources ("status", "scale", "ephemeralcontainers", "approval", "token", ...) ------
  HttpRequest get_subresource(std::string_view subresource, std::string_view name, const GetParams& gp = {}) const;
  HttpRequest create_subresource(std::string_view subresource, std::string_view name, const PostParams& pp,
                                 std::string body) const;
  HttpRequest replace_subresource(std::string_view subresource, std::string_view name, const PostParams& pp,
                                  std::string body) const;
  HttpRequest patch_subresource(std::string_view subresource, std::string_view name, const PatchParams& pp,
                                const Patch& patch) const;

  // ---- pod subresources ------------------------------------------------------------------------
  HttpRequest logs(std::string_view name, const LogParams& params = {}) const;
  /// POST pods/{name}/eviction with a policy/v1 Eviction body.
  HttpRequest evict(std::string_view name, const EvictParams& params = {}) const;
  HttpRequest attach(std::string_view name, const AttachParams& params) const;
  HttpRequest exec(std::string_view name, std::span<const std::string> command, const AttachParams& params) const;
  HttpRequest portforward(std::string_view name, std::span<const std::uint16_t> ports) const;

 private:
  std::string object_path(std::string_view name) const;
  std::string subresource_path(std::string_view subresource, std::string_view name) const;
  std::string path_;
};

/// Go's url.QueryEscape: unreserved characters kept, space as '+', the rest as %XX.
std::string query_escape(std::string_view text);

}  // namespace kube
