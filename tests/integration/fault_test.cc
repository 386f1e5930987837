// The runtime under faults: a controller and a reflector run against kube-apiserver-lite while the
// server is restarted on its data directory, watch connections are dropped and the watch history
// is compacted (so resumptions get 410 and relist), all while objects keep changing. At the end
// the reflector's store must equal a fresh LIST exactly, every object must have reached its
// desired state, and no object may have been reconciled twice at once.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "kube/api/core/v1.h"
#include "kube/apiserver/server.h"
#include "kube/runtime/controller.h"
#include "kube/runtime/reflector.h"
#include "support/async.h"
#include "support/paths.h"
#include "support/subprocess.h"

namespace kube::runtime {
namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
using namespace std::chrono_literals;
using api::core::v1::ConfigMap;
using api::core::v1::Namespace;
using testing::pause;

constexpr int kParents = 20;
constexpr int kFaultRounds = 9;  // 3 of each kind

ConfigMap parent(int i, const std::string& value) {
  ConfigMap cm;
  cm.metadata.name = "p" + std::to_string(i);
  cm.metadata.labels = std::map<std::string, std::string>{{"role", "parent"}};
  cm.data = std::map<std::string, std::string>{{"k", value}};
  return cm;
}

struct Context {
  Api<ConfigMap> cms;
  std::set<std::string> running;
  int concurrent = 0;
  int reconciles = 0;
  int errors = 0;
};

// Desired state: every parent has a ConfigMap "<parent>-child" it owns, holding its value.
net::awaitable<Action> reconcile(std::shared_ptr<const ConfigMap> p, std::shared_ptr<Context> ctx) {
  std::string name(name_of(*p));
  if (!ctx->running.insert(name).second) ++ctx->concurrent;
  ++ctx->reconciles;
  struct Leave {
    Context& ctx;
    std::string name;
    ~Leave() { ctx.running.erase(name); }
  } leave{*ctx, name};
  ConfigMap child;
  child.metadata.name = name + "-child";
  child.metadata.owner_references = std::vector{controller_owner_ref(*p)};
  child.data = std::map<std::string, std::string>{{"v", p->data->at("k")}};
  auto existing = co_await ctx->cms.get_opt(child.metadata.name.value());
  if (!existing) {
    co_await ctx->cms.create({}, child);
  } else if (existing->data != child.data) {
    child.metadata.resource_version = existing->metadata.resource_version;
    co_await ctx->cms.replace(child.metadata.name.value(), {}, child);
  }
  co_return Action::await_change();
}

TEST(Faults, ControllerAndReflectorConvergeThroughRestartsDropsAnd410s) {
  fs::path dir = fs::temp_directory_path() / ("kube-faults-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto options = apiserver::ServerOptions{.listen = "127.0.0.1:0", .data_dir = dir.string(), .history = 200};
  auto server = std::make_unique<apiserver::Server>(options);
  server->start();
  options.listen = "127.0.0.1:" + std::to_string(server->port());  // restarts come back on the same address
  Config config = Config::from_kubeconfig_text(server->kubeconfig());

  std::atomic<bool> faults_done{false};
  std::atomic<int> writes{0};
  bool converged = false;
  std::string mismatch;
  int reconciles = 0, concurrent = 0, reconcile_errors = 0;
  WatcherStats reflector_stats;

  std::thread client_thread([&] {
    testing::run_async([&](net::io_context& cio) -> net::awaitable<void> {
      Client client(cio.get_executor(), config);
      Namespace ns_object;
      ns_object.metadata.name = "faults";
      co_await Api<Namespace>::all(client).create({}, ns_object);
      auto cms = Api<ConfigMap>::namespaced(client, "faults");
      for (int i = 0; i < kParents; ++i) co_await cms.create({}, parent(i, "v0"));

      auto ctx = std::make_shared<Context>(Context{cms});  // holds a Client: must not outlive this thread
      Controller<ConfigMap> controller(cms, {.label_selector = "role=parent", .timeout_seconds = 5});
      controller.owns(cms, {.label_selector = "!role", .timeout_seconds = 5});
      Reflector<ConfigMap> reflector(cms, {.page_size = 7, .timeout_seconds = 5});
      testing::Background reflecting(cio.get_executor(), reflector.run());
      auto error_policy = [](std::shared_ptr<const ConfigMap>, const std::exception&, std::shared_ptr<Context> ctx) {
        ++ctx->errors;
        return Action::requeue(100ms);
      };
      testing::Background controlling(cio.get_executor(), controller.run(reconcile, error_policy, ctx));

      // Keep changing parents until the faults are over, retrying what the outages refuse.
      std::mt19937 rng(42);
      std::map<int, std::string> values;
      int n = 0;
      while (!faults_done) {
        int i = static_cast<int>(rng() % kParents);
        std::string value = "v" + std::to_string(++n);
        try {
          co_await cms.patch("p" + std::to_string(i), {},
                             Patch::from_json(PatchType::Merge, R"({"data":{"k":")" + value + R"("}})"));
          values[i] = value;
          ++writes;
        } catch (const Error&) {
          // the server is restarting: try again shortly
        }
        co_await pause(15ms);
      }

      // Converge: children hold their parent's final value; the reflector's store equals a LIST.
      auto deadline = std::chrono::steady_clock::now() + 60s;
      while (std::chrono::steady_clock::now() < deadline) {
        try {
          auto listed = co_await cms.list();
          std::map<std::string, std::string> server_state, parents_value, children_value;
          for (const auto& cm : listed.items) {
            std::string name(name_of(cm));
            server_state[name] = std::string(resource_version_of(cm));
            if (labels_of(cm.metadata).count("role")) parents_value[name] = cm.data->at("k");
            else if (cm.data && cm.data->count("v")) children_value[name.substr(0, name.size() - 6)] = cm.data->at("v");
          }
          std::map<std::string, std::string> cached;
          for (const auto& cm : reflector.store().state()) cached[std::string(name_of(*cm))] = std::string(resource_version_of(*cm));
          mismatch.clear();
          if (cached != server_state) {
            mismatch = "store differs from LIST";
            for (const auto& [name, rv] : server_state) {
              if (cached[name] != rv) mismatch += " " + name + " (server " + rv + ", cache " + cached[name] + ")";
            }
            mismatch += "; watcher at " + reflector.watcher().resource_version() + ", last error: " +
                        reflector.watcher().stats().last_error;
          }
          if (parents_value != children_value) mismatch += " children not converged";
          for (const auto& [i, value] : values) {
            if (parents_value["p" + std::to_string(i)] != value) mismatch += " lost write p" + std::to_string(i);
          }
          if (mismatch.empty() && ctx->running.empty()) {
            converged = true;
            break;
          }
        } catch (const Error&) {
        }
        co_await pause(100ms);
      }
      reflector_stats = reflector.watcher().stats();
      reconciles = ctx->reconciles;
      concurrent = ctx->concurrent;
      reconcile_errors = ctx->errors;
      controller.shutdown();
      reflector.stop();
      co_await controlling.join();
      co_await reflecting.join();
    });
  });

  // The faults, from this thread, while the client works.
  int restarts = 0, drops = 0, expiries = 0;
  for (int round = 0; round < kFaultRounds; ++round) {
    std::this_thread::sleep_for(400ms);
    switch (round % 3) {
      case 0:
        server->stop();
        server.reset();
        std::this_thread::sleep_for(150ms);  // clients see refused connections meanwhile
        server = std::make_unique<apiserver::Server>(options);
        server->start();
        ++restarts;
        break;
      case 1:
        server->close_watches();
        ++drops;
        break;
      case 2:
        server->compact_history();  // resumptions from before now get 410 ...
        server->expire_watches();   // ... and open watches end with one, as a lagging watcher's do
        ++expiries;
        break;
    }
  }
  std::this_thread::sleep_for(300ms);
  faults_done = true;
  client_thread.join();
  server->stop();
  fs::remove_all(dir);

  int faults = restarts + drops + expiries;
  std::printf("faults survived: %d (%d server restarts, %d watch drops, %d history compactions with 410); "
              "%d writes, %d reconciles, %d reconcile errors retried, reflector: %lu relists, %lu 410s, %lu watch starts\n",
              faults, restarts, drops, expiries, writes.load(), reconciles, reconcile_errors, reflector_stats.relists,
              reflector_stats.gone, reflector_stats.watch_starts);
  ::testing::Test::RecordProperty("faults_survived", faults);
  EXPECT_TRUE(converged) << mismatch;
  EXPECT_EQ(concurrent, 0);
  EXPECT_EQ(faults, kFaultRounds);
  EXPECT_GT(writes.load(), 20);
  // An expiry finds no open watch when it lands while the watcher reconnects: not every one is a 410.
  EXPECT_GE(reflector_stats.gone, 1u);
  EXPECT_EQ(reflector_stats.relists, reflector_stats.gone + 1);  // the first list, then one per 410
}

// A server that stops answering without closing anything (SIGSTOP: connections stay open, no byte
// arrives; what a dead peer behind a NAT or a wedged process looks like): the watcher's idle
// timeout notices, it retries with backoff, and once the server runs again it resumes from its
// resourceVersion and sees what changed.
TEST(Faults, WatcherNoticesAFrozenServerAndResumesWhenItThaws) {
  fs::path dir = fs::temp_directory_path() / ("kube-frozen-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string binary = (testing::binary_dir() / "bin/kube-apiserver-lite").string();
  testing::Child server({binary, "--listen", "127.0.0.1:0", "--admin-kubeconfig", (dir / "kubeconfig").string()});
  std::string kubeconfig = testing::wait_for_file(dir / "kubeconfig");
  ASSERT_FALSE(kubeconfig.empty());
  Config config = Config::from_kubeconfig_text(kubeconfig);
  config.connect_timeout = 1s;  // covers the TLS handshake a frozen server never answers
  config.read_timeout = 2s;

  WatcherStats stats;
  bool thawed = false;
  testing::run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config);
    auto cms = Api<ConfigMap>::namespaced(client, "default");
    // Idle limit: timeoutSeconds 1 + 5 s of margin.
    Watcher<ConfigMap> watcher(cms, {.timeout_seconds = 1, .backoff = BackoffConfig{.initial = 200ms, .max = 1s}});
    net::steady_timer deadline(io, 60s);
    deadline.async_wait([&](boost::system::error_code ec) {
      if (!ec) {
        ADD_FAILURE() << "deadline passed";
        watcher.stop();
      }
    });
    auto next_type = [&]() -> net::awaitable<std::optional<EventType>> {
      auto event = co_await watcher.next();
      co_return event ? std::optional(event->type) : std::nullopt;
    };
    EXPECT_EQ(co_await next_type(), EventType::Init);
    EXPECT_EQ(co_await next_type(), EventType::InitDone);
    ConfigMap before;
    before.metadata.name = "before";
    co_await cms.create({}, before);
    EXPECT_EQ(co_await next_type(), EventType::Apply);

    ::kill(server.pid(), SIGSTOP);
    // Thaw after the idle timeout (6 s) and a few failed reconnects, then change something.
    net::steady_timer thaw(io, 8s);
    thaw.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      ::kill(server.pid(), SIGCONT);
      thawed = true;
      net::co_spawn(io, [&]() -> net::awaitable<void> {
        ConfigMap after;
        after.metadata.name = "after";
        // The first attempts may still meet the backlog of the frozen period: retry.
        for (int attempt = 0; attempt < 20; ++attempt) {
          try {
            co_await cms.create({}, after);
            co_return;
          } catch (const Error&) {
          }
          net::steady_timer t(io, 200ms);
          co_await t.async_wait(net::use_awaitable);
        }
        ADD_FAILURE() << "could not write after the thaw";
      }, net::detached);
    });
    auto event = co_await watcher.next();
    CO_ASSERT_TRUE(event.has_value());
    EXPECT_TRUE(thawed);
    EXPECT_EQ(event->type, EventType::Apply);
    EXPECT_EQ(name_of(event->object), "after");
    stats = watcher.stats();
    deadline.cancel();
  });
  ::kill(server.pid(), SIGCONT);
  ::kill(server.pid(), SIGTERM);
  server.wait();
  fs::remove_all(dir);
  // The open watch hit the idle timeout ("no data for 6 s"), then reconnects timed out in the
  // TLS handshake until the thaw.
  EXPECT_GE(stats.errors, 2u) << "the frozen server was never noticed";
  EXPECT_NE(stats.last_error.find("timeout"), std::string::npos) << stats.last_error;
  EXPECT_EQ(stats.relists, 1u);  // resumed, not relisted
  std::printf("frozen server: %lu errors retried, last: %s\n", stats.errors, stats.last_error.c_str());
}

}  // namespace
}  // namespace kube::runtime
