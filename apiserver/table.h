// Table responses (Accept: application/json;as=Table;v=v1;g=meta.k8s.io), which `kubectl get`
// prints: the columns kubectl users expect for built-in kinds, and a CRD's
// additionalPrinterColumns evaluated with JSONPath.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "apiserver/resource_info.h"
#include "kube/core/dom.h"

namespace kube::apiserver {

struct TableOptions {
  bool include_column_definitions = true;  // false for watch events after the first
  bool include_object = true;              // rows[].object as PartialObjectMetadata (metadata only)
  std::string resource_version;            // the table's metadata.resourceVersion
  std::string continue_token;              // the table's metadata.continue
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();  // for ages
};

/// A meta.k8s.io/v1 Table of `objects` (each a full object of `resource`'s kind).
json::Value make_table(const ResourceInfo& resource, std::span<const json::Value* const> objects,
                       const TableOptions& options);

/// Kubernetes' JSONPath as used by additionalPrinterColumns: ".status.phase", ".spec.items[0].name",
/// ".status.conditions[?(@.type==\"Ready\")].status", ".metadata.labels.app\\.kubernetes\\.io/name".
/// Returns the first matching value, or nullopt when nothing matches. Throws kube::InvalidArgument
/// for a path it cannot parse.
std::optional<json::Value> evaluate_json_path(const json::Value& object, std::string_view path);

/// A duration the way kubectl prints ages: "45s", "5m", "3h12m", "4d", "2y".
std::string human_duration(std::chrono::seconds d);

}  // namespace kube::apiserver
