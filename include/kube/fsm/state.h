// kube::fsm: operators written as state machines whose transitions are checked at compile time
// (the krator model). This header is the machine's vocabulary, without I/O:
//
//   struct Tagged { static constexpr std::string_view name = "Tagged"; ... };
//   struct Roam   { static constexpr std::string_view name = "Roam"; ... };
//   using MooseGraph = kube::fsm::Graph<Edge<Tagged, Roam>, Edge<Roam, Eat>, Edge<Eat, Sleep>,
//                                       Edge<Sleep, Roam>>;
//
// A state's next() returns a Transition<Operator, Self>; the only ways to build one are
// `Transition<Op, Self>::to(NextState{...})`, which compiles only if Edge<Self, NextState> is in
// the operator's graph, and `complete()` / `fail()`, which end the machine. An undeclared edge is
// a compile error naming the two states (see the fsm_transition_compile_errors test).
//
// The same declarations print the graph as Graphviz DOT and Mermaid (Graph::dot(),
// Graph::mermaid()), so the documentation of an operator cannot drift from its code.
#pragma once

#include <concepts>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace kube::fsm {

/// A state type: it has a name (for logs, status and the graph).
template <class S>
concept NamedState = requires {
  { S::name } -> std::convertible_to<std::string_view>;
};

/// A declared transition From -> To. (States may be incomplete here: they usually mention the
/// operator, which mentions its graph.)
template <class From, class To>
struct Edge {
  using from = From;
  using to = To;
};

template <class... Edges>
struct Graph {
  /// True if From -> To was declared.
  template <class From, class To>
  static constexpr bool allows = (std::is_same_v<Edge<From, To>, Edges> || ...);

  /// Graphviz DOT of the declared edges (`initial` and `deleted`, when given, are marked).
  static std::string dot(std::string_view title = "operator", std::string_view initial = {},
                         std::string_view deleted = {}) {
    std::string out = "digraph \"" + std::string(title) + "\" {\n  rankdir=LR;\n";
    if (!initial.empty()) out += "  \"" + std::string(initial) + "\" [shape=doublecircle];\n";
    if (!deleted.empty()) out += "  \"" + std::string(deleted) + "\" [shape=octagon];\n";
    ((out += "  \"" + std::string(Edges::from::name) + "\" -> \"" + std::string(Edges::to::name) + "\";\n"), ...);
    return out + "}\n";
  }
  /// Mermaid `stateDiagram-v2` of the declared edges.
  static std::string mermaid(std::string_view initial = {}, std::string_view deleted = {}) {
    std::string out = "stateDiagram-v2\n";
    if (!initial.empty()) out += "  [*] --> " + std::string(initial) + "\n";
    ((out += "  " + std::string(Edges::from::name) + " --> " + std::string(Edges::to::name) + "\n"), ...);
    if (!deleted.empty()) out += "  " + std::string(deleted) + " --> [*]\n";
    return out;
  }
  /// F<every state type of every edge...> (with repeats), e.g. for dispatching over them.
  template <template <class...> class F>
  using apply_states = F<typename Edges::from..., typename Edges::to...>;

  /// The names of every state that appears in an edge, sorted.
  static std::set<std::string> states() {
    std::set<std::string> out;
    ((out.insert(std::string(Edges::from::name)), out.insert(std::string(Edges::to::name))), ...);
    return out;
  }
};

/// A state of operator `Op`, type-erased, as the runtime holds it. Op provides the types
/// `Shared`, `ObjectState`, `Manifest` (the watched kind) and `Status`; each state type S has
///   awaitable<Transition<Op, S>> next(Op::Shared&, Op::ObjectState&, Manifest<Op::Manifest>&)
///   Op::Status status(Op::ObjectState&, const Op::Manifest&)
/// (the runtime's adapter lives with the runtime; this header only fixes the ownership).
template <class Op>
class AnyState {
 public:
  virtual ~AnyState() = default;
  virtual std::string_view name() const noexcept = 0;
};

template <class Op, NamedState S>
class StateBox final : public AnyState<Op> {
 public:
  explicit StateBox(S state) : state_(std::move(state)) {}
  std::string_view name() const noexcept override { return S::name; }
  S& state() noexcept { return state_; }

 private:
  S state_;
};

/// How a machine ended.
struct Completion {
  bool ok = true;
  std::string message;  // for fail(): reported through the status as failed(message)
};

/// What a state's next() returns: the next state (along a declared edge) or the end.
template <class Op, class From>
class Transition {
 public:
  /// Moves to `next`. Compiles only if Edge<From, To> is in Op::Graph.
  template <NamedState To>
  static Transition to(To next) {
    static_assert(Op::Graph::template allows<From, To>,
                  "kube::fsm: transition not declared in the operator's Graph (add Edge<From, To> to allow it)");
    Transition t;
    t.next_ = std::make_unique<StateBox<Op, To>>(std::move(next));
    return t;
  }
  /// Ends the machine successfully.
  static Transition complete() {
    Transition t;
    t.end_ = Completion{true, {}};
    return t;
  }
  /// Ends the machine with an error (reported as the object's failed status).
  static Transition fail(std::string message) {
    Transition t;
    t.end_ = Completion{false, std::move(message)};
    return t;
  }

  bool is_end() const noexcept { return end_.has_value(); }
  /// The next state (null once taken, or at the end).
  std::unique_ptr<AnyState<Op>> take_next() noexcept { return std::move(next_); }
  const std::optional<Completion>& end() const noexcept { return end_; }

 private:
  Transition() = default;
  std::unique_ptr<AnyState<Op>> next_;
  std::optional<Completion> end_;
};

}  // namespace kube::fsm
