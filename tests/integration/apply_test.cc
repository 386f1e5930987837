// Server-side apply against kube-apiserver-lite through the real client: create-on-apply,
// managedFields, field ownership between managers, conflicts and force, removal of dropped
// fields, associative (map) lists and atomic lists, the status subresource, dryRun, and
// client-written managedFields.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "kube/api/apps/v1.h"
#include "kube/api/core/v1.h"
#include "kube/apiserver/server.h"
#include "kube/client/api.h"
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
using testing::run_async;

class ServerSideApply : public testing::ServerSuite {
 protected:
  void SetUp() override { ns_ = create_namespace("ssa"); }

  /// A raw request; the parsed response body (ApiError for non-2xx).
  json::Value send(std::string method, std::string target, std::string content_type, std::string body) {
    return call([&](Client& c) -> net::awaitable<json::Value> {
      HttpRequest request;
      request.method = method;
      request.target = target;
      if (!content_type.empty()) request.headers.emplace_back("Content-Type", content_type);
      request.body = body;
      HttpResponse response = co_await c.send(std::move(request));
      co_return json::parse(response.body);
    });
  }
  std::string cm_path(const std::string& name) { return "/api/v1/namespaces/" + ns_ + "/configmaps/" + name; }
  /// Server-side apply of a ConfigMap with `data` (a JSON object text) by `manager`.
  json::Value apply_cm(const std::string& name, const std::string& data, const std::string& manager,
                       bool force = false) {
    std::string body = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name + R"("},"data":)" + data + "}";
    return send("PATCH", cm_path(name) + "?fieldManager=" + manager + (force ? "&force=true" : ""),
                "application/apply-patch+yaml", body);
  }
  json::Value get_cm(const std::string& name) { return send("GET", cm_path(name), "", ""); }

  /// The managedFields entry of `manager` (null when it has none).
  static json::Value entry_of(const json::Value& object, std::string_view manager, std::string_view operation = "Apply") {
    const json::Value* list = object.as_object().at("metadata").as_object().if_contains("managedFields");
    if (!list) return nullptr;
    for (const auto& e : list->as_array()) {
      if (e.at("manager").as_string() == manager && e.at("operation").as_string() == operation) return e;
    }
    return nullptr;
  }
  static json::Value fields_of(const json::Value& object, std::string_view manager, std::string_view operation = "Apply") {
    json::Value e = entry_of(object, manager, operation);
    return e.is_null() ? json::Value() : e.at("fieldsV1");
  }
  static std::string data_of(const json::Value& cm) {
    const json::Value* data = cm.as_object().if_contains("data");
    return data ? boost::json::serialize(*data) : "null";
  }

  std::string ns_;
};

TEST_F(ServerSideApply, CreateOnApplyRecordsManagedFields) {
  json::Value created = apply_cm("cm", R"({"a":"1"})", "mgr-a");
  EXPECT_EQ(data_of(created), R"({"a":"1"})");
  json::Value entry = entry_of(created, "mgr-a");
  ASSERT_FALSE(entry.is_null()) << boost::json::serialize(created);
  EXPECT_EQ(entry.at("apiVersion").as_string(), "v1");
  EXPECT_EQ(entry.at("fieldsType").as_string(), "FieldsV1");
  EXPECT_FALSE(entry.at("time").as_string().empty());
  EXPECT_EQ(boost::json::serialize(entry.at("fieldsV1")), R"({"f:data":{".":{},"f:a":{}}})");
  // It is stored, with a uid.
  json::Value stored = get_cm("cm");
  EXPECT_FALSE(stored.at("metadata").at("uid").as_string().empty());
  EXPECT_EQ(data_of(stored), R"({"a":"1"})");
}

