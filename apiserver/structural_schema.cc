// Structural schemas of CustomResourceDefinitions (see structural_schema.h).
//
// The semantics follow the Kubernetes API server (k8s.io/apiextensions-apiserver: structural
// invariants, pruning, defaulting, list types, embedded resources; kube-openapi: the OpenAPI value
// validation) and its error shapes (k8s.io/apimachinery field.Error rendered as a StatusCause).
//
// Deliberate differences from the API server:
//  - x-kubernetes-validations (CEL rules) are accepted where the API server accepts them but never
//    evaluated: there is no CEL interpreter here.
//  - `pattern` uses std::regex (ECMAScript) on UTF-32 text instead of Go's RE2. Both agree on the
//    common subset (classes, anchors, repetition, groups); RE2-only syntax such as `(?i)` is
//    rejected as an invalid pattern.
//  - A value of the wrong type gets only its type error (kube-openapi also runs the remaining
//    keywords on it, which only repeats the problem).
//  - allOf/anyOf/oneOf/not failures are reported at the value's field (the API server reports
//    them without a field).
//  - Formats: date-time, date, byte, uuid/uuid3/uuid4/uuid5, ipv4, ipv6, cidr, mac, hostname,
//    email, uri, duration, hexcolor, rgbcolor, password, bsonobjectid, ssn, k8s-short-name,
//    k8s-long-name, int32, int64, float, double are checked (email and uri approximately); other
//    formats are ignored, as the API server ignores formats it does not know.
//  - Only ObjectMeta's field names are checked inside metadata (unknown ones are pruned); the
//    values of metadata fields are the API server's job, except for the schema's restrictions on
//    metadata.name/generateName.
#include "apiserver/structural_schema.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace kube::apiserver {
namespace {

using json::Array;
using json::Object;
using json::Value;

// ================================================================================================
// Rendering values the way the Go API server does (fmt %v / %q, encoding/json).
// ================================================================================================

/// Decodes one UTF-8 sequence at `i`; returns its length, or 0 if the bytes are not valid UTF-8.
std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& rune) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  std::size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  rune = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    rune = (rune << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr char32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (rune < kMinimum[len] || rune > 0x10FFFF || (rune >= 0xD800 && rune <= 0xDFFF)) return 0;
  return len;
}

/// Number of characters (runes) of a UTF-8 string, as Go's utf8.RuneCountInString.
std::int64_t rune_count(std::string_view s) {
  std::int64_t count = 0;
  for (std::size_t i = 0; i < s.size(); ++count) {
    char32_t rune = 0;
    const std::size_t len = utf8_sequence(s, i, rune);
    i += len == 0 ? 1 : len;
  }
  return count;
}

std::u32string to_utf32(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    char32_t rune = 0;
    const std::size_t len = utf8_sequence(s, i, rune);
    out.push_back(len == 0 ? U'\uFFFD' : rune);
    i += len == 0 ? 1 : len;
  }
  return out;
}

std::string hex_escape(const char* prefix, unsigned value, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = prefix;
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHex[(value >> shift) & 0xF];
  return out;
}

/// Go's strconv.Quote (what %q prints): printable UTF-8 is kept, the rest escaped.
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    char32_t rune = 0;
    const std::size_t len = utf8_sequence(s, i, rune);
    if (len == 0) {
      out += hex_escape("\\x", static_cast<unsigned char>(s[i]), 2);
      ++i;
      continue;
    }
    switch (rune) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (rune < 0x20 || rune == 0x7F) {
          out += hex_escape("\\x", static_cast<unsigned>(rune), 2);
        } else {
          out.append(s.substr(i, len));
        }
    }
    i += len;
  }
  return out + "\"";
}

/// Go's fmt %v of a float64: shortest representation, exponent form below 1e-4 and from 1e6 up.
std::string go_float(double value) {
  char sci[64];
  const auto end = std::to_chars(sci, sci + sizeof sci, value, std::chars_format::scientific).ptr;
  const std::string_view text(sci, static_cast<std::size_t>(end - sci));
  const std::size_t e = text.find('e');
  int exponent = 0;
  std::from_chars(text.data() + e + (text[e + 1] == '+' ? 2 : 1), text.data() + text.size(), exponent);
  if (exponent < -4 || exponent >= 6) return std::string(text);
  char fixed[64];
  const auto fixed_end = std::to_chars(fixed, fixed + sizeof fixed, value, std::chars_format::fixed).ptr;
  return std::string(fixed, fixed_end);
}

/// A float64 as Go's encoding/json writes it: plain decimal unless very small or large.
std::string go_json_float(double value) {
  const double magnitude = std::fabs(value);
  const bool exponent_form = magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21);
  char buffer[64];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value,
                                 exponent_form ? std::chars_format::scientific : std::chars_format::fixed)
                       .ptr;
  std::string text(buffer, end);
  // Go shortens a negative two-digit exponent: 1e-07 -> 1e-7.
  const std::size_t n = text.size();
  if (exponent_form && n >= 4 && text[n - 4] == 'e' && text[n - 3] == '-' && text[n - 2] == '0') {
    text.erase(n - 2, 1);
  }
  return text;
}

/// A JSON string as Go's encoding/json writes it (HTML-safe escaping).
std::string go_json_string(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    char32_t rune = 0;
    std::size_t len = utf8_sequence(s, i, rune);
    if (len == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (rune == '"' || rune == '\\') {
      out += '\\';
      out += static_cast<char>(rune);
    } else if (rune == '\n') {
      out += "\\n";
    } else if (rune == '\r') {
      out += "\\r";
    } else if (rune == '\t') {
      out += "\\t";
    } else if (rune < 0x20 || rune == '<' || rune == '>' || rune == '&' || rune == 0x2028 || rune == 0x2029) {
      out += hex_escape("\\u", static_cast<unsigned>(rune), 4);
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out + "\"";
}

/// Go's json.Marshal of a decoded JSON value: compact, object keys sorted.
std::string go_json(const Value& value) {
  switch (value.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return value.get_bool() ? "true" : "false";
    case boost::json::kind::int64: return std::to_string(value.get_int64());
    case boost::json::kind::uint64: return std::to_string(value.get_uint64());
    case boost::json::kind::double_: return go_json_float(value.get_double());
    case boost::json::kind::string: return go_json_string(value.get_string());
    case boost::json::kind::array: {
      std::string out = "[";
      for (const Value& item : value.get_array()) out += (out.size() > 1 ? "," : "") + go_json(item);
      return out + "]";
    }
    case boost::json::kind::object: {
      std::map<std::string_view, const Value*> sorted;
      for (const auto& member : value.get_object()) sorted.emplace(member.key(), &member.value());
      std::string out = "{";
      for (const auto& [key, member] : sorted) {
        out += (out.size() > 1 ? "," : "") + go_json_string(key) + ":" + go_json(*member);
      }
      return out + "}";
    }
  }
  return "null";
}

/// How field.Error prints a bad value: scalars with %v, strings with %q, the rest as JSON.
std::string bad_value(const Value& value) {
  switch (value.kind()) {
    case boost::json::kind::string: return quoted(value.get_string());
    case boost::json::kind::double_: return go_float(value.get_double());
    default: return go_json(value);
  }
}

// ================================================================================================
// Field errors (the ErrorBody shapes of k8s.io/apimachinery/pkg/util/validation/field).
// ================================================================================================

std::string with_detail(std::string body, std::string_view detail) {
  if (!detail.empty()) body.append(": ").append(detail);
  return body;
}

FieldError required(std::string field, std::string_view detail = {}) {
  return {"FieldValueRequired", std::move(field), with_detail("Required value", detail)};
}

FieldError forbidden(std::string field, std::string_view detail) {
  return {"FieldValueForbidden", std::move(field), with_detail("Forbidden", detail)};
}

/// `value` is already rendered (see bad_value / quoted).
FieldError invalid(std::string field, std::string_view value, std::string_view detail) {
  return {"FieldValueInvalid", std::move(field), with_detail("Invalid value: " + std::string(value), detail)};
}

FieldError type_invalid(std::string field, std::string_view value, std::string_view detail) {
  return {"FieldValueTypeInvalid", std::move(field), with_detail("Invalid value: " + std::string(value), detail)};
}

FieldError not_supported(std::string field, std::string_view value, const std::vector<std::string>& supported) {
  std::string detail;
  for (const std::string& s : supported) detail += (detail.empty() ? "supported values: " : ", ") + quoted(s);
  return {"FieldValueNotSupported", std::move(field), with_detail("Unsupported value: " + std::string(value), detail)};
}

FieldError too_long(std::string field, std::int64_t max) {
  return {"FieldValueTooLong", std::move(field),
          "Too long: may not be more than " + std::to_string(max) + (max == 1 ? " byte" : " bytes")};
}

FieldError too_many(std::string field, std::int64_t actual, std::int64_t max) {
  return {"FieldValueTooMany", std::move(field),
          "Too many: " + std::to_string(actual) + ": must have at most " + std::to_string(max) +
              (max == 1 ? " item" : " items")};
}

FieldError duplicate(std::string field, const Value& value) {
  return {"FieldValueDuplicate", std::move(field), "Duplicate value: " + bad_value(value)};
}

// ================================================================================================
// Reading JSON values.
// ================================================================================================

const Value* member(const Object& object, std::string_view key) {
  return object.if_contains(boost::json::string_view(key.data(), key.size()));
}

bool is_number(const Value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }
bool is_integer(const Value& v) { return v.is_int64() || v.is_uint64(); }

double as_double(const Value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.is_double() ? v.get_double() : 0;
}

/// Go's swag.IsFloat64AJSONInteger: integral (within a relative 1e-9) and within +-2^53.
bool is_json_integer(double f) {
  constexpr double kLimit = 9007199254740992.0;  // 2^53
  if (!std::isfinite(f) || f < -kLimit || f > kLimit) return false;
  const double nearest = std::round(f);
  const double diff = std::fabs(f - nearest);
  if (diff == 0) return true;
  if (f == 0 || nearest == 0) return false;
  return diff / (std::fabs(f) + std::fabs(nearest)) < 1e-9;
}

/// The OpenAPI type name of a JSON value, as kube-openapi reports it.
std::string_view type_of(const Value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64: return "integer";
    case boost::json::kind::double_: return "number";
    case boost::json::kind::string: return "string";
    case boost::json::kind::array: return "array";
    case boost::json::kind::object: return "object";
  }
  return "null";
}

/// Rebuilds `object` without `keys`, keeping the order of the others (Boost's erase reorders).
void remove_keys(Object& object, const std::vector<std::string>& keys) {
  if (keys.empty()) return;
  Object kept(object.storage());
  kept.reserve(object.size() - keys.size());
  for (auto& m : object) {
    if (std::find(keys.begin(), keys.end(), std::string_view(m.key())) == keys.end()) {
      kept.emplace(m.key(), std::move(m.value()));
    }
  }
  object = std::move(kept);
}

// Paths in the object ("spec.ports[0].name"), as kube-openapi names values in its messages.
std::string child_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}
std::string index_path(const std::string& parent, std::size_t i) { return parent + "[" + std::to_string(i) + "]"; }

