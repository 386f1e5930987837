#include "kube/core/yaml.h"

#include <yaml.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "kube/core/error.h"

namespace kube::yaml {

namespace {

// ---- errors ------------------------------------------------------------------------------------

[[noreturn]] void fail_at(std::size_t line, std::size_t column, std::string_view problem) {
  throw json::DecodeError("YAML: line " + std::to_string(line) + ", column " + std::to_string(column) + ": " +
                          std::string(problem));
}

// libyaml marks are 0-based; messages are 1-based like editors.
[[noreturn]] void fail(const yaml_mark_t& mark, std::string_view problem) {
  fail_at(mark.line + 1, mark.column + 1, problem);
}

// Reader errors (bad UTF-8, control characters) only carry a byte offset.
[[noreturn]] void fail_at_offset(std::string_view text, std::size_t offset, std::string_view problem) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;  // count characters, not UTF-8 continuation bytes
    }
  }
  fail_at(line, column, problem);
}

[[noreturn]] void fail_parser(const yaml_parser_t& parser, std::string_view text) {
  std::string problem = parser.problem ? parser.problem : "malformed YAML";
  switch (parser.error) {
    case YAML_MEMORY_ERROR:
      throw json::DecodeError("YAML: out of memory");
    case YAML_READER_ERROR:
      fail_at_offset(text, parser.problem_offset, problem);
    default:
      break;
  }
  if (parser.context) {
    problem += " (";
    problem += parser.context;
    problem += " at line " + std::to_string(parser.context_mark.line + 1) + ", column " +
               std::to_string(parser.context_mark.column + 1) + ")";
  }
  fail(parser.problem_mark, problem);
}

// ---- core schema (YAML 1.2) ----------------------------------------------------------------------

json::Value string_value(std::string_view s) { return json::Value(boost::json::string(s)); }

