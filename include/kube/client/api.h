// kube::Api<K>: the typed handle to one collection of Kubernetes objects (Pods in "default", all
// Nodes, Widgets of a CRD...). Every verb and the common subresources, as Asio coroutines.
//
// Errors: the server's refusals throw kube::ApiError (with its Status: is_not_found(),
// is_conflict(), ...); a request that never got an answer throws kube::TransportError; bad
// arguments throw kube::InvalidArgument before anything is sent. get_opt() returns nullopt for 404.
//
// Example:
//   auto pods = kube::Api<Pod>::namespaced(client, "default");
//   Pod created = co_await pods.create({}, pod);
//   auto found = co_await pods.get_opt("web");
//   co_await pods.patch("web", {}, kube::Patch::merge(json::parse(R"({"metadata":{"labels":{"a":"b"}}})")));
//   auto stream = co_await pods.watch({}, list.metadata.resource_version.value_or(""));
//   while (auto event = co_await stream.next()) { ... }
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <variant>

#include "kube/api/autoscaling/v1.h"
#include "kube/client/client.h"
#include "kube/core/object.h"
#include "kube/core/params.h"
#include "kube/core/request.h"
#include "kube/core/resource.h"
#include "kube/core/status.h"

namespace kube {

using Scale = api::autoscaling::v1::Scale;

/// One WATCH request's events. Ends (nullopt) when the server closes the stream, e.g. at its
/// timeout: resume with a new watch from the last resourceVersion (kube::runtime's watcher does).
template <class K>
class WatchStream {
 public:
  explicit WatchStream(LineStream lines) : lines_(std::move(lines)) {}

  boost::asio::awaitable<std::optional<WatchEvent<K>>> next() {
    while (true) {
      std::optional<std::string> line = co_await lines_.next_line();
      if (!line) co_return std::nullopt;
      if (line->find_first_not_of(" \t\r") == std::string::npos) continue;
      co_return json::decode_in_place<WatchEvent<K>>(*line);
    }
  }
  /// Ends the stream; a pending next() returns nullopt.
  void cancel() { lines_.cancel(); }

 private:
  LineStream lines_;
};

namespace detail {
/// The kind field of a JSON object, without decoding the rest.
std::string peek_kind(std::string_view json_text);
}  // namespace detail

template <class K>
class Api {
 public:
  // ---- construction ------------------------------------------------------------------------------
  /// Every object of the kind (all namespaces for namespaced kinds).
  static Api all(Client client)
    requires Resource<K>
  {
    return Api(std::move(client), ApiResource::of<K>(), "");
  }
  static Api namespaced(Client client, std::string ns)
    requires NamespaceScoped<K>
  {
    return Api(std::move(client), ApiResource::of<K>(), std::move(ns));
  }
  /// The namespace of the client's configuration (kubeconfig context or service account).
  static Api default_namespaced(Client client)
    requires NamespaceScoped<K>
  {
    std::string ns = client.default_namespace();
    return Api(std::move(client), ApiResource::of<K>(), std::move(ns));
  }
  /// For kinds known at run time (DynamicObject): `resource` from discovery or ApiResource::from_gvk.
  static Api all_with(Client client, ApiResource resource) { return Api(std::move(client), std::move(resource), ""); }
  static Api namespaced_with(Client client, std::string ns, ApiResource resource) {
    return Api(std::move(client), std::move(resource), std::move(ns));
  }

  const ApiResource& resource() const noexcept { return resource_; }
  const Client& client() const noexcept { return client_; }
  /// The namespace ("" for all namespaces or cluster-scoped kinds).
  const std::string& ns() const noexcept { return namespace_; }
  const Request& request_builder() const noexcept { return request_; }

