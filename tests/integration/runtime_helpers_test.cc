// kube::runtime's helpers against kube-apiserver-lite: the finalizer helper driven by a controller,
// the event recorder's series, await_condition, and leader election between two candidates.
#include <boost/asio/steady_timer.hpp>
#include <set>

#include "kube/api/apiextensions/v1.h"
#include "kube/api/apps/v1.h"
#include "kube/api/batch/v1.h"
#include "kube/api/coordination/v1.h"
#include "kube/api/events/v1.h"
#include "kube/runtime/controller.h"
#include "kube/runtime/events.h"
#include "kube/runtime/finalizer.h"
#include "kube/runtime/leader_election.h"
#include "kube/runtime/predicates.h"
#include "kube/runtime/reflector.h"
#include "kube/runtime/wait.h"
#include "runtime_fixture.h"

namespace kube::runtime {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::pause;
using testing::run_async;

class RuntimeHelpers : public Runtime {};

TEST_F(RuntimeHelpers, FinalizerHelperAddsRunsCleanupAndRemoves) {
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    std::string ns = co_await fresh_namespace(client);
    auto cms = Api<ConfigMap>::namespaced(client, ns);
    constexpr std::string_view kFinalizer = "example.com/cleanup";
    struct Context {
      Api<ConfigMap> cms;
      std::map<std::string, int> applied, cleaned;
    };
    auto ctx = std::make_shared<Context>(Context{cms, {}, {}});
    Controller<ConfigMap> controller(cms);
    Deadline deadline(io.get_executor(), 30s, [&] { controller.shutdown(); });

    auto reconcile = [kFinalizer](std::shared_ptr<const ConfigMap> cm, std::shared_ptr<Context> ctx) -> net::awaitable<Action> {
      co_return co_await finalizer(ctx->cms, kFinalizer, cm,
                                   [ctx](FinalizerEvent event, std::shared_ptr<const ConfigMap> cm) -> net::awaitable<Action> {
                                     auto& counts = event == FinalizerEvent::Apply ? ctx->applied : ctx->cleaned;
                                     ++counts[std::string(name_of(*cm))];
                                     co_return Action::await_change();
                                   });
    };
    auto error_policy = [](std::shared_ptr<const ConfigMap>, const std::exception&, std::shared_ptr<Context>) {
      return Action::requeue(50ms);  // a stale `test` op (422): retry on fresh state
    };
    co_await cms.create({}, config_map("a"));
    co_await cms.create({}, config_map("b"));

    bool all_checks = false;
    auto driver = [&]() -> net::awaitable<void> {
      bool finalized = co_await eventually([&]() -> net::awaitable<bool> {
        auto a = co_await cms.get("a");
        auto b = co_await cms.get("b");
        co_return has_finalizer(a.metadata, kFinalizer) && has_finalizer(b.metadata, kFinalizer) && ctx->applied["a"] >= 1;
      });
      EXPECT_TRUE(finalized);
      co_await cms.remove("a");
      // The finalizer holds the object until the cleanup ran; then it is gone.
      bool gone = co_await eventually([&]() -> net::awaitable<bool> { co_return !(co_await cms.get_opt("a")); });
      EXPECT_TRUE(gone);
      EXPECT_EQ(ctx->cleaned["a"], 1);
      EXPECT_EQ(ctx->cleaned.count("b"), 0u);
      auto b = co_await cms.get("b");
      EXPECT_EQ(finalizers_of(b.metadata), std::vector<std::string>{std::string(kFinalizer)});
      all_checks = true;
      controller.shutdown();
    };
    net::co_spawn(io, driver(), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
    co_await controller.run(reconcile, error_policy, ctx);
    EXPECT_TRUE(all_checks);
  });
}

TEST_F(RuntimeHelpers, FinalizerPatchesFailOnStaleState) {
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    std::string ns = co_await fresh_namespace(client);
    auto cms = Api<ConfigMap>::namespaced(client, ns);
    ConfigMap stale = co_await cms.create({}, config_map("x"));
    ConfigMap changed = stale;
    changed.metadata.finalizers = std::vector<std::string>{"other.io/keep"};
    co_await cms.replace("x", {}, changed);
    // Computed from the version before another controller added its finalizer: rejected.
    bool rejected = false;
    try {
      co_await cms.patch("x", {}, add_finalizer_patch(stale.metadata, "example.com/mine"));
    } catch (const ApiError& e) {
      rejected = e.code() == 422;
    }
    EXPECT_TRUE(rejected);
    ConfigMap fresh = co_await cms.get("x");
    ConfigMap after = co_await cms.patch("x", {}, add_finalizer_patch(fresh.metadata, "example.com/mine"));
    EXPECT_EQ(finalizers_of(after.metadata), (std::vector<std::string>{"other.io/keep", "example.com/mine"}));
    after = co_await cms.patch("x", {}, remove_finalizer_patch(after.metadata, "other.io/keep"));
    after = co_await cms.patch("x", {}, remove_finalizer_patch(after.metadata, "example.com/mine"));
    EXPECT_TRUE(finalizers_of(after.metadata).empty());
    EXPECT_THROW(remove_finalizer_patch(after.metadata, "absent.io/x"), InvalidArgument);
  });
}

