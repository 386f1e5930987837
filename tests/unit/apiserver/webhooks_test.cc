// Admission webhook logic without I/O (apiserver/webhooks.h): rules, selectors, configuration
// validation and defaults, the AdmissionReview sent, and what each kind of reply means.
#include "apiserver/webhooks.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "kube/core/byte_string.h"

namespace kube::apiserver {
namespace {

AdmissionAttributes pod_attributes(AdmissionOperation op = AdmissionOperation::Create, std::string subresource = "") {
  AdmissionAttributes a;
  a.operation = op;
  a.version = "v1";
  a.kind = "Pod";
  a.resource = "pods";
  a.subresource = std::move(subresource);
  a.ns = "default";
  a.name = "p";
  a.object = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web"}}})");
  a.user = UserInfo{"alice", "u-1", {"dev", "system:authenticated"}};
  return a;
}

WebhookRule make_rule(std::vector<std::string> ops, std::vector<std::string> resources, std::string scope = "*") {
  return WebhookRule{std::move(ops), {""}, {"v1"}, std::move(resources), std::move(scope)};
}

TEST(WebhookRules, OperationsGroupsVersionsAndResourceForms) {
  AdmissionAttributes create = pod_attributes();
  AdmissionAttributes status = pod_attributes(AdmissionOperation::Update, "status");
  EXPECT_TRUE(rule_matches(make_rule({"CREATE"}, {"pods"}), create));
  EXPECT_FALSE(rule_matches(make_rule({"UPDATE"}, {"pods"}), create));
  EXPECT_TRUE(rule_matches(make_rule({"*"}, {"pods"}), create));
  EXPECT_FALSE(rule_matches(make_rule({"*"}, {"services"}), create));
  // "*" is every resource without a subresource; "*/*" everything; "pods/*" pods and theirs.
  EXPECT_TRUE(rule_matches(make_rule({"*"}, {"*"}), create));
  EXPECT_FALSE(rule_matches(make_rule({"*"}, {"*"}), status));
  EXPECT_TRUE(rule_matches(make_rule({"*"}, {"*/*"}), status));
  EXPECT_TRUE(rule_matches(make_rule({"*"}, {"pods/*"}), status));
  EXPECT_TRUE(rule_matches(make_rule({"*"}, {"pods/*"}), create));
  EXPECT_TRUE(rule_matches(make_rule({"*"}, {"pods/status"}), status));
  EXPECT_TRUE(rule_matches(make_rule({"*"}, {"*/status"}), status));
  EXPECT_FALSE(rule_matches(make_rule({"*"}, {"pods"}), status));
  EXPECT_FALSE(rule_matches(make_rule({"*"}, {"pods/status"}), create));

  WebhookRule apps = make_rule({"*"}, {"*"});
  apps.groups = {"apps"};
  EXPECT_FALSE(rule_matches(apps, create));
  apps.groups = {"*"};
  apps.versions = {"v2"};
  EXPECT_FALSE(rule_matches(apps, create));
  apps.versions = {"*"};
  EXPECT_TRUE(rule_matches(apps, create));

  EXPECT_TRUE(rule_matches(make_rule({"*"}, {"pods"}, "Namespaced"), create));
  EXPECT_FALSE(rule_matches(make_rule({"*"}, {"pods"}, "Cluster"), create));
  AdmissionAttributes node = create;
  node.resource = "nodes";
  node.namespaced = false;
  node.ns.clear();
  EXPECT_TRUE(rule_matches(make_rule({"*"}, {"nodes"}, "Cluster"), node));
  EXPECT_FALSE(rule_matches(make_rule({"*"}, {"nodes"}, "Namespaced"), node));
}

TEST(WebhookRules, NamespaceAndObjectSelectors) {
  Webhook hook;
  hook.rules = {make_rule({"*"}, {"*"})};
  hook.namespace_selector = LabelSelector::parse("env=prod");
  AdmissionAttributes pod = pod_attributes();
  EXPECT_TRUE(webhook_matches(hook, pod, {{"env", "prod"}}));
  EXPECT_FALSE(webhook_matches(hook, pod, {{"env", "dev"}}));
  // Cluster-scoped objects other than namespaces are never excluded by it.
  AdmissionAttributes node = pod;
  node.resource = "nodes";
  node.namespaced = false;
  EXPECT_TRUE(webhook_matches(hook, node, {}));
  AdmissionAttributes ns = node;
  ns.resource = "namespaces";
  EXPECT_FALSE(webhook_matches(hook, ns, {}));
  EXPECT_TRUE(webhook_matches(hook, ns, {{"env", "prod"}}));

  hook.namespace_selector = {};
  hook.object_selector = LabelSelector::parse("app=web");
  EXPECT_TRUE(webhook_matches(hook, pod, {}));
  AdmissionAttributes relabelled = pod_attributes(AdmissionOperation::Update);
  relabelled.object = json::parse(R"({"metadata":{"labels":{"app":"db"}}})");
  EXPECT_FALSE(webhook_matches(hook, relabelled, {}));
  relabelled.old_object = json::parse(R"({"metadata":{"labels":{"app":"web"}}})");
  EXPECT_TRUE(webhook_matches(hook, relabelled, {}));  // the old object matches
  AdmissionAttributes deleted = pod_attributes(AdmissionOperation::Delete);
  deleted.object = nullptr;
  EXPECT_FALSE(webhook_matches(hook, deleted, {}));
}

TEST(WebhookConfiguration, DefaultsAndParsing) {
  std::string ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  json::Value config = json::parse(R"({"metadata":{"name":"policy"},"webhooks":[{
      "name":"a.example.com","sideEffects":"None","admissionReviewVersions":["v1"],
      "clientConfig":{"service":{"namespace":"ns","name":"svc","path":"/m"},"caBundle":")" +
                                   base64_encode(ca) + R"("},
      "rules":[{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"]}]}]})");
  EXPECT_TRUE(validate_webhook_configuration(config, true).empty());
  const json::Value& hook = config.at("webhooks").at(0);
  EXPECT_EQ(hook.at("failurePolicy"), "Fail");
  EXPECT_EQ(hook.at("matchPolicy"), "Equivalent");
  EXPECT_EQ(hook.at("reinvocationPolicy"), "Never");
  EXPECT_EQ(hook.at("timeoutSeconds"), 10);
  EXPECT_EQ(hook.at("namespaceSelector"), json::Object{});
  EXPECT_EQ(hook.at("objectSelector"), json::Object{});
  EXPECT_EQ(hook.at("rules").at(0).at("scope"), "*");
  EXPECT_EQ(hook.at("clientConfig").at("service").at("port"), 443);

  std::vector<Webhook> parsed = parse_webhook_configuration(config, true);
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0].configuration, "policy");
  EXPECT_TRUE(parsed[0].mutating);
  EXPECT_FALSE(parsed[0].fail_open);
  EXPECT_EQ(parsed[0].timeout_seconds, 10);
  EXPECT_EQ(parsed[0].service_name, "svc");
  EXPECT_EQ(parsed[0].service_port, 443);
  EXPECT_EQ(parsed[0].service_path, "/m");
  EXPECT_EQ(parsed[0].ca_bundle, ca);
  ASSERT_EQ(parsed[0].rules.size(), 1u);
  EXPECT_EQ(parsed[0].rules[0].resources, std::vector<std::string>{"pods"});
}

TEST(WebhookConfiguration, ValidationErrors) {
  json::Value config = json::parse(R"({"webhooks":[
      {"name":"short","admissionReviewVersions":["v1beta1"],"clientConfig":{"url":"http://x/y"},"timeoutSeconds":0,
       "failurePolicy":"Sometimes","rules":[{"operations":["PATCH"],"apiGroups":[],"apiVersions":["v1"],"resources":["pods"]}]},
      {"name":"b.example.com","sideEffects":"Some","admissionReviewVersions":["v1"],"clientConfig":{}},
      {"name":"b.example.com","sideEffects":"None","admissionReviewVersions":["v1"],
       "clientConfig":{"url":"https://h/p?q=1"}},
      {"name":"c.example.com","sideEffects":"None","admissionReviewVersions":["v1"],
       "clientConfig":{"service":{"name":"s","path":"x","port":70000}},"objectSelector":{"matchExpressions":[{"key":"a","operator":"Near"}]}}]})");
  json::Array causes = validate_webhook_configuration(config, false);
  std::map<std::string, std::string> by_field;
  for (const auto& c : causes) by_field[std::string(c.at("field").as_string())] = std::string(c.at("message").as_string());
  EXPECT_NE(by_field["webhooks[0].name"].find("at least three segments"), std::string::npos);
  EXPECT_NE(by_field["webhooks[0].admissionReviewVersions"].find("must include v1"), std::string::npos);
  EXPECT_EQ(by_field["webhooks[0].sideEffects"], "Required value: must specify one of None, NoneOnDryRun");
  EXPECT_EQ(by_field["webhooks[0].clientConfig.url"], "Unsupported value: \"http\": supported values: \"https\"");
  EXPECT_NE(by_field["webhooks[0].timeoutSeconds"].find("between 1 and 30"), std::string::npos);
  EXPECT_NE(by_field["webhooks[0].failurePolicy"].find("Unsupported value: \"Sometimes\""), std::string::npos);
  EXPECT_NE(by_field["webhooks[0].rules[0].operations"].find("\"PATCH\""), std::string::npos);
  EXPECT_EQ(by_field["webhooks[0].rules[0].apiGroups"], "Required value");
  EXPECT_NE(by_field["webhooks[1].sideEffects"].find("Unsupported value: \"Some\""), std::string::npos);
  EXPECT_NE(by_field["webhooks[1].clientConfig"].find("exactly one of url or service"), std::string::npos);
  EXPECT_NE(by_field["webhooks[2].name"].find("Duplicate value"), std::string::npos);
  EXPECT_NE(by_field["webhooks[2].clientConfig.url"].find("query parameters"), std::string::npos);
  EXPECT_NE(by_field["webhooks[3].clientConfig.service.namespace"].find("Required value"), std::string::npos);
  EXPECT_NE(by_field["webhooks[3].clientConfig.service.path"].find("must start with a '/'"), std::string::npos);
  EXPECT_NE(by_field["webhooks[3].clientConfig.service.port"].find("between 1 and 65535"), std::string::npos);
  EXPECT_NE(by_field["webhooks[3].objectSelector"].find("Near"), std::string::npos);
}

