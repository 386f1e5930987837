// kube::runtime::Watcher<K>: the list/watch state machine every cache and controller stands on.
//
// It turns LIST and WATCH requests into one endless sequence of events that survives everything a
// real cluster does to a client: watch timeouts (resume from the last resourceVersion), 410 Gone
// (history compacted: relist), expired continue tokens, dropped connections, server restarts.
//
//   Empty --paged--> InitPage(continue) ... --> InitListed --> Watching(rv) <--+
//     |                                                          |  stream end-+ (resume at rv)
//     +--streaming--> InitialWatch (sendInitialEvents) --bookmark "initial-events-end"--+
//   any 410 ------------------------------------------------------------------> Empty (relist)
//
// Events: Init (a relist starts), InitApply (an object of the relist), InitDone (the relist is
// complete: objects not re-applied since Init are gone), Apply (created or changed), Delete.
// BOOKMARK events only advance the resume point.
//
// Errors (transport failures, 5xx, decode errors) are retried with exponential backoff and jitter
// (BackoffConfig: 800 ms -> 30 s, reset after 120 s healthy) and counted in stats(); with
// `backoff = std::nullopt` they are thrown from next() instead (the next call starts over).
//
// Example:
//   Watcher<Pod> watcher(Api<Pod>::all(client), {.label_selector = "app=web"});
//   while (auto event = co_await watcher.next()) {
//     if (event->type == EventType::Apply) std::cout << name_of(event->object) << "\n";
//   }
#pragma once

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "kube/client/api.h"
#include "kube/runtime/backoff.h"

namespace kube::runtime {

enum class EventType { Init, InitApply, InitDone, Apply, Delete };
std::string_view to_string(EventType type) noexcept;

template <class K>
struct Event {
  EventType type = EventType::Init;
  K object{};  // for InitApply, Apply and Delete

  /// InitApply or Apply.
  bool is_apply() const noexcept { return type == EventType::InitApply || type == EventType::Apply; }
};

enum class InitialList {
  Paged,      // LIST in pages of page_size (works with every server)
  Streaming,  // WATCH with sendInitialEvents (watch-list: one request, no list in memory)
};

struct WatcherConfig {
  std::string label_selector;
  std::string field_selector;
  /// Server-side timeout of each WATCH request; the client gives up after this + 5 s of silence.
  std::uint32_t timeout_seconds = 290;
  InitialList initial_list = InitialList::Paged;
  std::uint32_t page_size = 500;
  /// LIST with resourceVersion="0" (any cached state; cheaper for the server, possibly stale).
  bool any_version = false;
  bool bookmarks = true;
  /// nullopt: errors are thrown from next() instead of retried.
  std::optional<BackoffConfig> backoff = BackoffConfig{};
};

/// What a watcher went through (for metrics and tests).
struct WatcherStats {
  std::uint64_t events = 0;         // events returned by next()
  std::uint64_t filtered = 0;       // events skipped by filter()
  std::uint64_t relists = 0;        // Init events (the first list included)
  std::uint64_t gone = 0;           // 410s that forced a relist
  std::uint64_t watch_starts = 0;   // WATCH requests opened
  std::uint64_t errors = 0;         // failures retried with backoff
  std::string last_error;
};

template <class K>
class Watcher {
 public:
  explicit Watcher(Api<K> api, WatcherConfig config = {})
      : api_(std::move(api)), config_(std::move(config)), backoff_(config_.backoff.value_or(BackoffConfig{})),
        timer_(api_.client().executor()) {}

  /// The next event, or nullopt once stop() was called. Waits as long as it takes, retrying
  /// failures with backoff (see above).
  boost::asio::awaitable<std::optional<Event<K>>> next() {
    while (!stopped_) {
      try {
        std::optional<Event<K>> event = co_await step();
        if (!event) continue;
        if (filter_ && !filter_(*event)) {
          ++stats_.filtered;
          continue;
        }
        ++stats_.events;
        if (modify_ && event->type != EventType::Init && event->type != EventType::InitDone) modify_(event->object);
        co_return event;
      } catch (const ApiError& e) {
        if (stopped_) break;
        if (e.is_gone()) {
          // The resume point or the continue token is older than the server's history.
          ++stats_.gone;
          restart();
          continue;
        }
        fail(e.what());
      } catch (const Error& e) {  // TransportError, json::DecodeError, ...
        if (stopped_) break;
        fail(e.what());
      }
      // Outside the handler: co_await is not allowed in a catch block.
      timer_.expires_after(backoff_.next());
      boost::system::error_code ignored;
      co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    }
    co_return std::nullopt;
  }

  /// Ends the watcher: a pending or later next() returns nullopt. Safe to call from the executor's
  /// thread only.
  void stop() {
    stopped_ = true;
    if (stream_) stream_->cancel();
    timer_.cancel();
  }

  /// Applied to every object before next() returns it (e.g. drop managedFields before caching).
  void modify(std::function<void(K&)> f) { modify_ = std::move(f); }
  /// Events for which `f` returns false are skipped (e.g. a PredicateFilter, predicates.h).
  /// Filtering a reflector's watcher leaves its store behind on what was skipped.
  void filter(std::function<bool(const Event<K>&)> f) { filter_ = std::move(f); }

