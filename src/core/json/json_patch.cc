#include "kube/core/json_patch.h"

#include <charconv>

namespace kube {

namespace {

using json::Array;
using json::Object;
using json::Value;

std::string_view sv(boost::json::string_view s) { return {s.data(), s.size()}; }
boost::json::string_view bsv(std::string_view s) { return {s.data(), s.size()}; }

[[noreturn]] void fail(const std::string& what) { throw PatchError(what); }

// An array index token: "0", "12" (no leading zeros, no sign); "-" is handled by callers.
std::size_t array_index(const std::string& token, std::size_t limit, const std::string& pointer) {
  std::size_t index = 0;
  if (token.empty() || (token.size() > 1 && token[0] == '0')) fail("invalid array index \"" + token + "\" in " + pointer);
  auto r = std::from_chars(token.data(), token.data() + token.size(), index);
  if (r.ec != std::errc() || r.ptr != token.data() + token.size()) {
    fail("invalid array index \"" + token + "\" in " + pointer);
  }
  if (index > limit) fail("array index " + token + " out of bounds in " + pointer);
  return index;
}

// The container holding the last token of `tokens` (all but the last token resolved).
Value& parent_of(Value& doc, const std::vector<std::string>& tokens, const std::string& pointer) {
  Value* cur = &doc;
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (cur->is_object()) {
      Value* next = cur->as_object().if_contains(bsv(t));
      if (!next) fail("path " + pointer + " does not exist");
      cur = next;
    } else if (cur->is_array()) {
      Array& arr = cur->as_array();
      std::size_t index = t == "-" ? arr.size() : array_index(t, arr.size(), pointer);
      if (index >= arr.size()) fail("path " + pointer + " does not exist");
      cur = &arr[index];
    } else {
      fail("path " + pointer + " does not exist");
    }
  }
  return *cur;
}

Value& resolve(Value& doc, const std::string& pointer) {
  auto tokens = parse_json_pointer(pointer);
  if (tokens.empty()) return doc;
  Value& parent = parent_of(doc, tokens, pointer);
  const std::string& last = tokens.back();
  if (parent.is_object()) {
    Value* v = parent.as_object().if_contains(bsv(last));
    if (!v) fail("path " + pointer + " does not exist");
    return *v;
  }
  if (parent.is_array()) {
    Array& arr = parent.as_array();
    std::size_t index = last == "-" ? arr.size() : array_index(last, arr.size(), pointer);
    if (index >= arr.size()) fail("path " + pointer + " does not exist");
    return arr[index];
  }
  fail("path " + pointer + " does not exist");
}

void add(Value& doc, const std::string& pointer, Value value) {
  auto tokens = parse_json_pointer(pointer);
  if (tokens.empty()) {
    doc = std::move(value);
    return;
  }
  Value& parent = parent_of(doc, tokens, pointer);
  const std::string& last = tokens.back();
  if (parent.is_object()) {
    parent.as_object()[bsv(last)] = std::move(value);
  } else if (parent.is_array()) {
    Array& arr = parent.as_array();
    std::size_t index = last == "-" ? arr.size() : array_index(last, arr.size(), pointer);
    arr.insert(arr.begin() + static_cast<std::ptrdiff_t>(index), std::move(value));
  } else {
    fail("path " + pointer + " does not exist");
  }
}

Value remove(Value& doc, const std::string& pointer) {
  auto tokens = parse_json_pointer(pointer);
  if (tokens.empty()) fail("cannot remove the whole document");
  Value& parent = parent_of(doc, tokens, pointer);
  const std::string& last = tokens.back();
  if (parent.is_object()) {
    Object& obj = parent.as_object();
    auto it = obj.find(bsv(last));
    if (it == obj.end()) fail("path " + pointer + " does not exist");
    Value removed = std::move(it->value());
    obj.erase(it);
    return removed;
  }
  if (parent.is_array()) {
    Array& arr = parent.as_array();
    std::size_t index = array_index(last, arr.size(), pointer);
    if (index >= arr.size()) fail("path " + pointer + " does not exist");
    Value removed = std::move(arr[index]);
    arr.erase(arr.begin() + static_cast<std::ptrdiff_t>(index));
    return removed;
  }
  fail("path " + pointer + " does not exist");
}

const Value& member(const Object& op, std::string_view name, std::size_t index) {
  const Value* v = op.if_contains(bsv(name));
  if (!v) fail("operation " + std::to_string(index) + " has no \"" + std::string(name) + "\"");
  return *v;
}

std::string string_member(const Object& op, std::string_view name, std::size_t index) {
  const Value& v = member(op, name, index);
  if (!v.is_string()) fail("operation " + std::to_string(index) + ": \"" + std::string(name) + "\" must be a string");
  return std::string(sv(v.get_string()));
}

void apply_one(Value& doc, const Value& op_value, std::size_t index) {
  if (!op_value.is_object()) fail("operation " + std::to_string(index) + " is not an object");
  const Object& op = op_value.get_object();
  std::string name = string_member(op, "op", index);
  std::string path = string_member(op, "path", index);
  if (name == "add") {
    add(doc, path, member(op, "value", index));
  } else if (name == "remove") {
    remove(doc, path);
  } else if (name == "replace") {
    Value& target = resolve(doc, path);
    target = member(op, "value", index);
  } else if (name == "move") {
    std::string from = string_member(op, "from", index);
    if (path != from && path.size() > from.size() && path.compare(0, from.size(), from) == 0 &&
        path[from.size()] == '/') {
      fail("cannot move " + from + " into its own child " + path);
    }
    Value moved = remove(doc, from);
    add(doc, path, std::move(moved));
  } else if (name == "copy") {
    std::string from = string_member(op, "from", index);
    Value copied = resolve(doc, from);
    add(doc, path, std::move(copied));
  } else if (name == "test") {
    const Value& expected = member(op, "value", index);
    if (!json::equal(resolve(doc, path), expected)) fail("test failed: value at " + path + " differs");
  } else {
    fail("operation " + std::to_string(index) + ": unknown op \"" + name + "\"");
  }
}

void diff_into(const Value& from, const Value& to, const std::string& path, Array& ops) {
  if (json::equal(from, to)) return;
  if (from.is_object() && to.is_object()) {
    const Object& a = from.get_object();
    const Object& b = to.get_object();
    for (const auto& m : a) {
      if (!b.contains(m.key())) {
        ops.push_back(Object{{"op", "remove"}, {"path", path + "/" + escape_json_pointer_token(sv(m.key()))}});
      }
    }
    for (const auto& m : b) {
      std::string child = path + "/" + escape_json_pointer_token(sv(m.key()));
      const Value* old = a.if_contains(m.key());
      if (!old) {
        ops.push_back(Object{{"op", "add"}, {"path", child}, {"value", m.value()}});
      } else {
        diff_into(*old, m.value(), child, ops);
      }
    }
    return;
  }
  if (from.is_array() && to.is_array()) {
    const Array& a = from.get_array();
    const Array& b = to.get_array();
    std::size_t common = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < common; ++i) diff_into(a[i], b[i], path + "/" + std::to_string(i), ops);
    for (std::size_t i = a.size(); i > common; --i) {
      ops.push_back(Object{{"op", "remove"}, {"path", path + "/" + std::to_string(i - 1)}});
    }
    for (std::size_t i = common; i < b.size(); ++i) {
      ops.push_back(Object{{"op", "add"}, {"path", path + "/-"}, {"value", b[i]}});
    }
    return;
  }
  ops.push_back(Object{{"op", "replace"}, {"path", path}, {"value", to}});
}

}  // namespace

