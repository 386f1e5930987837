// Custom resources declared from plain C++ structs: JSON codecs for the structs, a root kind that
// works with kube::Api<K> like any generated kind, and its CustomResourceDefinition with a
// structural OpenAPI v3 schema derived from the structs.
//
// Three macros, each used at namespace scope in the namespace of the type it describes:
//
//   KUBE_ENUM(E, {E::A, "a"}, ...)       the JSON strings of an enum's values
//   KUBE_FIELDS(S, KUBE_FIELD(m)...)     the members of a struct that go to JSON and the schema
//   KUBE_CUSTOM_RESOURCE(Kind, Spec, Status, .group = ..., .version = ..., ...)
//                                        declares `struct Kind` {metadata, spec, status}
//
// Example:
//   enum class Mode { Copy, Link };
//   KUBE_ENUM(Mode, {Mode::Copy, "Copy"}, {Mode::Link, "Link"});
//
//   struct GeneratorSpec {
//     std::map<std::string, std::string> content;
//     std::optional<std::int32_t> replicas;
//     Mode mode = Mode::Copy;
//     bool operator==(const GeneratorSpec&) const = default;
//   };
//   KUBE_FIELDS(GeneratorSpec,
//               KUBE_FIELD(content).doc("Data of the generated ConfigMaps."),
//               KUBE_FIELD(replicas).doc("How many to generate.").minimum(0),
//               KUBE_FIELD(mode).doc("How the data is shared.").defaulted());
//
//   KUBE_CUSTOM_RESOURCE(Generator, GeneratorSpec, kube::NoStatus,
//                        .group = "example.com", .version = "v1", .short_names = {"gen"},
//                        .printer_columns = {{.name = "Mode", .type = "string", .json_path = ".spec.mode"}});
//
//   auto generators = kube::Api<Generator>::namespaced(client, "default");
//   std::cout << kube::yaml::emit(kube::json::to_dom(Generator::crd()));
//
// Mapping (C++ member -> JSON name and schema):
//   * JSON names are the members' names in camelCase (`spec_replicas` -> "specReplicas"; a trailing
//     '_' is dropped: `default_` -> "default"); `.json_name("podCIDR")` overrides one.
//   * bool -> boolean; std::int32_t / std::int64_t -> integer (format int32 / int64); double / float
//     -> number (format double / float); std::string -> string; a KUBE_ENUM enum -> string + enum;
//     std::vector<T> -> array of T; std::map<std::string, T> -> object with additionalProperties T;
//     a KUBE_FIELDS struct -> object with properties; kube::json::Raw and json::Value -> any JSON
//     (x-kubernetes-preserve-unknown-fields); Quantity, IntOrString -> x-kubernetes-int-or-string;
//     Time, MicroTime -> string (format date-time); ByteString -> string (format byte).
//     Any other type fails to compile, unless it has JSON support and a schema given by
//     `kube::api::apiextensions::v1::JSONSchemaProps kube_schema(kube::derive::Tag<T>)`, declared in
//     T's namespace or in kube::derive before the schema is built (e.g. for a generated Kubernetes
//     type: an object with x-kubernetes-preserve-unknown-fields).
//   * Required or not: std::optional<T> and kube::OptionalBox<T> members are optional (omitted from
//     JSON when empty), so are free-form members (json::Raw, json::Value: omitted when null). Every
//     other member is required and always written, unless marked `.defaulted()`: then the schema
//     carries its default value (the member's value in a value-initialised struct, `S{}`) and the
//     API server fills it in when it is missing. The root requires `spec`; `status` is optional.
//     (A default-constructed Quantity is "", which its schema's pattern refuses: set required
//     Quantity members or make them std::optional.)
//   * Printer columns, like Kubernetes', replace the default Age column: add
//     {.name = "Age", .type = "date", .json_path = ".metadata.creationTimestamp"} to keep it.
//   * Lists in CustomResourceInfo hold at most 16 entries (more is a compile-time error).
//   * Decoding is lenient like every kube decoder (missing = the C++ default, unknown members
//     ignored); a wrong type or an enum string not in the list throws json::DecodeError with the path.
//   * `.doc(text)` becomes the property's description; `.minimum(x)`, `.maximum(x)`,
//     `.pattern(re)` become the matching schema keywords.
//   * Recursive structs have no structural schema: crd() throws InvalidArgument for them.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "kube/api/apiextensions/v1.h"
#include "kube/core/json.h"
#include "kube/core/resource.h"