TEST_F(ServerSideApply, TypedClientAppliesWithForce) {
  // kube::client's Patch::apply / PatchParams::apply (application/apply-patch+yaml, fieldManager, force).
  ConfigMap desired;
  desired.metadata.name = "typed";
  desired.data = std::map<std::string, std::string>{{"k", "one"}};
  ConfigMap result = call([&](Client& c) -> net::awaitable<ConfigMap> {
    co_return co_await Api<ConfigMap>::namespaced(c, ns_).patch("typed", PatchParams::apply("typed-a"), Patch::apply(desired));
  });
  EXPECT_EQ(result.data->at("k"), "one");
  ASSERT_TRUE(result.metadata.managed_fields.has_value());
  EXPECT_EQ(result.metadata.managed_fields->front().manager, "typed-a");
  EXPECT_EQ(result.metadata.managed_fields->front().operation, "Apply");
  desired.data = std::map<std::string, std::string>{{"k", "two"}};
  try {
    call([&](Client& c) -> net::awaitable<void> {
      co_await Api<ConfigMap>::namespaced(c, ns_).patch("typed", PatchParams::apply("typed-b"), Patch::apply(desired));
    });
    FAIL() << "expected a conflict";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.is_conflict());
  }
  PatchParams forced = PatchParams::apply("typed-b");
  forced.force = true;
  result = call([&](Client& c) -> net::awaitable<ConfigMap> {
    co_return co_await Api<ConfigMap>::namespaced(c, ns_).patch("typed", forced, Patch::apply(desired));
  });
  EXPECT_EQ(result.data->at("k"), "two");
  // typed-b owns k now; typed-a keeps only the data map itself (it still applies one).
  json::Value dom = json::parse(json::encode(result));
  EXPECT_EQ(boost::json::serialize(fields_of(dom, "typed-b")), R"({"f:data":{".":{},"f:k":{}}})");
  EXPECT_EQ(boost::json::serialize(fields_of(dom, "typed-a")), R"({"f:data":{}})");
}

TEST_F(ServerSideApply, TwoManagersOwnDifferentFieldsAndDroppedFieldsAreRemoved) {
  apply_cm("cm", R"({"a":"1","shared":"s"})", "mgr-a");
  json::Value both = apply_cm("cm", R"({"b":"2","shared":"s"})", "mgr-b");  // same value: shared, no conflict
  EXPECT_EQ(data_of(both), R"({"a":"1","shared":"s","b":"2"})");
  EXPECT_EQ(boost::json::serialize(fields_of(both, "mgr-a")), R"({"f:data":{".":{},"f:a":{},"f:shared":{}}})");
  EXPECT_EQ(boost::json::serialize(fields_of(both, "mgr-b")), R"({"f:data":{".":{},"f:b":{},"f:shared":{}}})");
  // mgr-a drops a (only it owns it: removed) and shared (mgr-b owns it too: kept).
  json::Value after = apply_cm("cm", R"({"c":"3"})", "mgr-a");
  EXPECT_EQ(data_of(after), R"({"shared":"s","b":"2","c":"3"})");
  EXPECT_EQ(boost::json::serialize(fields_of(after, "mgr-a")), R"({"f:data":{".":{},"f:c":{}}})");
  EXPECT_EQ(data_of(get_cm("cm")), R"({"shared":"s","b":"2","c":"3"})");
}

