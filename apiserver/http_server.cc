// kube::apiserver::Server: HTTPS (Beast + Asio + OpenSSL) in front of the Api. With admission.cc
// (the webhook client) the only files of the server that include Beast/Asio/SSL. One I/O thread
// runs everything (store, API, connections, webhook calls); the durable log has its own thread.
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/serialize.hpp>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>

#include "apiserver/admission.h"
#include "apiserver/api.h"
#include "apiserver/auth.h"
#include "kube/tls/pki.h"
#include "apiserver/registry.h"
#include "apiserver/store.h"
#include "apiserver/webhooks.h"
#include "kube/apiserver/server.h"
#include "kube/core/byte_string.h"
#include "kube/core/error.h"

namespace kube::apiserver {

std::string_view bundled_spec();  // generated: api/swagger.json

using tls::CertificateAndKey;
using tls::CertificateRequest;
using tls::generate_ca;
using tls::issue_certificate;

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;
using namespace std::chrono_literals;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_private(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write " + tmp.string());
    out << text;
  }
  std::filesystem::permissions(tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::rename(tmp, path);
}

std::shared_ptr<const json::Value> parsed_spec(const std::string& file) {
  if (!file.empty()) return std::make_shared<const json::Value>(json::parse(read_text(file)));
  static const std::shared_ptr<const json::Value> bundled = std::make_shared<const json::Value>(json::parse(bundled_spec()));
  return bundled;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding; `plus_is_space` for query strings. Returns false on a malformed escape.
bool url_decode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex_value(in[i + 1]);
      int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

std::optional<UserInfo> certificate_user(SSL* ssl_handle) {
  X509* cert = SSL_get1_peer_certificate(ssl_handle);
  if (!cert) return std::nullopt;
  std::unique_ptr<X509, decltype(&X509_free)> owner(cert, X509_free);
  if (SSL_get_verify_result(ssl_handle) != X509_V_OK) return std::nullopt;
  UserInfo user;
  X509_NAME* subject = X509_get_subject_name(cert);
  auto entry_text = [&](int index) {
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, data);
    std::string text = len > 0 ? std::string(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len)) : "";
    OPENSSL_free(utf8);
    return text;
  };
  for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0;) user.name = entry_text(i);
  for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_organizationName, i)) >= 0;) {
    user.groups.push_back(entry_text(i));
  }
  if (user.name.empty()) return std::nullopt;
  user.groups.push_back("system:authenticated");
  return user;
}

}  // namespace

class Server::Impl {
 public:
  explicit Impl(ServerOptions o) : options(std::move(o)) {}
  ~Impl() { stop(); }

  void start();
  void stop();
  void wait();
  template <class F>
  auto on_io(F&& f) -> decltype(f());
  std::string server_kubeconfig() const;

  ServerOptions options;
  CertificateAndKey ca, serving, admin;
  std::string admin_token;
  TokenAuthenticator tokens;
  std::uint16_t port = 0;

  // Destroyed in reverse order: the I/O context (and every connection) goes before the API,
  // the store and the registry it uses.
  std::shared_ptr<const json::Value> spec;
  std::unique_ptr<Registry> registry;
  std::unique_ptr<Store> store;
  std::unique_ptr<Api> api;
  struct PostTarget {
    std::mutex mutex;
    net::io_context* io = nullptr;
  };
  std::shared_ptr<PostTarget> post_target = std::make_shared<PostTarget>();
  std::unique_ptr<WebhookClient> webhooks;  // declared before `io`: destroyed after the calls it runs
  std::unique_ptr<net::io_context> io;
  std::unique_ptr<ssl::context> tls;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread thread;
  std::mutex state_mutex;
  std::condition_variable stopped_cv;
  bool running = false;

