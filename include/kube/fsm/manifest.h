// kube::fsm::Manifest<K>: the object a state machine runs for, as it is now. The runtime pushes
// every update of the object into it; a running state reads latest() or waits for the next
// update, and sees the deletion of its object at once. Changes of related objects (owned or
// watched, see OperatorRuntime::owns/watches) wake it too.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>
#include <cstdint>
#include <memory>

#include "kube/runtime/notify.h"

namespace kube::fsm {

template <class K>
class Manifest {
 public:
  Manifest(boost::asio::any_io_executor executor, std::shared_ptr<const K> initial)
      : latest_(std::move(initial)), notify_(std::move(executor)) {}

  /// The newest version of the object.
  std::shared_ptr<const K> latest() const noexcept { return latest_; }
  /// Counts updates; pass it to changed_since() to wait for the next one.
  std::uint64_t version() const noexcept { return version_; }
  /// Returns once there is an update newer than `version`. Once the object is deleted, throws
  /// operation_aborted instead: the waiting state is being interrupted (a state that looped on
  /// this would otherwise spin without ever suspending).
  boost::asio::awaitable<std::shared_ptr<const K>> changed_since(std::uint64_t version) {
    while (true) {
      if (deleted_) throw boost::system::system_error(boost::asio::error::operation_aborted, "the object was deleted");
      if (version_ != version) co_return latest_;
      co_await notify_.wait();
    }
  }
  /// How many times a related object (one it owns, or one mapped to it) changed. Such a change
  /// also counts as an update for changed_since().
  std::uint64_t related_changes() const noexcept { return related_; }
  bool is_deleted() const noexcept { return deleted_; }
  /// Returns once the object is deleted (deletionTimestamp set, or gone).
  boost::asio::awaitable<void> deleted() {
    while (!deleted_) co_await notify_.wait();
  }

  // ---- used by the runtime (on the executor's thread) ----
  void update(std::shared_ptr<const K> object) {
    latest_ = std::move(object);
    ++version_;
    notify_.notify_all();
  }
  void touch() {
    ++related_;
    ++version_;
    notify_.notify_all();
  }
  void mark_deleted() {
    deleted_ = true;
    notify_.notify_all();
  }

 private:
  std::shared_ptr<const K> latest_;
  std::uint64_t version_ = 0;
  std::uint64_t related_ = 0;
  bool deleted_ = false;
  runtime::Notify notify_;
};

}  // namespace kube::fsm