TEST_F(RuntimeHelpers, RecorderAggregatesRepeatsIntoASeries) {
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    std::string ns = co_await fresh_namespace(client);
    ConfigMap cm = co_await Api<ConfigMap>::namespaced(client, ns).create({}, config_map("subject"));
    Recorder recorder(client, {.controller = "example.com/test-controller", .instance = "replica-0"});
    EventInfo failing{.type = EventKind::Warning, .reason = "SyncFailed", .note = "backend unreachable", .action = "Sync"};
    for (int i = 0; i < 3; ++i) co_await recorder.publish(failing, object_reference(cm));
    co_await recorder.publish({.reason = "Synced", .note = "all good", .action = "Sync"}, object_reference(cm));
    EXPECT_EQ(recorder.created(), 2u);
    EXPECT_EQ(recorder.aggregated(), 2u);

    auto events = (co_await Api<api::events::v1::Event>::namespaced(client, ns).list()).items;
    CO_ASSERT_EQ(events.size(), 2u);
    std::map<std::string, const api::events::v1::Event*> by_reason;
    for (const auto& e : events) by_reason[e.reason.value_or("")] = &e;
    const auto* warning = by_reason["SyncFailed"];
    CO_ASSERT_TRUE(warning != nullptr);
    EXPECT_EQ(warning->type, "Warning");
    EXPECT_EQ(warning->reporting_controller, "example.com/test-controller");
    EXPECT_EQ(warning->reporting_instance, "replica-0");
    EXPECT_EQ(warning->regarding->name, "subject");
    EXPECT_EQ(warning->regarding->uid, cm.metadata.uid);
    CO_ASSERT_TRUE(warning->series.has_value());
    EXPECT_EQ(warning->series->count, 3);
    EXPECT_FALSE(by_reason["Synced"]->series.has_value());

    // An event whose Event object vanished (TTL) starts a new one instead of failing.
    co_await Api<api::events::v1::Event>::namespaced(client, ns).remove(warning->metadata.name.value());
    co_await recorder.publish(failing, object_reference(cm));
    EXPECT_EQ(recorder.created(), 3u);
  });
}

TEST_F(RuntimeHelpers, AwaitConditionWaitsForEstablishedRunningCompletedAndDeleted) {
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    std::string ns = co_await fresh_namespace(client);

    using api::apiextensions::v1::CustomResourceDefinition;
    auto crd = json::decode<CustomResourceDefinition>(R"({
      "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
      "metadata": {"name": "widgets.wait.example.com"},
      "spec": {"group": "wait.example.com", "scope": "Namespaced",
               "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
               "versions": [{"name": "v1", "served": true, "storage": true,
                             "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}})");
    auto crds = Api<CustomResourceDefinition>::all(client);
    co_await crds.create({}, crd);
    auto established = co_await await_condition(crds, "widgets.wait.example.com", conditions::is_crd_established, 10s);
    CO_ASSERT_TRUE(established != nullptr);
    EXPECT_TRUE(conditions::is_crd_established(established.get()));

    // A pod that becomes Running later (its status written as a kubelet would).
    auto pods = Api<api::core::v1::Pod>::namespaced(client, ns);
    auto pod = json::decode<api::core::v1::Pod>(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"x"}]}})");
    co_await pods.create({}, pod);
    auto set_running = [&]() -> net::awaitable<void> {
      co_await pause(100ms);
      co_await pods.patch_status("p", {}, Patch::from_json(PatchType::Merge, R"({"status":{"phase":"Running"}})"));
    };
    net::co_spawn(io, set_running(), net::detached);
    auto running = co_await await_condition(pods, "p", conditions::is_pod_running, 10s);
    CO_ASSERT_TRUE(running != nullptr);
    EXPECT_EQ(running->status->phase, "Running");

    auto jobs = Api<api::batch::v1::Job>::namespaced(client, ns);
    auto job = json::decode<api::batch::v1::Job>(R"({"metadata":{"name":"j"},"spec":{"template":{"spec":{
        "restartPolicy":"Never","containers":[{"name":"c","image":"x"}]}}}})");
    co_await jobs.create({}, job);
    co_await jobs.patch_status("j", {}, Patch::from_json(PatchType::Merge,
        R"({"status":{"conditions":[{"type":"Complete","status":"True"}]}})"));
    auto done = co_await await_condition(jobs, "j", conditions::any_of(conditions::is_job_completed, conditions::is_job_failed), 10s);
    EXPECT_TRUE(conditions::is_job_completed(done.get()));

    // Deleted: the condition holds for the absent object, and nullptr comes back.
    std::string uid = std::string(uid_of(*running));
    auto remove_later = [&]() -> net::awaitable<void> {
      co_await pause(100ms);
      co_await pods.remove("p");
    };
    net::co_spawn(io, remove_later(), net::detached);
    auto deleted = co_await await_condition(pods, "p", conditions::is_deleted<api::core::v1::Pod>(uid), 10s);
    EXPECT_EQ(deleted, nullptr);

    // A condition that never holds times out with a clear error.
    bool timed_out = false;
    try {
      co_await await_condition(pods, "never", conditions::is_pod_running, 300ms);
    } catch (const TimeoutError& e) {
      timed_out = std::string(e.what()).find("Pod \"never\"") != std::string::npos;
    }
    EXPECT_TRUE(timed_out);
  });
}