bool is_null_text(std::string_view s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

std::optional<bool> bool_of(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

bool all_of(std::string_view s, bool (*pred)(char)) {
  for (char c : s)
    if (!pred(c)) return false;
  return !s.empty();
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_octal(char c) { return c >= '0' && c <= '7'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// A JSON integer from unsigned digits: int64 when it fits, else uint64.
std::optional<json::Value> unsigned_int(std::string_view digits, int base) {
  std::uint64_t u = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), u, base);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  if (u <= static_cast<std::uint64_t>(INT64_MAX)) return json::Value(static_cast<std::int64_t>(u));
  return json::Value(u);
}

// [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+. Decimals beyond 64 bits are left to the float rule.
std::optional<json::Value> int_of(std::string_view s) {
  if (s.size() > 2 && s[0] == '0' && s[1] == 'o')
    return all_of(s.substr(2), is_octal) ? unsigned_int(s.substr(2), 8) : std::nullopt;
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x')
    return all_of(s.substr(2), is_hex) ? unsigned_int(s.substr(2), 16) : std::nullopt;
  bool negative = !s.empty() && s[0] == '-';
  std::string_view digits = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? s.substr(1) : s;
  if (!all_of(digits, is_digit)) return std::nullopt;
  if (!negative) return unsigned_int(digits, 10);
  std::int64_t i = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return json::Value(i);
}

// Roughly log10 of an unsigned decimal float (digits, optional fraction and exponent): tells an
// overflow from an underflow when std::from_chars reports result_out_of_range.
long decimal_magnitude(std::string_view s) {
  std::size_t e = s.find_first_of("eE");
  long exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view digits = s.substr(e + 1);
    bool minus = !digits.empty() && digits[0] == '-';
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
    for (char c : digits) exponent = std::min(exponent * 10 + (c - '0'), 100000L);  // saturate
    if (minus) exponent = -exponent;
    s = s.substr(0, e);
  }
  std::size_t dot = s.find('.');
  std::string_view int_part = s.substr(0, dot), frac = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  std::size_t first = int_part.find_first_not_of('0');
  if (first != std::string_view::npos) return exponent + static_cast<long>(int_part.size() - first);
  std::size_t lead = frac.find_first_not_of('0');
  if (lead == std::string_view::npos) return LONG_MIN / 2;  // zero
  return exponent - static_cast<long>(lead);
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? and [-+]?.inf, .nan (any of the three cases).
std::optional<double> float_of(std::string_view s) {
  std::string_view body = s;
  bool negative = false;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF") return negative ? -INFINITY : INFINITY;
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return NAN;
  // Validate the grammar by hand: std::from_chars also accepts "inf", hex floats and so on.
  std::size_t i = 0, n = body.size();
  std::size_t int_digits = 0, frac_digits = 0;
  while (i < n && is_digit(body[i])) ++i, ++int_digits;
  if (i < n && body[i] == '.') {
    ++i;
    while (i < n && is_digit(body[i])) ++i, ++frac_digits;
    if (int_digits == 0 && frac_digits == 0) return std::nullopt;
  } else if (int_digits == 0) {
    return std::nullopt;
  }
  if (i < n && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < n && (body[i] == '-' || body[i] == '+')) ++i;
    std::size_t exp_digits = 0;
    while (i < n && is_digit(body[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != n) return std::nullopt;
  double d = 0;
  auto [end, ec] = std::from_chars(body.data(), body.data() + n, d);
  if (ec == std::errc::result_out_of_range) {
    d = decimal_magnitude(body) > 0 ? INFINITY : 0.0;  // rejected as not finite by the caller
  } else if (ec != std::errc() || end != body.data() + n) {
    return std::nullopt;
  }
  return negative ? -d : d;
}

json::Value finite(double d, const yaml_mark_t& mark, std::string_view text) {
  if (!std::isfinite(d)) fail(mark, "\"" + std::string(text) + "\" is not a finite number (JSON has no Inf or NaN)");
  return json::Value(d);
}

// A plain, untagged scalar by the core schema: null, bool, int, float, else string.
json::Value resolve_plain(std::string_view s, const yaml_mark_t& mark) {
  if (is_null_text(s)) return nullptr;
  if (auto b = bool_of(s)) return *b;
  if (auto i = int_of(s)) return std::move(*i);
  if (auto d = float_of(s)) return finite(*d, mark, s);
  return string_value(s);
}

// Whether the core schema reads s, written plain, as a string.
bool resolves_to_string(std::string_view s) {
  return !is_null_text(s) && !bool_of(s) && !int_of(s) && !float_of(s);
}

constexpr std::string_view kCoreTag = "tag:yaml.org,2002:";

// The value of a scalar event, honouring explicit tags (!!str, !!int, ...), else the style.
json::Value scalar_value(const yaml_event_t& event) {
  const auto& sc = event.data.scalar;
  std::string_view text(reinterpret_cast<const char*>(sc.value), sc.length);
  const yaml_mark_t& mark = event.start_mark;
  std::string_view tag = sc.tag ? reinterpret_cast<const char*>(sc.tag) : "";
  if (tag.empty()) {
    if (sc.style == YAML_PLAIN_SCALAR_STYLE) return resolve_plain(text, mark);
    return string_value(text);  // quoted and block scalars are always strings
  }
  if (tag == "!") return string_value(text);  // the non-specific tag: "not resolved", i.e. a string
  if (tag.starts_with(kCoreTag)) {
    std::string_view name = tag.substr(kCoreTag.size());
    if (name == "str") return string_value(text);
    if (name == "null") {
      if (!is_null_text(text)) fail(mark, "invalid !!null value \"" + std::string(text) + "\"");
      return nullptr;
    }
    if (name == "bool") {
      if (auto b = bool_of(text)) return *b;
      fail(mark, "invalid !!bool value \"" + std::string(text) + "\"");
    }
    if (name == "int") {
      if (auto i = int_of(text)) return std::move(*i);
      fail(mark, "invalid !!int value \"" + std::string(text) + "\"");
    }
    if (name == "float") {
      if (auto i = int_of(text)) return json::Value(i->to_number<double>());
      if (auto d = float_of(text)) return finite(*d, mark, text);
      fail(mark, "invalid !!float value \"" + std::string(text) + "\"");
    }
    if (name == "map" || name == "seq") fail(mark, "tag !!" + std::string(name) + " on a scalar");
  }
  // Other tags (!!timestamp, !!binary, application tags): keep the text as the style says.
  if (sc.style == YAML_PLAIN_SCALAR_STYLE) return resolve_plain(text, mark);
  return string_value(text);
}

// Rejects scalar-only core tags on collections (e.g. `!!str {a: 1}`); other tags are ignored.
void check_collection_tag(const yaml_char_t* raw_tag, const yaml_mark_t& mark, bool mapping) {
  if (!raw_tag) return;
  std::string_view tag = reinterpret_cast<const char*>(raw_tag);
  if (!tag.starts_with(kCoreTag)) return;
  std::string_view name = tag.substr(kCoreTag.size());
  if (name == (mapping ? "map" : "seq")) return;
  if (name == "str" || name == "int" || name == "float" || name == "bool" || name == "null" ||
      name == (mapping ? "seq" : "map"))
    fail(mark, "tag !!" + std::string(name) + " on a " + (mapping ? "mapping" : "sequence"));
}

// Shortest text that reads back as the same double ("1e+21", "0.5").
std::string double_text(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  (void)ec;  // 64 bytes always suffice for the shortest form
  return std::string(buf, end);
}

// JSON object keys are strings; non-string scalar keys (`1:`, `true:`) take their canonical text,
// as Kubernetes does when converting YAML to JSON.
std::string key_text(const json::Value& key, const yaml_mark_t& mark) {
  switch (key.kind()) {
    case boost::json::kind::string:
      return std::string(key.get_string());
    case boost::json::kind::int64:
      return std::to_string(key.get_int64());
    case boost::json::kind::uint64:
      return std::to_string(key.get_uint64());
    case boost::json::kind::double_:
      return double_text(key.get_double());
    case boost::json::kind::bool_:
      return key.get_bool() ? "true" : "false";
    case boost::json::kind::null:
      fail(mark, "a mapping key is null (JSON object keys must be strings)");
    default:
      fail(mark, "mapping keys must be scalars");
  }
}

// ---- events to JSON ---------------------------------------------------------------------------

// Guards against "billion laughs": aliases copy their anchor's value, so cap the copied nodes.
constexpr std::size_t kMaxAliasNodes = 1'000'000;
// Deep nesting would recurse when values are copied or destroyed.
constexpr std::size_t kMaxDepth = 1000;

class DocumentBuilder {
 public:
  void begin() {
    anchors_.clear();
    stack_.clear();
    root_.reset();
    root_is_empty_ = false;
    alias_nodes_ = 0;
  }

  /// The finished document, or nullopt for an empty one ("---" with nothing after it).
  std::optional<json::Value> finish() {
    if (root_is_empty_) return std::nullopt;
    return std::move(root_);
  }

  void scalar(const yaml_event_t& event) {
    const auto& sc = event.data.scalar;
    json::Value value = scalar_value(event);
    bool plain_untagged = sc.style == YAML_PLAIN_SCALAR_STYLE && !sc.tag;
    if (stack_.empty() && plain_untagged && sc.length == 0 && !sc.anchor) root_is_empty_ = true;
    bool merge_key = plain_untagged && std::string_view(reinterpret_cast<const char*>(sc.value), sc.length) == "<<";
    complete(std::move(value), 1, sc.anchor ? reinterpret_cast<const char*>(sc.anchor) : "", event.start_mark,
             merge_key);
  }

  void alias(const yaml_event_t& event) {
    std::string name = reinterpret_cast<const char*>(event.data.alias.anchor);
    auto it = anchors_.find(name);
    // An alias inside its own anchor's node also lands here: the anchor is registered on completion.
    if (it == anchors_.end()) fail(event.start_mark, "unknown anchor \"" + name + "\"");
    alias_nodes_ += it->second.nodes;
    if (alias_nodes_ > kMaxAliasNodes) fail(event.start_mark, "aliases expand to too many nodes");
    complete(it->second.value, it->second.nodes, "", event.start_mark, false);
  }

  void start(const yaml_event_t& event, bool mapping) {
    if (stack_.size() >= kMaxDepth) fail(event.start_mark, "nesting too deep");
    const yaml_char_t* anchor = mapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor;
    check_collection_tag(mapping ? event.data.mapping_start.tag : event.data.sequence_start.tag, event.start_mark,
                         mapping);
    Frame frame;
    if (mapping)
      frame.value = json::Object();
    else
      frame.value = json::Array();
    if (anchor) frame.anchor = reinterpret_cast<const char*>(anchor);
    frame.mark = event.start_mark;
    stack_.push_back(std::move(frame));
  }

  void end() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    complete(std::move(frame.value), frame.nodes, frame.anchor, frame.mark, false);
  }

 private:
  struct Frame {
    json::Value value;
    std::string anchor;
    yaml_mark_t mark{};
    std::size_t nodes = 1;  // this node and everything under it (for the alias budget)
    std::optional<std::string> key;  // a mapping's key waiting for its value
  };
  struct Anchored {
    json::Value value;
    std::size_t nodes = 1;
  };

  // A node is finished: remember its anchor and hand it to its parent (or make it the root).
  void complete(json::Value value, std::size_t nodes, std::string_view anchor, const yaml_mark_t& mark,
                bool merge_key) {
    if (!anchor.empty()) anchors_[std::string(anchor)] = Anchored{value, nodes};
    if (stack_.empty()) {
      root_ = std::move(value);
      return;
    }
    Frame& parent = stack_.back();
    if (parent.value.is_array()) {
      parent.value.get_array().push_back(std::move(value));
      parent.nodes += nodes;
      return;
    }
    json::Object& object = parent.value.get_object();
    if (!parent.key) {
      if (merge_key) fail(mark, "merge keys (<<) are not supported");
      std::string key = key_text(value, mark);
      if (object.contains(key)) fail(mark, "duplicate mapping key \"" + key + "\"");
      parent.key = std::move(key);
      return;
    }
    object.emplace(*parent.key, std::move(value));
    parent.key.reset();
    parent.nodes += nodes;
  }

  std::vector<Frame> stack_;
  std::map<std::string, Anchored> anchors_;
  std::optional<json::Value> root_;
  bool root_is_empty_ = false;
  std::size_t alias_nodes_ = 0;
};

// RAII for libyaml's parser and events.
struct Parser {
  yaml_parser_t parser;
  Parser() {
    if (!yaml_parser_initialize(&parser)) throw json::DecodeError("YAML: out of memory");
  }
  ~Parser() { yaml_parser_delete(&parser); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
};
struct Event {
  yaml_event_t event{};
  ~Event() { yaml_event_delete(&event); }
};

}  // namespace

std::vector<json::Value> parse_all(std::string_view text) {
  Parser p;
  yaml_parser_set_input_string(&p.parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  std::vector<json::Value> documents;
  DocumentBuilder builder;
  for (;;) {
    Event e;
    if (!yaml_parser_parse(&p.parser, &e.event)) fail_parser(p.parser, text);
    switch (e.event.type) {
      case YAML_STREAM_END_EVENT:
        return documents;
      case YAML_DOCUMENT_START_EVENT:
        builder.begin();
        break;
      case YAML_DOCUMENT_END_EVENT:
        if (auto doc = builder.finish()) documents.push_back(std::move(*doc));
        break;
      case YAML_SCALAR_EVENT:
        builder.scalar(e.event);
        break;
      case YAML_ALIAS_EVENT:
        builder.alias(e.event);
        break;
      case YAML_SEQUENCE_START_EVENT:
        builder.start(e.event, false);
        break;
      case YAML_MAPPING_START_EVENT:
        builder.start(e.event, true);
        break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        builder.end();
        break;
      default:  // stream start, no event
        break;
    }
  }
}

json::Value parse(std::string_view text) {
  std::vector<json::Value> documents = parse_all(text);
  if (documents.size() != 1)
    throw json::DecodeError("YAML: expected exactly one document, found " + std::to_string(documents.size()));
  return std::move(documents.front());
}

// ---- emitting ----------------------------------------------------------------------------------

namespace {

// Decodes the UTF-8 sequence at s[i] into *cp and returns its length (0 if invalid).
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t* cp) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  char32_t v = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    v = (v << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;  // overlong, surrogate
  *cp = v;
  return len;
}

// Characters YAML cannot carry raw (libyaml's printable set), plus Unicode line breaks that a reader
// would fold and the BOM: they need a double-quoted escape.
bool needs_escape(char32_t c) {
  if (c == '\n' || c == '\t') return false;
  if (c < 0x20 || c == 0x7F) return true;
  if (c >= 0x80 && c <= 0x9F) return true;  // C1 controls, including NEL (U+0085)
  if (c == 0x2028 || c == 0x2029 || c == 0xFEFF || c == 0xFFFE || c == 0xFFFF) return true;
  return false;
}

// Code points of s; throws for invalid UTF-8, which YAML text cannot represent.
std::u32string code_points(std::string_view s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    std::size_t len = decode_utf8(s, i, &cp);
    if (len == 0) throw InvalidArgument("YAML: cannot emit a string that is not valid UTF-8");
    out.push_back(cp);
    i += len;
  }
  return out;
}

bool is_yaml11_word(std::string_view s) {
  // YAML 1.1 readers (go-yaml v2, PyYAML) take these as booleans; "=" and "<<" are special keys.
  static constexpr std::string_view kWords[] = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
                                                "on", "On", "ON", "off", "Off", "OFF", "=", "<<"};
  for (std::string_view w : kWords)
    if (s == w) return true;
  return false;
}

// Number-like text in any YAML version (1_000, 0b101, 1:20, 0777, 1e3, +.5) and YAML 1.1
// timestamps (2001-12-14t21:59:43Z, which PyYAML and go-yaml read as dates): quote it.
bool looks_numeric(std::string_view s) {
  if (s.size() >= 8 && all_of(s.substr(0, 4), is_digit) && s[4] == '-' && is_digit(s[5])) return true;
  char c0 = s[0];
  bool starts = is_digit(c0) || ((c0 == '-' || c0 == '+' || c0 == '.') && s.size() > 1 &&
                                 (is_digit(s[1]) || (s[1] == '.' && s.size() > 2 && is_digit(s[2]))));
  if (!starts) return false;
  for (char c : s)
    if (!(is_hex(c) || c == 'x' || c == 'X' || c == 'o' || c == 'O' || c == '_' || c == '.' || c == ':' ||
          c == '+' || c == '-'))
      return false;
  return true;
}

// Whether s can be written as a plain scalar and read back as the same string, by a YAML 1.2 core
// schema reader and by YAML 1.1 readers alike.
bool plain_ok(std::string_view s, const std::u32string& cps) {
  if (s.empty() || s.size() > 1000) return false;
  for (char32_t c : cps)
    if (c == '\n' || c == '\t' || needs_escape(c)) return false;
  if (s.front() == ' ' || s.back() == ' ') return false;
  if (!resolves_to_string(s)) return false;
  if (is_yaml11_word(s) || looks_numeric(s)) return false;
  if (s.starts_with("---") || s.starts_with("...")) return false;  // document markers at column 0
  static constexpr std::string_view kIndicators = "[]{},#&*!|>'\"%@`";
  if (kIndicators.find(s.front()) != std::string_view::npos) return false;
  // "-", "?" and ":" start a plain scalar only when followed by a non-space character.
  if ((s.front() == '-' || s.front() == '?' || s.front() == ':') && (s.size() == 1 || s[1] == ' ')) return false;
  if (s.back() == ':') return false;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos) return false;
  return true;
}

void append_code_point(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// A double-quoted scalar on one line: every special character escaped.
void append_double_quoted(std::string& out, const std::u32string& cps) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.push_back('"');
  for (char32_t c : cps) {
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\t': out += "\\t"; continue;
      case '\r': out += "\\r"; continue;
      case 0: out += "\\0"; continue;
      default: break;
    }
    if (!needs_escape(c)) {
      append_code_point(out, c);
    } else if (c <= 0xFF) {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(c >> shift) & 0xF]);
    }
  }
  out.push_back('"');
}

