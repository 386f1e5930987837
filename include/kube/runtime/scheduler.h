// kube::runtime::Scheduler: the controller's work queue, as plain logic (no I/O, no clock of its
// own), so its guarantees are tested directly:
//   - de-duplication: an object has at most one pending request; requests merge (earliest wins);
//   - never concurrent per object: a request for an object that is running waits until it ends;
//   - concurrency: at most `concurrency` objects run at once (0: unbounded);
//   - debounce: a change waits `debounce` after the latest change of the same object, so a burst
//     of edits gives one reconcile.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "kube/runtime/object_ref.h"

namespace kube::runtime {

struct SchedulerConfig {
  std::size_t concurrency = 0;  // 0: unbounded
  std::chrono::milliseconds debounce{0};
};

class Scheduler {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Scheduler(SchedulerConfig config = {}) : config_(config) {}

  /// A request for `ref` at `at` (a requeue). Merges with a pending one: the earlier time wins.
  void schedule(const ObjectRef& ref, Clock::time_point at);
  /// A request for `ref` because it changed at `now`: due at now + debounce (which postpones a
  /// pending request for a change within the debounce window).
  void schedule_change(const ObjectRef& ref, Clock::time_point now);
  /// The next request that may start at `now` (due, its object not running, concurrency left),
  /// marked running; nullopt if none.
  std::optional<ObjectRef> pop_ready(Clock::time_point now);
  /// The run of `ref` ended (requests that came meanwhile become eligible).
  void finished(const ObjectRef& ref);
  /// Drops a pending request (the object was deleted).
  void cancel(const ObjectRef& ref);

  /// When the earliest pending request of an object that is not running is due; nullopt when
  /// none is, or when `concurrency` objects are running (wait for one to finish).
  std::optional<Clock::time_point> next_due() const;
  std::size_t pending() const noexcept { return due_.size(); }
  std::size_t running() const noexcept { return running_.size(); }
  bool is_running(const ObjectRef& ref) const { return running_.contains(ref); }
  const SchedulerConfig& config() const noexcept { return config_; }

 private:
  void set_due(const ObjectRef& ref, Clock::time_point at);

  SchedulerConfig config_;
  std::unordered_map<ObjectRef, Clock::time_point, ObjectRefHash> due_;  // pending requests
  std::set<std::pair<Clock::time_point, ObjectRef>> queue_;              // the same, by time
  std::unordered_set<ObjectRef, ObjectRefHash> running_;
};

}  // namespace kube::runtime
