// kube::client against kube-apiserver-lite over real HTTPS: two independent implementations of
// the Kubernetes API protocol meeting on the wire.
#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <filesystem>

#include "kube/api/apps/v1.h"
#include "kube/api/core/v1.h"
#include "kube/apiserver/server.h"
#include "kube/client/api.h"
#include "kube/client/discovery.h"
#include "kube/core/dom.h"
#include "kube/core/dynamic_object.h"
#include "support/async.h"
#include "support/server_suite.h"

namespace kube {
namespace {

namespace net = boost::asio;
using api::apps::v1::Deployment;
using api::core::v1::ConfigMap;
using api::core::v1::Namespace;
using api::core::v1::Pod;
using testing::run_async;

class ClientServer : public testing::ServerSuite {
 protected:
  static void SetUpTestSuite() { start_server({.listen = "127.0.0.1:0", .history = 200}); }
  std::string fresh_namespace() { return create_namespace("t"); }
};

ConfigMap config_map(std::string name, std::map<std::string, std::string> data,
                     std::map<std::string, std::string> labels = {}) {
  ConfigMap cm;
  cm.metadata.name = std::move(name);
  cm.data = std::move(data);
  if (!labels.empty()) cm.metadata.labels = std::move(labels);
  return cm;
}

// A burst of requests larger than max_concurrent_requests waits for slots in turn (FIFO) and
// every request completes.
TEST_F(ClientServer, ABurstOfRequestsSharesTheRequestSlots) {
  std::string ns = fresh_namespace();
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Config cfg = config();
    cfg.max_concurrent_requests = 3;
    Client client(io.get_executor(), cfg);
    auto cms = Api<ConfigMap>::namespaced(client, ns);
    int done = 0;
    std::exception_ptr failure;
    for (int i = 0; i < 60; ++i) {
      net::co_spawn(io, cms.create({}, config_map("burst-" + std::to_string(i), {{"i", std::to_string(i)}})),
                    [&](std::exception_ptr e, const ConfigMap&) {
                      if (e && !failure) failure = e;
                      ++done;
                    });
    }
    while (done < 60) {
      net::steady_timer t(io, std::chrono::milliseconds(5));
      co_await t.async_wait(net::use_awaitable);
    }
    if (failure) std::rethrow_exception(failure);
    EXPECT_EQ((co_await cms.list()).items.size(), 60u);
  });
}

TEST_F(ClientServer, ClientCertificateAuthFromKubeconfig) {
  auto namespaces = run_async([&](net::io_context& io) -> net::awaitable<ObjectList<Namespace>> {
    Client client(io.get_executor(), config());
    co_return co_await Api<Namespace>::all(client).list();
  });
  std::set<std::string> names;
  for (const auto& ns : namespaces) names.insert(std::string(name_of(ns)));
  for (auto expected : {"default", "kube-system", "kube-public", "kube-node-lease"}) EXPECT_TRUE(names.count(expected));
  EXPECT_FALSE(namespaces.metadata.resource_version.value_or("").empty());
}

TEST_F(ClientServer, BearerTokenAuthAndUnauthenticatedRejection) {
  Config token_config;
  token_config.cluster_url = server_->url();
  token_config.root_ca_pem = server_->ca_certificate();
  token_config.auth.token = server_->admin_token();
  EXPECT_NO_THROW(run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), token_config);
    co_await Api<Namespace>::all(client).get("default");
  }));
  Config anonymous = token_config;
  anonymous.auth.token.clear();
  try {
    run_async([&](net::io_context& io) -> net::awaitable<void> {
      Client client(io.get_executor(), anonymous);
      co_await Api<Namespace>::all(client).get("default");
    });
    FAIL() << "expected 401";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 401);
    EXPECT_TRUE(e.is_unauthorized());
  }
  Config wrong_token = token_config;
  wrong_token.auth.token = "not-a-token";
  EXPECT_THROW(run_async([&](net::io_context& io) -> net::awaitable<void> {
                 Client client(io.get_executor(), wrong_token);
                 co_await Api<Namespace>::all(client).get("default");
               }),
               ApiError);
}

TEST_F(ClientServer, UntrustedServerCertificateIsATransportError) {
  Config config = this->config();
  config.root_ca_pem.clear();  // the system's CAs do not know this server
  try {
    run_async([&](net::io_context& io) -> net::awaitable<void> {
      Client client(io.get_executor(), config);
      co_await Api<Namespace>::all(client).get("default");
    });
    FAIL() << "expected a TLS failure";
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("TLS handshake"), std::string::npos) << e.what();
  }
  config.insecure_skip_tls_verify = true;  // only when asked
  EXPECT_NO_THROW(run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config);
    co_await Api<Namespace>::all(client).get("default");
  }));
}

