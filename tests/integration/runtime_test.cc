// kube::runtime against kube-apiserver-lite over HTTPS: the watcher's state machine through
// pages, dropped watches, 410s and streaming lists; the reflector's store; the controller.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <set>

#include "kube/api/core/v1.h"
#include "kube/client/api.h"
#include "kube/runtime/controller.h"
#include "kube/runtime/metrics_server.h"
#include "kube/runtime/reflector.h"
#include "runtime_fixture.h"

namespace kube::runtime {
namespace {

using namespace std::chrono_literals;
using api::core::v1::Secret;
using testing::run_async;

// The next event that is not an Init/InitDone marker of `skip`, with its type and object name.
template <class K>
net::awaitable<std::pair<EventType, std::string>> next_named(Watcher<K>& watcher) {
  auto event = co_await watcher.next();
  if (!event) co_return std::pair{EventType::Init, std::string("<stopped>")};
  co_return std::pair{event->type, std::string(name_of(event->object))};
}

TEST_F(Runtime, WatcherListsInPagesThenFollowsChanges) {
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    std::string ns = co_await fresh_namespace(client);
    auto cms = Api<ConfigMap>::namespaced(client, ns);
    for (int i = 0; i < 7; ++i) co_await cms.create({}, config_map("cm-" + std::to_string(i)));

    Watcher<ConfigMap> watcher(cms, {.page_size = 3});
    Deadline deadline(io.get_executor(), 20s, [&] { watcher.stop(); });
    auto first = co_await watcher.next();
    CO_ASSERT_TRUE(first && first->type == EventType::Init);
    std::set<std::string> listed;
    while (true) {
      auto event = co_await watcher.next();
      CO_ASSERT_TRUE(event.has_value());
      if (event->type == EventType::InitDone) break;
      CO_ASSERT_TRUE(event->type == EventType::InitApply);
      listed.insert(std::string(name_of(event->object)));
    }
    EXPECT_EQ(listed.size(), 7u);
    EXPECT_FALSE(watcher.resource_version().empty());

    co_await cms.create({}, config_map("new"));
    co_await cms.replace("cm-1", {}, config_map("cm-1", "changed"));
    co_await cms.remove("cm-2");
    EXPECT_EQ((co_await next_named(watcher)), std::pair(EventType::Apply, std::string("new")));
    auto changed = co_await watcher.next();
    CO_ASSERT_TRUE(changed && changed->type == EventType::Apply);
    EXPECT_EQ(changed->object.data->at("k"), "changed");
    EXPECT_EQ((co_await next_named(watcher)), std::pair(EventType::Delete, std::string("cm-2")));
    EXPECT_EQ(watcher.stats().relists, 1u);
    EXPECT_EQ(watcher.stats().errors, 0u);
  });
}

TEST_F(Runtime, WatcherResumesAfterTheServerDropsItsWatch) {
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    std::string ns = co_await fresh_namespace(client);
    auto cms = Api<ConfigMap>::namespaced(client, ns);
    Watcher<ConfigMap> watcher(cms);
    Deadline deadline(io.get_executor(), 20s, [&] { watcher.stop(); });
    EXPECT_EQ((co_await watcher.next())->type, EventType::Init);
    EXPECT_EQ((co_await watcher.next())->type, EventType::InitDone);
    co_await cms.create({}, config_map("before"));
    EXPECT_EQ((co_await next_named(watcher)), std::pair(EventType::Apply, std::string("before")));
    server_->close_watches();
    co_await cms.create({}, config_map("after"));
    // Resumed from the last resourceVersion: nothing missed, nothing replayed, no relist.
    EXPECT_EQ((co_await next_named(watcher)), std::pair(EventType::Apply, std::string("after")));
    EXPECT_EQ(watcher.stats().relists, 1u);
    EXPECT_GE(watcher.stats().watch_starts, 2u);
  });
}