TEST_F(ServerSideApply, ConflictNamesTheOtherManagerAndForceTakesOwnership) {
  apply_cm("cm", R"({"x":"1","y":"1"})", "mgr-a");
  try {
    apply_cm("cm", R"({"x":"2"})", "mgr-b");
    FAIL() << "expected 409";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 409);
    EXPECT_EQ(e.reason(), "Conflict");
    EXPECT_EQ(e.message(), R"(Apply failed with 1 conflict: conflict with "mgr-a" using v1: .data.x)");
    ASSERT_TRUE(e.status().details.has_value());
    ASSERT_TRUE(e.status().details->causes.has_value());
    ASSERT_EQ(e.status().details->causes->size(), 1u);
    const auto& cause = e.status().details->causes->front();
    EXPECT_EQ(cause.reason.value_or(""), "FieldManagerConflict");
    EXPECT_EQ(cause.field.value_or(""), ".data.x");
    EXPECT_EQ(cause.message.value_or(""), R"(conflict with "mgr-a" using v1)");
  }
  EXPECT_EQ(data_of(get_cm("cm")), R"({"x":"1","y":"1"})");  // nothing changed
  // Two conflicting fields: counted and listed.
  try {
    apply_cm("cm", R"({"x":"2","y":"2"})", "mgr-b");
    FAIL() << "expected 409";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.message(), "Apply failed with 2 conflicts: conflicts with \"mgr-a\" using v1:\n- .data.x\n- .data.y");
    EXPECT_EQ(e.status().details->causes->size(), 2u);
  }
  json::Value forced = apply_cm("cm", R"({"x":"2"})", "mgr-b", true);
  EXPECT_EQ(data_of(forced), R"({"x":"2","y":"1"})");
  EXPECT_EQ(boost::json::serialize(fields_of(forced, "mgr-a")), R"({"f:data":{".":{},"f:y":{}}})");
  EXPECT_EQ(boost::json::serialize(fields_of(forced, "mgr-b")), R"({"f:data":{".":{},"f:x":{}}})");
  // mgr-a no longer owns x: dropping it from its config leaves x alone... and applying its old
  // value again conflicts with mgr-b now.
  try {
    apply_cm("cm", R"({"x":"1","y":"1"})", "mgr-a");
    FAIL() << "expected 409";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.message(), R"(Apply failed with 1 conflict: conflict with "mgr-b" using v1: .data.x)");
  }
}

TEST_F(ServerSideApply, UpdatesAreTrackedAndConflictWithApply) {
  // A plain create and a merge patch record Update entries for their managers.
  send("POST", "/api/v1/namespaces/" + ns_ + "/configmaps?fieldManager=creator", "application/json",
       R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":{"x":"1","y":"1"}})");
  json::Value created = get_cm("cm");
  EXPECT_EQ(boost::json::serialize(fields_of(created, "creator", "Update")), R"({"f:data":{".":{},"f:x":{},"f:y":{}}})");
  json::Value patched = send("PATCH", cm_path("cm") + "?fieldManager=patcher", "application/merge-patch+json",
                             R"({"data":{"y":"2"}})");
  EXPECT_EQ(boost::json::serialize(fields_of(patched, "patcher", "Update")), R"({"f:data":{"f:y":{}}})");
  EXPECT_EQ(boost::json::serialize(fields_of(patched, "creator", "Update")), R"({"f:data":{".":{},"f:x":{}}})");
  try {
    apply_cm("cm", R"({"y":"3"})", "applier");
    FAIL() << "expected 409";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.message(), R"(Apply failed with 1 conflict: conflict with "patcher" using v1: .data.y)");
  }
  // Without fieldManager, the manager comes from the User-Agent's first word.
  json::Value anonymous = send("PATCH", cm_path("cm"), "application/merge-patch+json", R"({"data":{"z":"1"}})");
  const auto& entries = anonymous.at("metadata").at("managedFields").as_array();
  bool found = false;
  for (const auto& e : entries) {
    if (boost::json::serialize(e.at("fieldsV1")) == R"({"f:data":{"f:z":{}}})") {
      found = true;
      EXPECT_FALSE(e.at("manager").as_string().empty());
      EXPECT_EQ(std::string(e.at("manager").as_string()).find('/'), std::string::npos);
    }
  }
  EXPECT_TRUE(found) << boost::json::serialize(anonymous);
  // A write that changes nothing does not touch managedFields (and is no write at all).
  std::string rv(anonymous.at("metadata").at("resourceVersion").as_string());
  json::Value again = send("PATCH", cm_path("cm") + "?fieldManager=someone-else", "application/merge-patch+json",
                           R"({"data":{"z":"1"}})");
  EXPECT_EQ(again.at("metadata").at("resourceVersion").as_string(), rv);
  EXPECT_TRUE(entry_of(again, "someone-else", "Update").is_null());
}

