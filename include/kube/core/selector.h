// Label and field selectors: parse, build, print and match, with the API server's grammar and
// validation rules.
//
// Label selector syntax: comma-separated requirements, each one of
//   key=value  key==value  key!=value  key in (v1,v2)  key notin (v1,v2)  key  !key  key>N  key<N
// Field selector syntax: comma-separated key=value, key==value or key!=value; `\,` `\=` `\\` escape
// values. Field names are checked when parsing (letters, digits, '.', '_', '-', '/'): the API
// server would reject anything else as an unsupported field.
//
// Example:
//   auto sel = kube::LabelSelector::parse("app=web,tier in (frontend,edge),!canary");
//   sel.matches({{"app", "web"}, {"tier", "edge"}});          // true
//   sel.to_string();                                          // "app=web,!canary,tier in (edge,frontend)"
//   auto fs = kube::FieldSelector::parse("spec.nodeName=node-1,status.phase!=Failed");
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kube/api/meta/v1.h"

namespace kube {

using Labels = std::map<std::string, std::string>;

enum class SelectorOperator { Equals, NotEquals, In, NotIn, Exists, DoesNotExist, GreaterThan, LessThan };

struct LabelRequirement {
  std::string key;
  SelectorOperator op = SelectorOperator::Exists;
  std::vector<std::string> values;  // sorted and unique

  bool matches(const Labels& labels) const;
  std::string to_string() const;
  bool operator==(const LabelRequirement&) const = default;
};

class LabelSelector {
 public:
  /// The empty selector: matches everything.
  LabelSelector() = default;

  /// Throws InvalidArgument (with the position and reason) for malformed or invalid selectors.
  static LabelSelector parse(std::string_view text);
  /// key=value for every label (what a Service or matchLabels means).
  static LabelSelector from_labels(const Labels& labels);
  /// A meta/v1 LabelSelector (matchLabels and matchExpressions). Throws InvalidArgument.
  static LabelSelector from(const api::meta::v1::LabelSelector& selector);

  // Builders; each validates its arguments and throws InvalidArgument.
  LabelSelector& equals(std::string key, std::string value);
  LabelSelector& not_equals(std::string key, std::string value);
  LabelSelector& in(std::string key, std::vector<std::string> values);
  LabelSelector& not_in(std::string key, std::vector<std::string> values);
  LabelSelector& exists(std::string key);
  LabelSelector& does_not_exist(std::string key);

  bool matches(const Labels& labels) const;
  bool matches(const std::optional<Labels>& labels) const;
  bool empty() const noexcept { return requirements_.empty(); }
  const std::vector<LabelRequirement>& requirements() const noexcept { return requirements_; }
  /// Canonical text: requirements sorted by key, set values sorted ("" for the empty selector).
  std::string to_string() const;

  bool operator==(const LabelSelector&) const = default;

 private:
  LabelSelector& add(LabelRequirement requirement);
  std::vector<LabelRequirement> requirements_;
};

struct FieldRequirement {
  std::string field;
  bool equals = true;  // false for !=
  std::string value;

  std::string to_string() const;
  bool operator==(const FieldRequirement&) const = default;
};

class FieldSelector {
 public:
  FieldSelector() = default;
  /// Throws InvalidArgument for malformed selectors.
  static FieldSelector parse(std::string_view text);

  FieldSelector& equals(std::string field, std::string value);
  FieldSelector& not_equals(std::string field, std::string value);

  /// `lookup(field)` returns the object's value for a field, or nullopt when the object has no such
  /// field, which then reads as "" (as the API server matches).
  bool matches(const std::function<std::optional<std::string>(std::string_view field)>& lookup) const;
  bool empty() const noexcept { return requirements_.empty(); }
  const std::vector<FieldRequirement>& requirements() const noexcept { return requirements_; }
  /// Text with values escaped; requirements in the order given.
  std::string to_string() const;
  /// The value required by `field=value`, if the selector has such a term.
  std::optional<std::string> required_value(std::string_view field) const;

  bool operator==(const FieldSelector&) const = default;

 private:
  std::vector<FieldRequirement> requirements_;
};

/// Label key validation (a qualified name with an optional DNS-subdomain prefix); returns the
/// reason it is invalid, or an empty string.
std::string validate_label_key(std::string_view key);
/// Field name validation for field selectors ("metadata.name", "spec.nodeName"); reason or "".
std::string validate_field_name(std::string_view field);
/// Label value validation (at most 63 characters, alphanumerics with -_. inside); reason or "".
std::string validate_label_value(std::string_view value);

}  // namespace kube
