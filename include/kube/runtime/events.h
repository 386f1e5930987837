// kube::runtime::Recorder: publishes events.k8s.io/v1 Events about objects, as `kubectl describe`
// and `kubectl events` show them.
//
// Repeats are aggregated the way Kubernetes' own components do it: an event identical to one this
// recorder published less than `series_window` ago (same object, type, reason, action, note and
// related object) does not create a new Event but patches the existing one's `series` (count,
// lastObservedTime). So a controller that fails the same way every few seconds leaves one Event
// with a growing count, not thousands of objects.
//
// Example:
//   Recorder recorder(client, {.controller = "example.com/configmapgen", .instance = pod_name});
//   co_await recorder.publish({.type = EventKind::Warning, .reason = "InvalidSpec",
//                              .note = "spec.content is empty", .action = "Reconcile"},
//                             object_reference(generator));
#pragma once

#include <chrono>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

#include "kube/api/core/v1.h"
#include "kube/client/client.h"
#include "kube/core/resource.h"

namespace kube::runtime {

enum class EventKind { Normal, Warning };

/// Who reports: reportingController (e.g. "example.com/my-controller") and reportingInstance
/// (e.g. the pod name; defaults to the controller).
struct Reporter {
  std::string controller;
  std::string instance;
};

struct EventInfo {
  EventKind type = EventKind::Normal;
  std::string reason;  // UpperCamelCase, machine-readable, <= 128 characters
  std::string note;    // human-readable, <= 1 kB
  std::string action;  // what was done or attempted, <= 128 characters
  std::optional<api::core::v1::ObjectReference> related;
};

/// A reference to `object` for Event.regarding / related.
template <Resource K>
api::core::v1::ObjectReference object_reference(const K& object) {
  api::core::v1::ObjectReference ref;
  ref.api_version = std::string(K::api_version);
  ref.kind = std::string(K::kind);
  ref.name = std::string(name_of(object));
  if (!namespace_of(object).empty()) ref.namespace_ = std::string(namespace_of(object));
  ref.uid = std::string(uid_of(object));
  if (!resource_version_of(object).empty()) ref.resource_version = std::string(resource_version_of(object));
  return ref;
}

struct RecorderConfig {
  /// Repeats within this time of the last occurrence extend the series.
  std::chrono::seconds series_window{std::chrono::minutes(6)};
  /// Distinct events remembered for aggregation (least recently seen forgotten first).
  std::size_t cache_size = 4096;
};

class Recorder {
 public:
  Recorder(Client client, Reporter reporter, RecorderConfig config = {});

  /// Creates the Event, or extends the series of an identical recent one. Events of cluster-scoped
  /// objects go to the "default" namespace, as Kubernetes does. Throws ApiError if the server
  /// rejects it (e.g. an empty reason or action).
  boost::asio::awaitable<void> publish(const EventInfo& info, const api::core::v1::ObjectReference& regarding);

  /// Events published and series extended (for tests and metrics).
  std::uint64_t created() const noexcept { return created_; }
  std::uint64_t aggregated() const noexcept { return aggregated_; }

 private:
  struct Seen {
    std::string ns;
    std::string name;  // of the Event object
    std::int32_t count = 1;
    std::chrono::system_clock::time_point last;
    std::list<std::string>::iterator lru;
  };

  Client client_;
  Reporter reporter_;
  RecorderConfig config_;
  std::unordered_map<std::string, Seen> seen_;  // by aggregation key
  std::list<std::string> lru_;                  // keys, most recent first
  std::uint64_t created_ = 0;
  std::uint64_t aggregated_ = 0;
};

}  // namespace kube::runtime
