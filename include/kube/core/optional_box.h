// kube::OptionalBox<T>: an optional value stored on the heap, with std::optional's interface.
//
// Generated Kubernetes types use it for optional nested objects. An absent object then costs one
// pointer instead of sizeof(T): a Pod's spec alone has dozens of optional sub-objects (probes,
// security contexts, 30 volume sources...) and inline std::optional members would make every cached
// Pod several times larger than its JSON. It also allows recursive types (JSONSchemaProps).
// Copying copies the value (deep copy); moving moves the pointer.
//
// Example:
//   Pod pod;
//   pod.spec = PodSpec{};                    // or pod.spec.emplace()
//   pod.spec->containers.push_back(Container{.name = "app", .image = "nginx"});
//   if (pod.status && pod.status->phase == "Running") { ... }
#pragma once

#include <compare>
#include <memory>
#include <optional>
#include <utility>

namespace kube {

template <class T>
class OptionalBox {
 public:
  using value_type = T;

  OptionalBox() noexcept = default;
  OptionalBox(std::nullopt_t) noexcept {}  // NOLINT(google-explicit-constructor)
  OptionalBox(const T& value) : ptr_(std::make_unique<T>(value)) {}  // NOLINT
  OptionalBox(T&& value) : ptr_(std::make_unique<T>(std::move(value))) {}  // NOLINT
  OptionalBox(const OptionalBox& other) : ptr_(other.ptr_ ? std::make_unique<T>(*other.ptr_) : nullptr) {}
  OptionalBox(OptionalBox&&) noexcept = default;
  ~OptionalBox() = default;

  OptionalBox& operator=(const OptionalBox& other) {
    if (this != &other) {
      if (!other.ptr_) {
        ptr_.reset();
      } else if (ptr_) {
        *ptr_ = *other.ptr_;
      } else {
        ptr_ = std::make_unique<T>(*other.ptr_);
      }
    }
    return *this;
  }
  OptionalBox& operator=(OptionalBox&&) noexcept = default;
  OptionalBox& operator=(std::nullopt_t) noexcept {
    ptr_.reset();
    return *this;
  }
  OptionalBox& operator=(const T& value) {
    if (ptr_) {
      *ptr_ = value;
    } else {
      ptr_ = std::make_unique<T>(value);
    }
    return *this;
  }
  OptionalBox& operator=(T&& value) {
    if (ptr_) {
      *ptr_ = std::move(value);
    } else {
      ptr_ = std::make_unique<T>(std::move(value));
    }
    return *this;
  }

  template <class... Args>
  T& emplace(Args&&... args) {
    ptr_ = std::make_unique<T>(std::forward<Args>(args)...);
    return *ptr_;
  }
  void reset() noexcept { ptr_.reset(); }

  bool has_value() const noexcept { return ptr_ != nullptr; }
  explicit operator bool() const noexcept { return ptr_ != nullptr; }

  T& operator*() & noexcept { return *ptr_; }
  const T& operator*() const& noexcept { return *ptr_; }
  T* operator->() noexcept { return ptr_.get(); }
  const T* operator->() const noexcept { return ptr_.get(); }

  T& value() & {
    if (!ptr_) throw std::bad_optional_access();
    return *ptr_;
  }
  const T& value() const& {
    if (!ptr_) throw std::bad_optional_access();
    return *ptr_;
  }
  template <class U>
  T value_or(U&& fallback) const& {
    return ptr_ ? *ptr_ : static_cast<T>(std::forward<U>(fallback));
  }
  /// The value, created empty first if absent (handy when filling nested objects).
  T& get_or_emplace() {
    if (!ptr_) ptr_ = std::make_unique<T>();
    return *ptr_;
  }

  friend bool operator==(const OptionalBox& a, const OptionalBox& b) {
    if (!a.ptr_ || !b.ptr_) return !a.ptr_ && !b.ptr_;
    return *a.ptr_ == *b.ptr_;
  }
  friend bool operator==(const OptionalBox& a, std::nullopt_t) noexcept { return !a.ptr_; }

 private:
  std::unique_ptr<T> ptr_;
};

}  // namespace kube
