// The only kube::fsm file that includes Beast and Asio's SSL.
#include "kube/fsm/webhook_server.h"

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <map>
#include <set>

#include "kube/core/error.h"
#include "kube/core/status.h"
#include "kube/runtime/log.h"
#include "kube/runtime/notify.h"
#include "kube/runtime/object_ref.h"

namespace kube::fsm {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

namespace {

struct Connection {
  Connection(tcp::socket socket, ssl::context& tls) : stream(beast::tcp_stream(std::move(socket)), tls) {}
  Stream stream;
  bool busy = false;  // a request is being answered: stop() lets it finish

  void close() { beast::get_lowest_layer(stream).close(); }
};

using Response = http::response<http::string_body>;

Response status_response(http::status code, std::string message) {
  int number = static_cast<int>(code);
  std::string reason = code == http::status::bad_request           ? "BadRequest"
                       : code == http::status::not_found           ? "NotFound"
                       : code == http::status::method_not_allowed  ? "MethodNotAllowed"
                       : code == http::status::payload_too_large   ? "RequestEntityTooLarge"
                                                                   : "InternalError";
  Response response{code, 11};
  response.set(http::field::content_type, "application/json");
  response.body() = json::encode(make_status(number, std::move(reason), std::move(message)));
  return response;
}

}  // namespace

class WebhookServer::Impl : public std::enable_shared_from_this<WebhookServer::Impl> {
 public:
  Impl(net::any_io_executor ex, const WebhookTls& tls, WebhookServerOptions options)
      : executor(ex), tls_context(ssl::context::tls_server), acceptor(ex), options(std::move(options)), done(ex) {
    tls_context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                            ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    try {
      tls_context.use_certificate_chain(net::buffer(tls.certificate_pem));
      tls_context.use_private_key(net::buffer(tls.private_key_pem), ssl::context::pem);
    } catch (const boost::system::system_error& e) {
      throw InvalidArgument(std::string("webhook server: unusable TLS certificate or key: ") + e.what());
    }
  }

  net::any_io_executor executor;
  ssl::context tls_context;
  tcp::acceptor acceptor;
  WebhookServerOptions options;
  std::map<std::string, Handler, std::less<>> routes;
  std::set<std::shared_ptr<Connection>> connections;
  runtime::Notify done;  // a connection ended, the accept loop ended, or stop()
  WebhookServerStats stats;
  std::uint16_t port = 0;
  bool accepting = false;
  bool stopped = false;

  void start() {
    const std::string& listen = options.listen;
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw InvalidArgument("webhook listen address \"" + listen + "\" is not HOST:PORT");
    std::string host = listen.substr(0, colon);
    if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
    boost::system::error_code ec;
    auto address = net::ip::make_address(host, ec);
    if (ec) throw InvalidArgument("webhook listen address \"" + listen + "\": " + ec.message());
    unsigned long port_number = 65536;
    try {
      port_number = std::stoul(listen.substr(colon + 1));
    } catch (const std::exception&) {
    }
    if (port_number > 65535) throw InvalidArgument("webhook listen address \"" + listen + "\": bad port");
    tcp::endpoint endpoint(address, static_cast<std::uint16_t>(port_number));
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw Error("webhook server: cannot listen on " + listen + ": " + ec.message());
    port = acceptor.local_endpoint().port();
    accepting = true;
    net::co_spawn(executor, accept_loop(shared_from_this()), net::detached);
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    for (const auto& connection : connections) {
      if (!connection->busy) connection->close();  // idle (keep-alive or handshaking): wakes its read
    }
    done.notify_all();
  }

  net::awaitable<void> join() {
    auto self = shared_from_this();
    while (!stopped || accepting || !connections.empty()) co_await done.wait();
  }

  static net::awaitable<void> accept_loop(std::shared_ptr<Impl> self) {
    while (!self->stopped) {
      auto [ec, socket] = co_await self->acceptor.async_accept(use_tuple);
      if (self->stopped) break;
      if (ec) {
        if (ec == net::error::operation_aborted || ec == net::error::bad_descriptor) break;
        // Out of descriptors and the like: try again a little later rather than spin.
        net::steady_timer pause(self->executor, std::chrono::milliseconds(100));
        co_await pause.async_wait(use_tuple);
        continue;
      }
      auto connection = std::make_shared<Connection>(std::move(socket), self->tls_context);
      self->connections.insert(connection);
      ++self->stats.connections;
      net::co_spawn(self->executor, serve(self, std::move(connection)), net::detached);
    }
    self->accepting = false;
    self->done.notify_all();
  }

  static net::awaitable<void> serve(std::shared_ptr<Impl> self, std::shared_ptr<Connection> connection) {
    try {
      co_await self->session(*connection);
    } catch (const std::exception&) {
      // A broken connection: nothing to answer.
    }
    connection->close();
    self->connections.erase(connection);
    connection.reset();  // before `self`: the stream goes before the TLS context it uses
    self->done.notify_all();
  }

