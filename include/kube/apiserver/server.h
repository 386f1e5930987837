// kube-apiserver-lite: a Kubernetes-compatible API server in the box, as a library. Tests and demos
// start one in process on port 0; the `kube-apiserver-lite` binary wraps the same class.
//
// It serves every resource of the bundled Kubernetes API spec plus CRDs over HTTPS (a CA and
// certificates it generates itself), authenticates bearer tokens and client certificates signed by
// its CA, and keeps objects in memory, durably in a data directory when one is given.
//
// Example:
//   kube::apiserver::Server server({.listen = "127.0.0.1:0"});
//   server.start();
//   std::string kubeconfig = server.kubeconfig();   // point any client at it
//   ...
//   server.stop();
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace kube::apiserver {

struct ServerOptions {
  std::string listen = "127.0.0.1:0";   // HOST:PORT; port 0 picks a free port
  std::string data_dir;                 // durable storage and PKI; empty: in memory
  std::string admin_kubeconfig;         // written once the server accepts connections
  std::string token_file;               // kube-apiserver CSV: token,user,uid,"group1,group2"
  bool allow_anonymous = false;         // serve unauthenticated requests as system:anonymous
  std::size_t history = 10000;          // watch history window (events); older resumptions get 410
  std::chrono::seconds bookmark_interval{60};
  std::size_t max_body_bytes = 3 * 1024 * 1024;
  std::string spec_file;                // Swagger spec to serve instead of the bundled one
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();  // stops
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Opens storage, generates or loads certificates, binds and starts serving on a background
  /// thread. Throws kube::Error on failure.
  void start();
  /// Stops serving, closes every connection and flushes storage.
  void stop();
  /// Blocks until stop() is called from another thread (or a signal handler's thread).
  void wait();

  std::uint16_t port() const;
  std::string url() const;                   // https://127.0.0.1:<port>
  std::string ca_certificate() const;        // PEM of the CA clients must trust
  std::string admin_token() const;           // a bearer token with admin rights
  std::string admin_client_certificate() const;  // PEM, CN=admin, O=system:masters
  std::string admin_client_key() const;          // PEM
  /// An admin kubeconfig (JSON, which kubectl and every client read as YAML).
  std::string kubeconfig() const;

  // ---- test hooks (safe from any thread) ---------------------------------------------------------
  /// Ends every open watch stream (clients must resume).
  void close_watches();
  /// Ends every open watch stream with a 410 Expired ERROR event, as the API server does to a
  /// watcher that fell too far behind (clients must relist).
  void expire_watches();
  /// Drops the watch history up to the current revision (resumptions from before get 410).
  void compact_history();
  /// The current global revision.
  std::uint64_t revision() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kube::apiserver
