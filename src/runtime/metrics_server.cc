// The only runtime file that includes Beast.
#include "kube/runtime/metrics_server.h"

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <set>

#include "kube/core/error.h"

namespace kube::runtime {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

class MetricsServer::Impl : public std::enable_shared_from_this<MetricsServer::Impl> {
 public:
  Impl(net::any_io_executor ex, std::shared_ptr<MetricsRegistry> registry, std::string listen)
      : executor(ex), acceptor(ex), registry(std::move(registry)), listen(std::move(listen)) {}

  net::any_io_executor executor;
  tcp::acceptor acceptor;
  std::shared_ptr<MetricsRegistry> registry;
  std::string listen;
  std::set<std::shared_ptr<beast::tcp_stream>> connections;
  bool stopped = false;

  void start() {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw InvalidArgument("metrics listen address \"" + listen + "\" is not HOST:PORT");
    std::string host = listen.substr(0, colon);
    if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
    boost::system::error_code ec;
    auto address = net::ip::make_address(host, ec);
    if (ec) throw InvalidArgument("metrics listen address \"" + listen + "\": " + ec.message());
    unsigned long port = std::stoul(listen.substr(colon + 1));
    tcp::endpoint endpoint(address, static_cast<std::uint16_t>(port));
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw Error("metrics server: cannot listen on " + listen + ": " + ec.message());
    net::co_spawn(executor, accept_loop(shared_from_this()), net::detached);
  }

  void stop() {
    stopped = true;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    for (auto& connection : connections) connection->socket().close(ignored);
    connections.clear();
  }

  static net::awaitable<void> accept_loop(std::shared_ptr<Impl> self) {
    while (!self->stopped) {
      auto [ec, socket] = co_await self->acceptor.async_accept(net::as_tuple(net::use_awaitable));
      if (ec) co_return;
      auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
      self->connections.insert(stream);
      net::co_spawn(self->executor, serve(self, stream), net::detached);
    }
  }

  http::response<http::string_body> answer(const http::request<http::string_body>& request) const {
    http::response<http::string_body> response;
    response.version(request.version());
    response.set(http::field::content_type, "text/plain; charset=utf-8");
    std::string_view target = request.target();
    target = target.substr(0, target.find('?'));
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
      response.result(http::status::method_not_allowed);
      response.body() = "only GET is supported\n";
    } else if (target == "/metrics") {
      response.result(http::status::ok);
      response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      response.body() = registry->render();
    } else if (target == "/healthz" || target == "/livez") {
      response.result(http::status::ok);
      response.body() = "ok\n";
    } else if (target == "/readyz") {
      std::vector<std::string> failing = registry->not_ready();
      response.result(failing.empty() ? http::status::ok : http::status::service_unavailable);
      if (failing.empty()) response.body() = "ok\n";
      for (const auto& name : failing) response.body() += "not ready: " + name + "\n";
    } else {
      response.result(http::status::not_found);
      response.body() = "not found: " + std::string(target) + " (try /metrics, /healthz, /readyz)\n";
    }
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    return response;
  }

  static net::awaitable<void> serve(std::shared_ptr<Impl> self, std::shared_ptr<beast::tcp_stream> stream) {
    beast::flat_buffer buffer;
    while (true) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 * 1024);
      stream->expires_after(std::chrono::seconds(30));
      auto [read_error, read] = co_await http::async_read(*stream, buffer, parser, net::as_tuple(net::use_awaitable));
      if (read_error) break;
      auto response = self->answer(parser.get());
      auto [write_error, written] = co_await http::async_write(*stream, response, net::as_tuple(net::use_awaitable));
      if (write_error || !response.keep_alive()) break;
    }
    boost::system::error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    self->connections.erase(stream);
  }
};

MetricsServer::MetricsServer(boost::asio::any_io_executor executor, std::shared_ptr<MetricsRegistry> registry,
                             std::string listen)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(registry), std::move(listen))) {}

MetricsServer::~MetricsServer() { impl_->stop(); }
void MetricsServer::start() { impl_->start(); }
void MetricsServer::stop() { impl_->stop(); }
std::uint16_t MetricsServer::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace kube::runtime
