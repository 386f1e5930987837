// kube::runtime::Controller<K>: runs a reconcile function for every object of a kind whenever the
// object, an object it owns, or anything mapped to it changes, until the state converges.
//
//   main kind ---reflector/store---+
//   owns<Child>  (ownerReferences) -+--> Scheduler (dedupe, debounce, one run per object at a
//   watches<X>   (mapper -> refs) --+     time, concurrency) --> reconcile(object, ctx) -> Action
//   reconcile_all_on(trigger) ------+                                                   |
//                     ^-------------------- requeue after d / await change <------------+
//
// Nothing is reconciled before every cache is ready. Reconcile always sees the latest cached state
// of its object; an object deleted meanwhile is not reconciled (use the finalizer helper to act on
// deletion). A reconcile that throws goes to the error policy, which decides when to retry.
//
// Example:
//   Controller<ConfigMapGenerator> controller(Api<ConfigMapGenerator>::all(client));
//   controller.owns(Api<ConfigMap>::all(client)).graceful_shutdown_on_signals();
//   co_await controller.run(
//       [](auto object, auto ctx) -> awaitable<Action> { ...; co_return Action::await_change(); },
//       [](auto object, const std::exception& e, auto ctx) { return Action::requeue(5s); },
//       std::make_shared<Context>(...));
#pragma once

#include <signal.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kube/runtime/metrics.h"
#include "kube/runtime/predicates.h"
#include "kube/runtime/reflector.h"
#include "kube/runtime/scheduler.h"

namespace kube::runtime {

/// What a reconcile asks for next.
struct Action {
  std::optional<std::chrono::milliseconds> requeue_after;

  /// Run again after `delay` even if nothing changes (e.g. to poll something outside Kubernetes).
  static Action requeue(std::chrono::milliseconds delay) { return Action{delay}; }
  /// Run again only when something changes.
  static Action await_change() { return Action{}; }
};

struct ControllerConfig {
  std::size_t concurrency = 0;            // objects reconciled at once; 0: unbounded
  std::chrono::milliseconds debounce{0};  // quiet time after a change before reconciling
  std::string name;                       // for metrics and logs (default: the kind's plural)
};

/// Fired by the user to reconcile every object (e.g. when a shared configuration changed).
class Trigger {
 public:
  explicit Trigger(boost::asio::any_io_executor executor) : notify_(std::move(executor)) {}
  void fire() {
    ++generation_;
    notify_.notify_all();
  }
  std::uint64_t generation() const noexcept { return generation_; }
  /// Returns after the next fire() or wake_waiters(); callers re-check generation().
  boost::asio::awaitable<void> wait() { co_await notify_.wait(); }
  /// Wakes waiters without firing (a controller shutting down stops waiting).
  void wake_waiters() { notify_.notify_all(); }

 private:
  Notify notify_;
  std::uint64_t generation_ = 0;
};

template <class K>
class Controller {
 public:
  using Ptr = std::shared_ptr<const K>;

  /// A controller with its own reflector of `api` (filtered by `config`'s selectors).
  explicit Controller(Api<K> api, WatcherConfig config = {})
      : state_(std::make_shared<State>(api.client().executor())) {
    state_->own_reflector = std::make_unique<Reflector<K>>(std::move(api), std::move(config));
    state_->reflector = state_->own_reflector.get();
    state_->changes = state_->reflector->subscribe();
    state_->config.name = std::string(state_->reflector->watcher().api().resource().plural);
  }
  /// A controller on a reflector shared with others; the caller runs the reflector.
  explicit Controller(Reflector<K>& shared)
      : state_(std::make_shared<State>(shared.watcher().api().client().executor())) {
    state_->reflector = &shared;
    state_->changes = shared.subscribe();
    state_->config.name = std::string(shared.watcher().api().resource().plural);
  }

  Controller& with_config(ControllerConfig config) {
    if (config.name.empty()) config.name = state_->config.name;
    state_->config = std::move(config);
    state_->scheduler = Scheduler({state_->config.concurrency, state_->config.debounce});
    return *this;
  }