 private:
  void load_or_create_pki(const std::string& host);
  net::awaitable<void> accept_loop();
  net::awaitable<void> session(Stream stream);
  net::awaitable<void> wait_durable(std::uint64_t revision);
  net::awaitable<ApiResult> serve_admitted(ApiRequest& request, ApiResult result);
  net::awaitable<std::optional<ApiResponse>> call_webhooks(std::shared_ptr<Admission> admission);
  net::awaitable<bool> stream_watch(Stream& stream, unsigned version, bool keep_alive, std::shared_ptr<Watch> watch);
  net::awaitable<bool> write_response(Stream& stream, ApiResponse& response, unsigned version, bool keep_alive);
  ApiRequest to_api_request(const http::request<http::string_body>& req, bool& ok);
};

void Server::Impl::load_or_create_pki(const std::string& host) {
  std::vector<std::string> ips = {"127.0.0.1", "::1"};
  std::vector<std::string> dns = {"localhost"};
  boost::system::error_code ec;
  net::ip::make_address(host, ec);
  if (!host.empty() && host != "0.0.0.0" && host != "::") {
    (ec ? dns : ips).push_back(host);
  }
  auto make = [&] {
    ca = generate_ca("kube-apiserver-lite-ca");
    serving = issue_certificate(ca, CertificateRequest{.common_name = "kube-apiserver-lite",
                                                       .dns_names = dns,
                                                       .ip_addresses = ips,
                                                       .server = true});
    admin = issue_certificate(ca, CertificateRequest{.common_name = "admin",
                                                     .organizations = {"system:masters"},
                                                     .client = true});
    std::random_device rd;
    std::uniform_int_distribution<int> hex(0, 15);
    admin_token.clear();
    for (int i = 0; i < 40; ++i) admin_token.push_back("0123456789abcdef"[hex(rd)]);
  };
  if (options.data_dir.empty()) {
    make();
    return;
  }
  std::filesystem::path dir = std::filesystem::path(options.data_dir) / "pki";
  if (std::filesystem::exists(dir / "admin.token")) {
    ca = {read_text(dir / "ca.crt"), read_text(dir / "ca.key")};
    serving = {read_text(dir / "apiserver.crt"), read_text(dir / "apiserver.key")};
    admin = {read_text(dir / "admin.crt"), read_text(dir / "admin.key")};
    admin_token = read_text(dir / "admin.token");
    return;
  }
  make();
  std::filesystem::create_directories(dir);
  write_private(dir / "ca.crt", ca.certificate_pem);
  write_private(dir / "ca.key", ca.private_key_pem);
  write_private(dir / "apiserver.crt", serving.certificate_pem);
  write_private(dir / "apiserver.key", serving.private_key_pem);
  write_private(dir / "admin.crt", admin.certificate_pem);
  write_private(dir / "admin.key", admin.private_key_pem);
  write_private(dir / "admin.token", admin_token);  // written last: its presence means "complete"
}

