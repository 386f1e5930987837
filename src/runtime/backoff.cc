#include "kube/runtime/backoff.h"

#include <algorithm>

namespace kube::runtime {

Backoff::Backoff(BackoffConfig config, std::uint64_t seed) : config_(config), rng_(seed) {}

std::chrono::milliseconds Backoff::next(Clock::time_point now) {
  if (attempts_ > 0 && now - last_failure_ >= config_.reset_after) reset();
  double max_ms = static_cast<double>(config_.max.count());
  current_ms_ = attempts_ == 0 ? static_cast<double>(config_.initial.count()) : std::min(current_ms_ * config_.factor, max_ms);
  ++attempts_;
  last_failure_ = now;
  double jitter = std::clamp(config_.jitter, 0.0, 1.0);
  double scale = jitter > 0 ? std::uniform_real_distribution<double>(1.0 - jitter, 1.0 + jitter)(rng_) : 1.0;
  double delay = std::min(current_ms_ * scale, max_ms);
  return std::chrono::milliseconds(static_cast<std::int64_t>(delay));
}

void Backoff::reset() noexcept {
  attempts_ = 0;
  current_ms_ = 0;
}

}  // namespace kube::runtime
