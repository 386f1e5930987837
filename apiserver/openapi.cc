#include "apiserver/openapi.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <vector>

#include "kube/core/error.h"

namespace kube::apiserver {

namespace {

constexpr std::string_view kDefinitionsRef = "#/definitions/";
constexpr std::string_view kSchemasRef = "#/components/schemas/";
constexpr std::string_view kObjectMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
constexpr std::string_view kListMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
constexpr std::string_view kPatch = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
constexpr std::string_view kStatus = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
constexpr std::string_view kDeleteOptions = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
constexpr std::string_view kScale = "io.k8s.api.autoscaling.v1.Scale";

constexpr std::string_view kApiVersionDescription =
    "APIVersion defines the versioned schema of this representation of an object. Servers should convert "
    "recognized schemas to the latest internal value, and may reject unrecognized values. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";
constexpr std::string_view kKindDescription =
    "Kind is a string value representing the REST resource this object represents. Servers may infer this from "
    "the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";
constexpr std::string_view kMetadataDescription =
    "Standard object's metadata. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
constexpr std::string_view kListMetadataDescription =
    "Standard list metadata. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";

json::Value schema_ref(std::string_view name) {
  return json::Object{{"$ref", std::string(kSchemasRef) + std::string(name)}};
}

json::Value gvk_object(std::string_view group, std::string_view version, std::string_view kind) {
  return json::Object{{"group", group}, {"kind", kind}, {"version", version}};
}

// ---- schemas: Swagger 2.0 definitions to OpenAPI v3 components ---------------------------------

// Copies a Swagger schema as an OpenAPI v3 one: "#/definitions/X" becomes "#/components/schemas/X"
// (X is appended to `referenced`), and a $ref with siblings (description, defaults, extensions) is
// wrapped in allOf, since v3 ignores $ref siblings. Keys are interpreted by position: under
// "properties" they are field names (JSONSchemaProps has a field called "$ref"), not keywords.
json::Value convert_schema(const json::Value& schema, std::vector<std::string>& referenced);

json::Value convert_schema_map(const json::Value& map, std::vector<std::string>& referenced) {
  if (!map.is_object()) return map;
  json::Object out;
  for (const auto& [name, sub] : map.get_object()) out.emplace(name, convert_schema(sub, referenced));
  return out;
}

json::Value convert_schema_list(const json::Value& list, std::vector<std::string>& referenced) {
  if (!list.is_array()) return convert_schema(list, referenced);
  json::Array out;
  for (const json::Value& sub : list.get_array()) out.push_back(convert_schema(sub, referenced));
  return out;
}

json::Value convert_schema(const json::Value& schema, std::vector<std::string>& referenced) {
  if (!schema.is_object()) return schema;  // true/false for additionalProperties
  json::Object out;
  std::optional<std::string> ref;
  for (const auto& [key, value] : schema.get_object()) {
    if (key == "$ref" && value.is_string()) {
      std::string_view target = value.get_string();
      if (target.starts_with(kDefinitionsRef)) {
        std::string name(target.substr(kDefinitionsRef.size()));
        referenced.push_back(name);
        ref = std::string(kSchemasRef) + name;
      } else {
        if (target.starts_with(kSchemasRef)) referenced.emplace_back(target.substr(kSchemasRef.size()));
        ref = std::string(target);
      }
    } else if (key == "properties" || key == "patternProperties" || key == "definitions" || key == "dependencies") {
      out.emplace(key, convert_schema_map(value, referenced));
    } else if (key == "items") {
      out.emplace(key, convert_schema_list(value, referenced));
    } else if (key == "allOf" || key == "anyOf" || key == "oneOf") {
      out.emplace(key, convert_schema_list(value, referenced));
    } else if (key == "additionalProperties" || key == "additionalItems" || key == "not") {
      out.emplace(key, convert_schema(value, referenced));
    } else {
      out.emplace(key, value);  // descriptions, formats, defaults, enums, x-kubernetes-* as they are
    }
  }
  if (ref) {
    if (out.empty()) return json::Object{{"$ref", *ref}};
    json::Array all_of;
    if (json::Value* existing = out.if_contains("allOf"); existing && existing->is_array()) all_of = existing->get_array();
    all_of.insert(all_of.begin(), json::Object{{"$ref", *ref}});
    out["allOf"] = std::move(all_of);
  }
  return out;
}

// Adds the named definitions and everything they reference (transitively) to `schemas`.
void add_definitions(std::vector<std::string> pending, const json::Object& definitions,
                     std::map<std::string, json::Value>& schemas) {
  while (!pending.empty()) {
    std::string name = std::move(pending.back());
    pending.pop_back();
    if (schemas.contains(name)) continue;
    const json::Value* definition = definitions.if_contains(name);
    if (!definition) throw InvalidArgument("OpenAPI: definition \"" + name + "\" is not in the spec");
    schemas.emplace(name, convert_schema(*definition, pending));
  }
}

// "animals.com" -> "com.animals": CRD schemas are named like Java packages, as Kubernetes does.
std::string reversed_group(std::string_view group) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= group.size()) {
    std::size_t dot = group.find('.', start);
    if (dot == std::string_view::npos) dot = group.size();
    parts.push_back(group.substr(start, dot - start));
    start = dot + 1;
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!out.empty()) out += '.';
    out += *it;
  }
  return out;
}

