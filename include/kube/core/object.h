// Generic object containers: ObjectList<K> (a LIST response), WatchEvent<K> (one event of a WATCH
// stream) and PartialObjectMeta<K> (metadata-only objects).
//
// Example:
//   auto list = kube::json::decode<kube::ObjectList<Pod>>(body);
//   for (const Pod& pod : list.items) ...
//   auto event = kube::json::decode<kube::WatchEvent<Pod>>(line);
//   if (event.type == kube::WatchEventType::Deleted) forget(event.object());
#pragma once

#include <deque>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "kube/api/meta/v1.h"
#include "kube/core/decode_pool.h"
#include "kube/core/json.h"
#include "kube/core/list_splitter.h"
#include "kube/core/resource.h"
#include "kube/core/status.h"

namespace kube {

template <class K>
struct ObjectList {
  api::meta::v1::ListMeta metadata;
  std::vector<K> items;

  auto begin() const { return items.begin(); }
  auto end() const { return items.end(); }
  std::size_t size() const noexcept { return items.size(); }
  bool operator==(const ObjectList&) const = default;
};

template <class K>
void read_json(json::Reader& in, ObjectList<K>& out) {
  in.read_object([&out](std::string_view key, json::Reader& value) {
    if (key == "items") {
      value.read(out.items);
    } else if (key == "metadata") {
      value.read(out.metadata);
    }
  });
}

/// Decodes a LIST body fed in pieces (as it downloads): items are split out and decoded one by
/// one, so memory is bounded by one item rather than the whole body, then the rest of the list.
/// Given a DecodePool, items past the first kParallelAfterBytes are decoded on the pool while the
/// feeding thread goes on reading (the order of items is kept).
template <class K>
class ListDecoder {
 public:
  static constexpr std::size_t kParallelAfterBytes = 1 << 20;
  /// Bytes of item text that may wait for a pool thread; past it the feeding thread decodes too.
  static constexpr std::size_t kMaxQueuedBytes = 4 << 20;

  explicit ListDecoder(json::DecodePool* pool = nullptr) : pool_(pool) {}

  /// `padded`: at least 64 readable bytes follow `chunk` (lets the parser read items in place).
  void feed(std::string_view chunk, bool padded = false) {
    splitter_.feed(
        chunk,
        [this](std::string_view item, bool item_padded) {
          if (batch_) return decode_later(item);
          bytes_ += item.size();
          if (pool_ && bytes_ > kParallelAfterBytes) batch_.emplace(*pool_, kMaxQueuedBytes);
          decode_item(item, item_padded, out_.items.emplace_back(), out_.items.size() - 1);
        },
        padded);
  }
  /// The list; throws json::DecodeError if the body was truncated or malformed.
  ObjectList<K> finish() {
    if (batch_) {
      batch_->wait();
      out_.items.reserve(out_.items.size() + later_.size());
      std::move(later_.begin(), later_.end(), std::back_inserter(out_.items));
      later_.clear();
    }
    splitter_.finish();
    ObjectList<K> rest;
    json::decode_with(splitter_.envelope(), [&rest](json::Reader& root) { read_json(root, rest); });
    out_.metadata = std::move(rest.metadata);
    if (splitter_.items() == 0 && !rest.items.empty()) out_.items = std::move(rest.items);  // items not split out
    return std::move(out_);
  }

 private:
  static void decode_item(std::string_view item, bool padded, K& object, std::size_t index) {
    try {
      json::decode_with(item, padded, [&object](json::Reader& root) { root.read(object); });
    } catch (json::DecodeError& e) {
      e.prepend_index(index);
      e.prepend_member("items");
      throw;
    }
  }
  void decode_later(std::string_view item) {
    // A deque keeps each slot where it is while later items are appended.
    K* slot = &later_.emplace_back();
    std::size_t index = out_.items.size() + later_.size() - 1;
    std::string text;
    text.reserve(item.size() + json::ListSplitter::kReadPadding);
    text.assign(item);
    std::size_t cost = text.capacity();
    batch_->submit([text = std::move(text), slot, index] { decode_item(text, true, *slot, index); }, cost);
  }