// ================================================================================================
// Regular expressions: ECMAScript via std::regex, compiled once per pattern.
// ================================================================================================

/// UTF-32 text for std::wregex (wchar_t is 32 bits here), so `.` and classes see characters.
std::wstring to_wide(std::string_view s) {
  const std::u32string runes = to_utf32(s);
  return std::wstring(runes.begin(), runes.end());
}

class PatternCache {
 public:
  /// The compiled pattern, or nullptr with `error` set if the pattern is invalid.
  std::shared_ptr<const std::wregex> get(std::string_view pattern, std::string* error = nullptr) {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(pattern);
    if (it == cache_.end()) {
      if (cache_.size() >= kMaxEntries) cache_.clear();  // patterns come from CRDs: few in practice
      it = cache_.emplace(std::string(pattern), compile(pattern)).first;
    }
    if (!it->second.regex && error) *error = it->second.error;
    return it->second.regex;
  }

 private:
  struct Entry {
    std::shared_ptr<const std::wregex> regex;
    std::string error;
  };
  static constexpr std::size_t kMaxEntries = 1024;

  static Entry compile(std::string_view pattern) {
    // __polynomial selects libstdc++'s breadth-first matcher: linear in the input, no recursion
    // (the default depth-first one overflows the stack on long strings). It rejects
    // back-references, which RE2 (what Kubernetes uses) does not have either.
    constexpr auto kFlags = std::regex::ECMAScript | std::regex_constants::__polynomial;
    try {
      std::wregex alone(to_wide(pattern), kFlags);  // validates the pattern on its own
      // Searching means matching `[\s\S]*?(?:pattern)` from the start: one linear pass, where
      // std::regex_search would restart at every position.
      return {std::make_shared<const std::wregex>(L"[\\s\\S]*?(?:" + to_wide(pattern) + L")", kFlags), {}};
    } catch (const std::regex_error& e) {
      return {nullptr, e.what()};
    }
  }

  std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> cache_;
};

PatternCache& patterns() {
  static PatternCache cache;
  return cache;
}

bool pattern_matches(const std::wregex& regex, std::string_view text) {
  return std::regex_search(to_wide(text), regex, std::regex_constants::match_continuous);
}

/// Whole-string match of one of the fixed patterns below. Inputs are bounded because libstdc++'s
/// default matcher recurses per character; nothing these patterns describe comes close.
bool full_match(std::string_view text, const char* pattern) {
  if (text.size() > 4096) return false;
  const std::regex* regex = nullptr;
  {
    static std::mutex mutex;
    static std::map<std::string, std::regex, std::less<>> compiled;  // entries never move
    std::lock_guard lock(mutex);
    auto it = compiled.find(pattern);
    if (it == compiled.end()) it = compiled.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
    regex = &it->second;
  }
  return std::regex_match(text.begin(), text.end(), *regex);
}

// ================================================================================================
// String formats (the checks of kube-openapi's strfmt registry).
// ================================================================================================

bool is_digits(std::string_view s, std::size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view digits) {
  int n = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), n);
  return n;
}

/// RFC 3339 full-date with a real calendar day ("2006-01-02").
bool is_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!is_digits(s.substr(0, 4), 4) || !is_digits(s.substr(5, 2), 2) || !is_digits(s.substr(8, 2), 2)) return false;
  const int year = to_int(s.substr(0, 4)), month = to_int(s.substr(5, 2)), day = to_int(s.substr(8, 2));
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

/// RFC 3339 date-time: a date, "T", hh:mm:ss with optional fraction and a zone (Z or +hh:mm).
bool is_date_time(std::string_view s) {
  const std::size_t t = s.find_first_of("tT");
  if (t == std::string_view::npos || !is_date(s.substr(0, t))) return false;
  const std::string_view time = s.substr(t + 1);
  if (!full_match(time, R"(([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?([zZ]|[+-][0-9]{2}:[0-9]{2}))")) return false;
  return to_int(time.substr(0, 2)) <= 23 && to_int(time.substr(3, 2)) <= 59 && to_int(time.substr(6, 2)) <= 59;
}

/// Dotted IPv4, tolerating leading zeros like Kubernetes' ParseIPSloppy.
bool is_ipv4(std::string_view s) {
  int parts = 0;
  for (std::size_t start = 0; start <= s.size(); ++parts) {
    std::size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) dot = s.size();
    const std::string_view part = s.substr(start, dot - start);
    if (part.empty() || part.size() > 3 || !is_digits(part, part.size()) || to_int(part) > 255) return false;
    start = dot + 1;
  }
  return parts == 4;
}

bool is_ipv6(std::string_view s) {
  if (s.find(':') == std::string_view::npos) return false;
  unsigned char address[16];
  return inet_pton(AF_INET6, std::string(s).c_str(), address) == 1;
}

bool is_cidr(std::string_view s) {
  const std::size_t slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view ip = s.substr(0, slash), bits = s.substr(slash + 1);
  if (bits.empty() || bits.size() > 3 || !is_digits(bits, bits.size())) return false;
  if (is_ipv4(ip)) return to_int(bits) <= 32;
  return is_ipv6(ip) && to_int(bits) <= 128;
}

/// Go's net.ParseMAC: 6, 8 or 20 octets as xx:xx..., xx-xx... or xxxx.xxxx....
bool is_mac(std::string_view s) {
  const auto hex = [](std::string_view part, std::size_t n) {
    return part.size() == n && std::all_of(part.begin(), part.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  };
  const auto groups = [&](char separator, std::size_t width) {
    std::size_t count = 0;
    for (std::size_t start = 0; start <= s.size(); ++count) {
      std::size_t end = s.find(separator, start);
      if (end == std::string_view::npos) end = s.size();
      if (!hex(s.substr(start, end - start), width)) return std::size_t{0};
      start = end + 1;
    }
    return count;
  };
  const std::size_t octets = s.size() > 2 && s[2] == ':' ? groups(':', 2)
                             : s.size() > 2 && s[2] == '-' ? groups('-', 2)
                             : s.size() > 4 && s[4] == '.' ? groups('.', 4) * 2
                                                           : 0;
  return octets == 6 || octets == 8 || octets == 20;
}

/// RFC 1034 host names as strfmt checks them; non-ASCII bytes count as letters.
bool is_hostname(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  const auto letter_or_digit = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80); };
  const auto letter = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || (c & 0x80); };
  std::vector<std::string_view> labels;
  for (std::size_t start = 0; start <= s.size();) {
    std::size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) dot = s.size();
    labels.push_back(s.substr(start, dot - start));
    start = dot + 1;
  }
  if (labels.size() == 1) {  // a single label: alphanumerics with at most one dash in a row
    const std::string_view l = labels[0];
    if (l.size() > 63 || !letter_or_digit(l.front()) || l.back() == '-') return false;
    return l.find("--") == std::string_view::npos && std::all_of(l.begin(), l.end(), [&](char c) { return c == '-' || letter_or_digit(c); });
  }
  const std::string_view top = labels.back();  // the top-level domain: letters only
  if (top.size() < 2 || top.size() > 63 || !std::all_of(top.begin(), top.end(), letter)) return false;
  return std::all_of(labels.begin(), labels.end() - 1, [&](std::string_view l) {
    return !l.empty() && l.size() <= 63 && letter_or_digit(l.front()) && letter_or_digit(l.back()) &&
           std::all_of(l.begin(), l.end(), [&](char c) { return c == '-' || letter_or_digit(c); });
  });
}

/// Approximates Go's net/mail.ParseAddress: "local@domain", optionally as "Name <local@domain>".
bool is_email(std::string_view s) {
  if (const std::size_t open = s.rfind('<'); open != std::string_view::npos && !s.empty() && s.back() == '>') {
    s = s.substr(open + 1, s.size() - open - 2);
  }
  const std::size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == s.size()) return false;
  return std::none_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) || c == '<' || c == '>'; });
}

/// Approximates Go's url.ParseRequestURI: an absolute URI ("scheme:...") or an absolute path,
/// without blanks or control characters.
bool is_uri(std::string_view s) {
  if (s.empty() || std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F; })) {
    return false;
  }
  if (s.front() == '/') return true;
  const std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return false;
  const std::string_view scheme = s.substr(0, colon);
  return std::isalpha(static_cast<unsigned char>(scheme.front())) &&
         std::all_of(scheme.begin(), scheme.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '.' || c == '-'; });
}

/// Standard base64 with padding (govalidator.IsBase64), checked by hand: values can be large.
bool is_base64(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0) return false;
  const std::size_t padding = s.ends_with("==") ? 2 : s.ends_with('=') ? 1 : 0;
  const auto alphabet = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/'; };
  return std::all_of(s.begin(), s.end() - static_cast<std::ptrdiff_t>(padding), alphabet);
}

/// Go's time.ParseDuration ("1h30m", "0.5s") or strfmt's lenient form ("3 days", "2 weeks").
bool is_duration(std::string_view s) {
  if (s == "0" || s == "+0" || s == "-0") return true;
  if (full_match(s, R"([-+]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|\xC2\xB5s|\xCE\xBCs|ms|s|m|h))+)")) return true;
  if (s.size() > 256) return false;  // bounds the std::regex scan below
  static const std::regex lenient(R"(([0-9]+)\s*([A-Za-z]+))");
  static const std::vector<std::vector<std::string_view>> kUnits = {
      {"ns", "nano"}, {"us", "micro"}, {"ms", "milli"}, {"s", "sec"},
      {"m", "min"},   {"h", "hr", "hour"}, {"d", "day"}, {"w", "wk", "week"}};
  const std::string text(s);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), lenient); it != std::sregex_iterator(); ++it) {
    std::string unit = (*it)[2].str();
    std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const auto& variants : kUnits) {
      for (std::size_t i = 0; i < variants.size(); ++i) {
        const bool last = i + 1 == variants.size();
        if (unit == variants[i] || (last && unit.starts_with(variants[i]))) return true;
      }
    }
  }
  return false;
}

