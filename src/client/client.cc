// kube::Client's transport: HTTP/1.1 over TLS with Beast. The only client file that includes
// Beast/Asio SSL.
#include "kube/client/client.h"

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <deque>
#include <random>

#include "client/auth.h"
#include "kube/core/json.h"
#include "kube/core/status.h"

namespace kube {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

struct Endpoint {
  std::string host;  // without brackets
  std::string port;
  std::string host_header;
  std::string base_path;  // a path prefix in the cluster URL ("https://h/prefix")
};

Endpoint parse_url(const std::string& url) {
  constexpr std::string_view kHttps = "https://";
  if (url.rfind(kHttps, 0) != 0) {
    throw Error("not supported: cluster URL \"" + url + "\" (only https:// is supported)");
  }
  std::string_view rest = std::string_view(url).substr(kHttps.size());
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  Endpoint e;
  if (slash != std::string_view::npos) e.base_path = std::string(rest.substr(slash));
  while (!e.base_path.empty() && e.base_path.back() == '/') e.base_path.pop_back();
  e.host_header = std::string(authority);
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    e.host = std::string(authority.substr(1, close - 1));
    e.port = close + 1 < authority.size() && authority[close + 1] == ':' ? std::string(authority.substr(close + 2)) : "443";
  } else {
    auto colon = authority.rfind(':');
    e.host = std::string(authority.substr(0, colon));
    e.port = colon == std::string_view::npos ? "443" : std::string(authority.substr(colon + 1));
  }
  if (e.host.empty()) throw Error("cluster URL \"" + url + "\" has no host");
  return e;
}

bool is_ip_address(const std::string& host) {
  boost::system::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

struct Connection {
  Stream stream;
  beast::flat_buffer buffer;
  Connection(net::any_io_executor ex, ssl::context& ctx) : stream(ex, ctx) {}
};

std::string describe(const HttpRequest& r, const std::string& base) { return r.method + " " + base + r.target; }

std::chrono::milliseconds retry_delay(int attempt, std::string_view retry_after) {
  // Retry-After in seconds when given; otherwise exponential from 100 ms, with jitter, capped.
  static thread_local std::mt19937 rng{std::random_device{}()};
  long seconds = 0;
  if (!retry_after.empty()) std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
  auto base = std::chrono::milliseconds(100) * (1 << std::min(attempt, 8));
  auto jitter = std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 100)(rng));
  auto delay = std::max<std::chrono::milliseconds>(std::chrono::seconds(seconds), base + jitter);
  return std::min<std::chrono::milliseconds>(delay, std::chrono::seconds(30));
}

}  // namespace

// ---- Client::Impl ---------------------------------------------------------------------------------

class Client::Impl : public std::enable_shared_from_this<Client::Impl> {
 public:
  Impl(net::any_io_executor ex, Config config)
      : executor(std::move(ex)), config(std::move(config)), endpoint(parse_url(this->config.cluster_url)),
        auth(this->config) {
    rebuild_tls();
  }

  net::any_io_executor executor;
  Config config;
  Endpoint endpoint;
  client::Authenticator auth;
  std::shared_ptr<ssl::context> tls;
  std::vector<std::unique_ptr<Connection>> idle;
  // Request slots (max_concurrent_requests): a freed slot goes to the oldest waiter directly.
  struct SlotWaiter {
    explicit SlotWaiter(net::any_io_executor ex) : timer(ex, net::steady_timer::time_point::max()) {}
    net::steady_timer timer;
    bool granted = false;
  };
  int requests_in_flight = 0;
  std::deque<std::shared_ptr<SlotWaiter>> slot_waiters;

  // Holds a request slot for its lifetime.
  class Slot {
   public:
    explicit Slot(Impl& impl) : impl_(&impl) {}
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() { impl_->free_slot(); }

   private:
    Impl* impl_;
  };

