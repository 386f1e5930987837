// YAML to JSON (kubeconfig files, manifests). YAML 1.2 core schema for plain scalars: null, true /
// false, integers and floats become JSON null, booleans and numbers; quoted scalars stay strings
// ("1" is the string "1"), as Kubernetes' YAML decoder does.
//
// Example:
//   for (const kube::json::Value& doc : kube::yaml::parse_all(manifest_text)) apply(doc);
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kube/core/dom.h"

namespace kube::yaml {

/// Every document of a YAML stream ("---" separated). Empty documents are skipped. Throws
/// kube::json::DecodeError ("YAML: line 3, column 5: ...") for malformed input.
std::vector<json::Value> parse_all(std::string_view text);
/// Exactly one document (an empty stream is an error).
json::Value parse(std::string_view text);
/// YAML text of a JSON value (block style, strings quoted when they would read as another type).
std::string emit(const json::Value& value);

}  // namespace kube::yaml
