// A kube-apiserver-lite process loaded with realistic Pods, for the benchmarks whose clients
// read them (list, reflector). The server is the real binary in its own process, so its memory and
// CPU are not the client's.
#pragma once

#include <sys/types.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cstddef>
#include <filesystem>
#include <string>

#include "kube/client/config.h"

namespace kube::bench {

inline constexpr const char* kPodNamespace = "bench";

class PodServer {
 public:
  /// Starts the server in a fresh work directory and creates `pods` realistic pods (with status)
  /// in namespace "bench".
  PodServer(int pods, const std::string& tag);
  ~PodServer();  // stops the server, removes the work directory
  PodServer(const PodServer&) = delete;
  PodServer& operator=(const PodServer&) = delete;

  const std::filesystem::path& work() const { return work_; }
  const std::filesystem::path& kubeconfig() const { return kubeconfig_; }
  const kube::Config& config() const { return config_; }
  double populate_seconds() const { return populate_s_; }
  /// Size of the LIST response body of all pods (what every client downloads).
  std::size_t wire_bytes() const { return wire_; }

 private:
  void shut_down();  // stops the server, removes the work directory

  pid_t pid_ = -1;
  std::filesystem::path work_, kubeconfig_;
  kube::Config config_;
  double populate_s_ = 0;
  std::size_t wire_ = 0;
};

/// This executable's path (benchmarks re-run themselves as measured child processes).
std::string self_path();
/// Resident set size of this process now, in bytes.
std::size_t current_rss_bytes();

/// Runs `make(io)` (returning an awaitable) on a fresh io_context; returns its result.
template <class F>
auto run_coroutine(F&& make) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, make(io), boost::asio::use_future);
  io.run();
  return future.get();
}

}  // namespace kube::bench
