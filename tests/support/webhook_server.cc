#include "support/webhook_server.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <mutex>
#include <thread>

#include "kube/tls/pki.h"
#include "kube/core/byte_string.h"

namespace kube::testing {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

}  // namespace

struct WebhookServer::Impl {
  net::io_context io{1};
  ssl::context tls{ssl::context::tls_server};
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::string ca_pem;
  std::uint16_t port = 0;
  mutable std::mutex mutex;
  std::map<std::string, Handler> handlers;
  std::map<std::string, std::vector<Received>> received;
  std::atomic<int> in_flight{0};

  net::awaitable<void> accept_loop() {
    while (true) {
      auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
      if (ec) co_return;
      net::co_spawn(io, session(beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), tls)),
                    net::detached);
    }
  }

  net::awaitable<void> session(beast::ssl_stream<beast::tcp_stream> stream) {
    stream.next_layer().expires_after(std::chrono::seconds(30));
    auto [handshake_error] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
    if (handshake_error) co_return;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    auto [read_error, n] = co_await http::async_read(stream, buffer, request, use_tuple);
    if (read_error) co_return;
    ++in_flight;
    std::string target(request.target());
    std::string path = target.substr(0, target.find('?'));
    Reply reply{404, R"({"message":"no handler"})"};
    Handler handler;
    json::Value review;
    try {
      review = json::parse(request.body());
    } catch (const std::exception&) {
    }
    {
      std::lock_guard lock(mutex);
      received[path].push_back({target, review});
      if (auto it = handlers.find(path); it != handlers.end()) handler = it->second;
    }
    if (handler) reply = handler(review);
    if (reply.delay.count() > 0) {
      net::steady_timer timer(io, reply.delay);
      co_await timer.async_wait(use_tuple);
    }
    http::response<http::string_body> response{static_cast<http::status>(reply.status), request.version()};
    response.set(http::field::content_type, "application/json");
    response.body() = reply.body;
    response.keep_alive(false);
    response.prepare_payload();
    stream.next_layer().expires_after(std::chrono::seconds(30));
    co_await http::async_write(stream, response, use_tuple);
    --in_flight;
    stream.next_layer().expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(use_tuple);
  }
};

WebhookServer::WebhookServer(std::vector<std::string> dns_names) : impl_(std::make_unique<Impl>()) {
  tls::CertificateAndKey ca = tls::generate_ca("webhook-test-ca");
  dns_names.push_back("localhost");
  tls::CertificateAndKey serving = tls::issue_certificate(ca, tls::CertificateRequest{.common_name = "webhook",
                                                                                     .dns_names = dns_names,
                                                                                     .ip_addresses = {"127.0.0.1"},
                                                                                     .server = true});
  impl_->ca_pem = ca.certificate_pem;
  impl_->tls.use_certificate_chain(net::buffer(serving.certificate_pem));
  impl_->tls.use_private_key(net::buffer(serving.private_key_pem), ssl::context::pem);
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  net::co_spawn(impl_->io, impl_->accept_loop(), net::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

WebhookServer::~WebhookServer() {
  impl_->io.stop();
  impl_->thread.join();
}

void WebhookServer::on(const std::string& path, Handler handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->handlers[path] = std::move(handler);
}

std::uint16_t WebhookServer::port() const { return impl_->port; }
std::string WebhookServer::url(const std::string& path) const {
  return "https://127.0.0.1:" + std::to_string(impl_->port) + path;
}
std::string WebhookServer::ca_bundle() const { return base64_encode(impl_->ca_pem); }

std::vector<WebhookServer::Received> WebhookServer::received(const std::string& path) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->received.find(path);
  return it == impl_->received.end() ? std::vector<Received>{} : it->second;
}

int WebhookServer::in_flight() const { return impl_->in_flight; }

std::string review_uid(const json::Value& review) {
  const json::Value* uid = review.is_object() && review.as_object().contains("request")
                               ? review.at("request").as_object().if_contains("uid")
                               : nullptr;
  return uid && uid->is_string() ? std::string(uid->as_string()) : "";
}

namespace {

std::string review_reply(json::Object response) {
  return boost::json::serialize(
      json::Object{{"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}, {"response", std::move(response)}});
}

}  // namespace

WebhookServer::Reply allow(const json::Value& review, const json::Value& patch, const std::vector<std::string>& warnings) {
  json::Object response{{"uid", review_uid(review)}, {"allowed", true}};
  if (!patch.is_null()) {
    response["patchType"] = "JSONPatch";
    response["patch"] = base64_encode(boost::json::serialize(patch));
  }
  if (!warnings.empty()) {
    json::Array list;
    for (const auto& w : warnings) list.emplace_back(w);
    response["warnings"] = std::move(list);
  }
  return {200, review_reply(std::move(response))};
}

WebhookServer::Reply deny(const json::Value& review, int code, const std::string& message) {
  json::Object status{{"message", message}};
  if (code != 0) status["code"] = code;
  return {200, review_reply(json::Object{{"uid", review_uid(review)}, {"allowed", false}, {"status", std::move(status)}})};
}

}  // namespace kube::testing
