#include "kube/fsm/webhook_config.h"

#include <algorithm>
#include <set>

#include "kube/api/apiextensions/v1.h"
#include "kube/client/api.h"
#include "kube/core/error.h"

namespace kube::fsm {

namespace arv1 = api::admissionregistration::v1;
using api::apiextensions::v1::CustomResourceDefinition;
using api::core::v1::Secret;
using api::core::v1::Service;

namespace {

void validate(const WebhookConfig& config) {
  if (config.name.empty()) throw InvalidArgument("WebhookConfig: no name");
  if (config.webhooks.empty()) throw InvalidArgument("WebhookConfig \"" + config.name + "\": no webhooks");
  std::set<std::string> names;
  for (const Webhook& w : config.webhooks) {
    if (w.name.empty()) throw InvalidArgument("WebhookConfig \"" + config.name + "\": a webhook has no name");
    if (!names.insert(w.name).second) throw InvalidArgument("WebhookConfig: two webhooks are named \"" + w.name + "\"");
    if (std::count(w.name.begin(), w.name.end(), '.') < 2)  // as the API server requires
      throw InvalidArgument("webhook \"" + w.name + "\": the name must be a domain with at least three segments");
    if (w.path.empty() || w.path.front() != '/')
      throw InvalidArgument("webhook \"" + w.name + "\": path \"" + w.path + "\" must start with '/'");
    if (w.rules.empty()) throw InvalidArgument("webhook \"" + w.name + "\": no rules");
    if (w.timeout_seconds < 1 || w.timeout_seconds > 30)
      throw InvalidArgument("webhook \"" + w.name + "\": timeoutSeconds must be between 1 and 30");
  }
  if (const auto* url = std::get_if<WebhookUrl>(&config.endpoint)) {
    if (!url->base_url.starts_with("https://")) throw InvalidArgument("WebhookUrl \"" + url->base_url + "\" is not https://");
  } else {
    const auto& service = std::get<WebhookService>(config.endpoint);
    if (service.name.empty() || service.namespace_.empty())
      throw InvalidArgument("WebhookService: name and namespace are required");
    if (service.pod_labels.empty()) throw InvalidArgument("WebhookService \"" + service.name + "\": no pod_labels to select");
  }
}

ObjectMeta meta(std::string name, std::optional<std::string> namespace_, const std::optional<OwnerReference>& owner) {
  ObjectMeta m;
  m.name = std::move(name);
  m.namespace_ = std::move(namespace_);
  if (owner) m.owner_references.emplace().push_back(*owner);
  return m;
}

arv1::WebhookClientConfig client_config(const WebhookConfig& config, const Webhook& webhook, const WebhookTls& tls) {
  arv1::WebhookClientConfig client;
  client.ca_bundle = ByteString{tls.ca_pem};  // base64 of the PEM on the wire
  if (const auto* url = std::get_if<WebhookUrl>(&config.endpoint)) {
    std::string base = url->base_url;
    while (base.ends_with('/')) base.pop_back();
    client.url = base + webhook.path;
  } else {
    const auto& service = std::get<WebhookService>(config.endpoint);
    auto& ref = client.service.emplace();
    ref.namespace_ = service.namespace_;
    ref.name = service.name;
    ref.port = service.port;
    ref.path = webhook.path;
  }
  return client;
}

std::vector<arv1::RuleWithOperations> rules_of(const Webhook& webhook) {
  std::vector<arv1::RuleWithOperations> rules;
  for (const WebhookRule& r : webhook.rules) {
    arv1::RuleWithOperations rule;
    rule.operations = r.operations;
    rule.api_groups = r.api_groups;
    rule.api_versions = r.api_versions;
    rule.resources = r.resources;
    rule.scope = r.scope;
    rules.push_back(std::move(rule));
  }
  return rules;
}

// The members MutatingWebhook and ValidatingWebhook share.
template <class W>
W webhook_of(const WebhookConfig& config, const Webhook& webhook, const WebhookTls& tls) {
  W w;
  w.name = webhook.name;
  w.admission_review_versions = {"v1"};
  w.client_config = client_config(config, webhook, tls);
  w.rules = rules_of(webhook);
  w.failure_policy = webhook.failure_policy;
  w.side_effects = webhook.side_effects;
  w.timeout_seconds = webhook.timeout_seconds;
  w.match_policy = webhook.match_policy;
  if (webhook.namespace_selector) w.namespace_selector = *webhook.namespace_selector;
  if (webhook.object_selector) w.object_selector = *webhook.object_selector;
  return w;
}

template <class K>
boost::asio::awaitable<K> server_side_apply(Api<K> api, const K& object, const std::string& field_manager) {
  PatchParams pp = PatchParams::apply(field_manager);
  pp.force = true;
  co_return co_await api.patch(*object.metadata.name, pp, Patch::apply(object));
}

}  // namespace

WebhookObjects build_webhook_objects(const WebhookConfig& config, const WebhookTls& tls,
                                     const std::optional<OwnerReference>& owner) {
  validate(config);
  WebhookObjects objects;
  for (const Webhook& webhook : config.webhooks) {
    if (webhook.type == WebhookType::Mutating) {
      if (!objects.mutating) objects.mutating.emplace().metadata = meta(config.name, std::nullopt, owner);
      arv1::MutatingWebhook w = webhook_of<arv1::MutatingWebhook>(config, webhook, tls);
      w.reinvocation_policy = webhook.reinvocation_policy;
      if (!objects.mutating->webhooks) objects.mutating->webhooks.emplace();
      objects.mutating->webhooks->push_back(std::move(w));
    } else {
      if (webhook.reinvocation_policy)
        throw InvalidArgument("webhook \"" + webhook.name + "\": reinvocationPolicy is for mutating webhooks");
      if (!objects.validating) objects.validating.emplace().metadata = meta(config.name, std::nullopt, owner);
      if (!objects.validating->webhooks) objects.validating->webhooks.emplace();
      objects.validating->webhooks->push_back(webhook_of<arv1::ValidatingWebhook>(config, webhook, tls));
    }
  }
  if (const auto* service = std::get_if<WebhookService>(&config.endpoint)) {
    Service& svc = objects.service.emplace();
    svc.metadata = meta(service->name, service->namespace_, owner);
    auto& spec = svc.spec.emplace();
    spec.selector = service->pod_labels;
    api::core::v1::ServicePort port;
    port.name = "https";
    port.protocol = "TCP";
    port.port = service->port;
    port.target_port = IntOrString(service->target_port);
    spec.ports.emplace().push_back(std::move(port));
    if (service->apply_secret) {
      std::string name = service->secret_name.empty() ? service->name + "-tls" : service->secret_name;
      objects.secret = tls.to_secret(name, service->namespace_);
      objects.secret->metadata = meta(name, service->namespace_, owner);
    }
  }
  return objects;
}

boost::asio::awaitable<WebhookObjects> apply_webhook_config(Client client, WebhookConfig config, WebhookTls tls) {
  validate(config);
  std::optional<OwnerReference> owner;
  if (config.owner_crd) {
    CustomResourceDefinition crd = co_await Api<CustomResourceDefinition>::all(client).get(*config.owner_crd);
    OwnerReference& ref = owner.emplace();
    ref.api_version = std::string(CustomResourceDefinition::api_version);
    ref.kind = std::string(CustomResourceDefinition::kind);
    ref.name = *config.owner_crd;
    ref.uid = crd.metadata.uid.value_or("");
  }
  WebhookObjects desired = build_webhook_objects(config, tls, owner);
  WebhookObjects applied;
  const std::string& manager = config.field_manager;
  if (desired.secret) {
    applied.secret = co_await server_side_apply(
        Api<Secret>::namespaced(client, *desired.secret->metadata.namespace_), *desired.secret, manager);
  }
  if (desired.service) {
    applied.service = co_await server_side_apply(
        Api<Service>::namespaced(client, *desired.service->metadata.namespace_), *desired.service, manager);
  }
  if (desired.mutating) {
    applied.mutating =
        co_await server_side_apply(Api<arv1::MutatingWebhookConfiguration>::all(client), *desired.mutating, manager);
  }
  if (desired.validating) {
    applied.validating =
        co_await server_side_apply(Api<arv1::ValidatingWebhookConfiguration>::all(client), *desired.validating, manager);
  }
  co_return applied;
}

}  // namespace kube::fsm