TEST(AdmissionReview, RequestFields) {
  AdmissionAttributes a = pod_attributes(AdmissionOperation::Update, "status");
  a.old_object = json::parse(R"({"metadata":{"name":"p"}})");
  a.options = json::parse(R"({"kind":"UpdateOptions","apiVersion":"meta.k8s.io/v1"})");
  a.dry_run = true;
  json::Value review = admission_review(a, "uid-1");
  EXPECT_EQ(review.at("apiVersion"), "admission.k8s.io/v1");
  EXPECT_EQ(review.at("kind"), "AdmissionReview");
  const json::Object& r = review.at("request").as_object();
  EXPECT_EQ(r.at("uid"), "uid-1");
  EXPECT_EQ(r.at("kind"), json::parse(R"({"group":"","version":"v1","kind":"Pod"})"));
  EXPECT_EQ(r.at("resource"), json::parse(R"({"group":"","version":"v1","resource":"pods"})"));
  EXPECT_EQ(r.at("requestKind"), r.at("kind"));
  EXPECT_EQ(r.at("requestResource"), r.at("resource"));
  EXPECT_EQ(r.at("subResource"), "status");
  EXPECT_EQ(r.at("requestSubResource"), "status");
  EXPECT_EQ(r.at("name"), "p");
  EXPECT_EQ(r.at("namespace"), "default");
  EXPECT_EQ(r.at("operation"), "UPDATE");
  EXPECT_EQ(r.at("userInfo"), json::parse(R"({"username":"alice","uid":"u-1","groups":["dev","system:authenticated"]})"));
  EXPECT_EQ(r.at("object").at("metadata").at("name"), "p");
  EXPECT_EQ(r.at("oldObject").at("metadata").at("name"), "p");
  EXPECT_EQ(r.at("dryRun"), true);
  EXPECT_EQ(r.at("options").at("kind"), "UpdateOptions");

  AdmissionAttributes cluster = pod_attributes();
  cluster.ns.clear();
  json::Value plain = admission_review(cluster, "u");
  EXPECT_FALSE(plain.at("request").as_object().contains("namespace"));
  EXPECT_FALSE(plain.at("request").as_object().contains("subResource"));
  EXPECT_TRUE(plain.at("request").at("oldObject").is_null());
}

