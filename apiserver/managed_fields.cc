// Field sets, schema walking and merging for server-side apply (see managed_fields.h).
#include "apiserver/managed_fields.h"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <stdexcept>

#include "apiserver/api_impl.h"
#include "apiserver/dom_util.h"
#include "kube/core/time.h"

namespace kube::apiserver {

// ---- FieldSet --------------------------------------------------------------------------------------

FieldSet& FieldSet::unite(const FieldSet& other) {
  self = self || other.self;
  for (const auto& [key, child] : other.children) children[key].unite(child);
  return *this;
}

FieldSet& FieldSet::subtract(const FieldSet& other) {
  if (other.self) self = false;
  for (const auto& [key, child] : other.children) {
    auto it = children.find(key);
    if (it == children.end()) continue;
    it->second.subtract(child);
    if (it->second.empty()) children.erase(it);
  }
  return *this;
}

FieldSet FieldSet::intersect(const FieldSet& other) const {
  FieldSet out;
  out.self = self && other.self;
  for (const auto& [key, child] : children) {
    auto it = other.children.find(key);
    if (it == other.children.end()) continue;
    FieldSet common = child.intersect(it->second);
    if (!common.empty()) out.children.emplace(key, std::move(common));
  }
  return out;
}

const FieldSet* FieldSet::child(const std::string& key) const {
  auto it = children.find(key);
  return it == children.end() ? nullptr : &it->second;
}

namespace {

void each_path(const FieldSet& node, std::vector<std::string>& path,
               const std::function<void(const std::vector<std::string>&, const FieldSet&)>& visit) {
  if (node.self) visit(path, node);
  for (const auto& [key, child] : node.children) {
    path.push_back(key);
    each_path(child, path, visit);
    path.pop_back();
  }
}

}  // namespace

void FieldSet::each(const std::function<void(const std::vector<std::string>&, const FieldSet&)>& visit) const {
  std::vector<std::string> path;
  each_path(*this, path, visit);
}

json::Value FieldSet::to_json() const {
  json::Object out;
  if (self && !children.empty()) out["."] = json::Object{};
  for (const auto& [key, child] : children) out[key] = child.to_json();
  return out;
}

FieldSet FieldSet::from_json(const json::Value& fields_v1) {
  if (!fields_v1.is_object()) throw std::invalid_argument("a FieldsV1 node must be a JSON object");
  FieldSet out;
  const json::Object& o = fields_v1.as_object();
  if (o.empty()) out.self = true;
  for (const auto& member : o) {
    std::string key(member.key());
    if (key == ".") {
      out.self = true;
      continue;
    }
    if (key.size() < 2 || key[1] != ':' || std::string_view("fkvi").find(key[0]) == std::string_view::npos) {
      throw std::invalid_argument("invalid FieldsV1 path element \"" + key + "\"");
    }
    out.children.emplace(std::move(key), from_json(member.value()));
  }
  return out;
}

std::string path_string(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& element : path) {
    std::string_view rest = std::string_view(element).substr(2);
    switch (element[0]) {
      case 'f':
        out += "." + std::string(rest);
        break;
      case 'k': {
        out += "[";
        try {
          json::Value key = json::parse(rest);
          bool first = true;
          for (const auto& m : key.as_object()) {
            out += (first ? "" : ",") + std::string(m.key()) + "=" + boost::json::serialize(m.value());
            first = false;
          }
        } catch (const std::exception&) {
          out += rest;
        }
        out += "]";
        break;
      }
      case 'v':
        out += "[=" + std::string(rest) + "]";
        break;
      default:
        out += "[" + std::string(rest) + "]";
    }
  }
  return out;
}

// ---- schemas ---------------------------------------------------------------------------------------

