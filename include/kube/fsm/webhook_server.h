// kube::fsm::WebhookServer: the HTTPS endpoint of an operator's admission webhooks. The API server
// POSTs an AdmissionReview (admission.k8s.io/v1, kube/core/admission.h) to a path; the handler
// registered for that path allows, denies (with a Status) or mutates the object (the server sends
// the JSON Patch from the handler's changes, base64-encoded); the answer carries the request's uid.
//
//   kube::fsm::WebhookServer server(executor, tls, {.listen = "0.0.0.0:8443"});
//   server.validate<Moose>("/validate-moose",
//       [](const kube::AdmissionRequest&, const std::optional<Moose>& moose, const std::optional<Moose>& old) {
//         if (moose && !moose->metadata.name->starts_with("m"))
//           return kube::AdmissionResponse::deny("Mooses may only have names starting with 'M'.", 400);
//         return kube::AdmissionResponse::allow();
//       });
//   server.mutate<Moose>("/mutate-moose", [](const kube::AdmissionRequest&, Moose& moose) {
//     moose.metadata.labels.emplace()["nps.gov/park"] = "glacier";   // sent as a JSON Patch
//     return kube::AdmissionResponse::allow();
//   });
//   server.start();
//   ...
//   server.stop();
//   co_await server.join();
//
// Handlers may return AdmissionResponse or boost::asio::awaitable<AdmissionResponse> (a coroutine
// that can itself call the API); a mutating handler may also return void (always admits). They run
// on the server's executor: a plain function blocks every other connection while it runs.
//
// HTTP: only POST; an unknown path is 404, a body that is not an AdmissionReview v1 with a request
// and a uid is 400, a body over max_body_bytes is 413, each with a meta/v1 Status body. A handler
// that throws (or outlasts handler_timeout) answers allowed: false with code 500 and the message.
// Connections are kept alive; stop() closes idle ones at once and lets requests in progress finish.
// Beast and OpenSSL stay in src/fsm/webhook_server.cc.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "kube/core/admission.h"
#include "kube/fsm/webhook_tls.h"

namespace kube::fsm {

struct WebhookServerOptions {
  /// "HOST:PORT" (port 0 picks a free one; see port()). In a cluster the Service forwards 443 here.
  std::string listen = "0.0.0.0:8443";
  /// Largest accepted AdmissionReview (an object and its old version: Kubernetes objects are at
  /// most 1.5 MB each).
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  /// A connection with no complete request for this long is closed (also bounds the TLS handshake).
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(60);
  /// A handler running longer is answered with allowed: false, code 500 (the API server gives up
  /// after the webhook's timeoutSeconds, at most 30 s, anyway).
  std::chrono::milliseconds handler_timeout = std::chrono::seconds(30);
};

/// Counters of a WebhookServer (read on its executor).
struct WebhookServerStats {
  std::uint64_t connections = 0;  // accepted so far
  std::uint64_t reviews = 0;      // AdmissionReviews answered (200)
  std::uint64_t allowed = 0;
  std::uint64_t patched = 0;  // allowed with a patch
  std::uint64_t denied = 0;   // including handler failures
  std::uint64_t handler_errors = 0;
  std::uint64_t bad_requests = 0;  // 4xx answers
};

class WebhookServer {
 public:
  /// A handler of raw requests: what every registered handler becomes.
  using Handler = std::function<boost::asio::awaitable<AdmissionResponse>(const AdmissionRequest&)>;

  /// Throws InvalidArgument when `tls` is not a usable certificate and key.
  WebhookServer(boost::asio::any_io_executor executor, WebhookTls tls, WebhookServerOptions options = {});
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  /// Any review at `path`: fn(const AdmissionRequest&) -> AdmissionResponse (or an awaitable of one).
  template <class F>
  WebhookServer& admit(std::string path, F fn) {
    auto f = std::make_shared<F>(std::move(fn));
    route(std::move(path), [f](const AdmissionRequest& request) { return call_admit(f, request); });
    return *this;
  }

  /// A validating webhook for kind K at `path`:
  ///   fn(const AdmissionRequest&, const std::optional<K>& object, const std::optional<K>& old)
  ///     -> AdmissionResponse (or an awaitable of one)
  /// `object` is absent on DELETE, `old` on CREATE. An object that does not decode as a K is denied
  /// with code 400 without calling fn.
  template <class K, class F>
  WebhookServer& validate(std::string path, F fn) {
    auto f = std::make_shared<F>(std::move(fn));
    route(std::move(path), [f](const AdmissionRequest& request) { return call_validate<K>(f, request); });
    return *this;
  }

