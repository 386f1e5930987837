// Small helpers for reading and writing Kubernetes objects held as JSON DOM values.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "kube/core/dom.h"

namespace kube::apiserver {

inline boost::json::string_view bsv(std::string_view s) { return {s.data(), s.size()}; }
inline std::string to_std(const boost::json::string& s) { return std::string(s.data(), s.size()); }

/// The value at a path of member names, or nullptr.
inline const json::Value* find_path(const json::Value& v, std::initializer_list<std::string_view> keys) {
  const json::Value* cur = &v;
  for (std::string_view key : keys) {
    if (!cur->is_object()) return nullptr;
    cur = cur->get_object().if_contains(bsv(key));
    if (!cur) return nullptr;
  }
  return cur;
}

/// The string at a path, or "" when absent or not a string.
inline std::string string_at(const json::Value& v, std::initializer_list<std::string_view> keys) {
  const json::Value* found = find_path(v, keys);
  return found && found->is_string() ? to_std(found->get_string()) : std::string();
}

/// The object member `key` of `parent` (an object), created (or replaced if not an object).
inline json::Object& ensure_object(json::Value& parent, std::string_view key) {
  json::Value& member = parent.as_object()[bsv(key)];
  if (!member.is_object()) member = json::Object{};
  return member.as_object();
}

inline json::Object& metadata_of(json::Value& object) { return ensure_object(object, "metadata"); }

}  // namespace kube::apiserver