namespace {

constexpr std::string_view kObjectMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

const json::Value* resolve_ref(const json::Value* node, const json::Object* definitions) {
  for (int depth = 0; node && node->is_object() && depth < 8; ++depth) {
    const json::Object& o = node->as_object();
    const json::Value* ref = o.if_contains("$ref");
    if (!ref) {
      const json::Value* all_of = o.if_contains("allOf");
      if (all_of && all_of->is_array() && all_of->as_array().size() == 1 && !o.contains("properties")) {
        node = &all_of->as_array()[0];
        continue;
      }
      return node;
    }
    if (!ref->is_string() || !definitions) return nullptr;
    std::string_view name = ref->as_string();
    constexpr std::string_view prefix = "#/definitions/";
    if (name.substr(0, prefix.size()) == prefix) name.remove_prefix(prefix.size());
    node = definitions->if_contains(bsv(name));
  }
  return node;
}

std::string string_member(const json::Value* node, std::string_view name) {
  if (!node || !node->is_object()) return {};
  const json::Value* v = node->as_object().if_contains(bsv(name));
  return v && v->is_string() ? to_std(v->as_string()) : std::string();
}

}  // namespace

const json::Value* SchemaNode::resolve(const json::Value* node) const { return resolve_ref(node, definitions_); }

SchemaNode SchemaNode::of(const ResourceInfo& resource, const json::Object& definitions) {
  if (resource.is_custom()) {
    return SchemaNode(resource.schema.is_object() ? &resource.schema : nullptr, &definitions, true);
  }
  return SchemaNode(definitions.if_contains(bsv(resource.definition)), &definitions, true);
}

SchemaNode SchemaNode::field(std::string_view name) const {
  if (root_ && name == "metadata" && definitions_) {
    return SchemaNode(definitions_->if_contains(bsv(kObjectMeta)), definitions_, false);
  }
  const json::Value* n = resolve(node_);
  if (!n || !n->is_object()) return SchemaNode(nullptr, definitions_, false);
  const json::Object& o = n->as_object();
  if (const json::Value* props = o.if_contains("properties"); props && props->is_object()) {
    if (const json::Value* p = props->as_object().if_contains(bsv(name))) {
      return SchemaNode(resolve(p), definitions_, false);
    }
  }
  if (const json::Value* extra = o.if_contains("additionalProperties"); extra && extra->is_object()) {
    return SchemaNode(resolve(extra), definitions_, false);
  }
  return SchemaNode(nullptr, definitions_, false);
}

SchemaNode SchemaNode::items() const {
  const json::Value* n = resolve(node_);
  if (!n || !n->is_object()) return SchemaNode(nullptr, definitions_, false);
  return SchemaNode(resolve(n->as_object().if_contains("items")), definitions_, false);
}

SchemaNode::ListType SchemaNode::list_type() const {
  const json::Value* n = resolve(node_);
  std::string type = string_member(n, "x-kubernetes-list-type");
  if (type == "map") return ListType::Map;
  if (type == "set") return ListType::Set;
  if (type == "atomic") return ListType::Atomic;
  // As Kubernetes does for types without list-type markers: the strategic-merge-patch facts.
  std::string strategy = string_member(n, "x-kubernetes-patch-strategy");
  if (strategy.find("merge") != std::string::npos) {
    if (!string_member(n, "x-kubernetes-patch-merge-key").empty()) return ListType::Map;
    SchemaNode item = items();
    const json::Value* item_node = resolve(item.node_);
    std::string item_type = string_member(item_node, "type");
    if (!item_type.empty() && item_type != "object" && item_type != "array") return ListType::Set;
  }
  return ListType::Atomic;
}

std::vector<std::string> SchemaNode::list_keys() const {
  const json::Value* n = resolve(node_);
  std::vector<std::string> keys;
  if (n && n->is_object()) {
    if (const json::Value* k = n->as_object().if_contains("x-kubernetes-list-map-keys"); k && k->is_array()) {
      for (const auto& v : k->as_array()) {
        if (v.is_string()) keys.push_back(to_std(v.as_string()));
      }
    }
  }
  if (keys.empty()) {
    std::string key = string_member(n, "x-kubernetes-patch-merge-key");
    if (!key.empty()) keys.push_back(key);
  }
  return keys;
}

