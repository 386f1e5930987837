// Custom resources from structs: JSON names, derived schemas (compared as JSON), JSON of the root
// kind, the CustomResourceDefinition, and the errors of bad declarations.
#include "kube/core/custom_resource.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kube/core/dom.h"
#include "kube/core/object.h"

namespace crtest {

enum class Color { Red, DarkBlue };
KUBE_ENUM(Color, {Color::Red, "red"}, {Color::DarkBlue, "darkBlue"});

struct Port {
  std::string name;
  std::int32_t number = 0;
  bool operator==(const Port&) const = default;
};
KUBE_FIELDS(Port, KUBE_FIELD(name).doc("Port name."), KUBE_FIELD(number).minimum(1).maximum(65535));

struct Scalars {
  bool flag = false;
  std::int32_t small = 0;
  std::int64_t big = 0;
  double ratio = 0;
  float weight = 0;
  std::string text;
  Color color = Color::Red;
  bool operator==(const Scalars&) const = default;
};
KUBE_FIELDS(Scalars, KUBE_FIELD(flag), KUBE_FIELD(small), KUBE_FIELD(big), KUBE_FIELD(ratio), KUBE_FIELD(weight),
            KUBE_FIELD(text).pattern("^[a-z]+$"), KUBE_FIELD(color));

struct Containers {
  std::vector<std::string> names;
  std::vector<Port> ports;
  std::map<std::string, std::int64_t> limits;
  std::map<std::string, Port> named_ports;
  std::optional<std::vector<std::map<std::string, std::string>>> nested;
  bool operator==(const Containers&) const = default;
};
KUBE_FIELDS(Containers, KUBE_FIELD(names), KUBE_FIELD(ports), KUBE_FIELD(limits), KUBE_FIELD(named_ports),
            KUBE_FIELD(nested));

struct Special {
  kube::json::Raw extra;
  kube::Quantity memory;
  kube::IntOrString target_port;
  std::optional<kube::Time> since;
  std::optional<kube::ByteString> blob;
  bool operator==(const Special&) const = default;
};
KUBE_FIELDS(Special, KUBE_FIELD(extra), KUBE_FIELD(memory), KUBE_FIELD(target_port), KUBE_FIELD(since),
            KUBE_FIELD(blob));

struct Rules {
  std::string plain;                       // required
  std::optional<std::string> maybe;        // optional
  kube::OptionalBox<Port> boxed;           // optional
  std::int32_t replicas = 3;               // defaulted: default 3
  Color color = Color::DarkBlue;           // defaulted: default "darkBlue"
  std::optional<std::string> greeting = "hi";  // optional and defaulted: default "hi"
  std::string default_;                    // JSON name "default"
  std::string pod_cidr;                    // renamed "podCIDR"
  bool operator==(const Rules&) const = default;
};
KUBE_FIELDS(Rules, KUBE_FIELD(plain), KUBE_FIELD(maybe), KUBE_FIELD(boxed), KUBE_FIELD(replicas).defaulted(),
            KUBE_FIELD(color).defaulted(), KUBE_FIELD(greeting).defaulted(), KUBE_FIELD(default_),
            KUBE_FIELD(pod_cidr).json_name("podCIDR"));

struct WidgetSpec {
  std::int32_t size = 0;
  std::optional<Color> color;
  std::vector<Port> ports;
  std::optional<std::int32_t> replicas;
  bool operator==(const WidgetSpec&) const = default;
};
KUBE_FIELDS(WidgetSpec, KUBE_FIELD(size).doc("How big."), KUBE_FIELD(color), KUBE_FIELD(ports),
            KUBE_FIELD(replicas));

struct WidgetStatus {
  std::optional<std::string> phase;
  std::optional<std::int32_t> replicas;
  bool operator==(const WidgetStatus&) const = default;
};
KUBE_FIELDS(WidgetStatus, KUBE_FIELD(phase), KUBE_FIELD(replicas));

KUBE_CUSTOM_RESOURCE(Widget, WidgetSpec, WidgetStatus, .group = "example.com", .version = "v1alpha1",
                     .short_names = {"wd", "wdg"}, .categories = {"all", "toys"},
                     .printer_columns = {{.name = "Size", .type = "integer", .json_path = ".spec.size",
                                          .description = "How big."},
                                         {.name = "Phase", .type = "string", .json_path = ".status.phase",
                                          .priority = 1}},
                     .scale = kube::ScaleSubresource{.spec_replicas_path = ".spec.replicas",
                                                     .status_replicas_path = ".status.replicas",
                                                     .label_selector_path = ".status.selector"},
                     .description = "A widget.");

KUBE_CUSTOM_RESOURCE(Policy, Port, kube::NoStatus, .group = "example.com", .version = "v1",
                     .scope = kube::Scope::Cluster);
KUBE_CUSTOM_RESOURCE(Box, Port, kube::NoStatus, .group = "example.com", .version = "v2", .plural = "crates",
                     .singular = "crate");

// Bad declarations (crd() must refuse them).
KUBE_CUSTOM_RESOURCE(NoDot, Port, kube::NoStatus, .group = "example", .version = "v1");
KUBE_CUSTOM_RESOURCE(BadVersion, Port, kube::NoStatus, .group = "example.com", .version = "V1");
KUBE_CUSTOM_RESOURCE(BadColumn, Port, kube::NoStatus, .group = "example.com", .version = "v1",
                     .printer_columns = {{.name = "N", .type = "int", .json_path = ".spec.number"}});
KUBE_CUSTOM_RESOURCE(BadPath, Port, kube::NoStatus, .group = "example.com", .version = "v1",
                     .printer_columns = {{.name = "N", .type = "integer", .json_path = "spec.number"}});
KUBE_CUSTOM_RESOURCE(BadScale, Port, WidgetStatus, .group = "example.com", .version = "v1",
                     .scale = kube::ScaleSubresource{.spec_replicas_path = ".status.replicas",
                                                     .status_replicas_path = ".status.replicas"});
KUBE_CUSTOM_RESOURCE(ScaleNoStatus, Port, kube::NoStatus, .group = "example.com", .version = "v1",
                     .scale = kube::ScaleSubresource{.spec_replicas_path = ".spec.number",
                                                     .status_replicas_path = ".status.replicas"});
KUBE_CUSTOM_RESOURCE(BadShortName, Port, kube::NoStatus, .group = "example.com", .version = "v1",
                     .short_names = {"badshortname"});

// A type with its own JSON (here a generated Kubernetes type) gets its schema from kube_schema().
struct Embeds {
  kube::api::meta::v1::LabelSelector selector;
  bool operator==(const Embeds&) const = default;
};
KUBE_FIELDS(Embeds, KUBE_FIELD(selector).doc("Which pods."));

struct Tree {
  std::string value;
  std::vector<Tree> children;
  bool operator==(const Tree&) const = default;
};
KUBE_FIELDS(Tree, KUBE_FIELD(value), KUBE_FIELD(children));

struct EmptyDefault {
  std::optional<std::string> nothing;
};
KUBE_FIELDS(EmptyDefault, KUBE_FIELD(nothing).defaulted());

}  // namespace crtest