namespace kube {

/// A column of `kubectl get` (additionalPrinterColumns).
struct PrinterColumn {
  std::string_view name;
  std::string_view type;       // integer, number, string, boolean or date
  std::string_view json_path;  // ".spec.replicas"
  std::string_view description = {};
  std::string_view format = {};  // int32, int64, float, double, byte, date, date-time, password
  std::int32_t priority = 0;     // > 0: only shown by `kubectl get -o wide`
};

/// The scale subresource (kubectl scale, HorizontalPodAutoscaler).
struct ScaleSubresource {
  std::string_view spec_replicas_path;    // ".spec.replicas"
  std::string_view status_replicas_path;  // ".status.replicas"
  std::string_view label_selector_path = {};
};

namespace derive {
/// Not constexpr: reaching it while a declaration is evaluated at compile time is the error.
[[noreturn]] void too_many_entries_for_a_custom_resource_info_list();

/// A list written as a braced list in a constant (`.short_names = {"a", "b"}`), up to Max entries.
/// (A std::initializer_list member cannot be kept in a constant by every compiler.)
template <class T, std::size_t Max>
class FixedList {
 public:
  constexpr FixedList() = default;
  constexpr FixedList(std::initializer_list<T> values) {
    if (values.size() > Max) too_many_entries_for_a_custom_resource_info_list();
    for (const T& v : values) items_[size_++] = v;
  }
  constexpr const T* begin() const noexcept { return items_; }
  constexpr const T* end() const noexcept { return items_ + size_; }
  constexpr std::size_t size() const noexcept { return size_; }
  constexpr bool empty() const noexcept { return size_ == 0; }

 private:
  T items_[Max] = {};
  std::size_t size_ = 0;
};
}  // namespace derive

/// What a custom resource's declaration says besides its structs. Used as designated initialisers
/// in KUBE_CUSTOM_RESOURCE, in this order.
struct CustomResourceInfo {
  std::string_view group;    // "example.com" (a domain: at least one dot)
  std::string_view version;  // "v1", "v1alpha1"
  Scope scope = Scope::Namespaced;
  std::string_view plural = {};    // default: guessed from the kind like kubectl ("Policy" -> "policies")
  std::string_view singular = {};  // default: the kind in lowercase
  derive::FixedList<std::string_view, 16> short_names = {};
  derive::FixedList<std::string_view, 16> categories = {};
  derive::FixedList<PrinterColumn, 16> printer_columns = {};
  std::optional<ScaleSubresource> scale = {};
  std::string_view description = {};  // of the whole object (the schema's root)
};

/// The status type of a custom resource without status (no status schema, no status subresource).
struct NoStatus {
  bool operator==(const NoStatus&) const = default;
};
void read_json(json::Reader& in, NoStatus& out);
void write_json(json::Writer& out, const NoStatus& in);

namespace derive {

using api::apiextensions::v1::CustomResourceDefinition;
using api::apiextensions::v1::JSONSchemaProps;

/// Names a type in the functions the macros declare (found by argument-dependent lookup).
template <class T>
struct Tag {};

/// snake_case -> camelCase, at compile time: words after the first start with a capital, '_' go,
/// so does a trailing '_' (C++ keywords). Writes at most snake.size() characters; returns the length.
constexpr std::size_t camel_case_into(std::string_view snake, char* out) noexcept {
  std::size_t n = 0;
  bool upper_next = false;
  for (char c : snake) {
    if (c == '_') {
      upper_next = n > 0;
      continue;
    }
    out[n++] = upper_next && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper_next = false;
  }
  return n;
}

/// One member of a KUBE_FIELDS struct: where it is, its JSON name and its schema annotations.
template <class Owner, class Member, std::size_t N>
struct Field {
  using owner_type = Owner;
  using member_type = Member;

