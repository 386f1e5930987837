// Assertion helpers shared by the unit tests.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "kube/core/error.h"

namespace kube::testing {

/// Runs `f`, expecting kube::InvalidArgument whose message contains `needle`.
template <class F>
void expect_invalid(F&& f, std::string_view needle) {
  try {
    f();
    ADD_FAILURE() << "expected kube::InvalidArgument containing \"" << needle << "\"";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string_view(e.what()).find(needle), std::string_view::npos)
        << "message \"" << e.what() << "\" lacks \"" << needle << "\"";
  }
}

}  // namespace kube::testing
