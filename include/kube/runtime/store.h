// kube::runtime::Store<K>: the cache a reflector fills from a Watcher, read by controllers.
//
// One writer (StoreWriter, fed watcher events on its executor) and any number of readers (Store,
// cheap to copy, usable from any thread). Objects are immutable once stored and handed out as
// shared_ptr<const K>, so a reader keeps what it got for as long as it likes while the cache moves
// on. A relist (Init ... InitApply ... InitDone) fills a separate buffer that replaces the cache
// in one step at InitDone: readers never see a half-relisted cache, and objects deleted while the
// watcher was away disappear then.
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

#include "kube/runtime/notify.h"
#include "kube/runtime/object_ref.h"
#include "kube/runtime/watcher.h"

namespace kube::runtime {

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
    return it == shared_->objects.end() ? nullptr : it->second;
  }
  /// Every object (a snapshot: later changes do not show in it).
  std::vector<Ptr> state() const {
    std::shared_lock lock(shared_->mutex);
    std::vector<Ptr> out;
    out.reserve(shared_->objects.size());
    for (const auto& [ref, object] : shared_->objects) out.push_back(object);
    return out;
  }
  /// The first object for which `predicate(const K&)` holds, or null.
  template <class Predicate>
  Ptr find(Predicate&& predicate) const {
    std::shared_lock lock(shared_->mutex);
    for (const auto& [ref, object] : shared_->objects) {
      if (predicate(*object)) return object;
    }
    return nullptr;
  }
  std::size_t size() const {
    std::shared_lock lock(shared_->mutex);
    return shared_->objects.size();
  }
  /// True once the first relist completed.
  bool is_ready() const noexcept { return shared_->ready.load(std::memory_order_acquire); }
  /// Returns once the first relist completed. Await it on the writer's executor.
  boost::asio::awaitable<void> wait_until_ready() const {
    while (!is_ready()) co_await shared_->ready_notify.wait();
  }

 private:
  friend class StoreWriter<K>;
  using Map = std::unordered_map<ObjectRef, Ptr, ObjectRefHash>;
  struct Shared {
    explicit Shared(boost::asio::any_io_executor executor) : ready_notify(std::move(executor)) {}
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

  explicit StoreWriter(boost::asio::any_io_executor executor)
      : shared_(std::make_shared<typename Store<K>::Shared>(std::move(executor))) {}

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
        if (relisting_) {
          buffer_[std::move(ref)] = object;
        } else {
          std::unique_lock lock(shared_->mutex);
          shared_->objects[std::move(ref)] = object;
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
        if (!shared_->ready.exchange(true, std::memory_order_acq_rel)) shared_->ready_notify.notify_all();
        return nullptr;
      }
      case EventType::Apply: {
        ObjectRef ref = ObjectRef::of(event.object);
        Ptr object = std::make_shared<const K>(std::move(event.object));
        std::unique_lock lock(shared_->mutex);
        shared_->objects[std::move(ref)] = object;
        return object;
      }
      case EventType::Delete: {
        ObjectRef ref = ObjectRef::of(event.object);
        Ptr removed;  // released outside the lock
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