void Server::Impl::start() {
  std::string host = "127.0.0.1";
  std::string port_text = "0";
  auto colon = options.listen.rfind(':');
  if (colon == std::string::npos) throw Error("--listen must be HOST:PORT (got \"" + options.listen + "\")");
  host = options.listen.substr(0, colon);
  port_text = options.listen.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  load_or_create_pki(host);
  tokens.add(admin_token, UserInfo{"admin", "admin", {"system:masters"}});
  if (!options.token_file.empty()) tokens.load_csv(read_text(options.token_file));

  io = std::make_unique<net::io_context>(1);
  post_target->io = io.get();
  webhooks = std::make_unique<WebhookClient>(*io);
  spec = parsed_spec(options.spec_file);
  registry = std::make_unique<Registry>(spec);
  Store::Options store_options;
  store_options.data_dir = options.data_dir.empty() ? "" : (std::filesystem::path(options.data_dir) / "store").string();
  store_options.history = options.history;
  auto target = post_target;
  store = std::make_unique<Store>(
      store_options, [this](StoredObject& o, const json::Value& dom) { api->index(o, dom); },
      [target](std::function<void()> fn) {
        std::lock_guard lock(target->mutex);
        if (target->io) net::post(*target->io, std::move(fn));
      });
  ApiOptions api_options;
  api_options.max_body_bytes = options.max_body_bytes;
  api = std::make_unique<Api>(*registry, *store, api_options);
  store->open([this] { api->register_stored_crds(); });
  api->bootstrap();

  tls = std::make_unique<ssl::context>(ssl::context::tls_server);
  tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  tls->use_certificate_chain(net::buffer(serving.certificate_pem));
  tls->use_private_key(net::buffer(serving.private_key_pem), ssl::context::pem);
  tls->add_certificate_authority(net::buffer(ca.certificate_pem));
  // Ask for a client certificate but do not require one: tokens authenticate too. Whether the
  // certificate verified is checked per connection (certificate_user).
  tls->set_verify_mode(ssl::verify_peer);
  tls->set_verify_callback([](bool, ssl::verify_context&) { return true; });

  boost::system::error_code ec;
  auto address = net::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  if (ec) {
    tcp::resolver resolver(*io);
    auto results = resolver.resolve(host, port_text, ec);
    if (ec || results.empty()) throw Error("cannot resolve listen address " + options.listen);
    address = results.begin()->endpoint().address();
  }
  unsigned long port_number = std::stoul(port_text);
  acceptor = std::make_unique<tcp::acceptor>(*io);
  tcp::endpoint endpoint(address, static_cast<unsigned short>(port_number));
  acceptor->open(endpoint.protocol());
  acceptor->set_option(net::socket_base::reuse_address(true));
  acceptor->bind(endpoint, ec);
  if (ec) throw Error("cannot listen on " + options.listen + ": " + ec.message());
  acceptor->listen(net::socket_base::max_listen_connections);
  port = acceptor->local_endpoint().port();
  net::co_spawn(*io, accept_loop(), net::detached);
  {
    std::lock_guard lock(state_mutex);
    running = true;
  }
  thread = std::thread([this] { io->run(); });
  if (!options.admin_kubeconfig.empty()) write_private(options.admin_kubeconfig, server_kubeconfig());
}

void Server::Impl::stop() {
  {
    std::lock_guard lock(state_mutex);
    if (!running && !thread.joinable()) return;
    running = false;
  }
  if (io) io->stop();
  if (thread.joinable()) thread.join();
  {
    std::lock_guard lock(post_target->mutex);
    post_target->io = nullptr;  // the durable log may still report; nothing runs it any more
  }
  acceptor.reset();
  io.reset();  // destroys every connection (and webhook call)
  webhooks.reset();
  api.reset();
  store.reset();  // flushes the durable log
  registry.reset();
  stopped_cv.notify_all();
}

void Server::Impl::wait() {
  std::unique_lock lock(state_mutex);
  stopped_cv.wait(lock, [this] { return !running; });
}

template <class F>
auto Server::Impl::on_io(F&& f) -> decltype(f()) {
  std::packaged_task<decltype(f())()> task(std::forward<F>(f));
  auto result = task.get_future();
  net::post(*io, [&task] { task(); });
  return result.get();
}

std::string Server::Impl::server_kubeconfig() const {
  json::Object config{
      {"apiVersion", "v1"},
      {"kind", "Config"},
      {"clusters", json::Array{json::Object{
                       {"name", "kube-apiserver-lite"},
                       {"cluster", json::Object{{"server", "https://127.0.0.1:" + std::to_string(port)},
                                                {"certificate-authority-data", base64_encode(ca.certificate_pem)}}}}}},
      {"users", json::Array{json::Object{
                    {"name", "admin"},
                    {"user", json::Object{{"client-certificate-data", base64_encode(admin.certificate_pem)},
                                          {"client-key-data", base64_encode(admin.private_key_pem)}}}}}},
      {"contexts", json::Array{json::Object{
                       {"name", "kube-apiserver-lite"},
                       {"context", json::Object{{"cluster", "kube-apiserver-lite"}, {"user", "admin"},
                                                {"namespace", "default"}}}}}},
      {"current-context", "kube-apiserver-lite"},
      {"preferences", json::Object{}}};
  return boost::json::serialize(config) + "\n";
}