bool is_dns_label(std::string_view s) {
  return s.size() <= 63 && full_match(s, "[a-z0-9]([-a-z0-9]*[a-z0-9])?");
}

bool is_long_name(std::string_view s) {
  return s.size() <= 253 && full_match(s, R"([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)");
}

/// Whether `value` has string format `format`; nullopt for formats not checked here (ignored).
std::optional<bool> check_string_format(std::string_view format, std::string_view value) {
  std::string name(format);
  std::erase(name, '-');  // strfmt's name normalization: date-time == datetime
  using Check = bool (*)(std::string_view);
  static const std::map<std::string, Check, std::less<>> kFormats = {
      {"datetime", is_date_time},
      {"date", is_date},
      {"byte", is_base64},
      {"uuid", [](std::string_view v) { return full_match(v, "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"); }},
      {"uuid3", [](std::string_view v) { return full_match(v, "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?3[0-9a-fA-F]{3}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"); }},
      {"uuid4", [](std::string_view v) { return full_match(v, "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?4[0-9a-fA-F]{3}-?[89abAB][0-9a-fA-F]{3}-?[0-9a-fA-F]{12}"); }},
      {"uuid5", [](std::string_view v) { return full_match(v, "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?5[0-9a-fA-F]{3}-?[89abAB][0-9a-fA-F]{3}-?[0-9a-fA-F]{12}"); }},
      {"ipv4", is_ipv4},
      {"ipv6", is_ipv6},
      {"cidr", is_cidr},
      {"mac", is_mac},
      {"hostname", is_hostname},
      {"email", is_email},
      {"uri", is_uri},
      {"duration", is_duration},
      {"hexcolor", [](std::string_view v) { return full_match(v, "#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})"); }},
      {"rgbcolor", [](std::string_view v) {
         return full_match(v, R"(rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\))");
       }},
      {"password", [](std::string_view) { return true; }},
      {"bsonobjectid", [](std::string_view v) { return full_match(v, "[0-9a-fA-F]{24}"); }},
      {"ssn", [](std::string_view v) { return full_match(v, R"(\d{3}[- ]?\d{2}[- ]?\d{4})"); }},
      {"k8sshortname", is_dns_label},
      {"k8slongname", is_long_name},
  };
  const auto it = kFormats.find(name);
  if (it == kFormats.end()) return std::nullopt;
  return it->second(value);
}

// ================================================================================================
// The schema, parsed once per call. Pointers refer into the caller's schema JSON.
// ================================================================================================

struct Node;
struct Property;

enum class Extra { unspecified, allow_any, forbid, schema };  // additionalProperties

struct Node {
  std::string_view type;
  bool nullable = false;
  bool preserve_unknown = false;
  bool embedded = false;
  bool int_or_string = false;
  const Value* default_value = nullptr;  // never JSON null (a null default means "no default")

  std::vector<Property> properties;  // in schema order
  std::unique_ptr<Node> items;
  Extra additional = Extra::unspecified;
  std::unique_ptr<Node> additional_schema;
  std::string_view list_type;
  std::vector<std::string_view> list_map_keys;

  // Value validations.
  std::string_view format;
  std::optional<double> maximum, minimum, multiple_of;
  bool exclusive_maximum = false, exclusive_minimum = false, unique_items = false;
  std::optional<std::int64_t> max_length, min_length, max_items, min_items, max_properties, min_properties;
  std::string_view pattern;
  const Array* enum_values = nullptr;
  std::vector<std::string_view> required;
  std::vector<Node> all_of, any_of, one_of;
  std::unique_ptr<Node> not_schema;

  static Node parse(const Value& schema);
  static Node parse(const Object& schema);
  const Node* property(std::string_view name) const;
  /// The schema of field `name` of an object: its property or additionalProperties (may be null).
  const Node* field(std::string_view name) const;
  bool has_additional() const { return additional != Extra::unspecified; }
};

struct Property {
  std::string_view name;
  Node schema;
};

const Node* Node::property(std::string_view name) const {
  for (const Property& p : properties) {
    if (p.name == name) return &p.schema;
  }
  return nullptr;
}

const Node* Node::field(std::string_view name) const {
  if (const Node* p = property(name)) return p;
  return additional_schema.get();
}

