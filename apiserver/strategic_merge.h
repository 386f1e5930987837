// Strategic merge patch (application/strategic-merge-patch+json) for built-in kinds.
//
// The patch is merged like an RFC 7386 merge patch, except where the OpenAPI spec says otherwise:
// lists with `x-kubernetes-patch-strategy: merge` are merged element by element, matched on their
// `x-kubernetes-patch-merge-key` (lists of primitives with strategy merge are merged as sets), and
// the directives `$patch` (replace, delete, merge), `$setElementOrder/<list>`, `$retainKeys` and
// `$deleteFromPrimitiveList/<list>` are honoured. This is what `kubectl apply` (for an existing
// built-in object), `kubectl cordon` and the Python client's `patch_*` calls send.
#pragma once

#include <string_view>

#include "kube/core/dom.h"

namespace kube::apiserver {

/// Applies `patch` to `doc`, an object of the OpenAPI definition `type` (for example
/// "io.k8s.api.core.v1.Pod") described in `definitions` (the spec's "definitions" object, whose
/// `$ref`s are "#/definitions/<name>"). All or nothing: on failure `doc` is unchanged and
/// kube::PatchError is thrown with a message fit for a 422/400 Status.
void apply_strategic_merge_patch(json::Value& doc, const json::Value& patch, const json::Object& definitions,
                                 std::string_view type);

}  // namespace kube::apiserver
