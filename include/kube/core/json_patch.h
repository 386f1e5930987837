// JSON Patch (RFC 6902), JSON merge patch (RFC 7386) and JSON Pointer (RFC 6901) on the DOM.
//
// These apply patches locally (tests, admission webhooks computing their mutations, the local API
// server); kube::Patch in kube/core/params.h is what a client sends.
//
// Example:
//   kube::json::Value doc = kube::json::parse(R"({"spec":{"replicas":1}})");
//   kube::apply_json_patch(doc, kube::json::parse(
//       R"([{"op":"test","path":"/spec/replicas","value":1},
//           {"op":"replace","path":"/spec/replicas","value":3}])"));
//   kube::json::Value ops = kube::diff_json_patch(before, after);   // the patch from before to after
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kube/core/dom.h"
#include "kube/core/error.h"

namespace kube {

/// A patch that cannot be applied: malformed, a path that does not exist, or a failed "test".
class PatchError : public Error {
 public:
  using Error::Error;
};

/// Splits an RFC 6901 pointer ("/a/b~1c" -> {"a", "b/c"}). Throws PatchError if malformed.
std::vector<std::string> parse_json_pointer(std::string_view pointer);
/// Escapes one reference token ("b/c" -> "b~1c").
std::string escape_json_pointer_token(std::string_view token);
/// The value at `pointer`, or nullptr.
const json::Value* find_json_pointer(const json::Value& doc, std::string_view pointer);

/// Applies an RFC 6902 patch (an array of operations) to `doc`. All or nothing: if any operation
/// fails, `doc` is left unchanged and PatchError is thrown.
void apply_json_patch(json::Value& doc, const json::Value& patch);

/// Applies an RFC 7386 merge patch: objects merge recursively, null removes, anything else replaces.
void apply_merge_patch(json::Value& doc, const json::Value& patch);

/// An RFC 6902 patch that turns `from` into `to` (objects diffed by member, arrays by index).
json::Value diff_json_patch(const json::Value& from, const json::Value& to);
/// An RFC 7386 merge patch that turns `from` into `to` (arrays are replaced whole).
json::Value diff_merge_patch(const json::Value& from, const json::Value& to);

}  // namespace kube