TEST_F(ClientServer, EveryVerbOnConfigMaps) {
  std::string ns = fresh_namespace();
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    auto cms = Api<ConfigMap>::namespaced(client, ns);
    ConfigMap object1 = config_map("one", {{"a", "1"}}, {{"app", "web"}});
    ConfigMap created = co_await cms.create({}, object1);
    EXPECT_EQ(name_of(created), "one");
    EXPECT_EQ(namespace_of(created), ns);
    EXPECT_FALSE(uid_of(created).empty());
    EXPECT_TRUE(created.metadata.creation_timestamp.has_value());
    std::string rv1(resource_version_of(created));

    try {
      co_await cms.create({}, config_map("one", {}));
      ADD_FAILURE() << "duplicate create must fail";
    } catch (const ApiError& e) {
      EXPECT_TRUE(e.is_already_exists()) << e.what();
      EXPECT_EQ(e.message(), "configmaps \"one\" already exists");
    }
    ConfigMap got = co_await cms.get("one");
    EXPECT_EQ(got.data->at("a"), "1");
    EXPECT_FALSE((co_await cms.get_opt("missing")).has_value());
    try {
      co_await cms.get("missing");
      ADD_FAILURE();
    } catch (const ApiError& e) {
      EXPECT_TRUE(e.is_not_found());
      EXPECT_EQ(e.message(), "configmaps \"missing\" not found");
    }

    // replace: with the current RV it succeeds, a stale RV conflicts
    got.data->at("a") = "2";
    ConfigMap replaced = co_await cms.replace("one", {}, got);
    EXPECT_EQ(replaced.data->at("a"), "2");
    EXPECT_NE(std::string(resource_version_of(replaced)), rv1);
    got.data->at("a") = "3";
    try {
      co_await cms.replace("one", {}, got);  // got still has rv of before the replace
      ADD_FAILURE();
    } catch (const ApiError& e) {
      EXPECT_TRUE(e.is_conflict()) << e.what();
    }

    // patches: merge, JSON, strategic
    ConfigMap merged = co_await cms.patch("one", {}, Patch::from_json(PatchType::Merge, R"({"data":{"b":"x"}})"));
    EXPECT_EQ(merged.data->size(), 2u);
    ConfigMap patched = co_await cms.patch(
        "one", {}, Patch::from_json(PatchType::Json, R"([{"op":"test","path":"/data/b","value":"x"},{"op":"remove","path":"/data/b"}])"));
    EXPECT_EQ(patched.data->count("b"), 0u);
    try {
      co_await cms.patch("one", {}, Patch::from_json(PatchType::Json, R"([{"op":"test","path":"/data/a","value":"nope"}])"));
      ADD_FAILURE();
    } catch (const ApiError& e) {
      EXPECT_EQ(e.code(), 422) << e.what();
    }
    ConfigMap strategic =
        co_await cms.patch("one", {}, Patch::from_json(PatchType::Strategic, R"({"metadata":{"labels":{"tier":"db"}}})"));
    EXPECT_EQ(labels_of(strategic.metadata).at("tier"), "db");
    EXPECT_EQ(labels_of(strategic.metadata).at("app"), "web");

    // dry run writes nothing
    co_await cms.create({.dry_run = true}, config_map("ghost", {}));
    EXPECT_FALSE((co_await cms.get_opt("ghost")).has_value());

    // delete: configmaps answer with a Status
    auto deleted = co_await cms.remove("one");
    CO_ASSERT_TRUE(std::holds_alternative<Status>(deleted));
    EXPECT_EQ(std::get<Status>(deleted).status, "Success");
    EXPECT_FALSE((co_await cms.get_opt("one")).has_value());
  });
}

