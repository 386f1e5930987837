// kube::FunctionRef: a non-owning reference to a callable (like C++26 std::function_ref).
//
// Used where a library function calls back into caller code synchronously (JSON object and array
// iteration) without the allocation of std::function or the code size of a template.
//
// Example:
//   void for_each(FunctionRef<void(int)> f) { f(1); f(2); }
//   for_each([&](int i) { sum += i; });
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace kube {

template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
             std::is_invocable_r_v<R, F&, Args...>)
  FunctionRef(F&& f) noexcept  // NOLINT(google-explicit-constructor): implicit like std::function_ref
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace kube