class Replies : public ::testing::Test {
 protected:
  Replies() {
    hook.name = "hook.example.com";
    hook.mutating = true;
  }
  static std::string reply(const std::string& response) {
    return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":)" + response + "}";
  }
  WebhookOutcome interpret(const std::string& response, const AdmissionAttributes& a = pod_attributes()) {
    return interpret_reply(hook, a, "u-1", 200, reply(response));
  }
  static std::string patch(const std::string& operations) { return base64_encode(operations); }
  Webhook hook;
};

TEST_F(Replies, AllowAndWarnings) {
  WebhookOutcome out = interpret(R"({"uid":"u-1","allowed":true,"warnings":["careful",""]})");
  EXPECT_EQ(out.kind, WebhookOutcome::Allowed);
  EXPECT_FALSE(out.patched);
  EXPECT_EQ(out.warnings, std::vector<std::string>{"careful"});
}

TEST_F(Replies, BrokenRepliesAreFailedCalls) {
  EXPECT_EQ(interpret_reply(hook, pod_attributes(), "u-1", 500, "oops").kind, WebhookOutcome::CallFailed);
  EXPECT_EQ(interpret_reply(hook, pod_attributes(), "u-1", 200, "not json").kind, WebhookOutcome::CallFailed);
  WebhookOutcome wrong_kind = interpret_reply(hook, pod_attributes(), "u-1", 200,
                                              R"({"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview"})");
  EXPECT_EQ(wrong_kind.kind, WebhookOutcome::CallFailed);
  EXPECT_NE(wrong_kind.error.find("admission.k8s.io/v1beta1"), std::string::npos);
  WebhookOutcome absent = interpret_reply(hook, pod_attributes(), "u-1", 200,
                                          R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})");
  EXPECT_NE(absent.error.find("absent"), std::string::npos);
  WebhookOutcome uid = interpret(R"({"uid":"other","allowed":true})");
  EXPECT_EQ(uid.kind, WebhookOutcome::CallFailed);
  EXPECT_NE(uid.error.find("expected response.uid=\"u-1\", got \"other\""), std::string::npos);
}