TEST_F(ClientServer, ListSelectorsAndPagination) {
  std::string ns = fresh_namespace();
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    auto cms = Api<ConfigMap>::namespaced(client, ns);
    for (int i = 0; i < 25; ++i) {
      char name[16];
      std::snprintf(name, sizeof name, "cm-%02d", i);
      ConfigMap object2 = config_map(name, {{"i", std::to_string(i)}}, {{"parity", i % 2 ? "odd" : "even"}});
      co_await cms.create({}, object2);
    }
    auto odd = co_await cms.list({.label_selector = "parity=odd"});
    EXPECT_EQ(odd.items.size(), 12u);
    auto named = co_await cms.list({.field_selector = "metadata.name=cm-07"});
    CO_ASSERT_EQ(named.items.size(), 1u);
    EXPECT_EQ(name_of(named.items[0]), "cm-07");
    try {
      co_await cms.list({.field_selector = "data.i=1"});
      ADD_FAILURE();
    } catch (const ApiError& e) {
      EXPECT_EQ(e.code(), 400);
      EXPECT_NE(e.message().find("field label not supported"), std::string_view::npos);
    }

    // Pages come from the first page's snapshot, whatever happens in between.
    auto page1 = co_await cms.list({.limit = 10});
    CO_ASSERT_EQ(page1.items.size(), 10u);
    std::string token = page1.metadata.continue_.value_or("");
    CO_ASSERT_TRUE(!token.empty());
    co_await cms.remove("cm-15");
    co_await cms.create({}, config_map("cm-99", {}));
    auto page2 = co_await cms.list({.limit = 10, .continue_token = token});
    auto page3 = co_await cms.list({.limit = 10, .continue_token = page2.metadata.continue_.value_or("")});
    EXPECT_EQ(page2.items.size(), 10u);
    EXPECT_EQ(page3.items.size(), 5u);
    EXPECT_FALSE(page3.metadata.continue_.has_value());
    EXPECT_EQ(page2.metadata.resource_version, page1.metadata.resource_version);
    std::vector<std::string> all;
    for (auto* page : {&page1, &page2, &page3}) {
      for (const auto& cm : page->items) all.emplace_back(name_of(cm));
    }
    EXPECT_EQ(all.size(), 25u);
    EXPECT_NE(std::find(all.begin(), all.end(), "cm-15"), all.end());  // deleted after the snapshot
    EXPECT_EQ(std::find(all.begin(), all.end(), "cm-99"), all.end());  // created after it
    // The current state has both changes.
    auto now = co_await cms.list();
    EXPECT_EQ(now.items.size(), 25u);
  });
}

TEST_F(ClientServer, LargeListDecodedWhileItDownloadsEqualsTheBody) {
  // ~3 MB: past ListDecoder's threshold, so most items are decoded on the DecodePool.
  std::string ns = fresh_namespace();
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    auto cms = Api<ConfigMap>::namespaced(client, ns);
    for (int i = 0; i < 300; ++i) {
      char name[16];
      std::snprintf(name, sizeof name, "big-%03d", i);
      co_await cms.create({}, config_map(name, {{"payload", std::string(10000, static_cast<char>('a' + i % 26))}}));
    }
    auto streamed = co_await cms.list();
    HttpResponse body = co_await client.send(cms.request_builder().list({}));
    CO_ASSERT_TRUE(body.body.size() > 3000000);
    auto whole = json::decode<ObjectList<ConfigMap>>(body.body);
    CO_ASSERT_EQ(streamed.items.size(), 300u);
    EXPECT_EQ(streamed, whole);
    for (int i = 0; i < 300; ++i) {
      char name[16];
      std::snprintf(name, sizeof name, "big-%03d", i);
      EXPECT_EQ(name_of(streamed.items[static_cast<std::size_t>(i)]), name);
    }
  });
}

TEST_F(ClientServer, WatchEventsResumeAndExpiry) {
  std::string ns = fresh_namespace();
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    auto cms = Api<ConfigMap>::namespaced(client, ns);
    co_await cms.create({}, config_map("before", {}));
    auto list = co_await cms.list();
    std::string rv = list.metadata.resource_version.value_or("");
    auto stream = co_await cms.watch({.timeout_seconds = 30}, rv);
    ConfigMap object3 = config_map("w", {{"v", "1"}});
    co_await cms.create({}, object3);
    co_await cms.patch("w", {}, Patch::from_json(PatchType::Merge, R"({"data":{"v":"2"}})"));
    co_await cms.remove("w");
    std::vector<std::string> seen;
    std::string last_rv;
    while (seen.size() < 3) {
      auto event = co_await stream.next();
      if (!event) break;
      if (event->type == WatchEventType::Bookmark) continue;
      seen.push_back(std::string(to_string(event->type)) + " " + std::string(name_of(event->object())));
      last_rv = std::string(resource_version_of(event->object()));
    }
    stream.cancel();
    EXPECT_EQ(seen, (std::vector<std::string>{"ADDED w", "MODIFIED w", "DELETED w"}));

    // Resuming from a revision replays what happened since.
    co_await cms.create({}, config_map("after", {}));
    auto resumed = co_await cms.watch({.timeout_seconds = 30}, last_rv);
    auto event = co_await resumed.next();
    CO_ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->type, WatchEventType::Added);
    EXPECT_EQ(name_of(event->object()), "after");
    resumed.cancel();

    // A revision older than the history window: an ERROR event with 410 Expired.
    server_->compact_history();
    auto expired = co_await cms.watch({}, rv);
    auto error = co_await expired.next();
    CO_ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->type, WatchEventType::Error);
    EXPECT_EQ(error->error().code, 410);
    EXPECT_EQ(error->error().reason, "Expired");

    // Initial events: rv "0" starts with the current state; streaming lists end it with a bookmark.
    auto initial = co_await cms.watch({.send_initial_events = true}, "");
    std::vector<std::string> names;
    bool end_marker = false;
    while (auto e = co_await initial.next()) {
      if (e->type == WatchEventType::Bookmark) {
        end_marker = e->bookmark().is_initial_events_end();
        break;
      }
      names.emplace_back(name_of(e->object()));
    }
    initial.cancel();
    EXPECT_EQ(names, (std::vector<std::string>{"after", "before"}));
    EXPECT_TRUE(end_marker);
  });
}

