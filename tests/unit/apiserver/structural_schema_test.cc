#include "apiserver/structural_schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>

namespace kube::apiserver {

// Readable failure output (found by argument-dependent lookup).
void PrintTo(const FieldError& e, std::ostream* os) { *os << "{" << e.type << ", " << e.field << ", " << e.message << "}"; }

namespace {

using Errors = std::vector<FieldError>;
using Paths = std::vector<std::string>;

json::Value J(std::string_view text) { return json::parse(text); }

// ---- error shorthands ------------------------------------------------------------------------

FieldError Required(std::string field, std::string message = "Required value") {
  return {"FieldValueRequired", std::move(field), std::move(message)};
}
FieldError Forbidden(std::string field, std::string message) { return {"FieldValueForbidden", std::move(field), std::move(message)}; }
FieldError Invalid(std::string field, std::string message) { return {"FieldValueInvalid", std::move(field), std::move(message)}; }
FieldError TypeInvalid(std::string field, std::string message) { return {"FieldValueTypeInvalid", std::move(field), std::move(message)}; }
FieldError NotSupported(std::string field, std::string message) { return {"FieldValueNotSupported", std::move(field), std::move(message)}; }
FieldError TooLong(std::string field, std::string message) { return {"FieldValueTooLong", std::move(field), std::move(message)}; }
FieldError TooMany(std::string field, std::string message) { return {"FieldValueTooMany", std::move(field), std::move(message)}; }
FieldError Duplicate(std::string field, std::string message) { return {"FieldValueDuplicate", std::move(field), std::move(message)}; }

// ---- schema and object helpers ---------------------------------------------------------------

/// A root schema with one property.
std::string root_with(std::string_view name, std::string_view schema) {
  return R"({"type":"object","properties":{")" + std::string(name) + R"(":)" + std::string(schema) + "}}";
}

/// A root schema whose `spec` object has one property.
std::string spec_with(std::string_view name, std::string_view schema) {
  return root_with("spec", R"({"type":"object","properties":{")" + std::string(name) + R"(":)" + std::string(schema) + "}}");
}

/// An object whose `spec` has one field.
std::string spec_value(std::string_view name, std::string_view value) {
  return R"({"spec":{")" + std::string(name) + R"(":)" + std::string(value) + "}}";
}

struct Outcome {
  json::Value object;
  SchemaResult result;
};

Outcome apply_schema(std::string_view object, std::string_view schema, SchemaOptions options = {}) {
  Outcome out{J(object), {}};
  out.result = apply_structural_schema(out.object, J(schema), options);
  return out;
}

Errors validate(std::string_view object, std::string_view schema) { return apply_schema(object, schema).result.errors; }

/// Errors of one spec field's value against its schema.
Errors validate_field(std::string_view schema, std::string_view value, std::string_view name = "f") {
  return validate(spec_value(name, value), spec_with(name, schema));
}

Errors check(std::string_view schema) { return check_structural_schema(J(schema)); }

/// Exact JSON text comparison, so member order counts too (pruning and defaulting keep it).
void expect_json(const json::Value& actual, std::string_view expected) {
  EXPECT_EQ(json::serialize(actual), json::serialize(J(expected)));
}

// ================================================================================================
// The moose example (reference/moose/moose.yaml, converted by hand).
// ================================================================================================

constexpr std::string_view kMooseSchema = R"({
  "type": "object",
  "properties": {
    "spec": {
      "type": "object",
      "properties": {
        "height": {"type": "number"},
        "weight": {"type": "number"},
        "antlers": {"type": "boolean"}
      }
    },
    "status": {
      "type": "object",
      "properties": {
        "phase": {"type": "string"},
        "message": {"type": "string"}
      }
    }
  }
})";

constexpr std::string_view kGeorge = R"({"apiVersion":"animals.com/v1","kind":"Moose",
  "metadata":{"name":"george","labels":{"nps.gov/park":"glacier"}},
  "spec":{"height":2.1,"weight":680,"antlers":true}})";
constexpr std::string_view kManfred = R"({"apiVersion":"animals.com/v1","kind":"Moose",
  "metadata":{"name":"manfred","labels":{"nps.gov/park":"glacier"}},
  "spec":{"height":2.1,"weight":680,"antlers":true}})";
constexpr std::string_view kMelissa = R"({"apiVersion":"animals.com/v1","kind":"Moose",
  "metadata":{"name":"melissa","labels":{"nps.gov/park":"glacier"}},
  "spec":{"height":1.8,"weight":550,"antlers":false}})";

TEST(MooseTest, SchemaIsStructural) { EXPECT_EQ(check(kMooseSchema), Errors{}); }

TEST(MooseTest, ReferenceMoosesPassUnchanged) {
  for (std::string_view moose : {kGeorge, kManfred, kMelissa}) {
    Outcome out = apply_schema(moose, kMooseSchema);
    EXPECT_EQ(out.result.errors, Errors{});
    EXPECT_EQ(out.result.unknown, Paths{});
    expect_json(out.object, moose);
  }
}

TEST(MooseTest, StatusWrittenByTheOperatorValidates) {
  const std::string moose = R"({"apiVersion":"animals.com/v1","kind":"Moose","metadata":{"name":"melissa"},
    "spec":{"height":1.8,"weight":550,"antlers":false},"status":{"phase":"Roam","message":"Bye, melissa!"}})";
  Outcome out = apply_schema(moose, kMooseSchema);
  EXPECT_EQ(out.result.errors, Errors{});
  expect_json(out.object, moose);
}

TEST(MooseTest, WrongTypesAreRejected) {
  EXPECT_EQ(validate(R"({"spec":{"height":"tall","weight":680,"antlers":"yes"},"status":{"phase":1}})", kMooseSchema),
            (Errors{
                TypeInvalid(".spec.height", R"(Invalid value: "string": spec.height in body must be of type number: "string")"),
                TypeInvalid(".spec.antlers", R"(Invalid value: "string": spec.antlers in body must be of type boolean: "string")"),
                TypeInvalid(".status.phase", R"(Invalid value: "integer": status.phase in body must be of type string: "integer")"),
            }));
}

TEST(MooseTest, UnknownFieldsArePruned) {
  Outcome out = apply_schema(R"({"apiVersion":"animals.com/v1","kind":"Moose","metadata":{"name":"george","nickname":"G"},
    "spec":{"height":2.1,"color":"brown"},"status":{"food":30},"age":7})",
                      kMooseSchema);
  EXPECT_EQ(out.result.errors, Errors{});
  EXPECT_EQ(out.result.unknown, (Paths{"age", "metadata.nickname", "spec.color", "status.food"}));
  expect_json(out.object, R"({"apiVersion":"animals.com/v1","kind":"Moose","metadata":{"name":"george"},
    "spec":{"height":2.1},"status":{}})");
}

// ================================================================================================
// check_structural_schema
// ================================================================================================

TEST(CheckStructuralTest, AcceptsARealisticSchema) {
  EXPECT_EQ(check(R"({
    "type": "object",
    "description": "A web application",
    "required": ["spec"],
    "x-kubernetes-validations": [{"rule": "self.spec.replicas <= 10", "message": "too many"}],
    "properties": {
      "apiVersion": {"type": "string"},
      "kind": {"type": "string"},
      "metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 30}}},
      "spec": {
        "type": "object",
        "default": {},
        "properties": {
          "replicas": {"type": "integer", "format": "int32", "minimum": 0, "default": 1},
          "image": {"type": "string", "pattern": "^[a-z0-9./:-]+$"},
          "port": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
          "mode": {"type": "string", "enum": ["fast", "safe"], "default": "safe"},
          "labels": {"type": "object", "additionalProperties": {"type": "string"}},
          "ports": {
            "type": "array",
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"],
            "items": {"type": "object", "required": ["name"],
                      "properties": {"name": {"type": "string"}, "port": {"type": "integer"}}}
          },
          "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
          "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                       "x-kubernetes-preserve-unknown-fields": true},
          "config": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
          "choice": {"type": "object", "oneOf": [{"required": ["a"]}, {"required": ["b"]}],
                     "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}
        }
      },
      "status": {"type": "object", "nullable": false, "properties": {"ready": {"type": "boolean"}}}
    }
  })"),
            Errors{});
}

TEST(CheckStructuralTest, EveryFieldNeedsAType) {
  EXPECT_EQ(check(R"({"type":"object","properties":{"spec":{"properties":{"a":{"type":"string"}}}}})"),
            (Errors{Required(".properties[spec].type", "Required value: must not be empty for specified object fields")}));
  EXPECT_EQ(check(root_with("list", R"({"type":"array","items":{}})")),
            (Errors{Required(".properties[list].items.type", "Required value: must not be empty for specified array items")}));
  EXPECT_EQ(check(root_with("map", R"({"type":"object","additionalProperties":{"minLength":1}})")),
            (Errors{Required(".properties[map].additionalProperties.type", "Required value: must not be empty for specified object fields")}));
  EXPECT_EQ(check(R"({"properties":{"a":{"type":"string"}}})"),
            (Errors{Required(".type", "Required value: must not be empty at the root")}));
}

