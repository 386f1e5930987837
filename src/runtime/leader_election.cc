#include "kube/runtime/leader_election.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>

#include "kube/core/json.h"

namespace kube::runtime {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

void LeaderElectionConfig::validate() const {
  if (lease_name.empty()) throw InvalidArgument("leader election: lease_name is required");
  if (identity.empty()) throw InvalidArgument("leader election: identity is required");
  if (retry_period.count() <= 0) throw InvalidArgument("leader election: retry_period must be positive");
  if (renew_deadline <= retry_period * 12 / 10) {
    throw InvalidArgument("leader election: renew_deadline must exceed retry_period * 1.2 (the jittered retry)");
  }
  if (lease_duration <= renew_deadline) throw InvalidArgument("leader election: lease_duration must exceed renew_deadline");
}

LeaderElector::LeaderElector(Api<Lease> leases, LeaderElectionConfig config)
    : leases_(std::move(leases)), config_(std::move(config)), timer_(leases_.client().executor()) {
  config_.validate();
}

void LeaderElector::stop() {
  stopped_ = true;
  timer_.cancel();
}

void LeaderElector::abandon() {
  abandoned_ = true;
  stop();
}

net::awaitable<void> LeaderElector::sleep(std::chrono::milliseconds d) {
  timer_.expires_after(d);
  boost::system::error_code ignored;
  co_await timer_.async_wait(net::redirect_error(net::use_awaitable, ignored));
}

net::awaitable<bool> LeaderElector::campaign() {
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(1.0, 1.2);
  while (!stopped_) {
    if (co_await try_acquire_or_renew()) {
      ++stats_.terms;
      co_return !stopped_;
    }
    co_await sleep(std::chrono::duration_cast<std::chrono::milliseconds>(config_.retry_period * jitter(rng)));
  }
  co_return false;
}

net::awaitable<bool> LeaderElector::hold(std::function<bool()> done) {
  auto last_renewal = Clock::now();
  while (!stopped_ && !done()) {
    co_await sleep(config_.retry_period);
    if (stopped_ || done()) break;
    if (co_await try_acquire_or_renew()) {
      ++stats_.renewals;
      last_renewal = Clock::now();
    } else if (Clock::now() - last_renewal >= config_.renew_deadline) {
      leader_ = false;
      co_return false;
    }
  }
  co_return done();
}

net::awaitable<void> LeaderElector::resign() {
  bool was_leader = leader_;
  leader_ = false;
  if (!was_leader || abandoned_ || !config_.release_on_stop) co_return;
  try {
    std::optional<Lease> lease = co_await leases_.get_opt(config_.lease_name);
    if (!lease || !lease->spec || lease->spec->holder_identity.value_or("") != config_.identity) co_return;
    // As client-go: no holder, a one-second duration, so others take it at their next attempt.
    lease->spec->holder_identity.reset();
    lease->spec->lease_duration_seconds = 1;
    lease->spec->renew_time = MicroTime::now();
    co_await leases_.replace(config_.lease_name, {}, std::move(*lease));
  } catch (const Error& e) {
    stats_.last_error = std::string("release: ") + e.what();  // it expires on its own
  }
}

net::awaitable<bool> LeaderElector::try_acquire_or_renew() {
  try {
    auto now_wall = MicroTime::now();
    auto duration_seconds = static_cast<std::int32_t>(
        std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(config_.lease_duration).count()));
    std::optional<Lease> lease = co_await leases_.get_opt(config_.lease_name);
    if (!lease) {
      Lease fresh;
      fresh.metadata.name = config_.lease_name;
      api::coordination::v1::LeaseSpec spec;
      spec.holder_identity = config_.identity;
      spec.lease_duration_seconds = duration_seconds;
      spec.acquire_time = now_wall;
      spec.renew_time = now_wall;
      spec.lease_transitions = 0;
      fresh.spec = spec;
      Lease created = co_await leases_.create({}, std::move(fresh));
      observed_record_ = json::encode(*created.spec);
      observed_holder_ = config_.identity;
      observed_at_ = Clock::now();
      leader_ = true;
      co_return true;
    }
    api::coordination::v1::LeaseSpec spec = lease->spec ? *lease->spec : api::coordination::v1::LeaseSpec{};
    std::string record = json::encode(spec);
    if (record != observed_record_) {
      observed_record_ = record;
      observed_at_ = Clock::now();
    }
    std::string holder = spec.holder_identity.value_or("");
    observed_holder_ = holder;
    std::chrono::milliseconds their_duration =
        spec.lease_duration_seconds ? std::chrono::seconds(*spec.lease_duration_seconds) : config_.lease_duration;
    bool held_by_other = !holder.empty() && holder != config_.identity;
    if (held_by_other && Clock::now() < observed_at_ + their_duration) {
      ++stats_.failed_attempts;
      co_return false;
    }
    if (holder != config_.identity) {
      spec.acquire_time = now_wall;
      spec.lease_transitions = spec.lease_transitions.value_or(0) + (holder.empty() ? 0 : 1);
    }
    spec.holder_identity = config_.identity;
    spec.lease_duration_seconds = duration_seconds;
    spec.renew_time = now_wall;
    lease->spec = spec;
    // The update carries the resourceVersion we read: a concurrent writer makes it fail (409).
    Lease updated = co_await leases_.replace(config_.lease_name, {}, std::move(*lease));
    observed_record_ = json::encode(*updated.spec);
    observed_holder_ = config_.identity;
    observed_at_ = Clock::now();
    leader_ = true;
    co_return true;
  } catch (const Error& e) {  // 409 lost race, transport failure, ...
    ++stats_.failed_attempts;
    stats_.last_error = e.what();
    co_return false;
  }
}

}  // namespace kube::runtime