  // ---- verbs -----------------------------------------------------------------------------------------
  boost::asio::awaitable<K> get(std::string name, GetParams gp = {}) const {
    co_return decode<K>(co_await client_.send(request_.get(name, gp)));
  }
  /// nullopt when the object does not exist.
  boost::asio::awaitable<std::optional<K>> get_opt(std::string name) const {
    std::optional<K> out;
    try {
      out = co_await get(std::move(name));
    } catch (const ApiError& e) {
      if (!e.is_not_found()) throw;
    }
    co_return out;
  }
  /// Decoded while it downloads (items one by one), so memory stays near the objects' own size;
  /// the items of a large list are decoded on json::DecodePool::shared() as they arrive.
  boost::asio::awaitable<ObjectList<K>> list(ListParams lp = {}) const {
    ListDecoder<K> decoder(json::DecodePool::shared());
    co_await client_.send_streaming(request_.list(lp), [&decoder](std::string_view chunk) { decoder.feed(chunk); });
    co_return decoder.finish();
  }
  boost::asio::awaitable<K> create(PostParams pp, K object) const {
    co_return decode<K>(co_await client_.send(request_.create(pp, json::encode(object))));
  }
  boost::asio::awaitable<K> replace(std::string name, PostParams pp, K object) const {
    co_return decode<K>(co_await client_.send(request_.replace(name, pp, json::encode(object))));
  }
  boost::asio::awaitable<K> patch(std::string name, PatchParams pp, Patch patch) const {
    co_return decode<K>(co_await client_.send(request_.patch(name, pp, patch)));
  }
  /// The deleted object (or, while finalizers hold it, its state with a deletionTimestamp), or
  /// the Status the server answers for kinds that do not return the object.
  boost::asio::awaitable<std::variant<K, Status>> remove(std::string name, DeleteParams dp = {}) const {
    HttpResponse response = co_await client_.send(request_.remove(name, dp));
    co_return object_or_status<K>(response);
  }
  boost::asio::awaitable<std::variant<ObjectList<K>, Status>> remove_collection(DeleteParams dp = {},
                                                                                 ListParams lp = {}) const {
    HttpResponse response = co_await client_.send(request_.remove_collection(dp, lp));
    co_return object_or_status<ObjectList<K>>(response);
  }
  /// One watch request from `resource_version` ("" or "0": the current state first, as ADDED).
  boost::asio::awaitable<WatchStream<K>> watch(WatchParams wp, std::string resource_version) const {
    auto idle = std::chrono::seconds(wp.timeout_seconds + 5);  // the server ends it first; silence beyond: dead
    co_return WatchStream<K>(co_await client_.stream(request_.watch(wp, resource_version), idle));
  }

  // ---- status and scale subresources ------------------------------------------------------------------
  boost::asio::awaitable<K> get_status(std::string name) const {
    co_return decode<K>(co_await client_.send(request_.get_subresource("status", name)));
  }
  boost::asio::awaitable<K> replace_status(std::string name, PostParams pp, K object) const {
    co_return decode<K>(co_await client_.send(request_.replace_subresource("status", name, pp, json::encode(object))));
  }
  boost::asio::awaitable<K> patch_status(std::string name, PatchParams pp, Patch patch) const {
    co_return decode<K>(co_await client_.send(request_.patch_subresource("status", name, pp, patch)));
  }
  boost::asio::awaitable<Scale> get_scale(std::string name) const {
    co_return decode<Scale>(co_await client_.send(request_.get_subresource("scale", name)));
  }
  boost::asio::awaitable<Scale> replace_scale(std::string name, PostParams pp, Scale scale) const {
    co_return decode<Scale>(co_await client_.send(request_.replace_subresource("scale", name, pp, json::encode(scale))));
  }
  boost::asio::awaitable<Scale> patch_scale(std::string name, PatchParams pp, Patch patch) const {
    co_return decode<Scale>(co_await client_.send(request_.patch_subresource("scale", name, pp, patch)));
  }

  // ---- metadata only ------------------------------------------------------------------------------------
  // (Templates so that Api<DynamicObject>, which has no PartialObjectMeta, still instantiates.)
  template <Resource M = K>
  boost::asio::awaitable<PartialObjectMeta<M>> get_metadata(std::string name, GetParams gp = {}) const {
    co_return decode<PartialObjectMeta<M>>(co_await client_.send(request_.get_metadata(name, gp)));
  }
  template <Resource M = K>
  boost::asio::awaitable<ObjectList<PartialObjectMeta<M>>> list_metadata(ListParams lp = {}) const {
    ListDecoder<PartialObjectMeta<M>> decoder(json::DecodePool::shared());
    co_await client_.send_streaming(request_.list_metadata(lp), [&decoder](std::string_view chunk) { decoder.feed(chunk); });
    co_return decoder.finish();
  }
  template <Resource M = K>
  boost::asio::awaitable<WatchStream<PartialObjectMeta<M>>> watch_metadata(WatchParams wp,
                                                                             std::string resource_version) const {
    auto idle = std::chrono::seconds(wp.timeout_seconds + 5);
    co_return WatchStream<PartialObjectMeta<M>>(
        co_await client_.stream(request_.watch_metadata(wp, resource_version), idle));
  }
  template <Resource M = K>
  boost::asio::awaitable<PartialObjectMeta<M>> patch_metadata(std::string name, PatchParams pp, Patch patch) const {
    co_return decode<PartialObjectMeta<M>>(co_await client_.send(request_.patch_metadata(name, pp, patch)));
  }

 private:
  Api(Client client, ApiResource resource, std::string ns)
      : client_(std::move(client)),
        resource_(std::move(resource)),
        namespace_(resource_.scope == Scope::Cluster ? "" : std::move(ns)),
        request_(resource_.collection_path(namespace_)) {}

  template <class T>
  static T decode(HttpResponse response) {
    return json::decode_in_place<T>(response.body);
  }
  template <class T>
  static std::variant<T, Status> object_or_status(HttpResponse& response) {
    if (detail::peek_kind(response.body) == "Status") return json::decode_in_place<Status>(response.body);
    return json::decode_in_place<T>(response.body);
  }

  Client client_;
  ApiResource resource_;
  std::string namespace_;
  Request request_;
};

}  // namespace kube
