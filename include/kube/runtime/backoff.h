// kube::runtime::Backoff: exponential backoff with jitter for retrying watches and reconciles.
//
// The defaults follow kube-rs's watcher: 800 ms doubling up to 30 s, each delay jittered, and the
// sequence starts over once the operation has been healthy for 120 s (reset_after).
//
// Example:
//   Backoff backoff;
//   while (true) {
//     try { co_await work(); backoff.healthy(); }
//     catch (const Error&) { co_await sleep(backoff.next()); }
//   }
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace kube::runtime {

struct BackoffConfig {
  std::chrono::milliseconds initial{800};
  std::chrono::milliseconds max{30000};
  double factor = 2.0;
  /// Each delay is scaled by a random factor in [1 - jitter, 1 + jitter] (capped at max).
  double jitter = 0.5;
  /// A failure this long after the previous one starts the sequence over.
  std::chrono::milliseconds reset_after{120000};
};

class Backoff {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Backoff(BackoffConfig config = {}, std::uint64_t seed = std::random_device{}());

  /// The delay before the next attempt after a failure at `now`.
  std::chrono::milliseconds next(Clock::time_point now = Clock::now());
  /// Starts over: the next failure waits `initial` again.
  void reset() noexcept;
  /// Failures in the current sequence.
  int attempts() const noexcept { return attempts_; }
  const BackoffConfig& config() const noexcept { return config_; }

 private:
  BackoffConfig config_;
  std::mt19937_64 rng_;
  int attempts_ = 0;
  double current_ms_ = 0;  // un-jittered delay of the last failure
  Clock::time_point last_failure_{};
};

}  // namespace kube::runtime