net::awaitable<void> Server::Impl::accept_loop() {
  while (true) {
    auto [ec, socket] = co_await acceptor->async_accept(use_tuple);
    if (ec) {
      if (ec == net::error::operation_aborted) co_return;
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    net::co_spawn(*io, session(Stream(beast::tcp_stream(std::move(socket)), *tls)), net::detached);
  }
}

net::awaitable<void> Server::Impl::wait_durable(std::uint64_t revision) {
  if (revision <= store->durable_revision()) co_return;
  net::steady_timer timer(*io, std::chrono::steady_clock::time_point::max());
  bool done = false;
  store->when_durable(revision, [&timer, &done] {
    done = true;
    timer.cancel();
  });
  while (!done) co_await timer.async_wait(use_tuple);
}

net::awaitable<std::optional<ApiResponse>> Server::Impl::call_webhooks(std::shared_ptr<Admission> admission) {
  net::steady_timer timer(*io, std::chrono::steady_clock::time_point::max());
  std::optional<ApiResponse> failure;
  bool done = false;
  webhooks->run(std::move(admission), [&](std::optional<ApiResponse> result) {
    failure = std::move(result);
    done = true;
    timer.cancel();
  });
  while (!done) co_await timer.async_wait(use_tuple);
  co_return failure;
}

// A write that admission webhooks apply to (`result` holds its Admission): suspended while they
// are called (other requests go on), then served again with their results.
net::awaitable<ApiResult> Server::Impl::serve_admitted(ApiRequest& request, ApiResult result) {
  std::shared_ptr<Admission> admission;
  for (int round = 0; auto* pending = std::get_if<std::shared_ptr<Admission>>(&result); ++round) {
    admission = std::move(*pending);
    if (round == 16) {  // the objects kept changing under the admission
      result = status_response(409, "Conflict", "the objects of the request kept changing during admission; try again");
      break;
    }
    if (auto failure = co_await call_webhooks(admission)) {
      result = std::move(*failure);
      break;
    }
    request.admission = admission;
    result = api->handle(request);
  }
  if (auto* response = std::get_if<ApiResponse>(&result); response && admission) {
    for (const auto& warning : admission->warnings) {
      std::string escaped;
      for (char c : warning) {
        if (c == '"' || c == '\\') escaped.push_back('\\');
        escaped.push_back(c == '\n' || c == '\r' ? ' ' : c);
      }
      response->headers.emplace_back("Warning", "299 - \"" + escaped + "\"");
    }
  }
  co_return result;
}

ApiRequest Server::Impl::to_api_request(const http::request<http::string_body>& req, bool& ok) {
  ApiRequest out;
  ok = true;
  out.method = std::string(req.method_string());
  std::string_view target = req.target();
  auto question = target.find('?');
  std::string_view path = target.substr(0, question);
  // Decode segment by segment: an encoded '/' must not create a segment.
  std::string segment;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    std::string_view raw = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!url_decode(raw, segment, false) || segment.find('/') != std::string::npos) ok = false;
    out.path += segment;
    if (slash == std::string_view::npos) break;
    out.path.push_back('/');
    start = slash + 1;
  }
  if (question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
      auto amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
      if (pair.empty()) continue;
      auto eq = pair.find('=');
      std::string key, value;
      if (!url_decode(pair.substr(0, eq), key, true)) ok = false;
      if (eq != std::string_view::npos && !url_decode(pair.substr(eq + 1), value, true)) ok = false;
      out.query.emplace_back(std::move(key), std::move(value));
    }
  }
  out.content_type = std::string(req[http::field::content_type]);
  out.accept = std::string(req[http::field::accept]);
  out.user_agent = std::string(req[http::field::user_agent]);
  out.body = req.body();
  return out;
}

