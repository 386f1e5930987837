#include "kube/core/status.h"

namespace kube {

Status make_status(int code, std::string reason, std::string message) {
  Status s;
  s.status = "Failure";
  s.code = code;
  s.reason = std::move(reason);
  s.message = std::move(message);
  return s;
}

namespace {
std::string describe(const Status& s) {
  std::string text = "API error";
  if (s.code) text += " " + std::to_string(*s.code);
  if (s.reason && !s.reason->empty()) text += " " + *s.reason;
  if (s.message && !s.message->empty()) text += ": " + *s.message;
  return text;
}
}  // namespace

ApiError::ApiError(Status status) : Error(describe(status)), status_(std::move(status)) {}

std::string_view ApiError::reason() const noexcept { return status_.reason ? std::string_view(*status_.reason) : ""; }
std::string_view ApiError::message() const noexcept {
  return status_.message ? std::string_view(*status_.message) : "";
}

bool ApiError::is_not_found() const noexcept { return code() == 404; }
bool ApiError::is_already_exists() const noexcept { return code() == 409 && reason() == "AlreadyExists"; }
bool ApiError::is_conflict() const noexcept { return code() == 409 && reason() != "AlreadyExists"; }
bool ApiError::is_gone() const noexcept { return code() == 410 || reason() == "Expired" || reason() == "Gone"; }
bool ApiError::is_invalid() const noexcept { return code() == 422 || reason() == "Invalid"; }
bool ApiError::is_bad_request() const noexcept { return code() == 400; }
bool ApiError::is_unauthorized() const noexcept { return code() == 401; }
bool ApiError::is_forbidden() const noexcept { return code() == 403; }
bool ApiError::is_too_many_requests() const noexcept { return code() == 429; }
bool ApiError::is_timeout() const noexcept { return code() == 504 || reason() == "Timeout"; }
bool ApiError::is_server_error() const noexcept { return code() >= 500 && code() <= 599; }

}  // namespace kube