  /// Reconcile the owner (of kind K) of every `Child` that changes, through ownerReferences.
  template <class Child>
  Controller& owns(Api<Child> api, WatcherConfig config = {}) {
    return watches(std::move(api), std::move(config), [](const Child& child) {
      std::vector<ObjectRef> owners;
      for (const auto& ref : owner_references_of(child.metadata)) {
        if (ref.kind == K::kind && ref.api_version == K::api_version) {
          owners.push_back({ref.name, NamespaceScoped<K> ? std::string(namespace_of(child)) : std::string()});
        }
      }
      return owners;
    });
  }
  /// Reconcile the objects `mapper(const Other&) -> std::vector<ObjectRef>` names whenever an
  /// `Other` changes (or is deleted).
  template <class Other, class Mapper>
  Controller& watches(Api<Other> api, WatcherConfig config, Mapper mapper) {
    auto watcher = std::make_shared<Watcher<Other>>(std::move(api), std::move(config));
    std::weak_ptr<State> weak = state_;
    state_->secondary.push_back(Secondary{
        // Not a coroutine lambda: the coroutine gets its own copies of what it uses, so it may
        // outlive this Secondary (and the controller) while its watcher finishes a request.
        [watcher, mapper = std::move(mapper), weak] { return follow_secondary<Other>(watcher, mapper, weak); },
        [watcher] { watcher->stop(); }, [watcher] { return watcher->stats(); }});
    return *this;
  }
  /// Changes of the main kind for which `predicate(const K&)` is false do not trigger a
  /// reconcile (e.g. PredicateFilter<K>(predicates::generation): spec edits only). The cache
  /// still holds every change.
  Controller& with_predicate(std::function<bool(const K&)> predicate) {
    state_->predicate = std::move(predicate);
    return *this;
  }
  Controller& with_predicate(PredicateFilter<K> filter) {
    auto shared = std::make_shared<PredicateFilter<K>>(std::move(filter));
    state_->predicate = [shared](const K& object) { return shared->pass(object); };
    state_->forget = [shared](const K& object) { shared->forget(object); };
    return *this;
  }
  /// Reconcile every cached object whenever `trigger` fires.
  Controller& reconcile_all_on(std::shared_ptr<Trigger> trigger) {
    state_->triggers.push_back(std::move(trigger));
    return *this;
  }
  /// SIGINT or SIGTERM starts a graceful shutdown (running reconciles finish, nothing new
  /// starts); a second signal makes run() return at once.
  Controller& graceful_shutdown_on_signals() {
    state_->handle_signals = true;
    return *this;
  }
  /// Reports reconciles, durations, queue depth, watch restarts and cache size to `registry`.
  Controller& with_metrics(std::shared_ptr<MetricsRegistry> registry) {
    state_->registry = std::move(registry);
    return *this;
  }

  /// Requests a reconcile of `ref` (e.g. on a notification from outside the cluster), with the
  /// same de-duplication and debounce as a change. Call on the executor's thread.
  void request(const ObjectRef& ref) { state_->request_change(ref); }

  Store<K> store() const { return state_->reflector->store(); }
  /// Starts a graceful shutdown (as the first signal does).
  void shutdown() { state_->begin_shutdown(); }

  /// Runs until shutdown. `reconcile(Ptr, shared_ptr<Context>) -> awaitable<Action>`;
  /// `error_policy(Ptr, const std::exception&, shared_ptr<Context>) -> Action`.
  template <class Context, class Reconcile, class ErrorPolicy>
  boost::asio::awaitable<void> run(Reconcile reconcile, ErrorPolicy error_policy, std::shared_ptr<Context> context) {
    auto state = state_;
    state->reconcile = [reconcile = std::move(reconcile), context](Ptr object) -> boost::asio::awaitable<Action> {
      co_return co_await reconcile(std::move(object), context);
    };
    state->error_policy = [error_policy = std::move(error_policy), context](Ptr object, const std::exception& e) {
      return error_policy(std::move(object), e, context);
    };
    state->register_metrics();
    co_await state->run();
  }

 private:
  struct Secondary {
    std::function<boost::asio::awaitable<void>()> run;
    std::function<void()> stop;
    std::function<WatcherStats()> stats;
  };

  struct State : std::enable_shared_from_this<State> {
    explicit State(boost::asio::any_io_executor ex) : executor(ex), wake_timer(ex), done(ex) {}

