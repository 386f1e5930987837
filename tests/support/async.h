// Running a coroutine to completion from a test: a fresh io_context, exceptions propagate.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
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

}  // namespace kube::testing
