#include "kube/runtime/scheduler.h"

namespace kube::runtime {

void Scheduler::set_due(const ObjectRef& ref, Clock::time_point at) {
  auto [it, inserted] = due_.try_emplace(ref, at);
  if (!inserted) {
    if (it->second == at) return;
    queue_.erase({it->second, ref});
    it->second = at;
  }
  queue_.emplace(at, ref);
}

void Scheduler::schedule(const ObjectRef& ref, Clock::time_point at) {
  auto it = due_.find(ref);
  if (it != due_.end() && it->second <= at) return;
  set_due(ref, at);
}

void Scheduler::schedule_change(const ObjectRef& ref, Clock::time_point now) {
  if (config_.debounce.count() == 0) return schedule(ref, now);
  set_due(ref, now + config_.debounce);
}

std::optional<ObjectRef> Scheduler::pop_ready(Clock::time_point now) {
  if (config_.concurrency != 0 && running_.size() >= config_.concurrency) return std::nullopt;
  for (auto it = queue_.begin(); it != queue_.end() && it->first <= now; ++it) {
    if (running_.contains(it->second)) continue;  // it waits for the run in progress
    ObjectRef ref = it->second;
    queue_.erase(it);
    due_.erase(ref);
    running_.insert(ref);
    return ref;
  }
  return std::nullopt;
}

void Scheduler::finished(const ObjectRef& ref) { running_.erase(ref); }

void Scheduler::cancel(const ObjectRef& ref) {
  auto it = due_.find(ref);
  if (it == due_.end()) return;
  queue_.erase({it->second, ref});
  due_.erase(it);
}

std::optional<Scheduler::Clock::time_point> Scheduler::next_due() const {
  if (config_.concurrency != 0 && running_.size() >= config_.concurrency) return std::nullopt;
  for (const auto& [at, ref] : queue_) {
    if (!running_.contains(ref)) return at;
  }
  return std::nullopt;
}

}  // namespace kube::runtime
