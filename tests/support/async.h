// Running a coroutine to completion from a test: a fresh io_context, exceptions propagate.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <chrono>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <exception>
#include <memory>
#include <utility>

// Assertions for coroutines returning awaitable<void> (gtest's ASSERT_* use `return`).
#define CO_ASSERT_TRUE(condition)                                  \
  if (!(condition)) {                                              \
    ADD_FAILURE() << "assertion failed: " #condition;              \
    co_return;                                                     \
  }
#define CO_ASSERT_EQ(a, b)                                                          \
  if (!((a) == (b))) {                                                              \
    ADD_FAILURE() << "assertion failed: " #a " == " #b << " (" << (a) << " vs " << (b) << ")"; \
    co_return;                                                                      \
  }

namespace kube::testing {

/// Runs `make(io)` (returning an awaitable) on a new io_context until it completes; returns its
/// result or rethrows its exception.
template <class F>
auto run_async(F&& make) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, make(io), boost::asio::use_future);
  io.run();
  return future.get();
}

/// A coroutine running in the background whose end can be awaited, so that what it uses is
/// destroyed only after it returned.
class Background {
 public:
  template <class Awaitable>
  Background(boost::asio::any_io_executor executor, Awaitable task)
      : state_(std::make_shared<State>(executor)) {
    boost::asio::co_spawn(executor, std::move(task), [state = state_](std::exception_ptr error) {
      state->done = true;
      state->error = error;
      state->timer.cancel();
    });
  }
  /// Returns once the coroutine returned; rethrows what it threw.
  boost::asio::awaitable<void> join() {
    while (!state_->done) {
      boost::system::error_code ignored;
      co_await state_->timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    }
    if (state_->error) std::rethrow_exception(state_->error);
  }

 private:
  struct State {
    explicit State(boost::asio::any_io_executor ex) : timer(ex, boost::asio::steady_timer::time_point::max()) {}
    boost::asio::steady_timer timer;
    bool done = false;
    std::exception_ptr error;
  };
  std::shared_ptr<State> state_;
};

/// Sleeps `d` on the current coroutine's executor.
inline boost::asio::awaitable<void> pause(std::chrono::milliseconds d) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, d);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

/// Polls `condition` (a callable returning awaitable<bool>) every 20 ms until it holds (true) or
/// `limit` passes (false).
template <class F>
boost::asio::awaitable<bool> eventually(F condition, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (co_await condition()) co_return true;
    co_await pause(std::chrono::milliseconds(20));
  }
  co_return false;
}

}  // namespace kube::testing