// The schema names of a resource's kind and list kind.
struct SchemaNames {
  std::string kind;
  std::string list;
};

SchemaNames schema_names(const ResourceInfo& r) {
  std::string list_kind = r.list_kind.empty() ? r.kind + "List" : r.list_kind;
  if (r.is_custom()) {
    std::string prefix = (r.group.empty() ? std::string() : reversed_group(r.group) + ".") + r.version + ".";
    return {prefix + r.kind, prefix + list_kind};
  }
  std::size_t dot = r.definition.rfind('.');
  std::string prefix = dot == std::string::npos ? std::string() : r.definition.substr(0, dot + 1);
  return {r.definition, prefix + list_kind};
}

// A custom resource's schema: its CRD schema with metadata as ObjectMeta, apiVersion and kind, and
// the group-version-kind tag that kubectl explain looks up.
json::Value custom_kind_schema(const ResourceInfo& r, std::vector<std::string>& referenced) {
  json::Value converted = r.schema.is_object()
                              ? convert_schema(r.schema, referenced)
                              : json::Value(json::Object{{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}});
  json::Object& schema = converted.get_object();
  if (!schema.contains("type")) schema["type"] = "object";
  json::Value& properties = schema["properties"];
  if (!properties.is_object()) properties = json::Object();
  json::Object& props = properties.get_object();
  props["apiVersion"] = json::Object{{"description", kApiVersionDescription}, {"type", "string"}};
  props["kind"] = json::Object{{"description", kKindDescription}, {"type", "string"}};
  props["metadata"] = json::Object{{"allOf", json::Array{schema_ref(kObjectMeta)}}, {"description", kMetadataDescription}};
  referenced.emplace_back(kObjectMeta);
  schema["x-kubernetes-group-version-kind"] = json::Array{gvk_object(r.group, r.version, r.kind)};
  return converted;
}

json::Value custom_list_schema(const ResourceInfo& r, const SchemaNames& names, std::vector<std::string>& referenced) {
  referenced.emplace_back(kListMeta);
  std::string list_kind = r.list_kind.empty() ? r.kind + "List" : r.list_kind;
  return json::Object{
      {"description", list_kind + " is a list of " + r.kind},
      {"properties",
       json::Object{
           {"apiVersion", json::Object{{"description", kApiVersionDescription}, {"type", "string"}}},
           {"items", json::Object{{"description", "List of " + r.plural + ". More info: "
                                                  "https://git.k8s.io/community/contributors/devel/sig-architecture/"
                                                  "api-conventions.md"},
                                  {"items", schema_ref(names.kind)},
                                  {"type", "array"}}},
           {"kind", json::Object{{"description", kKindDescription}, {"type", "string"}}},
           {"metadata", json::Object{{"allOf", json::Array{schema_ref(kListMeta)}},
                                     {"description", kListMetadataDescription}}},
       }},
      {"required", json::Array{"items"}},
      {"type", "object"},
      {"x-kubernetes-group-version-kind", json::Array{gvk_object(r.group, r.version, list_kind)}},
  };
}