  net::awaitable<void> session(Connection& connection) {
    beast::tcp_stream& tcp = beast::get_lowest_layer(connection.stream);
    tcp.expires_after(options.idle_timeout);
    auto [handshake_error] = co_await connection.stream.async_handshake(ssl::stream_base::server, use_tuple);
    if (handshake_error) co_return;
    beast::flat_buffer buffer;
    while (!stopped) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(options.max_body_bytes);
      tcp.expires_after(options.idle_timeout);
      auto [read_error, read] = co_await http::async_read(connection.stream, buffer, parser, use_tuple);
      if (read_error == http::error::body_limit) {
        ++stats.bad_requests;
        Response response = status_response(
            http::status::payload_too_large,
            "the AdmissionReview is larger than " + std::to_string(options.max_body_bytes) + " bytes");
        response.keep_alive(false);
        response.prepare_payload();
        co_await http::async_write(connection.stream, response, use_tuple);
        co_return;
      }
      if (read_error) co_return;  // closed, idle too long, or stop()
      connection.busy = true;
      tcp.expires_never();  // the handler has its own deadline
      const http::request<http::string_body>& request = parser.get();
      Response response = co_await answer(request);
      bool keep_alive = request.keep_alive() && !stopped;
      response.version(request.version());
      response.keep_alive(keep_alive);
      response.prepare_payload();
      tcp.expires_after(options.idle_timeout);
      auto [write_error, written] = co_await http::async_write(connection.stream, response, use_tuple);
      connection.busy = false;
      if (write_error || !keep_alive) break;
    }
    if (!stopped) {
      tcp.expires_after(std::chrono::seconds(1));
      co_await connection.stream.async_shutdown(use_tuple);
    }
  }

  net::awaitable<Response> answer(const http::request<http::string_body>& request) {
    std::string_view path = request.target();
    path = path.substr(0, path.find('?'));  // the API server adds ?timeout=10s
    auto route = routes.find(path);
    if (route == routes.end()) {
      ++stats.bad_requests;
      std::string known;
      for (const auto& [p, h] : routes) known += (known.empty() ? "" : ", ") + p;
      co_return status_response(http::status::not_found, "no admission webhook at " + std::string(path) +
                                                              (known.empty() ? "" : " (serving " + known + ")"));
    }
    if (request.method() != http::verb::post) {
      ++stats.bad_requests;
      Response response = status_response(http::status::method_not_allowed, "admission webhooks only accept POST");
      response.set(http::field::allow, "POST");
      co_return response;
    }
    AdmissionReview review;
    try {
      review = AdmissionReview::parse(request.body());
    } catch (const Error& e) {
      ++stats.bad_requests;
      co_return status_response(http::status::bad_request, std::string("invalid AdmissionReview: ") + e.what());
    }
    const AdmissionRequest& admission = *review.request;
    log::Span span("admission.review");
    if (log::enabled(log::Level::info)) {
      span.set("path", path);
      span.set("operation", admission.operation);
      span.set("kind", admission.kind.kind);
      span.set("object", runtime::ObjectRef{admission.name.value_or(""), admission.namespace_.value_or("")}.to_string());
      span.set("uid", admission.uid);
    }
    AdmissionResponse verdict = co_await run_handler(route->second, admission);
    span.set("allowed", verdict.allowed);
    if (verdict.patch) span.set("patched", true);
    if (!verdict.allowed && verdict.status) {
      span.set("code", static_cast<std::int64_t>(verdict.status->code.value_or(0)));
      span.set("message", verdict.status->message.value_or(""));
    }
    ++stats.reviews;
    if (!verdict.allowed) {
      ++stats.denied;
    } else {
      ++stats.allowed;
      if (verdict.patch) ++stats.patched;
    }
    Response response{http::status::ok, 11};
    response.set(http::field::content_type, "application/json");
    response.body() = json::encode(AdmissionReview::reply(admission, std::move(verdict)));
    co_return response;
  }

  // The handler's answer; its exceptions and timeouts become allowed: false, code 500.
  net::awaitable<AdmissionResponse> run_handler(Handler handler, const AdmissionRequest& request) {
    using namespace net::experimental::awaitable_operators;
    net::steady_timer deadline(executor, options.handler_timeout);
    bool failed = false;
    auto result = co_await (guarded(std::move(handler), request, failed) || deadline.async_wait(net::use_awaitable));
    if (result.index() == 0) {
      if (failed) ++stats.handler_errors;
      co_return std::get<0>(std::move(result));
    }
    ++stats.handler_errors;
    co_return AdmissionResponse::deny(
        "the admission handler did not answer within " + std::to_string(options.handler_timeout.count()) + " ms", 500);
  }

  // Never throws (so that `||` above completes as soon as the handler does); `failed` tells whether
  // it threw (not counted here: a handler cancelled by the deadline throws too).
  static net::awaitable<AdmissionResponse> guarded(Handler handler, const AdmissionRequest& request, bool& failed) {
    std::string failure;
    try {
      co_return co_await handler(request);
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "unknown exception";
    }
    failed = true;
    co_return AdmissionResponse::deny(failure, 500);
  }
};

WebhookServer::WebhookServer(boost::asio::any_io_executor executor, WebhookTls tls, WebhookServerOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), tls, std::move(options))) {}

WebhookServer::~WebhookServer() { impl_->stop(); }

void WebhookServer::route(std::string path, Handler handler) {
  if (path.empty() || path.front() != '/') throw InvalidArgument("webhook path \"" + path + "\" must start with '/'");
  impl_->routes[std::move(path)] = std::move(handler);
}

void WebhookServer::start() { impl_->start(); }
void WebhookServer::stop() { impl_->stop(); }
boost::asio::awaitable<void> WebhookServer::join() { return impl_->join(); }
std::uint16_t WebhookServer::port() const { return impl_->port; }
std::size_t WebhookServer::open_connections() const { return impl_->connections.size(); }
const WebhookServerStats& WebhookServer::stats() const { return impl_->stats; }

}  // namespace kube::fsm