  void free_slot() {
    if (slot_waiters.empty()) {
      --requests_in_flight;
      return;
    }
    auto next = std::move(slot_waiters.front());  // the slot passes on: the count stays
    slot_waiters.pop_front();
    next->granted = true;
    next->timer.cancel();
  }

  net::awaitable<void> take_slot() {
    if (config.max_concurrent_requests <= 0 || requests_in_flight < config.max_concurrent_requests) {
      ++requests_in_flight;
      co_return;
    }
    auto waiter = std::make_shared<SlotWaiter>(executor);
    slot_waiters.push_back(waiter);
    co_await waiter->timer.async_wait(use_tuple);
    if (!waiter->granted) {
      // The waiting coroutine was cancelled: leave the queue.
      std::erase(slot_waiters, waiter);
      throw boost::system::system_error(net::error::operation_aborted, "waiting for a request slot");
    }
  }

  void rebuild_tls() {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    try {
      if (config.root_ca_pem.empty()) {
        ctx->set_default_verify_paths();
      } else {
        ctx->add_certificate_authority(net::buffer(config.root_ca_pem));
      }
      std::string cert = auth.client_certificate_pem();
      std::string key = auth.client_key_pem();
      if (!cert.empty() && !key.empty()) {
        ctx->use_certificate_chain(net::buffer(cert));
        ctx->use_private_key(net::buffer(key), ssl::context::pem);
      }
    } catch (const boost::system::system_error& e) {
      throw Error(std::string("TLS configuration for ") + config.cluster_url + ": " + e.code().message());
    }
    ctx->set_verify_mode(config.insecure_skip_tls_verify ? ssl::verify_none : ssl::verify_peer);
    tls = std::move(ctx);
    idle.clear();  // connections made with the old credentials
  }

  net::awaitable<std::unique_ptr<Connection>> connect(const std::string& what) {
    auto conn = std::make_unique<Connection>(executor, *tls);
    auto& tcp_stream = beast::get_lowest_layer(conn->stream);
    tcp::resolver resolver(executor);
    auto [resolve_error, results] = co_await resolver.async_resolve(endpoint.host, endpoint.port, use_tuple);
    if (resolve_error) throw TransportError(what + ": resolve " + endpoint.host + ": " + resolve_error.message());
    tcp_stream.expires_after(config.connect_timeout);
    auto [connect_error, ep] = co_await tcp_stream.async_connect(results, use_tuple);
    if (connect_error) {
      throw TransportError(what + ": connect to " + endpoint.host + ":" + endpoint.port + ": " + connect_error.message());
    }
    tcp_stream.socket().set_option(tcp::no_delay(true));
    std::string verify_name = config.tls_server_name.empty() ? endpoint.host : config.tls_server_name;
    if (!is_ip_address(verify_name)) SSL_set_tlsext_host_name(conn->stream.native_handle(), verify_name.c_str());
    if (!config.insecure_skip_tls_verify) conn->stream.set_verify_callback(ssl::host_name_verification(verify_name));
    auto [handshake_error] = co_await conn->stream.async_handshake(ssl::stream_base::client, use_tuple);
    if (handshake_error) {
      std::string reason = handshake_error.message();
      long verify = SSL_get_verify_result(conn->stream.native_handle());
      if (verify != X509_V_OK) reason += " (certificate: " + std::string(X509_verify_cert_error_string(verify)) + ")";
      throw TransportError(what + ": TLS handshake with " + endpoint.host + ":" + endpoint.port + ": " + reason);
    }
    co_return conn;
  }

  net::awaitable<std::unique_ptr<Connection>> acquire(bool& reused, const std::string& what) {
    if (!idle.empty()) {
      auto conn = std::move(idle.back());
      idle.pop_back();
      reused = true;
      co_return conn;
    }
    reused = false;
    co_return co_await connect(what);
  }

  void release(std::unique_ptr<Connection> conn) {
    // Enough idle connections for every request slot: a steady stream of requests reuses them.
    if (idle.size() < static_cast<std::size_t>(std::max(16, config.max_concurrent_requests))) idle.push_back(std::move(conn));
  }