TEST(CheckStructuralTest, UntypedFieldsAreFineWhenPreservingOrIntOrString) {
  EXPECT_EQ(check(root_with("any", R"({"x-kubernetes-preserve-unknown-fields":true})")), Errors{});
  EXPECT_EQ(check(root_with("port", R"({"x-kubernetes-int-or-string":true})")), Errors{});
  EXPECT_EQ(check(R"({"x-kubernetes-preserve-unknown-fields":true})"), Errors{});
}

TEST(CheckStructuralTest, RootMustBeAnObject) {
  EXPECT_EQ(check(R"({"type":"array","items":{"type":"string"}})"),
            (Errors{Invalid(".type", R"(Invalid value: "array": must be object at the root)")}));
  EXPECT_EQ(check("5"), (Errors{Invalid("", "Invalid value: 5: must be an object")}));
  EXPECT_EQ(check(R"({"type":"object","nullable":true})"),
            (Errors{Forbidden(".nullable", "Forbidden: nullable cannot be true at the root")}));
}

TEST(CheckStructuralTest, UnsupportedKeywordsAreForbidden) {
  EXPECT_EQ(check(root_with("a", R"({"$ref":"#/definitions/a"})")),
            (Errors{Forbidden(".properties[a].$ref", "Forbidden: $ref is not supported"),
                    Required(".properties[a].type", "Required value: must not be empty for specified object fields")}));
  EXPECT_EQ(check(root_with("a", R"({"type":"object","patternProperties":{"^x":{"type":"string"}},"id":"a"})")),
            (Errors{Forbidden(".properties[a].id", "Forbidden: id is not supported"),
                    Forbidden(".properties[a].patternProperties", "Forbidden: patternProperties is not supported")}));
  EXPECT_EQ(check(R"({"type":"object","definitions":{"a":{"type":"string"}}})"),
            (Errors{Forbidden(".definitions", "Forbidden: definitions is not supported")}));
}

TEST(CheckStructuralTest, PropertiesAndAdditionalPropertiesAreExclusive) {
  EXPECT_EQ(check(root_with("m", R"({"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":{"type":"string"}})")),
            (Errors{Forbidden(".properties[m].additionalProperties", "Forbidden: additionalProperties and properties are mutual exclusive")}));
  EXPECT_EQ(check(root_with("m", R"({"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false})")),
            (Errors{Forbidden(".properties[m].additionalProperties", "Forbidden: additionalProperties and properties are mutual exclusive")}));
  // additionalProperties: true restricts nothing.
  EXPECT_EQ(check(root_with("m", R"({"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":true})")), Errors{});
  EXPECT_EQ(check(R"({"type":"object","additionalProperties":{"type":"string"}})"),
            (Errors{Forbidden(".additionalProperties", "Forbidden: must not be used at the root")}));
}

TEST(CheckStructuralTest, ItemsMustBeOneSchema) {
  EXPECT_EQ(check(root_with("l", R"({"type":"array","items":[{"type":"string"}]})")),
            (Errors{Forbidden(".properties[l].items", "Forbidden: items must be a schema object and not an array")}));
  EXPECT_EQ(check(root_with("l", R"({"type":"array"})")), (Errors{Required(".properties[l].items", "Required value: must be specified")}));
}

TEST(CheckStructuralTest, MetadataMayOnlyRestrictNameAndGenerateName) {
  EXPECT_EQ(check(root_with("metadata", R"({"type":"object","properties":{"name":{"type":"string","maxLength":20},"generateName":{"type":"string","pattern":"^m"}}})")),
            Errors{});
  EXPECT_EQ(check(root_with("metadata", R"({"type":"object","properties":{"labels":{"type":"object"}}})")),
            (Errors{Forbidden(".properties[metadata]", "Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified")}));
  EXPECT_EQ(check(root_with("metadata", R"({"type":"object","required":["name"]})")),
            (Errors{Forbidden(".properties[metadata]", "Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified")}));
  EXPECT_EQ(check(root_with("metadata", R"({"type":"string"})")),
            (Errors{Invalid(".properties[metadata].type", R"(Invalid value: "string": must be object)")}));
  EXPECT_EQ(check(root_with("kind", R"({"type":"integer"})")),
            (Errors{Invalid(".properties[kind].type", R"(Invalid value: "integer": must be string)")}));
  // Below the root (and outside embedded resources) "metadata" is an ordinary field.
  EXPECT_EQ(check(spec_with("metadata", R"({"type":"object","properties":{"labels":{"type":"object"}}})")), Errors{});
}

TEST(CheckStructuralTest, NoDefaultsInTopLevelMetadata) {
  EXPECT_EQ(check(root_with("metadata", R"({"type":"object","default":{}})")),
            (Errors{Forbidden(".properties[metadata].default", "Forbidden: must not be set in top-level metadata")}));
  EXPECT_EQ(check(root_with("metadata", R"({"type":"object","properties":{"name":{"type":"string","default":"m"}}})")),
            (Errors{Forbidden(".properties[metadata].properties[name].default", "Forbidden: must not be set in top-level metadata")}));
  EXPECT_EQ(check(root_with("kind", R"({"type":"string","default":"Moose"})")),
            (Errors{Forbidden(".properties[kind].default", "Forbidden: must not be set in top-level kind")}));
}

TEST(CheckStructuralTest, IntOrStringShapes) {
  EXPECT_EQ(check(root_with("port", R"({"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]})")), Errors{});
  EXPECT_EQ(check(root_with("port", R"({"x-kubernetes-int-or-string":true,
      "allOf":[{"anyOf":[{"type":"integer"},{"type":"string"}]},{"pattern":"^[0-9]+%?$"}]})")),
            Errors{});
  EXPECT_EQ(check(root_with("port", R"({"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"boolean"}]})")),
            (Errors{Forbidden(".properties[port].anyOf[0].type", "Forbidden: must be empty to be structural"),
                    Forbidden(".properties[port].anyOf[1].type", "Forbidden: must be empty to be structural")}));
  EXPECT_EQ(check(root_with("port", R"({"x-kubernetes-int-or-string":true,"x-kubernetes-preserve-unknown-fields":true})")),
            (Errors{Invalid(".properties[port].x-kubernetes-preserve-unknown-fields",
                            "Invalid value: true: must be false if x-kubernetes-int-or-string is true")}));
}

TEST(CheckStructuralTest, EmbeddedResourcesAreObjects) {
  EXPECT_EQ(check(root_with("t", R"({"x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true})")),
            (Errors{Required(".properties[t].type", "Required value: must be object if x-kubernetes-embedded-resource is true")}));
  EXPECT_EQ(check(root_with("t", R"({"type":"string","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true})")),
            (Errors{Invalid(".properties[t].type", R"(Invalid value: "string": must be object if x-kubernetes-embedded-resource is true)")}));
  EXPECT_EQ(check(root_with("t", R"({"type":"object","x-kubernetes-embedded-resource":true})")),
            (Errors{Required(".properties[t].properties",
                             "Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields")}));
  EXPECT_EQ(check(root_with("t", R"({"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true,
                                     "additionalProperties":{"type":"string"}})")),
            (Errors{Forbidden(".properties[t].additionalProperties", "Forbidden: must not be used if x-kubernetes-embedded-resource is set")}));
  EXPECT_EQ(check(root_with("t", R"({"type":"object","x-kubernetes-embedded-resource":true,
                                     "properties":{"kind":{"type":"string"},"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}})")),
            Errors{});
}

TEST(CheckStructuralTest, NoEmbeddedResourcesInsideResourceMeta) {
  EXPECT_EQ(check(root_with("t", R"({"type":"object","x-kubernetes-embedded-resource":true,"properties":{
                                     "metadata":{"type":"object","properties":{"x":{"type":"object","x-kubernetes-embedded-resource":true,
                                                                                    "x-kubernetes-preserve-unknown-fields":true}}}}})")),
            (Errors{Forbidden(".properties[t].properties[metadata].properties[x].x-kubernetes-embedded-resource",
                              "Forbidden: must not be used inside of resource meta")}));
}

