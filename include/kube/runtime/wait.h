// kube::runtime::await_condition: waits until one named object satisfies a condition, driven by a
// watch (no polling), and returns the object as it was when the condition held.
//
// The condition sees the object or nullptr when it does not exist, so "deleted" is a condition
// like any other. Ready-made ones are in kube::runtime::conditions.
//
// Example:
//   co_await await_condition(Api<CustomResourceDefinition>::all(client), "mooses.animals.com",
//                            conditions::is_crd_established, 10s);
//   co_await await_condition(pods, "web-0", conditions::is_deleted<Pod>(uid), 60s);
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "kube/api/apiextensions/v1.h"
#include "kube/api/batch/v1.h"
#include "kube/api/core/v1.h"
#include "kube/runtime/watcher.h"

namespace kube::runtime {

/// await_condition ran out of time.
class TimeoutError : public Error {
 public:
  using Error::Error;
};

namespace conditions {

/// The object is gone, or replaced by another of the same name (uid differs; "" to ignore uids).
template <class K>
auto is_deleted(std::string uid = "") {
  return [uid = std::move(uid)](const K* object) { return object == nullptr || (!uid.empty() && uid_of(*object) != uid); };
}
/// The CRD's Established condition is True: its resources can be served.
bool is_crd_established(const api::apiextensions::v1::CustomResourceDefinition* crd);
/// status.phase is Running.
bool is_pod_running(const api::core::v1::Pod* pod);
/// The Job's Complete condition is True.
bool is_job_completed(const api::batch::v1::Job* job);
/// The Job's Failed condition is True (wait for either with `any_of`).
bool is_job_failed(const api::batch::v1::Job* job);

/// True when any of `conditions` holds.
template <class... C>
auto any_of(C... conditions) {
  return [=](const auto* object) { return (conditions(object) || ...); };
}

}  // namespace conditions

/// Waits until `condition(const K*)` holds for object `name` of `api` (its namespace); returns the
/// object then (nullptr if the condition held for an absent object). Throws TimeoutError after
/// `timeout` (nullopt: wait forever); watch failures are retried by the watcher.
template <class K, class Condition>
boost::asio::awaitable<std::shared_ptr<const K>> await_condition(Api<K> api, std::string name, Condition condition,
                                                                  std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
  Watcher<K> watcher(std::move(api), {.field_selector = "metadata.name=" + name});
  std::optional<boost::asio::steady_timer> timer;
  bool timed_out = false;
  if (timeout) {
    timer.emplace(watcher.api().client().executor(), *timeout);
    timer->async_wait([&watcher, &timed_out](boost::system::error_code ec) {
      if (ec) return;
      timed_out = true;
      watcher.stop();
    });
  }
  std::shared_ptr<const K> current;  // the object as last seen; null when absent
  std::shared_ptr<const K> listed;   // during a relist: what it found so far
  while (auto event = co_await watcher.next()) {
    switch (event->type) {
      case EventType::Init:
        listed.reset();
        continue;
      case EventType::InitApply:
        listed = std::make_shared<const K>(std::move(event->object));
        continue;
      case EventType::InitDone:
        current = std::move(listed);
        break;
      case EventType::Apply:
        current = std::make_shared<const K>(std::move(event->object));
        break;
      case EventType::Delete:
        current.reset();
        break;
    }
    if (condition(current.get())) {
      if (timer) timer->cancel();
      watcher.stop();
      co_return current;
    }
  }
  // The watcher only stops early when the timer stopped it; cancel() above never runs here.
  if (timer) timer->cancel();
  throw TimeoutError("timed out after " + std::to_string(timeout ? timeout->count() : 0) + " ms waiting for " +
                     std::string(K::kind) + " \"" + name + "\"" + (timed_out ? "" : " (watch stopped)"));
}

}  // namespace kube::runtime
