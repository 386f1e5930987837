// The Kubernetes REST API over the store, independent of HTTP plumbing: routing, discovery,
// OpenAPI, and the semantics of every verb (create, get, list, update, patch, delete,
// deletecollection, watch) for built-in and custom resources. The HTTP layer (http_server.cc)
// turns wire requests into ApiRequest and writes ApiResponse or streams a Watch.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "apiserver/registry.h"
#include "apiserver/store.h"
#include "kube/core/dom.h"

namespace kube::apiserver {

struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
};

struct Admission;  // webhooks.h

struct ApiRequest {
  std::string method;                                      // GET, POST, PUT, PATCH, DELETE
  std::string path;                                        // decoded, without the query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::string content_type;
  std::string accept;
  std::string body;
  std::string user_agent;  // the default field manager of writes derives from it
  UserInfo user;
  /// Set when the request runs again after its admission webhooks were called: their results.
  std::shared_ptr<Admission> admission;

  /// The last value of a query parameter (nullopt if absent).
  std::optional<std::string> param(std::string_view name) const;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// Large lists: the body is `body`, then the JSON of `items` joined by commas, then
  /// `body_suffix`. The HTTP layer writes the items straight from the store's immutable strings
  /// instead of copying them into one buffer first.
  std::vector<ObjectPtr> items;
  std::string body_suffix;
  /// Do not send before this revision is durable (0: nothing to wait for).
  std::uint64_t after_revision = 0;
};

/// An open watch. The HTTP layer sends `lines` as they come (each one JSON event plus '\n'),
/// calls `wake` registration so it is told when there are more, sends bookmarks when asked, and
/// ends the stream at `deadline` or when `closed`.
class Watch {
 public:
  std::deque<std::shared_ptr<const std::string>> lines;  // shared: one event is rendered once for all
  std::uint64_t after_revision = 0;  // the initial lines need this revision durable
  std::chrono::steady_clock::time_point deadline;
  bool closed = false;
  bool bookmarks = false;
  std::function<void()> wake;  // set by the HTTP layer; called whenever lines or closed change

  /// Queues a BOOKMARK at the current revision (when bookmarks were asked for).
  virtual void bookmark() = 0;
  /// The HTTP layer sent `bytes` of the lines it took (flow control for slow readers).
  virtual void consumed(std::size_t bytes) = 0;
  virtual ~Watch() = default;
};

/// A write that admission webhooks apply to: the HTTP layer calls them (WebhookClient,
/// admission.h) without blocking, then serves the request again with `ApiRequest::admission` set
/// (or answers with the Status the webhooks failed it with).
using ApiResult = std::variant<ApiResponse, std::shared_ptr<Watch>, std::shared_ptr<Admission>>;

struct ApiOptions {
  std::size_t max_body_bytes = 3 * 1024 * 1024;
  std::string version = "v1.34.0";
};

class Api {
 public:
  Api(Registry& registry, Store& store, ApiOptions options = {});
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  /// Serves one request. Never throws: every failure is a Status response.
  ApiResult handle(const ApiRequest& request);

  /// Creates the namespaces every cluster has (default, kube-system, kube-public, kube-node-lease)
  /// and registers stored CRDs. Call once after the store is opened.
  void bootstrap();
  /// Registers the CRDs found in the store's raw state (during Store::open's before_index).
  void register_stored_crds();
  /// Ends every open watch (test hook: clients must resume).
  void close_watches();
  void expire_watches();
  std::size_t open_watches() const;

  /// Store indexer: namespace, name, labels and selectable fields of an object.
  void index(StoredObject& object, const json::Value& dom) const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// A meta/v1 Status error body.
ApiResponse status_response(int code, std::string_view reason, std::string_view message,
                            json::Value details = nullptr);

}  // namespace kube::apiserver