TEST_F(ClientServer, WatchEndsAtItsTimeout) {
  std::string ns = fresh_namespace();
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    auto cms = Api<ConfigMap>::namespaced(client, ns);
    auto stream = co_await cms.watch({.timeout_seconds = 1}, "");
    auto start = std::chrono::steady_clock::now();
    while (co_await stream.next()) {
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  });
}

TEST_F(ClientServer, StatusSubresourceAndGeneration) {
  std::string ns = fresh_namespace();
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    auto deployments = Api<Deployment>::namespaced(client, ns);
    Deployment d;
    d.metadata.name = "web";
    d.spec.emplace().replicas = 1;
    d.spec->selector.match_labels = std::map<std::string, std::string>{{"app", "web"}};
    d.spec->template_.metadata.get_or_emplace().labels = std::map<std::string, std::string>{{"app", "web"}};
    d.spec->template_.spec.get_or_emplace().containers.push_back({.image = "nginx", .name = "web"});
    d.status.emplace().replicas = 7;  // ignored on create: the status is the controller's
    Deployment created = co_await deployments.create({}, d);
    EXPECT_EQ(created.metadata.generation, 1);
    EXPECT_FALSE(created.status.has_value() && created.status->replicas.has_value());

    // The main resource cannot change the status; the status subresource cannot change the spec.
    Deployment status_update = created;
    status_update.status.emplace().ready_replicas = 1;
    status_update.spec->replicas = 5;
    Deployment after_status = co_await deployments.replace_status("web", {}, status_update);
    EXPECT_EQ(after_status.status->ready_replicas, 1);
    EXPECT_EQ(after_status.spec->replicas, 1);
    EXPECT_EQ(after_status.metadata.generation, 1);

    Deployment spec_update = after_status;
    spec_update.spec->replicas = 3;
    spec_update.status->ready_replicas = 99;
    Deployment after_spec = co_await deployments.replace("web", {}, spec_update);
    EXPECT_EQ(after_spec.spec->replicas, 3);
    EXPECT_EQ(after_spec.status->ready_replicas, 1);
    EXPECT_EQ(after_spec.metadata.generation, 2);

    // A write that changes nothing keeps the revision.
    Deployment same = co_await deployments.replace("web", {}, after_spec);
    EXPECT_EQ(resource_version_of(same), resource_version_of(after_spec));

    Scale scale = co_await deployments.get_scale("web");
    EXPECT_EQ(scale.spec->replicas, 3);
    EXPECT_EQ(scale.status->selector, "app=web");
    Scale scaled = co_await deployments.patch_scale("web", {}, Patch::from_json(PatchType::Merge, R"({"spec":{"replicas":4}})"));
    EXPECT_EQ(scaled.spec->replicas, 4);
    EXPECT_EQ((co_await deployments.get("web")).spec->replicas, 4);
  });
}

TEST_F(ClientServer, FinalizersHoldDeletion) {
  std::string ns = fresh_namespace();
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    auto cms = Api<ConfigMap>::namespaced(client, ns);
    ConfigMap cm = config_map("held", {});
    cm.metadata.finalizers = std::vector<std::string>{"example.com/cleanup"};
    co_await cms.create({}, cm);
    auto first = co_await cms.remove("held");
    CO_ASSERT_TRUE(std::holds_alternative<ConfigMap>(first));  // still there, being deleted
    ConfigMap deleting = std::get<ConfigMap>(first);
    EXPECT_TRUE(is_being_deleted(deleting.metadata));
    try {
      deleting.metadata.finalizers->push_back("example.com/another");
      co_await cms.replace("held", {}, deleting);
      ADD_FAILURE() << "adding finalizers while deleting must fail";
    } catch (const ApiError& e) {
      EXPECT_TRUE(e.is_invalid()) << e.what();
    }
    co_await cms.patch("held", {}, Patch::from_json(PatchType::Merge, R"({"metadata":{"finalizers":null}})"));
    EXPECT_FALSE((co_await cms.get_opt("held")).has_value());
  });
}

