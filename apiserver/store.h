// The API server's object store: every object of every resource under one global revision, an
// in-memory index that serves reads and watches without touching disk, a bounded event history
// for watch resumption and consistent paginated reads, and (with a data directory) the durable
// log behind it.
//
// Threading: a Store belongs to one thread (the server's I/O thread); only the durable log's
// completion crosses threads, through the `post` function given at construction.
//
// Visibility: writes apply to memory at once (so the next write sees them) but their events reach
// listeners, and callers that asked with when_durable() resume, only once they are on disk. The
// HTTP layer holds every response until the revision it depends on is durable, so no client ever
// observes a write that a crash could take back.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apiserver/durable_log.h"
#include "kube/core/dom.h"
#include "kube/core/function_ref.h"

namespace kube::apiserver {

/// One version of one object. Immutable once stored: updates store a new one.
struct StoredObject {
  std::string key;         // "<group>/<plural>/[<namespace>/]<name>" (group "core" for "")
  std::string namespace_;  // "" for cluster-scoped objects
  std::string name;
  std::string api_version;  // as stored (versions of one resource share storage)
  std::uint64_t revision = 0;
  std::string json;        // compact JSON, metadata.resourceVersion = revision
  std::map<std::string, std::string> labels;
  std::vector<std::pair<std::string, std::string>> fields;  // selectable field values
};
using ObjectPtr = std::shared_ptr<const StoredObject>;

enum class EventType { Added, Modified, Deleted };

struct StoreEvent {
  std::uint64_t revision = 0;
  EventType type = EventType::Added;
  ObjectPtr object;    // the new state (for Deleted: the last state, at the deletion's revision)
  ObjectPtr previous;  // the state before (null for Added)
};

/// A watch or read asked for history the store no longer has (the client must relist: 410).
struct RevisionCompacted {
  std::uint64_t requested = 0;
  std::uint64_t oldest = 0;  // the oldest revision that can still be asked for
};

class Store {
 public:
  struct Options {
    std::string data_dir;         // empty: memory only
    std::size_t history = 10000;  // events kept for watch resumption and consistent paging
    std::uint64_t snapshot_after_bytes = std::uint64_t{256} << 20;  // log size that triggers a snapshot
  };
  /// Fills labels/fields (and namespace/name) of an object about to be stored from its DOM.
  using Indexer = std::function<void(StoredObject&, const json::Value&)>;
  /// Runs a function on the store's thread (used for durable-log completions).
  using Post = std::function<void(std::function<void()>)>;
  using Listener = std::function<void(const StoreEvent&)>;

  Store(Options options, Indexer indexer, Post post);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  /// Loads the data directory (if any). `before_index` runs after the data is read and before any
  /// object is indexed (so custom resource definitions can be registered first); during it,
  /// raw_state() gives the JSON of every stored object by key.
  void open(const std::function<void()>& before_index = {});
  const std::map<std::string, std::string, std::less<>>* raw_state() const noexcept;

  // ---- reads of the current state --------------------------------------------------------------
  ObjectPtr get(std::string_view key) const;
  std::uint64_t revision() const noexcept { return revision_; }
  std::uint64_t durable_revision() const noexcept { return durable_revision_; }
  /// Objects with keys starting with `prefix`, after `after` (exclusive; "" = from the start), in
  /// key order, until `visit` returns false.
  void range(std::string_view prefix, std::string_view after, FunctionRef<bool(const ObjectPtr&)> visit) const;
  /// The same for the state at `revision`. Throws RevisionCompacted when the history does not
  /// reach back that far.
  void range_at(std::uint64_t revision, std::string_view prefix, std::string_view after,
                FunctionRef<bool(const ObjectPtr&)> visit) const;
  std::size_t size() const noexcept { return objects_.size(); }

  // ---- writes ------------------------------------------------------------------------------------
  /// Stores `object` (a DOM; its metadata.resourceVersion is set to the new revision) at `key`.
  ObjectPtr put(std::string key, json::Value& object);
  /// Deletes `key`; returns its last state stamped with the deletion's revision (null if absent).
  ObjectPtr remove(std::string_view key);

  // ---- history and watching --------------------------------------------------------------------
  /// Watches may resume from any revision >= this (older ones get 410 Gone).
  std::uint64_t compacted_revision() const noexcept { return compacted_revision_; }
  /// Durable events newer than `revision` whose key starts with `prefix`, oldest first. Throws
  /// RevisionCompacted.
  void events_after(std::uint64_t revision, std::string_view prefix, FunctionRef<void(const StoreEvent&)> visit) const;
  /// Every durable event, as it becomes durable.
  std::uint64_t subscribe(Listener listener);
  void unsubscribe(std::uint64_t id);
  /// Runs `callback` once `revision` is durable (at once if it already is).
  void when_durable(std::uint64_t revision, std::function<void()> callback);
  /// Drops history up to `revision` (test hook: forces 410s).
  void compact_history(std::uint64_t revision);

 private:
  void record(StoreEvent event);
  void make_durable(std::uint64_t revision);
  ObjectPtr make_object(std::string key, json::Value& dom, std::uint64_t revision) const;
  void maybe_snapshot();

  Options options_;
  Indexer indexer_;
  Post post_;
  std::unique_ptr<DurableLog> log_;
  std::map<std::string, ObjectPtr, std::less<>> objects_;
  std::uint64_t revision_ = 0;
  std::uint64_t durable_revision_ = 0;
  std::uint64_t compacted_revision_ = 0;
  std::deque<StoreEvent> history_;  // durable events, oldest first
  std::deque<StoreEvent> pending_;  // applied, not yet durable
  std::map<std::uint64_t, Listener> listeners_;
  std::uint64_t next_listener_ = 1;
  std::multimap<std::uint64_t, std::function<void()>> waiting_;  // callbacks by revision
  const std::map<std::string, std::string, std::less<>>* raw_state_ = nullptr;  // during open()
};

/// The storage key of an object: "<group>/<plural>/[<namespace>/]<name>" ("core" for group "").
std::string storage_key(std::string_view group, std::string_view plural, std::string_view ns, std::string_view name);
/// The key prefix of a collection (all namespaces when `ns` is empty).
std::string storage_prefix(std::string_view group, std::string_view plural, std::string_view ns);

}  // namespace kube::apiserver
