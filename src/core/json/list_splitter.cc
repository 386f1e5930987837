#include "kube/core/list_splitter.h"

#include <cstring>

#include "kube/core/json.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace kube::json {

namespace {

// Index of the first '"' or '\\' in p[i, n), or n. Kubernetes strings are mostly short, so a
// 16-byte SSE2 step with a scalar tail beats calling memchr twice per string.
std::size_t find_quote_or_backslash(const char* p, std::size_t i, std::size_t n) {
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i slash = _mm_set1_epi8('\\');
  while (i + 16 <= n) {
    __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    int mask = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, slash)));
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    i += 16;
  }
#endif
  while (i < n && p[i] != '"' && p[i] != '\\') ++i;
  return i;
}

}  // namespace

void ListSplitter::fail(const char* what) const { throw DecodeError(std::string("invalid list: ") + what); }

void ListSplitter::feed(std::string_view chunk, FunctionRef<void(std::string_view, bool)> on_item, bool has_padding) {
  scan(chunk, on_item, has_padding);
}

void ListSplitter::finish() const {
  if (!started_) fail("empty body");
  if (!done_) fail("truncated body");
}

void ListSplitter::scan(std::string_view chunk, FunctionRef<void(std::string_view, bool)> on_item, bool has_padding) {
  const char* p = chunk.data();
  const std::size_t n = chunk.size();
  std::size_t envelope_from = mode_ == Mode::Envelope ? 0 : std::string_view::npos;
  std::size_t i = 0;
  auto capturing_key = [this] { return depth_ == 1 && mode_ == Mode::Envelope && expect_key_; };
  auto append_key = [this](const char* from, std::size_t len) {
    if (key_.size() < 16) key_.append(from, std::min<std::size_t>(len, 16 - key_.size()));
  };

  if (in_string_ && escape_ && n > 0) {  // an escape split across chunks
    if (capturing_key()) append_key(p, 1);
    escape_ = false;
    i = 1;
  }
  while (i < n) {
    if (in_string_) {
      std::size_t stop = find_quote_or_backslash(p, i, n);
      if (stop == n) {
        if (capturing_key()) append_key(p + i, n - i);
        i = n;
        continue;
      }
      if (p[stop] == '\\') {
        bool escaped_in_chunk = stop + 1 < n;
        if (capturing_key()) append_key(p + i, stop - i + (escaped_in_chunk ? 2 : 1));
        if (escaped_in_chunk) {
          i = stop + 2;  // skip the escaped character
        } else {
          escape_ = true;
          i = n;
        }
        continue;
      }
      if (capturing_key()) {
        append_key(p + i, stop - i);
        key_is_items_ = key_ == "items";
      }
      in_string_ = false;
      i = stop + 1;
      continue;
    }
    char c = p[i];
    if (done_) {
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') fail("trailing content after the list");
      ++i;
      continue;
    }
    switch (c) {
      case '"':
        if (mode_ == Mode::BetweenItems) fail("list items must be objects");
        if (depth_ == 1 && mode_ == Mode::Envelope) {
          if (expect_key_) key_.clear();
          items_next_ = false;
        }
        in_string_ = true;
        break;
      case '{':
      case '[':
        if (depth_ == 0) {
          if (c != '{') fail("expected a JSON object");
          started_ = true;
        }
        if (mode_ == Mode::BetweenItems) {
          if (c != '{') fail("list items must be objects");
          mode_ = Mode::Item;
          item_start_ = i;
          item_in_chunk_ = true;
        } else if (depth_ == 1 && mode_ == Mode::Envelope && items_next_ && c == '[') {
          // Items leave the envelope, which keeps "items":[].
          envelope_.append(p + envelope_from, i + 1 - envelope_from);
          envelope_from = std::string_view::npos;
          mode_ = Mode::BetweenItems;
        }
        if (depth_ == 1) items_next_ = false;
        ++depth_;
        if (depth_ == 1) expect_key_ = true;
        break;
      case '}':
      case ']':
        if (depth_ == 0) fail("unbalanced brackets");
        --depth_;
        if (mode_ == Mode::Item && depth_ == 2) {
          if (item_in_chunk_) {
            std::size_t len = i + 1 - item_start_;
            on_item(std::string_view(p + item_start_, len), has_padding || n - (i + 1) >= kReadPadding);
          } else {
            item_.append(p, i + 1);
            item_.reserve(item_.size() + kReadPadding);
            on_item(item_, true);
            item_.clear();
          }
          item_in_chunk_ = false;
          ++items_;
          mode_ = Mode::BetweenItems;
        } else if (mode_ == Mode::BetweenItems && depth_ == 1) {
          if (c != ']') fail("unbalanced brackets");
          mode_ = Mode::Envelope;
          envelope_from = i;
        }
        if (depth_ == 0) done_ = true;
        break;
      case ':':
        if (depth_ == 1 && mode_ == Mode::Envelope) {
          expect_key_ = false;
          items_next_ = key_is_items_;
          key_is_items_ = false;
        }
        break;
      case ',':
        if (depth_ == 1 && mode_ == Mode::Envelope) expect_key_ = true;
        break;
      case ' ':
      case '\n':
      case '\r':
      case '\t':
        break;
      default:
        if (mode_ == Mode::BetweenItems) fail("list items must be objects");
        if (depth_ == 0) fail("expected a JSON object");
        if (depth_ == 1) items_next_ = false;
        break;
    }
    ++i;
  }
  if (mode_ == Mode::Envelope && envelope_from != std::string_view::npos) {
    envelope_.append(p + envelope_from, n - envelope_from);
  } else if (mode_ == Mode::Item) {
    std::size_t from = item_in_chunk_ ? item_start_ : 0;
    item_.append(p + from, n - from);
    item_in_chunk_ = false;
  }
}

}  // namespace kube::json