namespace kube::derive {
JSONSchemaProps kube_schema(Tag<api::meta::v1::LabelSelector>) {
  JSONSchemaProps s = schema_of_type("object");
  s.x_kubernetes_preserve_unknown_fields = true;
  return s;
}
}  // namespace kube::derive

namespace kube {
namespace {

using namespace crtest;
using derive::schema_of;
using testing::HasSubstr;

json::Value dom(const derive::JSONSchemaProps& schema) { return json::to_dom(schema); }
json::Value parse(std::string_view text) { return json::parse(text); }

static_assert(NamespaceScoped<Widget>);
static_assert(ClusterScoped<Policy>);
static_assert(Resource<Box>);

TEST(CustomResource, JsonNames) {
  auto name = [](std::string_view snake) {
    char out[64];
    return std::string(out, derive::camel_case_into(snake, out));
  };
  EXPECT_EQ(name("replicas"), "replicas");
  EXPECT_EQ(name("spec_replicas_path"), "specReplicasPath");
  EXPECT_EQ(name("namespace_"), "namespace");
  EXPECT_EQ(name("a__b"), "aB");
  EXPECT_EQ(name("ipv6_address"), "ipv6Address");
  EXPECT_EQ(json::encode(Rules{}),
            R"({"plain":"","replicas":3,"color":"darkBlue","greeting":"hi","default":"","podCIDR":""})");
}

TEST(CustomResource, NamesOfTheKind) {
  EXPECT_EQ(Widget::kind, "Widget");
  EXPECT_EQ(Widget::group, "example.com");
  EXPECT_EQ(Widget::version, "v1alpha1");
  EXPECT_EQ(Widget::api_version, "example.com/v1alpha1");
  EXPECT_EQ(Widget::plural, "widgets");
  EXPECT_EQ(Policy::plural, "policies");
  EXPECT_EQ(Box::plural, "crates");
  EXPECT_EQ(ApiResource::of<Policy>().collection_path(), "/apis/example.com/v1/policies");
  EXPECT_EQ(ApiResource::of<Widget>().collection_path("ns"), "/apis/example.com/v1alpha1/namespaces/ns/widgets");

  auto box = Box::crd();
  EXPECT_EQ(box.metadata.name, "crates.example.com");
  EXPECT_EQ(box.spec.names.singular, "crate");
  auto policy = Policy::crd();
  EXPECT_EQ(policy.metadata.name, "policies.example.com");
  EXPECT_EQ(policy.spec.names.singular, "policy");
  EXPECT_EQ(policy.spec.names.list_kind, "PolicyList");
  EXPECT_EQ(policy.spec.scope, "Cluster");
  EXPECT_EQ(Widget::crd().spec.scope, "Namespaced");
}

TEST(CustomResource, CompileTimePluralMatchesGuessPlural) {
  for (std::string_view kind : {"Pod", "Ingress", "NetworkPolicy", "Gateway", "Box", "Endpoints", "Moose", "Match",
                                "Wish", "Quiz", "Key", "A", ""}) {
    char out[32];
    EXPECT_EQ(std::string(out, detail::guess_plural_into(kind, out)), guess_plural(kind)) << kind;
  }
}

TEST(CustomResource, SchemaOfScalars) {
  EXPECT_EQ(dom(schema_of<Scalars>()), parse(R"({
    "type": "object",
    "required": ["flag", "small", "big", "ratio", "weight", "text", "color"],
    "properties": {
      "flag": {"type": "boolean"},
      "small": {"type": "integer", "format": "int32"},
      "big": {"type": "integer", "format": "int64"},
      "ratio": {"type": "number", "format": "double"},
      "weight": {"type": "number", "format": "float"},
      "text": {"type": "string", "pattern": "^[a-z]+$"},
      "color": {"type": "string", "enum": ["red", "darkBlue"]}}})"));
}

TEST(CustomResource, SchemaOfContainers) {
  EXPECT_EQ(dom(schema_of<Containers>()), parse(R"({
    "type": "object",
    "required": ["names", "ports", "limits", "namedPorts"],
    "properties": {
      "names": {"type": "array", "items": {"type": "string"}},
      "ports": {"type": "array", "items": {
        "type": "object", "required": ["name", "number"], "properties": {
          "name": {"type": "string", "description": "Port name."},
          "number": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 65535}}}},
      "limits": {"type": "object", "additionalProperties": {"type": "integer", "format": "int64"}},
      "namedPorts": {"type": "object", "additionalProperties": {
        "type": "object", "required": ["name", "number"], "properties": {
          "name": {"type": "string", "description": "Port name."},
          "number": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 65535}}}},
      "nested": {"type": "array", "items": {"type": "object", "additionalProperties": {"type": "string"}}}}})"));
}