TEST(CheckStructuralTest, DefaultsMustValidate) {
  EXPECT_EQ(check(spec_with("replicas", R"({"type":"integer","default":"three"})")),
            (Errors{TypeInvalid(".properties[spec].properties[replicas].default",
                                R"(Invalid value: "string": default in body must be of type integer: "string")")}));
  EXPECT_EQ(check(spec_with("replicas", R"({"type":"integer","minimum":1,"default":0})")),
            (Errors{Invalid(".properties[spec].properties[replicas].default", "Invalid value: 0: default in body should be greater than or equal to 1")}));
  EXPECT_EQ(check(spec_with("mode", R"({"type":"string","enum":["a","b"],"default":"c"})")),
            (Errors{NotSupported(".properties[spec].properties[mode].default", R"(Unsupported value: "c": supported values: "a", "b")")}));
  EXPECT_EQ(check(root_with("spec", R"({"type":"object","properties":{"a":{"type":"string"}},"default":{"a":1}})")),
            (Errors{TypeInvalid(".properties[spec].default.a", R"(Invalid value: "integer": default.a in body must be of type string: "integer")")}));
  EXPECT_EQ(check(spec_with("l", R"({"type":"array","items":{"type":"string","default":5}})")),
            (Errors{TypeInvalid(".properties[spec].properties[l].items.default",
                                R"(Invalid value: "integer": default in body must be of type string: "integer")")}));
  EXPECT_EQ(check(spec_with("replicas", R"({"type":"integer","default":3})")), Errors{});
}

TEST(CheckStructuralTest, DefaultsMustNotHaveUnknownFields) {
  EXPECT_EQ(check(root_with("spec", R"({"type":"object","properties":{"a":{"type":"string"}},"default":{"a":"x","b":"y"}})")),
            (Errors{Invalid(".properties[spec].default", R"(Invalid value: {"a":"x","b":"y"}: must not have unknown fields)")}));
  EXPECT_EQ(check(root_with("spec", R"({"type":"object","x-kubernetes-preserve-unknown-fields":true,"default":{"b":"y"}})")), Errors{});
}

TEST(CheckStructuralTest, DefaultsAreOnlyCheckedInStructuralSchemas) {
  // The missing type is the problem; the (invalid) default is not looked at yet.
  EXPECT_EQ(check(spec_with("a", R"({"default":"x","minimum":1})")),
            (Errors{Required(".properties[spec].properties[a].type", "Required value: must not be empty for specified object fields")}));
}

TEST(CheckStructuralTest, ValueValidationsMayNotAddStructure) {
  EXPECT_EQ(check(root_with("a", R"({"type":"string","anyOf":[{"description":"d","nullable":true,"default":"x",
                                     "x-kubernetes-preserve-unknown-fields":true,"title":"t"}]})")),
            (Errors{Forbidden(".properties[a].anyOf[0].default", "Forbidden: must be undefined to be structural"),
                    Forbidden(".properties[a].anyOf[0].description", "Forbidden: must be empty to be structural"),
                    Forbidden(".properties[a].anyOf[0].nullable", "Forbidden: must be false to be structural"),
                    Forbidden(".properties[a].anyOf[0].title", "Forbidden: must be empty to be structural"),
                    Forbidden(".properties[a].anyOf[0].x-kubernetes-preserve-unknown-fields", "Forbidden: must be false to be structural")}));
  EXPECT_EQ(check(root_with("m", R"({"type":"object","additionalProperties":{"type":"string"},
                                     "allOf":[{"additionalProperties":{"maxLength":3}}]})")),
            (Errors{Forbidden(".properties[m].allOf[0].additionalProperties", "Forbidden: must be undefined to be structural")}));
  EXPECT_EQ(check(root_with("a", R"({"type":"string","not":{"x-kubernetes-validations":[{"rule":"true"}],"x-kubernetes-list-type":"set"}})")),
            (Errors{Required(".properties[a].not.type", "Required value: must be array if x-kubernetes-list-type is specified"),
                    Forbidden(".properties[a].not.x-kubernetes-list-type", "Forbidden: must be undefined to be structural"),
                    Forbidden(".properties[a].not.x-kubernetes-validations", "Forbidden: must be empty to be structural")}));
  EXPECT_EQ(check(R"({"type":"object","properties":{"metadata":{"type":"object"}},
                      "anyOf":[{"properties":{"metadata":{"required":["name"]}}}]})"),
            (Errors{Forbidden(".anyOf[0].properties[metadata]", "Forbidden: must not be specified in a nested context")}));
}

TEST(CheckStructuralTest, ValueValidationsMayOnlyReferToDeclaredFields) {
  EXPECT_EQ(check(R"({"type":"object","properties":{"a":{"type":"string"}},
                      "anyOf":[{"required":["a"]},{"properties":{"b":{"minLength":1}}}]})"),
            (Errors{Required(".properties[b]", "Required value: because it is defined in .anyOf[1].properties[b]")}));
  EXPECT_EQ(check(R"({"type":"object","properties":{"a":{"type":"string"}},
                      "oneOf":[{"properties":{"a":{"items":{"minLength":1}}}}]})"),
            (Errors{Required(".properties[a].items", "Required value: because it is defined in .oneOf[0].properties[a].items")}));
}

TEST(CheckStructuralTest, ListTypes) {
  EXPECT_EQ(check(root_with("l", R"({"type":"string","x-kubernetes-list-type":"set"})")),
            (Errors{Invalid(".properties[l].type", R"(Invalid value: "string": must be array if x-kubernetes-list-type is specified)")}));
  EXPECT_EQ(check(root_with("l", R"({"type":"array","items":{"type":"string"},"x-kubernetes-list-type":"bag"})")),
            (Errors{NotSupported(".properties[l].x-kubernetes-list-type", R"(Unsupported value: "bag": supported values: "atomic", "set", "map")")}));
  EXPECT_EQ(check(root_with("l", R"({"type":"array","x-kubernetes-list-type":"set","items":{"type":"string","nullable":true}})")),
            (Errors{Forbidden(".properties[l].items.nullable", "Forbidden: cannot be nullable when x-kubernetes-list-type is set")}));
  EXPECT_EQ(check(root_with("l", R"({"type":"array","x-kubernetes-list-type":"set","items":{"type":"object"}})")),
            (Errors{Invalid(".properties[l].items.x-kubernetes-map-type", "Invalid value: null: must be atomic as item of a list with x-kubernetes-list-type=set")}));
  EXPECT_EQ(check(root_with("l", R"({"type":"array","x-kubernetes-list-type":"set","items":{"type":"object","x-kubernetes-map-type":"atomic"}})")),
            Errors{});
}

TEST(CheckStructuralTest, MapLists) {
  const std::string item = R"({"type":"object","required":["name"],"properties":{"name":{"type":"string"},"port":{"type":"integer"}}})";
  EXPECT_EQ(check(root_with("l", R"({"type":"array","x-kubernetes-list-type":"map","items":)" + item + "}")),
            (Errors{Required(".properties[l].x-kubernetes-list-map-keys", "Required value: must not be empty if x-kubernetes-list-type is map")}));
  EXPECT_EQ(check(root_with("l", R"({"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["id"],"items":)" + item + "}")),
            (Errors{Invalid(".properties[l].x-kubernetes-list-map-keys", R"(Invalid value: ["id"]: entries must all be names of item properties)")}));
  EXPECT_EQ(check(root_with("l", R"({"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["port"],"items":)" + item + "}")),
            (Errors{Required(".properties[l].items.properties[port].default",
                             "Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property")}));
  EXPECT_EQ(check(root_with("l", R"({"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],"items":{"type":"string"}})")),
            (Errors{Invalid(".properties[l].items.type", R"(Invalid value: "string": must be object if parent array's x-kubernetes-list-type is map)")}));
  EXPECT_EQ(check(root_with("l", R"({"type":"array","x-kubernetes-list-type":"set","x-kubernetes-list-map-keys":["name"],"items":{"type":"string"}})")),
            (Errors{Invalid(".properties[l].x-kubernetes-list-type", R"(Invalid value: "set": must be map if x-kubernetes-list-map-keys is non-empty)")}));
  EXPECT_EQ(check(root_with("l", R"({"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],"items":)" + item + "}")),
            Errors{});
}

TEST(CheckStructuralTest, MapTypes) {
  EXPECT_EQ(check(root_with("m", R"({"type":"string","x-kubernetes-map-type":"atomic"})")),
            (Errors{Invalid(".properties[m].type", R"(Invalid value: "string": must be object if x-kubernetes-map-type is specified)")}));
  EXPECT_EQ(check(root_with("m", R"({"type":"object","x-kubernetes-map-type":"frozen"})")),
            (Errors{NotSupported(".properties[m].x-kubernetes-map-type", R"(Unsupported value: "frozen": supported values: "atomic", "granular")")}));
}

