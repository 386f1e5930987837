#include "apiserver/strategic_merge.h"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "kube/core/json_patch.h"

// Semantics follow the API server's strategic merge patch for built-in kinds, with the patch
// metadata read from the OpenAPI spec instead of Go struct tags. That includes how merged lists are
// ordered: elements the patch names ($setElementOrder, else the patch list) in its order, the
// others interleaved by their live positions -- so an element the patch adds alone goes first.
// Deliberate differences:
//  - `$patch: delete` on a map removes the member (the API server leaves `{}`, which decodes to the
//    same thing for most fields); on the whole object it is rejected.
//  - `$patch: merge` on a map is accepted as the default it is documented to be.
//  - Values the patch creates (new members, appended list elements, replaced lists) have their
//    directives applied and their nulls dropped, so the result never carries directive keys.
//  - Members the spec does not describe merge like a JSON merge patch (the API server rejects
//    them when it has to recurse into them).
//  - `{"$patch": "replace"}` also replaces a merge list of primitives (the API server rejects the
//    mixed element types).
// The whole merge works on a copy of the document, mutated in place, and is assigned at the end.

namespace kube::apiserver {

namespace {

using json::Array;
using json::Object;
using json::Value;

constexpr std::string_view kPatch = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetElementOrder = "$setElementOrder";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList";

// The position of an element a list does not hold.
constexpr std::size_t kAbsent = static_cast<std::size_t>(-1);

std::string_view sv(boost::json::string_view s) { return {s.data(), s.size()}; }
boost::json::string_view bsv(std::string_view s) { return {s.data(), s.size()}; }

[[noreturn]] void fail(const std::string& what) { throw PatchError("strategic merge patch: " + what); }

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// A value for an error message, cut short: messages end up in a Status, and elements can be large.
std::string brief(const Value& value) {
  constexpr std::size_t kMax = 120;
  std::string text = json::serialize(value);
  return text.size() <= kMax ? text : text.substr(0, kMax) + "...";
}

bool contains_value(const Array& list, const Value& value) {
  for (const Value& v : list) {
    if (json::equal(v, value)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Patch metadata from the spec.

// A node of the Swagger 2.0 spec: a definition, or a property/items schema as written (which is
// where the patch strategy and merge key live, beside a possible `$ref`). No node = free-form.
class Schema {
 public:
  Schema() = default;
  Schema(const Object& definitions, const Object* node) : definitions_(&definitions), node_(node) {}

  Schema member(std::string_view name) const {
    const Object* type = resolved();
    if (!type) return {};
    if (const Value* properties = type->if_contains("properties"); properties && properties->is_object()) {
      if (const Value* p = properties->get_object().if_contains(bsv(name)); p && p->is_object()) {
        return {*definitions_, &p->get_object()};
      }
      return {};
    }
    // A map: every value has the same schema.
    return child("additionalProperties");
  }

  Schema element() const { return child("items"); }

  bool merges_lists() const { return has_strategy("merge"); }
  bool replaces() const { return has_strategy("replace"); }

  std::string_view merge_key() const {
    const Value* key = node_ ? node_->if_contains("x-kubernetes-patch-merge-key") : nullptr;
    return key && key->is_string() ? sv(key->get_string()) : std::string_view();
  }

 private:
  Schema child(std::string_view name) const {
    const Object* type = resolved();
    const Value* node = type ? type->if_contains(bsv(name)) : nullptr;
    if (!node || !node->is_object()) return {};
    return {*definitions_, &node->get_object()};
  }

  // The node with `$ref`s followed; nullptr when a reference does not resolve.
  const Object* resolved() const {
    const Object* node = node_;
    for (int hops = 0; node && hops < 8; ++hops) {  // the bound only guards against a cyclic spec
      const Value* ref = node->if_contains("$ref");
      if (!ref || !ref->is_string()) return node;
      std::string_view target = sv(ref->get_string());
      constexpr std::string_view kPrefix = "#/definitions/";
      if (!target.starts_with(kPrefix)) return nullptr;
      const Value* definition = definitions_->if_contains(bsv(target.substr(kPrefix.size())));
      node = definition && definition->is_object() ? &definition->get_object() : nullptr;
    }
    return nullptr;
  }

  // x-kubernetes-patch-strategy is a comma-separated list, e.g. "merge,retainKeys".
  bool has_strategy(std::string_view wanted) const {
    const Value* strategy = node_ ? node_->if_contains("x-kubernetes-patch-strategy") : nullptr;
    if (!strategy || !strategy->is_string()) return false;
    std::string_view rest = sv(strategy->get_string());
    while (!rest.empty()) {
      std::size_t comma = rest.find(',');
      if (rest.substr(0, comma) == wanted) return true;
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    return false;
  }

  const Object* definitions_ = nullptr;
  const Object* node_ = nullptr;
};

// ---------------------------------------------------------------------------------------------
// Directives.

enum class Directive { kMerge, kReplace, kDelete };

Directive parse_directive(const Value& value) {
  if (value.is_string()) {
    std::string_view s = sv(value.get_string());
    if (s == "merge") return Directive::kMerge;
    if (s == "replace") return Directive::kReplace;
    if (s == "delete") return Directive::kDelete;
  }
  fail("unknown $patch directive " + brief(value) + " (expected \"replace\", \"delete\" or \"merge\")");
}

// A list element carrying `$patch` acts on the whole list rather than being an element.
bool is_list_directive(const Value& element) {
  return element.is_object() && element.get_object().contains(bsv(kPatch));
}

Directive list_directive(const Value& element) {
  Directive d = parse_directive(element.get_object().at(bsv(kPatch)));
  if (d == Directive::kMerge) fail("$patch: merge as a list element is not supported");
  return d;
}

// The field a patch key is about: "x" for "x", "$setElementOrder/x" and
// "$deleteFromPrimitiveList/x"; empty for the map-level directives "$patch" and "$retainKeys".
std::string_view field_of(std::string_view key) {
  if (key == kPatch || key == kRetainKeys) return {};
  for (std::string_view prefix : {kSetElementOrder, kDeleteFromPrimitiveList}) {
    if (!key.starts_with(prefix)) continue;
    std::string_view rest = key.substr(prefix.size());
    if (rest.size() < 2 || rest[0] != '/') {
      fail("malformed directive key " + quoted(key) + " (expected " + std::string(prefix) + "/<field>)");
    }
    return rest.substr(1);
  }
  return key;
}

bool is_directive_key(std::string_view key) { return field_of(key) != key; }

std::string directive_key(std::string_view prefix, std::string_view field) {
  return std::string(prefix) + "/" + std::string(field);
}

// ---------------------------------------------------------------------------------------------
// List element identity and ordering.

// What identifies an element of a list: its merge key's value, or the element itself when the
// list has no merge key (primitives).
const Value& identity(const Value& element, std::string_view merge_key) {
  if (merge_key.empty()) return element;
  const Value* id = element.is_object() ? element.get_object().if_contains(bsv(merge_key)) : nullptr;
  if (!id) fail("list element " + brief(element) + " lacks the merge key " + quoted(merge_key));
  return *id;
}

std::size_t position(const Array& list, const Value& id, std::string_view merge_key) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (json::equal(identity(list[i], merge_key), id)) return i;
  }
  return kAbsent;
}

// A merged element with the position that sorts it and its position in the live list.
struct Slot {
  Value element;
  std::size_t rank;
  std::size_t live_rank;
};

void sort_by_rank(std::vector<Slot>& slots) {
  std::stable_sort(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) { return a.rank < b.rank; });
}

// Interleaves the unlisted elements into the listed ones: an unlisted element goes first only
// when the live list had it before the listed one (the API server's best-effort order).
Array interleave(std::vector<Slot>& unlisted, std::vector<Slot>& listed) {
  Array out;
  std::size_t i = 0, j = 0;
  while (i < unlisted.size() || j < listed.size()) {
    bool take_unlisted = j == listed.size() ||
                         (i < unlisted.size() && unlisted[i].live_rank != kAbsent &&
                          listed[j].live_rank != kAbsent && unlisted[i].live_rank < listed[j].live_rank);
    out.push_back(std::move(take_unlisted ? unlisted[i++].element : listed[j++].element));
  }
  return out;
}

// Orders a merged list as the API server does: elements named in `wanted` (the patch list or a
// $setElementOrder list) in that order, the others in their live order, interleaved by live order.
Array order_merged_list(Array merged, const Array& wanted, const Array& live, std::string_view merge_key) {
  std::vector<Slot> listed, unlisted;
  for (Value& element : merged) {
    const Value& id = identity(element, merge_key);
    std::size_t in_wanted = position(wanted, id, merge_key);
    std::size_t in_live = position(live, id, merge_key);
    if (in_wanted != kAbsent) {
      listed.push_back({std::move(element), in_wanted, in_live});
    } else {
      unlisted.push_back({std::move(element), in_live, in_live});
    }
  }
  sort_by_rank(listed);
  sort_by_rank(unlisted);
  return interleave(unlisted, listed);
}

// The patch list's elements must appear in $setElementOrder, in the same relative order.
void check_order_covers_patch(const Array& patch, const Array& order, std::string_view merge_key,
                              std::string_view field) {
  std::size_t next = 0;
  for (const Value& element : patch) {
    if (is_list_directive(element)) continue;
    const Value& id = identity(element, merge_key);
    while (next < order.size() && !json::equal(identity(order[next], merge_key), id)) ++next;
    if (next == order.size()) {
      fail(directive_key(kSetElementOrder, field) + " does not list the elements of " + quoted(field) +
           " in the order of the patch");
    }
    ++next;
  }
}

// ---------------------------------------------------------------------------------------------
// Merging.

bool merge_object(Object& target, const Object& patch, const Schema& schema);
bool merge_value(Value& target, const Value& patch, const Schema& schema);

// A value the patch creates: directives applied to nothing, nulls dropped.
Value materialize(const Value& patch, const Schema& schema) {
  Value fresh;
  merge_value(fresh, patch, schema);
  return fresh;
}

// A list the patch sets whole (no merge, or nothing to merge with); list directives have
// nothing to act on and are dropped.
Array materialize_list(const Array& patch, const Schema& schema) {
  Array out;
  for (const Value& element : patch) {
    if (is_list_directive(element)) {
      list_directive(element);  // still rejects unknown directives
      continue;
    }
    out.push_back(element.is_object() ? materialize(element, schema.element()) : element);
  }
  return out;
}

// Whether the list holds objects (merged by key) rather than primitives (merged as a set).
bool holds_objects(const Array& live, const Array& patch) {
  std::optional<bool> objects;
  for (const Array* list : {&live, &patch}) {
    for (const Value& element : *list) {
      if (element.is_array()) fail("merging lists of lists is not supported");
      if (objects && *objects != element.is_object()) fail("cannot merge a list mixing objects and primitives");
      objects = element.is_object();
    }
  }
  return objects.value_or(false);
}

void delete_by_key(Array& target, const Value& directive, std::string_view merge_key) {
  if (merge_key.empty()) fail("$patch: delete in a list without a merge key is not supported");
  const Value& id = identity(directive, merge_key);
  Array kept;
  for (Value& element : target) {
    const Value* key = element.is_object() ? element.get_object().if_contains(bsv(merge_key)) : nullptr;
    if (!key || !json::equal(*key, id)) kept.push_back(std::move(element));
  }
  target = std::move(kept);
}

Value* find_by_key(Array& list, const Value& id, std::string_view merge_key) {
  for (Value& element : list) {
    const Value* key = element.is_object() ? element.get_object().if_contains(bsv(merge_key)) : nullptr;
    if (key && json::equal(*key, id)) return &element;
  }
  return nullptr;
}

// Patch elements merge into the live element with the same merge key, or are appended.
void merge_objects_by_key(Array& target, const Array& patch, std::string_view merge_key, const Schema& element) {
  if (merge_key.empty()) fail("cannot merge a list of objects that has no merge key");
  for (const Value& p : patch) {
    if (Value* match = find_by_key(target, identity(p, merge_key), merge_key)) {
      merge_object(match->as_object(), p.get_object(), element);
    } else {
      target.push_back(materialize(p, element));
    }
  }
}

// Lists of primitives with strategy merge are sets: the union, without duplicates.
void add_primitives(Array& target, const Array& patch) {
  Array merged;
  for (const Array* list : {static_cast<const Array*>(&target), &patch}) {
    for (const Value& v : *list) {
      if (!contains_value(merged, v)) merged.push_back(v);
    }
  }
  target = std::move(merged);
}

// A list with strategy merge, merged with the live list.
void merge_list(Array& target, const Array& patch, const Schema& schema) {
  const std::string_view merge_key = schema.merge_key();
  Array elements;
  bool replace = false;
  for (const Value& element : patch) {
    if (!is_list_directive(element)) {
      elements.push_back(element);
    } else if (list_directive(element) == Directive::kReplace) {
      replace = true;
    } else {
      delete_by_key(target, element, merge_key);
    }
  }
  if (replace) {
    target = materialize_list(patch, schema);
    return;
  }
  if (target.empty() && elements.empty()) return;
  const Array live = target;
  bool objects = holds_objects(target, elements);
  if (objects) {
    merge_objects_by_key(target, elements, merge_key, schema.element());
  } else {
    add_primitives(target, elements);
  }
  target = order_merged_list(std::move(target), elements, live, objects ? merge_key : std::string_view());
}

// Merges `patch` into `target` (null when absent); false when the value is to be removed.
bool merge_value(Value& target, const Value& patch, const Schema& schema) {
  if (patch.is_object()) {
    // A value of another type, or a map with strategy replace, is not merged into.
    if (!target.is_object() || schema.replaces()) target = Object();
    return merge_object(target.as_object(), patch.get_object(), schema);
  }
  if (patch.is_array()) {
    if (target.is_array() && schema.merges_lists()) {
      merge_list(target.as_array(), patch.get_array(), schema);
    } else {
      target = materialize_list(patch.get_array(), schema);
    }
    return true;
  }
  target = patch;
  return true;
}

// $retainKeys: members not listed are cleared before merging.
void retain_keys(Object& target, const Value& keys, const Object& patch) {
  if (!keys.is_array()) fail("$retainKeys must be a list of field names");
  for (const Value& k : keys.get_array()) {
    if (!k.is_string()) fail("$retainKeys must be a list of field names");
  }
  const Array& retained = keys.get_array();
  // A field the patch sets but does not retain would be cleared and set at once.
  for (const auto& m : patch) {
    if (m.value().is_null() || is_directive_key(sv(m.key()))) continue;
    if (!contains_value(retained, Value(m.key()))) {
      fail("$retainKeys does not list the patched field " + quoted(sv(m.key())));
    }
  }
  Object kept;
  for (auto& m : target) {
    if (contains_value(retained, Value(m.key()))) kept.emplace(m.key(), std::move(m.value()));
  }
  target = std::move(kept);
}

void remove_primitives(Object& target, std::string_view field, const Value& removals) {
  const std::string key = directive_key(kDeleteFromPrimitiveList, field);
  if (!removals.is_array()) fail(key + " must be a list");
  for (const Value& r : removals.get_array()) {
    if (r.is_object() || r.is_array()) fail(key + ": deleting non-primitive values is not supported");
  }
  Value* list = target.if_contains(bsv(field));
  if (!list || !list->is_array()) return;  // nothing to delete from
  Array kept;
  for (Value& v : list->as_array()) {
    if (!contains_value(removals.get_array(), v)) kept.push_back(std::move(v));
  }
  *list = std::move(kept);
}

void set_member(Object& target, std::string_view field, const Value& patch, const Schema& schema) {
  if (patch.is_null()) {
    target.erase(bsv(field));
    return;
  }
  Value* slot = target.if_contains(bsv(field));
  Value fresh;
  Value& destination = slot ? *slot : fresh;
  if (!merge_value(destination, patch, schema)) {
    target.erase(bsv(field));
  } else if (!slot) {
    target[bsv(field)] = std::move(fresh);
  }
}

void order_member(Object& target, std::string_view field, const Value& order, const Value* patch, const Array& live,
                  const Schema& schema) {
  const std::string key = directive_key(kSetElementOrder, field);
  if (!order.is_array()) fail(key + " must be a list");
  Value* list = target.if_contains(bsv(field));
  if (!list) return;  // neither live nor patched: nothing to order
  if (!list->is_array()) fail(key + ": " + quoted(field) + " is not a list");
  const std::string_view merge_key = schema.merge_key();
  if (patch && patch->is_array()) check_order_covers_patch(patch->get_array(), order.get_array(), merge_key, field);
  *list = order_merged_list(std::move(list->as_array()), order.get_array(), live, merge_key);
}

// Applies everything the patch says about one field: the value, deletions from a primitive list
// (applied first) and the element order (applied last, against the live list).
void merge_member(Object& target, std::string_view field, const Object& patch, const Schema& schema) {
  const Value* value = patch.if_contains(bsv(field));
  const Value* order = patch.if_contains(bsv(directive_key(kSetElementOrder, field)));
  const Value* removals = patch.if_contains(bsv(directive_key(kDeleteFromPrimitiveList, field)));
  Array live;
  if (const Value* current = target.if_contains(bsv(field)); order && current && current->is_array()) {
    live = current->get_array();
  }
  if (removals) remove_primitives(target, field, *removals);
  if (value) set_member(target, field, *value, schema);
  if (order) order_member(target, field, *order, value, live, schema);
}

// Merges a map; false when `$patch: delete` removes it.
bool merge_object(Object& target, const Object& patch, const Schema& schema) {
  if (const Value* directive = patch.if_contains(bsv(kPatch))) {
    switch (parse_directive(*directive)) {
      case Directive::kDelete:
        return false;
      case Directive::kReplace:
        target.clear();  // the rest of the patch is the whole new map
        break;
      case Directive::kMerge:
        break;
    }
  }
  if (const Value* keys = patch.if_contains(bsv(kRetainKeys))) retain_keys(target, *keys, patch);
  std::unordered_set<std::string_view> done;  // a field may be named by its directives as well
  for (const auto& m : patch) {
    std::string_view field = field_of(sv(m.key()));
    if (field.empty() || !done.insert(field).second) continue;
    merge_member(target, field, patch, schema.member(field));
  }
  return true;
}

}  // namespace

void apply_strategic_merge_patch(json::Value& doc, const json::Value& patch, const json::Object& definitions,
                                 std::string_view type) {
  if (!patch.is_object()) fail("the patch must be a JSON object, not " + brief(patch));
  if (!doc.is_object()) fail("the object to patch is not a JSON object");
  const Value* definition = definitions.if_contains(bsv(type));
  if (!definition || !definition->is_object()) {
    fail("not supported for " + quoted(type) + ", which the API spec does not define");
  }
  Value result = doc;
  if (!merge_object(result.as_object(), patch.get_object(), Schema(definitions, &definition->get_object()))) {
    fail("$patch: delete of the whole object is not supported (send a DELETE instead)");
  }
  doc = std::move(result);
}

}  // namespace kube::apiserver
