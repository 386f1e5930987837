// The parts of kube/core/json.h that need no parser: errors, string escaping, numbers, and the
// validating compactor behind kube::json::Raw.
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

// A recursive-descent validator that copies the value without insignificant whitespace.
class Compactor {
 public:
  Compactor(std::string_view in, std::string& out) : in_(in), out_(out) {}

  void run() {
    skip_ws();
    value(0);
    skip_ws();
    if (pos_ != in_.size()) fail("trailing content after the JSON value");
  }

 private:
  static constexpr int kMaxDepth = 512;

  [[noreturn]] void fail(const std::string& what) {
    throw DecodeError("invalid JSON: " + what + " at offset " + std::to_string(pos_));
  }
  bool at_end() const { return pos_ >= in_.size(); }
  char peek() const { return at_end() ? '\0' : in_[pos_]; }
  void skip_ws() {
    while (!at_end()) {
      char c = in_[pos_];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
      ++pos_;
    }
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    out_.push_back(c);
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
    expect('{');
    skip_ws();
    if (peek() == '}') {
      expect('}');
      return;
    }
    while (true) {
      skip_ws();
      if (peek() != '"') fail("expected a member name");
      string();
      skip_ws();
      expect(':');
      skip_ws();
      value(depth + 1);
      skip_ws();
      if (peek() == ',') {
        expect(',');
        continue;
      }
      expect('}');
      return;
    }
  }

  void array(int depth) {
    expect('[');
    skip_ws();
    if (peek() == ']') {
      expect(']');
      return;
    }
    while (true) {
      skip_ws();
      value(depth + 1);
      skip_ws();
      if (peek() == ',') {
        expect(',');
        continue;
      }
      expect(']');
      return;
    }
  }

  void string() {
    std::size_t start = pos_++;
    while (true) {
      if (at_end()) fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(in_[pos_]);
      if (c == '"') break;
      if (c < 0x20) fail("control character in string");
      if (c == '\\') {
        ++pos_;
        if (at_end()) fail("unterminated string");
        char e = in_[pos_];
        if (e == 'u') {
          for (int k = 1; k <= 4; ++k) {
            if (pos_ + k >= in_.size() || !std::isxdigit(static_cast<unsigned char>(in_[pos_ + k]))) {
              fail("bad \\u escape");
            }
          }
          pos_ += 4;
        } else if (!std::strchr("\"\\/bfnrt", e) || e == '\0') {
          fail("bad escape");
        }
        ++pos_;
        continue;
      }
      if (c >= 0x80) {
        std::size_t len = detail::utf8_sequence_length(in_, pos_);
        if (len == 0) fail("invalid UTF-8");
        pos_ += len;
        continue;
      }
      ++pos_;
    }
    ++pos_;
    out_.append(in_.data() + start, pos_ - start);
  }

  void literal(std::string_view word) {
    if (in_.substr(pos_, word.size()) != word) fail("malformed literal");
    out_.append(word);
    pos_ += word.size();
  }

  void number() {
    std::size_t start = pos_;
    auto digits = [&] {
      std::size_t d = pos_;
      while (!at_end() && in_[pos_] >= '0' && in_[pos_] <= '9') ++pos_;
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
    out_.append(in_.data() + start, pos_ - start);
  }

  std::string_view in_;
  std::string& out_;
  std::size_t pos_ = 0;
};

}  // namespace

void compact(std::string_view json, std::string& out) {
  std::size_t mark = out.size();
  try {
    Compactor(json, out).run();
  } catch (...) {
    out.resize(mark);
    throw;
  }
}

Raw Raw::parse(std::string_view json) {
  Raw raw;
  compact(json, raw.text_);
  if (raw.text_ == "null") raw.text_.clear();
  return raw;
}

}  // namespace kube::json
