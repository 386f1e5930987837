#include "kube/runtime/events.h"

#include <boost/json.hpp>
#include <cstdio>

#include "kube/api/events/v1.h"
#include "kube/client/api.h"
#include "kube/runtime/log.h"
#include "kube/runtime/object_ref.h"

namespace kube::runtime {

namespace {

using EventObject = api::events::v1::Event;

std::string aggregation_key(const EventInfo& info, const api::core::v1::ObjectReference& regarding) {
  // Fields joined with a separator no Kubernetes name or reason contains.
  std::string key;
  auto add = [&key](std::string_view part) {
    key.append(part);
    key.push_back('\x1f');
  };
  add(regarding.api_version.value_or(""));
  add(regarding.kind.value_or(""));
  add(regarding.namespace_.value_or(""));
  add(regarding.name.value_or(""));
  add(regarding.uid.value_or(""));
  add(info.type == EventKind::Warning ? "Warning" : "Normal");
  add(info.reason);
  add(info.action);
  add(info.note);
  if (info.related) {
    add(info.related->kind.value_or(""));
    add(info.related->namespace_.value_or(""));
    add(info.related->name.value_or(""));
  }
  return key;
}

// "<object>.<hex nanoseconds>", as Kubernetes names events: unique per recorder and sortable.
std::string event_name(std::string_view object_name) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch());
  char hex[24];
  std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(ns.count()));
  return std::string(object_name.empty() ? "event" : object_name) + "." + hex;
}

}  // namespace

Recorder::Recorder(Client client, Reporter reporter, RecorderConfig config)
    : client_(std::move(client)), reporter_(std::move(reporter)), config_(config) {
  if (reporter_.controller.empty()) throw InvalidArgument("Recorder: Reporter.controller is required");
  if (reporter_.instance.empty()) reporter_.instance = reporter_.controller;
}

boost::asio::awaitable<void> Recorder::publish(const EventInfo& info, const api::core::v1::ObjectReference& regarding) {
  log::Span span("event");
  if (log::enabled(log::Level::info)) {
    span.set("reason", info.reason);
    span.set("type", info.type == EventKind::Warning ? "Warning" : "Normal");
    span.set("regarding", regarding.kind.value_or("") + " " +
                              ObjectRef{regarding.name.value_or(""), regarding.namespace_.value_or("")}.to_string());
  }
  auto now = std::chrono::system_clock::now();
  std::string key = aggregation_key(info, regarding);
  if (auto it = seen_.find(key); it != seen_.end() && now - it->second.last < config_.series_window) {
    Seen& seen = it->second;
    boost::json::object series{{"count", seen.count + 1},
                               {"lastObservedTime", MicroTime::from(now).to_string()}};
    auto events = Api<EventObject>::namespaced(client_, seen.ns);
    try {
      co_await events.patch(seen.name, {}, Patch::from_json(PatchType::Merge, boost::json::serialize(boost::json::object{{"series", series}})));
      ++seen.count;
      seen.last = now;
      lru_.splice(lru_.begin(), lru_, seen.lru);
      ++aggregated_;
      span.set("series_count", seen.count);
      co_return;
    } catch (const ApiError& e) {
      if (e.code() != 404) throw;
      // The Event expired (TTL) or was deleted: start a new one below.
    }
    lru_.erase(seen.lru);
    seen_.erase(key);
  }

  EventObject event;
  std::string ns = regarding.namespace_.value_or("");
  if (ns.empty()) ns = "default";
  event.metadata.name = event_name(regarding.name.value_or(""));
  event.metadata.namespace_ = ns;
  event.event_time = MicroTime::from(now);
  event.type = info.type == EventKind::Warning ? "Warning" : "Normal";
  event.reason = info.reason;
  event.action = info.action;
  if (!info.note.empty()) event.note = info.note;
  event.regarding = regarding;
  if (info.related) event.related = *info.related;
  event.reporting_controller = reporter_.controller;
  event.reporting_instance = reporter_.instance;
  co_await Api<EventObject>::namespaced(client_, ns).create({}, event);
  ++created_;

  lru_.push_front(key);
  seen_[key] = Seen{ns, event.metadata.name.value(), 1, now, lru_.begin()};
  while (seen_.size() > config_.cache_size) {
    seen_.erase(lru_.back());
    lru_.pop_back();
  }
}

}  // namespace kube::runtime
