// kube::ApiError: the API server refused a request and said why with a meta/v1 Status.
//
// Example:
//   try {
//     co_await pods.create({}, pod);
//   } catch (const kube::ApiError& e) {
//     if (!e.is_already_exists()) throw;
//   }
#pragma once

#include <string>
#include <string_view>

#include "kube/api/meta/v1.h"
#include "kube/core/error.h"

namespace kube {

using Status = api::meta::v1::Status;

/// A Status with status "Failure", the given HTTP code, reason and message.
Status make_status(int code, std::string reason, std::string message);

class ApiError : public Error {
 public:
  explicit ApiError(Status status);

  const Status& status() const noexcept { return status_; }
  int code() const noexcept { return status_.code.value_or(0); }
  std::string_view reason() const noexcept;
  std::string_view message() const noexcept;

  bool is_not_found() const noexcept;       // 404 NotFound
  bool is_already_exists() const noexcept;  // 409 AlreadyExists
  bool is_conflict() const noexcept;        // 409 Conflict (stale resourceVersion, apply conflicts)
  bool is_gone() const noexcept;            // 410 Expired/Gone (watch or continue token too old)
  bool is_invalid() const noexcept;         // 422 Invalid
  bool is_bad_request() const noexcept;     // 400
  bool is_unauthorized() const noexcept;    // 401
  bool is_forbidden() const noexcept;       // 403
  bool is_too_many_requests() const noexcept;  // 429
  bool is_timeout() const noexcept;         // 504 Timeout or reason Timeout
  bool is_server_error() const noexcept;    // 5xx

 private:
  Status status_;
};

}  // namespace kube
