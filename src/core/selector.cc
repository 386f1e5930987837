#include "kube/core/selector.h"

#include <algorithm>
#include <charconv>

#include "kube/core/error.h"

namespace kube {

namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?
bool is_qualified_name_part(std::string_view s) {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

// RFC 1123 subdomain: lowercase labels [a-z0-9]([-a-z0-9]*[a-z0-9])? joined by dots, <= 253.
bool is_dns_subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (label.empty() || !lower_alnum(label.front()) || !lower_alnum(label.back())) return false;
    if (!std::all_of(label.begin(), label.end(), [&](char c) { return lower_alnum(c) || c == '-'; })) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

[[noreturn]] void invalid(const std::string& what) { throw InvalidArgument(what); }

const char* op_text(SelectorOperator op) {
  switch (op) {
    case SelectorOperator::Equals:
      return "=";
    case SelectorOperator::NotEquals:
      return "!=";
    case SelectorOperator::In:
      return " in ";
    case SelectorOperator::NotIn:
      return " notin ";
    case SelectorOperator::GreaterThan:
      return ">";
    case SelectorOperator::LessThan:
      return "<";
    default:
      return "";
  }
}

// Like Go's strconv.ParseInt(s, 10, 64): an optional sign, then digits.
std::optional<std::int64_t> to_int(std::string_view s) {
  if (s.size() > 1 && s.front() == '+') s.remove_prefix(1);
  std::int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

LabelRequirement make_requirement(std::string key, SelectorOperator op, std::vector<std::string> values) {
  if (auto why = validate_label_key(key); !why.empty()) invalid("invalid label key \"" + key + "\": " + why);
  switch (op) {
    case SelectorOperator::Equals:
    case SelectorOperator::NotEquals:
      if (values.size() != 1) invalid("exact-match selectors need exactly one value");
      break;
    case SelectorOperator::In:
    case SelectorOperator::NotIn:
      if (values.empty()) invalid("for 'in', 'notin' operators, values set can't be empty (key \"" + key + "\")");
      break;
    case SelectorOperator::Exists:
    case SelectorOperator::DoesNotExist:
      if (!values.empty()) invalid("values set must be empty for exists and does not exist");
      break;
    case SelectorOperator::GreaterThan:
    case SelectorOperator::LessThan:
      if (values.size() != 1 || !to_int(values[0])) {
        invalid("for 'Gt', 'Lt' operators, exactly one integer value is required (key \"" + key + "\")");
      }
      break;
  }
  for (const auto& v : values) {
    if (auto why = validate_label_value(v); !why.empty()) invalid("invalid label value \"" + v + "\": " + why);
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return LabelRequirement{std::move(key), op, std::move(values)};
}

// ---- label selector lexer/parser (the API server's grammar) -------------------------------------

enum class Tok { End, Identifier, Comma, Equals, DoubleEquals, NotEquals, Not, OpenParen, CloseParen, In, NotIn, Gt, Lt };

bool is_special(char c) { return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '<' || c == '>'; }
// The API server's lexer skips exactly these.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class LabelParser {
 public:
  explicit LabelParser(std::string_view text) : text_(text) { advance(); }

  std::vector<LabelRequirement> parse() {
    std::vector<LabelRequirement> out;
    if (tok_ == Tok::End) return out;
    while (true) {
      out.push_back(requirement());
      if (tok_ == Tok::End) break;
      if (tok_ != Tok::Comma) error("expected ',' or end of selector");
      advance();
      if (tok_ == Tok::End) error("expected a requirement after ','");
    }
    return out;
  }

 private:
  [[noreturn]] void error(const std::string& what) {
    invalid("unable to parse label selector \"" + std::string(text_) + "\" at position " + std::to_string(tok_pos_) +
            ": " + what + (tok_ == Tok::End ? " (found end of selector)" : " (found '" + std::string(lexeme_) + "')"));
  }

  void advance() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
    tok_pos_ = pos_;
    if (pos_ >= text_.size()) {
      tok_ = Tok::End;
      lexeme_ = {};
      return;
    }
    char c = text_[pos_];
    auto two = text_.substr(pos_, 2);
    if (two == "==" || two == "!=") {
      tok_ = two == "==" ? Tok::DoubleEquals : Tok::NotEquals;
      lexeme_ = two;
      pos_ += 2;
      return;
    }
    if (is_special(c)) {
      switch (c) {
        case '=':
          tok_ = Tok::Equals;
          break;
        case '!':
          tok_ = Tok::Not;
          break;
        case '(':
          tok_ = Tok::OpenParen;
          break;
        case ')':
          tok_ = Tok::CloseParen;
          break;
        case ',':
          tok_ = Tok::Comma;
          break;
        case '<':
          tok_ = Tok::Lt;
          break;
        default:
          tok_ = Tok::Gt;
          break;
      }
      lexeme_ = text_.substr(pos_, 1);
      ++pos_;
      return;
    }
    std::size_t start = pos_;
    while (pos_ < text_.size() && !is_space(text_[pos_]) && !is_special(text_[pos_])) ++pos_;
    lexeme_ = text_.substr(start, pos_ - start);
    tok_ = lexeme_ == "in" ? Tok::In : lexeme_ == "notin" ? Tok::NotIn : Tok::Identifier;
  }

  LabelRequirement requirement() {
    // In key position "in" and "notin" are plain identifiers, as in the API server's parser.
    auto is_key = [this] { return tok_ == Tok::Identifier || tok_ == Tok::In || tok_ == Tok::NotIn; };
    if (tok_ == Tok::Not) {
      advance();
      if (!is_key()) error("expected a label key after '!'");
      std::string key(lexeme_);
      advance();
      if (tok_ != Tok::Comma && tok_ != Tok::End) error("expected ',' or end after '!key'");
      return make_requirement(std::move(key), SelectorOperator::DoesNotExist, {});
    }
    if (!is_key()) error("expected a label key");
    std::string key(lexeme_);
    advance();
    switch (tok_) {
      case Tok::End:
      case Tok::Comma:
        return make_requirement(std::move(key), SelectorOperator::Exists, {});
      case Tok::Equals:
      case Tok::DoubleEquals:
      case Tok::NotEquals: {
        SelectorOperator op = tok_ == Tok::NotEquals ? SelectorOperator::NotEquals : SelectorOperator::Equals;
        advance();
        std::string value;
        if (tok_ == Tok::Identifier || tok_ == Tok::In || tok_ == Tok::NotIn) {
          value = std::string(lexeme_);
          advance();
        } else if (tok_ != Tok::Comma && tok_ != Tok::End) {
          error("expected a value");
        }
        return make_requirement(std::move(key), op, {std::move(value)});
      }
      case Tok::Gt:
      case Tok::Lt: {
        SelectorOperator op = tok_ == Tok::Gt ? SelectorOperator::GreaterThan : SelectorOperator::LessThan;
        advance();
        if (tok_ != Tok::Identifier) error("expected an integer value");
        std::string value(lexeme_);
        advance();
        return make_requirement(std::move(key), op, {std::move(value)});
      }
      case Tok::In:
      case Tok::NotIn: {
        SelectorOperator op = tok_ == Tok::In ? SelectorOperator::In : SelectorOperator::NotIn;
        advance();
        if (tok_ != Tok::OpenParen) error("expected '(' after 'in'/'notin'");
        advance();
        std::vector<std::string> values;
        if (tok_ == Tok::CloseParen) {
          values.emplace_back();  // "()" is the set {""}, as the API server reads it
        } else {
          while (true) {
            if (tok_ == Tok::Identifier || tok_ == Tok::In || tok_ == Tok::NotIn) {
              values.emplace_back(lexeme_);
              advance();
            } else if (tok_ == Tok::Comma || tok_ == Tok::CloseParen) {
              values.emplace_back();  // an empty value: "(a,)"
            } else {
              error("expected a value, ',' or ')'");
            }
            if (tok_ == Tok::CloseParen) break;
            if (tok_ != Tok::Comma) error("expected ',' or ')'");
            advance();
          }
        }
        advance();  // ')'
        return make_requirement(std::move(key), op, std::move(values));
      }
      default:
        error("expected an operator (=, ==, !=, in, notin, >, <), ',' or end");
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t tok_pos_ = 0;
  Tok tok_ = Tok::End;
  std::string_view lexeme_;
};

// ---- field selectors ---------------------------------------------------------------------------

std::string escape_field_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == ',' || c == '=') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string unescape_field_value(std::string_view v, std::string_view whole) {
  std::string out;
  bool escaped = false;
  for (char c : v) {
    if (escaped) {
      if (c != '\\' && c != ',' && c != '=') {
        invalid("invalid field selector \"" + std::string(whole) + "\": invalid escape sequence \\" + c);
      }
      out.push_back(c);
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (c == ',' || c == '=') {
      invalid("invalid field selector \"" + std::string(whole) + "\": unescaped '" + c + "' in a value");
    } else {
      out.push_back(c);
    }
  }
  if (escaped) invalid("invalid field selector \"" + std::string(whole) + "\": trailing backslash");
  return out;
}

}  // namespace

std::string validate_label_key(std::string_view key) {
  if (key.empty()) return "must not be empty";
  std::string_view name = key;
  auto slash = key.find('/');
  if (slash != std::string_view::npos) {
    std::string_view prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (prefix.empty()) return "prefix part must not be empty";
    if (!is_dns_subdomain(prefix)) return "prefix part must be a lowercase RFC 1123 subdomain";
    if (name.find('/') != std::string_view::npos) return "a qualified name may contain at most one '/'";
  }
  if (name.empty()) return "name part must not be empty";
  if (name.size() > 63) return "name part must be no more than 63 characters";
  if (!is_qualified_name_part(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
           "alphanumeric character";
  }
  return {};
}

std::string validate_field_name(std::string_view field) {
  if (field.empty()) return "empty field name";
  for (char c : field) {
    if (!is_alnum(c) && c != '.' && c != '_' && c != '-' && c != '/') {
      return "invalid field name \"" + std::string(field) + "\": only letters, digits, '.', '_', '-' and '/' are allowed";
    }
  }
  return {};
}

std::string validate_label_value(std::string_view value) {
  if (value.empty()) return {};
  if (value.size() > 63) return "must be no more than 63 characters";
  if (!is_qualified_name_part(value)) {
    return "a valid label must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
           "alphanumeric character";
  }
  return {};
}

bool LabelRequirement::matches(const Labels& labels) const {
  auto it = labels.find(key);
  bool has = it != labels.end();
  auto in_values = [&] { return has && std::binary_search(values.begin(), values.end(), it->second); };
  switch (op) {
    case SelectorOperator::Equals:
    case SelectorOperator::In:
      return in_values();
    case SelectorOperator::NotEquals:
    case SelectorOperator::NotIn:
      return !in_values();
    case SelectorOperator::Exists:
      return has;
    case SelectorOperator::DoesNotExist:
      return !has;
    case SelectorOperator::GreaterThan:
    case SelectorOperator::LessThan: {
      if (!has) return false;
      auto actual = to_int(it->second);
      auto bound = to_int(values.front());
      if (!actual || !bound) return false;
      return op == SelectorOperator::GreaterThan ? *actual > *bound : *actual < *bound;
    }
  }
  return false;
}

std::string LabelRequirement::to_string() const {
  switch (op) {
    case SelectorOperator::Exists:
      return key;
    case SelectorOperator::DoesNotExist:
      return "!" + key;
    case SelectorOperator::In:
    case SelectorOperator::NotIn: {
      std::string out = key + op_text(op) + "(";
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ",";
        out += values[i];
      }
      return out + ")";
    }
    default:
      return key + op_text(op) + (values.empty() ? std::string() : values.front());
  }
}

LabelSelector LabelSelector::parse(std::string_view text) {
  LabelSelector s;
  for (auto& r : LabelParser(text).parse()) s.add(std::move(r));
  return s;
}

LabelSelector LabelSelector::from_labels(const Labels& labels) {
  LabelSelector s;
  for (const auto& [k, v] : labels) s.equals(k, v);
  return s;
}

LabelSelector LabelSelector::from(const api::meta::v1::LabelSelector& selector) {
  LabelSelector s;
  if (selector.match_labels) {
    for (const auto& [k, v] : *selector.match_labels) s.equals(k, v);
  }
  if (selector.match_expressions) {
    for (const auto& e : *selector.match_expressions) {
      std::vector<std::string> values = e.values.value_or(std::vector<std::string>{});
      if (e.operator_ == "In") {
        s.in(e.key, std::move(values));
      } else if (e.operator_ == "NotIn") {
        s.not_in(e.key, std::move(values));
      } else if (e.operator_ == "Exists") {
        if (!values.empty()) invalid("label selector: values must be empty for operator Exists");
        s.exists(e.key);
      } else if (e.operator_ == "DoesNotExist") {
        if (!values.empty()) invalid("label selector: values must be empty for operator DoesNotExist");
        s.does_not_exist(e.key);
      } else {
        invalid("label selector: \"" + e.operator_ + "\" is not a valid operator");
      }
    }
  }
  return s;
}

LabelSelector& LabelSelector::add(LabelRequirement requirement) {
  // Stable order by key, as the API server prints selectors.
  auto pos = std::upper_bound(requirements_.begin(), requirements_.end(), requirement.key,
                              [](const std::string& key, const LabelRequirement& r) { return key < r.key; });
  requirements_.insert(pos, std::move(requirement));
  return *this;
}

LabelSelector& LabelSelector::equals(std::string key, std::string value) {
  return add(make_requirement(std::move(key), SelectorOperator::Equals, {std::move(value)}));
}
LabelSelector& LabelSelector::not_equals(std::string key, std::string value) {
  return add(make_requirement(std::move(key), SelectorOperator::NotEquals, {std::move(value)}));
}
LabelSelector& LabelSelector::in(std::string key, std::vector<std::string> values) {
  return add(make_requirement(std::move(key), SelectorOperator::In, std::move(values)));
}
LabelSelector& LabelSelector::not_in(std::string key, std::vector<std::string> values) {
  return add(make_requirement(std::move(key), SelectorOperator::NotIn, std::move(values)));
}
LabelSelector& LabelSelector::exists(std::string key) {
  return add(make_requirement(std::move(key), SelectorOperator::Exists, {}));
}
LabelSelector& LabelSelector::does_not_exist(std::string key) {
  return add(make_requirement(std::move(key), SelectorOperator::DoesNotExist, {}));
}

bool LabelSelector::matches(const Labels& labels) const {
  return std::all_of(requirements_.begin(), requirements_.end(), [&](const auto& r) { return r.matches(labels); });
}

bool LabelSelector::matches(const std::optional<Labels>& labels) const {
  static const Labels kEmpty;
  return matches(labels ? *labels : kEmpty);
}

std::string LabelSelector::to_string() const {
  std::string out;
  for (const auto& r : requirements_) {
    if (!out.empty()) out += ",";
    out += r.to_string();
  }
  return out;
}

std::string FieldRequirement::to_string() const { return field + (equals ? "=" : "!=") + escape_field_value(value); }

FieldSelector FieldSelector::parse(std::string_view text) {
  FieldSelector s;
  // Split on unescaped commas.
  std::vector<std::string_view> terms;
  std::size_t start = 0;
  bool escaped = false;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && escaped) {
      escaped = false;
      continue;
    }
    if (i < text.size() && text[i] == '\\') {
      escaped = true;
      continue;
    }
    if (i == text.size() || text[i] == ',') {
      terms.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  for (std::string_view term : terms) {
    if (term.empty()) continue;
    // The leftmost operator splits the term (escapes only apply to values), as in the API server.
    std::size_t op_pos = std::string_view::npos;
    std::size_t op_len = 0;
    bool not_equal = false;
    for (std::size_t i = 0; i < term.size() && op_pos == std::string_view::npos; ++i) {
      if (term.substr(i, 2) == "!=") {
        op_pos = i, op_len = 2, not_equal = true;
      } else if (term.substr(i, 2) == "==") {
        op_pos = i, op_len = 2;
      } else if (term[i] == '=') {
        op_pos = i, op_len = 1;
      }
    }
    if (op_pos == std::string_view::npos) {
      invalid("invalid field selector \"" + std::string(text) + "\": \"" + std::string(term) +
              "\" is not field=value, field==value or field!=value");
    }
    std::string field(term.substr(0, op_pos));
    if (auto why = validate_field_name(field); !why.empty()) {
      invalid("invalid field selector \"" + std::string(text) + "\": " + why);
    }
    std::string value = unescape_field_value(term.substr(op_pos + op_len), text);
    s.requirements_.push_back(FieldRequirement{std::move(field), !not_equal, std::move(value)});
  }
  return s;
}

FieldSelector& FieldSelector::equals(std::string field, std::string value) {
  if (auto why = validate_field_name(field); !why.empty()) invalid("field selector: " + why);
  requirements_.push_back(FieldRequirement{std::move(field), true, std::move(value)});
  return *this;
}

FieldSelector& FieldSelector::not_equals(std::string field, std::string value) {
  if (auto why = validate_field_name(field); !why.empty()) invalid("field selector: " + why);
  requirements_.push_back(FieldRequirement{std::move(field), false, std::move(value)});
  return *this;
}

bool FieldSelector::matches(const std::function<std::optional<std::string>(std::string_view)>& lookup) const {
  for (const auto& r : requirements_) {
    // A field the object does not have reads as "", as in the API server's fields.Set.
    std::string actual = lookup(r.field).value_or("");
    if ((actual == r.value) != r.equals) return false;
  }
  return true;
}

std::string FieldSelector::to_string() const {
  std::string out;
  for (const auto& r : requirements_) {
    if (!out.empty()) out += ",";
    out += r.to_string();
  }
  return out;
}

std::optional<std::string> FieldSelector::required_value(std::string_view field) const {
  for (const auto& r : requirements_) {
    if (r.equals && r.field == field) return r.value;
  }
  return std::nullopt;
}

}  // namespace kube
