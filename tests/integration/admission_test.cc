// Admission webhooks of kube-apiserver-lite against a real HTTPS webhook server
// (tests/support/webhook_server.h): allow, deny, mutate, failure policies, timeouts, rules and
// selectors, DELETE, service references, ordering, malformed replies, dry run, warnings,
// re-admission when the object changes meanwhile, and that the server keeps serving while a
// webhook takes its time. Each test's webhooks only apply to its own namespace.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "kube/api/core/v1.h"
#include "kube/apiserver/server.h"
#include "kube/client/api.h"
#include "kube/core/dom.h"
#include "support/async.h"
#include "support/server_suite.h"
#include "support/subprocess.h"
#include "support/webhook_server.h"

namespace kube {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using api::core::v1::ConfigMap;
using api::core::v1::Namespace;
using api::core::v1::Secret;
using testing::allow;
using testing::run_async;
using testing::deny;
using testing::WebhookServer;

constexpr const char* kServiceNamespace = "webhook-system";

std::string text(const json::Value& v, std::initializer_list<std::string_view> path) {
  const json::Value* cur = &v;
  for (auto key : path) {
    if (!cur->is_object() || !cur->as_object().contains(key)) return "<absent>";
    cur = &cur->as_object().at(key);
  }
  return cur->is_string() ? std::string(cur->as_string()) : json::serialize(*cur);
}

class Admission : public testing::ServerSuite {
 protected:
  static void SetUpTestSuite() {
    ServerSuite::SetUpTestSuite();
    hooks_ = new WebhookServer({"admission-hooks.webhook-system.svc", "hooks-by-endpoints.webhook-system.svc"});
  }
  static void TearDownTestSuite() {
    delete hooks_;
    hooks_ = nullptr;
    ServerSuite::TearDownTestSuite();
  }
  void SetUp() override { ns_ = create_namespace("adm"); }
  void TearDown() override {
    for (const auto& [mutating, name] : configs_) {
      try {
        send("DELETE", collection(mutating) + "/" + name);
      } catch (const std::exception&) {
      }
    }
  }

  static std::string collection(bool mutating) {
    return std::string("/apis/admissionregistration.k8s.io/v1/") +
           (mutating ? "mutatingwebhookconfigurations" : "validatingwebhookconfigurations");
  }
  /// A path of this test on the webhook server.
  std::string path(const std::string& suffix) const {
    return "/" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "/" + suffix;
  }

  static json::Value rule(std::vector<std::string> operations, std::vector<std::string> resources = {"configmaps"},
                          std::string group = "", std::string version = "v1") {
    json::Array ops, res;
    for (auto& o : operations) ops.emplace_back(o);
    for (auto& r : resources) res.emplace_back(r);
    return json::Object{{"operations", ops}, {"apiGroups", json::Array{json::Value(group)}},
                        {"apiVersions", json::Array{json::Value(version)}}, {"resources", res}};
  }
  /// A webhook calling `hook_path` on the test server for `rules`, for this test's namespace only.
  json::Object webhook(const std::string& name, const std::string& hook_path, json::Array rules) const {
    return json::Object{
        {"name", name},
        {"sideEffects", "None"},
        {"admissionReviewVersions", json::Array{"v1"}},
        {"clientConfig", json::Object{{"url", hooks_->url(hook_path)}, {"caBundle", hooks_->ca_bundle()}}},
        {"rules", std::move(rules)},
        {"namespaceSelector", json::Object{{"matchLabels", json::Object{{"kubernetes.io/metadata.name", ns_}}}}}};
  }
  /// Creates a webhook configuration named "<namespace>-<suffix>" (deleted after the test).
  void configure(bool mutating, const std::string& suffix, json::Array webhooks) {
    std::string name = ns_ + "-" + suffix;
    json::Value config = json::Object{
        {"apiVersion", "admissionregistration.k8s.io/v1"},
        {"kind", mutating ? "MutatingWebhookConfiguration" : "ValidatingWebhookConfiguration"},
        {"metadata", json::Object{{"name", name}}},
        {"webhooks", std::move(webhooks)}};
    send("POST", collection(mutating), config);
    configs_.emplace_back(mutating, name);
  }

  /// A raw request (throws ApiError for non-2xx answers).
  static HttpResponse send(std::string method, std::string target, const json::Value& body = nullptr,
                           std::string content_type = "application/json") {
    return call([&](Client& c) -> net::awaitable<HttpResponse> {
      HttpRequest request{method, target, {}, body.is_null() ? "" : json::serialize(body)};
      if (!request.body.empty()) request.headers.emplace_back("Content-Type", content_type);
      co_return co_await c.send(std::move(request));
    });
  }
  /// The ApiError `f` fails with (a test failure when it does not).
  template <class F>
  static ApiError failure(F&& f) {
    try {
      f();
    } catch (const ApiError& e) {
      return e;
    }
    ADD_FAILURE() << "expected the request to fail";
    return ApiError(Status{});
  }