  constexpr Field(Member Owner::*member, const char (&cpp_name)[N]) : pointer(member) {
    length = camel_case_into(std::string_view(cpp_name, N - 1), derived);
  }

  /// The property's description.
  constexpr Field doc(std::string_view text) const {
    Field f = *this;
    f.description = text;
    return f;
  }
  /// The JSON name instead of the camelCase one.
  constexpr Field json_name(std::string_view name) const {
    Field f = *this;
    f.renamed = name;
    return f;
  }
  /// Not required: the schema's default is this member's value in a value-initialised Owner.
  constexpr Field defaulted() const {
    Field f = *this;
    f.has_default = true;
    return f;
  }
  constexpr Field minimum(double value) const {
    Field f = *this;
    f.min = value;
    return f;
  }
  constexpr Field maximum(double value) const {
    Field f = *this;
    f.max = value;
    return f;
  }
  /// A regular expression strings must match (schema `pattern`).
  constexpr Field pattern(std::string_view regex) const {
    Field f = *this;
    f.regex = regex;
    return f;
  }

  constexpr std::string_view name() const { return renamed.empty() ? std::string_view(derived, length) : renamed; }

  Member Owner::*pointer;
  char derived[N] = {};
  std::size_t length = 0;
  std::string_view renamed = {};
  std::string_view description = {};
  std::string_view regex = {};
  std::optional<double> min = {};
  std::optional<double> max = {};
  bool has_default = false;
};

template <class Owner, class Member, std::size_t N>
constexpr Field<Owner, Member, N> field(Member Owner::*member, const char (&cpp_name)[N]) {
  return Field<Owner, Member, N>(member, cpp_name);
}

/// A KUBE_ENUM value and its JSON string.
template <class E>
struct EnumValue {
  E value;
  std::string_view name;
};

template <class T>
concept Described = requires { kube_fields(Tag<T>{}); };
template <class T>
concept DescribedEnum = std::is_enum_v<T> && requires { kube_enum_values(Tag<T>{}); };

template <class T>
inline constexpr auto fields_of = kube_fields(Tag<T>{});
template <class E>
inline constexpr auto enum_values_of = kube_enum_values(Tag<E>{});

template <class Tuple, std::size_t... I>
constexpr bool unique_names(const Tuple& fields, std::index_sequence<I...>) {
  const std::string_view names[] = {std::string_view(), std::get<I>(fields).name()...};
  for (std::size_t a = 1; a < sizeof...(I) + 1; ++a) {
    if (names[a].empty()) return false;
    for (std::size_t b = 1; b < a; ++b) {
      if (names[a] == names[b]) return false;
    }
  }
  return true;
}
template <class T>
constexpr bool has_unique_names() {
  constexpr auto& fields = fields_of<T>;
  return unique_names(fields, std::make_index_sequence<std::tuple_size_v<std::remove_cvref_t<decltype(fields)>>>());
}

bool is_null_value(const boost::json::value& value) noexcept;

/// Free-form JSON: null is its empty state, so such members are never required and are omitted
/// when null.
template <class T>
inline constexpr bool is_free_form = std::is_same_v<T, json::Raw> || std::is_same_v<T, boost::json::value>;
/// True when the member's JSON is absent (empty optional, null free-form value).
template <class T>
bool is_absent(const T& value) {
  if constexpr (std::is_same_v<T, json::Raw>) {
    return value.is_null();
  } else if constexpr (std::is_same_v<T, boost::json::value>) {
    return is_null_value(value);
  } else {
    return false;
  }
}
template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {
  using value_type = T;
};
template <class T>
struct IsOptional<OptionalBox<T>> : std::true_type {
  using value_type = T;
};

template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {};
template <class T>
struct IsStringMap : std::false_type {};
template <class T>
struct IsStringMap<std::map<std::string, T>> : std::true_type {};

/// Member types the JSON layer can read and write.
template <class M>
concept JsonMember = requires(json::Reader& in, json::Writer& out, M& value) {
  in.read(value);
  out.write(value);
};
template <class Tuple, std::size_t... I>
constexpr bool all_json_members(std::index_sequence<I...>) {
  return (JsonMember<typename std::tuple_element_t<I, Tuple>::member_type> && ...);
}

// ---- JSON of KUBE_FIELDS structs and KUBE_ENUM enums ------------------------------------------------

template <class T>
void read_fields(json::Reader& in, T& out) {
  static_assert(has_unique_names<T>(), "KUBE_FIELDS: two members have the same JSON name (or an empty one)");
  using Fields = std::remove_cvref_t<decltype(fields_of<T>)>;
  static_assert(all_json_members<Fields>(std::make_index_sequence<std::tuple_size_v<Fields>>()),
                "KUBE_FIELDS: a member's type has no JSON support (see kube/core/custom_resource.h for the types "
                "that do; a KUBE_FIELDS struct or KUBE_ENUM enum must be declared before it is used)");
  in.read_object([&out](std::string_view key, json::Reader& value) {
    std::apply([&](const auto&... f) { (void)((key == f.name() ? (value.read(out.*(f.pointer)), true) : false) || ...); },
               fields_of<T>);
  });
}

template <class T>
void write_fields(json::Writer& out, const T& in) {
  out.begin_object();
  std::apply(
      [&](const auto&... f) {
        auto one = [&](const auto& field) {
          const auto& value = in.*(field.pointer);
          if constexpr (IsOptional<std::remove_cvref_t<decltype(value)>>::value) {
            if (value) out.member(field.name(), *value);
          } else if (!is_absent(value)) {
            out.member(field.name(), value);
          }
        };
        (one(f), ...);
      },
      fields_of<T>);
  out.end_object();
}

/// Throws json::DecodeError naming the accepted values.
[[noreturn]] void throw_unknown_enum(std::string_view got, const std::vector<std::string_view>& accepted);
/// Throws InvalidArgument: an enum value without a KUBE_ENUM name cannot be encoded.
[[noreturn]] void throw_unnamed_enum(long long value);

template <class E>
void read_enum(json::Reader& in, E& out) {
  if (in.read_null()) return;
  const std::string_view text = in.read_string_view();
  for (const auto& v : enum_values_of<E>) {
    if (v.name == text) {
      out = v.value;
      return;
    }
  }
  std::vector<std::string_view> accepted;
  for (const auto& v : enum_values_of<E>) accepted.push_back(v.name);
  throw_unknown_enum(text, accepted);
}

template <class E>
void write_enum(json::Writer& out, const E& in) {
  for (const auto& v : enum_values_of<E>) {
    if (v.value == in) return out.write(v.name);
  }
  throw_unnamed_enum(static_cast<long long>(in));
}

// ---- schemas ------------------------------------------------------------------------------------------

JSONSchemaProps schema_of_type(std::string_view type, std::string_view format = {});
JSONSchemaProps schema_of_free_form();
JSONSchemaProps schema_of_int_or_string(bool quantity);
json::Raw to_raw(const JSONSchemaProps& schema);
/// Throws InvalidArgument: `.defaulted()` on a member that has no usable default.
[[noreturn]] void throw_bad_default(std::string_view member, std::string_view why);

/// Guards against recursive structs (a structural schema cannot refer to itself): one entry per
/// struct whose schema is being built on this thread. Throws InvalidArgument on a cycle.
class SchemaGuard {
 public:
  SchemaGuard(const void* type, const char* name);
  ~SchemaGuard();
  SchemaGuard(const SchemaGuard&) = delete;
  SchemaGuard& operator=(const SchemaGuard&) = delete;

