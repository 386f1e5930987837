// Checking bodies of built-in kinds against the bundled OpenAPI definitions: unknown fields are
// pruned and reported (fieldValidation), values of the wrong type rejected, as decoding into the
// API server's Go types would.
#include <string>

#include "apiserver/api_impl.h"
#include "apiserver/dom_util.h"
#include "kube/core/quantity.h"
#include "kube/core/time.h"

namespace kube::apiserver {

namespace {

std::string member_string(const json::Object& o, std::string_view key) {
  const json::Value* v = o.if_contains(bsv(key));
  return v && v->is_string() ? to_std(v->as_string()) : std::string();
}

class Checker {
 public:
  Checker(const json::Object& definitions, SchemaCheck& out) : definitions_(definitions), out_(out) {}

  void value(json::Value& v, const json::Value& schema, const std::string& path) {
    if (v.is_null()) return;  // null decodes to the zero value
    const json::Object& s = resolve(schema);
    std::string type = member_string(s, "type");
    std::string format = member_string(s, "format");
    if (format == "int-or-string") {
      if (!v.is_string() && !is_integer(v)) type_error(path, "integer or string", v);
      return;
    }
    if (type == "string") {
      if (is_quantity(schema)) {
        if (!v.is_string() && !v.is_number()) type_error(path, "quantity (string or number)", v);
        if (v.is_string() && !Quantity::is_valid(to_std(v.as_string()))) {
          out_.type_errors.push_back(path + ": quantities must match the regular expression "
                                            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
        }
        return;
      }
      if (!v.is_string()) return type_error(path, "string", v);
      if (format == "date-time" && !v.as_string().empty()) {
        try {
          parse_rfc3339(to_std(v.as_string()));
        } catch (const std::exception&) {
          out_.type_errors.push_back(path + ": invalid RFC 3339 time \"" + to_std(v.as_string()) + "\"");
        }
      }
      return;
    }
    if (type == "integer") {
      if (!is_integer(v)) type_error(path, "integer", v);
      return;
    }
    if (type == "number") {
      if (!v.is_number()) type_error(path, "number", v);
      return;
    }
    if (type == "boolean") {
      if (!v.is_bool()) type_error(path, "boolean", v);
      return;
    }
    if (type == "array") {
      if (!v.is_array()) return type_error(path, "array", v);
      const json::Value* items = s.if_contains("items");
      if (!items) return;
      std::size_t i = 0;
      for (auto& e : v.as_array()) value(e, *items, path + "[" + std::to_string(i++) + "]");
      return;
    }
    const json::Value* properties = s.if_contains("properties");
    const json::Value* additional = s.if_contains("additionalProperties");
    if (!properties && !additional) return;  // free-form JSON (RawExtension, FieldsV1, ...)
    if (!v.is_object()) return type_error(path, "object", v);
    json::Object& o = v.as_object();
    if (additional) {
      for (auto& m : o) value(m.value(), *additional, path + "." + std::string(m.key()));
      return;
    }
    const json::Object& props = properties->as_object();
    for (auto it = o.begin(); it != o.end();) {
      std::string key(it->key());
      const json::Value* property = props.if_contains(it->key());
      if (!property) {
        out_.unknown.push_back(path + "." + key);
        it = o.erase(it);
        continue;
      }
      value(it->value(), *property, path + "." + key);
      ++it;
    }
  }

  const json::Object& definition(std::string_view name) {
    static const json::Object kEmpty;
    const json::Value* d = definitions_.if_contains(bsv(name));
    return d && d->is_object() ? d->as_object() : kEmpty;
  }

 private:
  const json::Object& resolve(const json::Value& schema) {
    static const json::Object kEmpty;
    if (!schema.is_object()) return kEmpty;
    const json::Value* ref = schema.as_object().if_contains("$ref");
    if (!ref || !ref->is_string()) return schema.as_object();
    std::string target = to_std(ref->as_string());
    return definition(target.substr(target.rfind('/') + 1));
  }
  static bool is_quantity(const json::Value& schema) {
    const json::Value* ref = schema.is_object() ? schema.as_object().if_contains("$ref") : nullptr;
    return ref && ref->is_string() && to_std(ref->as_string()).ends_with("api.resource.Quantity");
  }
  static bool is_integer(const json::Value& v) {
    return v.is_int64() || v.is_uint64() || (v.is_double() && v.as_double() == static_cast<double>(static_cast<long long>(v.as_double())));
  }
  void type_error(const std::string& path, std::string_view expected, const json::Value& v) {
    const char* actual = v.is_string() ? "string" : v.is_bool() ? "boolean" : v.is_number() ? "number"
                         : v.is_array() ? "array" : v.is_object() ? "object" : "null";
    std::string field = path.empty() ? "the body" : path.substr(1);
    out_.type_errors.push_back(field + ": expected " + std::string(expected) + ", got " + actual);
  }

  const json::Object& definitions_;
  SchemaCheck& out_;
};

}  // namespace

SchemaCheck check_builtin_schema(json::Value& object, const json::Object& definitions, std::string_view definition) {
  SchemaCheck out;
  Checker checker(definitions, out);
  json::Value schema = json::Object{{"$ref", "#/definitions/" + std::string(definition)}};
  checker.value(object, schema, "");
  return out;
}

}  // namespace kube::apiserver