bool SchemaNode::is_map() const {
  const json::Value* n = resolve(node_);
  if (!n || !n->is_object()) return true;  // unknown: a granular map
  const json::Object& o = n->as_object();
  const json::Value* props = o.if_contains("properties");
  bool has_props = props && props->is_object() && !props->as_object().empty();
  if (has_props) return false;
  if (o.contains("additionalProperties")) return true;
  const json::Value* preserve = o.if_contains("x-kubernetes-preserve-unknown-fields");
  if (preserve && preserve->is_bool() && preserve->as_bool()) return true;
  return string_member(n, "type").empty();
}

bool SchemaNode::is_atomic_object() const {
  return string_member(resolve(node_), "x-kubernetes-map-type") == "atomic";
}

// ---- fields of objects -----------------------------------------------------------------------------

namespace {

// "k:{...}" for an item of a map-list (empty when the item has none of the keys).
std::string item_key(const json::Value& item, std::vector<std::string> keys) {
  if (!item.is_object() || keys.empty()) return {};
  std::sort(keys.begin(), keys.end());
  json::Object key;
  for (const auto& k : keys) {
    if (const json::Value* v = item.as_object().if_contains(bsv(k))) key[bsv(k)] = *v;
  }
  if (key.empty()) return {};
  return "k:" + boost::json::serialize(key);
}

void collect(const json::Value& v, const SchemaNode& schema, FieldSet& node) {
  if (v.is_object() && !schema.is_atomic_object()) {
    const json::Object& o = v.as_object();
    if (o.empty() || schema.is_map()) node.self = true;
    for (const auto& m : o) collect(m.value(), schema.field(m.key()), node.children["f:" + std::string(m.key())]);
    return;
  }
  if (v.is_array() && !v.as_array().empty()) {
    SchemaNode::ListType type = schema.list_type();
    if (type == SchemaNode::ListType::Map) {
      std::vector<std::string> keys = schema.list_keys();
      FieldSet items;
      bool keyed = true;
      for (const auto& item : v.as_array()) {
        std::string key = item_key(item, keys);
        if (key.empty()) {
          keyed = false;
          break;
        }
        FieldSet& child = items.children[key];
        collect(item, schema.items(), child);
        child.self = true;
      }
      if (keyed) {
        node.children = std::move(items.children);
        return;
      }
    } else if (type == SchemaNode::ListType::Set) {
      for (const auto& item : v.as_array()) node.children["v:" + boost::json::serialize(item)].self = true;
      return;
    }
  }
  node.self = true;
}

json::Value* child_value(json::Value& v, const std::string& element, std::size_t* index = nullptr) {
  std::string_view rest = std::string_view(element).substr(2);
  if (element[0] == 'f') {
    if (!v.is_object()) return nullptr;
    return v.as_object().if_contains(bsv(rest));
  }
  if (!v.is_array()) return nullptr;
  json::Array& a = v.as_array();
  if (element[0] == 'i') {
    std::size_t i = 0;
    try {
      i = std::stoul(std::string(rest));
    } catch (const std::exception&) {
      return nullptr;
    }
    if (index) *index = i;
    return i < a.size() ? &a[i] : nullptr;
  }
  json::Value wanted;
  try {
    wanted = json::parse(rest);
  } catch (const std::exception&) {
    return nullptr;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    bool match = false;
    if (element[0] == 'v') {
      match = json::equal(a[i], wanted);
    } else if (element[0] == 'k' && wanted.is_object() && a[i].is_object()) {
      match = true;
      for (const auto& m : wanted.as_object()) {
        const json::Value* got = a[i].as_object().if_contains(m.key());
        if (!got || !json::equal(*got, m.value())) match = false;
      }
    }
    if (match) {
      if (index) *index = i;
      return &a[i];
    }
  }
  return nullptr;
}

}  // namespace