TEST_F(ClientServer, NamespaceDeletionRemovesContents) {
  std::string ns = fresh_namespace();
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    auto cms = Api<ConfigMap>::namespaced(client, ns);
    co_await cms.create({}, config_map("x", {}));
    co_await Api<Namespace>::all(client).remove(ns);
    EXPECT_FALSE((co_await Api<Namespace>::all(client).get_opt(ns)).has_value());
    try {
      co_await cms.create({}, config_map("y", {}));
      ADD_FAILURE();
    } catch (const ApiError& e) {
      EXPECT_TRUE(e.is_not_found()) << e.what();
    }
  });
}

TEST_F(ClientServer, MetadataOnlyAndDynamicObjects) {
  std::string ns = fresh_namespace();
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    auto cms = Api<ConfigMap>::namespaced(client, ns);
    ConfigMap object4 = config_map("m", {{"big", std::string(1000, 'x')}}, {{"k", "v"}});
    co_await cms.create({}, object4);
    auto meta = co_await cms.get_metadata("m");
    EXPECT_EQ(labels_of(meta.metadata).at("k"), "v");
    auto metas = co_await cms.list_metadata();
    CO_ASSERT_EQ(metas.items.size(), 1u);
    EXPECT_EQ(name_of(metas.items[0]), "m");

    Discovery discovery(client);
    co_await discovery.run();
    EXPECT_TRUE(discovery.aggregated());
    auto resolved = discovery.resolve_name("cm");
    CO_ASSERT_TRUE(resolved.has_value());
    EXPECT_EQ(resolved->resource.plural, "configmaps");
    auto deploy = discovery.resolve_gvk({"apps", "v1", "Deployment"});
    CO_ASSERT_TRUE(deploy.has_value());
    EXPECT_NE(std::find(deploy->subresources.begin(), deploy->subresources.end(), "scale"), deploy->subresources.end());
    auto dynamic = Api<DynamicObject>::namespaced_with(client, ns, resolved->resource);
    auto list = co_await dynamic.list();
    CO_ASSERT_EQ(list.items.size(), 1u);
    EXPECT_EQ(list.items[0].kind, "ConfigMap");
    EXPECT_EQ(list.items[0].data.at("data").at("big").as_string().size(), 1000u);
  });
}

TEST_F(ClientServer, MalformedRequestsGetStatusErrors) {
  Config no_retries = config();
  no_retries.max_retries = 0;  // a 504 would otherwise be retried
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), no_retries);
    auto expect_error = [&](HttpRequest request, int code, std::string_view reason) -> net::awaitable<void> {
      try {
        co_await client.send(std::move(request));
        ADD_FAILURE() << "expected " << code;
      } catch (const ApiError& e) {
        EXPECT_EQ(e.code(), code) << e.what();
        EXPECT_EQ(e.reason(), reason) << e.what();
      }
    };
    Request configmaps("/api/v1/namespaces/default/configmaps");
    co_await expect_error(configmaps.create({}, "{not json"), 400, "BadRequest");
    HttpRequest wrong_type = configmaps.create({}, "x: y");
    wrong_type.headers = {{"Content-Type", "text/plain"}};
    co_await expect_error(wrong_type, 415, "UnsupportedMediaType");
    co_await expect_error(Request("/api/v1/namespaces/default/widgets").list(), 404, "NotFound");
    HttpRequest bad_selector = configmaps.list();
    bad_selector.target += "?labelSelector=a%20in";
    co_await expect_error(bad_selector, 400, "BadRequest");
    co_await expect_error(configmaps.create({}, std::string(4 * 1024 * 1024, ' ')), 413, "RequestEntityTooLarge");
    co_await expect_error(configmaps.create({}, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"}})"), 400,
                          "BadRequest");
    co_await expect_error(configmaps.create({}, R"({"metadata":{"name":"Bad_Name"}})"), 422, "Invalid");
    HttpRequest bad_match = configmaps.list();
    bad_match.target += "?resourceVersionMatch=Exact&resourceVersion=0";
    co_await expect_error(bad_match, 422, "Invalid");
    HttpRequest future = configmaps.list();
    future.target += "?resourceVersion=999999999";
    co_await expect_error(future, 504, "Timeout");
    // and the server still serves
    co_await Api<Namespace>::all(client).get("default");
  });
}

}  // namespace
}  // namespace kube
