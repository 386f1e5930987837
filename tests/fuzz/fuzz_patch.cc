// libFuzzer target: JSON Patch and merge patch application. The input is "document\npatch".
// Failures must be PatchError/DecodeError and leave the document unchanged; diffs must apply.
#include <cstdint>
#include <string_view>

#include "kube/core/json_patch.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto nl = text.find('\n');
  if (nl == std::string_view::npos) return 0;
  kube::json::Value doc, patch;
  try {
    doc = kube::json::parse(text.substr(0, nl));
    patch = kube::json::parse(text.substr(nl + 1));
  } catch (const kube::json::DecodeError&) {
    return 0;
  }
  kube::json::Value original = doc;
  try {
    kube::apply_json_patch(doc, patch);
    // The diff between the two states turns one into the other.
    kube::json::Value replay = original;
    kube::apply_json_patch(replay, kube::diff_json_patch(original, doc));
    if (!kube::json::equal(replay, doc)) __builtin_trap();
  } catch (const kube::PatchError&) {
    if (!kube::json::equal(doc, original)) __builtin_trap();  // all or nothing
  }
  kube::json::Value merged = original;
  kube::apply_merge_patch(merged, patch);
  kube::json::Value again = merged;
  kube::apply_merge_patch(again, patch);  // merge patches are idempotent
  if (!kube::json::equal(again, merged)) __builtin_trap();
  return 0;
}
