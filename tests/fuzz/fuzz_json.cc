// libFuzzer target: typed JSON decoding (every shape of input must decode or throw DecodeError),
// and decode -> encode -> decode must be stable for whatever decodes.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kube/api/core/v1.h"
#include "kube/core/dom.h"
#include "kube/core/dynamic_object.h"
#include "kube/core/object.h"

namespace {

template <class T>
void roundtrip(std::string_view text) {
  T first;
  try {
    first = kube::json::decode<T>(text);
  } catch (const kube::json::DecodeError&) {
    return;
  }
  std::string encoded = kube::json::encode(first);
  T second = kube::json::decode<T>(encoded);  // must not throw: we wrote it
  if (!(first == second)) __builtin_trap();
  if (kube::json::encode(second) != encoded) __builtin_trap();
}

// The list splitter gives the same items and envelope whatever the chunking.
void check_split(std::string_view text, std::size_t cut) {
  if (text.size() < 2) return;
  cut %= text.size();
  std::vector<std::string> whole, chunked;
  std::string whole_envelope;
  try {
    kube::json::ListSplitter a;
    a.feed(text, [&](std::string_view item, bool) { whole.emplace_back(item); });
    a.finish();
    whole_envelope = a.envelope();
  } catch (const kube::json::DecodeError&) {
    return;
  }
  kube::json::ListSplitter b;
  std::string first(text.substr(0, cut)), second(text.substr(cut));
  b.feed(first, [&](std::string_view item, bool) { chunked.emplace_back(item); });
  b.feed(second, [&](std::string_view item, bool) { chunked.emplace_back(item); });
  b.finish();  // must not throw: the whole body split fine
  if (chunked != whole || b.envelope() != whole_envelope) __builtin_trap();
  // When a full parser accepts the body, the split items are exactly its items.
  kube::json::Value doc;
  try {
    doc = kube::json::parse(text);
  } catch (const kube::json::DecodeError&) {
    return;
  }
  const kube::json::Value* items = doc.is_object() ? doc.as_object().if_contains("items") : nullptr;
  if (!items || !items->is_array() || items->as_array().size() != whole.size()) return;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (!kube::json::equal(kube::json::parse(whole[i]), items->as_array()[i])) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  roundtrip<kube::api::core::v1::Pod>(text);
  roundtrip<kube::DynamicObject>(text);
  roundtrip<kube::ObjectList<kube::api::core::v1::Pod>>(text);
  check_split(text, size > 1 ? data[0] : 0);
  try {
    auto event = kube::json::decode<kube::WatchEvent<kube::api::core::v1::Pod>>(text);
    (void)kube::json::encode(event);
  } catch (const kube::json::DecodeError&) {
  }
  try {
    kube::json::Raw raw = kube::json::Raw::parse(text);
    // Compact text is a fixed point and parses with the DOM parser too.
    if (kube::json::Raw::parse(raw.text()).text() != raw.text()) __builtin_trap();
    if (!raw.is_null()) (void)kube::json::parse(raw.text());
  } catch (const kube::json::DecodeError&) {
  }
  return 0;
}