  json::DecodePool* pool_;
  std::size_t bytes_ = 0;
  json::ListSplitter splitter_;
  ObjectList<K> out_;
  std::deque<K> later_;                         // items decoded on the pool, in order
  std::optional<json::DecodePool::Batch> batch_;  // after later_: its tasks write into later_
};

/// Whole-document decoding of a list (found by json::decode through argument-dependent lookup).
template <class K>
void decode_document(std::string_view text, ObjectList<K>& out, bool padded) {
  ListDecoder<K> decoder;
  decoder.feed(text, padded);
  out = decoder.finish();
}

template <class K>
void write_json(json::Writer& out, const ObjectList<K>& in) {
  out.begin_object();
  if constexpr (Resource<K>) {
    out.member("apiVersion", K::api_version);
    out.key("kind");
    out.write(std::string(K::kind) + "List");
  } else {
    out.member("apiVersion", "v1");
    out.member("kind", "List");
  }
  out.member("metadata", in.metadata);
  out.member("items", in.items);
  out.end_object();
}

enum class WatchEventType { Added, Modified, Deleted, Bookmark, Error };
std::string_view to_string(WatchEventType type) noexcept;
/// "ADDED" -> Added, ...; throws json::DecodeError for anything else.
WatchEventType parse_watch_event_type(std::string_view text);

/// A BOOKMARK: the resourceVersion the stream has reached, and its annotations.
struct Bookmark {
  std::string resource_version;
  std::map<std::string, std::string> annotations;

  /// The bookmark that ends the initial events of a streaming list.
  bool is_initial_events_end() const;
  bool operator==(const Bookmark&) const = default;
};
void read_json(json::Reader& in, Bookmark& out);

template <class K>
struct WatchEvent {
  WatchEventType type = WatchEventType::Added;
  std::variant<K, Bookmark, Status> payload;

  /// The object of an ADDED, MODIFIED or DELETED event.
  K& object() { return std::get<K>(payload); }
  const K& object() const { return std::get<K>(payload); }
  const Bookmark& bookmark() const { return std::get<Bookmark>(payload); }
  /// The Status of an ERROR event (e.g. 410 Expired: relist).
  const Status& error() const { return std::get<Status>(payload); }
};

namespace detail {
template <class K>
void read_watch_payload(json::Reader& in, WatchEvent<K>& out) {
  switch (out.type) {
    case WatchEventType::Bookmark:
      in.read(out.payload.template emplace<Bookmark>());
      return;
    case WatchEventType::Error:
      in.read(out.payload.template emplace<Status>());
      return;
    default:
      in.read(out.payload.template emplace<K>());
  }
}
}  // namespace detail

template <class K>
void read_json(json::Reader& in, WatchEvent<K>& out) {
  bool have_type = false;
  json::Raw deferred;  // "object" seen before "type" (rare): decoded once the type is known
  bool have_deferred = false;
  in.read_object([&](std::string_view key, json::Reader& value) {
    if (key == "type") {
      out.type = parse_watch_event_type(value.read_string_view());
      have_type = true;
    } else if (key == "object") {
      if (have_type) {
        detail::read_watch_payload(value, out);
      } else {
        value.read(deferred);
        have_deferred = true;
      }
    }
  });
  if (!have_type) throw json::DecodeError("watch event has no \"type\"");
  if (have_deferred) {
    json::decode_with(deferred.is_null() ? "{}" : deferred.text(),
                      [&out](json::Reader& root) { detail::read_watch_payload(root, out); });
  }
}

template <class K>
void write_json(json::Writer& out, const WatchEvent<K>& in) {
  out.begin_object();
  out.member("type", to_string(in.type));
  out.key("object");
  if (const auto* bookmark = std::get_if<Bookmark>(&in.payload)) {
    out.begin_object();
    if constexpr (Resource<K>) {
      out.member("apiVersion", K::api_version);
      out.member("kind", K::kind);
    }
    out.key("metadata");
    out.begin_object();
    out.member("resourceVersion", bookmark->resource_version);
    if (!bookmark->annotations.empty()) out.member("annotations", bookmark->annotations);
    out.end_object();
    out.end_object();
  } else if (const auto* status = std::get_if<Status>(&in.payload)) {
    out.write(*status);
  } else {
    out.write(std::get<K>(in.payload));
  }
  out.end_object();
}

/// The metadata of a K without its spec or status (metadata-only requests; small caches).
template <Resource K>
struct PartialObjectMeta {
  static constexpr std::string_view group = K::group;
  static constexpr std::string_view version = K::version;
  static constexpr std::string_view api_version = K::api_version;
  static constexpr std::string_view kind = K::kind;
  static constexpr std::string_view plural = K::plural;
  static constexpr Scope scope = K::scope;

  ObjectMeta metadata;
  bool operator==(const PartialObjectMeta&) const = default;
};

template <Resource K>
void read_json(json::Reader& in, PartialObjectMeta<K>& out) {
  in.read_object([&out](std::string_view key, json::Reader& value) {
    if (key == "metadata") value.read(out.metadata);
  });
}

template <Resource K>
void write_json(json::Writer& out, const PartialObjectMeta<K>& in) {
  out.begin_object();
  out.member("apiVersion", "meta.k8s.io/v1");
  out.member("kind", "PartialObjectMetadata");
  out.member("metadata", in.metadata);
  out.end_object();
}

}  // namespace kube
