// kube::fsm::OperatorRuntime<Op>: one state machine (run_machine, machine.h) per managed object.
//
//   - objects are those `api` lists with config.label_selector; a machine starts when one is seen,
//     after the runtime put its finalizer on it (so that a deletion waits for the DeletedState);
//   - every update of the object is pushed into its machine's Manifest; deletionTimestamp (or a
//     DELETED event) interrupts the running state at once and runs the DeletedState; then the
//     finalizer is removed and the object goes;
//   - after a watch restart (relist), machines of objects that vanished meanwhile are ended the same
//     way; the others go on undisturbed;
//   - each state's status is merge-patched onto the object's /status when the state is entered.
// All machines run on the api's executor (one thread), so Op::Shared needs no lock as long as a
// state does not hold a reference into it across a co_await.
#pragma once

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <functional>
#include <iostream>
#include <memory>
#include <string_view>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "kube/fsm/machine.h"
#include "kube/runtime/finalizer.h"
#include "kube/runtime/notify.h"
#include "kube/runtime/object_ref.h"
#include "kube/runtime/watcher.h"

namespace kube::fsm {

struct OperatorConfig {
  std::string label_selector;  // the objects to manage ("" : all)
  std::string finalizer;       // default: "fsm.kube-cpp.dev/<plural>"
};

template <class Op>
class OperatorRuntime final : private MachineHooks<Op> {
 public:
  using K = typename Op::Manifest;

  OperatorRuntime(Api<K> api, OperatorConfig config = {})
      : api_(std::move(api)), config_(std::move(config)),
        watcher_(api_, {.label_selector = config_.label_selector}), idle_(api_.client().executor()) {
    if (config_.finalizer.empty()) config_.finalizer = "fsm.kube-cpp.dev/" + std::string(api_.resource().plural);
  }

  typename Op::Shared& shared() noexcept { return shared_; }
  /// Told (object, state name) whenever a machine enters a state.
  void on_enter(std::function<void(const K&, std::string_view)> f) { on_enter_ = std::move(f); }
  /// Told when a machine's bookkeeping fails (finalizer or status writes); default: stderr.
  void on_error(std::function<void(const K&, const std::string&)> f) { on_error_ = std::move(f); }
  std::size_t machines() const noexcept { return machines_.size(); }
  /// The watcher's counters (relists, errors, last error).
  const runtime::WatcherStats& watch_stats() const noexcept { return watcher_.stats(); }

  /// Changes of a `Child` are delivered to the running machine of its owner (ownerReferences of
  /// kind K): its Manifest counts them (related_changes()) and wakes the state.
  template <class Child>
  OperatorRuntime& owns(Api<Child> api, runtime::WatcherConfig config = {}) {
    return watches(std::move(api), std::move(config), [](const Child& child) {
      std::vector<std::string> uids;
      for (const auto& ref : owner_references_of(child.metadata)) {
        if (ref.kind == K::kind && ref.api_version == K::api_version) uids.push_back(ref.uid);
      }
      return uids;
    });
  }
  /// Changes of an `Other` are delivered to the machines of the objects whose uids
  /// `mapper(const Other&) -> std::vector<std::string>` returns.
  template <class Other, class Mapper>
  OperatorRuntime& watches(Api<Other> api, runtime::WatcherConfig config, Mapper mapper) {
    auto watcher = std::make_shared<runtime::Watcher<Other>>(std::move(api), std::move(config));
    related_.push_back(Related{[this, watcher, mapper] { return follow_related<Other>(watcher, mapper); },
                               [watcher] { watcher->stop(); }});
    return *this;
  }

  /// Watches and runs machines until stop(); returns once every machine has ended.
  boost::asio::awaitable<void> run() {
    for (auto& related : related_) {
      ++running_related_;
      boost::asio::co_spawn(api_.client().executor(), related.run(), [this](std::exception_ptr) {
        --running_related_;
        idle_.notify_all();
      });
    }
    std::unordered_set<std::string, UidHash, std::equal_to<>> listed;  // the uids of a relist, until it is done
    while (auto event = co_await watcher_.next()) {
      switch (event->type) {
        case runtime::EventType::Init:
          listed.clear();
          break;
        case runtime::EventType::InitApply:
          listed.emplace(uid_of(event->object));
          observe(std::make_shared<const K>(std::move(event->object)), false);
          break;
        case runtime::EventType::InitDone:
          for (auto& [uid, machine] : machines_) {
            if (!listed.count(uid)) machine->context.object_deleted();  // vanished while we were away
          }
          listed = {};
          break;
        case runtime::EventType::Apply:
          observe(std::make_shared<const K>(std::move(event->object)), false);
          break;
        case runtime::EventType::Delete:
          observe(std::make_shared<const K>(std::move(event->object)), true);
          break;
      }
    }
    for (auto& [uid, machine] : machines_) machine->context.stop();
    while (!machines_.empty() || running_related_ > 0) co_await idle_.wait();
  }

