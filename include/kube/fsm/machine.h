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
#pragma once

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>

#include "kube/fsm/manifest.h"
#include "kube/fsm/state.h"

namespace kube::fsm {

template <class Op>
struct MachineContext {
  typename Op::Shared& shared;
  typename Op::ObjectState& object_state;
  Manifest<typename Op::Manifest>& manifest;
  /// Writes the status of a state being entered (the runtime patches the object's /status).
  std::function<boost::asio::awaitable<void>(const typename Op::Status&)> publish_status;
  /// Told each state's name as it is entered (logs, traces, tests). Optional.
  std::function<void(std::string_view)> on_enter = {};
};

namespace detail {

template <class Op>
struct Step {
  std::unique_ptr<AnyState<Op>> next;
  std::optional<Completion> end;
};

template <class Op, class S>
boost::asio::awaitable<Step<Op>> enter(AnyState<Op>& erased, MachineContext<Op>& ctx) {
  S& state = static_cast<StateBox<Op, S>&>(erased).state();
  if (ctx.on_enter) ctx.on_enter(S::name);
  co_await ctx.publish_status(state.status(ctx.object_state, *ctx.manifest.latest()));
  Transition<Op, S> transition = co_await state.next(ctx.shared, ctx.object_state, ctx.manifest);
  Step<Op> step;
  if (transition.is_end()) {
    step.end = *transition.end();
  } else {
    step.next = transition.take_next();
  }
  co_return step;
}

template <class Op>
using Enter = boost::asio::awaitable<Step<Op>> (*)(AnyState<Op>&, MachineContext<Op>&);

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
boost::asio::awaitable<Step<Op>> run_state(AnyState<Op>& state, MachineContext<Op>& ctx) {
  using Search = typename Op::Graph::template apply_states<Dispatch<Op>::template Over>;
  Enter<Op> entry = Search::find(state);
  if (!entry) entry = Dispatch<Op>::template Over<typename Op::InitialState, typename Op::DeletedState>::find(state);
  if (!entry) throw std::logic_error("kube::fsm: state \"" + std::string(state.name()) + "\" is not in the graph");
  co_return co_await entry(state, ctx);
}

// run_state, with an exception turned into a failed completion ("State: what"). (Needed also
// because `a || b` waits for the first to complete *successfully*.)
template <class Op>
boost::asio::awaitable<Step<Op>> run_state_reporting(AnyState<Op>& state, MachineContext<Op>& ctx) {
  std::string failure;
  try {
    co_return co_await run_state(state, ctx);
  } catch (const std::exception& e) {
    failure = std::string(state.name()) + ": " + e.what();
  }
  Step<Op> step;
  step.end = Completion{false, std::move(failure)};
  co_return step;
}

// Runs `state` and what follows it; with `interruptible`, until the object is deleted.
// Returns the completion, or nullopt when deletion interrupted it.
template <class Op>
boost::asio::awaitable<std::optional<Completion>> run_states(std::unique_ptr<AnyState<Op>> state, MachineContext<Op>& ctx,
                                                             bool interruptible) {
  using namespace boost::asio::experimental::awaitable_operators;
  while (state) {
    if (interruptible && ctx.manifest.is_deleted()) co_return std::nullopt;
    Step<Op> step;
    if (interruptible) {
      auto result = co_await (run_state_reporting(*state, ctx) || ctx.manifest.deleted());
      if (result.index() == 1) co_return std::nullopt;  // the running state was cancelled
      step = std::get<0>(std::move(result));
    } else {
      step = co_await run_state_reporting(*state, ctx);
    }
    if (step.end) {
      if (!step.end->ok) co_await ctx.publish_status(Op::Status::failed(step.end->message));
      co_return step.end;
    }
    state = std::move(step.next);
  }
  co_return Completion{};
}

}  // namespace detail

/// Runs the machine of one object until its DeletedState completed (see above). Returns how the
/// DeletedState ended.
template <class Op>
boost::asio::awaitable<Completion> run_machine(MachineContext<Op>& ctx) {
  std::unique_ptr<AnyState<Op>> initial =
      std::make_unique<StateBox<Op, typename Op::InitialState>>(typename Op::InitialState{});
  std::optional<Completion> ended = co_await detail::run_states<Op>(std::move(initial), ctx, true);
  if (ended) co_await ctx.manifest.deleted();  // completed or failed: idle until the object goes
  std::unique_ptr<AnyState<Op>> deleted =
      std::make_unique<StateBox<Op, typename Op::DeletedState>>(typename Op::DeletedState{});
  std::optional<Completion> released = co_await detail::run_states<Op>(std::move(deleted), ctx, false);
  co_return released.value_or(Completion{});
}

}  // namespace kube::fsm