std::vector<std::string> parse_json_pointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer[0] != '/') fail("JSON pointer \"" + std::string(pointer) + "\" must start with '/'");
  std::string token;
  for (std::size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
      continue;
    }
    char c = pointer[i];
    if (c == '~') {
      char next = i + 1 < pointer.size() ? pointer[i + 1] : '\0';
      if (next == '0') {
        token.push_back('~');
      } else if (next == '1') {
        token.push_back('/');
      } else {
        fail("JSON pointer \"" + std::string(pointer) + "\" has an invalid '~' escape");
      }
      ++i;
    } else {
      token.push_back(c);
    }
  }
  return tokens;
}

std::string escape_json_pointer_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out.append("~0");
    } else if (c == '/') {
      out.append("~1");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

const json::Value* find_json_pointer(const json::Value& doc, std::string_view pointer) {
  try {
    return &resolve(const_cast<json::Value&>(doc), std::string(pointer));
  } catch (const PatchError&) {
    return nullptr;
  }
}

void apply_json_patch(json::Value& doc, const json::Value& patch) {
  if (!patch.is_array()) throw PatchError("a JSON patch must be an array of operations");
  Value result = doc;
  std::size_t index = 0;
  for (const Value& op : patch.get_array()) apply_one(result, op, index++);
  doc = std::move(result);
}

void apply_merge_patch(json::Value& doc, const json::Value& patch) {
  if (!patch.is_object()) {
    doc = patch;
    return;
  }
  if (!doc.is_object()) doc = Object{};
  Object& target = doc.as_object();
  for (const auto& m : patch.get_object()) {
    if (m.value().is_null()) {
      target.erase(m.key());
    } else {
      apply_merge_patch(target[m.key()], m.value());
    }
  }
}

json::Value diff_json_patch(const json::Value& from, const json::Value& to) {
  Array ops;
  diff_into(from, to, "", ops);
  return ops;
}

json::Value diff_merge_patch(const json::Value& from, const json::Value& to) {
  if (!from.is_object() || !to.is_object()) return to;
  Object patch;
  const Object& a = from.get_object();
  const Object& b = to.get_object();
  for (const auto& m : a) {
    if (!b.contains(m.key())) patch[m.key()] = nullptr;
  }
  for (const auto& m : b) {
    const Value* old = a.if_contains(m.key());
    if (!old) {
      patch[m.key()] = m.value();
    } else if (!json::equal(*old, m.value())) {
      patch[m.key()] = diff_merge_patch(*old, m.value());
    }
  }
  return patch;
}

}  // namespace kube