TEST_F(Replies, DenialStatus) {
  WebhookOutcome out = interpret(R"({"uid":"u-1","allowed":false,"status":{"message":"no"}})");
  ASSERT_EQ(out.kind, WebhookOutcome::Rejected);
  EXPECT_EQ(out.status.status, 403);
  json::Value body = json::parse(out.status.body);
  EXPECT_EQ(body.at("kind"), "Status");
  EXPECT_EQ(body.at("status"), "Failure");
  EXPECT_EQ(body.at("reason"), "Forbidden");
  EXPECT_EQ(body.at("message"), "admission webhook \"hook.example.com\" denied the request: no");
  EXPECT_EQ(body.at("details"), json::parse(R"({"name":"p","group":"","kind":"pods"})"));

  out = interpret(R"({"uid":"u-1","allowed":false})");
  EXPECT_EQ(json::parse(out.status.body).at("message"),
            "admission webhook \"hook.example.com\" denied the request without explanation");
  out = interpret(R"({"uid":"u-1","allowed":false,"status":{"code":429,"reason":"TooMany"}})");
  EXPECT_EQ(out.status.status, 429);
  EXPECT_EQ(json::parse(out.status.body).at("reason"), "TooMany");
  EXPECT_EQ(json::parse(out.status.body).at("message"), "admission webhook \"hook.example.com\" denied the request: TooMany");
  out = interpret(R"({"uid":"u-1","allowed":false,"status":{"code":200,"message":"m"}})");
  EXPECT_EQ(out.status.status, 400);  // a denial is never a success
}