    boost::asio::any_io_executor executor;
    std::unique_ptr<Reflector<K>> own_reflector;
    Reflector<K>* reflector = nullptr;
    std::shared_ptr<Subscription<K>> changes;
    std::vector<Secondary> secondary;
    std::size_t secondary_ready = 0;
    std::vector<std::shared_ptr<Trigger>> triggers;
    std::function<bool(const K&)> predicate;
    std::function<void(const K&)> forget;  // a deleted object leaves the predicate's memory
    ControllerConfig config;
    Scheduler scheduler;
    std::function<boost::asio::awaitable<Action>(Ptr)> reconcile;
    std::function<Action(Ptr, const std::exception&)> error_policy;
    boost::asio::steady_timer wake_timer;  // the dispatcher sleeps on it; wake() cancels it
    Notify done;                           // a reconcile ended, or shutdown was forced
    bool shutting_down = false;
    bool forced = false;
    bool handle_signals = false;
    std::shared_ptr<MetricsRegistry> registry;
    Counter* reconcile_success = nullptr;
    Counter* reconcile_error = nullptr;
    Histogram* reconcile_seconds = nullptr;

    void wake() { wake_timer.cancel(); }
    void request_change(const ObjectRef& ref) {
      scheduler.schedule_change(ref, Scheduler::Clock::now());
      wake();
    }
    bool caches_ready() const { return reflector->store().is_ready() && secondary_ready >= secondary.size(); }

    void begin_shutdown() {
      if (shutting_down) return;
      shutting_down = true;
      if (own_reflector) own_reflector->stop();
      changes->close();  // a shared reflector goes on; this controller stops listening
      for (auto& s : secondary) s.stop();
      for (auto& trigger : triggers) trigger->wake_waiters();
      wake();
      done.notify_all();
    }

    void register_metrics() {
      if (!registry) return;
      Labels labels{{"controller", config.name}};
      auto with = [&labels](std::string key, std::string value) {
        Labels l = labels;
        l.emplace_back(std::move(key), std::move(value));
        return l;
      };
      reconcile_success = &registry->counter("kube_controller_reconciles_total", "Reconciles by result.", with("result", "success"));
      reconcile_error = &registry->counter("kube_controller_reconciles_total", "Reconciles by result.", with("result", "error"));
      reconcile_seconds = &registry->histogram("kube_controller_reconcile_duration_seconds", "Time spent in reconcile.",
                                               MetricsRegistry::default_buckets(), labels);
      std::weak_ptr<State> weak = this->shared_from_this();
      registry->gauge_fn("kube_controller_queue_depth", "Pending reconcile requests.", labels, [weak] {
        auto s = weak.lock();
        return s ? static_cast<double>(s->scheduler.pending()) : 0.0;
      });
      registry->gauge_fn("kube_controller_reconciles_running", "Reconciles in progress.", labels, [weak] {
        auto s = weak.lock();
        return s ? static_cast<double>(s->scheduler.running()) : 0.0;
      });
      registry->gauge_fn("kube_controller_cache_objects", "Objects in the controller's cache.", labels, [weak] {
        auto s = weak.lock();
        return s ? static_cast<double>(s->reflector->store().size()) : 0.0;
      });
      registry->counter_fn("kube_controller_watch_starts_total", "WATCH requests opened (restarts included).", labels, [weak] {
        auto s = weak.lock();
        if (!s) return 0.0;
        double total = static_cast<double>(s->reflector->watcher().stats().watch_starts);
        for (auto& sec : s->secondary) total += static_cast<double>(sec.stats().watch_starts);
        return total;
      });
      registry->counter_fn("kube_controller_relists_total", "Relists (410 Gone included).", labels, [weak] {
        auto s = weak.lock();
        if (!s) return 0.0;
        double total = static_cast<double>(s->reflector->watcher().stats().relists);
        for (auto& sec : s->secondary) total += static_cast<double>(sec.stats().relists);
        return total;
      });
      registry->set_ready_check(config.name, [weak] {
        auto s = weak.lock();
        return s && s->caches_ready() && !s->shutting_down;
      });
    }

    boost::asio::awaitable<void> run() {
      auto self = this->shared_from_this();
      // The reflector's run() holds `self`, so the state (and the reflector) outlives it.
      if (own_reflector) {
        boost::asio::co_spawn(executor, [self]() -> boost::asio::awaitable<void> { co_await self->own_reflector->run(); },
                              boost::asio::detached);
      }
      boost::asio::co_spawn(executor, follow_changes(self), boost::asio::detached);
      for (auto& s : secondary) boost::asio::co_spawn(executor, s.run(), boost::asio::detached);
      for (auto& trigger : triggers) boost::asio::co_spawn(executor, follow_trigger(self, trigger), boost::asio::detached);
      std::optional<boost::asio::signal_set> signals;
      if (handle_signals) {
        signals.emplace(executor, SIGINT, SIGTERM);
        boost::asio::co_spawn(executor, follow_signals(self, *signals), boost::asio::detached);
      }
      co_await dispatch();
      // Graceful: let running reconciles finish (unless a second signal forces the end).
      while (scheduler.running() > 0 && !forced) co_await done.wait();
      if (signals) signals->cancel();
    }

