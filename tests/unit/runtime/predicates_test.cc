// PredicateFilter and the predicates: an event passes only when the watched value changed.
#include "kube/runtime/predicates.h"

#include <gtest/gtest.h>

#include "kube/api/apps/v1.h"

namespace kube::runtime {
namespace {

using api::apps::v1::Deployment;

Deployment deployment(std::string uid, std::int64_t generation, std::map<std::string, std::string> labels = {}) {
  Deployment d;
  d.metadata.name = "web";
  d.metadata.namespace_ = "ns";
  d.metadata.uid = std::move(uid);
  d.metadata.generation = generation;
  d.metadata.labels = std::move(labels);
  return d;
}

TEST(PredicateFilter, PassesNewObjectsAndChangedValuesOnly) {
  PredicateFilter<Deployment> filter(predicates::generation<Deployment>);
  EXPECT_TRUE(filter.pass(deployment("u1", 1)));
  EXPECT_FALSE(filter.pass(deployment("u1", 1, {{"a", "b"}})));  // metadata-only change
  EXPECT_TRUE(filter.pass(deployment("u1", 2)));                  // spec edit
  EXPECT_FALSE(filter.pass(deployment("u1", 2)));
  EXPECT_TRUE(filter.pass(deployment("u2", 2)));  // another object (recreated: new uid)
  EXPECT_EQ(filter.remembered(), 2u);
  filter.forget(deployment("u1", 2));
  EXPECT_TRUE(filter.pass(deployment("u1", 2)));
  Deployment no_generation = deployment("u3", 0);
  no_generation.metadata.generation.reset();
  EXPECT_TRUE(filter.pass(no_generation));
  EXPECT_TRUE(filter.pass(no_generation));  // no value: always passes
}

TEST(PredicateFilter, AsAWatcherFilterForgetsDeletedObjects) {
  PredicateFilter<Deployment> filter(predicates::labels<Deployment>);
  EXPECT_TRUE(filter(Event<Deployment>{EventType::Init, {}}));
  EXPECT_TRUE(filter(Event<Deployment>{EventType::InitApply, deployment("u1", 1, {{"a", "1"}})}));
  EXPECT_FALSE(filter(Event<Deployment>{EventType::Apply, deployment("u1", 2, {{"a", "1"}})}));
  EXPECT_TRUE(filter(Event<Deployment>{EventType::Apply, deployment("u1", 2, {{"a", "2"}})}));
  EXPECT_TRUE(filter(Event<Deployment>{EventType::Delete, deployment("u1", 2, {{"a", "2"}})}));
  EXPECT_EQ(filter.remembered(), 0u);
}

TEST(Predicates, HashTheWatchedParts) {
  Deployment a = deployment("u", 1, {{"ab", "c"}});
  Deployment b = deployment("u", 1, {{"a", "bc"}});
  EXPECT_NE(predicates::labels(a), predicates::labels(b));
  a.metadata.annotations = std::map<std::string, std::string>{{"x", "1"}};
  EXPECT_NE(predicates::annotations(a), predicates::annotations(b));
  a.metadata.finalizers = std::vector<std::string>{"f"};
  EXPECT_NE(predicates::finalizers(a), predicates::finalizers(b));
  a.metadata.resource_version = "7";
  EXPECT_NE(predicates::resource_version(a), predicates::resource_version(b));
  auto either = predicates::any(predicates::generation<Deployment>, predicates::labels<Deployment>);
  Deployment c = deployment("u", 1, {{"ab", "c"}});
  EXPECT_EQ(either(c), either(deployment("u", 1, {{"ab", "c"}})));
  EXPECT_NE(either(c), either(deployment("u", 2, {{"ab", "c"}})));
  EXPECT_NE(either(c), either(deployment("u", 1, {{"ab", "d"}})));
}

}  // namespace
}  // namespace kube::runtime
