// kube::Client: HTTP/1.1 over TLS to one Kubernetes API server, with connection reuse,
// authentication, retries and streaming. Cheap to copy (copies share connections); every call is
// an Asio coroutine on the client's executor.
//
// Most code uses kube::Api<K> (kube/client/api.h) on top of a Client rather than calling it
// directly.
//
// Example:
//   boost::asio::io_context io;
//   kube::Client client(io.get_executor(), kube::Config::infer());
//   boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> {
//     auto pods = kube::Api<kube::api::core::v1::Pod>::default_namespaced(client);
//     auto list = co_await pods.list();
//   }, boost::asio::detached);
//   io.run();
#pragma once

// GCC before 13 destroys aggregate temporaries twice when they appear inside a co_await expression
// (`co_await pods.list({.limit = 10})` corrupts the heap). Refuse it rather than fail at run time.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13 && !defined(KUBE_ALLOW_GCC12_COROUTINES)
#error "kube::client needs clang++ or GCC >= 13: GCC 12 miscompiles aggregate temporaries in co_await expressions. \
Define KUBE_ALLOW_GCC12_COROUTINES only if your code never builds aggregates inside co_await expressions."
#endif

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kube/client/config.h"
#include "kube/core/error.h"
#include "kube/core/function_ref.h"
#include "kube/core/request.h"

namespace kube {

/// The request never got an HTTP answer: connection refused, TLS failure, timeout, broken stream.
/// The message says what failed and where ("GET https://10.0.0.1:6443/api/v1/pods: connect: ...").
class TransportError : public Error {
 public:
  using Error::Error;
};

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
  std::vector<std::string> warnings;  // Warning headers
};

/// Lines of a streaming response (a watch): each next_line() yields one line without '\n', or
/// nullopt when the server ended the stream.
class LineStream {
 public:
  class Impl;
  explicit LineStream(std::unique_ptr<Impl> impl);
  LineStream(LineStream&&) noexcept;
  LineStream& operator=(LineStream&&) noexcept;
  ~LineStream();

  /// Throws TransportError on a broken connection, or when nothing arrives for `idle_timeout`.
  boost::asio::awaitable<std::optional<std::string>> next_line();
  /// Stops the stream; a pending next_line() ends with nullopt.
  void cancel();

 private:
  std::unique_ptr<Impl> impl_;
};

class Client {
 public:
  Client(boost::asio::any_io_executor executor, Config config);

  const Config& config() const;
  const std::string& default_namespace() const;
  boost::asio::any_io_executor executor() const;

  /// Sends `request`; returns the response if it is 2xx. Otherwise throws ApiError with the
  /// server's Status (or one made from the HTTP status), after retrying 429/503/504.
  boost::asio::awaitable<HttpResponse> send(HttpRequest request) const;
  /// Like send(), but hands the body to `on_chunk` as it arrives instead of keeping it (LIST
  /// bodies are decoded while they download). Error bodies are still collected for the ApiError.
  boost::asio::awaitable<void> send_streaming(HttpRequest request, FunctionRef<void(std::string_view)> on_chunk) const;
  /// Opens a streaming request (watch). `idle_timeout`: the longest silence tolerated.
  boost::asio::awaitable<LineStream> stream(HttpRequest request, std::chrono::milliseconds idle_timeout) const;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace kube