// Multi-line text reads best as a literal block (|). Only used when it reads back exactly: at least
// one non-empty line, no characters needing escapes, no tabs, no trailing spaces on a line.
bool literal_ok(std::string_view s, const std::u32string& cps) {
  if (s.find('\n') == std::string_view::npos) return false;
  for (char32_t c : cps)
    if (c == '\t' || needs_escape(c)) return false;
  bool any_content = false;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find('\n', start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view line = s.substr(start, end - start);
    if (!line.empty()) {
      if (line.back() == ' ') return false;
      any_content = true;
    }
    start = end + 1;
  }
  return any_content;
}

std::string spaces(std::size_t n) { return std::string(n, ' '); }

class Emitter {
 public:
  std::string take() { return std::move(out_); }

  /// A whole document.
  void document(const json::Value& v) {
    if (is_block_collection(v)) {
      collection(v, 0, false);
    } else {
      scalar(v, 0);
      out_.push_back('\n');
    }
  }

 private:
  static bool is_block_collection(const json::Value& v) {
    return (v.is_object() && !v.get_object().empty()) || (v.is_array() && !v.get_array().empty());
  }

  // A non-empty mapping or sequence whose entries sit at `indent`; with `inline_first` the first
  // entry continues the current line (after "- ").
  void collection(const json::Value& v, std::size_t indent, bool inline_first) {
    if (v.is_object())
      mapping(v.get_object(), indent, inline_first);
    else
      sequence(v.get_array(), indent, inline_first);
  }

