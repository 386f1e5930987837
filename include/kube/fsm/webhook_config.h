// Registering an operator's admission webhooks with the API server: from a description of the
// webhooks (name, path, guarded resources, operations, policies, selectors) and of where the
// WebhookServer is reached, the MutatingWebhookConfiguration / ValidatingWebhookConfiguration (with
// caBundle = the CA that signed the server's certificate) and, for an operator in the cluster, the
// Service in front of its pods and the kubernetes.io/tls Secret; all applied with server-side
// apply (force), optionally owned by the custom resource's CRD so that deleting the CRD removes
// them (garbage collection).
//
// Example (in the cluster, 443 -> the pods' 8443):
//   kube::fsm::WebhookConfig config{
//       .name = "moose-webhooks",
//       .webhooks = {{.name = "validate.mooses.animals.com", .type = kube::fsm::WebhookType::Validating,
//                     .path = "/validate-moose", .rules = {kube::fsm::WebhookRule::of<Moose>()}}},
//       .endpoint = kube::fsm::WebhookService{.namespace_ = "moose-system", .name = "moose-webhook",
//                                             .pod_labels = {{"app", "moose-operator"}}},
//       .owner_crd = "mooses.animals.com"};
//   co_await kube::fsm::apply_webhook_config(client, config, tls);
// Outside the cluster: .endpoint = kube::fsm::WebhookUrl{"https://127.0.0.1:" + std::to_string(server.port())}.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "kube/api/admissionregistration/v1.h"
#include "kube/api/core/v1.h"
#include "kube/client/client.h"
#include "kube/core/resource.h"
#include "kube/fsm/webhook_tls.h"

namespace kube::fsm {

enum class WebhookType { Validating, Mutating };

/// Which requests a webhook is called for (a RuleWithOperations).
struct WebhookRule {
  std::vector<std::string> operations = {"CREATE", "UPDATE"};  // CREATE, UPDATE, DELETE, CONNECT or *
  std::vector<std::string> api_groups;                         // "" for the core group
  std::vector<std::string> api_versions;
  std::vector<std::string> resources;  // plurals; "mooses/status" for a subresource
  std::string scope = "*";             // Namespaced, Cluster or *

  /// The rule for kind K (its group, version, plural and scope).
  template <Resource K>
  static WebhookRule of(std::vector<std::string> operations = {"CREATE", "UPDATE"}) {
    WebhookRule rule;
    rule.operations = std::move(operations);
    rule.api_groups = {std::string(K::group)};
    rule.api_versions = {std::string(K::version)};
    rule.resources = {std::string(K::plural)};
    rule.scope = K::scope == Scope::Namespaced ? "Namespaced" : "Cluster";
    return rule;
  }
};

/// One webhook of the configuration.
struct Webhook {
  /// Unique, a domain of at least three segments ("validate.mooses.animals.com").
  std::string name;
  WebhookType type = WebhookType::Validating;
  /// The WebhookServer path that answers it ("/validate-moose").
  std::string path;
  std::vector<WebhookRule> rules;
  std::string failure_policy = "Fail";  // or Ignore: admit when the webhook cannot be called
  std::string side_effects = "None";    // or NoneOnDryRun
  std::int32_t timeout_seconds = 10;    // 1 to 30
  std::optional<api::meta::v1::LabelSelector> namespace_selector;
  std::optional<api::meta::v1::LabelSelector> object_selector;
  std::optional<std::string> match_policy;         // Equivalent (the default) or Exact
  std::optional<std::string> reinvocation_policy;  // mutating only: Never (the default) or IfNeeded
};

/// The operator runs outside the cluster: the API server calls `base_url` + path directly.
struct WebhookUrl {
  std::string base_url;  // "https://127.0.0.1:8443"
};

/// The operator runs in the cluster behind a Service selecting its pods.
struct WebhookService {
  std::string namespace_;
  std::string name;
  std::int32_t port = 443;          // the Service's port, what the API server calls
  std::int32_t target_port = 8443;  // the WebhookServer's port in the pods
  std::map<std::string, std::string> pod_labels;  // the Service's selector
  /// Also apply the kubernetes.io/tls Secret `secret_name` holding the server's certificate (off
  /// when the Secret is someone else's, e.g. cert-manager's).
  bool apply_secret = true;
  std::string secret_name;  // default: NAME-tls
};

struct WebhookConfig {
  /// Name of the configuration objects (one Mutating-, one ValidatingWebhookConfiguration, each
  /// only when it has webhooks).
  std::string name;
  std::vector<Webhook> webhooks;
  std::variant<WebhookUrl, WebhookService> endpoint;
  std::string field_manager = "kube-fsm-webhooks";
  /// A CustomResourceDefinition ("mooses.animals.com") to own everything applied.
  std::optional<std::string> owner_crd;
};

/// What apply_webhook_config() writes (as built, or as the server returned it).
struct WebhookObjects {
  std::optional<api::admissionregistration::v1::MutatingWebhookConfiguration> mutating;
  std::optional<api::admissionregistration::v1::ValidatingWebhookConfiguration> validating;
  std::optional<api::core::v1::Service> service;
  std::optional<api::core::v1::Secret> secret;
};

/// The objects for `config` (no I/O): caBundle from tls.ca_pem, clientConfig.url = base_url + path
/// or clientConfig.service {namespace, name, port, path}, admissionReviewVersions ["v1"], and
/// `owner` (if any) in every object's ownerReferences. Throws InvalidArgument for an incomplete
/// description (no name, a webhook without a name, path or rule, duplicate webhook names).
WebhookObjects build_webhook_objects(const WebhookConfig& config, const WebhookTls& tls,
                                     const std::optional<OwnerReference>& owner = std::nullopt);

/// Builds the objects (with an ownerReference to config.owner_crd, read first, when set) and
/// applies each with server-side apply (config.field_manager, force): Secret, Service, then the
/// configurations. Returns the objects as stored. Idempotent.
boost::asio::awaitable<WebhookObjects> apply_webhook_config(Client client, WebhookConfig config, WebhookTls tls);

}  // namespace kube::fsm
