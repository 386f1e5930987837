// The fixture of the kube::runtime integration tests: one kube-apiserver-lite per test suite, a
// fresh namespace per test, and a deadline that fails a test instead of letting it hang.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>

#include "kube/api/core/v1.h"
#include "kube/apiserver/server.h"
#include "kube/client/api.h"
#include "support/async.h"
#include "support/server_suite.h"

namespace kube::runtime {

namespace net = boost::asio;
using api::core::v1::ConfigMap;
using api::core::v1::Namespace;

class Runtime : public testing::ServerSuite {
 protected:
  // A namespace of its own for each test.
  net::awaitable<std::string> fresh_namespace(Client& client) {
    Namespace ns;
    ns.metadata.name = "rt" + std::to_string(++counter_) + "-" + std::to_string(::getpid());
    co_await Api<Namespace>::all(client).create({}, ns);
    co_return ns.metadata.name.value();
  }

  static inline int counter_ = 0;
};

inline ConfigMap config_map(std::string name, std::string value = "v") {
  ConfigMap cm;
  cm.metadata.name = std::move(name);
  cm.data = std::map<std::string, std::string>{{"k", std::move(value)}};
  return cm;
}

// Stops `stop` after `limit` unless cancelled first, so a missing event fails the test instead of
// hanging it.
class Deadline {
 public:
  Deadline(net::any_io_executor ex, std::chrono::milliseconds limit, std::function<void()> stop)
      : timer_(std::make_shared<net::steady_timer>(ex, limit)) {
    timer_->async_wait([stop = std::move(stop)](boost::system::error_code ec) {
      if (!ec) {
        ADD_FAILURE() << "deadline passed";
        stop();
      }
    });
  }
  ~Deadline() { timer_->cancel(); }

 private:
  std::shared_ptr<net::steady_timer> timer_;
};

}  // namespace kube::runtime