TEST(CheckStructuralTest, KeywordValues) {
  EXPECT_EQ(check(root_with("a", R"({"type":"array","items":{"type":"string"},"uniqueItems":true})")),
            (Errors{Forbidden(".properties[a].uniqueItems", "Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic")}));
  EXPECT_EQ(check(root_with("a", R"({"type":"object","x-kubernetes-preserve-unknown-fields":false})")),
            (Errors{Invalid(".properties[a].x-kubernetes-preserve-unknown-fields", "Invalid value: false: must be true or undefined")}));
  EXPECT_EQ(check(root_with("a", R"({"type":"text"})")),
            (Errors{NotSupported(".properties[a].type",
                                 R"(Unsupported value: "text": supported values: "array", "boolean", "integer", "number", "object", "string")")}));
  EXPECT_EQ(check(root_with("a", R"({"type":"null"})")),
            (Errors{Forbidden(".properties[a].type", "Forbidden: type cannot be set to null, use nullable as an alternative"),
                    NotSupported(".properties[a].type",
                                 R"(Unsupported value: "null": supported values: "array", "boolean", "integer", "number", "object", "string")")}));
  EXPECT_EQ(check(root_with("a", R"({"type":"string","maxLength":"5","required":"x"})")),
            (Errors{Invalid(".properties[a].maxLength", R"(Invalid value: "5": must be an integer)"),
                    Invalid(".properties[a].required", R"(Invalid value: "x": must be an array of strings)")}));
}

TEST(CheckStructuralTest, PatternsMustCompile) {
  const Errors errors = check(root_with("a", R"({"type":"string","pattern":"[a-"})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].type, "FieldValueInvalid");
  EXPECT_EQ(errors[0].field, ".properties[a].pattern");
  EXPECT_THAT(errors[0].message, ::testing::StartsWith(R"(Invalid value: "[a-": must be a valid regular expression, but isn't: )"));
}

TEST(CheckStructuralTest, CelRulesAreAcceptedButNotEvaluated) {
  EXPECT_EQ(check(R"({"type":"object","x-kubernetes-validations":[{"rule":"self.a > 0"}],
                      "properties":{"a":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 10","message":"small"}]}}})"),
            Errors{});
}

TEST(CheckStructuralTest, ErrorsAreSortedByField) {
  const Errors errors = check(R"({"type":"object","properties":{
      "z":{"properties":{}},"a":{"type":"array"},"m":{"$ref":"x","type":"string"}}})");
  EXPECT_EQ(errors, (Errors{Required(".properties[a].items", "Required value: must be specified"),
                            Forbidden(".properties[m].$ref", "Forbidden: $ref is not supported"),
                            Required(".properties[z].type", "Required value: must not be empty for specified object fields")}));
}

// ================================================================================================
// Pruning
// ================================================================================================

constexpr std::string_view kPruneSchema = R"({
  "type": "object",
  "properties": {
    "spec": {
      "type": "object",
      "properties": {
        "a": {"type": "string"},
        "ports": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
        "config": {
          "type": "object",
          "x-kubernetes-preserve-unknown-fields": true,
          "properties": {
            "strict": {"type": "object", "properties": {"a": {"type": "string"}}},
            "loose": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
          }
        },
        "settings": {"type": "object", "additionalProperties": {"type": "object", "properties": {"v": {"type": "string"}}}},
        "anything": {"type": "object", "additionalProperties": true},
        "inner": {"type": "object", "properties": {}}
      }
    }
  }
})";

TEST(PruneTest, UnknownFieldsAreRemovedAndReported) {
  Outcome out = apply_schema(R"({"apiVersion":"x.io/v1","kind":"K","metadata":{"name":"n"},"spec":{"a":"x","b":"y"},"extra":1})", kPruneSchema);
  EXPECT_EQ(out.result.errors, Errors{});
  EXPECT_EQ(out.result.unknown, (Paths{"extra", "spec.b"}));
  expect_json(out.object, R"({"apiVersion":"x.io/v1","kind":"K","metadata":{"name":"n"},"spec":{"a":"x"}})");
}

TEST(PruneTest, InsideArrayItems) {
  Outcome out = apply_schema(R"({"spec":{"ports":[{"name":"a","x":1},{"y":2}]}})", kPruneSchema);
  EXPECT_EQ(out.result.unknown, (Paths{"spec.ports[0].x", "spec.ports[1].y"}));
  expect_json(out.object, R"({"spec":{"ports":[{"name":"a"},{}]}})");
}

TEST(PruneTest, PreserveUnknownFieldsAtNestedLevels) {
  // Unknown fields under config stay, but its declared "strict" property prunes again; "loose"
  // preserves everything.
  Outcome out = apply_schema(R"({"spec":{"config":{"anything":{"deep":[1,{"x":1}]},"strict":{"a":"x","b":"y"},"loose":{"z":{"w":1}}}}})",
                      kPruneSchema);
  EXPECT_EQ(out.result.errors, Errors{});
  EXPECT_EQ(out.result.unknown, (Paths{"spec.config.strict.b"}));
  expect_json(out.object, R"({"spec":{"config":{"anything":{"deep":[1,{"x":1}]},"strict":{"a":"x"},"loose":{"z":{"w":1}}}}})");
}

TEST(PruneTest, AdditionalPropertiesValuesArePrunedByTheirSchema) {
  Outcome out = apply_schema(R"({"spec":{"settings":{"one":{"v":"a","w":"b"},"two":{}}}})", kPruneSchema);
  EXPECT_EQ(out.result.unknown, (Paths{"spec.settings.one.w"}));
  expect_json(out.object, R"({"spec":{"settings":{"one":{"v":"a"},"two":{}}}})");
}

TEST(PruneTest, AdditionalPropertiesTrueKeepsKeysButNotNestedFields) {
  // As in the API server: without a schema for the values, objects inside them are emptied.
  Outcome out = apply_schema(R"({"spec":{"anything":{"k":{"nested":1},"s":"str"}}})", kPruneSchema);
  EXPECT_EQ(out.result.unknown, (Paths{"spec.anything.k.nested"}));
  expect_json(out.object, R"({"spec":{"anything":{"k":{},"s":"str"}}})");
}

TEST(PruneTest, ResourceFieldNamesAreOrdinaryBelowTheRoot) {
  Outcome out = apply_schema(R"({"spec":{"inner":{"metadata":1,"kind":"x"}}})", kPruneSchema);
  EXPECT_EQ(out.result.unknown, (Paths{"spec.inner.kind", "spec.inner.metadata"}));
  expect_json(out.object, R"({"spec":{"inner":{}}})");
}

TEST(PruneTest, ReportOnlyWhenPruningIsOff) {
  const std::string object = R"({"metadata":{"name":"n","bogus":true},"spec":{"a":"x","b":"y","ports":[{"z":1}]}})";
  Outcome out = apply_schema(object, kPruneSchema, {.prune = false});
  EXPECT_EQ(out.result.unknown, (Paths{"metadata.bogus", "spec.b", "spec.ports[0].z"}));
  expect_json(out.object, object);
}

TEST(PruneTest, MetadataKeepsOnlyObjectMetaFields) {
  Outcome out = apply_schema(R"({"apiVersion":"x.io/v1","kind":"K","metadata":{"name":"n","namespace":"default","labels":{"a":"b"},
      "annotations":{"c":"d"},"finalizers":["f"],"ownerReferences":[{"apiVersion":"v1","kind":"Pod","name":"p","uid":"u","bogus":1}],
      "resourceVersion":"5","generation":2,"uid":"x","creationTimestamp":"2024-01-01T00:00:00Z","shoeSize":44}})",
                      kPruneSchema);
  EXPECT_EQ(out.result.unknown, (Paths{"metadata.ownerReferences[0].bogus", "metadata.shoeSize"}));
  expect_json(out.object, R"({"apiVersion":"x.io/v1","kind":"K","metadata":{"name":"n","namespace":"default","labels":{"a":"b"},
      "annotations":{"c":"d"},"finalizers":["f"],"ownerReferences":[{"apiVersion":"v1","kind":"Pod","name":"p","uid":"u"}],
      "resourceVersion":"5","generation":2,"uid":"x","creationTimestamp":"2024-01-01T00:00:00Z"}})");
}

TEST(PruneTest, PreserveUnknownFieldsAtTheRoot) {
  Outcome out = apply_schema(R"({"x":1,"spec":{"a":"1","b":2},"metadata":{"name":"n","junk":1}})",
                      R"({"type":"object","x-kubernetes-preserve-unknown-fields":true,
                          "properties":{"spec":{"type":"object","properties":{"a":{"type":"string"}}}}})");
  EXPECT_EQ(out.result.unknown, (Paths{"metadata.junk", "spec.b"}));
  expect_json(out.object, R"({"x":1,"spec":{"a":"1"},"metadata":{"name":"n"}})");
}

