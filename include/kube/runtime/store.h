// kube::runtime::Store<K>: the cache a reflector fills from a Watcher, read by controllers.
//
// One writer (StoreWriter, fed watcher events on its executor) and any number of readers (Store,
// cheap to copy, usable from any thread). Objects are immutable once stored and handed out as
// shared_ptr<const K>, so a reader keeps what it got for as long as it likes while the cache moves
// on. A relist (Init ... InitApply ... InitDone) fills a separate buffer that replaces the cache
// in one step at InitDone: readers never see a half-relisted cache, and objects deleted while the
// watcher was away disappear then.
//
// Compact mode (StoreConfig::compact) keeps each object as zstd-compressed JSON instead of a
// decoded struct: a cached Pod then costs about a third of its JSON size instead of about twice
// it, for the price of decoding on every read (get, state, find: ~20 us for a typical Pod).
// Changes handed to reflector subscribers are unaffected (they carry the decoded object).
//
// Example:
//   StoreWriter<Pod> writer(io.get_executor());
//   Store<Pod> pods = writer.store();
//   while (auto event = co_await watcher.next()) writer.apply(std::move(*event));
//   ... elsewhere: co_await pods.wait_until_ready(); auto pod = pods.get({"web-0", "default"});
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "kube/core/json.h"
#include "kube/runtime/notify.h"
#include "kube/runtime/object_ref.h"
#include "kube/runtime/watcher.h"

namespace kube::runtime {

struct StoreConfig {
  /// Keep objects compressed (see above).
  bool compact = false;
};

namespace detail {
/// zstd-compressed copy of `bytes`, and back. Throw kube::Error on failure.
std::string pack(std::string_view bytes);
std::string unpack(std::string_view packed);
/// Returns unused heap to the operating system (after a relist replaced the whole cache).
void release_free_memory();
}  // namespace detail

template <class K>
class StoreWriter;

template <class K>
class Store {
 public:
  using Ptr = std::shared_ptr<const K>;

  /// The object, or null.
  Ptr get(const ObjectRef& ref) const {
    std::shared_lock lock(shared_->mutex);
    auto it = shared_->objects.find(ref);
    return it == shared_->objects.end() ? nullptr : it->second.get();
  }
  /// Every object (a snapshot: later changes do not show in it).
  std::vector<Ptr> state() const {
    std::shared_lock lock(shared_->mutex);
    std::vector<Ptr> out;
    out.reserve(shared_->objects.size());
    for (const auto& [ref, entry] : shared_->objects) out.push_back(entry.get());
    return out;
  }
  /// The first object for which `predicate(const K&)` holds, or null.
  template <class Predicate>
  Ptr find(Predicate&& predicate) const {
    std::shared_lock lock(shared_->mutex);
    for (const auto& [ref, entry] : shared_->objects) {
      Ptr object = entry.get();
      if (predicate(*object)) return object;
    }
    return nullptr;
  }
  std::size_t size() const {
    std::shared_lock lock(shared_->mutex);
    return shared_->objects.size();
  }
  bool is_compact() const noexcept { return shared_->config.compact; }
  /// True once the first relist completed.
  bool is_ready() const noexcept { return shared_->ready.load(std::memory_order_acquire); }
  /// Returns once the first relist completed. Await it on the writer's executor.
  boost::asio::awaitable<void> wait_until_ready() const {
    while (!is_ready()) co_await shared_->ready_notify.wait();
  }

 private:
  friend class StoreWriter<K>;
  // A decoded object, or (compact mode) its compressed JSON.
  struct Entry {
    Ptr object;
    std::string packed;

    static Entry of(const Ptr& object, bool compact) {
      if (!compact) return Entry{object, {}};
      return Entry{nullptr, detail::pack(json::encode(*object))};
    }
    Ptr get() const { return object ? object : std::make_shared<const K>(json::decode<K>(detail::unpack(packed))); }
  };
  using Map = std::unordered_map<ObjectRef, Entry, ObjectRefHash>;
  struct Shared {
    Shared(boost::asio::any_io_executor executor, StoreConfig config)
        : config(config), ready_notify(std::move(executor)) {}
    const StoreConfig config;
    mutable std::shared_mutex mutex;
    Map objects;
    std::atomic<bool> ready{false};
    Notify ready_notify;
  };
  explicit Store(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

  std::shared_ptr<Shared> shared_;
};

template <class K>
class StoreWriter {
 public:
  using Ptr = std::shared_ptr<const K>;

  explicit StoreWriter(boost::asio::any_io_executor executor, StoreConfig config = {})
      : shared_(std::make_shared<typename Store<K>::Shared>(std::move(executor), config)) {}

  Store<K> store() const { return Store<K>(shared_); }

  /// Applies one watcher event. Returns the stored object for InitApply and Apply, the object's
  /// final state for Delete, null for Init and InitDone.
  Ptr apply(Event<K>&& event) {
    switch (event.type) {
      case EventType::Init:
        buffer_.clear();
        relisting_ = true;
        return nullptr;
      case EventType::InitApply: {
        ObjectRef ref = ObjectRef::of(event.object);
        Ptr object = std::make_shared<const K>(std::move(event.object));
        auto entry = Store<K>::Entry::of(object, shared_->config.compact);
        if (relisting_) {
          buffer_[std::move(ref)] = std::move(entry);
        } else {
          std::unique_lock lock(shared_->mutex);
          shared_->objects[std::move(ref)] = std::move(entry);
        }
        return object;
      }
      case EventType::InitDone: {
        {
          std::unique_lock lock(shared_->mutex);
          shared_->objects.swap(buffer_);
        }
        buffer_ = {};  // the previous generation is released outside the lock
        relisting_ = false;
        if (shared_->config.compact) detail::release_free_memory();  // the relist's decoded pages
        if (!shared_->ready.exchange(true, std::memory_order_acq_rel)) shared_->ready_notify.notify_all();
        return nullptr;
      }
      case EventType::Apply: {
        ObjectRef ref = ObjectRef::of(event.object);
        Ptr object = std::make_shared<const K>(std::move(event.object));
        auto entry = Store<K>::Entry::of(object, shared_->config.compact);
        std::unique_lock lock(shared_->mutex);
        shared_->objects[std::move(ref)] = std::move(entry);
        return object;
      }
      case EventType::Delete: {
        ObjectRef ref = ObjectRef::of(event.object);
        typename Store<K>::Entry removed;  // released outside the lock
        {
          std::unique_lock lock(shared_->mutex);
          if (auto it = shared_->objects.find(ref); it != shared_->objects.end()) {
            removed = std::move(it->second);
            shared_->objects.erase(it);
          }
        }
        return std::make_shared<const K>(std::move(event.object));
      }
    }
    return nullptr;
  }

 private:
  std::shared_ptr<typename Store<K>::Shared> shared_;
  typename Store<K>::Map buffer_;  // the relist in progress
  bool relisting_ = false;
};

}  // namespace kube::runtime