 private:
  const void* type_;
};
template <class T>
inline constexpr char type_id = 0;

template <class T>
JSONSchemaProps schema_of();

template <class T>
JSONSchemaProps object_schema() {
  SchemaGuard guard(&type_id<T>, typeid(T).name());
  JSONSchemaProps s = schema_of_type("object");
  std::map<std::string, JSONSchemaProps> properties;
  std::vector<std::string> required;
  std::apply(
      [&](const auto&... f) {
        auto one = [&](const auto& field) {
          using Member = typename std::remove_cvref_t<decltype(field)>::member_type;
          constexpr bool optional = IsOptional<Member>::value || is_free_form<Member>;
          JSONSchemaProps p;
          p = schema_of<Member>();
          if (!field.description.empty()) p.description = std::string(field.description);
          if (!field.regex.empty()) p.pattern = std::string(field.regex);
          if (field.min) p.minimum = *field.min;
          if (field.max) p.maximum = *field.max;
          if (field.has_default) {
            if constexpr (std::is_default_constructible_v<T>) {
              const T defaults{};
              const Member& value = defaults.*(field.pointer);
              if constexpr (IsOptional<Member>::value) {
                if (!value) throw_bad_default(field.name(), "its default value is empty");
                p.default_ = json::Raw::parse(json::encode(*value));
              } else if constexpr (is_free_form<Member>) {
                if (is_absent(value)) throw_bad_default(field.name(), "its default value is empty");
                p.default_ = json::Raw::parse(json::encode(value));
              } else {
                p.default_ = json::Raw::parse(json::encode(value));
              }
            } else {
              throw_bad_default(field.name(), "the struct is not default-constructible");
            }
          } else if (!optional) {
            required.emplace_back(field.name());
          }
          properties.emplace(std::string(field.name()), std::move(p));
        };
        (one(f), ...);
      },
      fields_of<T>);
  if (!properties.empty()) s.properties = std::move(properties);
  if (!required.empty()) s.required = std::move(required);
  return s;
}

template <class>
inline constexpr bool always_false = false;

/// The structural schema of T (std::optional<T> has the schema of T; whether it is required is the
/// containing struct's business).
template <class T>
JSONSchemaProps schema_of() {
  if constexpr (requires { kube_schema(Tag<T>{}); }) {
    return kube_schema(Tag<T>{});
  } else if constexpr (IsOptional<T>::value) {
    return schema_of<typename IsOptional<T>::value_type>();
  } else if constexpr (std::is_same_v<T, bool>) {
    return schema_of_type("boolean");
  } else if constexpr (std::is_same_v<T, std::int32_t>) {
    return schema_of_type("integer", "int32");
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    return schema_of_type("integer", "int64");
  } else if constexpr (std::is_same_v<T, double>) {
    return schema_of_type("number", "double");
  } else if constexpr (std::is_same_v<T, float>) {
    return schema_of_type("number", "float");
  } else if constexpr (std::is_same_v<T, std::string>) {
    return schema_of_type("string");
  } else if constexpr (std::is_same_v<T, json::Raw> || std::is_same_v<T, boost::json::value>) {
    return schema_of_free_form();
  } else if constexpr (std::is_same_v<T, Quantity>) {
    return schema_of_int_or_string(true);
  } else if constexpr (std::is_same_v<T, IntOrString>) {
    return schema_of_int_or_string(false);
  } else if constexpr (std::is_same_v<T, Time> || std::is_same_v<T, MicroTime>) {
    return schema_of_type("string", "date-time");
  } else if constexpr (std::is_same_v<T, ByteString>) {
    return schema_of_type("string", "byte");
  } else if constexpr (DescribedEnum<T>) {
    JSONSchemaProps s = schema_of_type("string");
    std::vector<json::Raw> values;
    for (const auto& v : enum_values_of<T>) values.push_back(json::Raw::parse(json::encode(v.name)));
    s.enum_ = std::move(values);
    return s;
  } else if constexpr (Described<T>) {
    return object_schema<T>();
  } else if constexpr (IsVector<T>::value) {
    JSONSchemaProps s = schema_of_type("array");
    s.items = to_raw(schema_of<typename T::value_type>());
    return s;
  } else if constexpr (IsStringMap<T>::value) {
    JSONSchemaProps s = schema_of_type("object");
    s.additional_properties = to_raw(schema_of<typename T::mapped_type>());
    return s;
  } else {
    static_assert(always_false<T>,
                  "kube::derive: no schema for this member type. Use bool, std::int32_t, std::int64_t, double, float, "
                  "std::string, a KUBE_ENUM enum, a KUBE_FIELDS struct, std::optional, std::vector, "
                  "std::map<std::string, T>, json::Raw, Quantity, IntOrString, Time, MicroTime or ByteString, "
                  "or declare kube_schema(kube::derive::Tag<T>)");
    return {};
  }
}

// ---- the root kind ----------------------------------------------------------------------------------

struct ApiVersionOf {};
struct PluralOf {};

/// Text computed at compile time inside a kind's declaration (its apiVersion and plural).
template <std::size_t N>
struct FixedString {
  /// "group/version".
  constexpr FixedString(ApiVersionOf, std::string_view group, std::string_view version) {
    for (char c : group) data[size++] = c;
    if (!group.empty()) data[size++] = '/';
    for (char c : version) data[size++] = c;
  }
  /// `given`, or the plural guessed from `kind` when `given` is empty.
  constexpr FixedString(PluralOf, std::string_view given, std::string_view kind) {
    if (given.empty()) {
      size = kube::detail::guess_plural_into(kind, data);
    } else {
      for (char c : given) data[size++] = c;
    }
  }
  constexpr std::string_view view() const { return {data, size}; }

