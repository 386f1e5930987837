#include "apiserver/store.h"

#include <boost/json/serialize.hpp>

namespace kube::apiserver {

namespace {

bool has_prefix(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

void set_resource_version(json::Value& object, std::uint64_t revision) {
  if (!object.is_object()) return;
  json::Value& meta = object.as_object()["metadata"];
  if (!meta.is_object()) meta = json::Object{};
  meta.as_object()["resourceVersion"] = std::to_string(revision);
}

}  // namespace

std::string storage_prefix(std::string_view group, std::string_view plural, std::string_view ns) {
  std::string key(group.empty() ? "core" : group);
  key.push_back('/');
  key.append(plural).push_back('/');
  if (!ns.empty()) key.append(ns).push_back('/');
  return key;
}

std::string storage_key(std::string_view group, std::string_view plural, std::string_view ns, std::string_view name) {
  return storage_prefix(group, plural, ns).append(name);
}

Store::Store(Options options, Indexer indexer, Post post)
    : options_(std::move(options)), indexer_(std::move(indexer)), post_(std::move(post)) {
  if (!options_.data_dir.empty()) {
    log_ = std::make_unique<DurableLog>(options_.data_dir, [this](std::uint64_t revision) {
      post_([this, revision] { make_durable(revision); });
    });
  }
}

Store::~Store() = default;

ObjectPtr Store::make_object(std::string key, json::Value& dom, std::uint64_t revision) const {
  auto object = std::make_shared<StoredObject>();
  object->key = std::move(key);
  object->revision = revision;
  object->json = boost::json::serialize(dom);
  indexer_(*object, dom);
  return object;
}

void Store::open(const std::function<void()>& before_index) {
  if (!log_) {
    if (before_index) before_index();
    return;
  }
  // Replay into plain text first: objects are indexed only after `before_index` (custom resource
  // definitions must be known to index custom resources).
  struct Replayed {
    LogRecord record;
    bool from_snapshot;
  };
  std::vector<Replayed> records;
  log_->recover([&](LogRecord&& r, bool from_snapshot) { records.push_back({std::move(r), from_snapshot}); });
  revision_ = log_->snapshot_revision();
  compacted_revision_ = log_->snapshot_revision();
  // Objects of the final state first (unindexed placeholders are not needed: before_index reads
  // nothing from the store but the raw JSON below).
  std::map<std::string, std::string, std::less<>> final_state;
  for (const auto& r : records) {
    if (r.record.deleted) {
      final_state.erase(r.record.key);
    } else {
      final_state[r.record.key] = r.record.value;
    }
  }
  raw_state_ = &final_state;
  if (before_index) before_index();
  raw_state_ = nullptr;
  // Now replay for real: snapshot records become objects, log records become history events.
  for (auto& r : records) {
    LogRecord& rec = r.record;
    revision_ = std::max(revision_, rec.revision);
    auto it = objects_.find(rec.key);
    ObjectPtr previous = it == objects_.end() ? nullptr : it->second;
    StoreEvent event;
    event.revision = rec.revision;
    event.previous = previous;
    if (rec.deleted) {
      if (!previous) continue;
      json::Value dom = json::parse(previous->json);
      set_resource_version(dom, rec.revision);
      event.type = EventType::Deleted;
      event.object = make_object(rec.key, dom, rec.revision);
      objects_.erase(it);
    } else {
      json::Value dom = json::parse(rec.value);
      event.type = previous ? EventType::Modified : EventType::Added;
      event.object = make_object(rec.key, dom, rec.revision);
      objects_[rec.key] = event.object;
    }
    if (r.from_snapshot) continue;
    history_.push_back(std::move(event));
    if (history_.size() > options_.history) {
      compacted_revision_ = history_.front().revision;
      history_.pop_front();
    }
  }
  if (!history_.empty() && compacted_revision_ < history_.front().revision - 1) {
    compacted_revision_ = history_.front().revision - 1;
  }
  durable_revision_ = revision_;
}

const std::map<std::string, std::string, std::less<>>* Store::raw_state() const noexcept { return raw_state_; }

ObjectPtr Store::get(std::string_view key) const {
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : it->second;
}

void Store::range(std::string_view prefix, std::string_view after, FunctionRef<bool(const ObjectPtr&)> visit) const {
  auto it = after.empty() ? objects_.lower_bound(prefix) : objects_.upper_bound(after);
  if (!after.empty() && !has_prefix(after, prefix)) it = objects_.lower_bound(prefix);
  for (; it != objects_.end() && has_prefix(it->first, prefix); ++it) {
    if (!visit(it->second)) return;
  }
}

void Store::range_at(std::uint64_t revision, std::string_view prefix, std::string_view after,
                     FunctionRef<bool(const ObjectPtr&)> visit) const {
  if (revision >= revision_) return range(prefix, after, visit);
  if (revision < compacted_revision_) throw RevisionCompacted{revision, compacted_revision_};
  // Undo every change newer than `revision`: newest first, so the last word on a key is the
  // state just before its oldest newer change, i.e. its state at `revision` (null: absent).
  std::map<std::string_view, ObjectPtr> overlay;
  auto undo = [&](const StoreEvent& e) {
    if (e.revision > revision && has_prefix(e.object->key, prefix)) overlay[e.object->key] = e.previous;
  };
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) undo(*it);
  for (auto it = history_.rbegin(); it != history_.rend() && it->revision > revision; ++it) undo(*it);