TEST_F(Runtime, ReflectorRelistsAfter410AndItsStoreMatchesTheServer) {
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    std::string ns = co_await fresh_namespace(client);
    auto cms = Api<ConfigMap>::namespaced(client, ns);
    for (int i = 0; i < 5; ++i) co_await cms.create({}, config_map("cm-" + std::to_string(i)));
    Reflector<ConfigMap> reflector(cms, {.page_size = 2});
    auto changes = reflector.subscribe();
    Deadline deadline(io.get_executor(), 30s, [&] { reflector.stop(); });
    testing::Background running(io.get_executor(), reflector.run());
    co_await reflector.store().wait_until_ready();
    EXPECT_EQ(reflector.store().size(), 5u);
    Store<ConfigMap> store = reflector.store();
    auto before = store.get({"cm-0", ns});
    CO_ASSERT_TRUE(before != nullptr);

    // Once the watch is open (a change came through it), it expires (410) and objects change
    // around the reflector's relist.
    co_await cms.create({}, config_map("probe"));
    while (true) {
      auto change = co_await changes->next();
      CO_ASSERT_TRUE(change.has_value());
      if (change->type == EventType::Apply && name_of(*change->object) == "probe") break;
    }
    server_->expire_watches();
    co_await cms.remove("cm-0");
    co_await cms.replace("cm-1", {}, config_map("cm-1", "changed"));
    co_await cms.create({}, config_map("cm-9"));
    // The relist completes (InitDone; the first one was consumed above); changes it did not
    // include follow on the watch.
    // Either way the cache converges on the server's state.
    auto listed = co_await cms.list();
    std::map<std::string, std::string> server_state;
    for (const auto& cm : listed.items) server_state[std::string(name_of(cm))] = std::string(resource_version_of(cm));
    auto cached_state = [&] {
      std::map<std::string, std::string> cached;
      for (const auto& cm : store.state()) cached[std::string(name_of(*cm))] = std::string(resource_version_of(*cm));
      return cached;
    };
    int init_done = 0;
    while (init_done < 1 || cached_state() != server_state) {
      auto change = co_await changes->next();
      if (!change) ADD_FAILURE() << "watcher: " << reflector.watcher().stats().last_error;
      CO_ASSERT_TRUE(change.has_value());
      if (change->type == EventType::InitDone) ++init_done;
    }
    EXPECT_EQ(reflector.watcher().stats().gone, 1u);
    EXPECT_EQ(reflector.watcher().stats().relists, 2u);
    EXPECT_EQ(store.get({"cm-0", ns}), nullptr);
    EXPECT_EQ(store.get({"cm-1", ns})->data->at("k"), "changed");
    EXPECT_EQ(before->metadata.name, "cm-0");  // what a reader holds stays valid
    reflector.stop();
    co_await running.join();
  });
}

TEST_F(Runtime, StreamingInitialListEndsAtTheInitialEventsBookmark) {
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    std::string ns = co_await fresh_namespace(client);
    auto cms = Api<ConfigMap>::namespaced(client, ns);
    for (int i = 0; i < 4; ++i) co_await cms.create({}, config_map("cm-" + std::to_string(i)));
    Watcher<ConfigMap> watcher(cms, {.initial_list = InitialList::Streaming});
    Deadline deadline(io.get_executor(), 20s, [&] { watcher.stop(); });
    EXPECT_EQ((co_await watcher.next())->type, EventType::Init);
    int applied = 0;
    while (true) {
      auto event = co_await watcher.next();
      CO_ASSERT_TRUE(event.has_value());
      if (event->type == EventType::InitDone) break;
      CO_ASSERT_TRUE(event->type == EventType::InitApply);
      ++applied;
    }
    EXPECT_EQ(applied, 4);
    co_await cms.create({}, config_map("later"));
    EXPECT_EQ((co_await next_named(watcher)), std::pair(EventType::Apply, std::string("later")));
    EXPECT_EQ(watcher.stats().watch_starts, 1u);  // one request did both
  });
}