TEST(PruneTest, NonNullableNullsWithoutDefaultsAreDropped) {
  const std::string schema = R"({"type":"object","properties":{"spec":{"type":"object","properties":{
      "a":{"type":"string"},"b":{"type":"string","nullable":true},"c":{"type":"string","default":"d"},
      "l":{"type":"array","items":{"type":"string","nullable":true}}}}}})";
  Outcome out = apply_schema(R"({"spec":{"a":null,"b":null,"c":null,"l":["x",null]}})", schema);
  EXPECT_EQ(out.result.errors, Errors{});
  expect_json(out.object, R"({"spec":{"b":null,"c":"d","l":["x",null]}})");
  // Without pruning the null stays, and is invalid.
  out = apply_schema(R"({"spec":{"a":null}})", schema, {.prune = false});
  EXPECT_EQ(out.result.errors, (Errors{TypeInvalid(".spec.a", R"(Invalid value: "null": spec.a in body must be of type string: "null")")}));
}

// ================================================================================================
// Defaulting
// ================================================================================================

constexpr std::string_view kDefaultsSchema = R"({
  "type": "object",
  "properties": {
    "spec": {
      "type": "object",
      "default": {},
      "properties": {
        "replicas": {"type": "integer", "default": 1},
        "strategy": {
          "type": "object",
          "properties": {
            "type": {"type": "string", "default": "Rolling"},
            "rolling": {
              "type": "object",
              "default": {},
              "properties": {"maxSurge": {"x-kubernetes-int-or-string": true, "default": "25%"}}
            }
          }
        },
        "ports": {
          "type": "array",
          "items": {"type": "object", "properties": {"port": {"type": "integer"}, "protocol": {"type": "string", "default": "TCP"}}}
        },
        "env": {"type": "object", "additionalProperties": {"type": "object", "properties": {"value": {"type": "string", "default": "none"}}}},
        "names": {"type": "array", "items": {"type": "string", "default": "anonymous"}},
        "sizes": {"type": "object", "additionalProperties": {"type": "integer", "default": 7}},
        "note": {"type": "string", "nullable": true, "default": "hello"}
      }
    }
  }
})";

TEST(DefaultTest, SchemaIsStructural) { EXPECT_EQ(check(kDefaultsSchema), Errors{}); }

TEST(DefaultTest, AbsentParentIsDefaultedThenItsChildren) {
  // spec is absent but has a default ({}), so its own defaults apply; strategy has no default,
  // so nothing inside it appears.
  Outcome out = apply_schema("{}", kDefaultsSchema);
  EXPECT_EQ(out.result.errors, Errors{});
  expect_json(out.object, R"({"spec":{"replicas":1,"note":"hello"}})");
}

TEST(DefaultTest, DefaultsAtSeveralDepths) {
  Outcome out = apply_schema(R"({"spec":{"strategy":{}}})", kDefaultsSchema);
  expect_json(out.object, R"({"spec":{"strategy":{"type":"Rolling","rolling":{"maxSurge":"25%"}},"replicas":1,"note":"hello"}})");
}

TEST(DefaultTest, ExistingValuesAreKept) {
  Outcome out = apply_schema(R"({"spec":{"replicas":5,"strategy":{"type":"Recreate","rolling":{"maxSurge":2}},"note":"bye"}})", kDefaultsSchema);
  expect_json(out.object, R"({"spec":{"replicas":5,"strategy":{"type":"Recreate","rolling":{"maxSurge":2}},"note":"bye"}})");
}

TEST(DefaultTest, InsideArrayItemsAndMapValues) {
  Outcome out = apply_schema(R"({"spec":{"ports":[{"port":80},{"port":53,"protocol":"UDP"}],"env":{"A":{},"B":{"value":"x"}},
                                  "names":["a",null],"sizes":{"s":null,"m":3}}})",
                      kDefaultsSchema);
  EXPECT_EQ(out.result.errors, Errors{});
  expect_json(out.object, R"({"spec":{"ports":[{"port":80,"protocol":"TCP"},{"port":53,"protocol":"UDP"}],
      "env":{"A":{"value":"none"},"B":{"value":"x"}},"names":["a","anonymous"],"sizes":{"s":7,"m":3},"replicas":1,"note":"hello"}})");
}

TEST(DefaultTest, NullsAndNullable) {
  // A non-nullable null takes the default; a nullable one stays null.
  Outcome out = apply_schema(R"({"spec":{"replicas":null,"note":null}})", kDefaultsSchema);
  EXPECT_EQ(out.result.errors, Errors{});
  expect_json(out.object, R"({"spec":{"replicas":1,"note":null}})");
  out = apply_schema(R"({"spec":{"replicas":null}})", kDefaultsSchema, {.prune = false});
  expect_json(out.object, R"({"spec":{"replicas":1,"note":"hello"}})");
}

TEST(DefaultTest, CanBeTurnedOff) {
  Outcome out = apply_schema(R"({"spec":{"strategy":{}}})", kDefaultsSchema, {.defaults = false});
  expect_json(out.object, R"({"spec":{"strategy":{}}})");
}

TEST(DefaultTest, DefaultedValuesAreValidated) {
  // An unchecked schema with a bad default: the result of defaulting is what gets validated.
  EXPECT_EQ(validate("{}", R"({"type":"object","properties":{"n":{"type":"integer","minimum":5,"default":1}}})"),
            (Errors{Invalid(".n", "Invalid value: 1: n in body should be greater than or equal to 5")}));
}

// ================================================================================================
// Validation keywords
// ================================================================================================

TEST(ValidateTypeTest, EachTypeMismatch) {
  struct Case {
    std::string_view type, value, actual;
  };
  for (const Case& c : {Case{"integer", R"("3")", "string"}, Case{"integer", "3.5", "number"}, Case{"integer", "true", "boolean"},
                        Case{"number", R"("1.5")", "string"}, Case{"string", "1", "integer"}, Case{"string", "{}", "object"},
                        Case{"boolean", "[]", "array"}, Case{"array", R"({"a":1})", "object"}, Case{"object", "[1]", "array"},
                        Case{"object", "1.5", "number"}}) {
    SCOPED_TRACE(std::string(c.type) + " <- " + std::string(c.value));
    const std::string actual = "\"" + std::string(c.actual) + "\"";
    EXPECT_EQ(validate_field(R"({"type":")" + std::string(c.type) + R"("})", c.value),
              (Errors{TypeInvalid(".spec.f", "Invalid value: " + actual + ": spec.f in body must be of type " + std::string(c.type) + ": " + actual)}));
  }
}

TEST(ValidateTypeTest, NumbersAndIntegers) {
  EXPECT_EQ(validate_field(R"({"type":"integer"})", "3.0"), Errors{});  // integral: an integer
  EXPECT_EQ(validate_field(R"({"type":"number"})", "3"), Errors{});
  EXPECT_EQ(validate_field(R"({"type":"integer"})", "-9223372036854775808"), Errors{});
  EXPECT_EQ(validate_field(R"({"type":"integer"})", "18446744073709551615"),
            (Errors{Invalid(".spec.f", R"(Invalid value: "": Checked value must be of type integer (default format) in spec.f)")}));
}

TEST(ValidateTypeTest, NullableNull) {
  EXPECT_EQ(validate_field(R"({"type":"string","nullable":true})", "null"), Errors{});
  EXPECT_EQ(validate(spec_value("f", "null"), spec_with("f", R"({"type":"string"})")), Errors{});  // pruned away
}

TEST(ValidateFormatTest, NumericRanges) {
  EXPECT_EQ(validate_field(R"({"type":"integer","format":"int32"})", "2147483647"), Errors{});
  EXPECT_EQ(validate_field(R"({"type":"integer","format":"int32"})", "3000000000"),
            (Errors{Invalid(".spec.f", R"(Invalid value: "": Checked value must be of type integer with format int32 in spec.f)")}));
  EXPECT_EQ(validate_field(R"({"type":"number","format":"float"})", "1e39"),
            (Errors{Invalid(".spec.f", R"(Invalid value: "": Checked value must be of type number with format float in spec.f)")}));
  EXPECT_EQ(validate_field(R"({"type":"number","format":"double"})", "1e300"), Errors{});
}