  void mapping(const json::Object& object, std::size_t indent, bool inline_first) {
    bool first = true;
    for (const auto& [key, value] : object) {
      if (!(first && inline_first)) out_ += spaces(indent);
      first = false;
      std::string key_text = scalar_text(key, indent, /*allow_literal=*/false);
      if (key_text.size() > 1000) {
        // libyaml only accepts implicit keys up to 1024 characters: use the explicit "? key" form.
        out_ += "? " + key_text + "\n" + spaces(indent) + ":";
      } else {
        out_ += key_text + ":";
      }
      member_value(value, indent);
    }
  }

  // What follows "key:" (the key at `indent`).
  void member_value(const json::Value& value, std::size_t indent) {
    if (value.is_object() && !value.get_object().empty()) {
      out_.push_back('\n');
      mapping(value.get_object(), indent + 2, false);
    } else if (value.is_array() && !value.get_array().empty()) {
      out_.push_back('\n');
      sequence(value.get_array(), indent, false);  // "- " at the key's column, as kubectl writes it
    } else {
      out_.push_back(' ');
      scalar(value, indent);
      out_.push_back('\n');
    }
  }

  void sequence(const json::Array& array, std::size_t indent, bool inline_first) {
    bool first = true;
    for (const json::Value& item : array) {
      if (!(first && inline_first)) out_ += spaces(indent);
      first = false;
      out_ += "- ";
      if (is_block_collection(item)) {
        collection(item, indent + 2, true);
      } else {
        scalar(item, indent);
        out_.push_back('\n');
      }
    }
  }

