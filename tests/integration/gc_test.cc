// kube-apiserver-lite's garbage collector through the real client: ownerReferences, the three
// propagation policies, chains, several owners, blockOwnerDeletion and dangling references.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "kube/api/core/v1.h"
#include "kube/api/rbac/v1.h"
#include "kube/apiserver/server.h"
#include "kube/client/api.h"
#include "kube/core/dom.h"
#include "support/async.h"
#include "support/server_suite.h"

namespace kube {
namespace {

namespace net = boost::asio;
using api::core::v1::ConfigMap;
using api::core::v1::Namespace;
using api::rbac::v1::ClusterRole;
using testing::run_async;

class GarbageCollection : public testing::ServerSuite {
 protected:
  void SetUp() override { ns_ = create_namespace("gc"); }


  ConfigMap create(const std::string& name, std::vector<OwnerReference> owners = {},
                   std::vector<std::string> finalizers = {}) {
    ConfigMap cm;
    cm.metadata.name = name;
    if (!owners.empty()) cm.metadata.owner_references = std::move(owners);
    if (!finalizers.empty()) cm.metadata.finalizers = std::move(finalizers);
    cm.data = std::map<std::string, std::string>{{"k", "v"}};
    return call([&](Client& c) -> net::awaitable<ConfigMap> {
      co_return co_await Api<ConfigMap>::namespaced(c, ns_).create({}, cm);
    });
  }

  std::optional<ConfigMap> get(const std::string& name) {
    return call([&](Client& c) -> net::awaitable<std::optional<ConfigMap>> {
      co_return co_await Api<ConfigMap>::namespaced(c, ns_).get_opt(name);
    });
  }

  std::variant<ConfigMap, Status> remove(const std::string& name, DeleteParams dp) {
    return call([&](Client& c) -> net::awaitable<std::variant<ConfigMap, Status>> {
      co_return co_await Api<ConfigMap>::namespaced(c, ns_).remove(name, dp);
    });
  }

  void clear_finalizers(const std::string& name) {
    call([&](Client& c) -> net::awaitable<void> {
      co_await Api<ConfigMap>::namespaced(c, ns_).patch(
          name, {}, Patch::merge(json::parse(R"({"metadata":{"finalizers":null}})")));
    });
  }

  /// Polls `condition` (every 20 ms, at most 10 s); true once it holds.
  static bool eventually(const std::function<bool()>& condition) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return condition();
  }
  bool eventually_gone(const std::string& name) {
    return eventually([&] { return !get(name).has_value(); });
  }

  static bool has_finalizer(const ConfigMap& cm, std::string_view f) {
    for (const auto& x : cm.metadata.finalizers.value_or(std::vector<std::string>{})) {
      if (x == f) return true;
    }
    return false;
  }
  static OwnerReference blocking(OwnerReference ref) {
    ref.block_owner_deletion = true;
    return ref;
  }