  auto current = after.empty() || !has_prefix(after, prefix) ? objects_.lower_bound(prefix) : objects_.upper_bound(after);
  auto changed = after.empty() || !has_prefix(after, prefix) ? overlay.begin() : overlay.upper_bound(after);
  while (true) {
    bool current_ok = current != objects_.end() && has_prefix(current->first, prefix);
    bool changed_ok = changed != overlay.end();
    if (!current_ok && !changed_ok) return;
    if (changed_ok && (!current_ok || changed->first <= std::string_view(current->first))) {
      if (current_ok && changed->first == std::string_view(current->first)) ++current;  // superseded
      const ObjectPtr& old = changed->second;
      ++changed;
      if (old && !visit(old)) return;
    } else {
      if (!visit(current->second)) return;
      ++current;
    }
  }
}

ObjectPtr Store::put(std::string key, json::Value& object) {
  std::uint64_t revision = ++revision_;
  set_resource_version(object, revision);
  ObjectPtr stored = make_object(key, object, revision);
  auto [it, inserted] = objects_.try_emplace(std::move(key));
  StoreEvent event{revision, inserted ? EventType::Added : EventType::Modified, stored, inserted ? nullptr : it->second};
  it->second = stored;
  if (log_) {
    log_->append(LogRecord{revision, false, stored->key, stored->json});
    pending_.push_back(std::move(event));
  } else {
    durable_revision_ = revision;
    record(std::move(event));
  }
  return stored;
}

ObjectPtr Store::remove(std::string_view key) {
  auto it = objects_.find(key);
  if (it == objects_.end()) return nullptr;
  std::uint64_t revision = ++revision_;
  ObjectPtr previous = it->second;
  json::Value dom = json::parse(previous->json);
  set_resource_version(dom, revision);
  ObjectPtr last = make_object(previous->key, dom, revision);
  objects_.erase(it);
  StoreEvent event{revision, EventType::Deleted, last, previous};
  if (log_) {
    log_->append(LogRecord{revision, true, last->key, {}});
    pending_.push_back(std::move(event));
  } else {
    durable_revision_ = revision;
    record(std::move(event));
  }
  return last;
}

void Store::record(StoreEvent event) {
  history_.push_back(event);
  while (history_.size() > options_.history) {
    compacted_revision_ = history_.front().revision;
    history_.pop_front();
  }
  // Copy: a listener may unsubscribe (itself or others) while we iterate.
  std::vector<Listener> listeners;
  listeners.reserve(listeners_.size());
  for (const auto& [id, listener] : listeners_) listeners.push_back(listener);
  for (const auto& listener : listeners) listener(event);
  for (auto it = waiting_.begin(); it != waiting_.end() && it->first <= durable_revision_;) {
    auto callback = std::move(it->second);
    it = waiting_.erase(it);
    callback();
  }
}

void Store::make_durable(std::uint64_t revision) {
  if (revision <= durable_revision_) return;
  durable_revision_ = revision;
  while (!pending_.empty() && pending_.front().revision <= revision) {
    StoreEvent event = std::move(pending_.front());
    pending_.pop_front();
    record(std::move(event));
  }
  maybe_snapshot();
}

void Store::events_after(std::uint64_t revision, std::string_view prefix,
                         FunctionRef<void(const StoreEvent&)> visit) const {
  if (revision < compacted_revision_) throw RevisionCompacted{revision, compacted_revision_};
  for (const auto& e : history_) {
    if (e.revision > revision && has_prefix(e.object->key, prefix)) visit(e);
  }
}

std::uint64_t Store::subscribe(Listener listener) {
  std::uint64_t id = next_listener_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void Store::unsubscribe(std::uint64_t id) { listeners_.erase(id); }

void Store::when_durable(std::uint64_t revision, std::function<void()> callback) {
  if (revision <= durable_revision_) {
    callback();
    return;
  }
  waiting_.emplace(revision, std::move(callback));
}

void Store::compact_history(std::uint64_t revision) {
  while (!history_.empty() && history_.front().revision <= revision) {
    compacted_revision_ = history_.front().revision;
    history_.pop_front();
  }
  compacted_revision_ = std::max(compacted_revision_, std::min(revision, durable_revision_));
}

void Store::maybe_snapshot() {
  if (!log_ || log_->log_bytes() < options_.snapshot_after_bytes) return;
  std::vector<LogRecord> live;
  live.reserve(objects_.size());
  for (const auto& [key, object] : objects_) live.push_back(LogRecord{object->revision, false, key, object->json});
  log_->write_snapshot(live, revision_);
}

}  // namespace kube::apiserver
