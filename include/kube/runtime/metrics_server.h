// kube::runtime::MetricsServer: a small HTTP endpoint for a controller process:
//   GET /metrics  the registry in Prometheus text format
//   GET /healthz  200 "ok" while the process serves
//   GET /readyz   200 "ok" when every readiness check passes (caches synced, ...), else 503 with
//                 the failing checks
// Plain HTTP on a loopback or pod address (scraped by Prometheus, probed by the kubelet).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "kube/runtime/metrics.h"

namespace kube::runtime {

class MetricsServer {
 public:
  /// `listen`: "HOST:PORT" (port 0 picks a free one).
  MetricsServer(boost::asio::any_io_executor executor, std::shared_ptr<MetricsRegistry> registry,
                std::string listen = "127.0.0.1:0");
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  /// Binds and starts accepting on the executor. Throws kube::Error if it cannot bind.
  void start();
  /// Closes the listener and every connection.
  void stop();
  std::uint16_t port() const;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace kube::runtime