  std::string ns_;
};

TEST_F(GarbageCollection, BackgroundDeletesDependentsAfterTheOwner) {
  ConfigMap owner = create("owner");
  create("dep1", {owner_ref(owner)});
  create("dep2", {owner_ref(owner, true)});
  create("unrelated");
  auto result = remove("owner", DeleteParams::background());
  // ConfigMaps answer a finished deletion with a Status: the owner went at once.
  EXPECT_TRUE(std::holds_alternative<Status>(result));
  EXPECT_FALSE(get("owner").has_value());
  EXPECT_TRUE(eventually_gone("dep1"));
  EXPECT_TRUE(eventually_gone("dep2"));
  EXPECT_TRUE(get("unrelated").has_value());
}

TEST_F(GarbageCollection, DefaultPolicyCascadesThroughAChain) {
  ConfigMap a = create("a");
  ConfigMap b = create("b", {owner_ref(a)});
  create("c", {owner_ref(b)});
  remove("a", {});  // no policy: Background
  EXPECT_TRUE(eventually_gone("b"));
  EXPECT_TRUE(eventually_gone("c"));
}

TEST_F(GarbageCollection, ForegroundKeepsTheOwnerUntilBlockingDependentsAreGone) {
  ConfigMap owner = create("owner");
  // `held` stays (its own finalizer) until the test releases it; it blocks the owner's deletion.
  create("held", {blocking(owner_ref(owner))}, {"example.com/hold"});
  create("free", {owner_ref(owner)});
  auto result = remove("owner", DeleteParams::foreground());
  ASSERT_TRUE(std::holds_alternative<ConfigMap>(result));
  const ConfigMap& returned = std::get<ConfigMap>(result);
  EXPECT_TRUE(returned.metadata.deletion_timestamp.has_value());
  EXPECT_TRUE(has_finalizer(returned, "foregroundDeletion"));

  EXPECT_TRUE(eventually_gone("free"));
  EXPECT_TRUE(eventually([&] {
    auto held = get("held");
    return held && held->metadata.deletion_timestamp.has_value();
  }));
  // The owner waits, visible, with its finalizer.
  auto waiting = get("owner");
  ASSERT_TRUE(waiting.has_value());
  EXPECT_TRUE(waiting->metadata.deletion_timestamp.has_value());
  EXPECT_TRUE(has_finalizer(*waiting, "foregroundDeletion"));

  clear_finalizers("held");
  EXPECT_TRUE(eventually_gone("held"));
  EXPECT_TRUE(eventually_gone("owner"));
}

TEST_F(GarbageCollection, ForegroundDoesNotWaitForNonBlockingDependents) {
  ConfigMap owner = create("owner");
  OwnerReference ref = owner_ref(owner);
  ref.block_owner_deletion = false;
  create("lingering", {ref}, {"example.com/hold"});
  remove("owner", DeleteParams::foreground());
  EXPECT_TRUE(eventually_gone("owner"));
  auto lingering = get("lingering");
  ASSERT_TRUE(lingering.has_value());  // still held by its own finalizer, but being deleted
  EXPECT_TRUE(lingering->metadata.deletion_timestamp.has_value());
  clear_finalizers("lingering");
  EXPECT_TRUE(eventually_gone("lingering"));
}

TEST_F(GarbageCollection, ForegroundPropagatesDownAChain) {
  ConfigMap a = create("a");
  ConfigMap b = create("b", {blocking(owner_ref(a))});
  create("c", {blocking(owner_ref(b))}, {"example.com/hold"});
  remove("a", DeleteParams::foreground());
  // b owns c, so b is deleted in the foreground too and waits for c, and a waits for b.
  EXPECT_TRUE(eventually([&] {
    auto b_now = get("b");
    return b_now && has_finalizer(*b_now, "foregroundDeletion") && b_now->metadata.deletion_timestamp.has_value();
  }));
  EXPECT_TRUE(get("a").has_value());
  clear_finalizers("c");
  EXPECT_TRUE(eventually_gone("c"));
  EXPECT_TRUE(eventually_gone("b"));
  EXPECT_TRUE(eventually_gone("a"));
}

TEST_F(GarbageCollection, OrphanRemovesTheReferencesAndKeepsDependents) {
  ConfigMap owner = create("owner");
  ConfigMap other = create("other");
  create("dep", {owner_ref(owner), owner_ref(other)});
  create("only", {owner_ref(owner)});
  auto result = remove("owner", DeleteParams::orphan());
  if (std::holds_alternative<ConfigMap>(result)) {
    EXPECT_TRUE(has_finalizer(std::get<ConfigMap>(result), "orphan"));
  }
  EXPECT_TRUE(eventually_gone("owner"));
  auto dep = get("dep");
  ASSERT_TRUE(dep.has_value());
  ASSERT_TRUE(dep->metadata.owner_references.has_value());
  ASSERT_EQ(dep->metadata.owner_references->size(), 1u);
  EXPECT_EQ(dep->metadata.owner_references->front().uid, other.metadata.uid);
  auto only = get("only");
  ASSERT_TRUE(only.has_value());
  EXPECT_TRUE(only->metadata.owner_references.value_or(std::vector<OwnerReference>{}).empty());
  // Nobody owns the removed reference any more (managedFields follow the collector's write).
  ASSERT_TRUE(only->metadata.managed_fields.has_value());
  for (const auto& entry : *only->metadata.managed_fields) {
    EXPECT_EQ(entry.fields_v1 ? entry.fields_v1->text().find(*owner.metadata.uid) : std::string::npos,
              std::string::npos)
        << entry.fields_v1->text();
  }
  // Nothing collects it later either: delete something else and look again.
  remove("other", {});
  EXPECT_TRUE(eventually_gone("dep"));  // its last owner is gone now
  EXPECT_TRUE(get("only").has_value());
}

TEST_F(GarbageCollection, DependentWithALiveOwnerSurvives) {
  ConfigMap first = create("first");
  ConfigMap second = create("second");
  create("shared", {owner_ref(first), owner_ref(second)});
  remove("first", DeleteParams::background());
  // The dangling reference is dropped; the object lives on with its other owner.
  EXPECT_TRUE(eventually([&] {
    auto shared = get("shared");
    return shared && shared->metadata.owner_references && shared->metadata.owner_references->size() == 1 &&
           shared->metadata.owner_references->front().uid == second.metadata.uid;
  }));
  ASSERT_TRUE(get("shared").has_value());
  remove("second", DeleteParams::background());
  EXPECT_TRUE(eventually_gone("shared"));
}

TEST_F(GarbageCollection, DanglingReferencesAtCreationAreCollected) {
  ConfigMap real = create("real");
  OwnerReference missing;
  missing.api_version = "v1";
  missing.kind = "ConfigMap";
  missing.name = "ghost";
  missing.uid = "00000000-0000-0000-0000-000000000000";
  create("orphaned", {missing});
  // Right name, wrong uid: not the owner it names.
  OwnerReference stale = owner_ref(real);
  stale.uid = "11111111-1111-1111-1111-111111111111";
  create("stale", {stale});
  create("owned", {owner_ref(real)});
  EXPECT_TRUE(eventually_gone("orphaned"));
  EXPECT_TRUE(eventually_gone("stale"));
  EXPECT_TRUE(get("owned").has_value());
  EXPECT_TRUE(get("real").has_value());
}

TEST_F(GarbageCollection, OwnerScopes) {
  // A namespaced dependent of a cluster-scoped owner.
  ClusterRole role;
  role.metadata.name = "gc-owner-" + ns_;
  role = call([&](Client& c) -> net::awaitable<ClusterRole> { co_return co_await Api<ClusterRole>::all(c).create({}, role); });
  create("of-cluster-owner", {owner_ref(role)});
  // A cluster-scoped dependent may not have a namespaced owner: that reference counts as absent.
  ConfigMap cm = create("namespaced-owner");
  ClusterRole bad;
  bad.metadata.name = "gc-bad-" + ns_;
  bad.metadata.owner_references = std::vector<OwnerReference>{owner_ref(cm)};
  call([&](Client& c) -> net::awaitable<void> { co_await Api<ClusterRole>::all(c).create({}, bad); });
  EXPECT_TRUE(eventually([&] {
    return !call([&](Client& c) -> net::awaitable<std::optional<ClusterRole>> {
              co_return co_await Api<ClusterRole>::all(c).get_opt(*bad.metadata.name);
            }).has_value();
  }));
  EXPECT_TRUE(get("of-cluster-owner").has_value());
  call([&](Client& c) -> net::awaitable<void> { co_await Api<ClusterRole>::all(c).remove(*role.metadata.name); });
  EXPECT_TRUE(eventually_gone("of-cluster-owner"));
}

TEST_F(GarbageCollection, BadPolicyIsRejected) {
  create("x");
  try {
    call([&](Client& c) -> net::awaitable<void> {
      HttpRequest request;
      request.method = "DELETE";
      request.target = "/api/v1/namespaces/" + ns_ + "/configmaps/x";
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = R"({"propagationPolicy":"Sideways"})";
      co_await c.send(std::move(request));
    });
    FAIL() << "expected 400";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 400);
  }
  try {
    call([&](Client& c) -> net::awaitable<void> {
      HttpRequest request;
      request.method = "DELETE";
      request.target = "/api/v1/namespaces/" + ns_ + "/configmaps/x";
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = R"({"propagationPolicy":"Orphan","orphanDependents":true})";
      co_await c.send(std::move(request));
    });
    FAIL() << "expected 422";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 422);
  }
  EXPECT_TRUE(get("x").has_value());
}