    // Starts reconciles as they become due, until shutdown.
    boost::asio::awaitable<void> dispatch() {
      while (!shutting_down) {
        if (caches_ready()) {
          auto now = Scheduler::Clock::now();
          while (auto ref = scheduler.pop_ready(now)) {
            boost::asio::co_spawn(executor, run_one(this->shared_from_this(), std::move(*ref)), boost::asio::detached);
          }
          auto due = scheduler.next_due();
          wake_timer.expires_at(due ? *due : Scheduler::Clock::time_point::max());
        } else {
          // Readiness arrives through wake(): InitDone from the reflector and the secondary watchers.
          wake_timer.expires_at(Scheduler::Clock::time_point::max());
        }
        boost::system::error_code ignored;
        co_await wake_timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
      }
    }

    static boost::asio::awaitable<void> run_one(std::shared_ptr<State> self, ObjectRef ref) {
      Ptr object = self->reflector->store().get(ref);
      if (object) {
        auto started = std::chrono::steady_clock::now();
        std::optional<Action> action;
        std::exception_ptr failure;
        try {
          action = co_await self->reconcile(object);
        } catch (...) {
          failure = std::current_exception();
        }
        if (failure) {
          try {
            std::rethrow_exception(failure);
          } catch (const std::exception& e) {
            action = self->error_policy(object, e);
          } catch (...) {
            action = self->error_policy(object, std::runtime_error("reconcile threw a non-standard exception"));
          }
        }
        if (self->reconcile_seconds) {
          self->reconcile_seconds->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
          (failure ? self->reconcile_error : self->reconcile_success)->inc();
        }
        if (action->requeue_after && !self->shutting_down) {
          self->scheduler.schedule(ref, Scheduler::Clock::now() + *action->requeue_after);
        }
      }
      self->scheduler.finished(ref);
      self->wake();
      self->done.notify_all();
    }

    static boost::asio::awaitable<void> follow_changes(std::shared_ptr<State> self) {
      while (auto change = co_await self->changes->next()) {
        if (change->type == EventType::InitDone) {
          self->wake();
        } else if (change->type == EventType::Delete) {
          self->scheduler.cancel(ObjectRef::of(*change->object));
          if (self->forget) self->forget(*change->object);
        } else if (!self->predicate || self->predicate(*change->object)) {
          self->request_change(ObjectRef::of(*change->object));
        }
        if (self->shutting_down) break;
      }
    }

    static boost::asio::awaitable<void> follow_trigger(std::shared_ptr<State> self, std::shared_ptr<Trigger> trigger) {
      std::uint64_t seen = trigger->generation();
      while (!self->shutting_down) {
        if (trigger->generation() == seen) {
          co_await trigger->wait();
          continue;
        }
        seen = trigger->generation();
        for (const Ptr& object : self->reflector->store().state()) self->request_change(ObjectRef::of(*object));
      }
    }

    static boost::asio::awaitable<void> follow_signals(std::shared_ptr<State> self, boost::asio::signal_set& signals) {
      for (int received = 0; received < 2; ++received) {
        boost::system::error_code ec;
        co_await signals.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        if (ec) co_return;  // cancelled: run() ended
        if (received == 0) {
          self->begin_shutdown();
        } else {
          self->forced = true;
          self->done.notify_all();
        }
      }
    }
  };

  template <class Other, class Mapper>
  static boost::asio::awaitable<void> follow_secondary(std::shared_ptr<Watcher<Other>> watcher, Mapper mapper,
                                                       std::weak_ptr<State> weak);

  std::shared_ptr<State> state_;
};

template <class K>
template <class Other, class Mapper>
boost::asio::awaitable<void> Controller<K>::follow_secondary(std::shared_ptr<Watcher<Other>> watcher, Mapper mapper,
                                                             std::weak_ptr<State> weak) {
  while (auto event = co_await watcher->next()) {
    auto state = weak.lock();
    if (!state) co_return;
    if (event->type == EventType::InitDone) {
      ++state->secondary_ready;
      state->wake();
      continue;
    }
    if (event->type == EventType::Init) continue;
    for (const ObjectRef& ref : mapper(event->object)) state->request_change(ref);
  }
}

}  // namespace kube::runtime
