#include "apiserver/webhooks.h"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <set>

#include "apiserver/api_impl.h"
#include "apiserver/dom_util.h"
#include "kube/core/byte_string.h"
#include "kube/core/error.h"
#include "kube/core/json_patch.h"

namespace kube::apiserver {

std::string_view to_string(AdmissionOperation operation) {
  switch (operation) {
    case AdmissionOperation::Create: return "CREATE";
    case AdmissionOperation::Update: return "UPDATE";
    case AdmissionOperation::Delete: return "DELETE";
    case AdmissionOperation::Connect: return "CONNECT";
  }
  return "";
}

namespace {

constexpr std::string_view kReviewVersion = "admission.k8s.io/v1";

std::vector<std::string> strings_at(const json::Value& v, std::string_view key) {
  std::vector<std::string> out;
  if (const json::Value* list = find_path(v, {key}); list && list->is_array()) {
    for (const auto& s : list->as_array()) {
      if (s.is_string()) out.push_back(to_std(s.as_string()));
    }
  }
  return out;
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

LabelSelector selector_at(const json::Value& webhook, std::string_view key) {
  const json::Value* s = find_path(webhook, {key});
  if (!s || !s->is_object()) return {};
  return LabelSelector::from(json::from_dom<api::meta::v1::LabelSelector>(*s));
}

std::string quoted_list(std::initializer_list<std::string_view> values) {
  std::string out;
  for (auto v : values) out += (out.empty() ? "\"" : ", \"") + std::string(v) + "\"";
  return out;
}

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// A lowercase RFC 1123 subdomain of at least three labels ("webhook.example.com"), as the API
// server requires of webhook names.
std::string check_webhook_name(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 253 && is_lower_alnum(name.front()) && is_lower_alnum(name.back());
  for (std::size_t i = 0; ok && i < name.size(); ++i) {
    char c = name[i];
    ok = is_lower_alnum(c) || c == '-' || (c == '.' && is_lower_alnum(name[i - 1]) && is_lower_alnum(name[i + 1]));
  }
  if (!ok) {
    return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
           "must start and end with an alphanumeric character";
  }
  if (std::count(name.begin(), name.end(), '.') < 2) return "should be a domain with at least three segments separated by dots";
  return {};
}

}  // namespace

// ---- configurations ------------------------------------------------------------------------------

std::vector<Webhook> parse_webhook_configuration(const json::Value& configuration, bool mutating) {
  std::vector<Webhook> out;
  const json::Value* webhooks = find_path(configuration, {"webhooks"});
  if (!webhooks || !webhooks->is_array()) return out;
  std::string config_name = string_at(configuration, {"metadata", "name"});
  for (const auto& w : webhooks->as_array()) {
    if (!w.is_object()) continue;
    Webhook hook;
    hook.configuration = config_name;
    hook.name = string_at(w, {"name"});
    hook.mutating = mutating;
    if (const json::Value* rules = find_path(w, {"rules"}); rules && rules->is_array()) {
      for (const auto& r : rules->as_array()) {
        WebhookRule rule;
        rule.operations = strings_at(r, "operations");
        rule.groups = strings_at(r, "apiGroups");
        rule.versions = strings_at(r, "apiVersions");
        rule.resources = strings_at(r, "resources");
        std::string scope = string_at(r, {"scope"});
        if (!scope.empty()) rule.scope = scope;
        hook.rules.push_back(std::move(rule));
      }
    }
    try {
      hook.namespace_selector = selector_at(w, "namespaceSelector");
      hook.object_selector = selector_at(w, "objectSelector");
    } catch (const std::exception&) {
      continue;
    }
    hook.fail_open = string_at(w, {"failurePolicy"}) == "Ignore";
    if (const json::Value* t = find_path(w, {"timeoutSeconds"}); t && t->is_int64()) {
      hook.timeout_seconds = static_cast<int>(std::clamp<std::int64_t>(t->as_int64(), 1, 30));
    }
    hook.side_effects = string_at(w, {"sideEffects"});
    hook.url = string_at(w, {"clientConfig", "url"});
    if (const json::Value* service = find_path(w, {"clientConfig", "service"}); service && service->is_object()) {
      hook.service_namespace = string_at(*service, {"namespace"});
      hook.service_name = string_at(*service, {"name"});
      hook.service_path = string_at(*service, {"path"});
      if (const json::Value* port = find_path(*service, {"port"}); port && port->is_int64()) {
        hook.service_port = static_cast<int>(port->as_int64());
      }
    }
    std::string bundle = string_at(w, {"clientConfig", "caBundle"});
    try {
      hook.ca_bundle = base64_decode(bundle);
    } catch (const std::exception&) {
      continue;
    }
    out.push_back(std::move(hook));
  }
  return out;
}

json::Array validate_webhook_configuration(json::Value& configuration, bool mutating) {
  json::Array causes;
  auto required = [&](const std::string& field, std::string_view detail = {}) {
    causes.push_back(cause("FieldValueRequired", field,
                           detail.empty() ? "Required value" : "Required value: " + std::string(detail)));
  };
  auto invalid = [&](const std::string& field, const std::string& value, std::string_view detail) {
    causes.push_back(cause("FieldValueInvalid", field, "Invalid value: " + value + ": " + std::string(detail)));
  };
  auto not_supported = [&](const std::string& field, const std::string& value,
                           std::initializer_list<std::string_view> supported) {
    causes.push_back(cause("FieldValueNotSupported", field,
                           "Unsupported value: \"" + value + "\": supported values: " + quoted_list(supported)));
  };
  // A string member: defaulted when absent, checked against its allowed values.
  auto enum_member = [&](json::Object& object, const std::string& field, std::string_view key,
                         std::string_view fallback, std::initializer_list<std::string_view> allowed) {
    json::Value* v = object.if_contains(bsv(key));
    if (!v || v->is_null()) {
      if (fallback.empty()) return;
      object[bsv(key)] = bsv(fallback);
      return;
    }
    std::string value = v->is_string() ? to_std(v->as_string()) : boost::json::serialize(*v);
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) not_supported(field, value, allowed);
  };
  auto string_list = [&](const json::Value& parent, std::string_view key, const std::string& field) {
    const json::Value* list = find_path(parent, {key});
    std::vector<std::string> out;
    if (list && list->is_array()) {
      for (const auto& s : list->as_array()) {
        if (s.is_string()) {
          out.push_back(to_std(s.as_string()));
        } else {
          invalid(field, boost::json::serialize(s), "must be a string");
        }
      }
    }
    return out;
  };

