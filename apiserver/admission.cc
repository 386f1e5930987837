// WebhookClient: the admission webhook calls, HTTPS POSTs of AdmissionReviews with Beast on the
// server's I/O context. One connection per call (webhooks are rare next to the rest of the
// traffic); TLS contexts are kept per CA bundle. What a reply means is decided in webhooks.cc.
#include "apiserver/admission.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>

#include "apiserver/webhooks.h"

namespace kube::apiserver {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr std::size_t kMaxReplyBytes = 16 * 1024 * 1024;

struct Reply {
  int status = 0;
  std::string body;
  std::string error;  // transport failure
};

}  // namespace

struct WebhookClient::State {
  explicit State(net::io_context& i) : io(i) {}
  net::io_context& io;
  std::map<std::string, std::shared_ptr<ssl::context>> contexts;  // by CA bundle ("": system roots)
  std::mt19937_64 random{std::random_device{}()};

  std::shared_ptr<ssl::context> context_for(const std::string& ca_bundle) {
    auto it = contexts.find(ca_bundle);
    if (it != contexts.end()) return it->second;
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    context->set_verify_mode(ssl::verify_peer);
    if (ca_bundle.empty()) {
      context->set_default_verify_paths();
    } else {
      context->add_certificate_authority(net::buffer(ca_bundle));  // throws on a malformed bundle
    }
    if (contexts.size() >= 64) contexts.clear();
    contexts.emplace(ca_bundle, context);
    return context;
  }

  std::string new_uid() {
    std::uint64_t a = random(), b = random();
    a = (a & 0xFFFFFFFFFFFF0FFFULL) | 0x4000;
    b = (b & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx", static_cast<unsigned long long>(a >> 32),
                  static_cast<unsigned long long>((a >> 16) & 0xFFFF), static_cast<unsigned long long>(a & 0xFFFF),
                  static_cast<unsigned long long>(b >> 48), static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
    return buf;
  }
};

namespace {

using StatePtr = std::shared_ptr<WebhookClient::State>;

// One POST to `endpoint`, everything (resolve excepted: addresses need none) within `timeout`.
net::awaitable<Reply> post(StatePtr state, const WebhookEndpoint& endpoint, std::string body,
                           std::chrono::seconds timeout, std::shared_ptr<ssl::context> context) {
  Reply reply;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto failed = [&](std::string_view step, const boost::system::error_code& ec) {
    if (ec == beast::error::timeout) {
      reply.error = "context deadline exceeded (no reply within timeoutSeconds=" + std::to_string(timeout.count()) + ")";
    } else {
      reply.error = std::string(step) + ": " + ec.message();
    }
    return reply;
  };
  tcp::resolver resolver(state->io);
  auto [resolve_error, results] = co_await resolver.async_resolve(endpoint.host, endpoint.port, use_tuple);
  if (resolve_error) co_return failed("dial tcp: lookup " + endpoint.host, resolve_error);

  beast::ssl_stream<beast::tcp_stream> stream(state->io, *context);
  SSL* handle = stream.native_handle();
  boost::system::error_code not_an_address;
  net::ip::make_address(endpoint.server_name, not_an_address);
  if (not_an_address) {
    SSL_set_tlsext_host_name(handle, endpoint.server_name.c_str());
    SSL_set1_host(handle, endpoint.server_name.c_str());
  } else {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), endpoint.server_name.c_str());
  }
  beast::tcp_stream& tcp_layer = stream.next_layer();
  tcp_layer.expires_at(deadline);
  auto [connect_error, connected] = co_await tcp_layer.async_connect(results, use_tuple);
  if (connect_error) co_return failed("dial tcp " + endpoint.host + ":" + endpoint.port + ": connect", connect_error);
  tcp_layer.expires_at(deadline);
  auto [handshake_error] = co_await stream.async_handshake(ssl::stream_base::client, use_tuple);
  if (handshake_error) {
    long verify = SSL_get_verify_result(handle);
    if (verify != X509_V_OK && handshake_error != beast::error::timeout) {
      reply.error = std::string("tls: failed to verify certificate: ") + X509_verify_cert_error_string(verify);
      co_return reply;
    }
    co_return failed("tls handshake", handshake_error);
  }

  http::request<http::string_body> request{http::verb::post, endpoint.target, 11};
  request.set(http::field::host, endpoint.server_name + ":" + endpoint.port);
  request.set(http::field::content_type, "application/json");
  request.set(http::field::accept, "application/json, */*");
  request.set(http::field::user_agent, "kube-apiserver-lite-admission");
  request.keep_alive(false);
  request.body() = std::move(body);
  request.prepare_payload();
  tcp_layer.expires_at(deadline);
  auto [write_error, written] = co_await http::async_write(stream, request, use_tuple);
  if (write_error) co_return failed("write", write_error);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxReplyBytes);
  tcp_layer.expires_at(deadline);
  auto [read_error, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
  if (read_error) co_return failed("read", read_error);
  reply.status = static_cast<int>(parser.get().result_int());
  reply.body = std::move(parser.get().body());
  boost::system::error_code ignored;
  tcp_layer.socket().close(ignored);  // no TLS close_notify: the reply is complete
  co_return reply;
}

