#include "kube/core/list_splitter.h"

#include <cstdint>
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

// Bitmask of the positions in p[0, 64) holding `c`.
std::uint64_t mask64(const char* p, char c) {
#ifdef __SSE2__
  const __m128i needle = _mm_set1_epi8(c);
  std::uint64_t m = 0;
  for (int k = 0; k < 4; ++k) {
    __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    m |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, needle)))) << (16 * k);
  }
  return m;
#else
  std::uint64_t m = 0;
  for (int k = 0; k < 64; ++k) m |= static_cast<std::uint64_t>(p[k] == c) << k;
  return m;
#endif
}

// Each bit becomes the XOR of itself and every lower bit: turns quote positions into "inside a
// string" ranges.
std::uint64_t prefix_xor(std::uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

// Characters escaped by a backslash (the one after an odd-length run of backslashes), for a block
// whose backslashes are `bs`; `carry` (0 or 1) says the previous block ended inside an odd-length
// run, and is updated for the next block. Runs are measured with carries: adding a run's first bit
// to the run carries out just past its end, and the parities of start and end give the length's.
std::uint64_t escaped_chars(std::uint64_t bs, std::uint64_t& carry) {
  constexpr std::uint64_t kEven = 0x5555555555555555ULL;
  constexpr std::uint64_t kOdd = ~kEven;
  std::uint64_t starts = bs & ~(bs << 1);
  std::uint64_t even_start_mask = kEven ^ carry;  // an odd run carried in shifts the parity
  std::uint64_t even_starts = starts & even_start_mask;
  std::uint64_t odd_starts = starts & ~even_start_mask;
  std::uint64_t even_carries = bs + even_starts;
  std::uint64_t odd_carries;
  // Only a run with an odd start can reach bit 63 with an odd length.
  bool ends_odd = __builtin_add_overflow(bs, odd_starts, &odd_carries);
  odd_carries |= carry;  // bit 0 follows the odd run of the previous block
  carry = ends_odd ? 1 : 0;
  std::uint64_t even_start_odd_end = (even_carries & ~bs) & kOdd;
  std::uint64_t odd_start_even_end = (odd_carries & ~bs) & kEven;
  return even_start_odd_end | odd_start_even_end;
}

}  // namespace

std::size_t ListSplitter::skip_inside_item(const char* p, std::size_t i, std::size_t n) {
  // 64 bytes at a time: find the braces outside strings and count depth, stopping at the brace
  // that closes the item (depth back to 2), which the byte-wise loop then handles.
  std::uint64_t in_string = in_string_ ? ~std::uint64_t{0} : 0;
  std::uint64_t escape_carry = escape_ ? 1 : 0;
  while (i + 64 <= n) {
    const char* block = p + i;
    std::uint64_t escaped = escaped_chars(mask64(block, '\\'), escape_carry);
    std::uint64_t quotes = mask64(block, '"') & ~escaped;
    std::uint64_t strings = prefix_xor(quotes) ^ in_string;
    std::uint64_t opens = (mask64(block, '{') | mask64(block, '[')) & ~strings & ~escaped;
    std::uint64_t closes = (mask64(block, '}') | mask64(block, ']')) & ~strings & ~escaped;
    for (std::uint64_t braces = opens | closes; braces; braces &= braces - 1) {
      std::uint64_t bit = braces & -braces;
      if (opens & bit) {
        ++depth_;
      } else if (depth_ == 3) {
        in_string_ = false;
        escape_ = false;
        return i + static_cast<std::size_t>(__builtin_ctzll(bit));
      } else {
        --depth_;
      }
    }
    in_string = (strings >> 63) ? ~std::uint64_t{0} : 0;
    i += 64;
  }
  in_string_ = in_string != 0;
  escape_ = escape_carry != 0;
  return i;
}

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

  if (escape_ && n > 0) {  // an escape split across chunks
    if (in_string_ && capturing_key()) append_key(p, 1);
    escape_ = false;
    i = 1;
  }
  while (i < n) {
    if (mode_ == Mode::Item && i + 64 <= n) {
      i = skip_inside_item(p, i, n);
      if (i >= n) break;
      if (escape_) {  // the block ended on a backslash: the next character is escaped
        escape_ = false;
        ++i;
        continue;
      }
    }
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
      case '\\':
        // Invalid outside strings, but treated as everywhere else (it escapes the next
        // character) so that every chunking and the 64-byte fast path agree.
        if (mode_ == Mode::BetweenItems) fail("list items must be objects");
        if (i + 1 < n) {
          ++i;
        } else {
          escape_ = true;
        }
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