  char data[N + 1] = {};
  std::size_t size = 0;
};

/// What build_crd() needs from a root kind.
struct CrdParts {
  std::string_view kind;
  std::string_view plural;
  const CustomResourceInfo* info = nullptr;
  JSONSchemaProps spec;
  std::optional<JSONSchemaProps> status;
};
/// Validates the declaration (InvalidArgument with the reason) and assembles the CRD.
CustomResourceDefinition build_crd(const CrdParts& parts);

template <class K>
CustomResourceDefinition make_crd() {
  CrdParts parts;
  parts.kind = K::kind;
  parts.plural = K::plural;
  parts.info = &K::info;
  parts.spec = schema_of<typename K::spec_type>();
  if constexpr (!std::is_same_v<typename K::status_type, NoStatus>) parts.status = schema_of<typename K::status_type>();
  return build_crd(parts);
}

template <class K>
void read_root(json::Reader& in, K& out) {
  in.read_object([&out](std::string_view key, json::Reader& value) {
    if (key == "apiVersion") {
      value.expect_string("apiVersion", K::api_version);
    } else if (key == "kind") {
      value.expect_string("kind", K::kind);
    } else if (key == "metadata") {
      value.read(out.metadata);
    } else if (key == "spec") {
      value.read(out.spec);
    } else if (key == "status") {
      if constexpr (!std::is_same_v<typename K::status_type, NoStatus>) value.read(out.status);
    }
  });
}

template <class K>
void write_root(json::Writer& out, const K& in) {
  out.begin_object();
  out.member("apiVersion", K::api_version);
  out.member("kind", K::kind);
  out.member("metadata", in.metadata);
  out.member("spec", in.spec);
  if constexpr (!std::is_same_v<typename K::status_type, NoStatus>) {
    if (in.status) out.member("status", *in.status);
  }
  out.end_object();
}

}  // namespace derive
}  // namespace kube

