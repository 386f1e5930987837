// kube::runtime::Notify: wakes every coroutine waiting on it (an asynchronous condition variable
// for one executor). Waiters re-check their condition after waking, as with any condition variable.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kube::runtime {

class Notify {
 public:
  explicit Notify(boost::asio::any_io_executor executor)
      : timer_(std::move(executor), boost::asio::steady_timer::time_point::max()) {}

  /// Suspends until the next notify_all() (or until the executor shuts down, or the waiter is
  /// cancelled: the error code says which). Not a coroutine itself: an idle waiter costs its pending
  /// wait, not another frame.
  auto wait() { return timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable)); }
  /// Wakes every current waiter. Call on the executor's thread.
  void notify_all() { timer_.cancel(); }

 private:
  // A timer that never expires: cancelling it completes every pending wait at once.
  boost::asio::steady_timer timer_;
};

}  // namespace kube::runtime