TEST_F(ServerSideApply, ContainersMergeByName) {
  auto apply_deployment = [&](const std::string& manager, const std::string& containers) {
    std::string body = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{)"
                       R"("selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},)"
                       R"("spec":{"containers":)" + containers + "}}}}";
    return send("PATCH", "/apis/apps/v1/namespaces/" + ns_ + "/deployments/web?fieldManager=" + manager,
                "application/apply-patch+yaml", body);
  };
  apply_deployment("app-team", R"([{"name":"app","image":"app:1"}])");
  json::Value both = apply_deployment("mesh", R"([{"name":"sidecar","image":"proxy:1"}])");
  const auto& containers = both.at("spec").at("template").at("spec").at("containers").as_array();
  ASSERT_EQ(containers.size(), 2u) << boost::json::serialize(both);
  std::set<std::string> names;
  for (const auto& c : containers) names.insert(std::string(c.at("name").as_string()));
  EXPECT_EQ(names, (std::set<std::string>{"app", "sidecar"}));
  std::string mesh_fields = boost::json::serialize(fields_of(both, "mesh"));
  EXPECT_NE(mesh_fields.find(R"("f:containers":{"k:{\"name\":\"sidecar\"}":{".":{},"f:image":{},"f:name":{}}})"),
            std::string::npos)
      << mesh_fields;
  // app-team changes its image: the sidecar stays; dropping the sidecar is not app-team's call.
  json::Value updated = apply_deployment("app-team", R"([{"name":"app","image":"app:2"}])");
  const auto& after = updated.at("spec").at("template").at("spec").at("containers").as_array();
  ASSERT_EQ(after.size(), 2u);
  for (const auto& c : after) {
    if (c.at("name").as_string() == "app") EXPECT_EQ(c.at("image").as_string(), "app:2");
    if (c.at("name").as_string() == "sidecar") EXPECT_EQ(c.at("image").as_string(), "proxy:1");
  }
  // mesh removes its container by applying without it.
  json::Value removed = apply_deployment("mesh", R"([])");
  const auto& left = removed.at("spec").at("template").at("spec").at("containers").as_array();
  ASSERT_EQ(left.size(), 1u) << boost::json::serialize(removed);
  EXPECT_EQ(left[0].at("name").as_string(), "app");
}