  static ConfigMap configmap(const std::string& name, std::map<std::string, std::string> labels = {}) {
    ConfigMap cm;
    cm.metadata.name = name;
    if (!labels.empty()) cm.metadata.labels = std::move(labels);
    cm.data = std::map<std::string, std::string>{{"k", "v"}};
    return cm;
  }
  ConfigMap create(const ConfigMap& cm, PostParams pp = {}, std::string ns = {}) {
    if (ns.empty()) ns = ns_;
    return call([&](Client& c) -> net::awaitable<ConfigMap> {
      co_return co_await Api<ConfigMap>::namespaced(c, ns).create(pp, cm);
    });
  }
  std::optional<ConfigMap> get(const std::string& name) {
    return call([&](Client& c) -> net::awaitable<std::optional<ConfigMap>> {
      co_return co_await Api<ConfigMap>::namespaced(c, ns_).get_opt(name);
    });
  }
  ConfigMap patch(const std::string& name, const std::string& merge) {
    return call([&](Client& c) -> net::awaitable<ConfigMap> {
      co_return co_await Api<ConfigMap>::namespaced(c, ns_).patch(name, {}, Patch::merge(json::parse(merge)));
    });
  }
  void remove(const std::string& name) {
    call([&](Client& c) -> net::awaitable<void> { co_await Api<ConfigMap>::namespaced(c, ns_).remove(name); });
  }
  static void ensure_namespace(const std::string& name) {
    try {
      send("POST", "/api/v1/namespaces", json::Object{{"metadata", json::Object{{"name", name}}}});
    } catch (const ApiError& e) {
      if (!e.is_already_exists()) throw;
    }
  }

  static inline WebhookServer* hooks_ = nullptr;
  std::string ns_;
  std::vector<std::pair<bool, std::string>> configs_;
};

TEST_F(Admission, AllowedCreateIsStoredAndTheReviewIsComplete) {
  std::string p = path("allow");
  hooks_->on(p, [](const json::Value& review) { return allow(review); });
  configure(false, "allow", {webhook("allow.admission.kube-cpp.dev", p, {rule({"CREATE"})})});

  create(configmap("allowed"));
  EXPECT_TRUE(get("allowed"));
  auto received = hooks_->received(p);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].target, p + "?timeout=10s");
  const json::Value& review = received[0].review;
  EXPECT_EQ(text(review, {"apiVersion"}), "admission.k8s.io/v1");
  EXPECT_EQ(text(review, {"kind"}), "AdmissionReview");
  EXPECT_EQ(text(review, {"request", "uid"}).size(), 36u);
  EXPECT_EQ(text(review, {"request", "kind"}), R"({"group":"","version":"v1","kind":"ConfigMap"})");
  EXPECT_EQ(text(review, {"request", "resource"}), R"({"group":"","version":"v1","resource":"configmaps"})");
  EXPECT_EQ(text(review, {"request", "requestKind", "kind"}), "ConfigMap");
  EXPECT_EQ(text(review, {"request", "operation"}), "CREATE");
  EXPECT_EQ(text(review, {"request", "name"}), "allowed");
  EXPECT_EQ(text(review, {"request", "namespace"}), ns_);
  EXPECT_EQ(text(review, {"request", "userInfo", "username"}), "admin");
  EXPECT_NE(text(review, {"request", "userInfo", "groups"}).find("system:masters"), std::string::npos);
  EXPECT_EQ(text(review, {"request", "object", "data", "k"}), "v");
  EXPECT_EQ(text(review, {"request", "oldObject"}), "null");
  EXPECT_EQ(text(review, {"request", "dryRun"}), "false");
  EXPECT_EQ(text(review, {"request", "options", "kind"}), "CreateOptions");

  // Two calls never share a uid.
  create(configmap("allowed-2"));
  received = hooks_->received(p);
  ASSERT_EQ(received.size(), 2u);
  EXPECT_NE(text(received[0].review, {"request", "uid"}), text(received[1].review, {"request", "uid"}));
}

TEST_F(Admission, DenialReachesTheClientAndNothingIsStored) {
  std::string p = path("deny");
  hooks_->on(p, [](const json::Value& review) { return deny(review, 0, "configmaps named forbidden-* are not allowed"); });
  configure(false, "deny", {webhook("deny.admission.kube-cpp.dev", p, {rule({"CREATE"})})});

  ApiError e = failure([&] { create(configmap("forbidden-1")); });
  EXPECT_EQ(e.code(), 403);
  EXPECT_EQ(e.reason(), "Forbidden");
  EXPECT_EQ(e.message(),
            "admission webhook \"deny.admission.kube-cpp.dev\" denied the request: configmaps named forbidden-* are not "
            "allowed");
  EXPECT_FALSE(get("forbidden-1"));

  // The webhook's own code comes through.
  hooks_->on(p, [](const json::Value& review) { return deny(review, 422, "bad data"); });
  e = failure([&] { create(configmap("forbidden-2")); });
  EXPECT_EQ(e.code(), 422);
  EXPECT_EQ(e.message(), "admission webhook \"deny.admission.kube-cpp.dev\" denied the request: bad data");
  EXPECT_FALSE(get("forbidden-2"));
}