TEST(ValidateFormatTest, StringFormats) {
  struct Case {
    std::string_view format, good, bad;
  };
  for (const Case& c : {
           Case{"date-time", "2024-01-02T03:04:05Z", "yesterday"},
           Case{"date-time", "2024-01-02T03:04:05.123+02:00", "2024-02-30T00:00:00Z"},
           Case{"datetime", "2024-01-02t23:59:59z", "2024-01-02T24:00:00Z"},
           Case{"date", "2024-02-29", "2023-02-29"},
           Case{"byte", "aGVsbG8=", "not base64!"},
           Case{"uuid", "123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456"},
           Case{"uuid4", "123e4567-e89b-42d3-a456-426614174000", "123e4567-e89b-12d3-a456-426614174000"},
           Case{"ipv4", "10.0.0.1", "10.0.0.256"},
           Case{"ipv6", "fe80::1", "fe80::g"},
           Case{"cidr", "10.0.0.0/8", "10.0.0.0/33"},
           Case{"cidr", "2001:db8::/32", "2001:db8::"},
           Case{"mac", "00:1a:2b:3c:4d:5e", "00:1a:2b:3c:4d"},
           Case{"hostname", "example.com", "-bad-.com"},
           Case{"hostname", "localhost", "a_b"},
           Case{"email", "moose@animals.com", "moose"},
           Case{"uri", "https://example.com/a?b=c", "no scheme"},
           Case{"duration", "1h30m", "soon"},
           Case{"duration", "3 days", "3 apples"},
           Case{"hexcolor", "#a0b1c2", "#12345"},
           Case{"rgbcolor", "rgb(1, 2, 255)", "rgb(1,2,256)"},
           Case{"k8s-short-name", "my-name", "My-Name"},
           Case{"k8s-long-name", "a.b-c.d", "a..b"},
       }) {
    SCOPED_TRACE(std::string(c.format));
    const std::string schema = R"({"type":"string","format":")" + std::string(c.format) + R"("})";
    EXPECT_EQ(validate_field(schema, "\"" + std::string(c.good) + "\""), Errors{});
    const std::string bad = "\"" + std::string(c.bad) + "\"";
    EXPECT_EQ(validate_field(schema, bad),
              (Errors{TypeInvalid(".spec.f", "Invalid value: " + bad + ": spec.f in body must be of type " + std::string(c.format) + ": " + bad)}));
  }
}

TEST(ValidateFormatTest, UnknownFormatsAndOtherTypesAreIgnored) {
  EXPECT_EQ(validate_field(R"({"type":"string","format":"color-ish"})", R"("anything")"), Errors{});
  EXPECT_EQ(validate_field(R"({"type":"string","format":"password"})", R"("hunter2")"), Errors{});
  EXPECT_EQ(validate_field(R"({"type":"integer","format":"date"})", "5"), Errors{});
}

TEST(ValidateEnumTest, UnsupportedValues) {
  EXPECT_EQ(validate_field(R"({"type":"string","enum":["a","b"]})", R"("x")"),
            (Errors{NotSupported(".spec.f", R"(Unsupported value: "x": supported values: "a", "b")")}));
  EXPECT_EQ(validate_field(R"({"type":"integer","enum":[1,2]})", "3"),
            (Errors{NotSupported(".spec.f", R"(Unsupported value: 3: supported values: "1", "2")")}));
  EXPECT_EQ(validate_field(R"({"type":"object","properties":{"a":{"type":"integer"}},"enum":[{"a":1}]})", R"({"a":2})"),
            (Errors{NotSupported(".spec.f", R"(Unsupported value: {"a":2}: supported values: "{\"a\":1}")")}));
  EXPECT_EQ(validate_field(R"({"type":"number","enum":[1.0,2.5]})", "1"), Errors{});  // compared by value
  // Bad values are printed like Go's %q.
  EXPECT_EQ(validate_field(R"({"type":"string","enum":["a"]})", R"("tab\there \"q\" é\u0001")"),
            (Errors{NotSupported(".spec.f", R"(Unsupported value: "tab\there \"q\" é\x01": supported values: "a")")}));
  EXPECT_EQ(validate_field(R"({"type":"string","nullable":true,"enum":["a",null]})", "null"), Errors{});
}

TEST(ValidateNumberTest, MinimumAndMaximum) {
  const std::string range = R"({"type":"integer","minimum":1,"maximum":10})";
  EXPECT_EQ(validate_field(range, "1"), Errors{});
  EXPECT_EQ(validate_field(range, "10"), Errors{});
  EXPECT_EQ(validate_field(range, "0"), (Errors{Invalid(".spec.f", "Invalid value: 0: spec.f in body should be greater than or equal to 1")}));
  EXPECT_EQ(validate_field(range, "11"), (Errors{Invalid(".spec.f", "Invalid value: 11: spec.f in body should be less than or equal to 10")}));
  const std::string exclusive = R"({"type":"integer","minimum":1,"exclusiveMinimum":true,"maximum":10,"exclusiveMaximum":true})";
  EXPECT_EQ(validate_field(exclusive, "1"), (Errors{Invalid(".spec.f", "Invalid value: 1: spec.f in body should be greater than 1")}));
  EXPECT_EQ(validate_field(exclusive, "10"), (Errors{Invalid(".spec.f", "Invalid value: 10: spec.f in body should be less than 10")}));
  EXPECT_EQ(validate_field(R"({"type":"number","minimum":0.5})", "0.25"),
            (Errors{Invalid(".spec.f", "Invalid value: 0.25: spec.f in body should be greater than or equal to 0.5")}));
  // Go prints float64 with %v: exponent form from 1e6 up.
  EXPECT_EQ(validate_field(R"({"type":"number","maximum":1000000})", "2000000.5"),
            (Errors{Invalid(".spec.f", "Invalid value: 2.0000005e+06: spec.f in body should be less than or equal to 1e+06")}));
  EXPECT_EQ(validate_field(R"({"type":"number","minimum":0.0001})", "0.00001"),
            (Errors{Invalid(".spec.f", "Invalid value: 1e-05: spec.f in body should be greater than or equal to 0.0001")}));
  EXPECT_EQ(validate_field(R"({"type":"integer","maximum":1000000})", "2000000"),
            (Errors{Invalid(".spec.f", "Invalid value: 2000000: spec.f in body should be less than or equal to 1000000")}));
}

TEST(ValidateNumberTest, MultipleOf) {
  EXPECT_EQ(validate_field(R"({"type":"integer","multipleOf":5})", "10"), Errors{});
  EXPECT_EQ(validate_field(R"({"type":"integer","multipleOf":5})", "7"),
            (Errors{Invalid(".spec.f", "Invalid value: 7: spec.f in body should be a multiple of 5")}));
  EXPECT_EQ(validate_field(R"({"type":"number","multipleOf":0.1})", "0.3"), Errors{});  // within rounding
  EXPECT_EQ(validate_field(R"({"type":"number","multipleOf":0.1})", "0.35"),
            (Errors{Invalid(".spec.f", "Invalid value: 0.35: spec.f in body should be a multiple of 0.1")}));
  EXPECT_EQ(validate_field(R"({"type":"number","multipleOf":0})", "1.5"),
            (Errors{Invalid(".spec.f", "Invalid value: 0: factor MultipleOf declared for spec.f must be positive: 0")}));
}

TEST(ValidateStringTest, LengthsCountCharacters) {
  EXPECT_EQ(validate_field(R"({"type":"string","maxLength":5})", R"("héllo")"), Errors{});  // 5 characters, 6 bytes
  EXPECT_EQ(validate_field(R"({"type":"string","maxLength":5})", R"("toolong")"),
            (Errors{TooLong(".spec.f", "Too long: may not be more than 5 bytes")}));
  EXPECT_EQ(validate_field(R"({"type":"string","maxLength":1})", R"("ab")"), (Errors{TooLong(".spec.f", "Too long: may not be more than 1 byte")}));
  EXPECT_EQ(validate_field(R"({"type":"string","minLength":3})", R"("ab")"),
            (Errors{Invalid(".spec.f", R"(Invalid value: "ab": spec.f in body should be at least 3 chars long)")}));
  EXPECT_EQ(validate_field(R"({"type":"string","minLength":3})", R"("日本語")"), Errors{});
}

TEST(ValidateStringTest, Pattern) {
  const std::string lower = R"({"type":"string","pattern":"^[a-z]+$"})";
  EXPECT_EQ(validate_field(lower, R"("abc")"), Errors{});
  EXPECT_EQ(validate_field(lower, R"("Abc")"), (Errors{Invalid(".spec.f", R"(Invalid value: "Abc": spec.f in body should match '^[a-z]+$')")}));
  // Unanchored patterns search; dots match characters, not bytes.
  EXPECT_EQ(validate_field(R"({"type":"string","pattern":"b+"})", R"("abbbc")"), Errors{});
  EXPECT_EQ(validate_field(R"({"type":"string","pattern":"^.{5}$"})", R"("héllo")"), Errors{});
  EXPECT_EQ(validate_field(R"({"type":"string","pattern":"x|y"})", R"("--y")"), Errors{});
  // The first failing length or pattern check is the one reported.
  EXPECT_EQ(validate_field(R"({"type":"string","minLength":5,"pattern":"^[a-z]+$"})", R"("AB")"),
            (Errors{Invalid(".spec.f", R"(Invalid value: "AB": spec.f in body should be at least 5 chars long)")}));
}

TEST(ValidateStringTest, LongValuesDoNotExhaustTheStack) {
  const std::string lower = R"({"type":"string","pattern":"^[a-z]+$"})";
  const std::string long_value = std::string(300000, 'a');
  EXPECT_EQ(validate_field(lower, "\"" + long_value + "\""), Errors{});
  EXPECT_EQ(validate_field(R"({"type":"string","pattern":"(a|b)*c"})", "\"" + long_value + "\"").size(), 1u);
  EXPECT_EQ(validate_field(R"({"type":"string","format":"byte"})", "\"" + std::string(400000, 'Q') + "\""), Errors{});
}

TEST(ValidateArrayTest, Items) {
  const std::string tags = R"({"type":"array","items":{"type":"string","maxLength":3}})";
  EXPECT_EQ(validate_field(tags, R"(["a", 1, "abcd"])"),
            (Errors{TypeInvalid(".spec.f[1]", R"(Invalid value: "integer": spec.f[1] in body must be of type string: "integer")"),
                    TooLong(".spec.f[2]", "Too long: may not be more than 3 bytes")}));
  EXPECT_EQ(validate_field(R"({"type":"array","items":{"type":"string"},"minItems":2})", R"(["a"])"),
            (Errors{Invalid(".spec.f", "Invalid value: 1: spec.f in body should have at least 2 items")}));
  EXPECT_EQ(validate_field(R"({"type":"array","items":{"type":"string"},"maxItems":2})", R"(["a","b","c"])"),
            (Errors{TooMany(".spec.f", "Too many: 3: must have at most 2 items")}));
  EXPECT_EQ(validate_field(R"({"type":"array","items":{"type":"string"},"maxItems":1})", R"(["a","b"])"),
            (Errors{TooMany(".spec.f", "Too many: 2: must have at most 1 item")}));
  EXPECT_EQ(validate_field(R"({"type":"array","items":{"type":"string"},"uniqueItems":true})", R"(["a","b","a"])"),
            (Errors{Invalid(".spec.f", R"(Invalid value: "": spec.f in body shouldn't contain duplicates)")}));
}

TEST(ValidateArrayTest, SetListsHaveNoDuplicates) {
  const std::string set = R"({"type":"array","items":{"type":"string"},"x-kubernetes-list-type":"set"})";
  EXPECT_EQ(validate_field(set, R"(["a","b"])"), Errors{});
  EXPECT_EQ(validate_field(set, R"(["a","b","a","a","b"])"),
            (Errors{Duplicate(".spec.f[2]", R"(Duplicate value: "a")"), Duplicate(".spec.f[4]", R"(Duplicate value: "b")")}));
  const std::string objects = R"({"type":"array","x-kubernetes-list-type":"set","items":{"type":"object","x-kubernetes-map-type":"atomic",
                                   "properties":{"a":{"type":"integer"},"b":{"type":"integer"}}}})";
  EXPECT_EQ(validate_field(objects, R"([{"a":1,"b":2},{"b":2,"a":1}])"), (Errors{Duplicate(".spec.f[1]", R"(Duplicate value: {"a":1,"b":2})")}));
}

TEST(ValidateArrayTest, MapListsHaveUniqueKeys) {
  const std::string ports = R"({"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
      "items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"port":{"type":"integer"}}}})";
  EXPECT_EQ(validate_field(ports, R"([{"name":"a","port":1},{"name":"b","port":1}])"), Errors{});
  EXPECT_EQ(validate_field(ports, R"([{"name":"a","port":1},{"name":"b"},{"name":"a","port":2}])"),
            (Errors{Duplicate(".spec.f[2]", R"(Duplicate value: {"name":"a"})")}));
  const std::string two_keys = R"({"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["port","protocol"],
      "items":{"type":"object","required":["port"],"properties":{"port":{"type":"integer"},"protocol":{"type":"string","default":"TCP"},
               "name":{"type":"string"}}}})";
  EXPECT_EQ(validate_field(two_keys, R"([{"port":80,"protocol":"TCP"},{"port":80,"protocol":"UDP"},{"port":80,"name":"x"}])"),
            (Errors{Duplicate(".spec.f[2]", R"(Duplicate value: {"port":80,"protocol":"TCP"})")}));  // after defaulting
  EXPECT_EQ(validate_field(R"({"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
                               "items":{"type":"object","properties":{"name":{"type":"string"},"port":{"type":"integer"}}}})",
                           R"([{"port":1},{"port":2}])"),
            (Errors{Duplicate(".spec.f[1]", "Duplicate value: {}")}));
}

