// Field ownership for server-side apply: sets of field paths (the FieldsV1 trie of
// metadata.managedFields), the schema facts that shape them (which lists are associative, which
// maps are granular), merging an applied configuration into a live object, and recording the
// `Update` ownership of ordinary writes.
//
// Paths are sequences of FieldsV1 path elements kept in their wire spelling: "f:<field>",
// "k:<JSON of the key fields>" (items of map-lists), "v:<JSON value>" (items of sets), "i:<index>".
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kube/core/dom.h"

namespace kube::apiserver {

struct ResourceInfo;

/// A set of field paths as a trie. `self`: the path of this node is in the set (FieldsV1's "."
/// or an empty leaf object).
struct FieldSet {
  bool self = false;
  std::map<std::string, FieldSet> children;

  bool empty() const { return !self && children.empty(); }
  bool operator==(const FieldSet&) const = default;
  FieldSet& unite(const FieldSet& other);
  /// Removes every path of `other`.
  FieldSet& subtract(const FieldSet& other);
  FieldSet intersect(const FieldSet& other) const;
  const FieldSet* child(const std::string& key) const;
  /// Calls `visit(path, node)` for every path in the set.
  void each(const std::function<void(const std::vector<std::string>&, const FieldSet&)>& visit) const;

  /// FieldsV1 JSON ({"f:spec":{"f:x":{}}}) and back; from_json throws std::invalid_argument.
  json::Value to_json() const;
  static FieldSet from_json(const json::Value& fields_v1);
};

/// ".spec.containers[name=\"c\"].image": how Kubernetes prints a path in conflict messages.
std::string path_string(const std::vector<std::string>& path);

/// One node of a schema: the bundled OpenAPI definitions (built-in kinds) or a CRD's structural
/// schema. A null node means "unknown": objects are granular maps, lists atomic.
class SchemaNode {
 public:
  SchemaNode() = default;
  /// The schema of a resource's objects.
  static SchemaNode of(const ResourceInfo& resource, const json::Object& definitions);

  SchemaNode field(std::string_view name) const;
  SchemaNode items() const;
  enum class ListType { Atomic, Map, Set };
  ListType list_type() const;
  std::vector<std::string> list_keys() const;
  /// A map with arbitrary keys (additionalProperties), as opposed to a struct with known fields.
  bool is_map() const;
  /// x-kubernetes-map-type: atomic (also on referenced definitions).
  bool is_atomic_object() const;

 private:
  SchemaNode(const json::Value* node, const json::Object* definitions, bool root)
      : node_(node), definitions_(definitions), root_(root) {}
  const json::Value* resolve(const json::Value* node) const;
  const json::Value* node_ = nullptr;
  const json::Object* definitions_ = nullptr;
  bool root_ = false;
  bool atomic_ref_ = false;  // the $ref'd definition is atomic
};

/// The fields a (partial) object sets.
FieldSet fields_of(const json::Value& object, const SchemaNode& schema);
/// The value at a path, or nullptr.
const json::Value* value_at(const json::Value& root, const std::vector<std::string>& path);
/// `config` merged into `live` (maps and associative lists by key, sets by value, the rest replaced).
json::Value merge_applied(const json::Value* live, const json::Value& config, const SchemaNode& schema);
/// Removes from `object` the paths of `remove`, except subtrees `keep` still has something under.
void remove_fields(json::Value& object, const FieldSet& remove, const FieldSet* keep);
/// The paths of `fields` whose value differs between `before` and `after` (for nodes that have
/// children, only whether the node exists).
FieldSet changed_fields(const FieldSet& fields, const json::Value& before, const json::Value& after);

/// The part of an object whose fields are tracked: without apiVersion, kind, and the metadata the
/// server owns; `subresource` "status" keeps only status, "" drops status when the resource has a
/// status subresource.
json::Value tracked_part(const json::Value& object, const ResourceInfo& resource, std::string_view subresource);

/// One metadata.managedFields entry.
struct ManagedEntry {
  std::string manager;
  std::string operation;  // Apply or Update
  std::string api_version;
  std::string time;
  std::string subresource;
  FieldSet fields;
};
/// Decodes metadata.managedFields; a malformed entry throws ApiFailure (422) naming it.
std::vector<ManagedEntry> decode_managed_fields(const json::Value& object, const ResourceInfo& resource);
/// Writes `entries` (dropping empty ones) into metadata.managedFields (removed when none).
void encode_managed_fields(json::Value& object, const std::vector<ManagedEntry>& entries);

/// The default field manager of a non-apply write: the User-Agent's first word up to '/'
/// ("kubectl/v1.32.4 (linux/amd64) ..." -> "kubectl"), as Kubernetes derives it.
std::string default_manager(std::string_view user_agent);
/// Checks a fieldManager value (422 when longer than 128 characters).
void check_manager(std::string_view manager);

/// Records the Update ownership of a write from `old_object` (null: create) to `object` by
/// `manager`, in object's metadata.managedFields. A client that rewrote managedFields itself
/// gets its version as the base (an empty list resets them).
void track_update(const json::Value* old_object, json::Value& object, const ResourceInfo& resource,
                  const json::Object& definitions, const std::string& manager, std::string_view subresource);

}  // namespace kube::apiserver