TEST_F(Admission, MutatingPatchIsAppliedAndStored) {
  std::string p = path("mutate");
  hooks_->on(p, [](const json::Value& review) {
    // Also tries to change what the server owns (uid): that part is ignored.
    return allow(review, json::parse(R"([{"op":"add","path":"/metadata/labels","value":{"injected":"yes"}},
                                         {"op":"replace","path":"/data/k","value":"patched"},
                                         {"op":"add","path":"/metadata/uid","value":"forged"}])"));
  });
  configure(true, "mutate", {webhook("mutate.admission.kube-cpp.dev", p, {rule({"CREATE"})})});

  ConfigMap created = create(configmap("mutated"));
  ASSERT_TRUE(created.metadata.labels);
  EXPECT_EQ(created.metadata.labels->at("injected"), "yes");
  EXPECT_EQ(created.data->at("k"), "patched");
  EXPECT_NE(created.metadata.uid.value_or(""), "forged");
  auto stored = get("mutated");
  ASSERT_TRUE(stored && stored->metadata.labels);
  EXPECT_EQ(stored->metadata.labels->at("injected"), "yes");
  EXPECT_EQ(stored->data->at("k"), "patched");
  EXPECT_EQ(stored->metadata.uid, created.metadata.uid);
  EXPECT_EQ(hooks_->calls(p), 1u);
}

TEST_F(Admission, GeneratedNamesAndServerSideApplyAreAdmitted) {
  std::string p = path("label");
  hooks_->on(p, [](const json::Value& review) {
    return allow(review, json::parse(R"([{"op":"add","path":"/metadata/annotations","value":{"admitted":"yes"}}])"));
  });
  configure(true, "label", {webhook("label.admission.kube-cpp.dev", p, {rule({"CREATE", "UPDATE"})})});

  // The name generated for the webhook's review is the name stored.
  ConfigMap generated;
  generated.metadata.generate_name = "gen-";
  ConfigMap created = create(generated);
  auto received = hooks_->received(p);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(text(received[0].review, {"request", "name"}), created.metadata.name.value_or(""));
  ASSERT_TRUE(get(created.metadata.name.value_or("")));
  EXPECT_EQ(created.metadata.annotations->at("admitted"), "yes");

  // Server-side apply: CREATE when the object is missing, UPDATE after.
  std::string manifest = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied"},"data":{"k":"1"}})";
  std::string target = "/api/v1/namespaces/" + ns_ + "/configmaps/applied?fieldManager=admission-test";
  send("PATCH", target, json::parse(manifest), "application/apply-patch+yaml");
  send("PATCH", target, json::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied"},"data":{"k":"2"}})"),
       "application/apply-patch+yaml");
  received = hooks_->received(p);
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(text(received[1].review, {"request", "operation"}), "CREATE");
  EXPECT_EQ(text(received[2].review, {"request", "operation"}), "UPDATE");
  EXPECT_EQ(text(received[2].review, {"request", "oldObject", "data", "k"}), "1");
  auto applied = get("applied");
  ASSERT_TRUE(applied);
  EXPECT_EQ(applied->data->at("k"), "2");
  EXPECT_EQ(applied->metadata.annotations->at("admitted"), "yes");
}

TEST_F(Admission, UnreachableWebhookFailsClosedByDefault) {
  json::Object hook = webhook("unreachable.admission.kube-cpp.dev", path("nowhere"), {rule({"CREATE"})});
  hook["clientConfig"].as_object()["url"] = "https://127.0.0.1:1/nowhere";  // nothing listens on port 1
  configure(false, "unreachable", {hook});

  ApiError e = failure([&] { create(configmap("never")); });
  EXPECT_EQ(e.code(), 500);
  EXPECT_EQ(e.reason(), "InternalError");
  EXPECT_NE(e.message().find("failed calling webhook \"unreachable.admission.kube-cpp.dev\""), std::string::npos)
      << e.message();
  EXPECT_NE(e.message().find("https://127.0.0.1:1/nowhere?timeout=10s"), std::string::npos) << e.message();
  EXPECT_FALSE(get("never"));
}

TEST_F(Admission, UnreachableWebhookWithFailurePolicyIgnoreIsSkipped) {
  json::Object hook = webhook("ignored.admission.kube-cpp.dev", path("nowhere"), {rule({"CREATE"})});
  hook["clientConfig"].as_object()["url"] = "https://127.0.0.1:1/nowhere";
  hook["failurePolicy"] = "Ignore";
  configure(true, "ignored", {hook});

  create(configmap("proceeds"));
  EXPECT_TRUE(get("proceeds"));
}

TEST_F(Admission, WebhookSlowerThanTimeoutSecondsFails) {
  std::string p = path("slow");
  hooks_->on(p, [](const json::Value& review) {
    auto reply = allow(review);
    reply.delay = 3s;
    return reply;
  });
  json::Object hook = webhook("slow.admission.kube-cpp.dev", p, {rule({"CREATE"})});
  hook["timeoutSeconds"] = 1;
  configure(false, "slow", {hook});

  ApiError e = failure([&] { create(configmap("too-slow")); });
  EXPECT_EQ(e.code(), 500);
  EXPECT_NE(e.message().find("failed calling webhook \"slow.admission.kube-cpp.dev\""), std::string::npos);
  EXPECT_NE(e.message().find("deadline exceeded"), std::string::npos) << e.message();
  auto received = hooks_->received(p);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].target, p + "?timeout=1s");
  EXPECT_FALSE(get("too-slow"));
}

