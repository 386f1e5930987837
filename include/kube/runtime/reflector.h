// kube::runtime::Reflector<K>: a Watcher feeding a Store, shared by any number of subscribers.
//
// One reflector per kind and selector is enough for a whole process: controllers subscribe to its
// changes (each subscription is its own queue of the changes applied to the store after it was
// made) and read its store, instead of each keeping a watch and a cache of their own.
//
// Example:
//   Reflector<Pod> pods(Api<Pod>::all(client));
//   pods.watcher().modify([](Pod& p) { p.metadata.managed_fields.reset(); });  // leaner cache
//   auto changes = pods.subscribe();
//   co_spawn(io, pods.run(), detached);
//   co_await pods.store().wait_until_ready();
//   while (auto change = co_await changes->next()) ...
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "kube/runtime/store.h"

namespace kube::runtime {

/// A change applied to a reflector's store.
template <class K>
struct Change {
  EventType type = EventType::Apply;  // InitApply, Apply, Delete, or InitDone (a relist completed)
  std::shared_ptr<const K> object;    // null for InitDone
};

/// The changes a subscriber has not consumed yet.
template <class K>
class Subscription {
 public:
  explicit Subscription(boost::asio::any_io_executor executor) : notify_(std::move(executor)) {}

  /// The next change, or nullopt once the reflector stopped and the queue is drained. Await on the
  /// reflector's executor.
  boost::asio::awaitable<std::optional<Change<K>>> next() {
    while (queue_.empty() && !closed_) co_await notify_.wait();
    if (queue_.empty()) co_return std::nullopt;
    Change<K> change = std::move(queue_.front());
    queue_.pop_front();
    co_return change;
  }
  std::size_t queued() const noexcept { return queue_.size(); }

  // Used by the reflector.
  void push(Change<K> change) {
    queue_.push_back(std::move(change));
    notify_.notify_all();
  }
  void close() {
    closed_ = true;
    notify_.notify_all();
  }

 private:
  std::deque<Change<K>> queue_;
  Notify notify_;
  bool closed_ = false;
};

template <class K>
class Reflector {
 public:
  explicit Reflector(Api<K> api, WatcherConfig config = {}, StoreConfig store = {})
      : executor_(api.client().executor()), watcher_(std::move(api), std::move(config)), writer_(executor_, store) {}

  Store<K> store() const { return writer_.store(); }
  Watcher<K>& watcher() noexcept { return watcher_; }

  /// Changes applied from now on. The subscription lives as long as the caller keeps it.
  std::shared_ptr<Subscription<K>> subscribe() {
    auto subscription = std::make_shared<Subscription<K>>(executor_);
    subscribers_.push_back(subscription);
    return subscription;
  }

  /// Watches until stop(), applying every event to the store, then handing it to subscribers.
  boost::asio::awaitable<void> run() {
    while (auto event = co_await watcher_.next()) {
      EventType type = event->type;
      std::shared_ptr<const K> object = writer_.apply(std::move(*event));
      if (type != EventType::Init) publish(Change<K>{type, std::move(object)});
    }
    for (auto& weak : subscribers_) {
      if (auto subscription = weak.lock()) subscription->close();
    }
  }
  void stop() { watcher_.stop(); }

 private:
  void publish(const Change<K>& change) {
    std::erase_if(subscribers_, [&change](const std::weak_ptr<Subscription<K>>& weak) {
      auto subscription = weak.lock();
      if (!subscription) return true;
      subscription->push(change);
      return false;
    });
  }

  boost::asio::any_io_executor executor_;
  Watcher<K> watcher_;
  StoreWriter<K> writer_;
  std::vector<std::weak_ptr<Subscription<K>>> subscribers_;
};

}  // namespace kube::runtime