std::string_view string_or_empty(const Object& o, std::string_view key) {
  const Value* v = member(o, key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

bool flag(const Object& o, std::string_view key) {
  const Value* v = member(o, key);
  return v && v->is_bool() && v->get_bool();
}

std::optional<double> number_or_none(const Object& o, std::string_view key) {
  const Value* v = member(o, key);
  return v && is_number(*v) ? std::optional<double>(as_double(*v)) : std::nullopt;
}

std::optional<std::int64_t> count_or_none(const Object& o, std::string_view key) {
  const Value* v = member(o, key);
  if (!v || !is_number(*v)) return std::nullopt;
  const double d = as_double(*v);
  return d >= 9.2e18 ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(d);
}

std::vector<std::string_view> strings_or_empty(const Object& o, std::string_view key) {
  std::vector<std::string_view> out;
  if (const Value* v = member(o, key); v && v->is_array()) {
    for (const Value& s : v->get_array()) {
      if (s.is_string()) out.emplace_back(s.get_string());
    }
  }
  return out;
}

std::vector<Node> schemas_or_empty(const Object& o, std::string_view key) {
  std::vector<Node> out;
  if (const Value* v = member(o, key); v && v->is_array()) {
    for (const Value& s : v->get_array()) out.push_back(Node::parse(s));
  }
  return out;
}

std::unique_ptr<Node> schema_or_null(const Value* v) {
  return v && v->is_object() ? std::make_unique<Node>(Node::parse(*v)) : nullptr;
}

Extra additional_kind(const Value& additional_properties) {
  if (additional_properties.is_object()) return Extra::schema;
  if (additional_properties.is_bool()) return additional_properties.get_bool() ? Extra::allow_any : Extra::forbid;
  return Extra::unspecified;
}

Node Node::parse(const Value& schema) { return schema.is_object() ? parse(schema.get_object()) : Node{}; }

/// Lenient: malformed keywords are ignored here (check_structural_schema reports them).
Node Node::parse(const Object& o) {
  Node n;
  n.type = string_or_empty(o, "type");
  n.nullable = flag(o, "nullable");
  n.preserve_unknown = flag(o, "x-kubernetes-preserve-unknown-fields");
  n.embedded = flag(o, "x-kubernetes-embedded-resource");
  n.int_or_string = flag(o, "x-kubernetes-int-or-string");
  if (const Value* d = member(o, "default"); d && !d->is_null()) n.default_value = d;
  if (const Value* p = member(o, "properties"); p && p->is_object()) {
    for (const auto& m : p->get_object()) n.properties.push_back({m.key(), Node::parse(m.value())});
  }
  n.items = schema_or_null(member(o, "items"));
  if (const Value* ap = member(o, "additionalProperties")) {
    n.additional = additional_kind(*ap);
    n.additional_schema = schema_or_null(ap);
  }
  n.list_type = string_or_empty(o, "x-kubernetes-list-type");
  n.list_map_keys = strings_or_empty(o, "x-kubernetes-list-map-keys");
  n.format = string_or_empty(o, "format");
  n.maximum = number_or_none(o, "maximum");
  n.minimum = number_or_none(o, "minimum");
  n.multiple_of = number_or_none(o, "multipleOf");
  n.exclusive_maximum = flag(o, "exclusiveMaximum");
  n.exclusive_minimum = flag(o, "exclusiveMinimum");
  n.unique_items = flag(o, "uniqueItems");
  n.max_length = count_or_none(o, "maxLength");
  n.min_length = count_or_none(o, "minLength");
  n.max_items = count_or_none(o, "maxItems");
  n.min_items = count_or_none(o, "minItems");
  n.max_properties = count_or_none(o, "maxProperties");
  n.min_properties = count_or_none(o, "minProperties");
  n.pattern = string_or_empty(o, "pattern");
  if (const Value* e = member(o, "enum"); e && e->is_array()) n.enum_values = &e->get_array();
  n.required = strings_or_empty(o, "required");
  n.all_of = schemas_or_empty(o, "allOf");
  n.any_of = schemas_or_empty(o, "anyOf");
  n.one_of = schemas_or_empty(o, "oneOf");
  n.not_schema = schema_or_null(member(o, "not"));
  return n;
}

// The fields an object root (and an embedded resource) carries besides its schema.
bool is_type_or_object_meta(std::string_view key) { return key == "apiVersion" || key == "kind" || key == "metadata"; }

// ================================================================================================
// Pruning (pkg/apiserver/schema/pruning) and ObjectMeta coercion (schema/objectmeta).
// ================================================================================================

bool is_object_meta_field(std::string_view key) {
  static constexpr std::string_view kFields[] = {
      "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
      "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
      "ownerReferences", "finalizers", "managedFields"};
  return std::find(std::begin(kFields), std::end(kFields), key) != std::end(kFields);
}

bool is_owner_reference_field(std::string_view key) {
  static constexpr std::string_view kFields[] = {"apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"};
  return std::find(std::begin(kFields), std::end(kFields), key) != std::end(kFields);
}

bool is_managed_fields_entry_field(std::string_view key) {
  static constexpr std::string_view kFields[] = {"manager", "operation", "apiVersion", "time", "fieldsType", "fieldsV1", "subresource"};
  return std::find(std::begin(kFields), std::end(kFields), key) != std::end(kFields);
}

class Pruner {
 public:
  Pruner(bool remove, std::vector<std::string>* unknown) : remove_(remove), unknown_(unknown) {}

  /// The root of a custom object keeps apiVersion, kind and metadata whatever the schema says.
  void prune_resource(Value& object, const Node& root) { prune(object, &root, "", /*embedded=*/true); }

  void prune(Value& v, const Node* s, const std::string& path) { prune(v, s, path, s && s->embedded); }

 private:
  void prune(Value& v, const Node* s, const std::string& path, bool embedded) {
    if (s && s->preserve_unknown) return keep_unknown(v, *s, path, embedded);
    if (v.is_object()) {
      if (s) return prune_object(v.get_object(), *s, path, embedded);
      drop_all(v.get_object(), path);
    } else if (v.is_array()) {
      Array& items = v.get_array();
      for (std::size_t i = 0; i < items.size(); ++i) prune(items[i], s ? s->items.get() : nullptr, index_path(path, i));
    }
  }

  void prune_object(Object& object, const Node& s, const std::string& path, bool embedded) {
    std::vector<std::string> drop;
    for (auto& m : object) {
      const std::string_view key = m.key();
      if (embedded && is_type_or_object_meta(key)) {
        if (key == "metadata") prune_object_meta(m.value(), child_path(path, key));
      } else if (const Node* p = s.property(key)) {
        prune(m.value(), p, child_path(path, key));
      } else if (s.has_additional()) {
        prune(m.value(), s.additional_schema.get(), child_path(path, key));
      } else {
        record(drop, path, key);
      }
    }
    finish(object, drop);
  }

  /// x-kubernetes-preserve-unknown-fields: unknown fields stay, known ones are pruned by their schema.
  void keep_unknown(Value& v, const Node& s, const std::string& path, bool embedded) {
    if (v.is_object()) {
      for (auto& m : v.get_object()) {
        const std::string_view key = m.key();
        if (embedded && is_type_or_object_meta(key)) {
          if (key == "metadata") prune_object_meta(m.value(), child_path(path, key));
        } else if (const Node* p = s.property(key)) {
          prune(m.value(), p, child_path(path, key));
        } else if (s.has_additional()) {
          prune(m.value(), s.additional_schema.get(), child_path(path, key));
        }
      }
    } else if (v.is_array() && s.items) {
      Array& items = v.get_array();
      for (std::size_t i = 0; i < items.size(); ++i) keep_unknown(items[i], *s.items, index_path(path, i), s.items->embedded);
    }
  }

  /// Without a schema every field of an object is unknown.
  void drop_all(Object& object, const std::string& path) {
    std::vector<std::string> drop;
    for (const auto& m : object) record(drop, path, m.key());
    finish(object, drop);
  }

  /// metadata keeps only ObjectMeta's fields (the API server decodes it into ObjectMeta).
  void prune_object_meta(Value& metadata, const std::string& path) {
    if (!metadata.is_object()) return;  // reported by validation
    Object& meta = metadata.get_object();
    std::vector<std::string> drop;
    for (auto& m : meta) {
      const std::string_view key = m.key();
      if (!is_object_meta_field(key)) {
        record(drop, path, key);
      } else if (key == "ownerReferences") {
        prune_entries(m.value(), child_path(path, key), is_owner_reference_field);
      } else if (key == "managedFields") {
        prune_entries(m.value(), child_path(path, key), is_managed_fields_entry_field);
      }
    }
    finish(meta, drop);
  }

  void prune_entries(Value& list, const std::string& path, bool (*known)(std::string_view)) {
    if (!list.is_array()) return;
    Array& entries = list.get_array();
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (!entries[i].is_object()) continue;
      std::vector<std::string> drop;
      for (const auto& m : entries[i].get_object()) {
        if (!known(m.key())) record(drop, index_path(path, i), m.key());
      }
      finish(entries[i].get_object(), drop);
    }
  }

  void record(std::vector<std::string>& drop, const std::string& path, std::string_view key) {
    unknown_->push_back(child_path(path, key));
    drop.emplace_back(key);
  }

  void finish(Object& object, const std::vector<std::string>& drop) {
    if (remove_) remove_keys(object, drop);
  }

  bool remove_;
  std::vector<std::string>* unknown_;
};

/// Non-nullable nulls without a default are dropped, as decoding into a Go struct would
/// (pkg/apiserver/schema/defaulting/prunenulls.go). Nulls with a default are defaulted later.
void drop_nulls_without_default(Value& v, const Node* s) {
  const auto droppable = [](const Value& x, const Node* schema) {
    return x.is_null() && schema && !schema->nullable && !schema->default_value;
  };
  if (v.is_object()) {
    std::vector<std::string> drop;
    for (auto& m : v.get_object()) {
      const Node* schema = s ? s->field(m.key()) : nullptr;
      if (droppable(m.value(), schema)) {
        drop.emplace_back(m.key());
      } else {
        drop_nulls_without_default(m.value(), schema);
      }
    }
    remove_keys(v.get_object(), drop);
  } else if (v.is_array()) {
    for (Value& item : v.get_array()) drop_nulls_without_default(item, s ? s->items.get() : nullptr);
  }
}

// ================================================================================================
// Defaulting (pkg/apiserver/schema/defaulting/algorithm.go).
// ================================================================================================

bool takes_default(const Value& v, const Node& s) { return v.is_null() && !s.nullable && s.default_value; }

/// Absent fields (and non-nullable nulls) get their default, then defaulting recurses into every
/// value, including ones just defaulted: a default inside an absent parent applies only once the
/// parent itself is defaulted.
void apply_defaults(Value& v, const Node& s) {
  if (v.is_object()) {
    Object& object = v.get_object();
    for (const Property& p : s.properties) {
      if (!p.schema.default_value) continue;
      const Value* current = member(object, p.name);
      if (!current || takes_default(*current, p.schema)) object[p.name] = *p.schema.default_value;
    }
    for (auto& m : object) {
      if (const Node* p = s.property(m.key())) {
        apply_defaults(m.value(), *p);
      } else if (s.additional_schema) {
        if (takes_default(m.value(), *s.additional_schema)) m.value() = *s.additional_schema->default_value;
        apply_defaults(m.value(), *s.additional_schema);
      }
    }
  } else if (v.is_array() && s.items) {
    for (Value& item : v.get_array()) {
      if (takes_default(item, *s.items)) item = *s.items->default_value;
      apply_defaults(item, *s.items);
    }
  }
}

// ================================================================================================
// Validation (kube-openapi's SchemaValidator as the API server configures it, plus the
// list-type and embedded-resource checks of the custom resource strategy).
// ================================================================================================

/// Where a value is: `name` is how messages name it ("spec.replicas"); the field is
/// `base + "." + name` (base is empty for objects, the schema path for checked defaults).
struct Location {
  std::string base;
  std::string name;

  std::string field() const { return base + "." + name; }
  Location child(std::string_view key) const { return {base, child_path(name, key)}; }
  Location index(std::size_t i) const { return {base, index_path(name, i)}; }
};

/// A number limit in a message: Go prints it as an int64 when checking an integer, else as float64.
std::string limit_text(double limit, const Value& value) {
  if (is_integer(value) && limit == std::trunc(limit) && std::fabs(limit) < 9.2e18) {
    return std::to_string(static_cast<std::int64_t>(limit));
  }
  return go_float(limit);
}

long double exact(const Value& value) {
  if (value.is_int64()) return static_cast<long double>(value.get_int64());
  if (value.is_uint64()) return static_cast<long double>(value.get_uint64());
  return static_cast<long double>(value.get_double());
}

/// Below `minimum` (or at it when exclusive); exact for 64-bit integers.
bool too_small(const Value& value, double minimum, bool exclusive) {
  return exclusive ? exact(value) <= minimum : exact(value) < minimum;
}

/// Above `maximum` (or at it when exclusive).
bool too_large(const Value& value, double maximum, bool exclusive) {
  return exclusive ? exact(value) >= maximum : exact(value) > maximum;
}

bool is_multiple_of(const Value& value, double factor) {
  if (value.is_int64() && factor == std::trunc(factor) && std::fabs(factor) < 9.2e18) {
    return value.get_int64() % static_cast<std::int64_t>(factor) == 0;
  }
  const double data = as_double(value);
  return is_json_integer(factor < 1 ? 1 / factor * data : data / factor);
}

class Validator {
 public:
  explicit Validator(std::vector<FieldError>* errors) : errors_(errors) {}

  void validate(const Value& v, const Node& s, const Location& at) {
    if (v.is_null()) return validate_null(s, at);
    if (!has_allowed_type(v, s)) {
      const std::string actual = quoted(type_of(v));
      return add(type_invalid(at.field(), actual, at.name + " in body must be of type " + allowed_types(s) + ": " + actual));
    }
    validate_junctors(v, s, at);
    if (v.is_string()) validate_string(v.get_string(), s, at);
    if (is_number(v)) validate_number(v, s, at);
    if (v.is_array()) validate_array(v.get_array(), s, at);
    validate_enum(v, s, at);
    if (v.is_object()) validate_object(v.get_object(), s, at);
  }

 private:
  void add(FieldError e) { errors_->push_back(std::move(e)); }

  static std::string allowed_types(const Node& s) { return s.int_or_string ? "integer,string" : std::string(s.type); }

  static bool has_allowed_type(const Value& v, const Node& s) {
    const auto allows = [&](std::string_view t) { return s.int_or_string ? (t == "integer" || t == "string") : s.type == t; };
    if (!s.int_or_string && s.type.empty()) return true;
    const std::string_view actual = type_of(v);
    if (allows(actual)) return true;
    if (actual == "number" && allows("integer")) return is_json_integer(v.get_double());  // 3.0 is an integer
    return actual == "integer" && allows("number");
  }

  void validate_null(const Node& s, const Location& at) {
    if ((s.int_or_string || !s.type.empty()) && !s.nullable) {
      return add(type_invalid(at.field(), "\"null\"", at.name + " in body must be of type " + allowed_types(s) + ": \"null\""));
    }
    validate_enum(Value(nullptr), s, at);
  }

  // ---- allOf / anyOf / oneOf / not --------------------------------------------------------------

  std::vector<FieldError> errors_of(const Value& v, const Node& branch, const Location& at) {
    std::vector<FieldError> errors;
    Validator(&errors).validate(v, branch, at);
    return errors;
  }

  void add_all(const std::vector<FieldError>& errors) { errors_->insert(errors_->end(), errors.begin(), errors.end()); }

  void add_composite(const Location& at, const std::string& detail) { add(invalid(at.field(), "\"\"", quoted(at.name) + " " + detail)); }

  void validate_junctors(const Value& v, const Node& s, const Location& at) {
    if (!s.all_of.empty()) validate_all_of(v, s, at);
    if (!s.any_of.empty()) validate_any_of(v, s, at);
    if (!s.one_of.empty()) validate_one_of(v, s, at);
    if (s.not_schema && errors_of(v, *s.not_schema, at).empty()) add_composite(at, "must not validate the schema (not)");
  }

  void validate_all_of(const Value& v, const Node& s, const Location& at) {
    std::size_t passed = 0;
    std::vector<FieldError> failures;
    for (const Node& branch : s.all_of) {
      const std::vector<FieldError> errors = errors_of(v, branch, at);
      passed += errors.empty() ? 1 : 0;
      failures.insert(failures.end(), errors.begin(), errors.end());
    }
    if (passed == s.all_of.size()) return;
    add_composite(at, std::string("must validate all the schemas (allOf)") + (passed == 0 ? ". None validated" : ""));
    add_all(failures);
  }

  /// The failures of the branch that came closest (fewest errors), to explain the rejection.
  void validate_any_of(const Value& v, const Node& s, const Location& at) {
    std::optional<std::vector<FieldError>> closest;
    for (const Node& branch : s.any_of) {
      std::vector<FieldError> errors = errors_of(v, branch, at);
      if (errors.empty()) return;
      if (!closest || errors.size() < closest->size()) closest = std::move(errors);
    }
    add_composite(at, "must validate at least one schema (anyOf)");
    add_all(*closest);
  }

  void validate_one_of(const Value& v, const Node& s, const Location& at) {
    std::size_t passed = 0;
    std::optional<std::vector<FieldError>> closest;
    for (const Node& branch : s.one_of) {
      std::vector<FieldError> errors = errors_of(v, branch, at);
      if (errors.empty()) {
        ++passed;
      } else if (!closest || errors.size() < closest->size()) {
        closest = std::move(errors);
      }
    }
    if (passed == 1) return;
    if (passed == 0) {
      add_composite(at, "must validate one and only one schema (oneOf). Found none valid");
      add_all(*closest);
    } else {
      add_composite(at, "must validate one and only one schema (oneOf). Found " + std::to_string(passed) + " valid alternatives");
    }
  }

  // ---- scalars ----------------------------------------------------------------------------------

  void validate_string(std::string_view text, const Node& s, const Location& at) {
    if (s.max_length && rune_count(text) > *s.max_length) {
      add(too_long(at.field(), *s.max_length));
    } else if (s.min_length && rune_count(text) < *s.min_length) {
      add(invalid(at.field(), quoted(text), at.name + " in body should be at least " + std::to_string(*s.min_length) + " chars long"));
    } else if (!s.pattern.empty()) {
      validate_pattern(text, s.pattern, at);
    }
    // Formats apply to strings whose schema is a string or untyped (int-or-string too).
    if (!s.format.empty() && (s.type.empty() || s.type == "string") && check_string_format(s.format, text) == false) {
      const std::string value = quoted(text);
      add(type_invalid(at.field(), value, at.name + " in body must be of type " + std::string(s.format) + ": " + value));
    }
  }

  void validate_pattern(std::string_view text, std::string_view pattern, const Location& at) {
    std::string error;
    const auto regex = patterns().get(pattern, &error);
    if (!regex) {
      add(invalid(at.field(), quoted(text), at.name + " in body should match '" + std::string(pattern) + ", but pattern is invalid: " + error + "'"));
    } else if (!pattern_matches(*regex, text)) {
      add(invalid(at.field(), quoted(text), at.name + " in body should match '" + std::string(pattern) + "'"));
    }
  }

  /// The numeric formats bound the value's range ("int32": 32-bit; integers must fit in 64 bits).
  void validate_number_range(const Value& v, const Node& s, const Location& at) {
    std::string expected;
    if (s.type == "integer") {
      const bool int32 = s.format == "int32";
      const bool fits = int32 ? !too_small(v, INT32_MIN, false) && !too_large(v, INT32_MAX, false)
                              : !v.is_uint64() || v.get_uint64() <= INT64_MAX;
      if (!fits) expected = int32 ? "integer with format int32" : s.format == "int64" ? "integer with format int64" : "integer (default format)";
    } else if (s.type == "number" && s.format == "float" && std::fabs(as_double(v)) > FLT_MAX) {
      expected = "number with format float";
    }
    if (!expected.empty()) add(invalid(at.field(), "\"\"", "Checked value must be of type " + expected + " in " + at.name));
  }

  void validate_number(const Value& v, const Node& s, const Location& at) {
    validate_number_range(v, s, at);
    const std::string value = bad_value(v);
    if (s.multiple_of) {
      if (*s.multiple_of <= 0) {
        const std::string factor = limit_text(*s.multiple_of, v);
        add(invalid(at.field(), factor, "factor MultipleOf declared for " + at.name + " must be positive: " + factor));
      } else if (!is_multiple_of(v, *s.multiple_of)) {
        add(invalid(at.field(), value, at.name + " in body should be a multiple of " + limit_text(*s.multiple_of, v)));
      }
    }
    if (s.minimum && too_small(v, *s.minimum, s.exclusive_minimum)) {
      add(invalid(at.field(), value, at.name + " in body should be greater than " + (s.exclusive_minimum ? "" : "or equal to ") + limit_text(*s.minimum, v)));
    }
    if (s.maximum && too_large(v, *s.maximum, s.exclusive_maximum)) {
      add(invalid(at.field(), value, at.name + " in body should be less than " + (s.exclusive_maximum ? "" : "or equal to ") + limit_text(*s.maximum, v)));
    }
  }

  void validate_enum(const Value& v, const Node& s, const Location& at) {
    if (!s.enum_values || s.enum_values->empty()) return;
    std::vector<std::string> supported;
    for (const Value& allowed : *s.enum_values) {
      if (json::equal(v, allowed)) return;
      supported.push_back(allowed.is_string() ? std::string(allowed.get_string()) : go_json(allowed));
    }
    add(not_supported(at.field(), bad_value(v), supported));
  }

  // ---- arrays -----------------------------------------------------------------------------------

  void validate_array(const Array& items, const Node& s, const Location& at) {
    if (s.items) {
      for (std::size_t i = 0; i < items.size(); ++i) validate(items[i], *s.items, at.index(i));
    }
    const auto size = static_cast<std::int64_t>(items.size());
    if (s.min_items && size < *s.min_items) {
      add(invalid(at.field(), std::to_string(size), at.name + " in body should have at least " + std::to_string(*s.min_items) + " items"));
    }
    if (s.max_items && size > *s.max_items) add(too_many(at.field(), size, *s.max_items));
    if (s.unique_items && !first_repeats(items).empty()) {
      add(invalid(at.field(), "\"\"", at.name + " in body shouldn't contain duplicates"));
    }
    if (s.list_type == "set") validate_list_set(items, at);
    if (s.list_type == "map") validate_list_map(items, s, at);
  }

  /// Indices where a value appears for the second time (later repetitions are not reported).
  /// Values are compared by their canonical JSON (sorted keys; 1 and 1.0 are the same).
  static std::vector<std::size_t> first_repeats(const std::vector<const Value*>& values) {
    std::vector<std::size_t> repeats;
    std::unordered_map<std::string, int> seen;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (++seen[go_json(*values[i])] == 2) repeats.push_back(i);
    }
    return repeats;
  }

  static std::vector<std::size_t> first_repeats(const Array& items) {
    std::vector<const Value*> values;
    for (const Value& item : items) values.push_back(&item);
    return first_repeats(values);
  }

  void validate_list_set(const Array& items, const Location& at) {
    for (std::size_t i : first_repeats(items)) add(duplicate(at.index(i).field(), items[i]));
  }

  /// Items of a map list are identified by their x-kubernetes-list-map-keys fields (the ones present).
  void validate_list_map(const Array& items, const Node& s, const Location& at) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_object() && !items[i].is_null()) {
        return add(invalid(at.index(i).field(), bad_value(items[i]), "must be an object for an array of list-type map"));
      }
    }
    std::vector<Value> keys;
    for (const Value& item : items) {
      Object key;
      for (std::string_view k : s.list_map_keys) {
        if (const Value* field = item.is_object() ? member(item.get_object(), k) : nullptr) key[k] = *field;
      }
      keys.emplace_back(std::move(key));
    }
    std::vector<const Value*> key_refs;
    for (const Value& key : keys) key_refs.push_back(&key);
    for (std::size_t i : first_repeats(key_refs)) add(duplicate(at.index(i).field(), keys[i]));
  }

  // ---- objects ----------------------------------------------------------------------------------

  void validate_object(const Object& object, const Node& s, const Location& at) {
    const auto size = static_cast<std::int64_t>(object.size());
    if (s.min_properties && size < *s.min_properties) {
      add(invalid(at.field(), std::to_string(size), at.name + " in body should have at least " + std::to_string(*s.min_properties) + " properties"));
    }
    if (s.max_properties && size > *s.max_properties) add(too_many(at.field(), size, *s.max_properties));
    for (const auto& m : object) {
      const Node* p = s.property(m.key());
      if (p) {
        validate(m.value(), *p, at.child(m.key()));
      } else if (s.additional == Extra::forbid) {
        add(invalid(at.field(), quoted(m.key()), child_path(at.name, m.key()) + " in body is a forbidden property"));
      } else if (s.additional_schema) {
        validate(m.value(), *s.additional_schema, at.child(m.key()));
      }
    }
    for (std::string_view key : s.required) {
      if (!member(object, key)) add(required(at.child(key).field()));
    }
    if (s.embedded) validate_embedded_resource(object, at);
  }

  /// x-kubernetes-embedded-resource: apiVersion and kind are required and well-formed.
  void validate_embedded_resource(const Object& object, const Location& at) {
    if (!member(object, "apiVersion")) add(required(at.child("apiVersion").field()));
    if (!member(object, "kind")) add(required(at.child("kind").field()));
    if (const Value* v = member(object, "apiVersion")) validate_api_version(*v, at.child("apiVersion"));
    if (const Value* v = member(object, "kind")) validate_kind(*v, at.child("kind"));
    if (const Value* v = member(object, "metadata"); v && !v->is_object()) {
      add(invalid(at.child("metadata").field(), bad_value(*v), "must be an object"));
    }
  }

  void validate_api_version(const Value& v, const Location& at) {
    if (!v.is_string()) return add(invalid(at.field(), bad_value(v), "must be a string"));
    const std::string_view text = v.get_string();
    if (text.empty()) return add(invalid(at.field(), "\"\"", "must not be empty"));
    if (std::count(text.begin(), text.end(), '/') > 1) {
      add(invalid(at.field(), quoted(text), "unexpected GroupVersion string: " + std::string(text)));
    }
  }

  void validate_kind(const Value& v, const Location& at) {
    if (!v.is_string()) return add(invalid(at.field(), bad_value(v), "must be a string"));
    const std::string_view text = v.get_string();
    if (text.empty()) return add(invalid(at.field(), "\"\"", "must not be empty"));
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower.size() > 63 || !full_match(lower, "[a-z]([-a-z0-9]*[a-z0-9])?")) {
      add(invalid(at.field(), quoted(text),
                  "may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case "
                  "alphanumeric characters or '-', start with an alphabetic character, and end with an "
                  "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
                  "'[a-z]([-a-z0-9]*[a-z0-9])?')"));
    }
  }

  std::vector<FieldError>* errors_;
};