// Two candidates for one Lease: exactly one leads; when the leader dies (without releasing), the
// other takes over after the lease duration; when a leader steps down, at once.
TEST_F(RuntimeHelpers, LeaderElectionHandsOverWhenTheLeaderDiesOrResigns) {
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    std::string ns = co_await fresh_namespace(client);
    auto leases = Api<api::coordination::v1::Lease>::namespaced(client, ns);
    auto cfg = [](std::string id) {
      return LeaderElectionConfig{.lease_name = "ctl", .identity = std::move(id), .lease_duration = 2000ms,
                                  .renew_deadline = 1500ms, .retry_period = 200ms};
    };
    struct Candidate {
      std::string id;
      std::unique_ptr<LeaderElector> elector;
      std::unique_ptr<testing::Background> running;
      bool leading = false;
      bool stop_leading = false;
      int terms = 0;
    };
    std::vector<std::unique_ptr<Candidate>> candidates;
    int overlaps = 0;
    auto leading_count = [&] {
      int n = 0;
      for (auto& c : candidates) n += c->leading;
      return n;
    };
    auto start = [&](std::string id) {
      auto c = std::make_unique<Candidate>();
      c->id = id;
      c->elector = std::make_unique<LeaderElector>(leases, cfg(id));
      Candidate* raw = c.get();
      auto lead = [raw, &overlaps, &leading_count]() -> net::awaitable<void> {
        raw->leading = true;
        ++raw->terms;
        if (leading_count() > 1) ++overlaps;
        while (!raw->stop_leading) co_await pause(10ms);
        raw->leading = false;
      };
      c->running = std::make_unique<testing::Background>(io.get_executor(), c->elector->run(lead, [raw] { raw->stop_leading = true; }));
      candidates.push_back(std::move(c));
      return raw;
    };
    Candidate* a = start("a");
    CO_ASSERT_TRUE(co_await eventually([&]() -> net::awaitable<bool> { co_return a->leading; }));
    Candidate* b = start("b");
    co_await pause(600ms);  // b campaigns meanwhile
    EXPECT_FALSE(b->leading);
    EXPECT_EQ(b->elector->observed_holder(), "a");

    // a crashes: its lease is not released; b must wait until it expires on b's clock.
    auto killed = std::chrono::steady_clock::now();
    a->elector->abandon();
    a->stop_leading = true;
    co_await a->running->join();
    CO_ASSERT_TRUE(co_await eventually([&]() -> net::awaitable<bool> { co_return b->leading; }, 6s));
    auto takeover = std::chrono::steady_clock::now() - killed;
    EXPECT_GE(takeover, 1000ms);  // not before the lease could have expired (b last saw a renew <= 200 ms + rtt before)
    EXPECT_LE(takeover, 2000ms + 2 * 240ms + 1000ms) << "took over after " << std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count() << " ms";
    auto lease = co_await leases.get("ctl");
    EXPECT_EQ(lease.spec->holder_identity, "b");
    EXPECT_EQ(lease.spec->lease_transitions, 1);

    // b resigns (stop): the lease is released, so a new candidate c takes it without waiting.
    Candidate* c = start("c");
    co_await pause(300ms);
    EXPECT_FALSE(c->leading);
    auto resigned = std::chrono::steady_clock::now();
    b->elector->stop();
    co_await b->running->join();
    EXPECT_TRUE(b->stop_leading);  // on_lost told b's work to stop
    CO_ASSERT_TRUE(co_await eventually([&]() -> net::awaitable<bool> { co_return c->leading; }, 6s));
    EXPECT_LT(std::chrono::steady_clock::now() - resigned, 2000ms);  // well before the old lease expired
    EXPECT_EQ(overlaps, 0);
    EXPECT_EQ(a->terms + b->terms + c->terms, 3);
    c->elector->stop();
    co_await c->running->join();
    EXPECT_THROW(LeaderElector(leases, LeaderElectionConfig{.lease_name = "x", .identity = "y", .lease_duration = 1s,
                                                            .renew_deadline = 2s}),
                 InvalidArgument);
  });
}

