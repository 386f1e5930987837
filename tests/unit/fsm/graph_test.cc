// kube::fsm's graph and transitions: declared edges, DOT and Mermaid output, what a Transition
// carries.
#include <gtest/gtest.h>

#include "kube/fsm/state.h"

namespace kube::fsm {
namespace {

struct Tagged {
  static constexpr std::string_view name = "Tagged";
};
struct Roam {
  static constexpr std::string_view name = "Roam";
  int food = 0;
};
struct Eat {
  static constexpr std::string_view name = "Eat";
};
struct Sleep {
  static constexpr std::string_view name = "Sleep";
};
struct Moose {
  using Graph = fsm::Graph<Edge<Tagged, Roam>, Edge<Roam, Eat>, Edge<Eat, Sleep>, Edge<Sleep, Roam>>;
};

TEST(Graph, KnowsItsEdges) {
  static_assert(Moose::Graph::allows<Tagged, Roam>);
  static_assert(Moose::Graph::allows<Sleep, Roam>);
  static_assert(!Moose::Graph::allows<Roam, Tagged>);
  static_assert(!Moose::Graph::allows<Tagged, Eat>);
  EXPECT_EQ(Moose::Graph::states(), (std::set<std::string>{"Eat", "Roam", "Sleep", "Tagged"}));
}

TEST(Graph, PrintsDotAndMermaid) {
  EXPECT_EQ(Moose::Graph::dot("moose", "Tagged", "Released"),
            "digraph \"moose\" {\n  rankdir=LR;\n  \"Tagged\" [shape=doublecircle];\n  \"Released\" [shape=octagon];\n"
            "  \"Tagged\" -> \"Roam\";\n  \"Roam\" -> \"Eat\";\n  \"Eat\" -> \"Sleep\";\n  \"Sleep\" -> \"Roam\";\n}\n");
  EXPECT_EQ(Moose::Graph::mermaid("Tagged", "Released"),
            "stateDiagram-v2\n  [*] --> Tagged\n  Tagged --> Roam\n  Roam --> Eat\n  Eat --> Sleep\n  Sleep --> Roam\n"
            "  Released --> [*]\n");
}

TEST(Transition, CarriesTheNextStateOrTheEnd) {
  auto t = Transition<Moose, Tagged>::to(Roam{.food = 42});
  EXPECT_FALSE(t.is_end());
  std::unique_ptr<AnyState<Moose>> next = t.take_next();
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->name(), "Roam");
  auto* roam = dynamic_cast<StateBox<Moose, Roam>*>(next.get());
  ASSERT_NE(roam, nullptr);
  EXPECT_EQ(roam->state().food, 42);

  auto done = Transition<Moose, Sleep>::complete();
  EXPECT_TRUE(done.is_end());
  EXPECT_TRUE(done.end()->ok);
  EXPECT_EQ(done.take_next(), nullptr);
  auto failed = Transition<Moose, Eat>::fail("no food");
  EXPECT_FALSE(failed.end()->ok);
  EXPECT_EQ(failed.end()->message, "no food");
}

}  // namespace
}  // namespace kube::fsm