FieldSet fields_of(const json::Value& object, const SchemaNode& schema) {
  FieldSet out;
  if (!object.is_object()) return out;
  for (const auto& m : object.as_object()) {
    collect(m.value(), schema.field(m.key()), out.children["f:" + std::string(m.key())]);
  }
  return out;
}

const json::Value* value_at(const json::Value& root, const std::vector<std::string>& path) {
  const json::Value* cur = &root;
  for (const auto& element : path) {
    cur = child_value(const_cast<json::Value&>(*cur), element);
    if (!cur) return nullptr;
  }
  return cur;
}

json::Value merge_applied(const json::Value* live, const json::Value& config, const SchemaNode& schema) {
  if (config.is_object() && live && live->is_object() && !schema.is_atomic_object()) {
    json::Value result = *live;
    json::Object& out = result.as_object();
    for (const auto& m : config.as_object()) {
      if (m.value().is_null()) {
        out.stable_erase(m.key());
        continue;
      }
      out[m.key()] = merge_applied(live->as_object().if_contains(m.key()), m.value(), schema.field(m.key()));
    }
    return result;
  }
  if (config.is_array() && live && live->is_array()) {
    SchemaNode::ListType type = schema.list_type();
    const json::Array& old_items = live->as_array();
    if (type == SchemaNode::ListType::Map) {
      // Live order is kept: items both have are merged and appear in the applied order at the
      // places the live list had them; items only the applied list has come last.
      std::vector<std::string> keys = schema.list_keys();
      const json::Array& applied = config.as_array();
      std::vector<std::string> live_keys, applied_keys;
      for (const auto& item : old_items) live_keys.push_back(item_key(item, keys));
      for (const auto& item : applied) applied_keys.push_back(item_key(item, keys));
      auto index_in = [](const std::vector<std::string>& list, const std::string& key) {
        if (key.empty()) return list.size();
        return static_cast<std::size_t>(std::find(list.begin(), list.end(), key) - list.begin());
      };
      std::vector<std::size_t> shared;  // applied indices of shared items, in applied order
      for (std::size_t i = 0; i < applied.size(); ++i) {
        if (index_in(live_keys, applied_keys[i]) < old_items.size()) shared.push_back(i);
      }
      json::Array result;
      std::size_t next_shared = 0;
      for (std::size_t i = 0; i < old_items.size(); ++i) {
        if (index_in(applied_keys, live_keys[i]) < applied.size() && next_shared < shared.size()) {
          std::size_t a = shared[next_shared++];
          std::size_t l = index_in(live_keys, applied_keys[a]);
          result.push_back(merge_applied(&old_items[l], applied[a], schema.items()));
        } else {
          result.push_back(old_items[i]);
        }
      }
      for (std::size_t i = 0; i < applied.size(); ++i) {
        if (index_in(live_keys, applied_keys[i]) >= old_items.size()) result.push_back(applied[i]);
      }
      return result;
    }
    if (type == SchemaNode::ListType::Set) {
      json::Array result = old_items;
      for (const auto& item : config.as_array()) {
        if (std::none_of(result.begin(), result.end(), [&](const json::Value& x) { return json::equal(x, item); })) {
          result.push_back(item);
        }
      }
      return result;
    }
  }
  return config;
}

void remove_fields(json::Value& object, const FieldSet& remove, const FieldSet* keep) {
  for (const auto& [key, child] : remove.children) {
    const FieldSet* keep_child = keep ? keep->child(key) : nullptr;
    std::size_t index = 0;
    json::Value* target = child_value(object, key, &index);
    if (!target) continue;
    if (child.self && (!keep_child || keep_child->empty())) {
      if (key[0] == 'f') {
        object.as_object().stable_erase(bsv(std::string_view(key).substr(2)));
      } else {
        object.as_array().erase(object.as_array().begin() + static_cast<std::ptrdiff_t>(index));
      }
      continue;
    }
    remove_fields(*target, child, keep_child);
  }
}

