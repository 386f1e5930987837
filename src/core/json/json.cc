// The parts of kube/core/json.h that need no parser: errors, string escaping, numbers, and the
// validating compactor behind kube::json::Raw.
#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <string>

#include "kube/core/json.h"

namespace kube::json {

DecodeError::DecodeError(std::string reason, std::string path)
    : kube::Error(reason), reason_(std::move(reason)), path_(std::move(path)) {
  update_message();
}

void DecodeError::prepend_member(std::string_view key) {
  std::string prefix;
  prefix.reserve(key.size() + 1 + path_.size());
  prefix.push_back('.');
  prefix.append(key);
  path_.insert(0, prefix);
  update_message();
}

void DecodeError::prepend_index(std::size_t index) {
  path_.insert(0, "[" + std::to_string(index) + "]");
  update_message();
}

void DecodeError::update_message() {
  message_ = path_.empty() ? "cannot decode JSON: " + reason_ : "cannot decode JSON at " + path_ + ": " + reason_;
}

namespace detail {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence at s[i], or 0 if it is invalid (overlong, surrogate, > U+10FFFF).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  std::size_t n = s.size() - i;
  auto cont = [&](std::size_t k) { return (byte(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return (n >= 2 && cont(i + 1)) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (n < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    unsigned char c1 = byte(i + 1);
    if (c == 0xE0 && c1 < 0xA0) return 0;  // overlong
    if (c == 0xED && c1 >= 0xA0) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (n < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    unsigned char c1 = byte(i + 1);
    if (c == 0xF0 && c1 < 0x90) return 0;
    if (c == 0xF4 && c1 >= 0x90) return 0;
    return 4;
  }
  return 0;
}

bool is_plain(unsigned char c) { return c >= 0x20 && c != '"' && c != '\\' && c < 0x80; }

}  // namespace

void append_escaped(std::string& out, std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    std::size_t start = i;
    while (i < n && is_plain(static_cast<unsigned char>(text[i]))) ++i;
    out.append(text.data() + start, i - start);
    if (i == n) break;
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      std::size_t len = utf8_sequence_length(text, i);
      if (len == 0) {
        out.append("\\ufffd");  // invalid UTF-8 becomes U+FFFD, as Go's encoder does
        ++i;
      } else {
        out.append(text.data() + i, len);
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(esc, 6);
      }
    }
    ++i;
  }
}

}  // namespace detail

void Writer::write(double value) {
  if (!std::isfinite(value)) throw kube::Error("cannot encode a non-finite number as JSON");
  separate();
  char buf[32];
  auto result = std::to_chars(buf, buf + sizeof buf, value);
  out_->append(buf, result.ptr);
}

namespace {

// Bytes that can appear in a JSON string without an escape and are plain ASCII.
constexpr auto kPlainStringByte = [] {
  std::array<bool, 256> table{};
  for (int c = 0x20; c < 0x80; ++c) table[c] = c != '"' && c != '\\';
  return table;
}();

bool is_simple_escape(char e) {
  switch (e) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
      return true;
    default:
      return false;
  }
}

// Recursive-descent JSON validation. Compaction is a second, trivial pass that only runs when the
// input had insignificant whitespace (values from the API server are already compact).
class Validator {
 public:
  explicit Validator(std::string_view in) : data_(in.data()), size_(in.size()) {}

  // Validates the whole input; returns the number of insignificant whitespace bytes it holds.
  std::size_t run() {
    skip_ws();
    value(0);
    skip_ws();
    if (pos_ != size_) fail("trailing content after the JSON value");
    return whitespace_;
  }

 private:
  static constexpr int kMaxDepth = 512;

  [[noreturn]] __attribute__((noinline, cold)) void fail(const char* what) {
    throw DecodeError(std::string("invalid JSON: ") + what + " at offset " + std::to_string(pos_));
  }
  char peek() const { return pos_ < size_ ? data_[pos_] : '\0'; }
  void skip_ws() {
    while (pos_ < size_) {
      char c = data_[pos_];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
      ++pos_;
      ++whitespace_;
    }
  }
  void expect(char c, const char* what) {
    if (peek() != c) fail(what);
    ++pos_;
  }

  void value(int depth) {
    if (depth > kMaxDepth) fail("nesting too deep");
    switch (peek()) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return number();
    }
  }

  void object(int depth) {
    ++pos_;  // '{'
    skip_ws();
    if (peek() == '}') {
      ++pos_;
      return;
    }
    while (true) {
      skip_ws();
      if (peek() != '"') fail("expected a member name");
      string();
      skip_ws();
      expect(':', "expected ':'");
      skip_ws();
      value(depth + 1);
      skip_ws();
      char c = peek();
      ++pos_;
      if (c == ',') continue;
      if (c != '}') {
        --pos_;
        fail("expected ',' or '}'");
      }
      return;
    }
  }

  void array(int depth) {
    ++pos_;  // '['
    skip_ws();
    if (peek() == ']') {
      ++pos_;
      return;
    }
    while (true) {
      skip_ws();
      value(depth + 1);
      skip_ws();
      char c = peek();
      ++pos_;
      if (c == ',') continue;
      if (c != ']') {
        --pos_;
        fail("expected ',' or ']'");
      }
      return;
    }
  }

  void string() {
    ++pos_;  // opening quote
    while (true) {
      // Fast path: plain ASCII runs (the member names of managedFields are all like this).
      while (pos_ < size_ && kPlainStringByte[static_cast<unsigned char>(data_[pos_])]) ++pos_;
      if (pos_ >= size_) fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(data_[pos_]);
      if (c == '"') break;
      if (c < 0x20) fail("control character in string");
      if (c == '\\') {
        ++pos_;
        char e = peek();
        if (e == 'u') {
          for (int k = 1; k <= 4; ++k) {
            if (pos_ + k >= size_ || !std::isxdigit(static_cast<unsigned char>(data_[pos_ + k]))) {
              fail("bad \\u escape");
            }
          }
          pos_ += 4;
        } else if (!is_simple_escape(e)) {
          fail("bad escape");
        }
        ++pos_;
        continue;
      }
      std::size_t len = detail::utf8_sequence_length(std::string_view(data_, size_), pos_);
      if (len == 0) fail("invalid UTF-8");
      pos_ += len;
    }
    ++pos_;  // closing quote
  }

  void literal(std::string_view word) {
    if (std::string_view(data_ + pos_, std::min(word.size(), size_ - pos_)) != word) fail("malformed literal");
    pos_ += word.size();
  }

  void number() {
    auto digits = [&] {
      std::size_t d = pos_;
      while (pos_ < size_ && data_[pos_] >= '0' && data_[pos_] <= '9') ++pos_;
      return pos_ - d;
    };
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
    } else if (digits() == 0) {
      fail("unexpected character");
    }
    if (peek() == '.') {
      ++pos_;
      if (digits() == 0) fail("malformed number");
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (digits() == 0) fail("malformed number");
    }
  }

  const char* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  std::size_t whitespace_ = 0;
};

// Copies validated JSON without the whitespace outside strings.
void strip_whitespace(std::string_view in, std::string& out) {
  bool in_string = false;
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\') {
        out.push_back(in[++i]);
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      out.push_back(c);
      in_string = c == '"';
    }
  }
}

}  // namespace

void compact(std::string_view json, std::string& out) {
  if (Validator(json).run() == 0) {
    out.append(json);
  } else {
    strip_whitespace(json, out);
  }
}

Raw Raw::parse(std::string_view json) {
  Raw raw;
  compact(json, raw.text_);
  if (raw.text_ == "null") raw.text_.clear();
  return raw;
}

}  // namespace kube::json
