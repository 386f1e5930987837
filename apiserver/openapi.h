// /openapi/v3: the index and one OpenAPI v3 document per group-version, built from the bundled
// Kubernetes spec (Swagger 2.0) and the schemas of CRDs. kubectl fetches these to validate
// `create`/`apply` and for `kubectl explain`.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "apiserver/resource_info.h"
#include "kube/core/dom.h"

namespace kube::apiserver {

/// The index: {"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=<hash>"},
/// "apis/apps/v1":{...}, ...}} for the given group-versions ("v1", "apps/v1", ...), where each hash
/// identifies that document's current content.
json::Value openapi_v3_index(std::span<const std::pair<std::string, std::string>> group_version_hashes);

/// The document for one group-version: `paths` for every resource of it (with operations that
/// carry x-kubernetes-group-version-kind and x-kubernetes-action; PATCH operations list the
/// `fieldValidation` query parameter so kubectl validates on the server) and `components.schemas`
/// with every schema those reference (built-ins from `definitions`, `$ref`s rewritten to
/// "#/components/schemas/..."; custom resources from their CRD schema plus ObjectMeta and friends),
/// each top-level kind tagged with x-kubernetes-group-version-kind.
json::Value openapi_v3_document(std::string_view group_version, std::span<const ResourceInfo> resources,
                                const json::Object& definitions);

}  // namespace kube::apiserver
