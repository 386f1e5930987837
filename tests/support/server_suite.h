// A test suite sharing one in-process kube-apiserver-lite (HTTPS on 127.0.0.1, a free port),
// started before its first test and stopped after its last.
//   class MySuite : public kube::testing::ServerSuite {};                 // history 1000
//   class Small : public kube::testing::ServerSuite {
//     static void SetUpTestSuite() { start_server({.history = 200}); } };
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <string>
#include <utility>

#include "kube/api/core/v1.h"
#include "kube/apiserver/server.h"
#include "kube/client/api.h"
#include "support/async.h"

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

  /// Runs `f(Client&)` (returning an awaitable) to completion with a client of the server.
  template <class F>
  static auto call(F&& f) {
    return run_async([&](boost::asio::io_context& io) {
      return [](Config cfg, boost::asio::any_io_executor ex, F& fn) -> decltype(fn(std::declval<Client&>())) {
        Client client(ex, cfg);
        co_return co_await fn(client);
      }(config(), io.get_executor(), f);
    });
  }
  /// Creates a namespace of its own for a test ("<prefix><n>-<pid>") and returns its name.
  static std::string create_namespace(const std::string& prefix) {
    std::string name = prefix + std::to_string(++namespaces_) + "-" + std::to_string(::getpid());
    call([&](Client& c) -> boost::asio::awaitable<void> {
      api::core::v1::Namespace ns;
      ns.metadata.name = name;
      co_await Api<api::core::v1::Namespace>::all(c).create({}, ns);
    });
    return name;
  }

  static inline apiserver::Server* server_ = nullptr;
  static inline int namespaces_ = 0;
};

}  // namespace kube::testing