net::awaitable<void> Server::Impl::session(Stream stream) {
  beast::flat_buffer buffer;
  stream.next_layer().expires_after(30s);
  auto [handshake_error] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
  if (handshake_error) co_return;
  std::optional<UserInfo> certificate = certificate_user(stream.native_handle());
  while (true) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    parser.header_limit(64 * 1024);
    stream.next_layer().expires_after(300s);
    auto [header_error, header_bytes] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
    // (Beast reports a declared Content-Length over the limit while reading the header.)
    bool too_big = header_error == http::error::body_limit;
    if (header_error && !too_big) break;
    if (!too_big) {
      auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, use_tuple);
      too_big = read_error == http::error::body_limit;
      if (read_error && !too_big) break;
    }
    if (too_big) {
      ApiResponse status = status_response(413, "RequestEntityTooLarge",
                                           "the request body is larger than the limit of " +
                                               std::to_string(options.max_body_bytes) + " bytes");
      http::response<http::string_body> res{http::status::payload_too_large, 11};
      res.set(http::field::content_type, "application/json");
      res.body() = status.body;
      res.keep_alive(false);
      res.prepare_payload();
      stream.next_layer().expires_after(30s);
      co_await http::async_write(stream, res, use_tuple);
      // Read (and drop) what the client is still sending: closing with unread data would reset
      // the connection and the client would never see the 413.
      char sink[64 * 1024];
      std::size_t drained = 0;
      stream.next_layer().expires_after(10s);
      while (drained < (std::size_t{256} << 20)) {
        auto [drain_error, n] = co_await stream.async_read_some(net::buffer(sink), use_tuple);
        if (drain_error) break;
        drained += n;
      }
      break;
    }
    const auto& req = parser.get();
    bool keep_alive = req.keep_alive();
    bool ok = true;
    ApiRequest request = to_api_request(req, ok);
    ApiResult result;
    std::optional<UserInfo> user = certificate;
    if (auto authorization = req[http::field::authorization]; !authorization.empty()) {
      user = tokens.authenticate(authorization);
    }
    if (!user && options.allow_anonymous) user = UserInfo{"system:anonymous", "", {"system:unauthenticated"}};
    if (!user) {
      result = status_response(401, "Unauthorized", "Unauthorized");
    } else if (!ok) {
      result = status_response(400, "BadRequest", "malformed percent-encoding in the request URL");
    } else {
      request.user = std::move(*user);
      result = api->handle(request);
      if (std::holds_alternative<std::shared_ptr<Admission>>(result)) {
        result = co_await serve_admitted(request, std::move(result));
      }
    }
    if (auto* response = std::get_if<ApiResponse>(&result)) {
      co_await wait_durable(response->after_revision);
      bool ok = co_await write_response(stream, *response, req.version(), keep_alive);
      if (!ok || !keep_alive) break;
    } else {
      bool reusable = co_await stream_watch(stream, req.version(), keep_alive, std::get<std::shared_ptr<Watch>>(result));
      if (!reusable || !keep_alive) break;
    }
  }
  stream.next_layer().expires_after(5s);
  co_await stream.async_shutdown(use_tuple);
}

