// kube::json::ListSplitter: splits a Kubernetes list body ({"kind":"PodList","metadata":{...},
// "items":[{...},{...}]}) into its items while the bytes arrive, so each item can be decoded on its
// own. A LIST is then decoded with memory bounded by one item (plus the decoded objects), and
// without waiting for the whole response.
//
// The splitter tracks only JSON structure (strings, escapes, nesting); every item and the rest of
// the list (the "envelope", with "items" emptied) is still fully validated by the decoder it is
// handed to. An "items" member it cannot recognise (an escaped key) simply stays in the envelope.
//
// Example:
//   ListSplitter splitter;
//   for (chunk : body) splitter.feed(chunk, [&](std::string_view item) { decode<Pod>(item); });
//   splitter.finish();                        // throws DecodeError if the body is truncated
//   auto meta = decode<ObjectList<Pod>>(splitter.envelope()).metadata;
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "kube/core/function_ref.h"

namespace kube::json {

class ListSplitter {
 public:
  /// Consumes `chunk` and calls `on_item` with the complete JSON text of each item that ends in it.
  /// An item that starts in a previous chunk is buffered; one that lies wholly inside `chunk` is
  /// passed as a view into `chunk` (with `has_padding` the caller promises that at least
  /// kReadPadding bytes after `chunk` are readable, so views into it can go to the parser directly).
  void feed(std::string_view chunk, FunctionRef<void(std::string_view item, bool item_has_padding)> on_item,
            bool has_padding = false);
  /// Checks that the body ended where a complete JSON object ends. Throws DecodeError.
  void finish() const;

  /// The list without its items ("items":[]), or with them if they were not split out.
  const std::string& envelope() const noexcept { return envelope_; }
  std::size_t items() const noexcept { return items_; }

  /// Bytes after an item the parser may read (simdjson's padding).
  static constexpr std::size_t kReadPadding = 64;

 private:
  enum class Mode { Envelope, BetweenItems, Item };

  void scan(std::string_view chunk, FunctionRef<void(std::string_view, bool)> on_item, bool has_padding);
  /// Inside an item: skips 64-byte blocks up to the brace that closes it; returns where the
  /// byte-wise scan must continue.
  std::size_t skip_inside_item(const char* p, std::size_t i, std::size_t n);
  [[noreturn]] void fail(const char* what) const;

  Mode mode_ = Mode::Envelope;
  int depth_ = 0;
  bool in_string_ = false;
  bool escape_ = false;
  bool expect_key_ = false;  // at depth 1: the next string is a member name
  bool key_is_items_ = false;
  bool items_next_ = false;  // the last member name was "items": its value is the items array
  std::string key_;          // member name being read at depth 1 (only short names matter)
  bool started_ = false;
  bool done_ = false;
  std::string envelope_;
  std::string item_;             // an item that spans chunks
  std::size_t item_start_ = 0;   // start of the current item within the current chunk
  bool item_in_chunk_ = false;   // the current item started in the current chunk
  std::size_t items_ = 0;
};

}  // namespace kube::json