  const WatcherStats& stats() const noexcept { return stats_; }
  /// Where a resumed watch would start ("" before the first list completes).
  const std::string& resource_version() const noexcept { return resource_version_; }
  const Api<K>& api() const noexcept { return api_; }

 private:
  enum class State { Empty, InitPage, InitialWatch, InitListed, Watching };

  void restart() {
    state_ = State::Empty;
    pending_.clear();
    continue_token_.clear();
    if (stream_) stream_->cancel();
    stream_.reset();
  }

  void fail(const char* what) {
    ++stats_.errors;
    stats_.last_error = what;
    // A failed watch is resumed from the last resourceVersion; a failed relist starts over.
    if (stream_) stream_->cancel();
    stream_.reset();
    if (state_ == State::InitialWatch) restart();
    if (!config_.backoff) {
      restart();
      throw;
    }
  }

  WatchParams watch_params(bool initial_events) const {
    WatchParams wp;
    wp.label_selector = config_.label_selector;
    wp.field_selector = config_.field_selector;
    wp.timeout_seconds = config_.timeout_seconds;
    wp.bookmarks = config_.bookmarks || initial_events;
    wp.send_initial_events = initial_events;
    return wp;
  }

  static Event<K> make(EventType type, K object = K{}) { return Event<K>{type, std::move(object)}; }

  // One transition; returns the event it produced, if any.
  boost::asio::awaitable<std::optional<Event<K>>> step() {
    if (!pending_.empty()) {
      K object = std::move(pending_.front());
      pending_.pop_front();
      co_return make(EventType::InitApply, std::move(object));
    }
    switch (state_) {
      case State::Empty:
        ++stats_.relists;
        if (config_.initial_list == InitialList::Streaming) {
          ++stats_.watch_starts;
          stream_.emplace(co_await api_.watch(watch_params(true), ""));
          if (stopped_) stream_->cancel();  // stop() came while the request was being opened
          state_ = State::InitialWatch;
        } else {
          state_ = State::InitPage;
        }
        co_return make(EventType::Init);

      case State::InitPage: {
        ListParams lp;
        lp.label_selector = config_.label_selector;
        lp.field_selector = config_.field_selector;
        if (config_.page_size > 0) lp.limit = config_.page_size;
        lp.continue_token = continue_token_;
        if (config_.any_version && continue_token_.empty()) lp.resource_version = "0";
        ObjectList<K> page = co_await api_.list(lp);
        for (K& item : page.items) pending_.push_back(std::move(item));
        continue_token_ = page.metadata.continue_.value_or("");
        if (continue_token_.empty()) {
          resource_version_ = page.metadata.resource_version.value_or("");
          state_ = State::InitListed;
        }
        co_return std::nullopt;
      }

      case State::InitListed:
        state_ = State::Watching;
        co_return make(EventType::InitDone);

      case State::InitialWatch: {
        std::optional<WatchEvent<K>> event = co_await stream_->next();
        if (!event) {
          // Ended before the initial state was complete: what we have may be partial.
          restart();
          co_return std::nullopt;
        }
        switch (event->type) {
          case WatchEventType::Added:
          case WatchEventType::Modified:
            co_return make(EventType::InitApply, std::move(event->object()));
          case WatchEventType::Deleted:
            // Not sent before the initial-events-end bookmark; nothing was applied for it yet.
            co_return std::nullopt;
          case WatchEventType::Bookmark:
            resource_version_ = event->bookmark().resource_version;
            if (event->bookmark().is_initial_events_end()) {
              state_ = State::Watching;  // the same stream goes on with changes
              co_return make(EventType::InitDone);
            }
            co_return std::nullopt;
          case WatchEventType::Error:
            throw ApiError(event->error());
        }
        co_return std::nullopt;
      }

      case State::Watching: {
        if (!stream_) {
          ++stats_.watch_starts;
          stream_.emplace(co_await api_.watch(watch_params(false), resource_version_));
          if (stopped_) stream_->cancel();
        }
        std::optional<WatchEvent<K>> event = co_await stream_->next();
        if (!event) {
          stream_.reset();  // timeout or server going away: resume from resource_version_
          co_return std::nullopt;
        }
        switch (event->type) {
          case WatchEventType::Added:
          case WatchEventType::Modified:
            advance(event->object());
            co_return make(EventType::Apply, std::move(event->object()));
          case WatchEventType::Deleted:
            advance(event->object());
            co_return make(EventType::Delete, std::move(event->object()));
          case WatchEventType::Bookmark:
            resource_version_ = event->bookmark().resource_version;
            co_return std::nullopt;
          case WatchEventType::Error:
            throw ApiError(event->error());
        }
        co_return std::nullopt;
      }
    }
    co_return std::nullopt;
  }

  void advance(const K& object) {
    std::string_view rv = resource_version_of(object);
    if (!rv.empty()) resource_version_ = std::string(rv);
  }

  Api<K> api_;
  WatcherConfig config_;
  Backoff backoff_;
  boost::asio::steady_timer timer_;
  State state_ = State::Empty;
  std::deque<K> pending_;  // items of the current page not yet returned
  std::string continue_token_;
  std::string resource_version_;
  std::optional<WatchStream<K>> stream_;
  std::function<void(K&)> modify_;
  std::function<bool(const Event<K>&)> filter_;
  WatcherStats stats_;
  bool stopped_ = false;
};

}  // namespace kube::runtime
