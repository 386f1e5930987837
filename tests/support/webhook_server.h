// An HTTPS admission webhook server for tests: Beast on its own thread, a serving certificate from
// its own CA (for 127.0.0.1, localhost and any DNS names asked for, e.g. "svc.ns.svc"). Handlers
// answer AdmissionReviews per path; every request is recorded. Replies may be delayed without
// holding up other requests.
//
//   kube::testing::WebhookServer hooks;
//   hooks.on("/deny", [](const json::Value& review) { return deny(review, 403, "no"); });
//   ... clientConfig: {url: hooks.url("/deny"), caBundle: hooks.ca_bundle()}
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kube/core/dom.h"

namespace kube::testing {

class WebhookServer {
 public:
  struct Reply {
    int status = 200;
    std::string body;
    std::chrono::milliseconds delay{0};  // answer only after this long
  };
  /// Called on the server's thread with the AdmissionReview received.
  using Handler = std::function<Reply(const json::Value& review)>;
  struct Received {
    std::string target;  // path and query as sent ("/validate?timeout=10s")
    json::Value review;
  };

  explicit WebhookServer(std::vector<std::string> dns_names = {});
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  void on(const std::string& path, Handler handler);
  std::uint16_t port() const;
  /// https://127.0.0.1:<port><path>
  std::string url(const std::string& path) const;
  /// The CA certificate as clientConfig.caBundle wants it (base64 of the PEM).
  std::string ca_bundle() const;
  /// Requests received for `path` (without query), in order.
  std::vector<Received> received(const std::string& path) const;
  std::size_t calls(const std::string& path) const { return received(path).size(); }
  /// Requests whose reply has not been written yet.
  int in_flight() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// The request uid of a review.
std::string review_uid(const json::Value& review);
/// An allowing reply; `patch` (a JSON Patch array, if not null) is sent base64-encoded.
WebhookServer::Reply allow(const json::Value& review, const json::Value& patch = nullptr,
                           const std::vector<std::string>& warnings = {});
/// A denying reply with status {code, message} (code 0: left out).
WebhookServer::Reply deny(const json::Value& review, int code, const std::string& message);

}  // namespace kube::testing
