#include "kube/runtime/backoff.h"

#include <gtest/gtest.h>

namespace kube::runtime {
namespace {

using namespace std::chrono_literals;

TEST(Backoff, DoublesUpToTheCapWithoutJitter) {
  Backoff backoff({.initial = 800ms, .max = 30s, .factor = 2, .jitter = 0});
  auto t = Backoff::Clock::now();
  std::vector<long> delays;
  for (int i = 0; i < 8; ++i) delays.push_back(static_cast<long>(backoff.next(t += 1s).count()));
  EXPECT_EQ(delays, (std::vector<long>{800, 1600, 3200, 6400, 12800, 25600, 30000, 30000}));
  EXPECT_EQ(backoff.attempts(), 8);
}

TEST(Backoff, JitterStaysWithinItsBand) {
  Backoff backoff({.initial = 1000ms, .max = 30s, .factor = 2, .jitter = 0.5}, 42);
  auto t = Backoff::Clock::now();
  bool varied = false;
  long previous = -1;
  for (int i = 0; i < 200; ++i) {
    Backoff fresh({.initial = 1000ms, .max = 30s, .factor = 2, .jitter = 0.5}, static_cast<std::uint64_t>(i));
    long d = static_cast<long>(fresh.next(t).count());
    EXPECT_GE(d, 500);
    EXPECT_LE(d, 1500);
    varied = varied || (previous >= 0 && d != previous);
    previous = d;
  }
  EXPECT_TRUE(varied);
  for (int i = 0; i < 20; ++i) EXPECT_LE(backoff.next(t += 1s), 30s);
}

TEST(Backoff, StartsOverAfterAHealthyPeriod) {
  Backoff backoff({.initial = 800ms, .max = 30s, .factor = 2, .jitter = 0, .reset_after = 120s});
  auto t = Backoff::Clock::now();
  backoff.next(t);
  backoff.next(t += 10s);
  EXPECT_EQ(backoff.next(t += 10s), 3200ms);
  EXPECT_EQ(backoff.next(t += 121s), 800ms);  // healthy for longer than reset_after
  backoff.reset();
  EXPECT_EQ(backoff.next(t += 1s), 800ms);
}

}  // namespace
}  // namespace kube::runtime