  http::request<http::string_body> make_request(const HttpRequest& r, const std::string& authorization) {
    http::request<http::string_body> req{http::string_to_verb(r.method), endpoint.base_path + r.target, 11};
    req.set(http::field::host, endpoint.host_header);
    req.set(http::field::user_agent, "kube-cpp/0.1");
    bool has_accept = false;
    for (const auto& [name, value] : r.headers) {
      req.set(name, value);
      if (beast::iequals(name, "Accept")) has_accept = true;
    }
    if (!has_accept) req.set(http::field::accept, "application/json");
    if (!authorization.empty()) req.set(http::field::authorization, authorization);
    if (!config.auth.impersonate.empty()) req.set("Impersonate-User", config.auth.impersonate);
    for (const auto& g : config.auth.impersonate_groups) req.insert("Impersonate-Group", g);
    req.body() = r.body;
    req.keep_alive(true);
    req.prepare_payload();
    return req;
  }

  // The ApiError for a failed response (the server's Status when it sent one).
  [[noreturn]] static void throw_api_error(int status, std::string_view reason_phrase, const std::string& body) {
    if (!body.empty() && body.front() == '{') {
      try {
        Status s = json::decode<Status>(body);
        if (s.code || s.reason || s.message) {
          if (!s.code) s.code = status;
          throw ApiError(std::move(s));
        }
      } catch (const json::DecodeError&) {
      }
    }
    std::string message = body.substr(0, 512);
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) message.pop_back();
    throw ApiError(make_status(status, std::string(reason_phrase), message.empty() ? std::string(reason_phrase) : message));
  }

  // One exchange. `on_chunk` (optional) receives 2xx bodies as they arrive.
  net::awaitable<HttpResponse> exchange(const HttpRequest& request, const std::string& what,
                                         const std::function<void(std::string_view)>* on_chunk,
                                         std::string& retry_after) {
    std::string authorization = co_await auth.authorization(executor);
    if (auth.take_certificate_change()) rebuild_tls();
    for (int connection_attempt = 0;; ++connection_attempt) {
      bool reused = false;
      auto conn = co_await acquire(reused, what);
      auto& tcp_stream = beast::get_lowest_layer(conn->stream);
      auto req = make_request(request, authorization);
      tcp_stream.expires_after(config.read_timeout);
      auto [write_error, written] = co_await http::async_write(conn->stream, req, use_tuple);
      http::response_parser<http::buffer_body> parser;
      parser.body_limit(boost::none);
      boost::system::error_code ec = write_error;
      if (!ec) std::tie(ec, std::ignore) = co_await http::async_read_header(conn->stream, conn->buffer, parser, use_tuple);
      if (ec) {
        // A kept-alive connection the server closed meanwhile: try once more on a fresh one.
        if (reused && connection_attempt == 0) continue;
        throw TransportError(what + ": " + (ec == beast::error::timeout ? std::string("timed out") : ec.message()));
      }
      HttpResponse response;
      response.status = static_cast<int>(parser.get().result_int());
      response.content_type = std::string(parser.get()[http::field::content_type]);
      retry_after = std::string(parser.get()[http::field::retry_after]);
      for (const auto& field : parser.get()) {
        if (beast::iequals(field.name_string(), "Warning")) response.warnings.emplace_back(field.value());
      }
      bool success = response.status >= 200 && response.status < 300;
      auto deliver = [&](const char* data, std::size_t size) {
        if (success && on_chunk) {
          (*on_chunk)(std::string_view(data, size));
        } else {
          response.body.append(data, size);
        }
      };
      char scratch[64 * 1024];
      if (!parser.is_done() && !parser.chunked() && parser.content_length()) {
        // A sized body is read straight from the TLS stream: large LISTs arrive this way, and the
        // HTTP parser's per-read steps would cost more than the bytes themselves.
        std::uint64_t remaining = *parser.content_length();
        std::size_t buffered = std::min<std::uint64_t>(remaining, conn->buffer.size());
        deliver(static_cast<const char*>(conn->buffer.data().data()), buffered);
        conn->buffer.consume(buffered);
        remaining -= buffered;
        while (remaining > 0) {
          auto [read_error, n] = co_await conn->stream.async_read_some(
              net::buffer(scratch, std::min<std::uint64_t>(remaining, sizeof scratch)), use_tuple);
          if (read_error) {
            throw TransportError(what + ": reading the response: " +
                                 (read_error == beast::error::timeout ? std::string("timed out") : read_error.message()));
          }
          deliver(scratch, n);
          remaining -= n;
        }
        if (parser.get().keep_alive()) release(std::move(conn));
        co_return response;
      }
      while (!parser.is_done()) {
        parser.get().body().data = scratch;
        parser.get().body().size = sizeof scratch;
        auto [read_error, n] = co_await http::async_read_some(conn->stream, conn->buffer, parser, use_tuple);
        if (read_error && read_error != http::error::need_buffer) {
          throw TransportError(what + ": reading the response: " +
                               (read_error == beast::error::timeout ? std::string("timed out") : read_error.message()));
        }
        std::size_t got = sizeof scratch - parser.get().body().size;
        if (got > 0) deliver(scratch, got);
      }
      if (parser.get().keep_alive()) release(std::move(conn));
      co_return response;
    }
  }

  net::awaitable<HttpResponse> send(HttpRequest request, const std::function<void(std::string_view)>* on_chunk) {
    std::string what = describe(request, config.cluster_url);
    bool refreshed = false;
    for (int attempt = 0;; ++attempt) {
      std::string retry_after;
      std::optional<HttpResponse> answered;
      {
        co_await take_slot();
        Slot slot(*this);
        answered = co_await exchange(request, what, on_chunk, retry_after);
      }
      HttpResponse response = std::move(*answered);
      if (response.status >= 200 && response.status < 300) co_return response;
      if (response.status == 401 && !refreshed && auth.refreshable()) {
        // Credentials from a file or a plugin may have rotated: fetch fresh ones once.
        auth.invalidate();
        refreshed = true;
        continue;
      }
      bool retryable = response.status == 429 || response.status == 503 || response.status == 504;
      if (retryable && attempt < config.max_retries) {
        net::steady_timer timer(executor, retry_delay(attempt, retry_after));
        co_await timer.async_wait(use_tuple);
        continue;
      }
      throw_api_error(response.status, http::obsolete_reason(static_cast<http::status>(response.status)), response.body);
    }
  }
};

