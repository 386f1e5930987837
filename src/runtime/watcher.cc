#include "kube/runtime/watcher.h"

namespace kube::runtime {

std::string_view to_string(EventType type) noexcept {
  switch (type) {
    case EventType::Init:
      return "Init";
    case EventType::InitApply:
      return "InitApply";
    case EventType::InitDone:
      return "InitDone";
    case EventType::Apply:
      return "Apply";
    case EventType::Delete:
      return "Delete";
  }
  return "?";
}

}  // namespace kube::runtime