TEST(ValidateObjectTest, PropertiesCountsAndRequired) {
  const std::string labels = R"({"type":"object","additionalProperties":{"type":"string"},"minProperties":1,"maxProperties":2})";
  EXPECT_EQ(validate_field(labels, R"({"a":"1"})"), Errors{});
  EXPECT_EQ(validate_field(labels, "{}"), (Errors{Invalid(".spec.f", "Invalid value: 0: spec.f in body should have at least 1 properties")}));
  EXPECT_EQ(validate_field(labels, R"({"a":"1","b":"2","c":"3"})"), (Errors{TooMany(".spec.f", "Too many: 3: must have at most 2 items")}));
  EXPECT_EQ(validate_field(labels, R"({"a":1})"),
            (Errors{TypeInvalid(".spec.f.a", R"(Invalid value: "integer": spec.f.a in body must be of type string: "integer")")}));
  const std::string person = R"({"type":"object","required":["name","age"],"properties":{"name":{"type":"string"},"age":{"type":"integer"}}})";
  EXPECT_EQ(validate_field(person, "{}"), (Errors{Required(".spec.f.name"), Required(".spec.f.age")}));
  EXPECT_EQ(validate("{}", R"({"type":"object","required":["spec"],"properties":{"spec":{"type":"object"}}})"), (Errors{Required(".spec")}));
}

TEST(ValidateObjectTest, AdditionalPropertiesFalse) {
  EXPECT_EQ(validate_field(R"({"type":"object","additionalProperties":false})", R"({"x":1})"),
            (Errors{Invalid(".spec.f", R"(Invalid value: "x": spec.f.x in body is a forbidden property)")}));
}

TEST(ValidateJunctorTest, AnyOf) {
  const std::string schema = R"({"type":"integer","anyOf":[{"minimum":10},{"maximum":0}]})";
  EXPECT_EQ(validate_field(schema, "20"), Errors{});
  EXPECT_EQ(validate_field(schema, "-1"), Errors{});
  EXPECT_EQ(validate_field(schema, "5"),
            (Errors{Invalid(".spec.f", R"(Invalid value: "": "spec.f" must validate at least one schema (anyOf))"),
                    Invalid(".spec.f", "Invalid value: 5: spec.f in body should be greater than or equal to 10")}));
}

TEST(ValidateJunctorTest, AllOf) {
  const std::string schema = R"({"type":"string","allOf":[{"minLength":2},{"pattern":"^x"}]})";
  EXPECT_EQ(validate_field(schema, R"("xy")"), Errors{});
  EXPECT_EQ(validate_field(schema, R"("ab")"),
            (Errors{Invalid(".spec.f", R"(Invalid value: "": "spec.f" must validate all the schemas (allOf))"),
                    Invalid(".spec.f", R"(Invalid value: "ab": spec.f in body should match '^x')")}));
  EXPECT_EQ(validate_field(schema, R"("a")"),
            (Errors{Invalid(".spec.f", R"(Invalid value: "": "spec.f" must validate all the schemas (allOf). None validated)"),
                    Invalid(".spec.f", R"(Invalid value: "a": spec.f in body should be at least 2 chars long)"),
                    Invalid(".spec.f", R"(Invalid value: "a": spec.f in body should match '^x')")}));
}

TEST(ValidateJunctorTest, OneOf) {
  const std::string schema = R"({"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},
                                 "oneOf":[{"required":["a"]},{"required":["b"]}]})";
  EXPECT_EQ(validate_field(schema, R"({"a":"x"})"), Errors{});
  EXPECT_EQ(validate_field(schema, R"({"a":"x","b":"y"})"),
            (Errors{Invalid(".spec.f", R"(Invalid value: "": "spec.f" must validate one and only one schema (oneOf). Found 2 valid alternatives)")}));
  EXPECT_EQ(validate_field(schema, "{}"),
            (Errors{Invalid(".spec.f", R"(Invalid value: "": "spec.f" must validate one and only one schema (oneOf). Found none valid)"),
                    Required(".spec.f.a")}));
}

TEST(ValidateJunctorTest, Not) {
  const std::string schema = R"({"type":"string","not":{"enum":["forbidden"]}})";
  EXPECT_EQ(validate_field(schema, R"("fine")"), Errors{});
  EXPECT_EQ(validate_field(schema, R"("forbidden")"),
            (Errors{Invalid(".spec.f", R"(Invalid value: "": "spec.f" must not validate the schema (not))")}));
}