  // A scalar (or empty collection) introduced by a key or "-" at column `indent`. The caller ends
  // the line.
  void scalar(const json::Value& v, std::size_t indent) {
    switch (v.kind()) {
      case boost::json::kind::null: out_ += "null"; return;
      case boost::json::kind::bool_: out_ += v.get_bool() ? "true" : "false"; return;
      case boost::json::kind::int64: out_ += std::to_string(v.get_int64()); return;
      case boost::json::kind::uint64: out_ += std::to_string(v.get_uint64()); return;
      case boost::json::kind::double_: out_ += number_text(v.get_double()); return;
      case boost::json::kind::object: out_ += "{}"; return;
      case boost::json::kind::array: out_ += "[]"; return;
      case boost::json::kind::string: {
        std::string text = scalar_text(v.get_string(), indent, /*allow_literal=*/true);
        // A literal block ends with its last line's '\n'; the caller adds one.
        if (!text.empty() && text.back() == '\n') text.pop_back();
        out_ += text;
        return;
      }
    }
  }

  static std::string number_text(double d) {
    if (std::isnan(d)) return ".nan";
    if (std::isinf(d)) return d > 0 ? ".inf" : "-.inf";
    std::string text = double_text(d);
    // Keep it a float when read back: "1" would be an integer.
    if (text.find_first_of(".eE") == std::string::npos) text += ".0";
    return text;
  }