  /// Stops watching and cancels every machine where it is (no DeletedState: the objects stay).
  void stop() {
    watcher_.stop();
    for (auto& related : related_) related.stop();
  }

 private:
  // Looks uids up as string_views (the objects' own), without building a string per event.
  struct UidHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view uid) const noexcept { return std::hash<std::string_view>()(uid); }
  };

  // One object's machine: its data and its control block in one allocation.
  struct Machine {
    Machine(OperatorRuntime& runtime, std::shared_ptr<const K> object)
        : manifest(runtime.api_.client().executor(), std::move(object)),
          context(runtime.shared_, object_state, manifest, runtime) {}
    [[no_unique_address]] typename Op::ObjectState object_state{};  // often empty
    Manifest<K> manifest;
    MachineContext<Op> context;
  };

  // MachineHooks: the status of a state being entered is merge-patched onto the object's /status.
  boost::asio::awaitable<void> publish_status(MachineContext<Op>& machine, const typename Op::Status& status) override {
    const K& now = *machine.manifest.latest();
    log::Span span("fsm.status_patch", machine.trace(), machine.state_span);
    if (log::enabled(log::Level::info)) {
      span.set("kind", K::kind);
      span.set("object", runtime::ObjectRef::of(now).to_string());
      span.set("status", json::encode(status));
    }
    try {
      co_await patch_status(api_for(now), std::string(name_of(now)), status);
    } catch (const std::exception& e) {
      span.fail(e.what());
      throw;
    }
  }
  void entered(MachineContext<Op>& machine, std::string_view state) override {
    if (on_enter_) on_enter_(*machine.manifest.latest(), state);
  }

  struct Related {
    std::function<boost::asio::awaitable<void>()> run;
    std::function<void()> stop;
  };

  template <class Other, class Mapper>
  boost::asio::awaitable<void> follow_related(std::shared_ptr<runtime::Watcher<Other>> watcher, Mapper mapper) {
    while (auto event = co_await watcher->next()) {
      if (!event->is_apply() && event->type != runtime::EventType::Delete) continue;
      for (const std::string& uid : mapper(event->object)) {
        if (auto it = machines_.find(uid); it != machines_.end()) it->second->manifest.touch();
      }
    }
  }

  void observe(std::shared_ptr<const K> object, bool gone) {
    if (auto it = machines_.find(uid_of(*object)); it != machines_.end()) {
      it->second->manifest.update(object);
      if (gone || is_being_deleted(object->metadata)) it->second->context.object_deleted();
      return;
    }
    if (gone || (is_being_deleted(object->metadata) && !has_finalizer(object->metadata, config_.finalizer))) return;
    auto machine = std::make_shared<Machine>(*this, object);
    if (is_being_deleted(object->metadata)) machine->manifest.mark_deleted();  // e.g. deleted while we were down
    machines_.emplace(uid_of(*object), machine.get());
    start(std::move(machine));
  }

  // A machine's life in three coroutines, one after the other, each bound to the machine's
  // interruption slot (stop() reaches whichever runs): hold (our finalizer on the object), the
  // machine itself, finish (finalizer released, failures reported). Only the machine's frames stay
  // while it idles.
  void start(std::shared_ptr<Machine> machine) {
    Machine& m = *machine;
    spawn_bound(m, hold(m), [this, machine = std::move(machine)](std::exception_ptr failure) mutable {
      // stop() may have come between the two coroutines (nothing was bound then).
      if (failure || machine->context.stopping()) return finish(std::move(machine), failure, false);
      Machine& m = *machine;
      spawn_bound(m, run_machine(m.context), [this, machine = std::move(machine)](std::exception_ptr failure) mutable {
        finish(std::move(machine), failure, !failure);
      });
    });
  }

  void finish(std::shared_ptr<Machine> machine, std::exception_ptr failure, bool release_finalizer) {
    Machine& m = *machine;
    spawn_bound(m, finish_machine(std::move(machine), failure, release_finalizer), boost::asio::detached);
  }

  // Runs `work` on the runtime's executor, bound to the machine's interruption slot.
  template <class Handler>
  void spawn_bound(Machine& machine, boost::asio::awaitable<void> work, Handler handler) {
    boost::asio::co_spawn(api_.client().executor(), std::move(work),
                          boost::asio::bind_cancellation_slot(machine.context.interruption_slot(), std::move(handler)));
  }

  boost::asio::awaitable<void> finish_machine(std::shared_ptr<Machine> machine, std::exception_ptr failure,
                                              bool release_finalizer) {
    try {
      if (failure) std::rethrow_exception(failure);
      if (release_finalizer) co_await release(*machine);
    } catch (const boost::system::system_error& e) {
      if (e.code() != boost::asio::error::operation_aborted) report(*machine->manifest.latest(), e.what());  // aborted: stop()
    } catch (const std::exception& e) {
      report(*machine->manifest.latest(), e.what());
    }
    if (auto it = machines_.find(uid_of(*machine->manifest.latest())); it != machines_.end()) {
      machines_.erase(it);  // uids never change
    }
    idle_.notify_all();
  }

  // The object's own namespace (the runtime may watch all namespaces).
  Api<K> api_for(const K& object) const {
    if constexpr (NamespaceScoped<K>) {
      return Api<K>::namespaced(api_.client(), std::string(namespace_of(object)));
    } else {
      return api_;
    }
  }

  void report(const K& object, const std::string& failure) {
    if (on_error_) {
      on_error_(object, failure);
    } else {
      std::cerr << "kube::fsm: " << runtime::ObjectRef::of(object).to_string() << ": " << failure << "\n";
    }
  }

  // Puts our finalizer on the object, so that its deletion waits for the DeletedState.
  boost::asio::awaitable<void> hold(Machine& machine) {
    std::shared_ptr<const K> first = machine.manifest.latest();  // held: the manifest moves on
    if (has_finalizer(first->metadata, config_.finalizer) || machine.manifest.is_deleted()) co_return;
    co_await api_for(*first).patch(std::string(name_of(*first)), {},
                                   runtime::add_finalizer_patch(first->metadata, config_.finalizer));
  }

  // Removes our finalizer (from the object as it is now), so the deletion completes.
  boost::asio::awaitable<void> release(Machine& machine) {
    std::shared_ptr<const K> last = machine.manifest.latest();
    Api<K> api = api_for(*last);
    std::string name(name_of(*last));
    for (int attempt = 0; attempt < 5; ++attempt) {
      std::optional<K> current = co_await api.get_opt(name);
      if (!current || !has_finalizer(current->metadata, config_.finalizer)) co_return;
      try {
        co_await api.patch(name, {}, runtime::remove_finalizer_patch(current->metadata, config_.finalizer));
        co_return;
      } catch (const ApiError& e) {
        if (e.code() != 422 && e.code() != 409) throw;  // the list changed meanwhile: read again
      }
    }
  }

  static boost::asio::awaitable<void> patch_status(Api<K> api, std::string name, typename Op::Status status) {
    try {
      co_await api.patch_status(name, {}, Patch::from_json(PatchType::Merge, "{\"status\":" + json::encode(status) + "}"));
    } catch (const ApiError& e) {
      if (e.code() != 404) throw;  // gone: the status has no object to go to
    }
  }

  Api<K> api_;
  OperatorConfig config_;
  runtime::Watcher<K> watcher_;
  typename Op::Shared shared_{};
  // By uid. A machine is owned by whichever of its coroutines (or their completion handlers) runs;
  // finish_machine() erases it here before letting go of it.
  std::unordered_map<std::string, Machine*, UidHash, std::equal_to<>> machines_;
  std::function<void(const K&, std::string_view)> on_enter_;
  std::function<void(const K&, const std::string&)> on_error_;
  std::vector<Related> related_;
  int running_related_ = 0;
  runtime::Notify idle_;
};

}  // namespace kube::fsm
