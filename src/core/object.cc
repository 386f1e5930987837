#include "kube/core/object.h"

namespace kube {

std::string_view to_string(WatchEventType type) noexcept {
  switch (type) {
    case WatchEventType::Added:
      return "ADDED";
    case WatchEventType::Modified:
      return "MODIFIED";
    case WatchEventType::Deleted:
      return "DELETED";
    case WatchEventType::Bookmark:
      return "BOOKMARK";
    case WatchEventType::Error:
      return "ERROR";
  }
  return "ERROR";
}

WatchEventType parse_watch_event_type(std::string_view text) {
  if (text == "ADDED") return WatchEventType::Added;
  if (text == "MODIFIED") return WatchEventType::Modified;
  if (text == "DELETED") return WatchEventType::Deleted;
  if (text == "BOOKMARK") return WatchEventType::Bookmark;
  if (text == "ERROR") return WatchEventType::Error;
  throw json::DecodeError("unknown watch event type \"" + std::string(text) + "\"");
}

bool Bookmark::is_initial_events_end() const {
  auto it = annotations.find("k8s.io/initial-events-end");
  return it != annotations.end() && it->second == "true";
}

void read_json(json::Reader& in, Bookmark& out) {
  ObjectMeta meta;
  in.read_object([&meta](std::string_view key, json::Reader& value) {
    if (key == "metadata") value.read(meta);
  });
  out.resource_version = meta.resource_version.value_or("");
  out.annotations = meta.annotations.value_or(std::map<std::string, std::string>{});
}

}  // namespace kube