TEST_F(ServerSideApply, CustomResourceListTypesAndStatus) {
  std::string crd = R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
    "metadata":{"name":"widgets.ssa.example.com"},
    "spec":{"group":"ssa.example.com","scope":"Namespaced",
      "names":{"plural":"widgets","singular":"widget","kind":"Widget","listKind":"WidgetList"},
      "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
        "schema":{"openAPIV3Schema":{"type":"object","properties":{
          "spec":{"type":"object","properties":{
            "ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
                     "items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"port":{"type":"integer"}}}},
            "tags":{"type":"array","items":{"type":"string"}},
            "labels":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}}},
          "status":{"type":"object","properties":{"phase":{"type":"string"}}}}}}}]}})";
  if (!call([&](Client& c) -> net::awaitable<bool> {
        HttpRequest get;
        get.method = "GET";
        get.target = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.ssa.example.com";
        try {
          co_await c.send(std::move(get));
          co_return true;
        } catch (const ApiError&) {
          co_return false;
        }
      })) {
    send("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", "application/json", crd);
  }
  std::string path = "/apis/ssa.example.com/v1/namespaces/" + ns_ + "/widgets/w";
  auto apply = [&](const std::string& manager, const std::string& spec, bool force = false) {
    // YAML body with the spec in JSON flow style.
    std::string yaml = "apiVersion: ssa.example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec: " + spec + "\n";
    return send("PATCH", path + "?fieldManager=" + manager + (force ? "&force=true" : ""),
                "application/apply-patch+yaml", yaml);
  };
  apply("a", R"({"ports":[{"name":"http","port":80}],"tags":["x","y"],"labels":["l1"]})");
  json::Value merged = apply("b", R"({"ports":[{"name":"metrics","port":9090}],"labels":["l2"]})");
  EXPECT_EQ(boost::json::serialize(merged.at("spec")),
            R"({"ports":[{"name":"http","port":80},{"name":"metrics","port":9090}],"tags":["x","y"],"labels":["l1","l2"]})");
  EXPECT_EQ(boost::json::serialize(fields_of(merged, "b")),
            R"({"f:spec":{"f:labels":{"v:\"l2\"":{}},"f:ports":{"k:{\"name\":\"metrics\"}":{".":{},"f:name":{},"f:port":{}}}}})");
  // The atomic list belongs to a as a whole: b replacing it conflicts; with force it is replaced.
  try {
    apply("b", R"({"ports":[{"name":"metrics","port":9090}],"labels":["l2"],"tags":["z"]})");
    FAIL() << "expected 409";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.message(), R"(Apply failed with 1 conflict: conflict with "a" using ssa.example.com/v1: .spec.tags)");
  }
  json::Value forced = apply("b", R"({"ports":[{"name":"metrics","port":9090}],"labels":["l2"],"tags":["z"]})", true);
  EXPECT_EQ(boost::json::serialize(forced.at("spec").at("tags")), R"(["z"])");
  // a's own atomic replacement after it gave up tags: a re-applies with only its port, changed.
  json::Value again = apply("a", R"({"ports":[{"name":"http","port":8080}],"labels":["l1"]})");
  EXPECT_EQ(boost::json::serialize(again.at("spec")),
            R"({"ports":[{"name":"http","port":8080},{"name":"metrics","port":9090}],"tags":["z"],"labels":["l1","l2"]})");

  // Status: apply to /status touches only status, and is recorded with subresource "status".
  json::Value status = send("PATCH", path + "/status?fieldManager=ctrl", "application/apply-patch+yaml",
                            R"({"apiVersion":"ssa.example.com/v1","kind":"Widget","metadata":{"name":"w"},)"
                            R"("spec":{"tags":["ignored"]},"status":{"phase":"Ready"}})");
  EXPECT_EQ(status.at("status").at("phase").as_string(), "Ready");
  EXPECT_EQ(boost::json::serialize(status.at("spec").at("tags")), R"(["z"])");
  json::Value ctrl = entry_of(status, "ctrl");
  ASSERT_FALSE(ctrl.is_null());
  EXPECT_EQ(ctrl.at("subresource").as_string(), "status");
  EXPECT_EQ(boost::json::serialize(ctrl.at("fieldsV1")), R"({"f:status":{"f:phase":{}}})");
  // Unknown fields are pruned (fieldValidation=Ignore) and owned by nobody.
  json::Value pruned = send("PATCH", path + "?fieldManager=sloppy&fieldValidation=Ignore", "application/apply-patch+yaml",
                            R"({"apiVersion":"ssa.example.com/v1","kind":"Widget","metadata":{"name":"w"},)"
                            R"("spec":{"bogus":1,"labels":["l3"]}})");
  EXPECT_FALSE(pruned.at("spec").as_object().contains("bogus"));
  EXPECT_EQ(boost::json::serialize(fields_of(pruned, "sloppy")), R"({"f:spec":{"f:labels":{"v:\"l3\"":{}}}})");
  // The main endpoint ignores status in an applied configuration.
  json::Value main = apply("a", R"({"ports":[{"name":"http","port":8080}],"labels":["l1"]})");
  EXPECT_EQ(main.at("status").at("phase").as_string(), "Ready");
}

TEST_F(ServerSideApply, AtomicListOfOneManagerIsReplaced) {
  // Pod args are atomic: re-applying replaces the list rather than merging it.
  auto apply_pod = [&](const std::string& args) {
    std::string body = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[)"
                       R"({"name":"c","image":"busybox","args":)" + args + "}]}}";
    return send("PATCH", "/api/v1/namespaces/" + ns_ + "/pods/p?fieldManager=me", "application/apply-patch+yaml", body);
  };
  apply_pod(R"(["a","b"])");
  json::Value pod = apply_pod(R"(["c"])");
  EXPECT_EQ(boost::json::serialize(pod.at("spec").at("containers").at(0).at("args")), R"(["c"])");
}