// ================================================================================================
// check_structural_schema: the CRD schema rules of the API server
// (apis/apiextensions/validation: ValidateCustomResourceDefinitionOpenAPISchema;
//  apiserver/schema: ValidateStructural, completeness; schema/defaulting: ValidateDefaults).
// Paths are relative to the schema root: "" is the root, ".properties[spec].type" a keyword.
// ================================================================================================

std::string property_path(const std::string& path, std::string_view name) { return path + ".properties[" + std::string(name) + "]"; }
std::string keyword_path(const std::string& path, std::string_view keyword) { return path + "." + std::string(keyword); }

const Object* object_member(const Object& o, std::string_view key) {
  const Value* v = member(o, key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

const Array* array_member(const Object& o, std::string_view key) {
  const Value* v = member(o, key);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

/// The subschemas of a junctor keyword (allOf/anyOf/oneOf) that are objects.
std::vector<const Object*> junctor_branches(const Object& o, std::string_view key) {
  std::vector<const Object*> out;
  if (const Array* a = array_member(o, key)) {
    for (const Value& v : *a) out.push_back(v.is_object() ? &v.get_object() : nullptr);
  }
  return out;
}

bool is_set(const Object& o, std::string_view key) { return member(o, key) != nullptr; }

bool non_empty_array(const Object& o, std::string_view key) {
  const Array* a = array_member(o, key);
  return a && !a->empty();
}

bool non_empty_object(const Object& o, std::string_view key) {
  const Object* p = object_member(o, key);
  return p && !p->empty();
}

/// Keywords of JSONSchemaProps and the JSON kinds they accept: anything else cannot be decoded.
void check_keyword_kinds(const Object& o, const std::string& path, std::vector<FieldError>& errors) {
  enum Kind { kString, kBool, kNumber, kCount, kObject, kArray, kStrings, kSchemas, kSchemaOrBool, kSchemaOrArray };
  static const std::map<std::string_view, Kind> kKeywords = {
      {"type", kString}, {"format", kString}, {"title", kString}, {"description", kString}, {"pattern", kString},
      {"id", kString}, {"$schema", kString}, {"$ref", kString}, {"x-kubernetes-list-type", kString},
      {"x-kubernetes-map-type", kString}, {"nullable", kBool}, {"exclusiveMaximum", kBool},
      {"exclusiveMinimum", kBool}, {"uniqueItems", kBool}, {"x-kubernetes-preserve-unknown-fields", kBool},
      {"x-kubernetes-embedded-resource", kBool}, {"x-kubernetes-int-or-string", kBool}, {"maximum", kNumber},
      {"minimum", kNumber}, {"multipleOf", kNumber}, {"maxLength", kCount}, {"minLength", kCount},
      {"maxItems", kCount}, {"minItems", kCount}, {"maxProperties", kCount}, {"minProperties", kCount},
      {"properties", kObject}, {"patternProperties", kObject}, {"definitions", kObject},
      {"dependencies", kObject}, {"externalDocs", kObject}, {"enum", kArray}, {"x-kubernetes-validations", kArray},
      {"required", kStrings}, {"x-kubernetes-list-map-keys", kStrings}, {"allOf", kSchemas}, {"anyOf", kSchemas},
      {"oneOf", kSchemas}, {"not", kObject}, {"additionalProperties", kSchemaOrBool},
      {"additionalItems", kSchemaOrBool}, {"items", kSchemaOrArray}};
  const auto all_of_kind = [](const Value& v, bool (Value::*is)() const noexcept) {
    return v.is_array() && std::all_of(v.get_array().begin(), v.get_array().end(), [&](const Value& x) { return (x.*is)(); });
  };
  for (const auto& m : o) {
    const auto it = kKeywords.find(m.key());
    if (it == kKeywords.end()) continue;  // unknown keywords are dropped when decoding JSONSchemaProps
    const Value& v = m.value();
    const char* expected = nullptr;
    switch (it->second) {
      case kString: expected = v.is_string() ? nullptr : "must be a string"; break;
      case kBool: expected = v.is_bool() ? nullptr : "must be a boolean"; break;
      case kNumber: expected = is_number(v) ? nullptr : "must be a number"; break;
      case kCount: expected = is_integer(v) ? nullptr : "must be an integer"; break;
      case kObject: expected = v.is_object() ? nullptr : "must be an object"; break;
      case kArray: expected = v.is_array() ? nullptr : "must be an array"; break;
      case kStrings: expected = all_of_kind(v, &Value::is_string) ? nullptr : "must be an array of strings"; break;
      case kSchemas: expected = all_of_kind(v, &Value::is_object) ? nullptr : "must be an array of schemas"; break;
      case kSchemaOrBool: expected = v.is_object() || v.is_bool() ? nullptr : "must be a schema or a boolean"; break;
      case kSchemaOrArray: expected = v.is_object() || all_of_kind(v, &Value::is_object) ? nullptr : "must be a schema or an array of schemas"; break;
    }
    if (expected) errors.push_back(invalid(keyword_path(path, m.key()), bad_value(v), expected));
  }
}

/// ValidateCustomResourceDefinitionOpenAPISchema: per-node rules on every schema, also inside
/// allOf/anyOf/oneOf/not.
class OpenAPIRules {
 public:
  explicit OpenAPIRules(std::vector<FieldError>* errors) : errors_(errors) {}

  struct Context {
    bool allow_defaults = true;
    std::string defaults_forbidden_reason;
    bool inside_resource_meta = false;
  };

  void check(const Object& s, const std::string& path, const Context& ctx, bool is_root) {
    check_keyword_kinds(s, path, *errors_);
    check_node(s, path, ctx);
    check_additional_properties(s, path, ctx);
    check_properties(s, path, ctx, is_root);
    for (std::string_view junctor : {"allOf", "oneOf", "anyOf"}) {
      const auto branches = junctor_branches(s, junctor);
      for (std::size_t i = 0; i < branches.size(); ++i) {
        if (branches[i]) check(*branches[i], index_path(keyword_path(path, junctor), i), ctx, false);
      }
    }
    if (const Object* n = object_member(s, "not")) check(*n, keyword_path(path, "not"), ctx, false);
    if (const Object* items = object_member(s, "items")) check(*items, keyword_path(path, "items"), ctx, false);
    check_extensions(s, path);
    check_list_type(s, path);
  }

 private:
  void add(FieldError e) { errors_->push_back(std::move(e)); }

  void check_node(const Object& s, const std::string& path, const Context& ctx) {
    const std::string_view type = string_or_empty(s, "type");
    static const std::vector<std::string> kTypes = {"array", "boolean", "integer", "number", "object", "string"};
    if (!type.empty() && std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end()) {
      add(not_supported(keyword_path(path, "type"), quoted(type), kTypes));
    }
    if (type == "null") add(forbidden(keyword_path(path, "type"), "type cannot be set to null, use nullable as an alternative"));
    if (is_set(s, "default") && !ctx.allow_defaults) {
      add(forbidden(keyword_path(path, "default"), "must not be set" + (ctx.defaults_forbidden_reason.empty() ? "" : " " + ctx.defaults_forbidden_reason)));
    }
    for (std::string_view unsupported : {"id", "$schema", "additionalItems", "patternProperties", "definitions", "dependencies", "$ref"}) {
      if (is_set(s, unsupported)) add(forbidden(keyword_path(path, unsupported), std::string(unsupported) + " is not supported"));
    }
    if (const Value* items = member(s, "items"); items && items->is_array()) {
      add(forbidden(keyword_path(path, "items"), "items must be a schema object and not an array"));
    }
    if (ctx.inside_resource_meta && flag(s, "x-kubernetes-embedded-resource")) {
      add(forbidden(keyword_path(path, "x-kubernetes-embedded-resource"), "must not be used inside of resource meta"));
    }
    if (flag(s, "uniqueItems")) {
      add(forbidden(keyword_path(path, "uniqueItems"), "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
    }
  }

  // properties are for structs, additionalProperties for maps: both at once would contradict the
  // Kubernetes convention of ignoring unknown fields (additionalProperties: true is harmless).
  void check_additional_properties(const Object& s, const std::string& path, const Context& ctx) {
    const Value* ap = member(s, "additionalProperties");
    if (!ap) return;
    const bool restricts = ap->is_object() || (ap->is_bool() && !ap->get_bool());
    if (non_empty_object(s, "properties") && restricts) {
      add(forbidden(keyword_path(path, "additionalProperties"), "additionalProperties and properties are mutual exclusive"));
    }
    if (!ap->is_object()) return;
    Context sub = ctx;
    if (ctx.inside_resource_meta) {  // pruning without an actual value would be ambiguous
      sub.allow_defaults = false;
      sub.defaults_forbidden_reason = "inside additionalProperties applying to object metadata";
    }
    check(ap->get_object(), keyword_path(path, "additionalProperties"), sub, false);
  }

  void check_properties(const Object& s, const std::string& path, const Context& ctx, bool is_root) {
    const Object* properties = object_member(s, "properties");
    if (!properties) return;
    for (const auto& m : *properties) {
      if (!m.value().is_object()) {
        add(invalid(property_path(path, m.key()), bad_value(m.value()), "must be a schema"));
        continue;
      }
      Context sub = ctx;
      if ((is_root || flag(s, "x-kubernetes-embedded-resource")) && is_type_or_object_meta(m.key())) {
        sub.inside_resource_meta = true;
        if (is_root) {
          sub.allow_defaults = false;
          sub.defaults_forbidden_reason = "in top-level " + std::string(m.key());
        }
      }
      check(m.value().get_object(), property_path(path, m.key()), sub, false);
    }
  }

  void check_extensions(const Object& s, const std::string& path) {
    if (const Value* p = member(s, "x-kubernetes-preserve-unknown-fields"); p && p->is_bool() && !p->get_bool()) {
      add(invalid(keyword_path(path, "x-kubernetes-preserve-unknown-fields"), "false", "must be true or undefined"));
    }
    const std::string_view type = string_or_empty(s, "type");
    if (is_set(s, "x-kubernetes-map-type")) {
      if (type.empty()) add(required(keyword_path(path, "type"), "must be object if x-kubernetes-map-type is specified"));
      else if (type != "object") add(invalid(keyword_path(path, "type"), quoted(type), "must be object if x-kubernetes-map-type is specified"));
      const std::string_view map_type = string_or_empty(s, "x-kubernetes-map-type");
      if (map_type != "atomic" && map_type != "granular") {
        add(not_supported(keyword_path(path, "x-kubernetes-map-type"), quoted(map_type), {"atomic", "granular"}));
      }
    }
  }

  void check_list_type(const Object& s, const std::string& path) {
    const std::string_view type = string_or_empty(s, "type");
    const bool has_list_type = is_set(s, "x-kubernetes-list-type");
    const std::string_view list_type = string_or_empty(s, "x-kubernetes-list-type");
    if (has_list_type && type != "array") {
      if (type.empty()) add(required(keyword_path(path, "type"), "must be array if x-kubernetes-list-type is specified"));
      else add(invalid(keyword_path(path, "type"), quoted(type), "must be array if x-kubernetes-list-type is specified"));
    } else if (list_type == "set") {
      check_set_items(s, path);
    }
    if (has_list_type && list_type != "atomic" && list_type != "set" && list_type != "map") {
      add(not_supported(keyword_path(path, "x-kubernetes-list-type"), quoted(list_type), {"atomic", "set", "map"}));
    }
    if (non_empty_array(s, "x-kubernetes-list-map-keys")) {
      if (!has_list_type) add(required(keyword_path(path, "x-kubernetes-list-type"), "must be map if x-kubernetes-list-map-keys is non-empty"));
      else if (list_type != "map") add(invalid(keyword_path(path, "x-kubernetes-list-type"), quoted(list_type), "must be map if x-kubernetes-list-map-keys is non-empty"));
    }
    if (list_type == "map") check_map_list(s, path);
    if (list_type == "set" || list_type == "map") check_set_or_map_items(s, path, list_type);
  }

  /// Items of a set are compared whole: nested lists and maps must be atomic.
  void check_set_items(const Object& s, const std::string& path) {
    const Object* items = object_member(s, "items");
    if (!items) return;
    const std::string items_path = keyword_path(path, "items");
    const std::string_view item_type = string_or_empty(*items, "type");
    if (item_type == "array" && is_set(*items, "x-kubernetes-list-type") && string_or_empty(*items, "x-kubernetes-list-type") != "atomic") {
      add(invalid(keyword_path(items_path, "x-kubernetes-list-type"), bad_value(*member(*items, "x-kubernetes-list-type")),
                  "must be atomic as item of a list with x-kubernetes-list-type=set"));
    }
    if (item_type == "object" && string_or_empty(*items, "x-kubernetes-map-type") != "atomic") {
      const Value* map_type = member(*items, "x-kubernetes-map-type");
      add(invalid(keyword_path(items_path, "x-kubernetes-map-type"), map_type ? bad_value(*map_type) : "null",
                  "must be atomic as item of a list with x-kubernetes-list-type=set"));
    }
  }

  void check_map_list(const Object& s, const std::string& path) {
    const std::vector<std::string_view> keys = strings_or_empty(s, "x-kubernetes-list-map-keys");
    if (keys.empty()) add(required(keyword_path(path, "x-kubernetes-list-map-keys"), "must not be empty if x-kubernetes-list-type is map"));
    const Value* items = member(s, "items");
    if (!items) return add(required(keyword_path(path, "items"), "must have a schema if x-kubernetes-list-type is map"));
    if (!items->is_object()) return add(invalid(keyword_path(path, "items"), bad_value(*items), "must only have a single schema if x-kubernetes-list-type is map"));
    const Object& item = items->get_object();
    const std::string_view item_type = string_or_empty(item, "type");
    if (item_type != "object") {
      return add(invalid(keyword_path(path, "items.type"), quoted(item_type), "must be object if parent array's x-kubernetes-list-type is map"));
    }
    const Object* properties = object_member(item, "properties");
    const Value* keys_value = member(s, "x-kubernetes-list-map-keys");
    const std::string keys_json = keys_value ? go_json(*keys_value) : "null";
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const Value* key_schema = properties ? member(*properties, keys[i]) : nullptr;
      if (!key_schema) {
        add(invalid(keyword_path(path, "x-kubernetes-list-map-keys"), keys_json, "entries must all be names of item properties"));
      } else if (key_schema->is_object()) {
        const std::string_view key_type = string_or_empty(key_schema->get_object(), "type");
        if (key_type == "array" || key_type == "object") {
          add(invalid(property_path(keyword_path(path, "items"), keys[i]) + ".type", quoted(item_type),
                      "must be a scalar type if parent array's x-kubernetes-list-type is map"));
        }
      }
      if (std::find(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(i), keys[i]) != keys.begin() + static_cast<std::ptrdiff_t>(i)) {
        add(invalid(keyword_path(path, "x-kubernetes-list-map-keys"), keys_json, "must not contain duplicate entries"));
      }
    }
  }

  /// Set and map items need an identity: no null items, and map keys always present.
  void check_set_or_map_items(const Object& s, const std::string& path, std::string_view list_type) {
    const Object* items = object_member(s, "items");
    if (!items) return;
    const std::string items_path = keyword_path(path, "items");
    if (flag(*items, "nullable")) add(forbidden(keyword_path(items_path, "nullable"), "cannot be nullable when x-kubernetes-list-type is " + std::string(list_type)));
    if (list_type != "map") return;
    const std::vector<std::string_view> required_fields = strings_or_empty(*items, "required");
    const Object* properties = object_member(*items, "properties");
    for (std::string_view key : strings_or_empty(s, "x-kubernetes-list-map-keys")) {
      const Object* key_schema = properties ? object_member(*properties, key) : nullptr;
      if (!key_schema) continue;  // reported above
      const bool is_required = std::find(required_fields.begin(), required_fields.end(), key) != required_fields.end();
      if (!is_required && !is_set(*key_schema, "default")) {
        add(required(property_path(items_path, key) + ".default", "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"));
      }
      if (flag(*key_schema, "nullable")) {
        add(forbidden(property_path(items_path, key) + ".nullable", "this property is in x-kubernetes-list-map-keys, so it cannot be nullable"));
      }
    }
  }

  std::vector<FieldError>* errors_;
};

/// ValidateStructural: every field is typed outside of value validations (allOf/anyOf/oneOf/not),
/// which may not add structure, types, defaults or extensions of their own.
class StructuralRules {
 public:
  explicit StructuralRules(std::vector<FieldError>* errors) : errors_(errors) {}

  enum class Level { root, item, field };

  void check(const Object& s, const std::string& path, Level level) {
    const std::string_view type = string_or_empty(s, "type");
    if (type == "array" && !is_set(s, "items")) add(required(keyword_path(path, "items"), "must be specified"));
    if (const Object* items = object_member(s, "items")) check(*items, keyword_path(path, "items"), Level::item);
    if (const Object* properties = object_member(s, "properties")) {
      for (const auto& m : *properties) {
        if (m.value().is_object()) check(m.value().get_object(), property_path(path, m.key()), Level::field);
      }
    }
    if (is_set(s, "additionalProperties")) {
      if (level == Level::root) add(forbidden(keyword_path(path, "additionalProperties"), "must not be used at the root"));
      if (const Object* ap = object_member(s, "additionalProperties")) check(*ap, keyword_path(path, "additionalProperties"), Level::field);
    }
    check_extensions(s, path);
    check_value_validation(s, path, is_int_or_string_any_of(s), is_int_or_string_all_of(s));
    check_type(s, path, level);
    check_resource_meta(s, path, level);
  }

 private:
  void add(FieldError e) { errors_->push_back(std::move(e)); }

  /// The anyOf of x-kubernetes-int-or-string: exactly [{type: integer}, {type: string}].
  static bool is_int_or_string_any_of(const Object& s) {
    const Array* any_of = array_member(s, "anyOf");
    static const Value kPattern = json::parse(R"([{"type":"integer"},{"type":"string"}])");
    return any_of && json::equal(Value(*any_of), kPattern);
  }

  static bool is_int_or_string_all_of(const Object& s) {
    const Array* all_of = array_member(s, "allOf");
    return all_of && !all_of->empty() && (*all_of)[0].is_object() && is_int_or_string_any_of((*all_of)[0].get_object());
  }

  void check_extensions(const Object& s, const std::string& path) {
    if (!flag(s, "x-kubernetes-int-or-string")) return;
    if (flag(s, "x-kubernetes-preserve-unknown-fields")) {
      add(invalid(keyword_path(path, "x-kubernetes-preserve-unknown-fields"), "true", "must be false if x-kubernetes-int-or-string is true"));
    }
    if (flag(s, "x-kubernetes-embedded-resource")) {
      add(invalid(keyword_path(path, "x-kubernetes-embedded-resource"), "true", "must be false if x-kubernetes-int-or-string is true"));
    }
  }

  void check_type(const Object& s, const std::string& path, Level level) {
    const std::string_view type = string_or_empty(s, "type");
    const bool embedded = flag(s, "x-kubernetes-embedded-resource");
    const std::string type_path = keyword_path(path, "type");
    if (embedded && type != "object") {
      if (type.empty()) add(required(type_path, "must be object if x-kubernetes-embedded-resource is true"));
      else add(invalid(type_path, quoted(type), "must be object if x-kubernetes-embedded-resource is true"));
    } else if (type.empty() && !flag(s, "x-kubernetes-int-or-string") && !flag(s, "x-kubernetes-preserve-unknown-fields")) {
      static constexpr const char* kWhere[] = {"at the root", "for specified array items", "for specified object fields"};
      add(required(type_path, std::string("must not be empty ") + kWhere[static_cast<int>(level)]));
    }
    if (embedded && is_set(s, "additionalProperties")) {
      add(forbidden(keyword_path(path, "additionalProperties"), "must not be used if x-kubernetes-embedded-resource is set"));
    }
    if (level == Level::root && !type.empty() && type != "object") add(invalid(type_path, quoted(type), "must be object at the root"));
    if (embedded && !flag(s, "x-kubernetes-preserve-unknown-fields") && !non_empty_object(s, "properties")) {
      add(required(keyword_path(path, "properties"), "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"));
    }
  }

  /// apiVersion, kind and metadata of a resource (the root or an embedded one) have fixed shapes;
  /// at the root, metadata may only restrict name and generateName.
  void check_resource_meta(const Object& s, const std::string& path, Level level) {
    const bool resource = level == Level::root || flag(s, "x-kubernetes-embedded-resource");
    const Object* properties = object_member(s, "properties");
    if (!properties) return;
    for (std::string_view field : {"kind", "apiVersion"}) {
      const Object* p = object_member(*properties, field);
      if (resource && p && string_or_empty(*p, "type") != "string") {
        add(invalid(property_path(path, field) + ".type", quoted(string_or_empty(*p, "type")), "must be string"));
      }
    }
    const Object* metadata = object_member(*properties, "metadata");
    if (!metadata) return;
    const std::string metadata_path = property_path(path, "metadata");
    if (resource && string_or_empty(*metadata, "type") != "object") {
      add(invalid(metadata_path + ".type", quoted(string_or_empty(*metadata, "type")), "must be object"));
    }
    if (level == Level::root && !only_restricts_names(*metadata)) {
      add(forbidden(metadata_path, "must not specify anything other than name and generateName, but metadata is implicitly specified"));
    }
  }

  static bool only_restricts_names(const Object& metadata) {
    for (const auto& m : metadata) {
      const std::string_view key = m.key();
      if (key == "type" || key == "default" || key == "$schema" || key == "id") continue;  // checked elsewhere
      if (key == "x-kubernetes-preserve-unknown-fields" && m.value() == Value(false)) continue;
      if (key != "properties" || !m.value().is_object()) return false;
      for (const auto& p : m.value().get_object()) {
        if (p.key() != "name" && p.key() != "generateName") return false;
      }
    }
    return true;
  }

  // ---- value validations (the "nested" schemas under logical junctors) -------------------------

  void check_value_validation(const Object& v, const std::string& path, bool skip_any_of, bool skip_first_all_of_any_of) {
    const auto nested = [&](std::string_view junctor, bool skip_first_any_of) {
      const auto branches = junctor_branches(v, junctor);
      for (std::size_t i = 0; i < branches.size(); ++i) {
        if (branches[i]) check_nested(*branches[i], index_path(keyword_path(path, junctor), i), skip_first_any_of && i == 0);
      }
    };
    if (!skip_any_of) nested("anyOf", false);
    nested("allOf", skip_first_all_of_any_of);
    nested("oneOf", false);
    if (const Object* n = object_member(v, "not")) check_nested(*n, keyword_path(path, "not"), false);
    if (const std::string_view pattern = string_or_empty(v, "pattern"); !pattern.empty()) {
      std::string error;
      if (!patterns().get(pattern, &error)) {
        add(invalid(keyword_path(path, "pattern"), quoted(pattern), "must be a valid regular expression, but isn't: " + error));
      }
    }
  }

  void check_nested(const Object& v, const std::string& path, bool skip_any_of) {
    check_value_validation(v, path, skip_any_of, false);
    if (const Object* items = object_member(v, "items")) check_nested(*items, keyword_path(path, "items"), false);
    if (const Object* properties = object_member(v, "properties")) {
      for (const auto& m : *properties) {
        if (m.value().is_object()) check_nested(m.value().get_object(), property_path(path, m.key()), false);
      }
      if (is_set(*properties, "metadata")) add(forbidden(property_path(path, "metadata"), "must not be specified in a nested context"));
    }
    struct Rule {
      std::string_view keyword;
      bool (*violated)(const Object&, std::string_view);
      const char* detail;
    };
    static const Rule kRules[] = {
        {"type", [](const Object& o, std::string_view k) { return !string_or_empty(o, k).empty(); }, "must be empty to be structural"},
        {"additionalProperties", is_set, "must be undefined to be structural"},
        {"default", [](const Object& o, std::string_view k) { return is_set(o, k) && !member(o, k)->is_null(); }, "must be undefined to be structural"},
        {"title", [](const Object& o, std::string_view k) { return !string_or_empty(o, k).empty(); }, "must be empty to be structural"},
        {"description", [](const Object& o, std::string_view k) { return !string_or_empty(o, k).empty(); }, "must be empty to be structural"},
        {"nullable", flag, "must be false to be structural"},
        {"x-kubernetes-preserve-unknown-fields", flag, "must be false to be structural"},
        {"x-kubernetes-embedded-resource", flag, "must be false to be structural"},
        {"x-kubernetes-int-or-string", flag, "must be false to be structural"},
        {"x-kubernetes-list-map-keys", non_empty_array, "must be empty to be structural"},
        {"x-kubernetes-list-type", is_set, "must be undefined to be structural"},
        {"x-kubernetes-map-type", is_set, "must be undefined to be structural"},
        {"x-kubernetes-validations", non_empty_array, "must be empty to be structural"},
    };
    for (const Rule& rule : kRules) {
      if (rule.violated(v, rule.keyword)) add(forbidden(keyword_path(path, rule.keyword), rule.detail));
    }
  }

  std::vector<FieldError>* errors_;
};

void check_branch_completeness(const Object& branch, const Object* s, const std::string& s_path,
                               const std::string& branch_path, std::vector<FieldError>& errors);

/// Value validations may only refer to properties and items the structural part declares. Like
/// the API server, this looks at the junctors of the root schema (and what they nest).
void check_completeness(const Object& v, const Object* s, const std::string& s_path, const std::string& v_path,
                        std::vector<FieldError>& errors) {
  for (std::string_view junctor : {"allOf", "anyOf", "oneOf"}) {
    const auto branches = junctor_branches(v, junctor);
    for (std::size_t i = 0; i < branches.size(); ++i) {
      if (branches[i]) check_branch_completeness(*branches[i], s, s_path, index_path(keyword_path(v_path, junctor), i), errors);
    }
  }
  if (const Object* n = object_member(v, "not")) check_branch_completeness(*n, s, s_path, keyword_path(v_path, "not"), errors);
}

void check_branch_completeness(const Object& branch, const Object* s, const std::string& s_path,
                               const std::string& branch_path, std::vector<FieldError>& errors) {
  check_completeness(branch, s, s_path, branch_path, errors);
  if (const Object* items = object_member(branch, "items")) {
    const std::string items_path = keyword_path(s_path, "items");
    if (const Object* s_items = object_member(*s, "items")) {
      check_branch_completeness(*items, s_items, items_path, keyword_path(branch_path, "items"), errors);
    } else {
      errors.push_back(required(items_path, "because it is defined in " + keyword_path(branch_path, "items")));
    }
  }
  const Object* properties = object_member(branch, "properties");
  if (!properties) return;
  const Object* s_properties = object_member(*s, "properties");
  for (const auto& m : *properties) {
    const std::string field_path = property_path(s_path, m.key());
    const Object* s_field = s_properties ? object_member(*s_properties, m.key()) : nullptr;
    if (!s_field) {
      errors.push_back(required(field_path, "because it is defined in " + property_path(branch_path, m.key())));
    } else if (m.value().is_object()) {
      check_branch_completeness(m.value().get_object(), s_field, field_path, property_path(branch_path, m.key()), errors);
    }
  }
}

/// Defaults must validate against their own schema and contain no field the schema would prune
/// (defaulting/validation.go). Like the API server this does not follow additionalProperties,
/// and treats the object root as an embedded resource.
void check_defaults(const Object& s, const std::string& path, bool inside_meta, bool resource_root,
                    std::vector<FieldError>& errors) {
  Node node = Node::parse(s);
  node.embedded = node.embedded || resource_root;
  if (node.embedded) inside_meta = false;
  if (node.default_value) {
    const Value& value = *node.default_value;
    if (!inside_meta) {
      Value pruned = value;
      std::vector<std::string> unknown;
      Pruner(true, &unknown).prune(pruned, &node, "");
      if (!unknown.empty()) errors.push_back(invalid(keyword_path(path, "default"), bad_value(value), "must not have unknown fields"));
    }
    Validator(&errors).validate(value, node, Location{path, "default"});
  }
  if (const Object* items = object_member(s, "items")) check_defaults(*items, keyword_path(path, "items"), inside_meta, false, errors);
  if (const Object* properties = object_member(s, "properties")) {
    for (const auto& m : *properties) {
      if (!m.value().is_object()) continue;
      const bool meta = inside_meta || (node.embedded && is_type_or_object_meta(m.key()));
      check_defaults(m.value().get_object(), property_path(path, m.key()), meta, false, errors);
    }
  }
}

}  // namespace

std::vector<FieldError> check_structural_schema(const json::Value& schema) {
  if (!schema.is_object()) return {invalid("", bad_value(schema), "must be an object")};
  const Object& root = schema.get_object();
  std::vector<FieldError> errors;

  StructuralRules(&errors).check(root, "", StructuralRules::Level::root);
  check_completeness(root, &root, "", "", errors);
  if (errors.empty()) check_defaults(root, "", false, /*resource_root=*/true, errors);  // needs a structural schema
  if (flag(root, "nullable")) errors.push_back(forbidden(".nullable", "nullable cannot be true at the root"));
  OpenAPIRules(&errors).check(root, "", {}, /*is_root=*/true);

  // The API server sorts its (map-ordered) findings; so do we, for stable output.
  std::stable_sort(errors.begin(), errors.end(), [](const FieldError& a, const FieldError& b) {
    return std::tie(a.field, a.message) < std::tie(b.field, b.message);
  });
  errors.erase(std::unique(errors.begin(), errors.end()), errors.end());
  return errors;
}

SchemaResult apply_structural_schema(json::Value& object, const json::Value& schema, const SchemaOptions& options) {
  SchemaResult result;
  const Node root = Node::parse(schema);

  // The API server's order: decoding prunes (and drops nulls a Go struct could not hold), then
  // defaults apply, then the result is validated.
  Pruner(options.prune, &result.unknown).prune_resource(object, root);
  if (options.prune) drop_nulls_without_default(object, &root);
  if (options.defaults) apply_defaults(object, root);
  Validator(&result.errors).validate(object, root, Location{});

  std::sort(result.unknown.begin(), result.unknown.end());
  return result;
}

}  // namespace kube::apiserver
