// libFuzzer target: label and field selector parsing. Whatever parses must print to text that
// parses back to the same selector.
#include <cstdint>
#include <string_view>

#include "kube/core/error.h"
#include "kube/core/selector.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    kube::LabelSelector s = kube::LabelSelector::parse(text);
    if (!(kube::LabelSelector::parse(s.to_string()) == s)) __builtin_trap();
    (void)s.matches(kube::Labels{{"app", "web"}, {"tier", "1"}});
  } catch (const kube::InvalidArgument&) {
  }
  try {
    kube::FieldSelector f = kube::FieldSelector::parse(text);
    if (!(kube::FieldSelector::parse(f.to_string()) == f)) __builtin_trap();
  } catch (const kube::InvalidArgument&) {
  }
  return 0;
}