  if (!configuration.is_object()) return causes;
  json::Value* webhooks = configuration.as_object().if_contains("webhooks");
  if (!webhooks || webhooks->is_null()) return causes;
  if (!webhooks->is_array()) {
    invalid("webhooks", boost::json::serialize(*webhooks), "must be a list");
    return causes;
  }
  std::set<std::string> names;
  std::size_t i = 0;
  for (json::Value& entry : webhooks->as_array()) {
    std::string at = "webhooks[" + std::to_string(i++) + "]";
    if (!entry.is_object()) {
      invalid(at, boost::json::serialize(entry), "must be an object");
      continue;
    }
    json::Object& w = entry.as_object();
    std::string name = string_at(entry, {"name"});
    if (name.empty()) {
      required(at + ".name");
    } else if (auto why = check_webhook_name(name); !why.empty()) {
      invalid(at + ".name", "\"" + name + "\"", why);
    } else if (!names.insert(name).second) {
      causes.push_back(cause("FieldValueDuplicate", at + ".name", "Duplicate value: \"" + name + "\""));
    }

    std::vector<std::string> versions = string_list(entry, "admissionReviewVersions", at + ".admissionReviewVersions");
    if (versions.empty()) {
      required(at + ".admissionReviewVersions", "must specify one of v1");
    } else if (!contains(versions, "v1")) {
      std::string shown;
      for (const auto& v : versions) shown += (shown.empty() ? "" : " ") + v;
      invalid(at + ".admissionReviewVersions", "[" + shown + "]",
              "must include v1 (kube-apiserver-lite sends admission.k8s.io/v1 AdmissionReviews only)");
    }

    const json::Value* side_effects = w.if_contains("sideEffects");
    if (!side_effects || side_effects->is_null()) {
      required(at + ".sideEffects", "must specify one of None, NoneOnDryRun");
    } else {
      enum_member(w, at + ".sideEffects", "sideEffects", "", {"None", "NoneOnDryRun"});
    }
    enum_member(w, at + ".failurePolicy", "failurePolicy", "Fail", {"Ignore", "Fail"});
    enum_member(w, at + ".matchPolicy", "matchPolicy", "Equivalent", {"Exact", "Equivalent"});
    if (mutating) enum_member(w, at + ".reinvocationPolicy", "reinvocationPolicy", "Never", {"Never", "IfNeeded"});

    json::Value* timeout = w.if_contains("timeoutSeconds");
    if (!timeout || timeout->is_null()) {
      w["timeoutSeconds"] = 10;
    } else if (!timeout->is_int64() || timeout->as_int64() < 1 || timeout->as_int64() > 30) {
      invalid(at + ".timeoutSeconds", boost::json::serialize(*timeout), "the timeout value must be between 1 and 30 seconds");
    }

    for (const char* key : {"namespaceSelector", "objectSelector"}) {
      json::Value* s = w.if_contains(key);
      if (!s || s->is_null()) {
        w[key] = json::Object{};
        continue;
      }
      try {
        if (!s->is_object()) throw InvalidArgument("must be a label selector object");
        LabelSelector::from(json::from_dom<api::meta::v1::LabelSelector>(*s));
      } catch (const std::exception& e) {
        invalid(at + "." + key, boost::json::serialize(*s), e.what());
      }
    }

    if (json::Value* rules = w.if_contains("rules"); rules && rules->is_array()) {
      std::size_t j = 0;
      for (json::Value& r : rules->as_array()) {
        std::string rule_at = at + ".rules[" + std::to_string(j++) + "]";
        if (!r.is_object()) {
          invalid(rule_at, boost::json::serialize(r), "must be an object");
          continue;
        }
        std::vector<std::string> operations = string_list(r, "operations", rule_at + ".operations");
        if (operations.empty()) required(rule_at + ".operations");
        for (const auto& op : operations) {
          if (op != "*" && op != "CREATE" && op != "UPDATE" && op != "DELETE" && op != "CONNECT") {
            not_supported(rule_at + ".operations", op, {"*", "CONNECT", "CREATE", "DELETE", "UPDATE"});
          }
        }
        if (operations.size() > 1 && contains(operations, "*")) {
          invalid(rule_at + ".operations", "[*]", "if '*' is present, must not specify other operations");
        }
        if (string_list(r, "apiGroups", rule_at + ".apiGroups").empty()) required(rule_at + ".apiGroups");
        if (string_list(r, "apiVersions", rule_at + ".apiVersions").empty()) required(rule_at + ".apiVersions");
        std::vector<std::string> resources = string_list(r, "resources", rule_at + ".resources");
        if (resources.empty()) required(rule_at + ".resources");
        for (const auto& res : resources) {
          if (res.empty()) required(rule_at + ".resources", "resource must not be empty");
        }
        enum_member(r.as_object(), rule_at + ".scope", "scope", "*", {"Cluster", "Namespaced", "*"});
      }
    } else if (rules && !rules->is_null()) {
      invalid(at + ".rules", boost::json::serialize(*rules), "must be a list");
    }

    json::Value* client = w.if_contains("clientConfig");
    if (!client || !client->is_object()) {
      required(at + ".clientConfig", "exactly one of url or service is required");
      continue;
    }
    json::Object& cc = client->as_object();
    const json::Value* url = cc.if_contains("url");
    json::Value* service = cc.if_contains("service");
    bool has_url = url && !url->is_null();
    bool has_service = service && !service->is_null();
    if (has_url == has_service) {
      required(at + ".clientConfig", "exactly one of url or service is required");
    } else if (has_url) {
      std::string u = url->is_string() ? to_std(url->as_string()) : "";
      std::string field = at + ".clientConfig.url";
      auto scheme_end = u.find("://");
      std::string scheme = scheme_end == std::string::npos ? "" : u.substr(0, scheme_end);
      std::string rest = scheme_end == std::string::npos ? u : u.substr(scheme_end + 3);
      std::string host = rest.substr(0, rest.find_first_of("/?#"));
      if (scheme != "https") {
        not_supported(field, scheme, {"https"});
      } else if (host.empty() || host.front() == ':') {
        invalid(field, "\"" + u + "\"", "host must be specified");
      } else if (host.find('@') != std::string::npos) {
        invalid(field, "\"" + u + "\"", "user information is not permitted in the URL");
      } else if (rest.find('#') != std::string::npos) {
        invalid(field, "\"" + u + "\"", "fragments are not permitted in the URL");
      } else if (rest.find('?') != std::string::npos) {
        invalid(field, "\"" + u + "\"", "query parameters are not permitted in the URL");
      }
    } else if (!service->is_object()) {
      invalid(at + ".clientConfig.service", boost::json::serialize(*service), "must be an object");
    } else {
      json::Object& svc = service->as_object();
      std::string field = at + ".clientConfig.service";
      if (string_at(*service, {"name"}).empty()) required(field + ".name", "service name is required");
      if (string_at(*service, {"namespace"}).empty()) required(field + ".namespace", "service namespace is required");
      std::string path = string_at(*service, {"path"});
      if (!path.empty() && path.front() != '/') invalid(field + ".path", "\"" + path + "\"", "must start with a '/'");
      json::Value* port = svc.if_contains("port");
      if (!port || port->is_null()) {
        svc["port"] = 443;
      } else if (!port->is_int64() || port->as_int64() < 1 || port->as_int64() > 65535) {
        invalid(field + ".port", boost::json::serialize(*port), "port is not valid: must be between 1 and 65535, inclusive");
      }
    }
    if (const json::Value* bundle = cc.if_contains("caBundle"); bundle && !bundle->is_null()) {
      try {
        if (!bundle->is_string()) throw InvalidArgument("not a string");
        base64_decode(to_std(bundle->as_string()));
      } catch (const std::exception&) {
        invalid(at + ".clientConfig.caBundle", "\"...\"", "must be base64-encoded PEM");
      }
    }
  }
  return causes;
}

// ---- matching ------------------------------------------------------------------------------------

bool rule_matches(const WebhookRule& rule, const AdmissionAttributes& a) {
  if (rule.scope == "Cluster" && a.namespaced) return false;
  if (rule.scope == "Namespaced" && !a.namespaced) return false;
  auto any = [](const std::vector<std::string>& list, std::string_view value) {
    return std::any_of(list.begin(), list.end(), [&](const std::string& v) { return v == "*" || v == value; });
  };
  if (!any(rule.operations, to_string(a.operation))) return false;
  if (!any(rule.groups, a.group) || !any(rule.versions, a.version)) return false;
  for (const auto& r : rule.resources) {
    auto slash = r.find('/');
    std::string_view res = std::string_view(r).substr(0, slash);
    std::string_view sub = slash == std::string::npos ? std::string_view() : std::string_view(r).substr(slash + 1);
    if ((res == "*" || res == a.resource) && (sub == "*" || sub == a.subresource)) return true;
  }
  return false;
}

Labels labels_of(const json::Value& object) {
  Labels out;
  if (const json::Value* labels = find_path(object, {"metadata", "labels"}); labels && labels->is_object()) {
    for (const auto& l : labels->as_object()) {
      if (l.value().is_string()) out.emplace(std::string(l.key()), to_std(l.value().as_string()));
    }
  }
  return out;
}

bool webhook_matches(const Webhook& webhook, const AdmissionAttributes& a, const Labels& namespace_labels) {
  if (!std::any_of(webhook.rules.begin(), webhook.rules.end(), [&](const WebhookRule& r) { return rule_matches(r, a); })) {
    return false;
  }
  // Cluster-scoped objects other than namespaces are never excluded by a namespace selector.
  bool is_namespace = a.group.empty() && a.resource == "namespaces";
  if ((a.namespaced || is_namespace) && !webhook.namespace_selector.empty() &&
      !webhook.namespace_selector.matches(namespace_labels)) {
    return false;
  }
  if (!webhook.object_selector.empty()) {
    bool matched = (a.object.is_object() && webhook.object_selector.matches(labels_of(a.object))) ||
                   (a.old_object.is_object() && webhook.object_selector.matches(labels_of(a.old_object)));
    if (!matched) return false;
  }
  return true;
}

// ---- the review and the reply --------------------------------------------------------------------

json::Value admission_review(const AdmissionAttributes& a, std::string_view uid) {
  json::Object kind{{"group", a.group}, {"version", a.version}, {"kind", a.kind}};
  json::Object resource{{"group", a.group}, {"version", a.version}, {"resource", a.resource}};
  json::Object request{{"uid", uid}, {"kind", kind}, {"resource", resource}};
  if (!a.subresource.empty()) request["subResource"] = a.subresource;
  request["requestKind"] = kind;
  request["requestResource"] = resource;
  if (!a.subresource.empty()) request["requestSubResource"] = a.subresource;
  if (!a.name.empty()) request["name"] = a.name;
  if (!a.ns.empty()) request["namespace"] = a.ns;
  request["operation"] = to_string(a.operation);
  json::Object user{{"username", a.user.name}};
  if (!a.user.uid.empty()) user["uid"] = a.user.uid;
  if (!a.user.groups.empty()) {
    json::Array groups;
    for (const auto& g : a.user.groups) groups.push_back(bsv(g));
    user["groups"] = std::move(groups);
  }
  request["userInfo"] = std::move(user);
  request["object"] = a.object;
  request["oldObject"] = a.old_object;
  request["dryRun"] = a.dry_run;
  request["options"] = a.options;
  return json::Object{{"apiVersion", kReviewVersion}, {"kind", "AdmissionReview"}, {"request", std::move(request)}};
}

namespace {

WebhookOutcome call_failed(std::string error) {
  WebhookOutcome out;
  out.kind = WebhookOutcome::CallFailed;
  out.error = std::move(error);
  return out;
}

WebhookOutcome rejected(ApiResponse status) {
  WebhookOutcome out;
  out.kind = WebhookOutcome::Rejected;
  out.status = std::move(status);
  return out;
}

// The Status of a denial, from the webhook's response.status (as the API server sanitizes it).
ApiResponse denial(const Webhook& webhook, const AdmissionAttributes& a, const json::Value* result) {
  json::Object status = result && result->is_object() ? result->as_object() : json::Object{};
  std::int64_t code = 0;
  if (const json::Value* c = status.if_contains("code"); c && c->is_int64()) code = c->as_int64();
  if (code == 0) code = 403;
  if (code < 400 || code > 599) code = 400;  // a denial is never a success
  std::string message = string_at(json::Value(status), {"message"});
  std::string reason = string_at(json::Value(status), {"reason"});
  std::string denied_by = "admission webhook \"" + webhook.name + "\" denied the request";
  if (!message.empty()) {
    message = denied_by + ": " + message;
  } else if (!reason.empty()) {
    message = denied_by + ": " + reason;
  } else {
    message = denied_by + " without explanation";
  }
  if (reason.empty()) reason = code == 500 ? "InternalError" : "Forbidden";
  json::Value details = status.contains("details") && status.at("details").is_object() ? status.at("details") : json::Value();
  if (details.is_null()) {
    if (code == 500) {
      details = json::Object{{"causes", json::Array{json::Object{{"message", message}}}}};
    } else {
      details = json::Object{{"name", a.name.empty() ? "Unknown" : a.name}, {"group", a.group}, {"kind", a.resource}};
    }
  }
  return status_response(static_cast<int>(code), reason, message, std::move(details));
}

}  // namespace

WebhookOutcome interpret_reply(const Webhook& webhook, const AdmissionAttributes& a, std::string_view uid,
                               int http_status, std::string_view body) {
  if (http_status != 200) {
    std::string excerpt(body.substr(0, 200));
    return call_failed("failed to call webhook: the server responded with HTTP status " + std::to_string(http_status) +
                       (excerpt.empty() ? "" : ": " + excerpt));
  }
  json::Value review;
  try {
    review = json::parse(body);
  } catch (const std::exception& e) {
    return call_failed(std::string("failed to call webhook: the response is not valid JSON: ") + e.what());
  }
  std::string api_version = string_at(review, {"apiVersion"});
  std::string kind = string_at(review, {"kind"});
  if (api_version != kReviewVersion || kind != "AdmissionReview") {
    return call_failed("received invalid webhook response: expected webhook response of admission.k8s.io/v1, "
                       "Kind=AdmissionReview, got " + api_version + ", Kind=" + kind);
  }
  const json::Value* response = find_path(review, {"response"});
  if (!response || !response->is_object()) {
    return call_failed("received invalid webhook response: webhook response was absent");
  }
  std::string got_uid = string_at(*response, {"uid"});
  if (got_uid != uid) {
    return call_failed("received invalid webhook response: expected response.uid=\"" + std::string(uid) + "\", got \"" +
                       got_uid + "\"");
  }
  WebhookOutcome out;
  if (const json::Value* warnings = find_path(*response, {"warnings"}); warnings && warnings->is_array()) {
    for (const auto& w : warnings->as_array()) {
      if (w.is_string() && !w.as_string().empty()) out.warnings.push_back(to_std(w.as_string()));
    }
  }
  const json::Value* allowed = find_path(*response, {"allowed"});
  if (!allowed || !allowed->is_bool() || !allowed->as_bool()) {
    WebhookOutcome denied = rejected(denial(webhook, a, find_path(*response, {"status"})));
    denied.warnings = std::move(out.warnings);
    return denied;
  }
  const json::Value* patch = find_path(*response, {"patch"});
  if (!patch || patch->is_null()) return out;
  if (!patch->is_string()) {
    // An earlier operator framework sent the patch as a JSON array; the field is []byte (base64).
    return call_failed(std::string("received invalid webhook response: response.patch must be a base64-encoded string "
                                   "of a JSON Patch, got a JSON ") + (patch->is_array() ? "array" : "value"));
  }
  if (patch->as_string().empty()) return out;
  if (!webhook.mutating) {
    return call_failed("received invalid webhook response: validating webhooks may not return response.patch");
  }
  std::string patch_type = string_at(*response, {"patchType"});
  if (patch_type.empty()) {
    return call_failed("received invalid webhook response: webhook returned response.patch but not response.patchType");
  }
  if (patch_type != "JSONPatch") {
    return call_failed("received invalid webhook response: webhook returned invalid response.patchType of \"" +
                       patch_type + "\"");
  }
  json::Value operations;
  try {
    operations = json::parse(base64_decode(to_std(patch->as_string())));
  } catch (const std::exception& e) {
    return call_failed(std::string("received undecodable patch in webhook response: ") + e.what());
  }
  if (!operations.is_array()) {
    return call_failed("received undecodable patch in webhook response: a JSON Patch must be an array of operations");
  }
  if (operations.as_array().empty()) return out;
  if (!a.object.is_object()) {
    return rejected(status_response(500, "InternalError",
                                    "Internal error occurred: admission webhook \"" + webhook.name +
                                        "\" attempted to modify the object, which is not supported for this operation"));
  }
  out.object = a.object;
  try {
    apply_json_patch(out.object, operations);
  } catch (const std::exception& e) {
    return rejected(status_response(500, "InternalError",
                                    "Internal error occurred: the patch of admission webhook \"" + webhook.name +
                                        "\" could not be applied: " + e.what()));
  }
  out.patched = true;
  return out;
}

ApiResponse webhook_call_failure(std::string_view webhook, std::string_view error) {
  std::string message = "failed calling webhook \"" + std::string(webhook) + "\": " + std::string(error);
  return status_response(500, "InternalError", "Internal error occurred: " + message,
                         json::Object{{"causes", json::Array{json::Object{{"message", message}}}}});
}

ApiResponse dry_run_unsupported(std::string_view webhook) {
  return status_response(400, "BadRequest", "admission webhook \"" + std::string(webhook) + "\" does not support dry run");
}

bool supports_dry_run(const Webhook& webhook) {
  return webhook.side_effects == "None" || webhook.side_effects == "NoneOnDryRun";
}

void Admission::finish_round() {
  for (auto& item : items) {
    Admitted& record = admitted[item.point];
    record.validated = !item.mutating;
    record.revision = item.revision;
    if (item.mutating) record.before = std::move(item.before);
    record.object = std::move(item.attributes.object);
  }
  items.clear();
}

}  // namespace kube::apiserver