/// The values of enum E and their JSON strings: KUBE_ENUM(Mode, {Mode::Copy, "Copy"}, ...).
/// At namespace scope, in E's namespace.
#define KUBE_ENUM(E, ...)                                                                        \
  [[maybe_unused]] constexpr auto kube_enum_values(::kube::derive::Tag<E>) {                     \
    return ::std::to_array<::kube::derive::EnumValue<E>>({__VA_ARGS__});                         \
  }                                                                                              \
  [[maybe_unused]] inline void read_json(::kube::json::Reader& in, E& out) {                     \
    ::kube::derive::read_enum(in, out);                                                          \
  }                                                                                              \
  [[maybe_unused]] inline void write_json(::kube::json::Writer& out, const E& in) {              \
    ::kube::derive::write_enum(out, in);                                                         \
  }                                                                                              \
  static_assert(true, "")

/// The members of struct S that are part of its JSON and schema, each as KUBE_FIELD(member) with
/// optional annotations (.doc(), .json_name(), .defaulted(), .minimum(), .maximum(), .pattern()).
/// At namespace scope, in S's namespace.
#define KUBE_FIELDS(S, ...)                                                                      \
  [[maybe_unused]] constexpr auto kube_fields(::kube::derive::Tag<S>) {                          \
    using kube_self_ = S;                                                                        \
    return ::std::tuple{__VA_ARGS__};                                                            \
  }                                                                                              \
  [[maybe_unused]] inline void read_json(::kube::json::Reader& in, S& out) {                     \
    ::kube::derive::read_fields(in, out);                                                        \
  }                                                                                              \
  [[maybe_unused]] inline void write_json(::kube::json::Writer& out, const S& in) {              \
    ::kube::derive::write_fields(out, in);                                                       \
  }                                                                                              \
  static_assert(true, "")