TEST_F(Runtime, ControllerReconcilesOwnersOfChangedChildrenOneAtATime) {
  // Parents (ConfigMaps labelled role=parent) each get a Secret they own; editing the Secret
  // brings its parent back to the reconciler, which restores it.
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    std::string ns = co_await fresh_namespace(client);
    auto parents = Api<ConfigMap>::namespaced(client, ns);
    auto secrets = Api<Secret>::namespaced(client, ns);
    struct Context {
      Api<Secret> secrets;
      std::set<std::string> running;
      int concurrent_violations = 0;
      std::map<std::string, int> reconciles;
    };
    auto ctx = std::make_shared<Context>(Context{secrets, {}, 0, {}});

    auto registry = std::make_shared<MetricsRegistry>();
    Controller<ConfigMap> controller(parents, {.label_selector = "role=parent"});
    controller.owns(secrets).with_config({.concurrency = 2}).with_metrics(registry);
    Deadline deadline(io.get_executor(), 30s, [&] { controller.shutdown(); });

    auto reconcile = [](std::shared_ptr<const ConfigMap> parent, std::shared_ptr<Context> ctx) -> net::awaitable<Action> {
      std::string name(name_of(*parent));
      if (!ctx->running.insert(name).second) ++ctx->concurrent_violations;
      ++ctx->reconciles[name];
      net::steady_timer pause(co_await net::this_coro::executor, 5ms);  // widen the window for overlaps
      co_await pause.async_wait(net::use_awaitable);
      Secret desired;
      desired.metadata.name = name + "-secret";
      desired.metadata.owner_references = std::vector{controller_owner_ref(*parent)};
      desired.string_data = std::map<std::string, std::string>{{"value", parent->data->at("k")}};
      auto existing = co_await ctx->secrets.get_opt(desired.metadata.name.value());
      if (!existing) {
        co_await ctx->secrets.create({}, desired);
      } else if (!existing->data || existing->data->count("value") == 0 ||
                 existing->data->at("value").bytes != parent->data->at("k")) {
        desired.metadata.resource_version = existing->metadata.resource_version;
        co_await ctx->secrets.replace(desired.metadata.name.value(), {}, desired);
      }
      ctx->running.erase(name);
      co_return Action::await_change();
    };
    auto error_policy = [](std::shared_ptr<const ConfigMap>, const std::exception& e, std::shared_ptr<Context>) {
      ADD_FAILURE() << "reconcile failed: " << e.what();
      return Action::requeue(100ms);
    };

    for (int i = 0; i < 3; ++i) {
      ConfigMap parent = config_map("p" + std::to_string(i), "value-" + std::to_string(i));
      parent.metadata.labels = std::map<std::string, std::string>{{"role", "parent"}};
      co_await parents.create({}, parent);
    }
    co_await parents.create({}, config_map("not-a-parent"));

    auto driver = [&]() -> net::awaitable<void> {
      // Wait until every parent has its secret, then tamper with one.
      bool all = co_await testing::eventually([&]() -> net::awaitable<bool> { co_return (co_await secrets.list()).items.size() == 3; });
      EXPECT_TRUE(all);
      Secret tampered = co_await secrets.get("p1-secret");
      tampered.data = std::map<std::string, ByteString>{{"value", ByteString{"tampered"}}};
      co_await secrets.replace("p1-secret", {}, tampered);
      bool restored = co_await testing::eventually([&]() -> net::awaitable<bool> {
        Secret s = co_await secrets.get("p1-secret");
        co_return s.data && s.data->count("value") && s.data->at("value").bytes == "value-1";
      });
      EXPECT_TRUE(restored);
      controller.shutdown();
    };
    net::co_spawn(io, driver(), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
    co_await controller.run(reconcile, error_policy, ctx);

    EXPECT_EQ(ctx->concurrent_violations, 0);
    EXPECT_EQ(ctx->reconciles.count("not-a-parent"), 0u);
    EXPECT_GE(ctx->reconciles["p1"], 2);  // again after its secret was tampered with
    std::string metrics = registry->render();
    EXPECT_NE(metrics.find("kube_controller_reconciles_total{controller=\"configmaps\",result=\"success\"}"), std::string::npos)
        << metrics;
    EXPECT_NE(metrics.find("kube_controller_cache_objects{controller=\"configmaps\"} 3"), std::string::npos) << metrics;
  });
}

// A plain HTTP GET with Asio (no client library in the way).
net::awaitable<std::string> http_get(std::uint16_t port, std::string path) {
  auto ex = co_await net::this_coro::executor;
  net::ip::tcp::socket socket(ex);
  co_await socket.async_connect({net::ip::make_address("127.0.0.1"), port}, net::use_awaitable);
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  co_await net::async_write(socket, net::buffer(request), net::use_awaitable);
  std::string response;
  // Connection: close: the read ends with EOF, which is how this response ends.
  auto [ec, n] = co_await net::async_read(socket, net::dynamic_buffer(response), net::as_tuple(net::use_awaitable));
  (void)ec;
  (void)n;
  co_return response;
}

TEST_F(Runtime, MetricsServerServesMetricsHealthAndReadiness) {
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    auto registry = std::make_shared<MetricsRegistry>();
    registry->counter("demo_total", "A demo counter.").inc(3);
    bool synced = false;
    registry->set_ready_check("caches", [&] { return synced; });
    MetricsServer server(io.get_executor(), registry);
    server.start();
    std::string metrics = co_await http_get(server.port(), "/metrics");
    EXPECT_NE(metrics.find("HTTP/1.1 200"), std::string::npos);
    EXPECT_NE(metrics.find("version=0.0.4"), std::string::npos);
    EXPECT_NE(metrics.find("demo_total 3"), std::string::npos);
    EXPECT_NE((co_await http_get(server.port(), "/healthz")).find("200 OK"), std::string::npos);
    std::string not_ready = co_await http_get(server.port(), "/readyz");
    EXPECT_NE(not_ready.find("503"), std::string::npos);
    EXPECT_NE(not_ready.find("not ready: caches"), std::string::npos);
    synced = true;
    EXPECT_NE((co_await http_get(server.port(), "/readyz")).find("200 OK"), std::string::npos);
    EXPECT_NE((co_await http_get(server.port(), "/nope")).find("404"), std::string::npos);
    server.stop();
  });
}

}  // namespace
}  // namespace kube::runtime