TEST_F(Admission, OnlyMatchingRulesAreCalled) {
  std::vector<std::pair<std::string, json::Value>> hooks = {
      {"update-only", rule({"UPDATE"})},
      {"secrets", rule({"*"}, {"secrets"})},
      {"apps", rule({"*"}, {"*"}, "apps")},
      {"v2", rule({"*"}, {"configmaps"}, "", "v2")},
      {"status-only", rule({"*"}, {"configmaps/status"})},
      {"everything", rule({"*"}, {"*/*"}, "*", "*")},
      {"all-resources", rule({"CREATE"}, {"*"})},
  };
  json::Array list;
  for (auto& [name, r] : hooks) {
    std::string p = path(name);
    hooks_->on(p, [](const json::Value& review) { return allow(review); });
    list.push_back(webhook(name + ".admission.kube-cpp.dev", p, {r}));
  }
  json::Object cluster = webhook("cluster.admission.kube-cpp.dev", path("cluster"), {rule({"*"})});
  cluster["rules"].as_array()[0].as_object()["scope"] = "Cluster";
  hooks_->on(path("cluster"), [](const json::Value& review) { return allow(review); });
  list.push_back(cluster);
  configure(false, "rules", std::move(list));

  create(configmap("ruled"));
  EXPECT_EQ(hooks_->calls(path("everything")), 1u);
  EXPECT_EQ(hooks_->calls(path("all-resources")), 1u);
  for (const char* name : {"update-only", "secrets", "apps", "v2", "status-only", "cluster"}) {
    EXPECT_EQ(hooks_->calls(path(name)), 0u) << name;
  }
  patch("ruled", R"({"data":{"k":"v2"}})");
  EXPECT_EQ(hooks_->calls(path("update-only")), 1u);
  EXPECT_EQ(hooks_->calls(path("everything")), 2u);
  EXPECT_EQ(hooks_->calls(path("all-resources")), 1u);
  EXPECT_EQ(hooks_->calls(path("secrets")), 0u);
}

TEST_F(Admission, NamespaceSelectorMatchesTheNamespaceLabels) {
  std::string p = path("ns");
  hooks_->on(p, [](const json::Value& review) { return allow(review); });
  std::string other = create_namespace("adm-other");
  send("PATCH", "/api/v1/namespaces/" + ns_,
       json::Object{{"metadata", json::Object{{"labels", json::Object{{"admission-test", ns_}}}}}},
       "application/merge-patch+json");
  json::Object hook = webhook("ns.admission.kube-cpp.dev", p, {rule({"CREATE"}), rule({"CREATE"}, {"namespaces"})});
  hook["namespaceSelector"] = json::Object{{"matchLabels", json::Object{{"admission-test", ns_}}}};
  configure(false, "ns", {hook});

  create(configmap("in-labelled"));
  EXPECT_EQ(hooks_->calls(p), 1u);
  create(configmap("in-other"), {}, other);
  EXPECT_EQ(hooks_->calls(p), 1u);

  // For a Namespace itself, the selector sees the object's own labels.
  std::string labelled = ns_ + "-child";
  send("POST", "/api/v1/namespaces",
       json::Object{{"metadata", json::Object{{"name", labelled}, {"labels", json::Object{{"admission-test", ns_}}}}}});
  send("POST", "/api/v1/namespaces", json::Object{{"metadata", json::Object{{"name", ns_ + "-plain"}}}});
  auto received = hooks_->received(p);
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(text(received[1].review, {"request", "resource", "resource"}), "namespaces");
  EXPECT_EQ(text(received[1].review, {"request", "name"}), labelled);
}

TEST_F(Admission, ObjectSelectorMatchesTheNewOrTheOldObject) {
  std::string p = path("objects");
  hooks_->on(p, [](const json::Value& review) { return allow(review); });
  json::Object hook = webhook("objects.admission.kube-cpp.dev", p, {rule({"CREATE", "UPDATE"})});
  hook["objectSelector"] = json::Object{{"matchLabels", json::Object{{"admit", "yes"}}}};
  configure(false, "objects", {hook});

  create(configmap("unlabelled"));
  EXPECT_EQ(hooks_->calls(p), 0u);
  create(configmap("labelled", {{"admit", "yes"}}));
  EXPECT_EQ(hooks_->calls(p), 1u);
  // Removing the label: the old object still matches.
  patch("labelled", R"({"metadata":{"labels":{"admit":null}}})");
  EXPECT_EQ(hooks_->calls(p), 2u);
  patch("labelled", R"({"data":{"k":"again"}})");
  EXPECT_EQ(hooks_->calls(p), 2u);
}

TEST_F(Admission, ServerKeepsServingWhileAWebhookIsSlow) {
  std::string p = path("slow");
  hooks_->on(p, [](const json::Value& review) {
    auto reply = allow(review);
    reply.delay = 2s;
    return reply;
  });
  configure(false, "slow", {webhook("slow.admission.kube-cpp.dev", p, {rule({"CREATE"})})});

  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    auto cms = Api<ConfigMap>::namespaced(client, ns_);
    auto secrets = Api<Secret>::namespaced(client, ns_);
    bool created = false;
    // (A coroutine lambda gets what it uses as parameters: its captures would die with it.)
    testing::Background slow(io.get_executor(), [](Api<ConfigMap> api, bool* done) -> net::awaitable<void> {
      co_await api.create({}, configmap("slow"));
      *done = true;
    }(cms, &created));
    while (hooks_->in_flight() == 0) co_await testing::pause(10ms);
    // Reads, a write nobody admits and a watch event all go through meanwhile.
    co_await Api<Namespace>::all(client).get(ns_);
    auto list = co_await cms.list();
    EXPECT_TRUE(list.items.empty());
    auto stream = co_await secrets.watch({.timeout_seconds = 30}, list.metadata.resource_version.value_or(""));
    Secret secret;
    secret.metadata.name = "meanwhile";
    co_await secrets.create({}, secret);
    auto event = co_await stream.next();
    CO_ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->type, WatchEventType::Added);
    EXPECT_EQ(name_of(event->object()), "meanwhile");
    EXPECT_FALSE(created);
    EXPECT_GT(hooks_->in_flight(), 0);
    co_await slow.join();
    EXPECT_TRUE(created);
  });
  EXPECT_TRUE(get("slow"));
}