// ---- LineStream ---------------------------------------------------------------------------------------

class LineStream::Impl {
 public:
  std::unique_ptr<Connection> conn;
  http::response_parser<http::buffer_body> parser;
  std::string pending;
  std::size_t scanned = 0;
  std::chrono::milliseconds idle_timeout{0};
  std::string what;
  bool cancelled = false;
};

LineStream::LineStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LineStream::LineStream(LineStream&&) noexcept = default;
LineStream& LineStream::operator=(LineStream&&) noexcept = default;
LineStream::~LineStream() = default;

void LineStream::cancel() {
  if (!impl_ || impl_->cancelled) return;
  impl_->cancelled = true;
  boost::system::error_code ec;
  beast::get_lowest_layer(impl_->conn->stream).socket().cancel(ec);
}

net::awaitable<std::optional<std::string>> LineStream::next_line() {
  Impl& s = *impl_;
  char scratch[64 * 1024];
  while (true) {
    auto nl = s.pending.find('\n', s.scanned);
    if (nl != std::string::npos) {
      std::string line = s.pending.substr(0, nl);
      s.pending.erase(0, nl + 1);
      s.scanned = 0;
      co_return line;
    }
    s.scanned = s.pending.size();
    if (s.cancelled) co_return std::nullopt;
    if (s.parser.is_done()) {
      if (s.pending.empty()) co_return std::nullopt;
      std::string last = std::move(s.pending);
      s.pending.clear();
      s.scanned = 0;
      co_return last;
    }
    s.parser.get().body().data = scratch;
    s.parser.get().body().size = sizeof scratch;
    beast::get_lowest_layer(s.conn->stream).expires_after(s.idle_timeout);
    auto [ec, n] = co_await http::async_read_some(s.conn->stream, s.conn->buffer, s.parser, use_tuple);
    if (s.cancelled) co_return std::nullopt;
    if (ec && ec != http::error::need_buffer) {
      if (ec == beast::error::timeout) {
        throw TransportError(s.what + ": no data for " + std::to_string(s.idle_timeout.count() / 1000) +
                             " s (dead connection?)");
      }
      throw TransportError(s.what + ": stream broken: " + ec.message());
    }
    s.pending.append(scratch, sizeof scratch - s.parser.get().body().size);
  }
}

