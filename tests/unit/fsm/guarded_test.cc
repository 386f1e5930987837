// Guarded<T>: writers exclude each other and readers; results are returned.
#include "kube/fsm/guarded.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

namespace kube::fsm {
namespace {

TEST(Guarded, ConcurrentWritersAndReadersSeeConsistentState) {
  struct Park {
    std::map<std::string, int> food;
    long total = 0;
  };
  Guarded<Park> park;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        park.write([&](Park& p) {
          p.food["moose-" + std::to_string(t)] += 1;
          p.total += 1;
        });
        // The invariant holds in every snapshot a reader sees.
        bool consistent = park.read([](const Park& p) {
          long sum = 0;
          for (const auto& [name, n] : p.food) sum += n;
          return sum == p.total;
        });
        if (!consistent) ADD_FAILURE() << "a reader saw a half-done write";
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(park.read([](const Park& p) { return p.total; }), 40000);
}

}  // namespace
}  // namespace kube::fsm