TEST_F(Admission, DeleteIsAdmittedWithTheOldObject) {
  create(configmap("doomed"));
  std::string p = path("delete");
  std::atomic<int> calls{0};
  hooks_->on(p, [&](const json::Value& review) {
    return ++calls == 1 ? deny(review, 0, "not yet") : allow(review);
  });
  configure(false, "delete", {webhook("delete.admission.kube-cpp.dev", p, {rule({"DELETE"})})});

  ApiError e = failure([&] { remove("doomed"); });
  EXPECT_EQ(e.code(), 403);
  EXPECT_EQ(e.message(), "admission webhook \"delete.admission.kube-cpp.dev\" denied the request: not yet");
  EXPECT_TRUE(get("doomed"));
  remove("doomed");
  EXPECT_FALSE(get("doomed"));

  auto received = hooks_->received(p);
  ASSERT_EQ(received.size(), 2u);
  const json::Value& review = received[1].review;
  EXPECT_EQ(text(review, {"request", "operation"}), "DELETE");
  EXPECT_EQ(text(review, {"request", "name"}), "doomed");
  EXPECT_EQ(text(review, {"request", "object"}), "null");
  EXPECT_EQ(text(review, {"request", "oldObject", "metadata", "name"}), "doomed");
  EXPECT_EQ(text(review, {"request", "oldObject", "data", "k"}), "v");
  EXPECT_EQ(text(review, {"request", "options", "kind"}), "DeleteOptions");
}

TEST_F(Admission, DeleteCollectionAdmitsEveryObjectBeforeDeletingAny) {
  create(configmap("a", {{"group", "x"}}));
  create(configmap("b", {{"group", "x"}}));
  create(configmap("c"));
  std::string p = path("delete");
  std::atomic<bool> protect_b{true};
  hooks_->on(p, [&](const json::Value& review) {
    if (protect_b && text(review, {"request", "name"}) == "b") return deny(review, 0, "b is protected");
    return allow(review);
  });
  configure(false, "delete", {webhook("delete.admission.kube-cpp.dev", p, {rule({"DELETE"})})});

  auto remove_group = [&] {
    call([&](Client& c) -> net::awaitable<void> {
      co_await Api<ConfigMap>::namespaced(c, ns_).remove_collection({}, {.label_selector = "group=x"});
    });
  };
  ApiError e = failure(remove_group);
  EXPECT_EQ(e.code(), 403);
  EXPECT_TRUE(get("a"));
  EXPECT_TRUE(get("b"));
  protect_b = false;
  remove_group();
  EXPECT_FALSE(get("a"));
  EXPECT_FALSE(get("b"));
  EXPECT_TRUE(get("c"));
}

TEST_F(Admission, UpdateSeesTheOldAndTheNewObject) {
  create(configmap("updated"));
  std::string p = path("update");
  hooks_->on(p, [](const json::Value& review) {
    return allow(review, json::parse(R"([{"op":"add","path":"/metadata/annotations","value":{"seen":"update"}}])"));
  });
  configure(true, "update", {webhook("update.admission.kube-cpp.dev", p, {rule({"UPDATE"})})});

  ConfigMap patched = patch("updated", R"({"data":{"k":"v2"}})");
  ASSERT_TRUE(patched.metadata.annotations);
  EXPECT_EQ(patched.metadata.annotations->at("seen"), "update");
  EXPECT_EQ(patched.data->at("k"), "v2");
  auto received = hooks_->received(p);
  ASSERT_EQ(received.size(), 1u);
  const json::Value& review = received[0].review;
  EXPECT_EQ(text(review, {"request", "operation"}), "UPDATE");
  EXPECT_EQ(text(review, {"request", "oldObject", "data", "k"}), "v");
  EXPECT_EQ(text(review, {"request", "object", "data", "k"}), "v2");
  EXPECT_EQ(text(review, {"request", "options", "kind"}), "UpdateOptions");

  // A PUT is admitted the same way.
  ConfigMap replaced = *get("updated");
  replaced.data = std::map<std::string, std::string>{{"k", "v3"}};
  replaced = call([&](Client& c) -> net::awaitable<ConfigMap> {
    co_return co_await Api<ConfigMap>::namespaced(c, ns_).replace("updated", {}, replaced);
  });
  EXPECT_EQ(replaced.data->at("k"), "v3");
  EXPECT_EQ(hooks_->calls(p), 2u);
}

