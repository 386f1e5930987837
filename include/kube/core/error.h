// The root of kube's exception hierarchy.
//
// kube reports failures as exceptions at its API boundary (they read naturally in coroutines and
// flow into a controller's error policy). Every exception thrown by the library derives from
// kube::Error:
//   kube::InvalidArgument   the caller passed something malformed (a selector, params, a patch)
//   kube::json::DecodeError JSON that is malformed or does not fit the target type
//   kube::ApiError          the API server answered with a Status (see kube/core/status.h)
#pragma once

#include <stdexcept>
#include <string>

namespace kube {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Raised before any I/O when an argument cannot be valid (bad selector, params, patch, name...).
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

}  // namespace kube