/// One member inside KUBE_FIELDS.
#define KUBE_FIELD(member) ::kube::derive::field(&kube_self_::member, #member)

/// Declares `struct Kind` {metadata, spec, status}: a kube::Resource (Api<Kind> works) whose
/// `Kind::crd()` is its CustomResourceDefinition. The rest are designated initialisers of
/// kube::CustomResourceInfo (.group and .version are required). Status may be kube::NoStatus; any
/// other status type turns the status subresource on.
#define KUBE_CUSTOM_RESOURCE(Kind, Spec, Status, ...)                                                         \
  struct Kind {                                                                                              \
    using spec_type = Spec;                                                                                  \
    using status_type = Status;                                                                              \
    static constexpr ::kube::CustomResourceInfo info{__VA_ARGS__};                                           \
    static constexpr ::std::string_view kind = #Kind;                                                        \
    static constexpr ::std::string_view group = info.group;                                                  \
    static constexpr ::std::string_view version = info.version;                                              \
    static constexpr ::kube::derive::FixedString<info.group.size() + info.version.size() + 1> kube_api_version_{ \
        ::kube::derive::ApiVersionOf{}, info.group, info.version};                                           \
    static constexpr ::std::string_view api_version = kube_api_version_.view();                              \
    static constexpr ::kube::derive::FixedString<(info.plural.size() > kind.size() + 2 ? info.plural.size()     \
                                                                                     : kind.size() + 2)>     \
        kube_plural_{::kube::derive::PluralOf{}, info.plural, kind};                                         \
    static constexpr ::std::string_view plural = kube_plural_.view();                                        \
    static constexpr ::kube::Scope scope = info.scope;                                                       \
                                                                                                             \
    ::kube::ObjectMeta metadata{};                                                                           \
    spec_type spec{};                                                                                        \
    ::std::optional<status_type> status{};                                                                   \
                                                                                                             \
    /* Equality when the spec and status types have it. */                                                  \
    template <::std::same_as<Kind> Self>                                                                     \
      requires ::std::equality_comparable<typename Self::spec_type> &&                                      \
               ::std::equality_comparable<typename Self::status_type>                                       \
    bool operator==(const Self& other) const {                                                               \
      return metadata == other.metadata && spec == other.spec && status == other.status;                     \
    }                                                                                                        \
    /** The CustomResourceDefinition derived from the declaration. Throws kube::InvalidArgument. */          \
    static ::kube::api::apiextensions::v1::CustomResourceDefinition crd() {                                  \
      return ::kube::derive::make_crd<Kind>();                                                               \
    }                                                                                                        \
    friend void read_json(::kube::json::Reader& in, Kind& out) { ::kube::derive::read_root(in, out); }       \
    friend void write_json(::kube::json::Writer& out, const Kind& in) { ::kube::derive::write_root(out, in); } \
  }