TEST(CustomResource, SchemaOfSpecialTypes) {
  auto schema = dom(schema_of<Special>());
  const auto& p = schema.at("properties");
  EXPECT_EQ(p.at("extra"), parse(R"({"x-kubernetes-preserve-unknown-fields": true})"));
  EXPECT_EQ(p.at("targetPort"),
            parse(R"({"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": true})"));
  EXPECT_EQ(p.at("memory").at("x-kubernetes-int-or-string"), true);
  EXPECT_TRUE(p.at("memory").as_object().contains("pattern"));
  EXPECT_EQ(p.at("since"), parse(R"({"type": "string", "format": "date-time"})"));
  EXPECT_EQ(p.at("blob"), parse(R"({"type": "string", "format": "byte"})"));
  EXPECT_EQ(schema.at("required"), parse(R"(["memory", "targetPort"])"));  // null is json::Raw's empty state
  EXPECT_EQ(json::encode(Special{}), R"({"memory":"","targetPort":0})");
}

TEST(CustomResource, RequiredOptionalAndDefaulted) {
  EXPECT_EQ(dom(schema_of<Rules>()), parse(R"({
    "type": "object",
    "required": ["plain", "default", "podCIDR"],
    "properties": {
      "plain": {"type": "string"},
      "maybe": {"type": "string"},
      "boxed": {"type": "object", "required": ["name", "number"], "properties": {
          "name": {"type": "string", "description": "Port name."},
          "number": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 65535}}},
      "replicas": {"type": "integer", "format": "int32", "default": 3},
      "color": {"type": "string", "enum": ["red", "darkBlue"], "default": "darkBlue"},
      "greeting": {"type": "string", "default": "hi"},
      "default": {"type": "string"},
      "podCIDR": {"type": "string"}}})"));
}