namespace {

// Walks `fields` down both objects at once (one lookup per path element, not per path).
void collect_changes(const FieldSet& node, const json::Value* a, const json::Value* b, FieldSet& out) {
  if (node.self) {
    bool changed = (a == nullptr) != (b == nullptr);
    if (!changed && a && node.children.empty()) changed = !json::equal(*a, *b);
    out.self = changed;
  }
  for (const auto& [key, child] : node.children) {
    const json::Value* ca = a ? child_value(const_cast<json::Value&>(*a), key) : nullptr;
    const json::Value* cb = b ? child_value(const_cast<json::Value&>(*b), key) : nullptr;
    if (!ca && !cb) continue;  // absent on both sides: unchanged
    FieldSet sub;
    collect_changes(child, ca, cb, sub);
    if (!sub.empty()) out.children.emplace(key, std::move(sub));
  }
}

}  // namespace

FieldSet changed_fields(const FieldSet& fields, const json::Value& before, const json::Value& after) {
  FieldSet out;
  collect_changes(fields, &before, &after, out);
  return out;
}

json::Value tracked_part(const json::Value& object, const ResourceInfo& resource, std::string_view subresource) {
  if (subresource == "status") {
    json::Object out;
    if (const json::Value* status = find_path(object, {"status"})) out["status"] = *status;
    return out;
  }
  json::Value copy = object;
  json::Object& o = copy.as_object();
  o.erase("apiVersion");
  o.erase("kind");
  if (resource.has_status) o.erase("status");
  if (json::Value* meta = o.if_contains("metadata"); meta && meta->is_object()) {
    for (const char* server_owned : {"name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
                                     "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"}) {
      meta->as_object().erase(server_owned);
    }
    if (meta->as_object().empty()) o.erase("metadata");
  }
  return copy;
}

// ---- managedFields ---------------------------------------------------------------------------------

std::vector<ManagedEntry> decode_managed_fields(const json::Value& object, const ResourceInfo& resource) {
  std::vector<ManagedEntry> out;
  const json::Value* list = find_path(object, {"metadata", "managedFields"});
  if (!list || list->is_null()) return out;
  std::string name = string_at(object, {"metadata", "name"});
  if (!list->is_array()) {
    fail_invalid(resource, name,
                 json::Array{cause("FieldValueInvalid", "metadata.managedFields", "Invalid value: must be a list")});
  }
  json::Array causes;
  std::size_t i = 0;
  for (const auto& e : list->as_array()) {
    std::string field = "metadata.managedFields[" + std::to_string(i++) + "]";
    if (!e.is_object()) {
      causes.push_back(cause("FieldValueInvalid", field, "Invalid value: must be an object"));
      continue;
    }
    ManagedEntry entry{string_at(e, {"manager"}), string_at(e, {"operation"}), string_at(e, {"apiVersion"}),
                       string_at(e, {"time"}), string_at(e, {"subresource"}), {}};
    if (entry.operation != "Apply" && entry.operation != "Update") {
      causes.push_back(cause("FieldValueNotSupported", field + ".operation",
                             "Unsupported value: \"" + entry.operation + "\": supported values: \"Apply\", \"Update\""));
    }
    std::string type = string_at(e, {"fieldsType"});
    if (type != "FieldsV1") {
      causes.push_back(cause("FieldValueNotSupported", field + ".fieldsType",
                             "Unsupported value: \"" + type + "\": supported values: \"FieldsV1\""));
    }
    if (const json::Value* f = find_path(e, {"fieldsV1"}); f && !f->is_null()) {
      try {
        entry.fields = FieldSet::from_json(*f);
      } catch (const std::invalid_argument& error) {
        causes.push_back(cause("FieldValueInvalid", field + ".fieldsV1", std::string("Invalid value: ") + error.what()));
      }
    }
    out.push_back(std::move(entry));
  }
  if (!causes.empty()) fail_invalid(resource, name, causes);
  return out;
}

