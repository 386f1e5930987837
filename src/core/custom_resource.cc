// The non-template half of custom resources from structs: schema building blocks, checks of the
// declaration, and the CustomResourceDefinition itself.
#include "kube/core/custom_resource.h"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <set>

#include "kube/core/dom.h"

namespace kube {

void read_json(json::Reader& in, NoStatus&) { in.skip_object(); }
void write_json(json::Writer& out, const NoStatus&) {
  out.begin_object();
  out.end_object();
}

namespace derive {
namespace {

namespace v1 = api::apiextensions::v1;

std::string demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(name);
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// RFC 1035 label: what Kubernetes requires of versions and resource names.
bool is_dns1035_label(std::string_view s) {
  if (s.empty() || s.size() > 63 || !(s.front() >= 'a' && s.front() <= 'z') || !is_lower_alnum(s.back())) return false;
  for (char c : s) {
    if (!is_lower_alnum(c) && c != '-') return false;
  }
  return true;
}

// RFC 1123 subdomain with at least one dot: what Kubernetes requires of a CRD's group.
bool is_group(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.find('.') == std::string_view::npos) return false;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find('.', start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view label = s.substr(start, end - start);
    if (label.empty() || !is_lower_alnum(label.front()) || !is_lower_alnum(label.back())) return false;
    for (char c : label) {
      if (!is_lower_alnum(c) && c != '-') return false;
    }
    start = end + 1;
  }
  return true;
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

thread_local std::vector<const void*> building;  // the structs whose schemas are being built

}  // namespace

void too_many_entries_for_a_custom_resource_info_list() {
  throw InvalidArgument("kube::CustomResourceInfo: too many entries in a list");
}

bool is_null_value(const boost::json::value& value) noexcept { return value.is_null(); }

void throw_unknown_enum(std::string_view got, const std::vector<std::string_view>& accepted) {
  std::string reason = "unknown value " + quoted(got) + ": expected one of ";
  for (std::size_t i = 0; i < accepted.size(); ++i) {
    if (i) reason += ", ";
    reason += quoted(accepted[i]);
  }
  throw json::DecodeError(std::move(reason));
}

void throw_unnamed_enum(long long value) {
  throw InvalidArgument("kube::derive: enum value " + std::to_string(value) + " has no name in its KUBE_ENUM");
}

void throw_bad_default(std::string_view member, std::string_view why) {
  throw InvalidArgument("kube::derive: member " + quoted(member) + " is .defaulted() but " + std::string(why));
}

SchemaGuard::SchemaGuard(const void* type, const char* name) : type_(type) {
  for (const void* t : building) {
    if (t == type) {
      throw InvalidArgument("kube::derive: " + demangle(name) +
                            " contains itself: a structural schema cannot describe a recursive type");
    }
  }
  building.push_back(type);
}
SchemaGuard::~SchemaGuard() {
  if (!building.empty() && building.back() == type_) building.pop_back();
}

JSONSchemaProps schema_of_type(std::string_view type, std::string_view format) {
  JSONSchemaProps s;
  s.type = std::string(type);
  if (!format.empty()) s.format = std::string(format);
  return s;
}

JSONSchemaProps schema_of_free_form() {
  JSONSchemaProps s;
  s.x_kubernetes_preserve_unknown_fields = true;
  return s;
}

JSONSchemaProps schema_of_int_or_string(bool quantity) {
  JSONSchemaProps s;
  s.any_of = std::vector<JSONSchemaProps>{schema_of_type("integer"), schema_of_type("string")};
  s.x_kubernetes_int_or_string = true;
  if (quantity) {
    // The API server's quantity grammar (as the schemas of Kubernetes' own types state it).
    s.pattern = R"(^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$)";
  }
  return s;
}

json::Raw to_raw(const JSONSchemaProps& schema) { return json::Raw::parse(json::encode(schema)); }

CustomResourceDefinition build_crd(const CrdParts& parts) {
  const CustomResourceInfo& info = *parts.info;
  const std::string where = "custom resource " + std::string(parts.kind) + ": ";
  auto fail = [&](const std::string& what) { throw InvalidArgument(where + what); };

  if (!is_group(info.group)) fail("group " + quoted(info.group) + " must be a lowercase DNS subdomain with at least one dot");
  if (!is_dns1035_label(info.version)) {
    fail("version " + quoted(info.version) + " must be a lowercase RFC 1035 label such as \"v1\" or \"v1alpha1\"");
  }
  if (!is_dns1035_label(lowercase(parts.kind))) fail("kind must be letters and digits, starting with a letter");
  const std::string singular = info.singular.empty() ? lowercase(parts.kind) : std::string(info.singular);
  if (!is_dns1035_label(parts.plural)) fail("plural " + quoted(parts.plural) + " must be a lowercase RFC 1035 label");
  if (!is_dns1035_label(singular)) fail("singular " + quoted(singular) + " must be a lowercase RFC 1035 label");
  std::set<std::string_view> names{parts.plural, singular};
  for (std::string_view s : info.short_names) {
    if (!is_dns1035_label(s)) fail("short name " + quoted(s) + " must be a lowercase RFC 1035 label");
    if (!names.insert(s).second) fail("short name " + quoted(s) + " repeats the plural, the singular or another short name");
  }
  for (std::string_view c : info.categories) {
    if (!is_dns1035_label(c)) fail("category " + quoted(c) + " must be a lowercase RFC 1035 label");
  }

  v1::CustomResourceDefinitionVersion version;
  version.name = std::string(info.version);
  version.served = true;
  version.storage = true;

  std::set<std::string_view> column_names;
  static const std::set<std::string_view> kColumnTypes = {"integer", "number", "string", "boolean", "date"};
  static const std::set<std::string_view> kColumnFormats = {"int32", "int64", "float", "double", "byte",
                                                           "date", "date-time", "password"};
  std::vector<v1::CustomResourceColumnDefinition> columns;
  for (const PrinterColumn& c : info.printer_columns) {
    const std::string column = "printer column " + quoted(c.name) + ": ";
    if (c.name.empty()) fail("a printer column has no name");
    if (!column_names.insert(c.name).second) fail(column + "declared twice");
    if (!kColumnTypes.count(c.type)) fail(column + "type " + quoted(c.type) + " is not integer, number, string, boolean or date");
    if (!c.format.empty() && !kColumnFormats.count(c.format)) fail(column + "format " + quoted(c.format) + " is not supported");
    if (c.json_path.empty() || c.json_path.front() != '.') fail(column + "jsonPath " + quoted(c.json_path) + " must start with '.'");
    if (c.priority < 0) fail(column + "priority must not be negative");
    v1::CustomResourceColumnDefinition d;
    d.name = std::string(c.name);
    d.type = std::string(c.type);
    d.json_path = std::string(c.json_path);
    if (!c.description.empty()) d.description = std::string(c.description);
    if (!c.format.empty()) d.format = std::string(c.format);
    if (c.priority != 0) d.priority = c.priority;
    columns.push_back(std::move(d));
  }
  if (!columns.empty()) version.additional_printer_columns = std::move(columns);

  if (parts.status || info.scale) {
    v1::CustomResourceSubresources& subresources = version.subresources.emplace();
    if (parts.status) subresources.status = json::Raw::parse("{}");
    if (info.scale) {
      const ScaleSubresource& s = *info.scale;
      if (!s.spec_replicas_path.starts_with(".spec.")) {
        fail("scale: specReplicasPath " + quoted(s.spec_replicas_path) + " must start with \".spec.\"");
      }
      if (!s.status_replicas_path.starts_with(".status.")) {
        fail("scale: statusReplicasPath " + quoted(s.status_replicas_path) + " must start with \".status.\"");
      }
      if (!parts.status) fail("scale: statusReplicasPath needs a status type");
      if (!s.label_selector_path.empty() && !s.label_selector_path.starts_with(".spec.") &&
          !s.label_selector_path.starts_with(".status.")) {
        fail("scale: labelSelectorPath " + quoted(s.label_selector_path) + " must start with \".spec.\" or \".status.\"");
      }
      v1::CustomResourceSubresourceScale& scale = subresources.scale.emplace();
      scale.spec_replicas_path = std::string(s.spec_replicas_path);
      scale.status_replicas_path = std::string(s.status_replicas_path);
      if (!s.label_selector_path.empty()) scale.label_selector_path = std::string(s.label_selector_path);
    }
  }

  JSONSchemaProps root = schema_of_type("object");
  if (!info.description.empty()) root.description = std::string(info.description);
  std::map<std::string, JSONSchemaProps> properties;
  JSONSchemaProps api_version = schema_of_type("string");
  api_version.description = "The versioned schema of this representation of an object.";
  properties.emplace("apiVersion", std::move(api_version));
  JSONSchemaProps kind = schema_of_type("string");
  kind.description = "The REST resource this object represents.";
  properties.emplace("kind", std::move(kind));
  properties.emplace("metadata", schema_of_type("object"));
  properties.emplace("spec", parts.spec);
  if (parts.status) properties.emplace("status", *parts.status);
  root.properties = std::move(properties);
  root.required = std::vector<std::string>{"spec"};
  version.schema.emplace().open_api_v3_schema = std::move(root);

  CustomResourceDefinition crd;
  crd.metadata.name = std::string(parts.plural) + "." + std::string(info.group);
  crd.spec.group = std::string(info.group);
  crd.spec.scope = info.scope == Scope::Namespaced ? "Namespaced" : "Cluster";
  v1::CustomResourceDefinitionNames& n = crd.spec.names;
  n.kind = std::string(parts.kind);
  n.list_kind = std::string(parts.kind) + "List";
  n.plural = std::string(parts.plural);
  n.singular = singular;
  if (info.short_names.size()) n.short_names = std::vector<std::string>(info.short_names.begin(), info.short_names.end());
  if (info.categories.size()) n.categories = std::vector<std::string>(info.categories.begin(), info.categories.end());
  crd.spec.versions.push_back(std::move(version));
  return crd;
}

}  // namespace derive
}  // namespace kube