TEST(CustomResource, SchemaFromKubeSchema) {
  EXPECT_EQ(dom(schema_of<Embeds>()), parse(R"({"type": "object", "required": ["selector"], "properties": {
      "selector": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "description": "Which pods."}}})"));
  Embeds e;
  e.selector.match_labels = std::map<std::string, std::string>{{"app", "web"}};
  EXPECT_EQ(json::encode(e), R"({"selector":{"matchLabels":{"app":"web"}}})");
  EXPECT_EQ(json::decode<Embeds>(json::encode(e)), e);
}

TEST(CustomResource, StructJsonRoundTrip) {
  Containers c;
  c.names = {"a", "b"};
  c.ports = {{"http", 80}, {"https", 443}};
  c.limits = {{"cpu", 4}};
  c.named_ports = {{"main", {"http", 8080}}};
  std::string text = json::encode(c);
  EXPECT_EQ(text,
            R"({"names":["a","b"],"ports":[{"name":"http","number":80},{"name":"https","number":443}],)"
            R"("limits":{"cpu":4},"namedPorts":{"main":{"name":"http","number":8080}}})");
  EXPECT_EQ(json::decode<Containers>(text), c);

  Special s;
  s.extra = json::Raw::parse(R"({"any": [1, "thing"]})");
  s.memory = Quantity("512Mi");
  s.target_port = IntOrString(8080);
  s.blob = ByteString{"\x01\x02"};
  EXPECT_EQ(json::decode<Special>(json::encode(s)), s);

  Scalars x{true, -5, 1LL << 40, 0.25, 1.5f, "abc", Color::DarkBlue};
  EXPECT_EQ(json::decode<Scalars>(json::encode(x)), x);
}