  /// A mutating webhook for kind K at `path`:
  ///   fn(const AdmissionRequest&, K& object) -> AdmissionResponse, void (admit), or an awaitable of either
  /// fn changes `object` in place; when it admits, the answer carries the JSON Patch from the
  /// object as received to `object` (AdmissionResponse::mutate(request, object), plus fn's warnings
  /// and audit annotations); when it denies, the denial is sent as is. Requests without an object
  /// (DELETE, CONNECT) are admitted without calling fn. An object that does not decode as a K is
  /// denied with code 400.
  template <class K, class F>
  WebhookServer& mutate(std::string path, F fn) {
    auto f = std::make_shared<F>(std::move(fn));
    route(std::move(path), [f](const AdmissionRequest& request) { return call_mutate<K>(f, request); });
    return *this;
  }

  /// Binds and starts accepting on the executor. Throws kube::Error if it cannot bind.
  void start();
  /// Stops accepting, closes idle connections at once; requests in progress are answered (with
  /// Connection: close) first. Call on the executor's thread. Idempotent.
  void stop();
  /// Completes once stop() was called and every connection has ended.
  boost::asio::awaitable<void> join();
  /// The bound port (after start()).
  std::uint16_t port() const;
  /// Connections open now.
  std::size_t open_connections() const;
  const WebhookServerStats& stats() const;

  class Impl;

 private:
  void route(std::string path, Handler handler);

  // Calls fn and brings its result to awaitable<R>, whether fn is a coroutine or not.
  template <class R, class F, class... Args>
  static boost::asio::awaitable<R> invoke(F& fn, Args&... args) {
    using Result = std::invoke_result_t<F&, Args&...>;
    if constexpr (std::is_same_v<Result, boost::asio::awaitable<R>>) {
      co_return co_await fn(args...);
    } else if constexpr (std::is_void_v<R>) {
      static_assert(std::is_void_v<Result>, "a webhook handler returns void/AdmissionResponse or an awaitable of it");
      fn(args...);
      co_return;
    } else {
      static_assert(std::is_convertible_v<Result, R>,
                    "a webhook handler returns AdmissionResponse or boost::asio::awaitable<AdmissionResponse>");
      co_return fn(args...);
    }
  }

  template <class F>
  static boost::asio::awaitable<AdmissionResponse> call_admit(std::shared_ptr<F> f, const AdmissionRequest& request) {
    co_return co_await invoke<AdmissionResponse>(*f, request);
  }

  template <class K, class F>
  static boost::asio::awaitable<AdmissionResponse> call_validate(std::shared_ptr<F> f, const AdmissionRequest& request) {
    std::optional<K> object, old;
    if (auto refused = decode_objects(request, object, old)) co_return std::move(*refused);
    co_return co_await invoke<AdmissionResponse>(*f, request, std::as_const(object), std::as_const(old));
  }

  template <class K, class F>
  static boost::asio::awaitable<AdmissionResponse> call_mutate(std::shared_ptr<F> f, const AdmissionRequest& request) {
    std::optional<K> object, old;
    if (auto refused = decode_objects(request, object, old)) co_return std::move(*refused);
    if (!object) co_return AdmissionResponse::allow();
    K& changed = *object;
    AdmissionResponse response = AdmissionResponse::allow();
    if constexpr (std::is_void_v<handler_value_t<F, const AdmissionRequest, K>>) {
      co_await invoke<void>(*f, request, changed);
    } else {
      response = co_await invoke<AdmissionResponse>(*f, request, changed);
    }
    if (!response.allowed || response.patch) co_return response;  // a denial, or fn's own patch
    AdmissionResponse patched = AdmissionResponse::mutate(request, changed);
    patched.warnings = std::move(response.warnings);
    patched.audit_annotations = std::move(response.audit_annotations);
    co_return patched;
  }

  // What fn(args...) produces once awaited.
  template <class T>
  struct awaited {
    using type = T;
  };
  template <class T>
  struct awaited<boost::asio::awaitable<T>> {
    using type = T;
  };
  template <class F, class... Args>
  using handler_value_t = typename awaited<std::invoke_result_t<F&, Args&...>>::type;

  // Decodes the request's objects as K; a denial (400) when they do not decode.
  template <class K>
  static std::optional<AdmissionResponse> decode_objects(const AdmissionRequest& request, std::optional<K>& object,
                                                         std::optional<K>& old) {
    try {
      object = request.object_as<K>();
      old = request.old_object_as<K>();
      return std::nullopt;
    } catch (const json::DecodeError& e) {
      return AdmissionResponse::deny(std::string("the object does not decode as a ") + kind_name<K>() + ": " + e.what(),
                                     400);
    }
  }
  template <class K>
  static std::string kind_name() {
    if constexpr (Resource<K>) {
      return std::string(K::kind);
    } else {
      return "handler's type";
    }
  }

  std::shared_ptr<Impl> impl_;
};

}  // namespace kube::fsm
