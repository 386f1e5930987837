// Single-object verbs: get, create, update (PUT), patch, delete, deletecollection, and the scale,
// status, finalize and binding subresources.
#include <boost/json/serialize.hpp>

#include <algorithm>

#include "apiserver/api_impl.h"
#include "apiserver/dom_util.h"
#include "apiserver/garbage_collector.h"
#include "apiserver/managed_fields.h"
#include "apiserver/strategic_merge.h"
#include "apiserver/structural_schema.h"
#include "apiserver/webhooks.h"
#include "kube/core/error.h"
#include "kube/core/json_patch.h"
#include "kube/core/selector.h"
#include "kube/core/time.h"
#include "kube/core/yaml.h"

namespace kube::apiserver {

namespace {

// "pods" for the core group, "deployments.apps" otherwise: how the API server names resources in
// messages.
std::string qualified(const ResourceInfo& r) { return r.group.empty() ? r.plural : r.plural + "." + r.group; }

json::Value name_details(const ResourceInfo& r, std::string_view name) {
  return json::Object{{"name", name}, {"group", r.group}, {"kind", r.plural}};
}

[[noreturn]] void not_found(const ResourceInfo& r, std::string_view name) {
  fail(404, "NotFound", qualified(r) + " \"" + std::string(name) + "\" not found", name_details(r, name));
}

[[noreturn]] void conflict(const ResourceInfo& r, std::string_view name, std::string_view why) {
  fail(409, "Conflict",
       "Operation cannot be fulfilled on " + qualified(r) + " \"" + std::string(name) + "\": " + std::string(why),
       name_details(r, name));
}

constexpr std::string_view kModified =
    "the object has been modified; please apply your changes to the latest version and try again";

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

std::string check_dns_label(std::string_view n) {
  if (n.size() > 63) return "must be no more than 63 characters";
  if (n.empty() || !is_lower_alnum(n.front()) || !is_lower_alnum(n.back()) ||
      !std::all_of(n.begin(), n.end(), [](char c) { return is_lower_alnum(c) || c == '-'; })) {
    return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
           "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
           "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  }
  return {};
}

std::string check_dns_subdomain(std::string_view n) {
  if (n.size() > 253) return "must be no more than 253 characters";
  bool ok = !n.empty() && is_lower_alnum(n.front()) && is_lower_alnum(n.back());
  for (std::size_t i = 0; ok && i < n.size(); ++i) {
    char c = n[i];
    ok = is_lower_alnum(c) || c == '-' || (c == '.' && i + 1 < n.size() && is_lower_alnum(n[i + 1]) &&
                                           i > 0 && is_lower_alnum(n[i - 1]));
  }
  if (!ok) {
    return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
           "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
           "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  }
  return {};
}

std::string check_path_segment(std::string_view n) {
  if (n == "." || n == "..") return "may not be '" + std::string(n) + "'";
  if (n.find_first_of("/%") != std::string_view::npos) return "may not contain '/' or '%'";
  return {};
}

// How each resource validates metadata.name (as the API server's strategies do).
std::string check_name(const ResourceInfo& r, std::string_view name) {
  if (r.group.empty() && (r.plural == "namespaces" || r.plural == "services")) return check_dns_label(name);
  if (r.group == "rbac.authorization.k8s.io") return check_path_segment(name);
  return check_dns_subdomain(name);
}

// Resources whose status the API server resets on create (their controllers own it).
bool resets_status_on_create(const ResourceInfo& r) {
  static const std::set<std::string> groups = {"apps", "batch", "autoscaling", "policy", "apiextensions.k8s.io",
                                               "certificates.k8s.io"};
  return r.is_custom() ? r.has_status : groups.count(r.group) > 0;
}

// Kinds whose metadata.generation tracks spec changes.
bool tracks_generation(const ResourceInfo& r, const json::Value& object) {
  return r.is_custom() || (object.is_object() && object.as_object().contains("spec"));
}

std::string now_rfc3339() { return Time::now().to_string(); }

json::Value without(const json::Value& object, std::initializer_list<std::string_view> members) {
  json::Value copy = object;
  if (copy.is_object()) {
    for (auto m : members) copy.as_object().erase(bsv(m));
  }
  return copy;
}

// Everything a write may change that is not metadata (and not status when a status subresource
// exists): a change here bumps metadata.generation.
bool spec_changed(const ResourceInfo& r, const json::Value& before, const json::Value& after) {
  if (r.has_status) return !json::equal(without(before, {"metadata", "status"}), without(after, {"metadata", "status"}));
  return !json::equal(without(before, {"metadata"}), without(after, {"metadata"}));
}

std::vector<std::string> finalizers(const json::Value& object) {
  std::vector<std::string> out;
  if (const json::Value* f = find_path(object, {"metadata", "finalizers"}); f && f->is_array()) {
    for (const auto& v : f->as_array()) {
      if (v.is_string()) out.push_back(to_std(v.as_string()));
    }
  }
  return out;
}

// Request body as a DOM: JSON, or YAML when sent as such.
json::Value decode_body(const ApiRequest& request) {
  std::string_view type = request.content_type;
  type = type.substr(0, type.find(';'));
  if (type.find("protobuf") != std::string_view::npos) {
    fail(415, "UnsupportedMediaType",
         "kube-apiserver-lite does not decode protobuf bodies (kubectl create deployment|configmap|secret send "
         "them): use `kubectl create ... --dry-run=client -o yaml | kubectl apply -f -`");
  }
  if (type == "application/yaml" || type == "application/x-yaml" || type == "text/yaml") {
    try {
      return yaml::parse(request.body);
    } catch (const json::DecodeError& e) {
      fail(400, "BadRequest", std::string("the body is not valid YAML: ") + e.what());
    }
  }
  if (!type.empty() && type != "application/json" && type != "*/*") {
    fail(415, "UnsupportedMediaType",
         "the body of the request was in an unknown format (" + std::string(type) +
             ") - accepted media types include: application/json, application/yaml");
  }
  try {
    return json::parse(request.body);
  } catch (const json::DecodeError& e) {
    fail(400, "BadRequest", std::string("the body is not valid JSON: ") + e.what());
  }
}

bool dry_run(const ApiRequest& request) {
  auto value = request.param("dryRun");
  if (!value) return false;
  if (*value != "All") fail(400, "BadRequest", "dryRun may only be \"All\" (got \"" + *value + "\")");
  return true;
}

// apiVersion and kind of a body must match the endpoint (absent: filled in).
void check_type(json::Value& object, const ResourceInfo& r) {
  if (!object.is_object()) fail(400, "BadRequest", "the body must be a JSON object");
  json::Object& o = object.as_object();
  std::string api_version = string_at(object, {"apiVersion"});
  std::string kind = string_at(object, {"kind"});
  if (!api_version.empty() && api_version != r.api_version()) {
    fail(400, "BadRequest", "the API version in the data (" + api_version +
                                ") does not match the expected API version (" + r.api_version() + ")");
  }
  if (!kind.empty() && kind != r.kind) {
    fail(400, "BadRequest", "the kind in the data (" + kind + ") does not match the expected kind (" + r.kind + ")");
  }
  o["apiVersion"] = r.api_version();
  o["kind"] = r.kind;
}

}  // namespace

std::string Api::Impl::key_of(const ResourceInfo& resource, std::string_view ns, std::string_view name) const {
  return storage_key(resource.group, resource.plural, resource.namespaced ? ns : "", name);
}

ObjectPtr Api::Impl::existing(const Target& target) const {
  return store.get(key_of(*target.resource, target.ns, target.name));
}

void Api::Impl::check_namespace(const ResourceInfo& resource, std::string_view ns, bool creating) const {
  if (!resource.namespaced) return;
  if (ns.empty()) fail(400, "BadRequest", "a namespace is required for " + resource.plural);
  ObjectPtr namespace_object = store.get(storage_key("", "namespaces", "", ns));
  if (!namespace_object) {
    fail(404, "NotFound", "namespaces \"" + std::string(ns) + "\" not found",
         json::Object{{"name", ns}, {"kind", "namespaces"}});
  }
  if (creating && terminating_namespaces.count(std::string(ns))) {
    fail(403, "Forbidden",
         resource.plural + " is forbidden: unable to create new content in namespace " + std::string(ns) +
             " because it is being terminated",
         json::Object{{"name", ns}, {"kind", resource.plural},
                      {"causes", json::Array{cause("NamespaceTerminating", "metadata.namespace",
                                                   "namespace " + std::string(ns) + " is being terminated")}}});
  }
}

void Api::Impl::index(StoredObject& object, const json::Value& dom) const {
  object.namespace_ = string_at(dom, {"metadata", "namespace"});
  object.name = string_at(dom, {"metadata", "name"});
  object.api_version = string_at(dom, {"apiVersion"});
  object.labels.clear();
  if (const json::Value* labels = find_path(dom, {"metadata", "labels"}); labels && labels->is_object()) {
    for (const auto& l : labels->as_object()) {
      if (l.value().is_string()) object.labels.emplace(std::string(l.key()), to_std(l.value().as_string()));
    }
  }
  // key: "<group>/<plural>/..."
  std::string_view key = object.key;
  auto slash = key.find('/');
  std::string group(key.substr(0, slash));
  if (group == "core") group.clear();
  if (group == "admissionregistration.k8s.io") webhooks_stale = true;  // webhook configurations are read again
  std::string_view rest = key.substr(slash + 1);
  std::string plural(rest.substr(0, rest.find('/')));
  auto versions = registry.versions_of(group, plural);
  object.fields.clear();
  if (versions.empty()) return;
  for (const auto& field : registry.selectable_fields(*versions.front())) {
    if (auto value = field_value(dom, field)) object.fields.emplace_back(field, std::move(*value));
  }
}

ApiResponse Api::Impl::get(const ApiRequest& request, const Target& target) {
  ObjectPtr object = existing(target);
  if (!object) not_found(*target.resource, target.name);
  ApiResponse response;
  Format format = negotiate(request.accept);
  if (format == Format::Table) {
    response.body = render_table(*target.resource, {object}, true, std::to_string(object->revision), "");
  } else {
    response.body = render(object, *target.resource, format);
  }
  response.after_revision = store.revision();
  return response;
}

namespace {

// Secret.stringData is write-only: its entries are base64-encoded into data (overriding keys
// both have) and it is never stored, as the real API server does.
void merge_string_data(json::Value& secret) {
  json::Object& object = secret.as_object();
  auto it = object.find("stringData");
  if (it == object.end()) return;
  if (it->value().is_object()) {
    json::Value& data = object["data"];
    if (!data.is_object()) data = json::Object{};
    for (const auto& entry : it->value().as_object()) {
      if (entry.value().is_string()) data.as_object()[entry.key()] = base64_encode(to_std(entry.value().as_string()));
    }
  }
  object.erase("stringData");
}

}  // namespace

std::vector<std::string> Api::Impl::prepare(const ApiRequest& request, const ResourceInfo& resource, json::Value& object,
                                            bool from_client) {
  std::string validation = from_client ? request.param("fieldValidation").value_or("Warn") : "Ignore";
  if (validation != "Strict" && validation != "Warn" && validation != "Ignore") {
    fail(400, "BadRequest", "fieldValidation must be Strict, Warn or Ignore (got \"" + validation + "\")");
  }
  std::string name = string_at(object, {"metadata", "name"});
  std::vector<std::string> unknown;
  if (resource.is_custom()) {
    if (!resource.schema.is_null()) {
      SchemaResult result = apply_structural_schema(object, resource.schema);
      if (!result.errors.empty()) {
        json::Array causes;
        for (const auto& e : result.errors) causes.push_back(cause(e.type, e.field, e.message));
        fail_invalid(resource, name, causes);
      }
      unknown = std::move(result.unknown);
    }
  } else {
    SchemaCheck check = check_builtin_schema(object, registry.definitions(), resource.definition);
    if (!check.type_errors.empty()) {
      std::string message = "the body does not match the " + resource.kind + " schema: ";
      for (std::size_t i = 0; i < check.type_errors.size(); ++i) message += (i ? "; " : "") + check.type_errors[i];
      fail(400, "BadRequest", message);
    }
    unknown = std::move(check.unknown);
  }
  std::vector<std::string> warnings;
  if (!unknown.empty() && validation == "Strict") {
    std::string message = "strict decoding error: ";
    for (std::size_t i = 0; i < unknown.size(); ++i) {
      std::string field = unknown[i];
      if (!field.empty() && field.front() == '.') field.erase(0, 1);
      message += (i ? ", " : "") + std::string("unknown field \"") + field + "\"";
    }
    fail(400, "BadRequest", message);
  }
  if (validation == "Warn") {
    for (auto field : unknown) {
      if (!field.empty() && field.front() == '.') field.erase(0, 1);
      warnings.push_back("unknown field \"" + field + "\"");
    }
  }
  if (resource.group.empty() && resource.plural == "namespaces" && !name.empty()) {
    // Kubernetes labels every namespace with its name (namespace selectors of webhooks and
    // network policies rely on it).
    json::Value& labels = metadata_of(object)["labels"];
    if (!labels.is_object()) labels = json::Object{};
    labels.as_object()["kubernetes.io/metadata.name"] = name;
  }
  // Metadata every kind shares.
  json::Array causes;
  if (auto why = check_name(resource, name); !name.empty() && !why.empty()) {
    causes.push_back(cause("FieldValueInvalid", "metadata.name", "Invalid value: \"" + name + "\": " + why));
  }
  if (const json::Value* labels = find_path(object, {"metadata", "labels"}); labels && labels->is_object()) {
    for (const auto& l : labels->as_object()) {
      std::string key(l.key());
      if (auto why = validate_label_key(key); !why.empty()) {
        causes.push_back(cause("FieldValueInvalid", "metadata.labels", "Invalid value: \"" + key + "\": " + why));
      }
      if (!l.value().is_string()) {
        causes.push_back(cause("FieldValueTypeInvalid", "metadata.labels", "label values must be strings"));
      } else if (auto why2 = validate_label_value(to_std(l.value().as_string())); !why2.empty()) {
        causes.push_back(cause("FieldValueInvalid", "metadata.labels",
                               "Invalid value: \"" + to_std(l.value().as_string()) + "\": " + why2));
      }
    }
  }
  if (const json::Value* owners = find_path(object, {"metadata", "ownerReferences"}); owners && owners->is_array()) {
    std::size_t i = 0;
    for (const auto& o : owners->as_array()) {
      for (const char* required : {"apiVersion", "kind", "name", "uid"}) {
        if (string_at(o, {required}).empty()) {
          causes.push_back(cause("FieldValueRequired",
                                 "metadata.ownerReferences[" + std::to_string(i) + "]." + required, "Required value"));
        }
      }
      ++i;
    }
  }
  if (resource.group == "admissionregistration.k8s.io" &&
      (resource.plural == "mutatingwebhookconfigurations" || resource.plural == "validatingwebhookconfigurations")) {
    for (auto& c : validate_webhook_configuration(object, resource.plural == "mutatingwebhookconfigurations")) {
      causes.push_back(std::move(c));
    }
  }
  if (!causes.empty()) fail_invalid(resource, name, causes);
  if (resource.group.empty() && resource.plural == "secrets") merge_string_data(object);
  return warnings;
}

namespace {

ApiResponse with_warnings(ApiResponse response, const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) {
    std::string escaped;
    for (char c : w) {
      if (c == '"' || c == '\\') escaped.push_back('\\');
      escaped.push_back(c);
    }
    response.headers.emplace_back("Warning", "299 - \"" + escaped + "\"");
  }
  return response;
}

// CRD checks and the status the API server gives an accepted CRD.
void prepare_crd(json::Value& crd, const ResourceInfo& resource) {
  std::string name = string_at(crd, {"metadata", "name"});
  std::string group = string_at(crd, {"spec", "group"});
  std::string plural = string_at(crd, {"spec", "names", "plural"});
  json::Array causes;
  if (group.empty() || group.find('.') == std::string::npos) {
    causes.push_back(cause("FieldValueInvalid", "spec.group", "Invalid value: \"" + group + "\": should be a domain with at least one dot"));
  }
  if (plural.empty()) causes.push_back(cause("FieldValueRequired", "spec.names.plural", "Required value"));
  if (string_at(crd, {"spec", "names", "kind"}).empty()) {
    causes.push_back(cause("FieldValueRequired", "spec.names.kind", "Required value"));
  }
  if (name != plural + "." + group) {
    causes.push_back(cause("FieldValueInvalid", "metadata.name",
                           "Invalid value: \"" + name + "\": must be spec.names.plural+\".\"+spec.group"));
  }
  std::string scope = string_at(crd, {"spec", "scope"});
  if (scope != "Namespaced" && scope != "Cluster") {
    causes.push_back(cause("FieldValueNotSupported", "spec.scope",
                           "Unsupported value: \"" + scope + "\": supported values: \"Cluster\", \"Namespaced\""));
  }
  const json::Value* versions = find_path(crd, {"spec", "versions"});
  int storage = 0;
  std::string storage_version;
  if (!versions || !versions->is_array() || versions->as_array().empty()) {
    causes.push_back(cause("FieldValueRequired", "spec.versions", "Required value: must have at least one version"));
  } else {
    std::size_t i = 0;
    for (const auto& v : versions->as_array()) {
      std::string field = "spec.versions[" + std::to_string(i++) + "]";
      if (const json::Value* s = find_path(v, {"storage"}); s && s->is_bool() && s->as_bool()) {
        ++storage;
        storage_version = string_at(v, {"name"});
      }
      const json::Value* schema = find_path(v, {"schema", "openAPIV3Schema"});
      if (!schema) {
        causes.push_back(cause("FieldValueRequired", field + ".schema.openAPIV3Schema", "Required value: schemas are required"));
        continue;
      }
      for (const auto& e : check_structural_schema(*schema)) {
        causes.push_back(cause(e.type, field + ".schema.openAPIV3Schema" + e.field, e.message));
      }
    }
    if (storage != 1) {
      causes.push_back(cause("FieldValueInvalid", "spec.versions",
                             "Invalid value: must have exactly one version marked as storage version"));
    }
  }
  if (!causes.empty()) fail_invalid(resource, name, causes);
  // Accepted: names and Established conditions (kube-apiserver-lite has no naming conflicts to wait for).
  json::Object names = find_path(crd, {"spec", "names"})->as_object();
  if (!names.contains("singular")) {
    std::string singular = to_std(names.at("kind").as_string());
    std::transform(singular.begin(), singular.end(), singular.begin(), ::tolower);
    names["singular"] = singular;
  }
  if (!names.contains("listKind")) names["listKind"] = to_std(names.at("kind").as_string()) + "List";
  std::string now = now_rfc3339();
  auto condition = [&](const char* type, const char* reason, const char* message) {
    return json::Object{{"type", type}, {"status", "True"}, {"lastTransitionTime", now}, {"reason", reason},
                        {"message", message}};
  };
  crd.as_object()["status"] = json::Object{
      {"acceptedNames", names},
      {"storedVersions", json::Array{storage_version}},
      {"conditions", json::Array{condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                                 condition("Established", "InitialNamesAccepted", "the initial names have been accepted")}}};
}

}  // namespace

namespace {

// The field manager of a non-apply write: the fieldManager parameter, else from the User-Agent.
std::string update_manager(const ApiRequest& request) {
  std::string manager = request.param("fieldManager").value_or("");
  if (manager.empty()) return default_manager(request.user_agent);
  check_manager(manager);
  return manager;
}

}  // namespace

ApiResponse Api::Impl::create(const ApiRequest& request, const Target& target) {
  return create_object(request, target, decode_body(request), true);
}

ApiResponse Api::Impl::create_object(const ApiRequest& request, const Target& target, json::Value object, bool track) {
  const ResourceInfo& resource = *target.resource;
  check_type(object, resource);
  json::Object& meta = metadata_of(object);
  if (resource.namespaced) {
    std::string body_ns = string_at(object, {"metadata", "namespace"});
    if (target.ns.empty()) fail(400, "BadRequest", "a namespace is required to create " + resource.plural);
    if (!body_ns.empty() && body_ns != target.ns) {
      fail(400, "BadRequest",
           "the namespace of the provided object does not match the namespace sent on the request");
    }
    meta["namespace"] = target.ns;
  } else {
    meta.erase("namespace");
  }
  if (meta.contains("resourceVersion") && !string_at(object, {"metadata", "resourceVersion"}).empty()) {
    fail(400, "BadRequest", "resourceVersion should not be set on objects to be created");
  }
  std::string name = string_at(object, {"metadata", "name"});
  if (name.empty()) {
    std::string prefix = string_at(object, {"metadata", "generateName"});
    if (prefix.empty()) {
      fail_invalid(resource, "", json::Array{cause("FieldValueRequired", "metadata.name", "Required value: name or generateName is required")});
    }
    name = prefix + random_suffix(5);
    meta["name"] = name;
  }
  check_namespace(resource, target.ns, true);
  std::vector<std::string> warnings = prepare(request, resource, object);
  if (track) track_update(nullptr, object, resource, registry.definitions(), update_manager(request), "");
  json::Object& m = metadata_of(object);  // `prepare` may have replaced metadata while pruning
  m["uid"] = new_uid();
  m["creationTimestamp"] = now_rfc3339();
  m.erase("deletionTimestamp");
  m.erase("deletionGracePeriodSeconds");
  if (tracks_generation(resource, object)) m["generation"] = 1;
  json::Object& o = object.as_object();
  if (resets_status_on_create(resource)) o.erase("status");
  if (resource.group.empty() && resource.plural == "pods") o["status"] = json::Object{{"phase", "Pending"}};
  if (resource.group.empty() && resource.plural == "namespaces") {
    ensure_object(object, "spec")["finalizers"] = json::Array{"kubernetes"};
    o["status"] = json::Object{{"phase", "Active"}};
  }
  if (resource.group.empty() && resource.plural == "persistentvolumeclaims") {
    o["status"] = json::Object{{"phase", "Pending"}};
  }
  bool is_crd = resource.group == "apiextensions.k8s.io" && resource.plural == "customresourcedefinitions";
  if (is_crd) prepare_crd(object, resource);
  bool dry = dry_run(request);
  if (webhooks_for(target, AdmissionOperation::Create)) {
    Target admitted = target;
    admitted.name = name;
    admit(request, admitted, AdmissionOperation::Create, object, nullptr, 0, dry);
    name = string_at(object, {"metadata", "name"});  // the first round's generated name
  }
  std::string key = key_of(resource, target.ns, name);
  if (store.get(key)) {
    fail(409, "AlreadyExists", qualified(resource) + " \"" + name + "\" already exists", name_details(resource, name));
  }
  ApiResponse response;
  response.status = 201;
  if (dry) {
    response.body = boost::json::serialize(object);
    return with_warnings(std::move(response), warnings);
  }
  ObjectPtr stored = store.put(key, object);
  if (is_crd) registry.register_crd(object);
  response.body = render(stored, resource, negotiate(request.accept) == Format::Metadata ? Format::Metadata : Format::Json);
  response.after_revision = stored->revision;
  return with_warnings(std::move(response), warnings);
}

ApiResponse Api::Impl::update(const ApiRequest& request, const Target& target) {
  const ResourceInfo& resource = *target.resource;
  ObjectPtr current = existing(target);
  if (!current) not_found(resource, target.name);
  json::Value object = decode_body(request);
  check_type(object, resource);
  std::string name = string_at(object, {"metadata", "name"});
  if (!name.empty() && name != target.name) {
    fail(400, "BadRequest",
         "the name of the object (" + name + ") does not match the name on the URL (" + target.name + ")");
  }
  std::string body_ns = string_at(object, {"metadata", "namespace"});
  if (resource.namespaced && !body_ns.empty() && body_ns != target.ns) {
    fail(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
  }
  std::string rv = string_at(object, {"metadata", "resourceVersion"});
  if (rv.empty() && resource.is_custom()) {
    fail_invalid(resource, target.name,
                 json::Array{cause("FieldValueInvalid", "metadata.resourceVersion",
                                   "Invalid value: 0x0: must be specified for an update")});
  }
  if (!rv.empty() && rv != std::to_string(current->revision)) conflict(resource, target.name, kModified);
  return store_update(request, target, current, object, target.subresource == "status");
}

ApiResponse Api::Impl::patch(const ApiRequest& request, const Target& target) {
  const ResourceInfo& resource = *target.resource;
  std::string_view type = request.content_type;
  type = type.substr(0, type.find(';'));
  if (type == "application/apply-patch+yaml") return apply(request, target);
  if (request.param("force")) {
    fail(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch",
         json::Object{{"kind", "PatchOptions"}, {"group", "meta.k8s.io"},
                      {"causes", json::Array{cause("FieldValueForbidden", "force",
                                                   "Forbidden: may not be specified for non-apply patch")}}});
  }
  if (type != "application/json-patch+json" && type != "application/merge-patch+json" &&
      type != "application/strategic-merge-patch+json") {
    fail(415, "UnsupportedMediaType",
         "the body of the request was in an unknown format (" + std::string(type) +
             ") - accepted media types include: application/json-patch+json, application/merge-patch+json, "
             "application/apply-patch+yaml" + std::string(resource.is_custom() ? "" : ", application/strategic-merge-patch+json"));
  }
  if (type == "application/strategic-merge-patch+json" && resource.is_custom()) {
    fail(415, "UnsupportedMediaType",
         "the body of the request was in an unknown format - accepted media types include: "
         "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
  }
  ObjectPtr current = existing(target);
  if (!current) not_found(resource, target.name);
  json::Value patch_doc;
  try {
    patch_doc = json::parse(request.body);
  } catch (const json::DecodeError& e) {
    fail(400, "BadRequest", std::string("the patch is not valid JSON: ") + e.what());
  }
  json::Value object = json::parse(current->json);
  try {
    if (type == "application/json-patch+json") {
      if (!patch_doc.is_array()) fail(400, "BadRequest", "a JSON patch must be an array of operations");
      apply_json_patch(object, patch_doc);
    } else if (type == "application/merge-patch+json") {
      if (!patch_doc.is_object()) fail(400, "BadRequest", "a merge patch must be a JSON object");
      apply_merge_patch(object, patch_doc);
    } else {
      apply_strategic_merge_patch(object, patch_doc, registry.definitions(), resource.definition);
    }
  } catch (const PatchError& e) {
    fail(422, "Invalid", std::string("the patch could not be applied: ") + e.what(), name_details(resource, target.name));
  }
  std::string name = string_at(object, {"metadata", "name"});
  if (name != target.name) {
    fail(400, "BadRequest", "the name of the object (" + name + ") does not match the name on the URL (" + target.name + ")");
  }
  std::string rv = string_at(object, {"metadata", "resourceVersion"});
  if (!rv.empty() && rv != std::to_string(current->revision)) conflict(resource, target.name, kModified);
  check_type(object, resource);
  return store_update(request, target, current, object, target.subresource == "status");
}

ApiResponse Api::Impl::store_update(const ApiRequest& request, const Target& target, const ObjectPtr& current,
                                    json::Value& object, bool status_only, bool track, bool admit_write) {
  const ResourceInfo& resource = *target.resource;
  std::vector<std::string> warnings = prepare(request, resource, object);
  json::Value old = json::parse(current->json);
  json::Value result;
  if (status_only || target.subresource == "finalize") {
    result = old;
    if (status_only) {
      if (const json::Value* status = find_path(object, {"status"})) {
        result.as_object()["status"] = *status;
      } else {
        result.as_object().erase("status");
      }
      if (!track) {  // server-side apply to /status: its managedFields come along
        if (const json::Value* managed = find_path(object, {"metadata", "managedFields"})) {
          metadata_of(result)["managedFields"] = *managed;
        } else {
          metadata_of(result).erase("managedFields");
        }
      }
    } else {
      json::Value finalizers_value = json::Array{};
      if (const json::Value* f = find_path(object, {"spec", "finalizers"})) finalizers_value = *f;
      ensure_object(result, "spec")["finalizers"] = finalizers_value;
    }
  } else {
    result = object;
    json::Object& meta = metadata_of(result);
    const json::Object& old_meta = find_path(old, {"metadata"})->as_object();
    for (const char* field : {"uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation",
                              "namespace", "name"}) {
      if (const json::Value* v = old_meta.if_contains(field)) {
        meta[field] = *v;
      } else {
        meta.erase(field);
      }
    }
    if (resource.has_status) {
      if (const json::Value* status = find_path(old, {"status"})) {
        result.as_object()["status"] = *status;
      } else {
        result.as_object().erase("status");
      }
    }
    if (find_path(old, {"metadata", "generation"}) && spec_changed(resource, old, result)) {
      meta["generation"] = find_path(old, {"metadata", "generation"})->to_number<std::int64_t>() + 1;
    }
  }
  if (track && target.subresource != "finalize") {
    track_update(&old, result, resource, registry.definitions(), update_manager(request), status_only ? "status" : "");
  }
  bool deleting = find_path(old, {"metadata", "deletionTimestamp"}) != nullptr;
  if (deleting) {
    std::vector<std::string> before = finalizers(old);
    std::vector<std::string> added;
    for (const auto& f : finalizers(result)) {
      if (std::find(before.begin(), before.end(), f) == before.end()) added.push_back(f);
    }
    if (!added.empty()) {
      std::string list;
      for (const auto& f : added) list += (list.empty() ? "" : " ") + f;
      fail_invalid(resource, target.name,
                   json::Array{cause("FieldValueForbidden", "metadata.finalizers",
                                     "Forbidden: no new finalizers can be added if the object is being deleted, "
                                     "found new finalizers []string{\"" + list + "\"}")});
    }
  }
  if (admit_write && webhooks_for(target, AdmissionOperation::Update)) {
    admit(request, target, AdmissionOperation::Update, result, &old, current->revision, dry_run(request));
  }
  ApiResponse response;
  Format format = negotiate(request.accept) == Format::Metadata ? Format::Metadata : Format::Json;
  // A write that changes nothing is not a write (no new revision, no event), as in Kubernetes.
  json::Value compare_old = old, compare_new = result;
  metadata_of(compare_old).erase("resourceVersion");
  metadata_of(compare_new).erase("resourceVersion");
  if (json::equal(compare_old, compare_new)) {
    response.body = render(current, resource, format);
    response.after_revision = store.revision();
    return with_warnings(std::move(response), warnings);
  }
  if (dry_run(request)) {
    response.body = boost::json::serialize(result);
    return with_warnings(std::move(response), warnings);
  }
  std::string key = key_of(resource, target.ns, target.name);
  if (deleting && finalizers(result).empty()) {
    ObjectPtr last = store.remove(key);
    response.body = render(last, resource, format);
    response.after_revision = last->revision;
    if (resource.plural == "namespaces" && resource.group.empty()) terminating_namespaces.erase(target.name);
    return with_warnings(std::move(response), warnings);
  }
  ObjectPtr stored = store.put(key, result);
  if (resource.group == "apiextensions.k8s.io" && resource.plural == "customresourcedefinitions") {
    registry.register_crd(result);
  }
  response.body = render(stored, resource, format);
  response.after_revision = stored->revision;
  return with_warnings(std::move(response), warnings);
}

json::Value Api::Impl::revalidate(const ApiRequest& request, const Target& target, const json::Value& before,
                                  json::Value mutated, const json::Value* old) {
  const ResourceInfo& resource = *target.resource;
  if (!mutated.is_object()) {
    fail(500, "InternalError", "Internal error occurred: the object patched by admission webhooks is not a JSON object");
  }
  json::Value result;
  if (target.subresource == "status") {
    // A status write changes only the status, whatever the webhooks patched.
    result = before;
    if (const json::Value* status = find_path(mutated, {"status"})) {
      result.as_object()["status"] = *status;
    } else {
      result.as_object().erase("status");
    }
  } else if (target.subresource == "finalize") {
    result = before;
    json::Value finalizers_value = json::Array{};
    if (const json::Value* f = find_path(mutated, {"spec", "finalizers"})) finalizers_value = *f;
    ensure_object(result, "spec")["finalizers"] = finalizers_value;
  } else {
    result = std::move(mutated);
    json::Object& o = result.as_object();
    o["apiVersion"] = resource.api_version();
    o["kind"] = resource.kind;
    // What the server owns comes back from before the webhooks (as its strategies reset it).
    json::Object& meta = metadata_of(result);
    const json::Value* before_meta = find_path(before, {"metadata"});
    for (const char* field : {"name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                              "deletionGracePeriodSeconds", "resourceVersion", "generation", "managedFields"}) {
      const json::Value* v = before_meta && before_meta->is_object() ? before_meta->as_object().if_contains(field) : nullptr;
      if (v) {
        meta[field] = *v;
      } else {
        meta.erase(field);
      }
    }
    if (resource.has_status) {
      if (const json::Value* status = find_path(before, {"status"})) {
        o["status"] = *status;
      } else {
        o.erase("status");
      }
    }
    if (old && find_path(*old, {"metadata", "generation"})) {
      std::int64_t generation = find_path(*old, {"metadata", "generation"})->to_number<std::int64_t>();
      metadata_of(result)["generation"] = spec_changed(resource, *old, result) ? generation + 1 : generation;
    }
  }
  prepare(request, resource, result, false);
  if (resource.group == "apiextensions.k8s.io" && resource.plural == "customresourcedefinitions") {
    prepare_crd(result, resource);
  }
  return result;
}

std::pair<std::string, std::uint64_t> Api::Impl::delete_object(const ResourceInfo& resource, const ObjectPtr& current,
                                                                bool dry) {
  json::Value object = json::parse(current->json);
  if (!finalizers(object).empty()) {
    if (find_path(object, {"metadata", "deletionTimestamp"})) return {current->json, store.revision()};
    json::Object& meta = metadata_of(object);
    meta["deletionTimestamp"] = now_rfc3339();
    meta["deletionGracePeriodSeconds"] = 0;
    if (dry) return {boost::json::serialize(object), store.revision()};
    ObjectPtr stored = store.put(current->key, object);
    return {stored->json, stored->revision};
  }
  if (dry) return {current->json, store.revision()};
  if (resource.group == "apiextensions.k8s.io" && resource.plural == "customresourcedefinitions") {
    // Deleting a CRD deletes every object of it first.
    std::string group = string_at(object, {"spec", "group"});
    std::string plural = string_at(object, {"spec", "names", "plural"});
    std::vector<std::string> keys;
    store.range(storage_prefix(group, plural, ""), "", [&](const ObjectPtr& o) {
      keys.push_back(o->key);
      return true;
    });
    for (const auto& k : keys) store.remove(k);
    registry.unregister_crd(group, plural);
  }
  ObjectPtr last = store.remove(current->key);
  return {last->json, last->revision};
}

namespace {

// DeleteOptions from the body and the query (the Python client sends gracePeriodSeconds there).
json::Object delete_options(const ApiRequest& request) {
  json::Object options;
  if (!request.body.empty()) {
    json::Value body;
    try {
      body = json::parse(request.body);
    } catch (const json::DecodeError& e) {
      fail(400, "BadRequest", std::string("the DeleteOptions body is not valid JSON: ") + e.what());
    }
    if (!body.is_object()) fail(400, "BadRequest", "the DeleteOptions body must be a JSON object");
    options = body.as_object();
  }
  if (auto p = request.param("propagationPolicy")) options["propagationPolicy"] = *p;
  if (auto g = request.param("gracePeriodSeconds")) options["gracePeriodSeconds"] = *g;
  if (auto o = request.param("orphanDependents")) options["orphanDependents"] = *o;
  return options;
}

}  // namespace

ApiResponse Api::Impl::remove(const ApiRequest& request, const Target& target) {
  const ResourceInfo& resource = *target.resource;
  ObjectPtr current = existing(target);
  if (!current) not_found(resource, target.name);
  json::Object options = delete_options(request);
  Propagation policy = propagation_of(options);
  bool dry = dry_run(request);
  if (const json::Value* dr = options.if_contains("dryRun"); dr && dr->is_array() && !dr->as_array().empty()) dry = true;
  if (const json::Value* pre = options.if_contains("preconditions"); pre && pre->is_object()) {
    json::Value object = json::parse(current->json);
    std::string uid = string_at(*pre, {"uid"});
    std::string rv = string_at(*pre, {"resourceVersion"});
    std::string actual_uid = string_at(object, {"metadata", "uid"});
    if (!uid.empty() && uid != actual_uid) {
      conflict(resource, target.name,
               "Precondition failed: UID in precondition: " + uid + ", UID in object meta: " + actual_uid);
    }
    if (!rv.empty() && rv != std::to_string(current->revision)) {
      conflict(resource, target.name,
               "Precondition failed: ResourceVersion in precondition: " + rv +
                   ", ResourceVersion in object meta: " + std::to_string(current->revision));
    }
  }
  if (webhooks_for(target, AdmissionOperation::Delete)) {
    json::Value old = json::parse(current->json);
    json::Value none;
    admit(request, target, AdmissionOperation::Delete, none, &old, current->revision, dry, &options);
  }
  ApiResponse response;
  Format format = negotiate(request.accept) == Format::Metadata ? Format::Metadata : Format::Json;
  if (resource.group.empty() && resource.plural == "namespaces") {
    if (!dry) start_namespace_deletion(target.name);
    ObjectPtr now = existing(target);
    response.body = render(now ? now : current, resource, format);
    response.after_revision = store.revision();
    return response;
  }
  auto [body, revision] = gc->delete_with_policy(resource, current, policy, dry);
  response.after_revision = revision;
  bool gone = !existing(target) || dry;
  bool returns_object = resource.is_custom() || (resource.group.empty() && resource.plural == "pods");
  if (gone && !returns_object) {
    json::Value object = json::parse(body);
    response = status_response(200, "", "",
                               json::Object{{"name", target.name}, {"group", resource.group}, {"kind", resource.plural},
                                            {"uid", string_at(object, {"metadata", "uid"})}});
    response.after_revision = revision;
    return response;
  }
  json::Value object = json::parse(body);
  if (format == Format::Metadata) {
    response.body = boost::json::serialize(json::Object{{"kind", "PartialObjectMetadata"},
                                                        {"apiVersion", "meta.k8s.io/v1"},
                                                        {"metadata", object.at("metadata")}});
  } else {
    if (string_at(object, {"apiVersion"}) != resource.api_version()) object.as_object()["apiVersion"] = resource.api_version();
    response.body = boost::json::serialize(object);
  }
  return response;
}

ApiResponse Api::Impl::remove_collection(const ApiRequest& request, const Target& target) {
  const ResourceInfo& resource = *target.resource;
  json::Object options = delete_options(request);
  Propagation policy = propagation_of(options);
  bool dry = dry_run(request);
  LabelSelector labels = LabelSelector::parse(request.param("labelSelector").value_or(""));
  FieldSelector fields = FieldSelector::parse(request.param("fieldSelector").value_or(""));
  std::vector<ObjectPtr> matched;
  store.range(storage_prefix(resource.group, resource.plural, resource.namespaced ? target.ns : ""), "",
              [&](const ObjectPtr& o) {
                bool ok = labels.matches(o->labels) && fields.matches([&](std::string_view f) -> std::optional<std::string> {
                  for (const auto& [name, value] : o->fields) {
                    if (name == f) return value;
                  }
                  return std::nullopt;
                });
                if (ok) matched.push_back(o);
                return true;
              });
  if (webhooks_for(target, AdmissionOperation::Delete)) {
    // Every object is admitted (DELETE) before any is deleted.
    std::vector<AdmissionItem> pending;
    for (const auto& o : matched) {
      Target item{&resource, o->namespace_, o->name, ""};
      json::Value old = json::parse(o->json);
      json::Value none;
      if (auto step = admission_step(request, item, AdmissionOperation::Delete, none, &old, o->revision, dry, &options, o->key)) {
        pending.push_back(std::move(*step));
      }
    }
    if (!pending.empty()) {
      std::shared_ptr<Admission> admission = request.admission ? request.admission : std::make_shared<Admission>();
      for (auto& p : pending) admission->items.push_back(std::move(p));
      throw AdmissionNeeded{std::move(admission)};
    }
  }
  std::string items;
  std::uint64_t revision = store.revision();
  for (const auto& o : matched) {
    auto [body, rev] = gc->delete_with_policy(resource, o, policy, dry);
    if (!items.empty()) items.push_back(',');
    items += body;
    revision = std::max(revision, rev);
  }
  ApiResponse response;
  response.body = "{\"kind\":\"" + resource.list_kind + "\",\"apiVersion\":\"" + resource.api_version() +
                  "\",\"metadata\":{\"resourceVersion\":\"" + std::to_string(store.revision()) + "\"},\"items\":[" +
                  items + "]}";
  response.after_revision = revision;
  return response;
}

namespace {

// A JSONPath-like ".spec.replicas" as member names.
std::vector<std::string> path_parts(std::string_view path) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    if (path.front() == '.') path.remove_prefix(1);
    auto dot = path.find('.');
    parts.emplace_back(path.substr(0, dot));
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot);
  }
  return parts;
}

const json::Value* at_parts(const json::Value& v, const std::vector<std::string>& parts) {
  const json::Value* cur = &v;
  for (const auto& p : parts) {
    if (!cur->is_object()) return nullptr;
    cur = cur->as_object().if_contains(p);
    if (!cur) return nullptr;
  }
  return cur;
}

}  // namespace

ApiResponse Api::Impl::scale(const ApiRequest& request, const Target& target) {
  const ResourceInfo& resource = *target.resource;
  ObjectPtr current = existing(target);
  if (!current) not_found(resource, target.name);
  json::Value object = json::parse(current->json);
  std::vector<std::string> spec_path = path_parts(resource.is_custom() ? resource.spec_replicas_path : ".spec.replicas");
  std::vector<std::string> status_path =
      path_parts(resource.is_custom() ? resource.status_replicas_path : ".status.replicas");
  auto make_scale = [&](const json::Value& obj, std::uint64_t rv) {
    const json::Value* spec_replicas = at_parts(obj, spec_path);
    const json::Value* status_replicas = at_parts(obj, status_path);
    json::Object status{{"replicas", status_replicas && status_replicas->is_number() ? *status_replicas : json::Value(0)}};
    std::string selector;
    if (resource.is_custom() && !resource.label_selector_path.empty()) {
      if (const json::Value* s = at_parts(obj, path_parts(resource.label_selector_path)); s && s->is_string()) {
        selector = to_std(s->as_string());
      }
    } else if (const json::Value* s = find_path(obj, {"spec", "selector"}); s && s->is_object()) {
      try {
        selector = LabelSelector::from(json::from_dom<api::meta::v1::LabelSelector>(*s)).to_string();
      } catch (const std::exception&) {
      }
    }
    if (!selector.empty()) status["selector"] = selector;
    json::Object meta{{"name", target.name}, {"uid", string_at(obj, {"metadata", "uid"})},
                      {"resourceVersion", std::to_string(rv)},
                      {"creationTimestamp", string_at(obj, {"metadata", "creationTimestamp"})}};
    if (resource.namespaced) meta["namespace"] = target.ns;
    return json::Object{{"kind", "Scale"}, {"apiVersion", "autoscaling/v1"}, {"metadata", meta},
                        {"spec", json::Object{{"replicas", spec_replicas && spec_replicas->is_number() ? *spec_replicas : json::Value(0)}}},
                        {"status", status}};
  };
  ApiResponse response;
  if (request.method == "GET") {
    response.body = boost::json::serialize(make_scale(object, current->revision));
    response.after_revision = store.revision();
    return response;
  }
  json::Value scale_doc = make_scale(object, current->revision);
  if (request.method == "PUT") {
    scale_doc = decode_body(request);
  } else {
    std::string_view type = request.content_type;
    type = type.substr(0, type.find(';'));
    json::Value patch_doc = json::parse(request.body);
    try {
      if (type == "application/json-patch+json") {
        apply_json_patch(scale_doc, patch_doc);
      } else if (type == "application/merge-patch+json" || type == "application/strategic-merge-patch+json") {
        apply_merge_patch(scale_doc, patch_doc);
      } else {
        fail(415, "UnsupportedMediaType", "unsupported patch type for scale: " + std::string(type));
      }
    } catch (const PatchError& e) {
      fail(422, "Invalid", std::string("the patch could not be applied: ") + e.what());
    }
  }
  std::string rv = string_at(scale_doc, {"metadata", "resourceVersion"});
  if (!rv.empty() && rv != std::to_string(current->revision)) conflict(resource, target.name, kModified);
  const json::Value* replicas = find_path(scale_doc, {"spec", "replicas"});
  if (!replicas || !replicas->is_int64() || replicas->as_int64() < 0) {
    fail_invalid(resource, target.name, json::Array{cause("FieldValueInvalid", "spec.replicas",
                                                          "Invalid value: must be a non-negative integer")});
  }
  json::Value* cur = &object;
  for (std::size_t i = 0; i + 1 < spec_path.size(); ++i) {
    json::Value& next = cur->as_object()[spec_path[i]];
    if (!next.is_object()) next = json::Object{};
    cur = &next;
  }
  cur->as_object()[spec_path.back()] = replicas->as_int64();
  Target main = target;
  main.subresource.clear();
  // Not admitted: webhooks would expect an autoscaling/v1 Scale for the scale subresource.
  ApiResponse updated = store_update(request, main, current, object, false, true, false);
  if (updated.status >= 400) return updated;
  ObjectPtr now = existing(target);
  response.body = boost::json::serialize(make_scale(json::parse(now->json), now->revision));
  response.after_revision = updated.after_revision;
  return response;
}

ApiResponse Api::Impl::binding(const ApiRequest& request, const Target& target) {
  const ResourceInfo& resource = *target.resource;
  ObjectPtr current = existing(target);
  if (!current) not_found(resource, target.name);
  json::Value body = decode_body(request);
  std::string node = string_at(body, {"target", "name"});
  if (node.empty()) {
    fail_invalid(resource, target.name, json::Array{cause("FieldValueRequired", "target.name", "Required value")});
  }
  json::Value pod = json::parse(current->json);
  std::string assigned = string_at(pod, {"spec", "nodeName"});
  if (!assigned.empty()) {
    conflict(resource, target.name, "pod " + target.name + " is already assigned to node \"" + assigned + "\"");
  }
  ensure_object(pod, "spec")["nodeName"] = node;
  ObjectPtr stored = store.put(current->key, pod);
  ApiResponse response = status_response(201, "", "");
  response.after_revision = stored->revision;
  return response;
}

}  // namespace kube::apiserver
