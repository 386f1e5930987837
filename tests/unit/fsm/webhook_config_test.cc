// The webhook configuration objects built from an operator's description (no I/O): client configs
// for URL and service modes, caBundle, rules, policies, the Service and Secret, owner references,
// and the refusal of incomplete descriptions.
#include "kube/fsm/webhook_config.h"

#include <gtest/gtest.h>

#include "kube/api/apps/v1.h"
#include "kube/core/dom.h"

namespace kube::fsm {
namespace {

const WebhookTls& tls() {
  static const WebhookTls t{"-----BEGIN CERTIFICATE-----\nserving\n", "-----BEGIN PRIVATE KEY-----\n",
                            "-----BEGIN CERTIFICATE-----\nca\n"};
  return t;
}

WebhookConfig deployments_config() {
  return {.name = "guard",
          .webhooks = {{.name = "check.deployments.example.com",
                        .path = "/check",
                        .rules = {WebhookRule::of<api::apps::v1::Deployment>({"CREATE"})}},
                       {.name = "default.deployments.example.com",
                        .type = WebhookType::Mutating,
                        .path = "/default",
                        .rules = {WebhookRule::of<api::apps::v1::Deployment>()},
                        .side_effects = "NoneOnDryRun",
                        .timeout_seconds = 3}},
          .endpoint = WebhookUrl{"https://127.0.0.1:9443/"}};
}

TEST(WebhookConfig, RuleOfAKind) {
  WebhookRule rule = WebhookRule::of<api::apps::v1::Deployment>();
  EXPECT_EQ(rule.api_groups, std::vector<std::string>{"apps"});
  EXPECT_EQ(rule.api_versions, std::vector<std::string>{"v1"});
  EXPECT_EQ(rule.resources, std::vector<std::string>{"deployments"});
  EXPECT_EQ(rule.scope, "Namespaced");
  EXPECT_EQ(rule.operations, (std::vector<std::string>{"CREATE", "UPDATE"}));
  EXPECT_EQ(WebhookRule::of<api::core::v1::Namespace>().scope, "Cluster");
  EXPECT_EQ(WebhookRule::of<api::core::v1::Pod>().api_groups, std::vector<std::string>{""});
}

TEST(WebhookConfig, UrlModeBuildsOnlyTheConfigurations) {
  WebhookObjects objects = build_webhook_objects(deployments_config(), tls());
  EXPECT_FALSE(objects.service);
  EXPECT_FALSE(objects.secret);
  ASSERT_TRUE(objects.validating && objects.mutating);
  EXPECT_EQ(objects.validating->metadata.name, "guard");
  EXPECT_FALSE(objects.validating->metadata.owner_references);
  const auto& v = objects.validating->webhooks->at(0);
  EXPECT_EQ(v.client_config.url, "https://127.0.0.1:9443/check");
  EXPECT_EQ(v.client_config.ca_bundle->bytes, tls().ca_pem);
  EXPECT_EQ(v.side_effects, "None");
  EXPECT_EQ(v.failure_policy, "Fail");
  EXPECT_EQ(v.timeout_seconds, 10);
  EXPECT_EQ(v.rules->at(0).operations, std::vector<std::string>{"CREATE"});
  const auto& m = objects.mutating->webhooks->at(0);
  EXPECT_EQ(m.client_config.url, "https://127.0.0.1:9443/default");
  EXPECT_EQ(m.side_effects, "NoneOnDryRun");
  EXPECT_EQ(m.timeout_seconds, 3);
  // On the wire: apiVersion, kind, the caBundle in base64.
  json::Value wire = json::to_dom(*objects.validating);
  EXPECT_EQ(wire.at("apiVersion").as_string(), "admissionregistration.k8s.io/v1");
  EXPECT_EQ(wire.at("kind").as_string(), "ValidatingWebhookConfiguration");
  EXPECT_EQ(wire.at("webhooks").at(0).at("clientConfig").at("caBundle").as_string(), base64_encode(tls().ca_pem));
  EXPECT_EQ(json::serialize(wire.at("webhooks").at(0).at("admissionReviewVersions")), R"(["v1"])");
}

TEST(WebhookConfig, OnlyTheKindsOfWebhooksPresentAreBuilt) {
  WebhookConfig config = deployments_config();
  config.webhooks.pop_back();
  WebhookObjects objects = build_webhook_objects(config, tls());
  EXPECT_TRUE(objects.validating);
  EXPECT_FALSE(objects.mutating);
}

TEST(WebhookConfig, ServiceModeAddsTheServiceAndSecretWithOwners) {
  WebhookConfig config = deployments_config();
  config.endpoint = WebhookService{.namespace_ = "ops", .name = "guard-webhook", .pod_labels = {{"app", "guard"}}};
  OwnerReference owner;
  owner.api_version = "apiextensions.k8s.io/v1";
  owner.kind = "CustomResourceDefinition";
  owner.name = "guards.example.com";
  owner.uid = "1234";
  WebhookObjects objects = build_webhook_objects(config, tls(), owner);
  const auto& ref = objects.mutating->webhooks->at(0).client_config.service;
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->namespace_, "ops");
  EXPECT_EQ(ref->name, "guard-webhook");
  EXPECT_EQ(ref->port, 443);
  EXPECT_EQ(ref->path, "/default");
  EXPECT_FALSE(objects.mutating->webhooks->at(0).client_config.url);
  ASSERT_TRUE(objects.service);
  EXPECT_EQ(objects.service->metadata.namespace_, "ops");
  EXPECT_EQ(objects.service->spec->selector->at("app"), "guard");
  EXPECT_EQ(objects.service->spec->ports->at(0).port, 443);
  EXPECT_EQ(objects.service->spec->ports->at(0).target_port, IntOrString(8443));
  ASSERT_TRUE(objects.secret);
  EXPECT_EQ(objects.secret->metadata.name, "guard-webhook-tls");
  EXPECT_EQ(objects.secret->type, "kubernetes.io/tls");
  EXPECT_EQ(WebhookTls::from_secret(*objects.secret), tls());
  for (const ObjectMeta* meta : {&objects.mutating->metadata, &objects.validating->metadata, &objects.service->metadata,
                                 &objects.secret->metadata}) {
    ASSERT_TRUE(meta->owner_references);
    EXPECT_EQ(meta->owner_references->at(0), owner);
  }
  // Someone else's Secret is left alone.
  std::get<WebhookService>(config.endpoint).apply_secret = false;
  EXPECT_FALSE(build_webhook_objects(config, tls()).secret);
}

TEST(WebhookConfig, IncompleteDescriptionsAreRefused) {
  auto refused = [](auto change) {
    WebhookConfig config = deployments_config();
    change(config);
    try {
      build_webhook_objects(config, tls());
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refused([](WebhookConfig&) {}), "accepted");
  EXPECT_EQ(refused([](WebhookConfig& c) { c.name.clear(); }), "WebhookConfig: no name");
  EXPECT_EQ(refused([](WebhookConfig& c) { c.webhooks.clear(); }), "WebhookConfig \"guard\": no webhooks");
  EXPECT_EQ(refused([](WebhookConfig& c) { c.webhooks[1].name = c.webhooks[0].name; }),
            "WebhookConfig: two webhooks are named \"check.deployments.example.com\"");
  EXPECT_EQ(refused([](WebhookConfig& c) { c.webhooks[0].name = "check.deployments"; }),
            "webhook \"check.deployments\": the name must be a domain with at least three segments");
  EXPECT_EQ(refused([](WebhookConfig& c) { c.webhooks[0].path = "check"; }),
            "webhook \"check.deployments.example.com\": path \"check\" must start with '/'");
  EXPECT_EQ(refused([](WebhookConfig& c) { c.webhooks[0].rules.clear(); }), "webhook \"check.deployments.example.com\": no rules");
  EXPECT_EQ(refused([](WebhookConfig& c) { c.webhooks[0].timeout_seconds = 31; }),
            "webhook \"check.deployments.example.com\": timeoutSeconds must be between 1 and 30");
  EXPECT_EQ(refused([](WebhookConfig& c) { c.webhooks[0].reinvocation_policy = "IfNeeded"; }),
            "webhook \"check.deployments.example.com\": reinvocationPolicy is for mutating webhooks");
  EXPECT_EQ(refused([](WebhookConfig& c) { c.endpoint = WebhookUrl{"http://127.0.0.1:80"}; }),
            "WebhookUrl \"http://127.0.0.1:80\" is not https://");
  EXPECT_EQ(refused([](WebhookConfig& c) { c.endpoint = WebhookService{.namespace_ = "ops", .name = "svc"}; }),
            "WebhookService \"svc\": no pod_labels to select");
}

TEST(WebhookTls, ServiceHostsAndSecretRoundTrip) {
  WebhookHosts hosts = WebhookHosts::service("guard", "ops");
  EXPECT_EQ(hosts.dns_names, (std::vector<std::string>{"guard", "guard.ops", "guard.ops.svc", "guard.ops.svc.cluster.local",
                                                       "localhost"}));
  EXPECT_EQ(hosts.ip_addresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
  WebhookTls generated = WebhookTls::generate(hosts);
  EXPECT_TRUE(generated.certificate_pem.starts_with("-----BEGIN CERTIFICATE-----"));
  EXPECT_TRUE(generated.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
  EXPECT_NE(generated.certificate_pem, generated.ca_pem);
  api::core::v1::Secret secret = generated.to_secret("guard-tls", "ops");
  EXPECT_EQ(WebhookTls::from_secret(json::decode<api::core::v1::Secret>(json::encode(secret))), generated);
  // stringData works too (a Secret written by hand, before the API server folds it into data).
  api::core::v1::Secret by_hand;
  by_hand.string_data = std::map<std::string, std::string>{{"tls.crt", generated.certificate_pem},
                                                           {"tls.key", generated.private_key_pem}};
  EXPECT_EQ(WebhookTls::from_secret(by_hand).ca_pem, generated.certificate_pem);
  by_hand.string_data->erase("tls.key");
  EXPECT_THROW(WebhookTls::from_secret(by_hand), InvalidArgument);
}

}  // namespace
}  // namespace kube::fsm
