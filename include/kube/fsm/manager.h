// kube::fsm::Manager: several operators in one process, run and stopped together.
//
//   kube::fsm::Manager manager(client.executor());
//   manager.add<MooseOperator>(Api<Moose>::all(client), {.label_selector = "nps.gov/park=glacier"})
//       .owns(Api<ConfigMap>::all(client));
//   manager.add<ElkOperator>(Api<Elk>::all(client));
//   manager.serve(webhook_server);   // admission webhooks (webhook_server.h), stopped with the rest
//   co_await manager.graceful_shutdown_on_signals().run();
#pragma once

#include <signal.h>

#include <boost/asio/signal_set.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "kube/fsm/operator.h"
#include "kube/fsm/webhook_server.h"

namespace kube::fsm {

class Manager {
 public:
  explicit Manager(boost::asio::any_io_executor executor) : executor_(executor), done_(executor) {}

  /// An operator of type Op on `api` (its objects: all namespaces, or one). Configure it (owns,
  /// watches, hooks) through the returned reference before run().
  template <class Op>
  OperatorRuntime<Op>& add(Api<typename Op::Manifest> api, OperatorConfig config = {}) {
    auto runtime = std::make_shared<OperatorRuntime<Op>>(std::move(api), std::move(config));
    operators_.push_back(Entry{[runtime] { return runtime->run(); }, [runtime] { runtime->stop(); }, runtime});
    return *runtime;
  }
  /// Admission webhooks served next to the operators: `server` (already started, since its port
  /// goes into the webhook configuration) is stopped with them, and run() returns once its
  /// connections have ended too.
  Manager& serve(WebhookServer& server) {
    webhook_servers_.push_back(&server);
    return *this;
  }
  /// SIGINT or SIGTERM stops every operator (machines are cancelled where they are).
  Manager& graceful_shutdown_on_signals() {
    handle_signals_ = true;
    return *this;
  }
  std::size_t size() const noexcept { return operators_.size(); }

  /// Runs every operator; returns once all have stopped.
  boost::asio::awaitable<void> run() {
    std::optional<boost::asio::signal_set> signals;
    if (handle_signals_) {
      signals.emplace(executor_, SIGINT, SIGTERM);
      signals->async_wait([this](boost::system::error_code ec, int) {
        if (!ec) stop();
      });
    }
    for (auto& entry : operators_) {
      ++running_;
      boost::asio::co_spawn(executor_, entry.run(), [this](std::exception_ptr) {
        --running_;
        done_.notify_all();
      });
    }
    while (running_ > 0) co_await done_.wait();
    for (WebhookServer* server : webhook_servers_) {
      server->stop();
      co_await server->join();
    }
    if (signals) signals->cancel();
  }
  void stop() {
    for (auto& entry : operators_) entry.stop();
    for (WebhookServer* server : webhook_servers_) server->stop();
  }

 private:
  struct Entry {
    std::function<boost::asio::awaitable<void>()> run;
    std::function<void()> stop;
    std::shared_ptr<void> keep;  // the OperatorRuntime
  };
  boost::asio::any_io_executor executor_;
  std::vector<Entry> operators_;
  std::vector<WebhookServer*> webhook_servers_;
  runtime::Notify done_;
  int running_ = 0;
  bool handle_signals_ = false;
};

}  // namespace kube::fsm
