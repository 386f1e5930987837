// kube::fsm::run_machine: drives one object's state machine.
//
// An operator type Op declares
//   using Manifest = K;             // the watched kind
//   using Status = ...;             // written to the object's status when a state is entered;
//                                   // has `static Status failed(std::string message)`
//   using ObjectState = ...;        // per-object data, owned by the runtime
//   using Shared = ...;             // shared by every machine of the operator
//   using Graph = fsm::Graph<Edge<A, B>, ...>;
//   using InitialState = A;         // default-constructible
//   using DeletedState = Z;         // default-constructible; runs when the object is deleted
// and each state S
//   awaitable<Transition<Op, S>> next(Shared&, ObjectState&, Manifest<K>&);
//   Status status(ObjectState&, const K&);
//
// Each state, once entered, publishes its status, then runs next(). Deletion of the object
// interrupts the running state at once (its pending waits are cancelled: no polling), and the
// DeletedState runs. A state that throws, or returns Transition::fail(), publishes
// Status::failed(message) and ends the machine; a machine that completes waits for the deletion
// of its object (to run the DeletedState then).
//
// The interruption is a cancellation signal per machine (MachineContext::object_deleted emits
// it), bound to the machine's coroutine by spawn_machine: an idle machine is a handful of
// suspended frames and one pending wait, with nothing racing beside it.
#pragma once

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "kube/core/resource.h"
#include "kube/fsm/manifest.h"
#include "kube/fsm/state.h"
#include "kube/runtime/log.h"
#include "kube/runtime/object_ref.h"

namespace kube::fsm {

template <class Op>
class MachineContext;

/// What a machine asks of whoever runs it: write the status of a state being entered (the runtime
/// patches the object's /status), and hear of each state entered (logs, tests). One instance
/// serves every machine of an operator (OperatorRuntime is one), so a machine carries a pointer,
/// not two functions.
template <class Op>
class MachineHooks {
 public:
  virtual boost::asio::awaitable<void> publish_status(MachineContext<Op>& machine, const typename Op::Status& status) = 0;
  virtual void entered(MachineContext<Op>& machine, std::string_view state) {}

 protected:
  ~MachineHooks() = default;
};

/// MachineHooks from functions (tests, small programs).
template <class Op>
class FunctionHooks final : public MachineHooks<Op> {
 public:
  using PublishStatus = std::function<boost::asio::awaitable<void>(const typename Op::Status&)>;
  using OnEnter = std::function<void(std::string_view)>;
  explicit FunctionHooks(PublishStatus publish, OnEnter on_enter = {})
      : publish_(std::move(publish)), on_enter_(std::move(on_enter)) {}
  boost::asio::awaitable<void> publish_status(MachineContext<Op>&, const typename Op::Status& status) override {
    co_await publish_(status);
  }
  void entered(MachineContext<Op>&, std::string_view state) override {
    if (on_enter_) on_enter_(state);
  }

 private:
  PublishStatus publish_;
  OnEnter on_enter_;
};

/// What one machine runs with, and how it is controlled from outside (deletion, stop). Lives as
/// long as the machine; not movable (the machine's coroutine refers to it).
template <class Op>
class MachineContext {
 public:
  MachineContext(typename Op::Shared& shared, typename Op::ObjectState& object_state,
                 Manifest<typename Op::Manifest>& manifest, MachineHooks<Op>& hooks)
      : shared(shared), object_state(object_state), manifest(manifest), hooks(hooks) {}
  MachineContext(const MachineContext&) = delete;
  MachineContext& operator=(const MachineContext&) = delete;

  typename Op::Shared& shared;
  typename Op::ObjectState& object_state;
  Manifest<typename Op::Manifest>& manifest;
  MachineHooks<Op>& hooks;
  /// The trace of this machine's log records: one span per state execution ("fsm.state"), and the
  /// runtime's spans (status patches) under the same trace id. It is the object's uid (128 random
  /// bits already), so it costs the machine nothing and is the same after an operator restart.
  log::TraceId trace() const { return log::TraceId::from_text(uid_of(*manifest.latest())); }
  /// The span of the state running now (parent of the spans it causes, e.g. its status patch).
  log::SpanId state_span = 0;

