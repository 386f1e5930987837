// bench/run.sh controller: the controller's own overhead, with a reconcile that does nothing.
//   - throughput: rounds of requests for every cached object, each round reconciled through the
//     scheduler (de-duplication, concurrency bookkeeping, store lookup, metrics), in reconciles/s;
//   - latency: one request at a time on an idle controller, from Controller::request() to the
//     reconcile starting, p50 and p99.
// The objects are real (a kube-apiserver-lite in this process, listed and watched over HTTPS by
// the controller's reflector), but no request reaches the server during the measurement. The
// goals (>= 20,000 reconciles/s, p99 <= 1 ms) are printed as ratios. The last line is JSON.
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "kube/api/core/v1.h"
#include "kube/apiserver/server.h"
#include "kube/runtime/controller.h"

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
using kube::api::core::v1::ConfigMap;
using namespace kube::runtime;

namespace {

constexpr double kGoalPerSecond = 20000;
constexpr double kGoalP99Ms = 1.0;

struct Context {
  std::uint64_t reconciles = 0;
  std::unordered_map<std::string, Clock::time_point> requested;  // latency phase: by name
  std::vector<double> latencies_ms;
  kube::runtime::Notify* progress = nullptr;
};

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  int objects = argc > 1 ? std::atoi(argv[1]) : 2000;
  int rounds = argc > 2 ? std::atoi(argv[2]) : 25;
  int samples = argc > 3 ? std::atoi(argv[3]) : 5000;

  kube::apiserver::Server server(kube::apiserver::ServerOptions{.listen = "127.0.0.1:0"});
  server.start();
  net::io_context io;
  kube::Client client(io.get_executor(), kube::Config::from_kubeconfig_text(server.kubeconfig()));
  auto cms = kube::Api<ConfigMap>::namespaced(client, "default");
  Notify progress(io.get_executor());
  auto ctx = std::make_shared<Context>();
  ctx->progress = &progress;
  double per_second = 0, p50 = 0, p99 = 0;

  Controller<ConfigMap> controller(cms);
  controller.with_config({.concurrency = 0}).with_metrics(std::make_shared<MetricsRegistry>());
  auto driver = [&]() -> net::awaitable<void> {
    for (int i = 0; i < objects; ++i) {
      ConfigMap cm;
      cm.metadata.name = "cm-" + std::to_string(i);
      co_await cms.create({}, cm);
    }
    // Wait until the cache has them all and the creation events were reconciled.
    while (controller.store().size() < static_cast<std::size_t>(objects) || ctx->reconciles < static_cast<std::uint64_t>(objects)) {
      co_await progress.wait();
    }
    std::vector<ObjectRef> refs;
    for (const auto& cm : controller.store().state()) refs.push_back(ObjectRef::of(*cm));

    std::uint64_t before = ctx->reconciles;
    auto t0 = Clock::now();
    for (int r = 0; r < rounds; ++r) {
      std::uint64_t target = ctx->reconciles + refs.size();
      for (const auto& ref : refs) controller.request(ref);
      while (ctx->reconciles < target) co_await progress.wait();
    }
    double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    per_second = static_cast<double>(ctx->reconciles - before) / seconds;

    for (int i = 0; i < samples; ++i) {
      const ObjectRef& ref = refs[static_cast<std::size_t>(i) % refs.size()];
      std::uint64_t target = ctx->reconciles + 1;
      ctx->requested[ref.name] = Clock::now();
      controller.request(ref);
      while (ctx->reconciles < target) co_await progress.wait();
    }
    p50 = percentile(ctx->latencies_ms, 0.50);
    p99 = percentile(ctx->latencies_ms, 0.99);
    controller.shutdown();
  };
  auto reconcile = [](std::shared_ptr<const ConfigMap> cm, std::shared_ptr<Context> ctx) -> net::awaitable<Action> {
    if (!ctx->requested.empty()) {
      auto it = ctx->requested.find(std::string(kube::name_of(*cm)));
      if (it != ctx->requested.end()) {
        ctx->latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - it->second).count());
        ctx->requested.erase(it);
      }
    }
    ++ctx->reconciles;
    ctx->progress->notify_all();
    co_return Action::await_change();
  };
  auto error_policy = [](std::shared_ptr<const ConfigMap>, const std::exception& e, std::shared_ptr<Context>) {
    std::fprintf(stderr, "reconcile failed: %s\n", e.what());
    return Action::await_change();
  };
  net::co_spawn(io, driver(), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  net::co_spawn(io, controller.run(reconcile, error_policy, ctx), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
  server.stop();

  std::printf("controller: %d objects, %d rounds of requests for all, then %d single requests (no-op reconcile)\n",
              objects, rounds, samples);
  std::printf("  throughput %9.0f reconciles/s   (goal %.0f: %.2fx)\n", per_second, kGoalPerSecond, per_second / kGoalPerSecond);
  std::printf("  latency    p50 %.3f ms  p99 %.3f ms  (goal p99 <= %.1f ms: %.2fx of the limit)\n", p50, p99, kGoalP99Ms,
              p99 / kGoalP99Ms);
  std::printf(
      "{\"objects\":%d,\"reconciles_per_s\":%.0f,\"reconciles_vs_goal\":%.3f,\"enqueue_p50_ms\":%.4f,"
      "\"enqueue_p99_ms\":%.4f,\"p99_vs_limit\":%.3f}\n",
      objects, per_second, per_second / kGoalPerSecond, p50, p99, p99 / kGoalP99Ms);
  return 0;
}
