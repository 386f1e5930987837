// Admission points of the Api: where a write that webhooks apply to stops (AdmissionNeeded) and how
// it continues when the request is served again with the webhooks' results. The webhooks are called
// by the HTTP layer (admission.cc) between the two runs, so nothing here blocks.
//
// A request runs up to three times: (1) computes the object and stops for the mutating webhooks;
// (2) recomputes, takes the mutated object, validates it again and stops for the validating
// webhooks; (3) recomputes and stores the admitted object. Each round is recorded by admission point
// with the revision of the existing object it was computed from: if the object changed meanwhile,
// the write is computed again and admitted afresh (as Kubernetes' update loop does), at most
// kMaxRestarts times. Nothing is written before the last run.
#include <boost/json/serialize.hpp>

#include "apiserver/api_impl.h"
#include "apiserver/dom_util.h"
#include "apiserver/webhooks.h"

namespace kube::apiserver {

namespace {

constexpr int kMaxRestarts = 3;

std::string url_host(std::string_view url, std::string& port, std::string& path) {
  std::string_view rest = url.substr(url.find("://") == std::string_view::npos ? 0 : url.find("://") + 3);
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  std::string host;
  port = "443";
  if (!authority.empty() && authority.front() == '[') {  // [::1]:8443
    auto close = authority.find(']');
    host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = std::string(authority.substr(close + 2));
  } else {
    auto colon = authority.rfind(':');
    host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = std::string(authority.substr(colon + 1));
  }
  return host;
}

json::Value options_object(const ApiRequest& request, std::string_view kind, bool dry_run) {
  json::Object options{{"kind", kind}, {"apiVersion", "meta.k8s.io/v1"}};
  if (dry_run) options["dryRun"] = json::Array{"All"};
  if (auto manager = request.param("fieldManager")) options["fieldManager"] = *manager;
  if (auto validation = request.param("fieldValidation")) options["fieldValidation"] = *validation;
  return options;
}

}  // namespace

bool Api::Impl::webhooks_apply(const ResourceInfo& resource) {
  // Requests for webhook configurations (and admission policies) never go to webhooks, so a broken
  // webhook cannot lock itself in.
  if (resource.group == "admissionregistration.k8s.io") return false;
  if (webhooks_stale) {
    webhooks_stale = false;
    mutating_webhooks.clear();
    validating_webhooks.clear();
    for (bool mutating : {true, false}) {
      auto& list = mutating ? mutating_webhooks : validating_webhooks;
      store.range(storage_prefix("admissionregistration.k8s.io",
                                 mutating ? "mutatingwebhookconfigurations" : "validatingwebhookconfigurations", ""),
                  "", [&](const ObjectPtr& o) {
                    for (auto& w : parse_webhook_configuration(json::parse(o->json), mutating)) list.push_back(std::move(w));
                    return true;
                  });
    }
  }
  return !mutating_webhooks.empty() || !validating_webhooks.empty();
}

bool Api::Impl::webhooks_for(const Target& target, AdmissionOperation operation) {
  if (!webhooks_apply(*target.resource)) return false;
  const ResourceInfo& resource = *target.resource;
  AdmissionAttributes attributes;
  attributes.operation = operation;
  attributes.group = resource.group;
  attributes.version = resource.version;
  attributes.resource = resource.plural;
  attributes.subresource = target.subresource;
  attributes.namespaced = resource.namespaced;
  for (const auto* list : {&mutating_webhooks, &validating_webhooks}) {
    for (const auto& w : *list) {
      for (const auto& rule : w.rules) {
        if (rule_matches(rule, attributes)) return true;
      }
    }
  }
  return false;
}

void Api::Impl::admit(const ApiRequest& request, const Target& target, AdmissionOperation operation,
                      json::Value& object, const json::Value* old, std::uint64_t revision, bool dry_run,
                      const json::Object* options) {
  if (!webhooks_apply(*target.resource)) return;
  std::optional<AdmissionItem> item =
      admission_step(request, target, operation, object, old, revision, dry_run, options, "");
  if (!item) return;
  std::shared_ptr<Admission> admission = request.admission ? request.admission : std::make_shared<Admission>();
  admission->items.push_back(std::move(*item));
  throw AdmissionNeeded{std::move(admission)};
}

std::optional<AdmissionItem> Api::Impl::admission_step(const ApiRequest& request, const Target& target,
                                                       AdmissionOperation operation, json::Value& object,
                                                       const json::Value* old, std::uint64_t revision, bool dry_run,
                                                       const json::Object* options, const std::string& point) {
  const ResourceInfo& resource = *target.resource;
  bool deleting = operation == AdmissionOperation::Delete;
  bool mutated = false;
  if (Admission* admission = request.admission.get()) {
    auto it = admission->admitted.find(point);
    if (it != admission->admitted.end() && it->second.revision != revision) {
      // The object changed while its admission ran: this run computed the write afresh.
      admission->admitted.erase(it);
      if (++admission->restarts > kMaxRestarts) {
        std::string qualified = resource.group.empty() ? resource.plural : resource.plural + "." + resource.group;
        fail(409, "Conflict",
             "Operation cannot be fulfilled on " + qualified + " \"" + target.name +
                 "\": the object has been modified; please apply your changes to the latest version and try again",
             json::Object{{"name", target.name}, {"group", resource.group}, {"kind", resource.plural}});
      }
    } else if (it != admission->admitted.end()) {
      if (it->second.validated) {
        if (!deleting) object = it->second.object;
        return std::nullopt;
      }
      if (!deleting) object = revalidate(request, target, it->second.before, it->second.object, old);
      mutated = true;
    }
  }

  AdmissionAttributes attributes;
  attributes.operation = operation;
  attributes.group = resource.group;
  attributes.version = resource.version;
  attributes.kind = resource.kind;
  attributes.resource = resource.plural;
  attributes.subresource = target.subresource;
  attributes.namespaced = resource.namespaced;
  attributes.ns = resource.namespaced ? target.ns : "";
  attributes.name = deleting || !object.is_object() ? target.name : string_at(object, {"metadata", "name"});
  if (attributes.name.empty()) attributes.name = target.name;
  attributes.dry_run = dry_run;
  attributes.user = request.user;
  switch (operation) {
    case AdmissionOperation::Create:
      attributes.options = options_object(request, "CreateOptions", dry_run);
      break;
    case AdmissionOperation::Update:
      attributes.options = options_object(request, "UpdateOptions", dry_run);
      break;
    default: {
      json::Object o = options ? *options : json::Object{};
      o["kind"] = "DeleteOptions";
      o["apiVersion"] = "meta.k8s.io/v1";
      if (dry_run) o["dryRun"] = json::Array{"All"};
      attributes.options = std::move(o);
    }
  }
  // Labels the namespace selector is matched against: the Namespace object itself for writes of
  // namespaces, else the request's namespace.
  Labels namespace_labels;
  if (resource.group.empty() && resource.plural == "namespaces") {
    const json::Value* source = (operation == AdmissionOperation::Create || operation == AdmissionOperation::Update) &&
                                        target.subresource.empty()
                                    ? &object
                                    : old;
    if (source) namespace_labels = labels_of(*source);
  } else if (resource.namespaced) {
    if (ObjectPtr ns = store.get(storage_key("", "namespaces", "", target.ns))) namespace_labels = ns->labels;
  }

  auto resolve = [&](const Webhook& webhook) {
    WebhookEndpoint endpoint;
    std::string timeout = "?timeout=" + std::to_string(webhook.timeout_seconds) + "s";
    if (!webhook.url.empty()) {
      std::string path;
      endpoint.host = url_host(webhook.url, endpoint.port, path);
      endpoint.server_name = endpoint.host;
      endpoint.target = path + timeout;
      endpoint.url = webhook.url + timeout;
      return endpoint;
    }
    // A service reference, resolved on this machine: the first address and matching port of the
    // service's Endpoints or EndpointSlices; without any, 127.0.0.1 on the service port's
    // numeric targetPort, else on the port itself.
    std::string path = webhook.service_path.empty() ? "/" : webhook.service_path;
    endpoint.server_name = webhook.service_name + "." + webhook.service_namespace + ".svc";
    endpoint.url = "https://" + endpoint.server_name + ":" + std::to_string(webhook.service_port) + path + timeout;
    endpoint.target = path + timeout;
    ObjectPtr service = store.get(storage_key("", "services", webhook.service_namespace, webhook.service_name));
    if (!service) {
      endpoint.error = "service \"" + webhook.service_namespace + "/" + webhook.service_name + "\" not found";
      return endpoint;
    }
    json::Value svc = json::parse(service->json);
    const json::Value* port_spec = nullptr;
    if (const json::Value* ports = find_path(svc, {"spec", "ports"}); ports && ports->is_array()) {
      for (const auto& p : ports->as_array()) {
        if (const json::Value* n = find_path(p, {"port"}); n && n->is_int64() && n->as_int64() == webhook.service_port) {
          port_spec = &p;
        }
      }
    }
    if (!port_spec) {
      endpoint.error = "service \"" + webhook.service_namespace + "/" + webhook.service_name + "\" has no port " +
                       std::to_string(webhook.service_port);
      return endpoint;
    }
    std::string port_name = string_at(*port_spec, {"name"});
    // A port of an Endpoints subset or an EndpointSlice with the service port's name.
    auto pick_port = [&](const json::Value* ports) -> std::string {
      if (!ports || !ports->is_array()) return {};
      for (const auto& p : ports->as_array()) {
        const json::Value* n = find_path(p, {"port"});
        if (n && n->is_int64() && (string_at(p, {"name"}) == port_name || ports->as_array().size() == 1)) {
          return std::to_string(n->as_int64());
        }
      }
      return {};
    };
    if (ObjectPtr eps = store.get(storage_key("", "endpoints", webhook.service_namespace, webhook.service_name))) {
      json::Value e = json::parse(eps->json);
      if (const json::Value* subsets = find_path(e, {"subsets"}); subsets && subsets->is_array()) {
        for (const auto& subset : subsets->as_array()) {
          const json::Value* addresses = find_path(subset, {"addresses"});
          std::string port = pick_port(find_path(subset, {"ports"}));
          if (addresses && addresses->is_array() && !addresses->as_array().empty() && !port.empty()) {
            std::string ip = string_at(addresses->as_array().front(), {"ip"});
            if (!ip.empty()) {
              endpoint.host = ip;
              endpoint.port = port;
              return endpoint;
            }
          }
        }
      }
    }
    bool found = false;
    store.range(storage_prefix("discovery.k8s.io", "endpointslices", webhook.service_namespace), "",
                [&](const ObjectPtr& slice) {
                  auto owner = slice->labels.find("kubernetes.io/service-name");
                  if (owner == slice->labels.end() || owner->second != webhook.service_name) return true;
                  json::Value s = json::parse(slice->json);
                  std::string port = pick_port(find_path(s, {"ports"}));
                  const json::Value* endpoints = find_path(s, {"endpoints"});
                  if (port.empty() || !endpoints || !endpoints->is_array()) return true;
                  for (const auto& ep : endpoints->as_array()) {
                    const json::Value* addresses = find_path(ep, {"addresses"});
                    if (addresses && addresses->is_array() && !addresses->as_array().empty() &&
                        addresses->as_array().front().is_string()) {
                      endpoint.host = to_std(addresses->as_array().front().as_string());
                      endpoint.port = port;
                      found = true;
                      return false;
                    }
                  }
                  return true;
                });
    if (found) return endpoint;
    endpoint.host = "127.0.0.1";
    endpoint.port = std::to_string(webhook.service_port);
    if (const json::Value* target_port = find_path(*port_spec, {"targetPort"}); target_port && target_port->is_int64()) {
      endpoint.port = std::to_string(target_port->as_int64());
    }
    return endpoint;
  };

  AdmissionItem item;
  item.point = point;
  item.revision = revision;
  if (!mutated) {
    // Kubernetes calls mutating webhooks for DELETE with neither object nor old object.
    attributes.object = deleting ? json::Value() : object;
    if (old && !deleting) attributes.old_object = *old;
    for (const auto& w : mutating_webhooks) {
      if (webhook_matches(w, attributes, namespace_labels)) item.webhooks.push_back({w, resolve(w)});
    }
    if (!item.webhooks.empty()) {
      item.mutating = true;
      item.before = attributes.object;
      item.attributes = std::move(attributes);
      return item;
    }
  }
  attributes.object = deleting ? json::Value() : object;
  if (old) attributes.old_object = *old;
  for (const auto& w : validating_webhooks) {
    if (webhook_matches(w, attributes, namespace_labels)) item.webhooks.push_back({w, resolve(w)});
  }
  if (item.webhooks.empty()) return std::nullopt;
  item.attributes = std::move(attributes);
  return item;
}

}  // namespace kube::apiserver
