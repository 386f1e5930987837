// Server-side apply: PATCH with Content-Type application/apply-patch+yaml (YAML or JSON body).
//
// The applied configuration is merged into the live object (create when missing); the manager
// then owns exactly the fields of its configuration. Fields it owned before and no longer applies
// are removed unless another manager owns them; changing a field another manager owns is a 409
// Conflict unless `force=true`, which moves the ownership. Ownership lives in
// metadata.managedFields (managed_fields.h).
#include <boost/json/serialize.hpp>

#include "apiserver/api_impl.h"
#include "apiserver/dom_util.h"
#include "apiserver/managed_fields.h"
#include "apiserver/structural_schema.h"
#include "kube/core/time.h"
#include "kube/core/yaml.h"

namespace kube::apiserver {

namespace {

std::string qualified(const ResourceInfo& r) { return r.group.empty() ? r.plural : r.plural + "." + r.group; }

json::Value decode_applied(const std::string& body) {
  std::string_view text = body;
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\r' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  if (!text.empty() && text.front() == '{') {
    try {
      return json::parse(text);
    } catch (const json::DecodeError&) {
      // not JSON after all: YAML flow style, read below
    }
  }
  try {
    return yaml::parse(body);
  } catch (const json::DecodeError& e) {
    fail(400, "BadRequest", std::string("the applied configuration is not valid YAML or JSON: ") + e.what());
  }
}

struct Conflict {
  std::string manager;
  std::string api_version;
  std::string subresource;
  std::vector<std::string> fields;  // ".spec.x"
};

[[noreturn]] void conflicts_failure(const ResourceInfo& resource, const std::string& name,
                                    const std::vector<Conflict>& conflicts) {
  std::size_t total = 0;
  for (const auto& c : conflicts) total += c.fields.size();
  std::string message = "Apply failed with " + std::to_string(total) + (total == 1 ? " conflict" : " conflicts") + ": ";
  json::Array causes;
  for (std::size_t i = 0; i < conflicts.size(); ++i) {
    const Conflict& c = conflicts[i];
    std::string who = "\"" + c.manager + "\" using " + c.api_version;
    if (!c.subresource.empty()) who += " with subresource \"" + c.subresource + "\"";
    if (i) message += "\n";
    if (c.fields.size() == 1) {
      message += "conflict with " + who + ": " + c.fields.front();
    } else {
      message += "conflicts with " + who + ":";
      for (const auto& f : c.fields) message += "\n- " + f;
    }
    for (const auto& f : c.fields) causes.push_back(cause("FieldManagerConflict", f, "conflict with " + who));
  }
  fail(409, "Conflict", message,
       json::Object{{"name", name}, {"group", resource.group}, {"kind", resource.plural}, {"causes", causes}});
}

}  // namespace

ApiResponse Api::Impl::apply(const ApiRequest& request, const Target& target) {
  const ResourceInfo& resource = *target.resource;
  std::string manager = request.param("fieldManager").value_or("");
  if (manager.empty()) {
    fail(422, "Invalid",
         "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
         json::Object{{"kind", "PatchOptions"}, {"group", "meta.k8s.io"},
                      {"causes", json::Array{cause("FieldValueRequired", "fieldManager",
                                                   "Required value: is required for apply patch")}}});
  }
  check_manager(manager);
  bool force = false;
  if (auto f = request.param("force")) {
    bool ok = false;
    force = parse_bool(*f, ok);
    if (!ok) fail(400, "BadRequest", "force must be a boolean (got \"" + *f + "\")");
  }
  json::Value config = decode_applied(request.body);
  if (!config.is_object()) fail(400, "BadRequest", "the applied configuration must be an object");
  std::string api_version = string_at(config, {"apiVersion"});
  std::string kind = string_at(config, {"kind"});
  if (api_version.empty() || kind.empty()) {
    fail(400, "BadRequest",
         std::string("Object '") + (kind.empty() ? "Kind" : "apiVersion") +
             "' is missing in the applied configuration: apiVersion and kind must be set for server-side apply");
  }
  if (api_version != resource.api_version() || kind != resource.kind) {
    fail(400, "BadRequest", "the applied configuration is a " + api_version + " " + kind + ", the endpoint serves " +
                                resource.api_version() + " " + resource.kind);
  }
  json::Object& meta = metadata_of(config);
  std::string name = string_at(config, {"metadata", "name"});
  if (name.empty()) {
    meta["name"] = target.name;
  } else if (name != target.name) {
    fail(400, "BadRequest",
         "the name of the object (" + name + ") does not match the name on the URL (" + target.name + ")");
  }
  if (resource.namespaced) {
    std::string ns = string_at(config, {"metadata", "namespace"});
    if (!ns.empty() && ns != target.ns) {
      fail(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
    }
    meta["namespace"] = target.ns;
  }
  if (const json::Value* mf = meta.if_contains("managedFields"); mf && !mf->is_null()) {
    fail(400, "BadRequest", "metadata.managedFields must be nil");
  }

  std::string subresource = target.subresource == "status" ? "status" : "";
  SchemaNode schema = SchemaNode::of(resource, registry.definitions());
  json::Value applied = tracked_part(config, resource, subresource);
  // The manager owns what survives pruning (the merged object is pruned, validated and, with
  // fieldValidation=Strict, rejected for unknown fields by the usual write path).
  json::Value known = applied;
  if (resource.is_custom()) {
    if (!resource.schema.is_null()) {
      json::Value whole = config;
      apply_structural_schema(whole, resource.schema, SchemaOptions{.prune = true, .defaults = false});
      known = tracked_part(whole, resource, subresource);
    }
  } else {
    json::Value whole = config;
    check_builtin_schema(whole, registry.definitions(), resource.definition);
    known = tracked_part(whole, resource, subresource);
  }
  FieldSet applied_fields = fields_of(known, schema);
  std::string now = Time::now().to_string();
  ObjectPtr current = existing(target);
  if (!current) {
    if (!subresource.empty()) {
      fail(404, "NotFound", qualified(resource) + " \"" + target.name + "\" not found",
           json::Object{{"name", target.name}, {"group", resource.group}, {"kind", resource.plural}});
    }
    encode_managed_fields(config, {ManagedEntry{manager, "Apply", resource.api_version(), now, "", applied_fields}});
    Target create_target = target;
    create_target.name.clear();
    return create_object(request, create_target, std::move(config), false);
  }

  json::Value live = json::parse(current->json);
  std::string rv = string_at(config, {"metadata", "resourceVersion"});
  if (!rv.empty() && rv != std::to_string(current->revision)) {
    fail(409, "Conflict",
         "Operation cannot be fulfilled on " + qualified(resource) + " \"" + target.name +
             "\": the object has been modified; please apply your changes to the latest version and try again",
         json::Object{{"name", target.name}, {"group", resource.group}, {"kind", resource.plural}});
  }
  std::vector<ManagedEntry> entries;
  try {
    entries = decode_managed_fields(live, resource);
  } catch (const ApiFailure&) {
    entries.clear();
  }
  if (entries.empty()) {
    // Fields set before anyone applied belong to a stand-in manager, so applying over them conflicts.
    FieldSet before = fields_of(tracked_part(live, resource, ""), schema);
    if (!before.empty()) {
      entries.push_back(ManagedEntry{"before-first-apply", "Update", resource.api_version(), now, "", before});
    }
  }
  json::Value merged = merge_applied(&live, applied, schema);

  FieldSet changed = changed_fields(applied_fields, live, merged);
  std::vector<Conflict> conflicts;
  std::vector<std::pair<std::size_t, FieldSet>> lost;  // entry index, fields it loses with force
  ManagedEntry* own = nullptr;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    ManagedEntry& e = entries[i];
    if (e.manager == manager && e.operation == "Apply" && e.subresource == subresource) {
      own = &e;
      continue;
    }
    FieldSet common = changed.intersect(e.fields);
    if (common.empty()) continue;
    Conflict c{e.manager, e.api_version, e.subresource, {}};
    common.each([&](const std::vector<std::string>& path, const FieldSet&) { c.fields.push_back(path_string(path)); });
    conflicts.push_back(std::move(c));
    lost.emplace_back(i, std::move(common));
  }
  if (!conflicts.empty() && !force) conflicts_failure(resource, target.name, conflicts);
  for (auto& [i, fields] : lost) entries[i].fields.subtract(fields);

  if (own) {
    FieldSet dropped = own->fields;
    dropped.subtract(applied_fields);
    if (!dropped.empty()) {
      FieldSet others;
      for (const auto& e : entries) {
        if (&e != own) others.unite(e.fields);
      }
      remove_fields(merged, dropped, &others);
    }
    bool unchanged = own->fields == applied_fields && json::equal(merged, live);
    own->fields = applied_fields;
    if (!unchanged) {
      own->time = now;
      own->api_version = resource.api_version();
    }
  } else {
    entries.push_back(ManagedEntry{manager, "Apply", resource.api_version(), now, subresource, applied_fields});
  }
  encode_managed_fields(merged, entries);
  return store_update(request, target, current, merged, subresource == "status", false);
}

}  // namespace kube::apiserver
