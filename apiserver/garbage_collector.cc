// The garbage collector: ownerReferences, cascading deletion and the Foreground/Orphan policies.
// See garbage_collector.h for how it is driven.
#include "apiserver/garbage_collector.h"

#include <boost/json/serialize.hpp>

#include <algorithm>

#include "apiserver/api_impl.h"
#include "apiserver/dom_util.h"
#include "apiserver/managed_fields.h"
#include "kube/core/time.h"

namespace kube::apiserver {

namespace {

constexpr std::string_view kForeground = "foregroundDeletion";
constexpr std::string_view kOrphan = "orphan";
// The field manager of the collector's own writes (as Kubernetes' collector is named).
const std::string kManager = "kube-controller-manager";

bool contains(std::string_view text, std::string_view what) { return text.find(what) != std::string_view::npos; }

std::vector<std::string> finalizers_of(const json::Value& object) {
  std::vector<std::string> out;
  if (const json::Value* f = find_path(object, {"metadata", "finalizers"}); f && f->is_array()) {
    for (const auto& v : f->as_array()) {
      if (v.is_string()) out.push_back(to_std(v.as_string()));
    }
  }
  return out;
}

bool has_finalizer(const json::Value& object, std::string_view name) {
  auto all = finalizers_of(object);
  return std::find(all.begin(), all.end(), name) != all.end();
}

bool deleting(const json::Value& object) { return find_path(object, {"metadata", "deletionTimestamp"}) != nullptr; }

}  // namespace

Propagation propagation_of(const json::Object& options) {
  Propagation policy = Propagation::Default;
  if (const json::Value* p = options.if_contains("propagationPolicy"); p && !p->is_null()) {
    if (!p->is_string()) fail(400, "BadRequest", "propagationPolicy must be a string");
    std::string text = to_std(p->as_string());
    if (text == "Foreground") {
      policy = Propagation::Foreground;
    } else if (text == "Background") {
      policy = Propagation::Background;
    } else if (text == "Orphan") {
      policy = Propagation::Orphan;
    } else {
      fail(400, "BadRequest", "propagationPolicy must be Orphan, Background or Foreground (got \"" + text + "\")");
    }
  }
  // The legacy form: orphanDependents true = Orphan, false = Background.
  if (const json::Value* o = options.if_contains("orphanDependents"); o && !o->is_null()) {
    bool orphan = false;
    if (o->is_bool()) {
      orphan = o->as_bool();
    } else if (o->is_string()) {
      bool ok = false;
      orphan = parse_bool(to_std(o->as_string()), ok);
      if (!ok) fail(400, "BadRequest", "orphanDependents must be a boolean");
    } else {
      fail(400, "BadRequest", "orphanDependents must be a boolean");
    }
    if (policy != Propagation::Default) {
      fail(422, "Invalid",
           "DeleteOptions is invalid: orphanDependents: Invalid value: " + std::string(orphan ? "true" : "false") +
               ": orphanDependents and propagationPolicy cannot both be set",
           json::Object{{"kind", "DeleteOptions"},
                        {"causes", json::Array{cause("FieldValueInvalid", "orphanDependents",
                                                     "orphanDependents and propagationPolicy cannot both be set")}}});
    }
    policy = orphan ? Propagation::Orphan : Propagation::Background;
  }
  return policy;
}

GarbageCollector::GarbageCollector(Api::Impl& api) : api_(api) {}

std::vector<GarbageCollector::OwnerRef> GarbageCollector::owners_in(const json::Value& object) {
  std::vector<OwnerRef> out;
  const json::Value* refs = find_path(object, {"metadata", "ownerReferences"});
  if (!refs || !refs->is_array()) return out;
  for (const auto& r : refs->as_array()) {
    OwnerRef ref{string_at(r, {"apiVersion"}), string_at(r, {"kind"}), string_at(r, {"name"}), string_at(r, {"uid"})};
    if (ref.uid.empty()) continue;
    const json::Value* block = find_path(r, {"blockOwnerDeletion"});
    ref.block = block && block->is_bool() && block->as_bool();
    out.push_back(std::move(ref));
  }
  return out;
}

void GarbageCollector::index_object(const std::string& key, std::vector<OwnerRef> refs) {
  if (auto it = owners_.find(key); it != owners_.end()) {
    for (const auto& ref : it->second) {
      auto deps = dependents_.find(ref.uid);
      if (deps == dependents_.end()) continue;
      deps->second.erase(key);
      if (deps->second.empty()) dependents_.erase(deps);
    }
    owners_.erase(it);
  }
  if (refs.empty()) return;
  for (const auto& ref : refs) dependents_[ref.uid].insert(key);
  owners_.emplace(key, std::move(refs));
}

void GarbageCollector::queue(Work work, const std::string& key) {
  if (queued_.insert({work, key}).second) queue_.emplace_back(work, key);
}

const ResourceInfo* GarbageCollector::resource_of_key(std::string_view key) const {
  auto slash = key.find('/');
  if (slash == std::string_view::npos) return nullptr;
  std::string group(key.substr(0, slash));
  if (group == "core") group.clear();
  std::string_view rest = key.substr(slash + 1);
  auto versions = api_.registry.versions_of(group, rest.substr(0, rest.find('/')));
  return versions.empty() ? nullptr : versions.front();
}

std::string GarbageCollector::owner_key(const OwnerRef& ref, std::string_view dependent_ns, bool& unresolvable,
                                        bool& invalid_scope) const {
  unresolvable = invalid_scope = false;
  auto slash = ref.api_version.find('/');
  std::string group = slash == std::string::npos ? "" : ref.api_version.substr(0, slash);
  std::string version = slash == std::string::npos ? ref.api_version : ref.api_version.substr(slash + 1);
  const ResourceInfo* owner = api_.registry.find_kind(group, version, ref.kind);
  if (!owner) {
    unresolvable = true;
    return {};
  }
  // A cluster-scoped dependent cannot have a namespaced owner (the reference is treated as absent).
  if (owner->namespaced && dependent_ns.empty()) {
    invalid_scope = true;
    return {};
  }
  return storage_key(owner->group, owner->plural, owner->namespaced ? dependent_ns : "", ref.name);
}

void GarbageCollector::queue_owner_ref(const OwnerRef& ref, const std::string&, const std::string& ns) {
  bool unresolvable = false, invalid = false;
  std::string key = owner_key(ref, ns, unresolvable, invalid);
  if (!key.empty()) queue(Work::Owner, key);
}

void GarbageCollector::bootstrap() {
  std::vector<ObjectPtr> all;
  api_.store.range("", "", [&](const ObjectPtr& o) {
    if (contains(o->json, "\"ownerReferences\"") || contains(o->json, "\"deletionTimestamp\"")) all.push_back(o);
    return true;
  });
  for (const auto& o : all) {
    json::Value dom = json::parse(o->json);
    auto refs = owners_in(dom);
    if (!refs.empty()) {
      index_object(o->key, std::move(refs));
      queue(Work::Attempt, o->key);
    }
    if (deleting(dom) && (has_finalizer(dom, kForeground) || has_finalizer(dom, kOrphan))) queue(Work::Owner, o->key);
  }
  run();
}

void GarbageCollector::observe(const StoreEvent& event) {
  const ObjectPtr& object = event.object;
  const std::string& key = object->key;
  auto known = owners_.find(key);
  if (event.type == EventType::Deleted) {
    if (known != owners_.end()) {
      // Owners waiting for this dependent (Foreground) may now finish.
      for (const auto& ref : known->second) queue_owner_ref(ref, key, object->namespace_);
      index_object(key, {});
    }
    if (!dependents_.empty()) {
      std::string uid = string_at(json::parse(object->json), {"metadata", "uid"});
      if (auto deps = dependents_.find(uid); deps != dependents_.end()) {
        for (const auto& dep : deps->second) queue(Work::Attempt, dep);
      }
    }
    return;
  }
  bool has_refs = contains(object->json, "\"ownerReferences\"");
  bool gc_finalizer = contains(object->json, "\"deletionTimestamp\"") &&
                      (contains(object->json, "\"foregroundDeletion\"") || contains(object->json, "\"orphan\""));
  if (!has_refs && known == owners_.end() && !gc_finalizer) return;
  json::Value dom = json::parse(object->json);
  std::vector<OwnerRef> refs = owners_in(dom);
  bool changed = known == owners_.end() ? !refs.empty() : known->second != refs;
  if (changed) {
    if (known != owners_.end()) {
      for (const auto& ref : known->second) {
        if (std::find(refs.begin(), refs.end(), ref) == refs.end()) queue_owner_ref(ref, key, object->namespace_);
      }
    }
    index_object(key, refs);
    if (!refs.empty()) queue(Work::Attempt, key);
  }
  if (gc_finalizer && deleting(dom) && (has_finalizer(dom, kForeground) || has_finalizer(dom, kOrphan))) {
    queue(Work::Owner, key);
  }
}

void GarbageCollector::run() {
  if (running_) return;
  running_ = true;
  while (!queue_.empty()) {
    auto item = queue_.front();
    queue_.pop_front();
    queued_.erase(item);
    try {
      if (item.first == Work::Attempt) {
        attempt(item.second);
      } else {
        process_owner(item.second);
      }
    } catch (const ApiFailure&) {
      // The object changed or went away meanwhile: its next event queues it again.
    } catch (const std::exception&) {
    }
  }
  running_ = false;
}

void GarbageCollector::attempt(const std::string& key) {
  ObjectPtr current = api_.store.get(key);
  if (!current) return;
  json::Value object = json::parse(current->json);
  if (deleting(object)) {
    if (has_finalizer(object, kForeground)) queue(Work::Owner, key);
    return;
  }
  std::vector<OwnerRef> refs = owners_in(object);
  if (refs.empty()) return;
  std::set<std::string> dangling, waiting;
  bool solid = false;
  for (const auto& ref : refs) {
    bool unresolvable = false, invalid = false;
    std::string owner = owner_key(ref, current->namespace_, unresolvable, invalid);
    if (unresolvable) {
      solid = true;  // an unknown kind: never collect on a guess
      continue;
    }
    ObjectPtr owner_object = invalid ? nullptr : api_.store.get(owner);
    if (!owner_object) {
      dangling.insert(ref.uid);
      continue;
    }
    json::Value owner_dom = json::parse(owner_object->json);
    if (string_at(owner_dom, {"metadata", "uid"}) != ref.uid) {
      dangling.insert(ref.uid);
    } else if (deleting(owner_dom) && has_finalizer(owner_dom, kForeground)) {
      waiting.insert(ref.uid);
    } else {
      solid = true;
    }
  }
  if (solid) {
    // Still owned: only the references to owners that are gone (or deleting in the foreground)
    // are dropped.
    std::set<std::string> drop = dangling;
    drop.insert(waiting.begin(), waiting.end());
    if (!drop.empty()) remove_owner_refs(key, drop);
    return;
  }
  const ResourceInfo* resource = resource_of_key(key);
  if (!resource) return;
  if (resource->group.empty() && resource->plural == "namespaces") {
    api_.start_namespace_deletion(current->name);
    return;
  }
  // Owners deleting in the foreground wait for this one: if it owns objects itself, the
  // deletion propagates in the foreground too.
  std::string uid = string_at(object, {"metadata", "uid"});
  bool has_dependents = dependents_.count(uid) > 0;
  delete_with_policy(*resource, current,
                     !waiting.empty() && has_dependents ? Propagation::Foreground : Propagation::Default, false);
}

void GarbageCollector::process_owner(const std::string& key) {
  ObjectPtr current = api_.store.get(key);
  if (!current) return;
  json::Value object = json::parse(current->json);
  if (!deleting(object)) return;
  std::string uid = string_at(object, {"metadata", "uid"});
  std::vector<std::string> dependents;
  if (auto it = dependents_.find(uid); it != dependents_.end()) dependents.assign(it->second.begin(), it->second.end());
  if (has_finalizer(object, kOrphan)) {
    for (const auto& dep : dependents) remove_owner_refs(dep, {uid});
    remove_finalizer(key, kOrphan);
    return;
  }
  if (!has_finalizer(object, kForeground)) return;
  bool blocked = false;
  for (const auto& dep : dependents) {
    ObjectPtr dep_object = api_.store.get(dep);
    if (!dep_object) continue;
    json::Value dep_dom = json::parse(dep_object->json);
    for (const auto& ref : owners_in(dep_dom)) {
      if (ref.uid != uid) continue;
      if (ref.block) blocked = true;
      queue(Work::Attempt, dep);
    }
  }
  if (!blocked) remove_finalizer(key, kForeground);
}

void GarbageCollector::remove_finalizer(const std::string& key, std::string_view finalizer) {
  ObjectPtr current = api_.store.get(key);
  if (!current) return;
  json::Value object = json::parse(current->json);
  json::Value* list = metadata_of(object).if_contains("finalizers");
  if (!list || !list->is_array()) return;
  json::Array kept;
  for (const auto& f : list->as_array()) {
    if (!(f.is_string() && f.as_string() == bsv(finalizer))) kept.push_back(f);
  }
  if (kept.size() == list->as_array().size()) return;
  bool last = kept.empty();
  if (last) {
    metadata_of(object).stable_erase("finalizers");
  } else {
    *list = std::move(kept);
  }
  if (const ResourceInfo* resource = resource_of_key(key)) {
    json::Value old = json::parse(current->json);
    track_update(&old, object, *resource, api_.registry.definitions(), kManager, "");
  }
  ObjectPtr stored = api_.store.put(key, object);
  if (last && deleting(object)) {
    if (const ResourceInfo* resource = resource_of_key(key)) api_.delete_object(*resource, stored, false);
  }
}

void GarbageCollector::remove_owner_refs(const std::string& key, const std::set<std::string>& uids) {
  ObjectPtr current = api_.store.get(key);
  if (!current) return;
  json::Value object = json::parse(current->json);
  json::Object& meta = metadata_of(object);
  json::Value* refs = meta.if_contains("ownerReferences");
  if (!refs || !refs->is_array()) return;
  json::Array kept;
  for (const auto& r : refs->as_array()) {
    if (!uids.count(string_at(r, {"uid"}))) kept.push_back(r);
  }
  if (kept.size() == refs->as_array().size()) return;
  if (kept.empty()) {
    meta.stable_erase("ownerReferences");
  } else {
    *refs = std::move(kept);
  }
  // The references removed are no longer anybody's fields.
  if (const ResourceInfo* resource = resource_of_key(key)) {
    json::Value old = json::parse(current->json);
    track_update(&old, object, *resource, api_.registry.definitions(), kManager, "");
  }
  api_.store.put(key, object);
}

std::pair<std::string, std::uint64_t> GarbageCollector::delete_with_policy(const ResourceInfo& resource,
                                                                           const ObjectPtr& current, Propagation policy,
                                                                           bool dry_run) {
  if (policy != Propagation::Foreground && policy != Propagation::Orphan) {
    return api_.delete_object(resource, current, dry_run);
  }
  std::string_view wanted = policy == Propagation::Foreground ? kForeground : kOrphan;
  std::string_view other = policy == Propagation::Foreground ? kOrphan : kForeground;
  json::Value object = json::parse(current->json);
  if (deleting(object) && has_finalizer(object, wanted) && !has_finalizer(object, other)) {
    return {current->json, api_.store.revision()};
  }
  json::Array list;
  for (const auto& f : finalizers_of(object)) {
    if (f != other && f != wanted) list.push_back(json::Value(f));
  }
  list.push_back(json::Value(wanted));
  json::Object& meta = metadata_of(object);
  meta["finalizers"] = std::move(list);
  if (!meta.contains("deletionTimestamp")) {
    meta["deletionTimestamp"] = Time::now().to_string();
    meta["deletionGracePeriodSeconds"] = 0;
  }
  if (dry_run) return {boost::json::serialize(object), api_.store.revision()};
  ObjectPtr stored = api_.store.put(current->key, object);
  return {stored->json, stored->revision};
}

}  // namespace kube::apiserver