TEST_F(Admission, StatusSubresourceWritesMatchSubresourceRules) {
  using api::core::v1::Pod;
  std::string p = path("status");
  hooks_->on(p, [](const json::Value& review) {
    // Only the status of a status write counts: the label change is dropped.
    return allow(review, json::parse(R"([{"op":"add","path":"/status/message","value":"seen by the webhook"},
                                         {"op":"add","path":"/metadata/labels","value":{"sneaky":"label"}}])"));
  });
  configure(true, "status", {webhook("status.admission.kube-cpp.dev", p, {rule({"UPDATE", "CREATE"}, {"pods/status"})})});
  Pod pod;
  pod.metadata.name = "with-status";
  pod.spec.emplace();
  pod.spec->containers.emplace_back();
  pod.spec->containers[0].name = "c";
  pod.spec->containers[0].image = "busybox";
  Pod updated = call([&](Client& c) -> net::awaitable<Pod> {
    auto pods = Api<Pod>::namespaced(c, ns_);
    co_await pods.create({}, pod);
    co_await pods.patch("with-status", {}, Patch::merge(json::parse(R"({"metadata":{"annotations":{"a":"b"}}})")));
    co_return co_await pods.patch_status("with-status", {}, Patch::merge(json::parse(R"({"status":{"reason":"Testing"}})")));
  });
  auto received = hooks_->received(p);
  ASSERT_EQ(received.size(), 1u);  // not for the create or the main-resource patch
  EXPECT_EQ(text(received[0].review, {"request", "subResource"}), "status");
  EXPECT_EQ(text(received[0].review, {"request", "object", "status", "reason"}), "Testing");
  ASSERT_TRUE(updated.status);
  EXPECT_EQ(updated.status->message.value_or(""), "seen by the webhook");
  EXPECT_EQ(updated.status->reason.value_or(""), "Testing");
  EXPECT_FALSE(updated.metadata.labels && updated.metadata.labels->count("sneaky"));
}

TEST_F(Admission, ServiceReferencesResolveToThisMachine) {
  ensure_namespace(kServiceNamespace);
  std::string p = path("svc");
  hooks_->on(p, [](const json::Value& review) { return allow(review); });
  // No Endpoints: 127.0.0.1 on the service port's targetPort.
  send("POST", std::string("/api/v1/namespaces/") + kServiceNamespace + "/services",
       json::Object{{"metadata", json::Object{{"name", "admission-hooks"}}},
                    {"spec", json::Object{{"ports", json::Array{json::Object{{"port", 443}, {"targetPort", hooks_->port()}}}}}}});
  // With Endpoints: their address and port (the targetPort would lead nowhere).
  send("POST", std::string("/api/v1/namespaces/") + kServiceNamespace + "/services",
       json::Object{{"metadata", json::Object{{"name", "hooks-by-endpoints"}}},
                    {"spec", json::Object{{"ports", json::Array{json::Object{{"name", "https"}, {"port", 8443}, {"targetPort", 1}}}}}}});
  send("POST", std::string("/api/v1/namespaces/") + kServiceNamespace + "/endpoints",
       json::Object{{"metadata", json::Object{{"name", "hooks-by-endpoints"}}},
                    {"subsets", json::Array{json::Object{
                                    {"addresses", json::Array{json::Object{{"ip", "127.0.0.1"}}}},
                                    {"ports", json::Array{json::Object{{"name", "https"}, {"port", hooks_->port()}}}}}}}});
  auto service_hook = [&](const std::string& name, const std::string& service, int port) {
    json::Object hook = webhook(name, p, {rule({"CREATE"})});
    json::Object service_ref{{"namespace", kServiceNamespace}, {"name", service}, {"path", p}};
    if (port) service_ref["port"] = port;
    hook["clientConfig"] = json::Object{{"service", service_ref}, {"caBundle", hooks_->ca_bundle()}};
    return hook;
  };
  configure(false, "svc", {service_hook("by-port.admission.kube-cpp.dev", "admission-hooks", 0),
                           service_hook("by-endpoints.admission.kube-cpp.dev", "hooks-by-endpoints", 8443)});
  create(configmap("through-services"));
  auto received = hooks_->received(p);
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].target, p + "?timeout=10s");

  configure(false, "missing", {service_hook("missing.admission.kube-cpp.dev", "missing", 0)});
  ApiError e = failure([&] { create(configmap("no-service")); });
  EXPECT_EQ(e.code(), 500);
  EXPECT_NE(e.message().find("service \"webhook-system/missing\" not found"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("https://missing.webhook-system.svc:443" + p), std::string::npos) << e.message();
}

TEST_F(Admission, TlsIsVerifiedAgainstTheCaBundle) {
  std::string p = path("tls");
  hooks_->on(p, [](const json::Value& review) { return allow(review); });
  json::Object hook = webhook("tls.admission.kube-cpp.dev", p, {rule({"CREATE"})});
  // Another CA: the webhook's certificate does not verify.
  WebhookServer stranger;
  hook["clientConfig"].as_object()["caBundle"] = stranger.ca_bundle();
  configure(false, "tls", {hook});
  ApiError e = failure([&] { create(configmap("untrusted")); });
  EXPECT_EQ(e.code(), 500);
  EXPECT_NE(e.message().find("certificate"), std::string::npos) << e.message();
  EXPECT_EQ(hooks_->calls(p), 0u);
}

