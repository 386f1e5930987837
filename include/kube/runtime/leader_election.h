// kube::runtime::LeaderElector: leader election on a coordination.k8s.io/v1 Lease, with the
// semantics of client-go's leaderelection package, so that of several replicas of a controller
// exactly one works at a time.
//
//   campaign: every retry_period (+ up to 20 % jitter) try to take the Lease. It is free when it
//             has no holder, or when its record has not changed for lease_duration as measured
//             on OUR clock since we first saw that record (clocks of different machines are
//             never compared; renewTime is informative only).
//   lead:     run lead(); renew the Lease every retry_period. If no renewal succeeds for
//             renew_deadline, leadership is lost: on_lost() is called (stop working now) and
//             run() returns once lead() has returned. renew_deadline < lease_duration, so a
//             replica stops before any other can take the Lease.
//   resign:   stop() (or lead() returning) ends the term; with release_on_stop the Lease is
//             handed back at once (holder cleared) instead of expiring.
//
// Every write is an update with the resourceVersion we read, so two candidates racing for the
// same Lease cannot both win.
//
// Example:
//   LeaderElector elector(Api<Lease>::namespaced(client, "kube-system"),
//                         {.lease_name = "configmapgen", .identity = hostname()});
//   co_await elector.run([&]() -> awaitable<void> { co_await controller.run(...); },
//                        [&] { controller.shutdown(); });
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "kube/api/coordination/v1.h"
#include "kube/client/api.h"
#include "kube/runtime/notify.h"

namespace kube::runtime {

struct LeaderElectionConfig {
  std::string lease_name;
  std::string identity;  // unique per replica (e.g. the pod name)
  std::chrono::milliseconds lease_duration{std::chrono::seconds(15)};
  std::chrono::milliseconds renew_deadline{std::chrono::seconds(10)};
  std::chrono::milliseconds retry_period{std::chrono::seconds(2)};
  bool release_on_stop = true;

  /// Throws InvalidArgument unless lease_duration > renew_deadline > retry_period * 1.2 > 0.
  void validate() const;
};

struct LeaderElectionStats {
  std::uint64_t terms = 0;            // times leadership was acquired
  std::uint64_t renewals = 0;         // successful renewals
  std::uint64_t failed_attempts = 0;  // acquire or renew attempts that failed
  std::string last_error;
};

class LeaderElector {
 public:
  using Lease = api::coordination::v1::Lease;

  LeaderElector(Api<Lease> leases, LeaderElectionConfig config);

  /// Campaigns until elected, then runs `lead()` (awaitable<void>) while leading. On loss of
  /// leadership `on_lost()` is called. Returns when lead() has returned after the term ended, or
  /// when stop() is called before election.
  template <class Lead, class OnLost>
  boost::asio::awaitable<void> run(Lead lead, OnLost on_lost) {
    if (!co_await campaign()) co_return;
    bool lead_done = false;
    Notify lead_finished(executor());
    boost::asio::co_spawn(executor(), std::move(lead)(), [&lead_done, &lead_finished, this](std::exception_ptr error) {
      lead_done = true;
      if (error && stats_.last_error.empty()) stats_.last_error = "lead() threw";
      lead_finished.notify_all();
      timer_.cancel();  // hold() notices at once
    });
    bool ended_by_lead = co_await hold([&lead_done] { return lead_done; });
    if (!ended_by_lead && !abandoned_) on_lost();  // lost, or stop(): lead() must stop working
    while (!lead_done) co_await lead_finished.wait();
    co_await resign();  // releases the Lease if we still hold it (not after a loss or abandon())
  }

  /// Ends the campaign or the term (lead() gets on_lost() called, as when leadership is lost, and
  /// the Lease is released once it returns if release_on_stop). Call on the executor's thread.
  void stop();
  /// Test hook, simulating a crashed process: stops everything without touching the Lease (other
  /// candidates must wait for it to expire). lead() is not told; the caller stops it.
  void abandon();

  bool is_leader() const noexcept { return leader_; }
  /// The holder last seen on the Lease ("" when free or not yet read).
  const std::string& observed_holder() const noexcept { return observed_holder_; }
  const LeaderElectionStats& stats() const noexcept { return stats_; }

 private:
  boost::asio::any_io_executor executor() const { return leases_.client().executor(); }
  boost::asio::awaitable<bool> campaign();
  // Renews until `done()` (returns true) or stop() or the renew deadline passing (false; a
  // deadline also clears leader_).
  boost::asio::awaitable<bool> hold(std::function<bool()> done);
  boost::asio::awaitable<void> resign();
  boost::asio::awaitable<bool> try_acquire_or_renew();
  boost::asio::awaitable<void> sleep(std::chrono::milliseconds d);

  Api<Lease> leases_;
  LeaderElectionConfig config_;
  boost::asio::steady_timer timer_;  // between attempts; stop() and lead() ending cancel it
  bool stopped_ = false;
  bool abandoned_ = false;
  bool leader_ = false;
  // What we last saw on the Lease and when (our steady clock): the basis of expiry.
  std::string observed_record_;
  std::string observed_holder_;
  std::chrono::steady_clock::time_point observed_at_{};
  LeaderElectionStats stats_;
};

}  // namespace kube::runtime