TEST_F(Replies, JsonPatchIsApplied) {
  WebhookOutcome out = interpret(R"({"uid":"u-1","allowed":true,"patchType":"JSONPatch","patch":")" +
                                 patch(R"([{"op":"add","path":"/metadata/labels/tier","value":"front"}])") + R"("})");
  ASSERT_EQ(out.kind, WebhookOutcome::Allowed);
  EXPECT_TRUE(out.patched);
  EXPECT_EQ(out.object.at("metadata").at("labels").at("tier"), "front");
  EXPECT_EQ(out.object.at("metadata").at("labels").at("app"), "web");
  EXPECT_FALSE(interpret(R"({"uid":"u-1","allowed":true,"patchType":"JSONPatch","patch":")" + patch("[]") + R"("})").patched);
}

TEST_F(Replies, UnusablePatches) {
  // The JSON array a known buggy framework sent instead of base64.
  WebhookOutcome raw = interpret(R"({"uid":"u-1","allowed":true,"patchType":"JSONPatch",
                                     "patch":[{"op":"add","path":"/x","value":1}]})");
  EXPECT_EQ(raw.kind, WebhookOutcome::CallFailed);
  EXPECT_NE(raw.error.find("base64"), std::string::npos);
  std::string ops = patch(R"([{"op":"add","path":"/metadata/labels/x","value":"y"}])");
  EXPECT_EQ(interpret(R"({"uid":"u-1","allowed":true,"patch":")" + ops + R"("})").kind, WebhookOutcome::CallFailed);
  EXPECT_EQ(interpret(R"({"uid":"u-1","allowed":true,"patchType":"MergePatch","patch":")" + ops + R"("})").kind,
            WebhookOutcome::CallFailed);
  EXPECT_EQ(interpret(R"({"uid":"u-1","allowed":true,"patchType":"JSONPatch","patch":"%%%"})").kind,
            WebhookOutcome::CallFailed);
  // A patch that does not apply, or one for a DELETE (no object), fails the request whatever the
  // failure policy.
  WebhookOutcome bad = interpret(R"({"uid":"u-1","allowed":true,"patchType":"JSONPatch","patch":")" +
                                 patch(R"([{"op":"remove","path":"/spec/missing"}])") + R"("})");
  EXPECT_EQ(bad.kind, WebhookOutcome::Rejected);
  EXPECT_EQ(bad.status.status, 500);
  AdmissionAttributes deleting = pod_attributes(AdmissionOperation::Delete);
  deleting.object = nullptr;
  WebhookOutcome on_delete =
      interpret(R"({"uid":"u-1","allowed":true,"patchType":"JSONPatch","patch":")" + ops + R"("})", deleting);
  EXPECT_EQ(on_delete.kind, WebhookOutcome::Rejected);
  EXPECT_NE(on_delete.status.body.find("attempted to modify the object"), std::string::npos);
  // Validating webhooks may not patch.
  hook.mutating = false;
  EXPECT_EQ(interpret(R"({"uid":"u-1","allowed":true,"patchType":"JSONPatch","patch":")" + ops + R"("})").kind,
            WebhookOutcome::CallFailed);
}

TEST(WebhookStatuses, CallFailureAndDryRun) {
  ApiResponse failure = webhook_call_failure("w.example.com", "failed to call webhook: boom");
  EXPECT_EQ(failure.status, 500);
  json::Value body = json::parse(failure.body);
  EXPECT_EQ(body.at("reason"), "InternalError");
  EXPECT_EQ(body.at("message"), "Internal error occurred: failed calling webhook \"w.example.com\": failed to call webhook: boom");
  ApiResponse dry = dry_run_unsupported("w.example.com");
  EXPECT_EQ(dry.status, 400);
  EXPECT_EQ(json::parse(dry.body).at("message"), "admission webhook \"w.example.com\" does not support dry run");
  Webhook hook;
  hook.side_effects = "NoneOnDryRun";
  EXPECT_TRUE(supports_dry_run(hook));
  hook.side_effects = "Some";
  EXPECT_FALSE(supports_dry_run(hook));
}

}  // namespace
}  // namespace kube::apiserver