net::awaitable<WebhookOutcome> call(StatePtr state, const WebhookInvocation& invocation,
                                    const AdmissionAttributes& attributes) {
  const WebhookEndpoint& endpoint = invocation.endpoint;
  auto failed = [&](const std::string& why) {
    WebhookOutcome out;
    out.kind = WebhookOutcome::CallFailed;
    out.error = "failed to call webhook: Post \"" + endpoint.url + "\": " + why;
    return out;
  };
  if (!endpoint.error.empty()) co_return failed(endpoint.error);
  std::shared_ptr<ssl::context> context;
  try {
    context = state->context_for(invocation.webhook.ca_bundle);
  } catch (const std::exception& e) {
    WebhookOutcome out;
    out.kind = WebhookOutcome::CallFailed;
    out.error = std::string("could not get REST client: unusable caBundle: ") + e.what();
    co_return out;
  }
  std::string uid = state->new_uid();
  std::string body = boost::json::serialize(admission_review(attributes, uid));
  Reply reply = co_await post(state, endpoint, std::move(body), std::chrono::seconds(invocation.webhook.timeout_seconds),
                              std::move(context));
  if (!reply.error.empty()) co_return failed(reply.error);
  co_return interpret_reply(invocation.webhook, attributes, uid, reply.status, reply.body);
}

// The outcome of one call as the request sees it: nullopt to go on, or the Status it fails with.
std::optional<ApiResponse> verdict(const Webhook& webhook, WebhookOutcome& outcome, Admission& admission) {
  for (auto& w : outcome.warnings) admission.warnings.push_back(std::move(w));
  switch (outcome.kind) {
    case WebhookOutcome::Allowed:
      return std::nullopt;
    case WebhookOutcome::Rejected:
      return std::move(outcome.status);
    case WebhookOutcome::CallFailed:
      if (webhook.fail_open) return std::nullopt;
      return webhook_call_failure(webhook.name, outcome.error);
  }
  return std::nullopt;
}

net::awaitable<std::optional<ApiResponse>> admit_items(StatePtr state, std::shared_ptr<Admission> admission) {
  for (AdmissionItem& item : admission->items) {
    AdmissionAttributes& attributes = item.attributes;
    for (const auto& invocation : item.webhooks) {
      if (attributes.dry_run && !supports_dry_run(invocation.webhook)) co_return dry_run_unsupported(invocation.webhook.name);
    }
    if (item.mutating) {
      // In series: each webhook sees the object as the previous ones patched it.
      for (const auto& invocation : item.webhooks) {
        WebhookOutcome outcome = co_await call(state, invocation, attributes);
        if (auto failure = verdict(invocation.webhook, outcome, *admission)) co_return failure;
        if (outcome.kind == WebhookOutcome::Allowed && outcome.patched) attributes.object = std::move(outcome.object);
      }
      continue;
    }
    // Validating webhooks in parallel; the first failure in configuration order is reported.
    std::vector<WebhookOutcome> outcomes(item.webhooks.size());
    std::size_t remaining = item.webhooks.size();
    net::steady_timer all_done(state->io, net::steady_timer::time_point::max());
    for (std::size_t i = 0; i < item.webhooks.size(); ++i) {
      net::co_spawn(state->io, call(state, item.webhooks[i], attributes),
                    [&outcomes, &remaining, &all_done, i](std::exception_ptr error, WebhookOutcome outcome) {
                      if (error) {
                        outcome = WebhookOutcome{};
                        outcome.kind = WebhookOutcome::CallFailed;
                        try {
                          std::rethrow_exception(error);
                        } catch (const std::exception& e) {
                          outcome.error = e.what();
                        } catch (...) {
                          outcome.error = "unknown error";
                        }
                      }
                      outcomes[i] = std::move(outcome);
                      if (--remaining == 0) all_done.cancel();
                    });
    }
    while (remaining > 0) co_await all_done.async_wait(use_tuple);
    std::optional<ApiResponse> failure;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      auto f = verdict(item.webhooks[i].webhook, outcomes[i], *admission);
      if (f && !failure) failure = std::move(f);
    }
    if (failure) co_return failure;
  }
  admission->finish_round();
  co_return std::nullopt;
}

}  // namespace

WebhookClient::WebhookClient(net::io_context& io) : state_(std::make_shared<State>(io)) {}
WebhookClient::~WebhookClient() = default;

void WebhookClient::run(std::shared_ptr<Admission> admission, std::function<void(std::optional<ApiResponse>)> done) {
  net::co_spawn(state_->io, admit_items(state_, std::move(admission)),
                [done = std::move(done)](std::exception_ptr error, std::optional<ApiResponse> result) {
                  if (!error) {
                    done(std::move(result));
                    return;
                  }
                  std::string what = "unknown error";
                  try {
                    std::rethrow_exception(error);
                  } catch (const std::exception& e) {
                    what = e.what();
                  } catch (...) {
                  }
                  done(status_response(500, "InternalError", "Internal error occurred: admission failed: " + what));
                });
}

}  // namespace kube::apiserver