TEST(CustomResource, DecodeErrors) {
  try {
    json::decode<Containers>(R"({"ports": [{"name": "a"}, {"number": "eighty"}]})");
    ADD_FAILURE();
  } catch (const json::DecodeError& e) {
    EXPECT_EQ(e.path(), ".ports[1].number");
  }
  try {
    json::decode<Scalars>(R"({"color": "green"})");
    ADD_FAILURE();
  } catch (const json::DecodeError& e) {
    EXPECT_EQ(e.path(), ".color");
    EXPECT_THAT(e.reason(), HasSubstr(R"(unknown value "green": expected one of "red", "darkBlue")"));
  }
  EXPECT_THROW(json::decode<Scalars>(R"({"color": 1})"), json::DecodeError);
  EXPECT_THROW(json::encode(Scalars{.color = static_cast<Color>(7)}), InvalidArgument);
  // lenient like every decoder: unknown members ignored, null and missing leave the default
  EXPECT_EQ(json::decode<Rules>(R"({"unknown": 1, "maybe": null})"), Rules{});
}

TEST(CustomResource, RootJsonRoundTrip) {
  Widget w;
  w.metadata.name = "w1";
  w.metadata.namespace_ = "default";
  w.spec.size = 3;
  w.spec.color = Color::Red;
  w.spec.ports = {{"http", 80}};
  std::string text = json::encode(w);
  EXPECT_EQ(text,
            R"({"apiVersion":"example.com/v1alpha1","kind":"Widget","metadata":{"name":"w1","namespace":"default"},)"
            R"("spec":{"size":3,"color":"red","ports":[{"name":"http","number":80}]}})");
  EXPECT_EQ(json::decode<Widget>(text), w);

  w.status = WidgetStatus{"Ready", 2};
  EXPECT_EQ(json::decode<Widget>(json::encode(w)), w);
  EXPECT_THAT(json::encode(w), HasSubstr(R"("status":{"phase":"Ready","replicas":2})"));

  EXPECT_THROW(json::decode<Widget>(R"({"apiVersion": "example.com/v1", "kind": "Widget"})"), json::DecodeError);
  EXPECT_THROW(json::decode<Widget>(R"({"kind": "Gadget"})"), json::DecodeError);

  // A kind without status ignores one and never writes one.
  Policy p = json::decode<Policy>(R"({"metadata": {"name": "p"}, "spec": {"name": "x"}, "status": {"a": 1}})");
  EXPECT_FALSE(p.status.has_value());
  EXPECT_EQ(json::encode(p), R"({"apiVersion":"example.com/v1","kind":"Policy","metadata":{"name":"p"},)"
                             R"("spec":{"name":"x","number":0}})");

  // Lists and watch events of the kind decode like any other.
  auto list = json::decode<ObjectList<Widget>>(R"({"items": [)" + text + "]}");
  ASSERT_EQ(list.items.size(), 1u);
  EXPECT_EQ(list.items[0].spec.size, 3);
}