TEST_F(ServerSideApply, BadRequests) {
  auto expect_code = [&](int code, const std::string& target, const std::string& body, std::string_view reason = {}) {
    try {
      send("PATCH", target, "application/apply-patch+yaml", body);
      ADD_FAILURE() << "expected " << code << " for " << target << " " << body;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.code(), code) << e.message();
      if (!reason.empty()) EXPECT_EQ(e.reason(), reason);
    }
  };
  std::string good = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":{"a":"1"}})";
  expect_code(422, cm_path("cm"), good, "Invalid");  // no fieldManager
  expect_code(400, cm_path("cm") + "?fieldManager=m", R"({"metadata":{"name":"cm"},"data":{"a":"1"}})");  // no kind
  expect_code(400, cm_path("cm") + "?fieldManager=m", R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"cm"}})");
  expect_code(400, cm_path("other") + "?fieldManager=m", good);  // name mismatch
  expect_code(400, cm_path("cm") + "?fieldManager=m",
              R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","managedFields":[{"manager":"x"}]}})");
  expect_code(400, cm_path("cm") + "?fieldManager=m", "data: [unterminated");
  expect_code(404, cm_path("cm") + "/status?fieldManager=m", good);  // no create through /status
  expect_code(422, cm_path("cm") + "?fieldManager=" + std::string(129, 'm'), good);
  // force is for apply only.
  apply_cm("cm", R"({"a":"1"})", "m");
  try {
    send("PATCH", cm_path("cm") + "?force=true", "application/merge-patch+json", R"({"data":{"a":"2"}})");
    ADD_FAILURE() << "expected 422";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 422);
  }
}

TEST_F(ServerSideApply, DryRunPersistsNothing) {
  json::Value dry = send("PATCH", cm_path("cm") + "?fieldManager=m&dryRun=All", "application/apply-patch+yaml",
                         R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":{"a":"1"}})");
  EXPECT_EQ(data_of(dry), R"({"a":"1"})");
  EXPECT_FALSE(entry_of(dry, "m").is_null());
  try {
    get_cm("cm");
    FAIL() << "dry run created the object";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.is_not_found());
  }
  apply_cm("cm", R"({"a":"1"})", "m");
  json::Value dry_update = send("PATCH", cm_path("cm") + "?fieldManager=m&dryRun=All", "application/apply-patch+yaml",
                                R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":{"a":"2"}})");
  EXPECT_EQ(data_of(dry_update), R"({"a":"2"})");
  EXPECT_EQ(data_of(get_cm("cm")), R"({"a":"1"})");
}

TEST_F(ServerSideApply, ManagedFieldsAreClientWritable) {
  apply_cm("cm", R"({"a":"1"})", "old-owner");
  // What kubectl does when moving from client-side to server-side apply: a JSON patch that
  // rewrites metadata.managedFields.
  json::Value rewritten = send("PATCH", cm_path("cm"), "application/json-patch+json", R"([{"op":"replace",
      "path":"/metadata/managedFields","value":[{"manager":"new-owner","operation":"Apply","apiVersion":"v1",
      "time":"2026-01-01T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:a":{}}}}]}])");
  ASSERT_EQ(rewritten.at("metadata").at("managedFields").as_array().size(), 1u) << boost::json::serialize(rewritten);
  EXPECT_FALSE(entry_of(rewritten, "new-owner").is_null());
  // The rewritten ownership is what apply sees: new-owner drops a, which removes it.
  json::Value applied = apply_cm("cm", R"({"b":"2"})", "new-owner");
  EXPECT_EQ(data_of(applied), R"({"b":"2"})");
  // Malformed entries are rejected; an empty list resets ownership.
  try {
    send("PATCH", cm_path("cm"), "application/merge-patch+json",
         R"({"metadata":{"managedFields":[{"manager":"x","operation":"Sideways","fieldsType":"FieldsV1","fieldsV1":{}}]}})");
    FAIL() << "expected 422";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 422);
  }
  json::Value reset = send("PATCH", cm_path("cm"), "application/merge-patch+json", R"({"metadata":{"managedFields":[]}})");
  EXPECT_FALSE(reset.at("metadata").as_object().contains("managedFields")) << boost::json::serialize(reset);
}

}  // namespace
}  // namespace kube