// A generation predicate: metadata and status writes do not reach the reconciler, spec edits do.
TEST_F(RuntimeHelpers, ControllerWithAGenerationPredicateReconcilesSpecChangesOnly) {
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    std::string ns = co_await fresh_namespace(client);
    using api::apps::v1::Deployment;
    auto deployments = Api<Deployment>::namespaced(client, ns);
    auto d = json::decode<Deployment>(R"({"metadata":{"name":"web"},"spec":{"replicas":1,
        "selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
        "spec":{"containers":[{"name":"c","image":"x"}]}}}})");
    co_await deployments.create({}, d);
    auto count = std::make_shared<int>(0);
    Controller<Deployment> controller(deployments);
    controller.with_predicate(PredicateFilter<Deployment>(predicates::generation<Deployment>));
    Deadline deadline(io.get_executor(), 30s, [&] { controller.shutdown(); });
    auto driver = [&]() -> net::awaitable<void> {
      EXPECT_TRUE(co_await eventually([&]() -> net::awaitable<bool> { co_return *count == 1; }));
      co_await deployments.patch("web", {}, Patch::from_json(PatchType::Merge, R"({"metadata":{"labels":{"x":"y"}}})"));
      co_await deployments.patch_status("web", {}, Patch::from_json(PatchType::Merge, R"({"status":{"replicas":1}})"));
      // Both writes reached the cache...
      EXPECT_TRUE(co_await eventually([&]() -> net::awaitable<bool> {
        auto cached = controller.store().get({"web", ns});
        co_return cached && cached->status && cached->status->replicas == 1 && labels_of(cached->metadata).count("x");
      }));
      co_await pause(200ms);
      EXPECT_EQ(*count, 1);  // ... but not the reconciler
      co_await deployments.patch("web", {}, Patch::from_json(PatchType::Merge, R"({"spec":{"replicas":3}})"));
      EXPECT_TRUE(co_await eventually([&]() -> net::awaitable<bool> { co_return *count == 2; }));
      co_await pause(100ms);
      EXPECT_EQ(*count, 2);
      controller.shutdown();
    };
    net::co_spawn(io, driver(), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
    co_await controller.run(
        [](std::shared_ptr<const Deployment>, std::shared_ptr<int> count) -> net::awaitable<Action> {
          ++*count;
          co_return Action::await_change();
        },
        [](std::shared_ptr<const Deployment>, const std::exception&, std::shared_ptr<int>) { return Action::await_change(); },
        count);
  });
}

// One reflector (one watch, one cache) shared by two controllers: each reconciles every object.
TEST_F(RuntimeHelpers, TwoControllersShareOneReflector) {
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    std::string ns = co_await fresh_namespace(client);
    auto cms = Api<ConfigMap>::namespaced(client, ns);
    for (int i = 0; i < 3; ++i) co_await cms.create({}, config_map("cm-" + std::to_string(i)));
    Reflector<ConfigMap> shared(cms);
    testing::Background reflecting(io.get_executor(), shared.run());
    Controller<ConfigMap> first(shared), second(shared);
    using Seen = std::set<std::string>;
    auto seen_first = std::make_shared<Seen>(), seen_second = std::make_shared<Seen>();
    auto reconcile = [](std::shared_ptr<const ConfigMap> cm, std::shared_ptr<Seen> seen) -> net::awaitable<Action> {
      seen->insert(std::string(name_of(*cm)));
      co_return Action::await_change();
    };
    auto error_policy = [](std::shared_ptr<const ConfigMap>, const std::exception&, std::shared_ptr<Seen>) {
      return Action::await_change();
    };
    Deadline deadline(io.get_executor(), 30s, [&] {
      first.shutdown();
      second.shutdown();
      shared.stop();
    });
    testing::Background running_first(io.get_executor(), first.run(reconcile, error_policy, seen_first));
    testing::Background running_second(io.get_executor(), second.run(reconcile, error_policy, seen_second));
    co_await cms.create({}, config_map("later"));
    EXPECT_TRUE(co_await eventually([&]() -> net::awaitable<bool> { co_return seen_first->size() == 4 && seen_second->size() == 4; }));
    EXPECT_EQ(shared.watcher().stats().watch_starts, 1u);  // one watch served both
    first.shutdown();
    second.shutdown();
    co_await running_first.join();
    co_await running_second.join();
    shared.stop();  // a shared reflector outlives its controllers until its owner stops it
    co_await reflecting.join();
  });
}

}  // namespace
}  // namespace kube::runtime
