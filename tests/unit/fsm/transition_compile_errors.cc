// Compiled by tests/support/expect_compile_errors.sh (see tests/unit/CMakeLists.txt): valid as
// is; each CASE_* macro adds one transition the graph does not declare (or another misuse the
// framework rejects at compile time), which must not compile.
#include "kube/fsm/guarded.h"
#include "kube/fsm/state.h"

namespace {

struct Tagged {
  static constexpr std::string_view name = "Tagged";
};
struct Roam {
  static constexpr std::string_view name = "Roam";
};
struct Eat {
  static constexpr std::string_view name = "Eat";
};
struct Operator {
  using Graph = kube::fsm::Graph<kube::fsm::Edge<Tagged, Roam>, kube::fsm::Edge<Roam, Eat>, kube::fsm::Edge<Eat, Roam>>;
};

kube::fsm::Transition<Operator, Tagged> from_tagged() { return kube::fsm::Transition<Operator, Tagged>::to(Roam{}); }
kube::fsm::Transition<Operator, Roam> from_roam() { return kube::fsm::Transition<Operator, Roam>::to(Eat{}); }
kube::fsm::Transition<Operator, Eat> done() { return kube::fsm::Transition<Operator, Eat>::complete(); }

#ifdef CASE_UNDECLARED_EDGE
// Tagged -> Eat skips Roam: not in the graph.
kube::fsm::Transition<Operator, Tagged> skip() { return kube::fsm::Transition<Operator, Tagged>::to(Eat{}); }
#endif

#ifdef CASE_REVERSED_EDGE
// Roam -> Tagged: only Tagged -> Roam is declared.
kube::fsm::Transition<Operator, Roam> back() { return kube::fsm::Transition<Operator, Roam>::to(Tagged{}); }
#endif

#ifdef CASE_UNNAMED_STATE
struct Nameless {};
kube::fsm::Transition<Operator, Roam> nameless() { return kube::fsm::Transition<Operator, Roam>::to(Nameless{}); }
#endif

#ifdef CASE_GUARD_ACROSS_AWAIT
// A coroutine given to Guarded::write would hold the lock across its suspensions.
boost::asio::awaitable<void> hold_lock(kube::fsm::Guarded<int>& shared) {
  co_await shared.write([](int& n) -> boost::asio::awaitable<void> {
    ++n;
    co_return;
  });
}
#endif

}  // namespace

int main() {
  (void)from_tagged();
  (void)from_roam();
  (void)done();
}