TEST_F(Admission, MutatingWebhooksRunInOrderBeforeValidatingOnes) {
  // Two mutating configurations (run by name), the second one sees the first one's patch; the
  // validating webhook sees the final object.
  std::string first = path("first"), second = path("second"), validate = path("validate");
  hooks_->on(first, [](const json::Value& review) {
    return allow(review, json::parse(R"([{"op":"add","path":"/metadata/labels","value":{"stage":"first"}}])"));
  });
  hooks_->on(second, [](const json::Value& review) {
    if (text(review, {"request", "object", "metadata", "labels", "stage"}) != "first") {
      return deny(review, 0, "the first webhook did not run before");
    }
    return allow(review, json::parse(R"([{"op":"replace","path":"/metadata/labels/stage","value":"second"}])"));
  });
  hooks_->on(validate, [](const json::Value& review) {
    if (text(review, {"request", "object", "metadata", "labels", "stage"}) != "second") {
      return deny(review, 0, "not mutated");
    }
    return allow(review);
  });
  configure(true, "b", {webhook("second.admission.kube-cpp.dev", second, {rule({"CREATE"})})});
  configure(true, "a", {webhook("first.admission.kube-cpp.dev", first, {rule({"CREATE"})})});
  configure(false, "v", {webhook("validate.admission.kube-cpp.dev", validate, {rule({"CREATE"})})});

  ConfigMap created = create(configmap("ordered"));
  EXPECT_EQ(created.metadata.labels->at("stage"), "second");
  EXPECT_EQ(hooks_->calls(first), 1u);
  EXPECT_EQ(hooks_->calls(second), 1u);
  EXPECT_EQ(hooks_->calls(validate), 1u);
}

TEST_F(Admission, RawJsonArrayPatchIsRejected) {
  std::string p = path("raw");
  hooks_->on(p, [](const json::Value& review) {
    json::Object response{{"uid", testing::review_uid(review)},
                          {"allowed", true},
                          {"patchType", "JSONPatch"},
                          {"patch", json::parse(R"([{"op":"add","path":"/metadata/labels","value":{"x":"y"}}])")}};
    return WebhookServer::Reply{200, json::serialize(json::Object{{"apiVersion", "admission.k8s.io/v1"},
                                                                  {"kind", "AdmissionReview"},
                                                                  {"response", response}})};
  });
  configure(true, "raw", {webhook("raw.admission.kube-cpp.dev", p, {rule({"CREATE"})})});
  ApiError e = failure([&] { create(configmap("raw-patch")); });
  EXPECT_EQ(e.code(), 500);
  EXPECT_NE(e.message().find("failed calling webhook \"raw.admission.kube-cpp.dev\""), std::string::npos);
  EXPECT_NE(e.message().find("base64"), std::string::npos) << e.message();
  EXPECT_FALSE(get("raw-patch"));
}

TEST_F(Admission, ResponseUidMustMatch) {
  std::string p = path("uid");
  hooks_->on(p, [](const json::Value& review) {
    json::Value copy = review;
    copy.as_object()["request"].as_object()["uid"] = "not-the-request-uid";
    return allow(copy);
  });
  configure(false, "uid", {webhook("uid.admission.kube-cpp.dev", p, {rule({"CREATE"})})});
  ApiError e = failure([&] { create(configmap("wrong-uid")); });
  EXPECT_EQ(e.code(), 500);
  EXPECT_NE(e.message().find("expected response.uid="), std::string::npos) << e.message();
  EXPECT_FALSE(get("wrong-uid"));
}

TEST_F(Admission, DryRunCallsWebhooksWithDryRunAndStoresNothing) {
  std::string p = path("dry");
  hooks_->on(p, [](const json::Value& review) {
    return allow(review, json::parse(R"([{"op":"add","path":"/metadata/labels","value":{"dry":"run"}}])"));
  });
  configure(true, "dry", {webhook("dry.admission.kube-cpp.dev", p, {rule({"CREATE"})})});
  ConfigMap answered = create(configmap("dry"), PostParams{.dry_run = true});
  EXPECT_EQ(answered.metadata.labels->at("dry"), "run");
  EXPECT_FALSE(get("dry"));
  auto received = hooks_->received(p);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(text(received[0].review, {"request", "dryRun"}), "true");
  EXPECT_EQ(text(received[0].review, {"request", "options", "dryRun"}), R"(["All"])");
}

TEST_F(Admission, WarningsBecomeWarningHeaders) {
  std::string p = path("warn");
  hooks_->on(p, [](const json::Value& review) { return allow(review, nullptr, {"label your configmaps"}); });
  configure(false, "warn", {webhook("warn.admission.kube-cpp.dev", p, {rule({"CREATE"})})});
  HttpResponse response = send("POST", "/api/v1/namespaces/" + ns_ + "/configmaps",
                               json::Object{{"metadata", json::Object{{"name", "warned"}}}});
  EXPECT_EQ(response.status, 201);
  ASSERT_EQ(response.warnings.size(), 1u);
  EXPECT_EQ(response.warnings[0], "299 - \"label your configmaps\"");
}