TEST_F(GarbageCollection, LegacyOrphanDependents) {
  ConfigMap owner = create("owner");
  create("dep", {owner_ref(owner)});
  call([&](Client& c) -> net::awaitable<void> {
    HttpRequest request;
    request.method = "DELETE";
    request.target = "/api/v1/namespaces/" + ns_ + "/configmaps/owner";
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = R"({"orphanDependents":true})";
    co_await c.send(std::move(request));
  });
  EXPECT_TRUE(eventually_gone("owner"));
  auto dep = get("dep");
  ASSERT_TRUE(dep.has_value());
  EXPECT_TRUE(dep->metadata.owner_references.value_or(std::vector<OwnerReference>{}).empty());
}

TEST_F(GarbageCollection, NamespaceDeletionStillWorksWithOwnedObjects) {
  ConfigMap owner = create("owner");
  create("dep", {owner_ref(owner)}, {"example.com/hold"});
  call([&](Client& c) -> net::awaitable<void> { co_await Api<Namespace>::all(c).remove(ns_); });
  EXPECT_TRUE(eventually_gone("owner"));
  clear_finalizers("dep");
  EXPECT_TRUE(eventually([&] {
    return !call([&](Client& c) -> net::awaitable<std::optional<Namespace>> {
              co_return co_await Api<Namespace>::all(c).get_opt(ns_);
            }).has_value();
  }));
}