void encode_managed_fields(json::Value& object, const std::vector<ManagedEntry>& entries) {
  json::Array list;
  for (const auto& e : entries) {
    if (e.fields.empty()) continue;
    json::Object entry{{"manager", e.manager}, {"operation", e.operation}, {"apiVersion", e.api_version},
                       {"time", e.time}, {"fieldsType", "FieldsV1"}, {"fieldsV1", e.fields.to_json()}};
    if (!e.subresource.empty()) entry["subresource"] = e.subresource;
    list.push_back(std::move(entry));
  }
  json::Object& meta = metadata_of(object);
  if (list.empty()) {
    meta.stable_erase("managedFields");
  } else {
    meta["managedFields"] = std::move(list);
  }
}

std::string default_manager(std::string_view user_agent) {
  std::string_view first = user_agent.substr(0, user_agent.find('/'));
  first = first.substr(0, first.find(' '));
  return first.empty() ? std::string("unknown") : std::string(first);
}

void check_manager(std::string_view manager) {
  if (manager.size() > 128) {
    fail(422, "Invalid", "fieldManager: Too long: may not be more than 128 bytes",
         json::Object{{"causes", json::Array{cause("FieldValueTooLong", "fieldManager",
                                                   "Too long: may not be more than 128 bytes")}}});
  }
}

void track_update(const json::Value* old_object, json::Value& object, const ResourceInfo& resource,
                  const json::Object& definitions, const std::string& manager, std::string_view subresource) {
  const json::Value* new_list = find_path(object, {"metadata", "managedFields"});
  const json::Value* old_list = old_object ? find_path(*old_object, {"metadata", "managedFields"}) : nullptr;
  bool client_wrote = new_list && !new_list->is_null() && (!old_list || !json::equal(*new_list, *old_list));
  if (client_wrote && new_list->is_array() && new_list->as_array().empty()) {
    metadata_of(object).stable_erase("managedFields");  // an empty list resets ownership
    return;
  }
  std::vector<ManagedEntry> entries;
  if (client_wrote) {
    entries = decode_managed_fields(object, resource);
  } else if (old_object) {
    try {
      entries = decode_managed_fields(*old_object, resource);
    } catch (const ApiFailure&) {
      entries.clear();  // stored garbage: start over
    }
  }
  SchemaNode schema = SchemaNode::of(resource, definitions);
  json::Value new_part = tracked_part(object, resource, subresource);
  json::Value old_part = old_object ? tracked_part(*old_object, resource, subresource) : json::Value(json::Object{});
  FieldSet new_fields = fields_of(new_part, schema);
  FieldSet changed = changed_fields(new_fields, old_part, new_part);
  FieldSet removed;
  if (old_object) {
    removed = fields_of(old_part, schema);
    removed.subtract(new_fields);
  }
  if (!client_wrote && changed.empty() && removed.empty()) {
    // Nothing this write changed is tracked: the old entries stay exactly as they were.
    if (old_list) {
      metadata_of(object)["managedFields"] = *old_list;
    } else {
      metadata_of(object).stable_erase("managedFields");
    }
    return;
  }
  ManagedEntry* own = nullptr;
  for (auto& e : entries) {
    if (e.manager == manager && e.operation == "Update" && e.subresource == subresource) {
      own = &e;
    } else {
      e.fields.subtract(changed).subtract(removed);
    }
  }
  if (own) {
    own->fields.subtract(removed).unite(changed);
  } else if (!changed.empty()) {
    entries.push_back(ManagedEntry{manager, "Update", "", "", std::string(subresource), changed});
    own = &entries.back();
  }
  if (own && !changed.empty()) {
    own->api_version = resource.api_version();
    own->time = Time::now().to_string();
  }
  encode_managed_fields(object, entries);
}

}  // namespace kube::apiserver