// ---- paths -------------------------------------------------------------------------------------

// "rbac.authorization.k8s.io" -> "RbacAuthorization", "" -> "Core", "animals.com" -> "AnimalsCom":
// the group part of operation ids, as Kubernetes spells it.
std::string group_camel(std::string_view group) {
  if (group.empty()) return "Core";
  if (group.ends_with(".k8s.io")) group.remove_suffix(std::string_view(".k8s.io").size());
  std::string out;
  bool upper = true;
  for (char c : group) {
    if (c == '.' || c == '-') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

std::string capitalized(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

json::Value query_parameter(std::string_view name, std::string_view type, std::string_view description) {
  return json::Object{{"description", description},
                      {"in", "query"},
                      {"name", name},
                      {"schema", json::Object{{"type", type}, {"uniqueItems", true}}}};
}

json::Value path_parameter(std::string_view name, std::string_view description) {
  return json::Object{{"description", description},
                      {"in", "path"},
                      {"name", name},
                      {"required", true},
                      {"schema", json::Object{{"type", "string"}, {"uniqueItems", true}}}};
}

json::Value dry_run() {
  return query_parameter("dryRun", "string",
                         "When present, indicates that modifications should not be persisted. Valid values are: "
                         "- All: all dry run stages will be processed");
}

// The parameters of writes: kubectl sends fieldValidation=Strict when a PATCH operation of the kind
// lists it (and then skips its own client-side validation).
void add_write_parameters(json::Array& params, bool patch) {
  params.push_back(dry_run());
  params.push_back(query_parameter("fieldManager", "string",
                                   "fieldManager is a name associated with the actor or entity that is making "
                                   "these changes."));
  params.push_back(query_parameter("fieldValidation", "string",
                                   "fieldValidation instructs the server on how to handle objects in the request "
                                   "(POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: "
                                   "Ignore, Warn (the default) and Strict."));
  if (patch)
    params.push_back(query_parameter("force", "boolean",
                                     "Force is going to \"force\" Apply requests. It means user will re-acquire "
                                     "conflicting fields owned by other people. Must be unset for non-apply "
                                     "patch requests."));
}

void add_list_parameters(json::Array& params, bool watch) {
  if (watch)
    params.push_back(query_parameter("allowWatchBookmarks", "boolean",
                                     "allowWatchBookmarks requests watch events with type \"BOOKMARK\"."));
  params.push_back(query_parameter("continue", "string",
                                   "The continue option should be set when retrieving more results from the server."));
  params.push_back(query_parameter("fieldSelector", "string",
                                   "A selector to restrict the list of returned objects by their fields. Defaults "
                                   "to everything."));
  params.push_back(query_parameter("labelSelector", "string",
                                   "A selector to restrict the list of returned objects by their labels. Defaults "
                                   "to everything."));
  params.push_back(query_parameter("limit", "integer", "limit is a maximum number of responses to return for a list call."));
  params.push_back(query_parameter("resourceVersion", "string",
                                   "resourceVersion sets a constraint on what resource versions a request may be "
                                   "served from."));
  params.push_back(query_parameter("resourceVersionMatch", "string",
                                   "resourceVersionMatch determines how resourceVersion is applied to list calls."));
  if (watch)
    params.push_back(query_parameter("sendInitialEvents", "boolean",
                                     "sendInitialEvents=true may be set together with watch=true to begin the "
                                     "watch stream with synthetic events for the current state."));
  params.push_back(query_parameter("timeoutSeconds", "integer", "Timeout for the list/watch call."));
  if (watch)
    params.push_back(query_parameter("watch", "boolean",
                                     "Watch for changes to the described resources and return them as a stream of "
                                     "add, update, and remove notifications. Specify resourceVersion."));
}

void add_delete_parameters(json::Array& params) {
  params.push_back(dry_run());
  params.push_back(query_parameter("gracePeriodSeconds", "integer",
                                   "The duration in seconds before the object should be deleted."));
  params.push_back(query_parameter("orphanDependents", "boolean",
                                   "Deprecated: please use the PropagationPolicy, this field will be deprecated in "
                                   "1.7."));
  params.push_back(query_parameter("propagationPolicy", "string",
                                   "Whether and how garbage collection will be performed: Orphan, Background or "
                                   "Foreground."));
}

json::Value media(std::string_view schema, bool stream) {
  json::Object content{{"application/json", json::Object{{"schema", schema_ref(schema)}}},
                       {"application/yaml", json::Object{{"schema", schema_ref(schema)}}}};
  if (stream) content["application/json;stream=watch"] = json::Object{{"schema", schema_ref(schema)}};
  return content;
}

json::Value responses(std::string_view schema, std::initializer_list<std::pair<const char*, const char*>> codes,
                      bool stream = false) {
  json::Object out;
  for (const auto& [code, description] : codes)
    out[code] = json::Object{{"content", media(schema, stream)}, {"description", description}};
  out["401"] = json::Object{{"description", "Unauthorized"}};
  return out;
}

// What every operation of one resource (or subresource) shares.
struct OperationContext {
  std::string id_infix;   // "CoreV1"
  std::string tag;        // "core_v1"
  json::Value gvk;        // x-kubernetes-group-version-kind
  std::string schema;     // the component the operation reads and writes
  bool custom = false;    // custom resources take no strategic merge patches
};

json::Object operation(const OperationContext& ctx, std::string_view action, std::string operation_id,
                       std::string description) {
  return json::Object{{"description", std::move(description)},
                      {"operationId", std::move(operation_id)},
                      {"tags", json::Array{json::Value(ctx.tag)}},
                      {"x-kubernetes-action", action},
                      {"x-kubernetes-group-version-kind", ctx.gvk}};
}

json::Value body(std::string_view schema) {
  return json::Object{{"content", json::Object{{"*/*", json::Object{{"schema", schema_ref(schema)}}}}},
                      {"required", true}};
}

json::Value patch_body(bool custom) {
  json::Object content;
  for (const char* type : {"application/apply-patch+yaml", "application/json-patch+json",
                           "application/merge-patch+json", "application/strategic-merge-patch+json"}) {
    if (custom && std::string_view(type) == "application/strategic-merge-patch+json") continue;
    content[type] = json::Object{{"schema", schema_ref(kPatch)}};
  }
  return json::Object{{"content", std::move(content)}, {"required", true}};
}

// get / put / patch of an item or of its status or scale subresource.
void add_item_operations(json::Object& path, const OperationContext& ctx, const ResourceInfo& r, std::string_view suffix,
                         const std::string& id_name, std::string_view what) {
  auto has = [&](std::string_view verb) { return std::ranges::find(r.verbs, verb) != r.verbs.end(); };
  std::string of = what.empty() ? std::string() : std::string(what) + " of ";
  if (has("get")) {
    json::Object op = operation(ctx, "get", "read" + id_name + std::string(suffix), "read " + of + "the specified " + r.kind);
    op["responses"] = responses(ctx.schema, {{"200", "OK"}});
    path["get"] = std::move(op);
  }
  if (has("update")) {
    json::Object op = operation(ctx, "put", "replace" + id_name + std::string(suffix), "replace " + of + "the specified " + r.kind);
    json::Array params;
    add_write_parameters(params, false);
    op["parameters"] = std::move(params);
    op["requestBody"] = body(ctx.schema);
    op["responses"] = responses(ctx.schema, {{"200", "OK"}, {"201", "Created"}});
    path["put"] = std::move(op);
  }
  if (has("patch")) {
    json::Object op = operation(ctx, "patch", "patch" + id_name + std::string(suffix),
                                "partially update " + of + "the specified " + r.kind);
    json::Array params;
    add_write_parameters(params, true);
    op["parameters"] = std::move(params);
    op["requestBody"] = patch_body(ctx.custom);
    op["responses"] = responses(ctx.schema, {{"200", "OK"}, {"201", "Created"}});
    path["patch"] = std::move(op);
  }
}

// Every path of one resource: collection, item, /status, /scale and the all-namespaces list.
void add_resource_paths(const ResourceInfo& r, const SchemaNames& names, std::map<std::string, json::Object>& paths) {
  auto has = [&](std::string_view verb) { return std::ranges::find(r.verbs, verb) != r.verbs.end(); };
  const std::string prefix = r.group.empty() ? "/api/" + r.version : "/apis/" + r.group + "/" + r.version;
  const std::string scope = r.namespaced ? "/namespaces/{namespace}" : "";
  const std::string collection = prefix + scope + "/" + r.plural;
  const std::string item = collection + "/{name}";

  OperationContext ctx;
  ctx.id_infix = group_camel(r.group) + capitalized(r.version);
  std::string tag_group = group_camel(r.group);
  if (!tag_group.empty()) tag_group[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(tag_group[0])));
  ctx.tag = tag_group + "_" + r.version;
  ctx.gvk = gvk_object(r.group, r.version, r.kind);
  ctx.schema = names.kind;
  ctx.custom = r.is_custom();
  const std::string namespaced = r.namespaced ? "Namespaced" : "";
  const std::string id_name = ctx.id_infix + namespaced + r.kind;  // "CoreV1NamespacedPod"

  auto scope_parameters = [&](bool with_name) {
    json::Array params;
    if (with_name) params.push_back(path_parameter("name", "name of the " + r.kind));
    if (r.namespaced) params.push_back(path_parameter("namespace", "object name and auth scope, such as for teams and projects"));
    params.push_back(query_parameter("pretty", "string", "If 'true', then the output is pretty printed."));
    return params;
  };

  // The collection: list (and watch), create, deletecollection.
  json::Object coll;
  if (has("list")) {
    json::Object op = operation(ctx, "list", "list" + id_name, "list or watch objects of kind " + r.kind);
    json::Array params;
    add_list_parameters(params, has("watch"));
    op["parameters"] = std::move(params);
    op["responses"] = responses(names.list, {{"200", "OK"}}, /*stream=*/true);
    coll["get"] = std::move(op);
  }
  if (has("create")) {
    json::Object op = operation(ctx, "post", "create" + id_name, "create " + r.kind);
    json::Array params;
    add_write_parameters(params, false);
    op["parameters"] = std::move(params);
    op["requestBody"] = body(names.kind);
    op["responses"] = responses(names.kind, {{"200", "OK"}, {"201", "Created"}, {"202", "Accepted"}});
    coll["post"] = std::move(op);
  }
  if (has("deletecollection")) {
    json::Object op = operation(ctx, "deletecollection", "delete" + ctx.id_infix + "Collection" + namespaced + r.kind,
                                "delete collection of " + r.kind);
    json::Array params;
    add_delete_parameters(params);
    add_list_parameters(params, false);
    op["parameters"] = std::move(params);
    op["requestBody"] = json::Object{{"content", json::Object{{"*/*", json::Object{{"schema", schema_ref(kDeleteOptions)}}}}}};
    op["responses"] = responses(kStatus, {{"200", "OK"}});
    coll["delete"] = std::move(op);
  }
  if (!coll.empty()) {
    coll["parameters"] = scope_parameters(false);
    paths[collection] = std::move(coll);
  }

  // The item: get, put, patch, delete.
  json::Object one;
  add_item_operations(one, ctx, r, "", id_name, "");
  if (has("delete")) {
    json::Object op = operation(ctx, "delete", "delete" + id_name, "delete " + r.kind);
    json::Array params;
    add_delete_parameters(params);
    op["parameters"] = std::move(params);
    op["requestBody"] = json::Object{{"content", json::Object{{"*/*", json::Object{{"schema", schema_ref(kDeleteOptions)}}}}}};
    op["responses"] = responses(kStatus, {{"200", "OK"}, {"202", "Accepted"}});
    one["delete"] = std::move(op);
  }
  if (!one.empty()) {
    one["parameters"] = scope_parameters(true);
    paths[item] = std::move(one);
  }

  if (r.has_status) {
    json::Object status;
    add_item_operations(status, ctx, r, "Status", id_name, "status");
    if (!status.empty()) {
      status["parameters"] = scope_parameters(true);
      paths[item + "/status"] = std::move(status);
    }
  }
  if (r.has_scale) {
    OperationContext scale_ctx = ctx;
    scale_ctx.gvk = gvk_object("autoscaling", "v1", "Scale");
    scale_ctx.schema = kScale;
    json::Object scale;
    add_item_operations(scale, scale_ctx, r, "Scale", id_name, "scale");
    if (!scale.empty()) {
      scale["parameters"] = scope_parameters(true);
      paths[item + "/scale"] = std::move(scale);
    }
  }

  // Namespaced lists across all namespaces (kubectl get -A).
  if (r.namespaced && has("list")) {
    json::Object op = operation(ctx, "list", "list" + ctx.id_infix + r.kind + "ForAllNamespaces",
                                "list or watch objects of kind " + r.kind);
    json::Array params;
    add_list_parameters(params, has("watch"));
    op["parameters"] = std::move(params);
    op["responses"] = responses(names.list, {{"200", "OK"}}, /*stream=*/true);
    json::Object all{{"get", std::move(op)}};
    all["parameters"] = json::Array{query_parameter("pretty", "string", "If 'true', then the output is pretty printed.")};
    paths[prefix + "/" + r.plural] = std::move(all);
  }
}

template <class Map>
json::Object to_object(Map&& map) {
  json::Object out;
  out.reserve(map.size());
  for (auto& [key, value] : map) out.emplace(key, std::move(value));
  return out;
}

}  // namespace

json::Value openapi_v3_index(std::span<const std::pair<std::string, std::string>> group_version_hashes) {
  std::map<std::string, json::Value> paths;  // sorted, like Kubernetes' index
  for (const auto& [group_version, hash] : group_version_hashes) {
    // The core group is "v1" (served under /api), every other "group/version" under /apis.
    std::string key = (group_version.find('/') == std::string::npos ? "api/" : "apis/") + group_version;
    paths[key] = json::Object{{"serverRelativeURL", "/openapi/v3/" + key + "?hash=" + hash}};
  }
  return json::Object{{"paths", to_object(paths)}};
}

json::Value openapi_v3_document(std::string_view group_version, std::span<const ResourceInfo> resources,
                                const json::Object& definitions) {
  std::map<std::string, json::Object> paths;
  std::map<std::string, json::Value> schemas;
  // Schemas every group-version's operations refer to.
  std::vector<std::string> pending{std::string(kPatch), std::string(kStatus), std::string(kDeleteOptions)};
  for (const ResourceInfo& r : resources) {
    if (r.api_version() != group_version || r.plural.empty() || r.plural.find('/') != std::string::npos) continue;
    SchemaNames names = schema_names(r);
    if (r.is_custom()) {
      schemas[names.kind] = custom_kind_schema(r, pending);
      schemas[names.list] = custom_list_schema(r, names, pending);
    } else {
      pending.push_back(names.kind);
      // Create-only kinds (TokenReview, Binding) have no list kind.
      if (definitions.contains(names.list)) pending.push_back(names.list);
    }
    if (r.has_scale) pending.emplace_back(kScale);
    add_resource_paths(r, names, paths);
  }
  add_definitions(std::move(pending), definitions, schemas);

  json::Object components{
      {"schemas", to_object(schemas)},
      {"securitySchemes",
       json::Object{{"BearerToken", json::Object{{"description", "Bearer Token authentication"},
                                                 {"in", "header"},
                                                 {"name", "authorization"},
                                                 {"type", "apiKey"}}}}},
  };
  return json::Object{
      {"openapi", "3.0.0"},
      {"info", json::Object{{"title", "Kubernetes"}, {"version", "v1.34.0"}}},
      {"paths", to_object(paths)},
      {"components", std::move(components)},
  };
}

}  // namespace kube::apiserver