// With a data directory, events reach the collector once durable, and a restarted server rebuilds
// its owner index from storage: a dependent whose owner goes away after a restart is collected.
TEST(GarbageCollectionDurable, OwnerIndexSurvivesARestart) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("kube-gc-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto with_server = [&](auto&& body) {
    apiserver::Server server(apiserver::ServerOptions{.listen = "127.0.0.1:0", .data_dir = dir.string()});
    server.start();
    Config config = Config::from_kubeconfig_text(server.kubeconfig());
    body(config);
    server.stop();
  };
  auto configmaps = [](Client& c) { return Api<ConfigMap>::namespaced(c, "default"); };
  auto exists = [&](const Config& config, const std::string& name) {
    return run_async([&](net::io_context& io) -> net::awaitable<bool> {
      Client c(io.get_executor(), config);
      co_return (co_await configmaps(c).get_opt(name)).has_value();
    });
  };
  auto eventually = [](const std::function<bool()>& condition) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  };
  with_server([&](const Config& config) {
    run_async([&](net::io_context& io) -> net::awaitable<void> {
      Client c(io.get_executor(), config);
      ConfigMap owner;
      owner.metadata.name = "durable-owner";
      owner.metadata.finalizers = std::vector<std::string>{"example.com/hold"};
      owner = co_await configmaps(c).create({}, owner);
      ConfigMap dep;
      dep.metadata.name = "durable-dep";
      dep.metadata.owner_references = std::vector<OwnerReference>{owner_ref(owner)};
      co_await configmaps(c).create({}, dep);
      co_await configmaps(c).remove("durable-owner", DeleteParams::background());  // held by its finalizer
    });
    // Background deletion with data on disk: a second owner/dependent pair goes all the way.
    run_async([&](net::io_context& io) -> net::awaitable<void> {
      Client c(io.get_executor(), config);
      ConfigMap owner;
      owner.metadata.name = "quick-owner";
      owner = co_await configmaps(c).create({}, owner);
      ConfigMap dep;
      dep.metadata.name = "quick-dep";
      dep.metadata.owner_references = std::vector<OwnerReference>{owner_ref(owner)};
      co_await configmaps(c).create({}, dep);
      co_await configmaps(c).remove("quick-owner", {});
    });
    EXPECT_TRUE(eventually([&] { return !exists(config, "quick-dep"); }));
    EXPECT_TRUE(exists(config, "durable-owner"));
    EXPECT_TRUE(exists(config, "durable-dep"));
  });
  with_server([&](const Config& config) {
    EXPECT_TRUE(exists(config, "durable-dep"));
    run_async([&](net::io_context& io) -> net::awaitable<void> {
      Client c(io.get_executor(), config);
      co_await configmaps(c).patch("durable-owner", {},
                                   Patch::merge(json::parse(R"({"metadata":{"finalizers":null}})")));
    });
    EXPECT_TRUE(eventually([&] { return !exists(config, "durable-owner"); }));
    EXPECT_TRUE(eventually([&] { return !exists(config, "durable-dep"); }));
  });
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kube
