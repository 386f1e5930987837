// kube::runtime predicates: let through only the events that changed what a consumer cares about.
//
// A predicate maps an object to a value (a hash); a PredicateFilter remembers that value per
// object (by uid) and passes an event only when the value changed since the last event it passed
// for that object. With predicates::generation, a controller reconciles on spec edits and ignores
// status writes (including its own) and metadata-only changes.
//
// Example:
//   watcher.filter(PredicateFilter<Deployment>(predicates::generation));   // on a watcher
//   controller.with_predicate(PredicateFilter<Foo>(predicates::generation)); // on a controller
//
// Objects without a value for the predicate (e.g. a kind that has no generation) always pass, and
// so does every Delete (which also forgets the object).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "kube/core/resource.h"
#include "kube/runtime/watcher.h"

namespace kube::runtime {

namespace predicates {

/// FNV-1a, folded over `parts` (enough to notice a change; not for security).
inline std::uint64_t hash_combine(std::uint64_t h, std::string_view part) {
  for (unsigned char c : part) h = (h ^ c) * 1099511628211ull;
  return (h ^ 0xff) * 1099511628211ull;  // a separator, so {"ab","c"} != {"a","bc"}
}
inline constexpr std::uint64_t kHashSeed = 14695981039346656037ull;

template <HasMetadata K>
std::optional<std::uint64_t> generation(const K& object) {
  if (!object.metadata.generation) return std::nullopt;
  return static_cast<std::uint64_t>(*object.metadata.generation);
}
template <HasMetadata K>
std::optional<std::uint64_t> resource_version(const K& object) {
  return hash_combine(kHashSeed, resource_version_of(object));
}
template <HasMetadata K>
std::optional<std::uint64_t> labels(const K& object) {
  std::uint64_t h = kHashSeed;
  for (const auto& [k, v] : labels_of(object.metadata)) h = hash_combine(hash_combine(h, k), v);
  return h;
}
template <HasMetadata K>
std::optional<std::uint64_t> annotations(const K& object) {
  std::uint64_t h = kHashSeed;
  for (const auto& [k, v] : annotations_of(object.metadata)) h = hash_combine(hash_combine(h, k), v);
  return h;
}
template <HasMetadata K>
std::optional<std::uint64_t> finalizers(const K& object) {
  std::uint64_t h = kHashSeed;
  for (const auto& f : finalizers_of(object.metadata)) h = hash_combine(h, f);
  return h;
}

/// Changes when any of `predicates` changes (e.g. generation or labels).
template <class... P>
auto any(P... predicates) {
  return [=](const auto& object) -> std::optional<std::uint64_t> {
    std::uint64_t h = kHashSeed;
    bool some = false;
    auto fold = [&](std::optional<std::uint64_t> v) {
      if (!v) return;
      some = true;
      h = hash_combine(h, std::string_view(reinterpret_cast<const char*>(&*v), sizeof *v));
    };
    (fold(predicates(object)), ...);
    return some ? std::optional(h) : std::nullopt;
  };
}

}  // namespace predicates

template <class K>
class PredicateFilter {
 public:
  using Predicate = std::function<std::optional<std::uint64_t>(const K&)>;
  explicit PredicateFilter(Predicate predicate) : predicate_(std::move(predicate)) {}

  /// True when `object` should pass (and records its value).
  bool pass(const K& object) {
    std::optional<std::uint64_t> value = predicate_(object);
    if (!value) return true;
    std::string key = key_of(object);
    auto [it, inserted] = seen_.try_emplace(std::move(key), *value);
    if (inserted) return true;
    if (it->second == *value) return false;
    it->second = *value;
    return true;
  }
  void forget(const K& object) { seen_.erase(key_of(object)); }

  /// For Watcher::filter: Init/InitDone and Delete pass (Delete forgets the object).
  bool operator()(const Event<K>& event) {
    switch (event.type) {
      case EventType::InitApply:
      case EventType::Apply:
        return pass(event.object);
      case EventType::Delete:
        forget(event.object);
        return true;
      default:
        return true;
    }
  }
  std::size_t remembered() const noexcept { return seen_.size(); }

 private:
  static std::string key_of(const K& object) {
    std::string_view uid = uid_of(object);
    if (!uid.empty()) return std::string(uid);
    return std::string(namespace_of(object)) + "/" + std::string(name_of(object));
  }

  Predicate predicate_;
  std::unordered_map<std::string, std::uint64_t> seen_;
};

/// The next created or changed object (InitApply or Apply) from `watcher`; nullopt once stopped.
template <class K>
boost::asio::awaitable<std::optional<K>> next_applied(Watcher<K>& watcher) {
  while (auto event = co_await watcher.next()) {
    if (event->is_apply()) co_return std::move(event->object);
  }
  co_return std::nullopt;
}

/// The next created, changed or deleted object from `watcher`; nullopt once stopped.
template <class K>
boost::asio::awaitable<std::optional<K>> next_touched(Watcher<K>& watcher) {
  while (auto event = co_await watcher.next()) {
    if (event->is_apply() || event->type == EventType::Delete) co_return std::move(event->object);
  }
  co_return std::nullopt;
}

}  // namespace kube::runtime
