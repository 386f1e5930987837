// Structural OpenAPI v3 schemas of CustomResourceDefinitions: checking that a schema is
// structural, and validating, pruning and defaulting custom objects against it.
#pragma once

#include <string>
#include <vector>

#include "kube/core/dom.h"

namespace kube::apiserver {

/// One problem with a field, in the shape of a Kubernetes StatusCause.
struct FieldError {
  std::string type;     // FieldValueInvalid, FieldValueRequired, FieldValueNotSupported,
                        // FieldValueTypeInvalid, FieldValueForbidden, FieldValueTooLong, ...
  std::string field;    // ".spec.replicas", ".spec.ports[0].name" (leading dot, as the API server prints)
  std::string message;  // e.g. `Invalid value: "x": spec.replicas in body must be of type integer: "string"`
  bool operator==(const FieldError&) const = default;
};

/// Problems that make `schema` (a JSONSchemaProps as JSON) non-structural or invalid for a CRD
/// version: every field needs a type (unless x-kubernetes-int-or-string or
/// x-kubernetes-preserve-unknown-fields), no `$ref`, `additionalProperties` and `properties` are
/// exclusive, `metadata` may only restrict name/generateName, defaults must validate, and so on.
/// Empty when the schema is acceptable.
std::vector<FieldError> check_structural_schema(const json::Value& schema);

struct SchemaOptions {
  bool prune = true;     // drop fields the schema does not know (unless preserve-unknown-fields)
  bool defaults = true;  // apply `default` values
};

struct SchemaResult {
  std::vector<FieldError> errors;     // validation failures (the request gets 422 Invalid)
  std::vector<std::string> unknown;   // paths of unknown fields (pruned if options.prune)
};

/// Validates a custom object against its version's schema, applying defaults and pruning unknown
/// fields in place (metadata, apiVersion and kind are handled as the API server does: only
/// metadata.name/generateName restrictions of the schema apply, apiVersion/kind are kept).
SchemaResult apply_structural_schema(json::Value& object, const json::Value& schema,
                                     const SchemaOptions& options = {});

}  // namespace kube::apiserver