  // Plain when unambiguous, a literal block for multi-line text, else double-quoted.
  static std::string scalar_text(std::string_view s, std::size_t indent, bool allow_literal) {
    std::u32string cps = code_points(s);
    if (plain_ok(s, cps)) return std::string(s);
    if (allow_literal && literal_ok(s, cps)) return literal(s, indent);
    std::string out;
    append_double_quoted(out, cps);
    return out;
  }

  // "|" with chomping (- none, clip one, + keep more trailing newlines) and an indentation
  // indicator when a line starts with a space (else the reader would take it as indentation).
  // Content sits two columns right of the introducing key or "-"; libyaml measures the indicator
  // from that same column.
  static std::string literal(std::string_view s, std::size_t indent) {
    std::size_t trailing = 0;
    while (trailing < s.size() && s[s.size() - 1 - trailing] == '\n') ++trailing;
    std::string_view body = s;
    if (trailing > 0) body.remove_suffix(1);  // the last line break belongs to the chomping
    std::string out = "|";
    bool space_led = s.front() == ' ' || s.find("\n ") != std::string_view::npos;
    if (space_led) out += "2";
    out += trailing == 0 ? "-" : trailing == 1 ? "" : "+";
    out += "\n";
    std::size_t start = 0;
    for (;;) {
      std::size_t end = body.find('\n', start);
      std::string_view line = body.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
      if (!line.empty()) out += spaces(indent + 2) + std::string(line);
      out += "\n";
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
    return out;
  }

  std::string out_;
};

}  // namespace

std::string emit(const json::Value& value) {
  Emitter emitter;
  emitter.document(value);
  return emitter.take();
}

}  // namespace kube::yaml
