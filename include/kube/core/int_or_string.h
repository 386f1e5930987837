// kube::IntOrString: a value that is either a 32-bit integer or a string (ports, percentages).
//
// Example:
//   kube::IntOrString port = 8080;             // or "http"
//   kube::IntOrString surge = "25%";
//   int n = surge.scaled_value(/*total=*/10, /*round_up=*/true);   // 3
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kube/core/json_fwd.h"

namespace kube {

class IntOrString {
 public:
  IntOrString() = default;  // the integer 0
  IntOrString(std::int32_t value) noexcept : int_(value) {}  // NOLINT(google-explicit-constructor)
  IntOrString(std::string value) : str_(std::move(value)), is_int_(false) {}  // NOLINT
  IntOrString(const char* value) : IntOrString(std::string(value)) {}  // NOLINT

  bool is_int() const noexcept { return is_int_; }
  bool is_string() const noexcept { return !is_int_; }
  /// The integer (0 when this holds a string).
  std::int32_t int_value() const noexcept { return is_int_ ? int_ : 0; }
  /// The string (empty when this holds an integer).
  const std::string& str_value() const noexcept { return str_; }
  /// The value as text: "8080" or "http".
  std::string to_string() const;

  /// An integer, or a percentage ("25%") of `total` rounded up or down. Throws InvalidArgument for
  /// other strings.
  std::int32_t scaled_value(std::int32_t total, bool round_up) const;

  bool operator==(const IntOrString& other) const noexcept {
    return is_int_ == other.is_int_ && (is_int_ ? int_ == other.int_ : str_ == other.str_);
  }

 private:
  std::string str_;
  std::int32_t int_ = 0;
  bool is_int_ = true;
};

void read_json(json::Reader& in, IntOrString& out);
void write_json(json::Writer& out, const IntOrString& in);

}  // namespace kube