TEST_F(Admission, ObjectChangedDuringAdmissionIsAdmittedAgain) {
  create(configmap("contested"));
  std::string p = path("contested");
  std::atomic<int> calls{0};
  hooks_->on(p, [&](const json::Value& review) {
    auto reply = allow(review);
    if (++calls == 1) reply.delay = 1500ms;  // the first update waits while a second one goes through
    return reply;
  });
  configure(true, "contested", {webhook("contested.admission.kube-cpp.dev", p, {rule({"UPDATE"})})});

  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    auto cms = Api<ConfigMap>::namespaced(client, ns_);
    testing::Background first(io.get_executor(), [](Api<ConfigMap> api) -> net::awaitable<void> {
      co_await api.patch("contested", {}, Patch::merge(json::parse(R"({"data":{"a":"1"}})")));
    }(cms));
    while (hooks_->in_flight() == 0) co_await testing::pause(10ms);
    co_await cms.patch("contested", {}, Patch::merge(json::parse(R"({"data":{"b":"2"}})")));
    co_await first.join();
  });
  auto stored = get("contested");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->data->at("a"), "1");
  EXPECT_EQ(stored->data->at("b"), "2");
  EXPECT_EQ(hooks_->calls(p), 3u);  // first, second, first again on the changed object
}

TEST_F(Admission, WebhookConfigurationsAreValidated) {
  json::Value config = json::Object{
      {"metadata", json::Object{{"name", ns_ + "-invalid"}}},
      {"webhooks", json::Array{json::Object{{"name", "invalid.admission.kube-cpp.dev"},
                                            {"admissionReviewVersions", json::Array{"v1"}},
                                            {"clientConfig", json::Object{{"url", "http://127.0.0.1:1/x"}}},
                                            {"timeoutSeconds", 31}},
                               json::Object{{"name", "both.admission.kube-cpp.dev"},
                                            {"sideEffects", "None"},
                                            {"admissionReviewVersions", json::Array{"v1beta1"}},
                                            {"clientConfig", json::Object{{"url", "https://127.0.0.1:1/x"},
                                                                          {"service", json::Object{{"name", "s"}, {"namespace", "n"}}}}}}}}};
  ApiError e = failure([&] { send("POST", collection(false), config); });
  EXPECT_EQ(e.code(), 422);
  EXPECT_EQ(e.reason(), "Invalid");
  std::set<std::string> fields;
  if (e.status().details && e.status().details->causes) {
    for (const auto& c : *e.status().details->causes) fields.insert(c.field.value_or(""));
  }
  for (const char* field : {"webhooks[0].sideEffects", "webhooks[0].clientConfig.url", "webhooks[0].timeoutSeconds",
                            "webhooks[1].admissionReviewVersions", "webhooks[1].clientConfig"}) {
    EXPECT_TRUE(fields.count(field)) << field << " in " << e.message();
  }
  // A valid one comes back with the defaults.
  configure(false, "defaults", {webhook("defaults.admission.kube-cpp.dev", path("x"), {rule({"CREATE"})})});
  json::Value stored = json::parse(send("GET", collection(false) + "/" + ns_ + "-defaults").body);
  const json::Value& hook = stored.at("webhooks").at(0);
  EXPECT_EQ(text(hook, {"failurePolicy"}), "Fail");
  EXPECT_EQ(text(hook, {"matchPolicy"}), "Equivalent");
  EXPECT_EQ(text(hook, {"timeoutSeconds"}), "10");
  EXPECT_EQ(text(hook, {"objectSelector"}), "{}");
  EXPECT_EQ(text(hook.at("rules").at(0), {"scope"}), "*");
}

TEST_F(Admission, KubectlShowsTheDenialAndTheWarnings) {
  std::string kubectl = testing::find_program("kubectl");
  if (kubectl.empty()) GTEST_SKIP() << "kubectl is not installed";
  std::string deny_path = path("deny"), warn_path = path("warn");
  hooks_->on(deny_path, [](const json::Value& review) {
    if (text(review, {"request", "name"}) == "denied") return deny(review, 0, "this name is taken by policy");
    return allow(review, nullptr, {"configmaps should have an owner label"});
  });
  configure(false, "kubectl", {webhook("policy.admission.kube-cpp.dev", deny_path, {rule({"CREATE", "UPDATE"})})});
  std::filesystem::path kubeconfig =
      std::filesystem::temp_directory_path() / ("admission-kubeconfig-" + std::to_string(::getpid()));
  std::ofstream(kubeconfig) << server_->kubeconfig();
  auto apply = [&](const std::string& name) {
    std::string manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n  namespace: " + ns_ +
                           "\ndata:\n  k: v\n";
    return testing::run({kubectl, "--kubeconfig", kubeconfig.string(), "apply", "-f", "-"}, manifest);
  };
  testing::RunResult denied = apply("denied");
  EXPECT_NE(denied.exit_code, 0);
  EXPECT_NE(denied.err.find("admission webhook \"policy.admission.kube-cpp.dev\" denied the request: this name is "
                            "taken by policy"),
            std::string::npos)
      << denied.err;
  testing::RunResult allowed = apply("allowed");
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_NE(allowed.err.find("Warning: configmaps should have an owner label"), std::string::npos) << allowed.err;
  std::filesystem::remove(kubeconfig);
  EXPECT_FALSE(get("denied"));
  EXPECT_TRUE(get("allowed"));
}

}  // namespace
}  // namespace kube
