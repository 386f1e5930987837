// The controller's scheduler as plain logic: de-duplication, debounce, one run per object at a
// time, the concurrency bound.
#include "kube/runtime/scheduler.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace kube::runtime {
namespace {

using namespace std::chrono_literals;
using Clock = Scheduler::Clock;

const ObjectRef a{"a", "ns"};
const ObjectRef b{"b", "ns"};
const ObjectRef c{"c", ""};

TEST(Scheduler, RequestsForOneObjectMergeAndTheEarliestWins) {
  Scheduler s;
  auto t0 = Clock::now();
  s.schedule(a, t0 + 10s);
  s.schedule(a, t0 + 5s);
  s.schedule(a, t0 + 20s);
  EXPECT_EQ(s.pending(), 1u);
  EXPECT_EQ(s.next_due(), t0 + 5s);
  EXPECT_FALSE(s.pop_ready(t0 + 4s));
  EXPECT_EQ(s.pop_ready(t0 + 5s), a);
  EXPECT_EQ(s.pending(), 0u);
  EXPECT_FALSE(s.pop_ready(t0 + 60s));
}

TEST(Scheduler, ARunningObjectIsNeverStartedAgainUntilItFinishes) {
  Scheduler s;
  auto t0 = Clock::now();
  s.schedule(a, t0);
  ASSERT_EQ(s.pop_ready(t0), a);
  s.schedule_change(a, t0);  // changed while reconciling
  s.schedule(b, t0);
  EXPECT_EQ(s.pop_ready(t0), b);  // a waits
  EXPECT_FALSE(s.pop_ready(t0 + 1s));
  EXPECT_EQ(s.next_due(), std::nullopt);  // nothing can start until a run ends
  s.finished(a);
  EXPECT_EQ(s.next_due(), t0);
  EXPECT_EQ(s.pop_ready(t0 + 1s), a);  // the change is reconciled once more, after the first run
}

TEST(Scheduler, DebounceWaitsForQuietAfterTheLastChange) {
  Scheduler s({.debounce = 100ms});
  auto t0 = Clock::now();
  s.schedule_change(a, t0);
  s.schedule_change(a, t0 + 50ms);
  s.schedule_change(a, t0 + 90ms);
  EXPECT_EQ(s.pending(), 1u);
  EXPECT_FALSE(s.pop_ready(t0 + 150ms));
  EXPECT_EQ(s.next_due(), t0 + 190ms);
  EXPECT_EQ(s.pop_ready(t0 + 190ms), a);
  // A change also postpones a pending requeue to the end of its debounce window.
  s.finished(a);
  s.schedule(b, t0 + 1s);
  s.schedule_change(b, t0 + 950ms);
  EXPECT_EQ(s.next_due(), t0 + 1050ms);
}

TEST(Scheduler, ConcurrencyBoundsRunningObjects) {
  Scheduler s({.concurrency = 2});
  auto t0 = Clock::now();
  for (const auto& ref : {a, b, c}) s.schedule(ref, t0);
  auto first = s.pop_ready(t0);
  auto second = s.pop_ready(t0);
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(s.pop_ready(t0));
  EXPECT_EQ(s.running(), 2u);
  EXPECT_EQ(s.next_due(), std::nullopt);
  s.finished(*first);
  auto third = s.pop_ready(t0);
  ASSERT_TRUE(third);
  EXPECT_EQ(std::set<ObjectRef>({*first, *second, *third}), std::set<ObjectRef>({a, b, c}));
}

TEST(Scheduler, CancelDropsAPendingRequest) {
  Scheduler s;
  auto t0 = Clock::now();
  s.schedule(a, t0);
  s.cancel(a);
  s.cancel(b);  // nothing pending: no effect
  EXPECT_EQ(s.pending(), 0u);
  EXPECT_FALSE(s.pop_ready(t0 + 1s));
}

TEST(Scheduler, RandomWorkloadNeverRunsAnObjectTwiceAtOnceAndLosesNoRequest) {
  // Requests arrive at random while runs start and finish at random: every object with a request
  // made after its last run started must run again, and no object ever runs twice at once.
  std::mt19937 rng(7);
  Scheduler s({.concurrency = 3});
  auto now = Clock::now();
  std::vector<ObjectRef> refs;
  for (int i = 0; i < 10; ++i) refs.push_back({"o" + std::to_string(i), "ns"});
  std::set<ObjectRef> running, owed;
  for (int step = 0; step < 20000; ++step) {
    int action = static_cast<int>(rng() % 3);
    const ObjectRef& ref = refs[rng() % refs.size()];
    if (action == 0) {
      s.schedule_change(ref, now);
      owed.insert(ref);
    } else if (action == 1) {
      if (auto started = s.pop_ready(now)) {
        ASSERT_FALSE(running.contains(*started)) << started->to_string();
        running.insert(*started);
        owed.erase(*started);
        ASSERT_LE(running.size(), 3u);
      }
    } else if (!running.empty()) {
      auto it = running.begin();
      std::advance(it, static_cast<long>(rng() % running.size()));
      s.finished(*it);
      running.erase(it);
    }
    now += 1ms;
  }
  for (const auto& ref : running) s.finished(ref);
  while (auto started = s.pop_ready(now)) {
    owed.erase(*started);
    s.finished(*started);
  }
  EXPECT_TRUE(owed.empty());
}

}  // namespace
}  // namespace kube::runtime
