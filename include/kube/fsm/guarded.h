// kube::fsm::Guarded<T>: state shared by every machine of an operator (Op::Shared), read and
// written under a reader-writer lock.
//
//   using Shared = kube::fsm::Guarded<Park>;
//   park.write([&](Park& p) { p.friends[me].insert(other); });
//   auto n = park.read([](const Park& p) { return p.friends.size(); });
//
// Access goes through a function, so a lock can never be held across a co_await: the function
// must not be a coroutine (a compile error says so). The machines of one OperatorRuntime run on
// its executor; Guarded makes the state safe also when that executor has several threads, and for
// other threads (an admission webhook's handler, metrics) reading it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <mutex>
#include <shared_mutex>
#include <type_traits>
#include <utility>

namespace kube::fsm {

namespace detail {
template <class T>
struct is_awaitable : std::false_type {};
template <class T, class E>
struct is_awaitable<boost::asio::awaitable<T, E>> : std::true_type {};
}  // namespace detail

template <class T>
class Guarded {
 public:
  template <class... Args>
  explicit Guarded(Args&&... args) : value_(std::forward<Args>(args)...) {}

  /// f(const T&) under a shared lock; returns what f returns.
  template <class F>
  auto read(F&& f) const {
    static_assert(!detail::is_awaitable<std::invoke_result_t<F, const T&>>::value,
                  "kube::fsm::Guarded: the function must not be a coroutine (its lock would be held across co_await)");
    std::shared_lock lock(mutex_);
    return std::forward<F>(f)(std::as_const(value_));
  }
  /// f(T&) under an exclusive lock; returns what f returns.
  template <class F>
  auto write(F&& f) {
    static_assert(!detail::is_awaitable<std::invoke_result_t<F, T&>>::value,
                  "kube::fsm::Guarded: the function must not be a coroutine (its lock would be held across co_await)");
    std::unique_lock lock(mutex_);
    return std::forward<F>(f)(value_);
  }

 private:
  mutable std::shared_mutex mutex_;
  T value_;
};

}  // namespace kube::fsm