TEST(ValidateIntOrStringTest, AcceptsBothAndOnlyBoth) {
  const std::string port = R"({"x-kubernetes-int-or-string":true})";
  EXPECT_EQ(validate_field(port, "80"), Errors{});
  EXPECT_EQ(validate_field(port, R"("http")"), Errors{});
  EXPECT_EQ(validate_field(port, "true"),
            (Errors{TypeInvalid(".spec.f", R"(Invalid value: "boolean": spec.f in body must be of type integer,string: "boolean")")}));
  EXPECT_EQ(validate_field(port, "1.5"),
            (Errors{TypeInvalid(".spec.f", R"(Invalid value: "number": spec.f in body must be of type integer,string: "number")")}));
  const std::string percent = R"({"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}],"pattern":"^[0-9]+%$"})";
  EXPECT_EQ(validate_field(percent, R"("50%")"), Errors{});
  EXPECT_EQ(validate_field(percent, "50"), Errors{});
  EXPECT_EQ(validate_field(percent, R"("half")"),
            (Errors{Invalid(".spec.f", R"(Invalid value: "half": spec.f in body should match '^[0-9]+%$')")}));
}

TEST(ValidateEmbeddedTest, ResourcesNeedApiVersionAndKind) {
  const std::string schema = spec_with("template", R"({"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true})");
  Outcome out = apply_schema(R"({"spec":{"template":{"metadata":{"name":"x","bogus":1},"spec":{"anything":1}}}})", schema);
  EXPECT_EQ(out.result.errors, (Errors{Required(".spec.template.apiVersion"), Required(".spec.template.kind")}));
  EXPECT_EQ(out.result.unknown, (Paths{"spec.template.metadata.bogus"}));
  expect_json(out.object, R"({"spec":{"template":{"metadata":{"name":"x"},"spec":{"anything":1}}}})");

  EXPECT_EQ(validate(R"({"spec":{"template":{"apiVersion":"v1","kind":"Pod","spec":{}}}})", schema), Errors{});
  EXPECT_EQ(validate(R"({"spec":{"template":{"apiVersion":"a/b/c","kind":"","metadata":"m"}}})", schema),
            (Errors{Invalid(".spec.template.apiVersion", R"(Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c)"),
                    Invalid(".spec.template.kind", R"(Invalid value: "": must not be empty)"),
                    Invalid(".spec.template.metadata", R"(Invalid value: "m": must be an object)")}));
  const Errors bad_kind = validate(R"({"spec":{"template":{"apiVersion":"v1","kind":"my_kind"}}})", schema);
  ASSERT_EQ(bad_kind.size(), 1u);
  EXPECT_EQ(bad_kind[0].field, ".spec.template.kind");
  EXPECT_THAT(bad_kind[0].message, ::testing::StartsWith(R"(Invalid value: "my_kind": may have mixed case, but should otherwise match: a DNS-1035 label)"));
}

TEST(ValidateEmbeddedTest, TypedEmbeddedResourcesKeepTypeAndObjectMeta) {
  const std::string schema = spec_with("template", R"({"type":"object","x-kubernetes-embedded-resource":true,
      "properties":{"spec":{"type":"object","properties":{"replicas":{"type":"integer"}}}}})");
  Outcome out = apply_schema(R"({"spec":{"template":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","x":1},
                                              "spec":{"replicas":1,"extra":2},"other":1}}})",
                      schema);
  EXPECT_EQ(out.result.errors, Errors{});
  EXPECT_EQ(out.result.unknown, (Paths{"spec.template.metadata.x", "spec.template.other", "spec.template.spec.extra"}));
  expect_json(out.object, R"({"spec":{"template":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"replicas":1}}}})");
}

TEST(ValidateMetadataTest, OnlyNameRestrictionsOfTheSchemaApply) {
  const std::string schema = root_with("metadata", R"({"type":"object","properties":{"name":{"type":"string","maxLength":10},
                                                      "generateName":{"type":"string","pattern":"^m"}}})");
  EXPECT_EQ(validate(R"({"metadata":{"name":"melissa","labels":{"a":"b"}}})", schema), Errors{});
  EXPECT_EQ(validate(R"({"metadata":{"name":"a-very-long-name"}})", schema), (Errors{TooLong(".metadata.name", "Too long: may not be more than 10 bytes")}));
  EXPECT_EQ(validate(R"({"metadata":{"generateName":"george-"}})", schema),
            (Errors{Invalid(".metadata.generateName", R"(Invalid value: "george-": metadata.generateName in body should match '^m')")}));
  // Names themselves are the API server's business: a schema without metadata checks nothing.
  EXPECT_EQ(validate(R"({"metadata":{"name":"Not_A_DNS_Name"}})", kMooseSchema), Errors{});
}

TEST(ValidateCelTest, RulesAreNotEvaluated) {
  EXPECT_EQ(validate(R"({"spec":{"replicas":10}})",
                     root_with("spec", R"({"type":"object","x-kubernetes-validations":[{"rule":"self.replicas < 5"}],
                                           "properties":{"replicas":{"type":"integer"}}})")),
            Errors{});
}

TEST(ValidateTest, ErrorsOfSeveralFieldsAreAllReported) {
  const std::string schema = R"({"type":"object","properties":{"spec":{"type":"object","required":["name"],"properties":{
      "name":{"type":"string"},"replicas":{"type":"integer","minimum":0},"mode":{"type":"string","enum":["a"]}}}}})";
  EXPECT_EQ(validate(R"({"spec":{"replicas":-1,"mode":"b"}})", schema),
            (Errors{Invalid(".spec.replicas", "Invalid value: -1: spec.replicas in body should be greater than or equal to 0"),
                    NotSupported(".spec.mode", R"(Unsupported value: "b": supported values: "a")"),
                    Required(".spec.name")}));
}

// ================================================================================================
// Valid objects pass unchanged
// ================================================================================================

constexpr std::string_view kWebAppSchema = R"({
  "type": "object",
  "required": ["spec"],
  "properties": {
    "apiVersion": {"type": "string"},
    "kind": {"type": "string"},
    "metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 63}}},
    "spec": {
      "type": "object",
      "required": ["image"],
      "properties": {
        "image": {"type": "string", "minLength": 1, "pattern": "^[a-z0-9./:-]+$"},
        "replicas": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 100, "default": 1},
        "ratio": {"type": "number", "exclusiveMinimum": true, "minimum": 0, "multipleOf": 0.25},
        "mode": {"type": "string", "enum": ["fast", "safe"], "default": "safe"},
        "port": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
        "since": {"type": "string", "format": "date-time"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}, "maxProperties": 10},
        "ports": {
          "type": "array", "maxItems": 5,
          "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
          "items": {"type": "object", "required": ["name"],
                    "properties": {"name": {"type": "string"}, "port": {"type": "integer", "minimum": 1, "maximum": 65535}}}
        },
        "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
        "template": {"type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true},
        "config": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        "choice": {"type": "object", "oneOf": [{"required": ["a"]}, {"required": ["b"]}],
                   "properties": {"a": {"type": "string"}, "b": {"type": "string"}}},
        "comment": {"type": "string", "nullable": true}
      }
    },
    "status": {"type": "object", "properties": {"ready": {"type": "boolean"}, "observed": {"type": "integer"}}}
  }
})";

TEST(ValidObjectTest, SchemaIsStructural) { EXPECT_EQ(check(kWebAppSchema), Errors{}); }

TEST(ValidObjectTest, PassesUnchanged) {
  const std::string_view objects[] = {
      R"({"apiVersion":"web.io/v1","kind":"WebApp","metadata":{"name":"shop","namespace":"default","labels":{"app":"shop"}},
          "spec":{"image":"registry.io/shop:1.2","replicas":3,"ratio":0.75,"mode":"fast","port":"http","since":"2024-05-01T10:00:00Z",
                  "labels":{"team":"a"},"ports":[{"name":"http","port":80},{"name":"https","port":443}],"tags":["x","y"],
                  "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[]}},
                  "config":{"anything":{"goes":[1,2,{"deep":true}]}},"choice":{"b":"only"},"comment":null},
          "status":{"ready":true,"observed":2}})",
      R"({"apiVersion":"web.io/v1","kind":"WebApp","metadata":{"name":"tiny"},"spec":{"image":"a","replicas":0,"mode":"safe","port":8080}})",
  };
  for (std::string_view object : objects) {
    Outcome out = apply_schema(object, kWebAppSchema);
    EXPECT_EQ(out.result.errors, Errors{});
    EXPECT_EQ(out.result.unknown, Paths{});
    expect_json(out.object, object);
  }
}

TEST(ValidObjectTest, OnlyDefaultsAreAdded) {
  Outcome out = apply_schema(R"({"apiVersion":"web.io/v1","kind":"WebApp","metadata":{"name":"min"},"spec":{"image":"a"}})", kWebAppSchema);
  EXPECT_EQ(out.result.errors, Errors{});
  expect_json(out.object, R"({"apiVersion":"web.io/v1","kind":"WebApp","metadata":{"name":"min"},"spec":{"image":"a","replicas":1,"mode":"safe"}})");
}

}  // namespace
}  // namespace kube::apiserver