TEST(CustomResource, Crd) {
  auto crd = json::to_dom(Widget::crd());
  EXPECT_EQ(crd.at("apiVersion"), "apiextensions.k8s.io/v1");
  EXPECT_EQ(crd.at("kind"), "CustomResourceDefinition");
  EXPECT_EQ(crd.at("metadata"), parse(R"({"name": "widgets.example.com"})"));
  const auto& spec = crd.at("spec");
  EXPECT_EQ(spec.at("group"), "example.com");
  EXPECT_EQ(spec.at("scope"), "Namespaced");
  EXPECT_EQ(spec.at("names"), parse(R"({"kind": "Widget", "listKind": "WidgetList", "plural": "widgets",
      "singular": "widget", "shortNames": ["wd", "wdg"], "categories": ["all", "toys"]})"));
  ASSERT_EQ(spec.at("versions").as_array().size(), 1u);
  const auto& version = spec.at("versions").at(0);
  EXPECT_EQ(version.at("name"), "v1alpha1");
  EXPECT_EQ(version.at("served"), true);
  EXPECT_EQ(version.at("storage"), true);
  EXPECT_EQ(version.at("additionalPrinterColumns"), parse(R"([
      {"name": "Size", "type": "integer", "jsonPath": ".spec.size", "description": "How big."},
      {"name": "Phase", "type": "string", "jsonPath": ".status.phase", "priority": 1}])"));
  EXPECT_EQ(version.at("subresources"), parse(R"({"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
      "statusReplicasPath": ".status.replicas", "labelSelectorPath": ".status.selector"}})"));
  EXPECT_EQ(version.at("schema").at("openAPIV3Schema"), parse(R"({
    "type": "object",
    "description": "A widget.",
    "required": ["spec"],
    "properties": {
      "apiVersion": {"type": "string", "description": "The versioned schema of this representation of an object."},
      "kind": {"type": "string", "description": "The REST resource this object represents."},
      "metadata": {"type": "object"},
      "spec": {"type": "object", "required": ["size", "ports"], "properties": {
        "size": {"type": "integer", "format": "int32", "description": "How big."},
        "color": {"type": "string", "enum": ["red", "darkBlue"]},
        "ports": {"type": "array", "items": {"type": "object", "required": ["name", "number"], "properties": {
          "name": {"type": "string", "description": "Port name."},
          "number": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 65535}}}},
        "replicas": {"type": "integer", "format": "int32"}}},
      "status": {"type": "object", "properties": {
        "phase": {"type": "string"},
        "replicas": {"type": "integer", "format": "int32"}}}}})"));

  // Without a status type: no status schema, no subresources.
  auto policy = json::to_dom(Policy::crd());
  const auto& pv = policy.at("spec").at("versions").at(0);
  EXPECT_FALSE(pv.as_object().contains("subresources"));
  EXPECT_FALSE(pv.as_object().contains("additionalPrinterColumns"));
  EXPECT_FALSE(pv.at("schema").at("openAPIV3Schema").at("properties").as_object().contains("status"));
  EXPECT_FALSE(policy.at("spec").at("names").as_object().contains("shortNames"));
}

TEST(CustomResource, BadDeclarations) {
  auto error_of = [](auto make) -> std::string {
    try {
      make();
    } catch (const InvalidArgument& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_THAT(error_of([] { NoDot::crd(); }), HasSubstr(R"(custom resource NoDot: group "example" must be)"));
  EXPECT_THAT(error_of([] { BadVersion::crd(); }), HasSubstr(R"(version "V1")"));
  EXPECT_THAT(error_of([] { BadColumn::crd(); }), HasSubstr(R"(printer column "N": type "int" is not)"));
  EXPECT_THAT(error_of([] { BadPath::crd(); }), HasSubstr(R"(jsonPath "spec.number" must start with '.')"));
  EXPECT_THAT(error_of([] { BadScale::crd(); }), HasSubstr(R"(specReplicasPath ".status.replicas" must start)"));
  EXPECT_THAT(error_of([] { ScaleNoStatus::crd(); }), HasSubstr("needs a status type"));
  EXPECT_THAT(error_of([] { BadShortName::crd(); }), HasSubstr(R"(short name "badshortname" repeats)"));
  EXPECT_THAT(error_of([] { schema_of<Tree>(); }),
              HasSubstr("crtest::Tree contains itself: a structural schema cannot describe a recursive type"));
  EXPECT_THAT(error_of([] { schema_of<EmptyDefault>(); }),
              HasSubstr(R"(member "nothing" is .defaulted() but its default value is empty)"));
  // A failed schema leaves nothing behind: the next one builds.
  EXPECT_NO_THROW(schema_of<Containers>());
  // Recursive types still have JSON.
  Tree t{"root", {{"leaf", {}}}};
  EXPECT_EQ(json::decode<Tree>(json::encode(t)), t);
}

}  // namespace
}  // namespace kube