net::awaitable<bool> Server::Impl::write_response(Stream& stream, ApiResponse& response, unsigned version,
                                                  bool keep_alive) {
  stream.next_layer().expires_after(120s);
  if (response.items.empty() && response.body_suffix.empty()) {
    http::response<http::string_body> res{static_cast<http::status>(response.status), version};
    res.set(http::field::content_type, response.content_type);
    res.set(http::field::cache_control, "no-cache, private");
    for (const auto& [name, value] : response.headers) res.insert(name, value);
    res.body() = std::move(response.body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    auto [error, written] = co_await http::async_write(stream, res, use_tuple);
    co_return !error;
  }
  // A list written from the stored objects: header, prefix, items with commas, suffix.
  std::size_t length = response.body.size() + response.body_suffix.size();
  for (const auto& item : response.items) length += item->json.size() + 1;
  if (!response.items.empty()) --length;
  http::response<http::empty_body> res{static_cast<http::status>(response.status), version};
  res.set(http::field::content_type, response.content_type);
  res.set(http::field::cache_control, "no-cache, private");
  for (const auto& [name, value] : response.headers) res.insert(name, value);
  res.content_length(length);
  res.keep_alive(keep_alive);
  http::response_serializer<http::empty_body> serializer{res};
  auto [header_error, header_bytes] = co_await http::async_write_header(stream, serializer, use_tuple);
  if (header_error) co_return false;
  static constexpr char kComma = ',';
  std::vector<net::const_buffer> buffers;
  buffers.emplace_back(response.body.data(), response.body.size());
  std::size_t batch = response.body.size();
  for (std::size_t i = 0; i < response.items.size(); ++i) {
    if (i) buffers.emplace_back(&kComma, 1);
    const std::string& json = response.items[i]->json;
    buffers.emplace_back(json.data(), json.size());
    batch += json.size() + 1;
    if (batch >= (std::size_t{1} << 20)) {
      auto [error, written] = co_await net::async_write(stream, buffers, use_tuple);
      if (error) co_return false;
      buffers.clear();
      batch = 0;
    }
  }
  buffers.emplace_back(response.body_suffix.data(), response.body_suffix.size());
  auto [error, written] = co_await net::async_write(stream, buffers, use_tuple);
  co_return !error;
}

net::awaitable<bool> Server::Impl::stream_watch(Stream& stream, unsigned version, bool keep_alive,
                                                std::shared_ptr<Watch> watch) {
  http::response<http::empty_body> res{http::status::ok, version};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-cache, private");
  res.chunked(true);
  res.keep_alive(keep_alive);
  http::response_serializer<http::empty_body> serializer{res};
  stream.next_layer().expires_after(60s);
  auto [header_error, header_bytes] = co_await http::async_write_header(stream, serializer, use_tuple);
  if (header_error) co_return false;
  net::steady_timer timer(*io);
  watch->wake = [&timer] { timer.cancel(); };
  struct Unhook {
    Watch& w;
    ~Unhook() { w.wake = nullptr; }
  } unhook{*watch};
  co_await wait_durable(watch->after_revision);
  auto next_bookmark = std::chrono::steady_clock::now() + options.bookmark_interval;
  std::string batch;
  while (true) {
    if (!watch->lines.empty()) {
      // Every queued event in one chunk: clients read lines, not chunks.
      batch.clear();
      while (!watch->lines.empty() && batch.size() < (std::size_t{1} << 20)) {
        batch += *watch->lines.front();
        watch->lines.pop_front();
      }
      watch->consumed(batch.size());
      stream.next_layer().expires_after(120s);
      auto [write_error, written] = co_await net::async_write(stream, http::make_chunk(net::buffer(batch)), use_tuple);
      if (write_error) co_return false;
      continue;
    }
    auto now = std::chrono::steady_clock::now();
    if (watch->closed || now >= watch->deadline) break;
    if (now >= next_bookmark) {
      watch->bookmark();
      next_bookmark = now + options.bookmark_interval;
      continue;
    }
    timer.expires_at(std::min(watch->deadline, next_bookmark));
    co_await timer.async_wait(use_tuple);
  }
  stream.next_layer().expires_after(30s);
  auto [end_error, end_bytes] = co_await net::async_write(stream, http::make_chunk_last(), use_tuple);
  co_return !end_error;
}

// ---- Server -------------------------------------------------------------------------------------

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Server::~Server() = default;
void Server::start() { impl_->start(); }
void Server::stop() { impl_->stop(); }
void Server::wait() { impl_->wait(); }
std::uint16_t Server::port() const { return impl_->port; }
std::string Server::url() const { return "https://127.0.0.1:" + std::to_string(impl_->port); }
std::string Server::ca_certificate() const { return impl_->ca.certificate_pem; }
std::string Server::admin_token() const { return impl_->admin_token; }
std::string Server::admin_client_certificate() const { return impl_->admin.certificate_pem; }
std::string Server::admin_client_key() const { return impl_->admin.private_key_pem; }
std::string Server::kubeconfig() const { return impl_->server_kubeconfig(); }
void Server::close_watches() {
  impl_->on_io([this] { impl_->api->close_watches(); });
}
void Server::expire_watches() {
  impl_->on_io([this] { impl_->api->expire_watches(); });
}
void Server::compact_history() {
  impl_->on_io([this] { impl_->store->compact_history(impl_->store->revision()); });
}
std::uint64_t Server::revision() const {
  return impl_->on_io([this] { return impl_->store->revision(); });
}

}  // namespace kube::apiserver