// ---- Client -----------------------------------------------------------------------------------------

Client::Client(boost::asio::any_io_executor executor, Config config)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(config))) {}

const Config& Client::config() const { return impl_->config; }
const std::string& Client::default_namespace() const { return impl_->config.default_namespace; }
boost::asio::any_io_executor Client::executor() const { return impl_->executor; }

net::awaitable<HttpResponse> Client::send(HttpRequest request) const {
  auto impl = impl_;  // keep the client alive for the whole exchange
  co_return co_await impl->send(std::move(request), nullptr);
}

net::awaitable<void> Client::send_streaming(HttpRequest request, FunctionRef<void(std::string_view)> on_chunk) const {
  auto impl = impl_;
  std::function<void(std::string_view)> sink = [on_chunk](std::string_view chunk) { on_chunk(chunk); };
  co_await impl->send(std::move(request), &sink);
}

net::awaitable<LineStream> Client::stream(HttpRequest request, std::chrono::milliseconds idle_timeout) const {
  auto impl = impl_;
  std::string what = describe(request, impl->config.cluster_url);
  for (int attempt = 0;; ++attempt) {
    std::string authorization = co_await impl->auth.authorization(impl->executor);
    if (impl->auth.take_certificate_change()) impl->rebuild_tls();
    auto state = std::make_unique<LineStream::Impl>();
    state->conn = co_await impl->connect(what);
    state->idle_timeout = idle_timeout;
    state->what = what;
    state->parser.body_limit(boost::none);
    auto req = impl->make_request(request, authorization);
    auto& tcp_stream = beast::get_lowest_layer(state->conn->stream);
    // The response headers of a stream come at once; a server that accepted the connection but
    // never answers (stopping, wedged) must not hold a watcher for the whole read timeout.
    tcp_stream.expires_after(std::min(impl->config.read_timeout, idle_timeout));
    auto [write_error, written] = co_await http::async_write(state->conn->stream, req, use_tuple);
    boost::system::error_code ec = write_error;
    if (!ec) {
      std::tie(ec, std::ignore) =
          co_await http::async_read_header(state->conn->stream, state->conn->buffer, state->parser, use_tuple);
    }
    if (ec) throw TransportError(what + ": " + ec.message());
    int status = static_cast<int>(state->parser.get().result_int());
    if (status >= 200 && status < 300) co_return LineStream(std::move(state));
    // Read the error body, then retry or throw.
    LineStream failed(std::move(state));
    std::string body;
    while (auto line = co_await failed.next_line()) body += *line;
    std::string retry_after;
    if ((status == 429 || status == 503 || status == 504) && attempt < impl->config.max_retries) {
      net::steady_timer timer(impl->executor, retry_delay(attempt, retry_after));
      co_await timer.async_wait(use_tuple);
      continue;
    }
    if (status == 401 && attempt == 0 && impl->auth.refreshable()) {
      impl->auth.invalidate();
      continue;
    }
    Impl::throw_api_error(status, http::obsolete_reason(static_cast<http::status>(status)), body);
  }
}

}  // namespace kube
