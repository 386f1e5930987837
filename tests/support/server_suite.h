// A test suite sharing one in-process kube-apiserver-lite (HTTPS on 127.0.0.1, a free port),
// started before its first test and stopped after its last.
//   class MySuite : public kube::testing::ServerSuite {};                 // history 1000
//   class Small : public kube::testing::ServerSuite {
//     static void SetUpTestSuite() { start_server({.history = 200}); } };
#pragma once

#include <gtest/gtest.h>

#include "kube/apiserver/server.h"
#include "kube/client/config.h"

namespace kube::testing {

class ServerSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { start_server({.listen = "127.0.0.1:0", .history = 1000}); }
  static void TearDownTestSuite() {
    if (!server_) return;
    server_->stop();
    delete server_;
    server_ = nullptr;
  }
  static void start_server(apiserver::ServerOptions options) {
    server_ = new apiserver::Server(std::move(options));
    server_->start();
  }
  /// An admin configuration for the suite's server.
  static Config config() { return Config::from_kubeconfig_text(server_->kubeconfig()); }

  static inline apiserver::Server* server_ = nullptr;
};

}  // namespace kube::testing
