// What the API server knows about each resource it serves (built-in kinds from the bundled spec,
// custom resources from CRDs): identity, scope, verbs, subresources, schema and printing.
#pragma once

#include <string>
#include <vector>

#include "kube/core/dom.h"

namespace kube::apiserver {

/// A column of `kubectl get` output (CRD additionalPrinterColumns, or built-in columns).
struct PrinterColumn {
  std::string name;         // "Phase"
  std::string type;         // integer, number, string, boolean, date
  std::string format;       // e.g. "name" for the first column
  std::string description;
  std::string json_path;    // ".status.phase" (CRDs; empty for built-in computed columns)
  int priority = 0;         // > 0: only with -o wide
};

struct ResourceInfo {
  std::string group;        // "" for the core group
  std::string version;      // "v1"
  std::string kind;         // "Pod"
  std::string plural;       // "pods"
  std::string singular;     // "pod"
  std::string list_kind;    // "PodList"
  bool namespaced = true;
  std::vector<std::string> verbs;        // create delete deletecollection get list patch update watch
  std::vector<std::string> short_names;  // "po"
  std::vector<std::string> categories;   // "all"
  bool has_status = false;  // the status subresource
  bool has_scale = false;   // the scale subresource
  std::string spec_replicas_path;    // scale of custom resources: ".spec.replicas"
  std::string status_replicas_path;  // ".status.replicas"
  std::string label_selector_path;   // ".status.selector" (optional)

  /// Built-in kinds: the OpenAPI definition name in the bundled spec ("io.k8s.api.core.v1.Pod").
  std::string definition;
  /// Custom resources: this version's openAPIV3Schema (a JSONSchemaProps as JSON); null otherwise.
  json::Value schema;
  /// Custom resources: additionalPrinterColumns of this version (empty: Name and Age only).
  std::vector<PrinterColumn> printer_columns;

  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  bool is_custom() const { return definition.empty(); }
};

}  // namespace kube::apiserver