  /// The object was deleted: marks the manifest and interrupts the running state (unless the
  /// DeletedState is already running). Call on the machine's executor.
  void object_deleted() {
    manifest.mark_deleted();
    if (interruptible_) interrupt_.emit(boost::asio::cancellation_type::terminal);
  }
  /// Ends the machine where it is, without running the DeletedState (operator shutdown: the
  /// object stays). Call on the machine's executor, while the machine runs.
  void stop() {
    stopping_ = true;
    interrupt_.emit(boost::asio::cancellation_type::terminal);
  }
  bool stopping() const noexcept { return stopping_; }
  /// The slot the machine's coroutine must be bound to (spawn_machine does it).
  boost::asio::cancellation_slot interruption_slot() noexcept { return interrupt_.slot(); }

  // ---- kept by run_machine ----
  void set_interruptible(bool on) noexcept { interruptible_ = on; }

 private:
  boost::asio::cancellation_signal interrupt_;
  bool interruptible_ = false;
  bool stopping_ = false;
};

namespace detail {

template <class Op>
struct Step {
  std::unique_ptr<AnyState<Op>> next;
  std::optional<Completion> end;
};

// The status of a state being entered, written in a frame of its own (gone once written).
template <class Op, class S>
boost::asio::awaitable<void> publish_entry(S& state, MachineContext<Op>& ctx) {
  typename Op::Status status = state.status(ctx.object_state, *ctx.manifest.latest());
  co_await ctx.hooks.publish_status(ctx, status);
}

template <class Op>
boost::asio::awaitable<void> publish_failure(MachineContext<Op>& ctx, const std::string& message) {
  typename Op::Status status = Op::Status::failed(message);
  co_await ctx.hooks.publish_status(ctx, status);
}

// The "fsm.state" span of one state execution: what it led to and how long it ran.
template <class Op>
void trace_state(const MachineContext<Op>& ctx, const AnyState<Op>& state, const Step<Op>& step, bool interrupted,
                 std::chrono::steady_clock::duration took) {
  bool failed = !interrupted && step.end && !step.end->ok;
  log::Level level = failed ? log::Level::error : log::Level::info;
  if (!log::enabled(level)) return;
  std::string_view outcome = interrupted ? "interrupted" : step.end ? (step.end->ok ? "completed" : "failed") : "next";
  log::write_span(level, "fsm.state", ctx.trace(), ctx.state_span, 0, took,
                  {{"kind", Op::Manifest::kind},
                   {"object", runtime::ObjectRef::of(*ctx.manifest.latest()).to_string()},
                   {"state", state.name()},
                   {"outcome", outcome},
                   {"next", step.next && !interrupted ? step.next->name() : std::string_view()},
                   {"error", failed ? std::string_view(step.end->message) : std::string_view()}});
}

// One state: publish its status, run next(). This frame lives as long as the state runs: it
// keeps nothing but the transition.
template <class Op, class S>
boost::asio::awaitable<void> enter(AnyState<Op>& erased, MachineContext<Op>& ctx, Step<Op>& step) {
  S& state = static_cast<StateBox<Op, S>&>(erased).state();
  ctx.hooks.entered(ctx, S::name);
  co_await publish_entry<Op, S>(state, ctx);
  Transition<Op, S> transition = co_await state.next(ctx.shared, ctx.object_state, ctx.manifest);
  // Written into the caller's Step: no result kept in this frame, nor a temporary in the caller's.
  if (transition.is_end()) {
    step.end = *transition.end();
  } else {
    step.next = transition.take_next();
  }
}

template <class Op>
using Enter = boost::asio::awaitable<void> (*)(AnyState<Op>&, MachineContext<Op>&, Step<Op>&);

// The entry function of the concrete state behind `state`, searched among `States`.
template <class Op>
struct Dispatch {
  template <class... States>
  struct Over {
    static Enter<Op> find(AnyState<Op>& state) {
      Enter<Op> found = nullptr;
      ((found = found ? found : (dynamic_cast<StateBox<Op, States>*>(&state) ? &enter<Op, States> : nullptr)), ...);
      return found;
    }
  };
};

template <class Op>
Enter<Op> entry_of(AnyState<Op>& state) {
  using Search = typename Op::Graph::template apply_states<Dispatch<Op>::template Over>;
  Enter<Op> entry = Search::find(state);
  if (!entry) entry = Dispatch<Op>::template Over<typename Op::InitialState, typename Op::DeletedState>::find(state);
  if (!entry) throw std::logic_error("kube::fsm: state \"" + std::string(state.name()) + "\" is not in the graph");
  return entry;
}

}  // namespace detail

/// Runs the machine of one object until its DeletedState completed (see above); `released` (if
/// given) receives how the DeletedState ended. Run it bound to ctx.interruption_slot() (as
/// spawn_machine does), or deletion cannot interrupt a running state. One loop in one frame: an
/// idle machine holds this frame, its running state's frames and the wait it is suspended in.
template <class Op>
boost::asio::awaitable<void> run_machine(MachineContext<Op>& ctx, Completion* released = nullptr) {
  std::unique_ptr<AnyState<Op>> state =
      std::make_unique<StateBox<Op, typename Op::InitialState>>(typename Op::InitialState{});
  bool releasing = false;  // the DeletedState (and what follows it) runs
  ctx.set_interruptible(true);
  while (true) {
    if (!releasing && ctx.manifest.is_deleted()) {
      // Interrupted (or deleted between states): an interruption leaves this coroutine's
      // cancellation flag set, and every later co_await would throw; the DeletedState runs normally.
      ctx.set_interruptible(false);
      co_await boost::asio::this_coro::reset_cancellation_state();
      state = std::make_unique<StateBox<Op, typename Op::DeletedState>>(typename Op::DeletedState{});
      releasing = true;
    }
    if (!state) {
      if (released) *released = Completion{};
      co_return;
    }
    detail::Step<Op> step;
    auto started = std::chrono::steady_clock::now();
    ctx.state_span = log::enabled(log::Level::info) ? log::random_span_id() : 0;
    try {
      co_await detail::entry_of(*state)(*state, ctx, step);
    } catch (const std::exception& e) {
      if (ctx.stopping()) throw;
      step.end = Completion{false, std::string(state->name()) + ": " + e.what()};
    }
    // Deleted while the state ran: interrupted, however the state ended (it may even have
    // swallowed the cancellation).
    bool interrupted = !releasing && ctx.manifest.is_deleted();
    detail::trace_state(ctx, *state, step, interrupted, std::chrono::steady_clock::now() - started);
    if (interrupted) continue;
    if (!step.end) {
      state = std::move(step.next);
      continue;
    }
    ctx.set_interruptible(false);
    if (!step.end->ok) co_await detail::publish_failure(ctx, step.end->message);
    if (releasing) {
      if (released) *released = std::move(*step.end);
      co_return;
    }
    co_await ctx.manifest.deleted();  // completed or failed: idle until the object goes
  }
}

/// Starts run_machine(ctx) on `executor`, interruptible through ctx; `token` receives
/// (std::exception_ptr, Completion): how the DeletedState ended.
template <class Op, class Executor, class CompletionToken>
auto spawn_machine(Executor executor, MachineContext<Op>& ctx, CompletionToken&& token) {
  return boost::asio::co_spawn(
      executor,
      [&ctx]() -> boost::asio::awaitable<Completion> {
        Completion released;
        co_await run_machine(ctx, &released);
        co_return released;
      },
      boost::asio::bind_cancellation_slot(ctx.interruption_slot(), std::forward<CompletionToken>(token)));
}

}  // namespace kube::fsm
