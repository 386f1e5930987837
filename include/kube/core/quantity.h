// kube::Quantity: a Kubernetes resource quantity ("100m", "1.5Gi", "2e3").
//
// Holds the text exactly as given (so objects round-trip unchanged) and parses it on demand with
// the API server's grammar: a signed decimal number followed by a binary-SI suffix (Ki Mi Gi Ti Pi
// Ei), a decimal-SI suffix (n u m "" k M G T P E) or a decimal exponent (e3, E-2).
//
// Example:
//   kube::Quantity cpu{"250m"};
//   cpu.milli_value();                       // 250
//   kube::Quantity{"1Gi"}.value();           // 1073741824 (rounded up to an integer)
//   kube::Quantity{"1000m"}.compare(kube::Quantity{"1"}) == 0;
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kube/core/json_fwd.h"

namespace kube {

class Quantity {
 public:
  Quantity() = default;
  explicit Quantity(std::string text) : text_(std::move(text)) {}
  explicit Quantity(const char* text) : text_(text) {}

  const std::string& str() const noexcept { return text_; }

  /// True if the text follows the quantity grammar.
  static bool is_valid(std::string_view text) noexcept;
  /// The value in thousandths, rounded up (as the API server's MilliValue). Throws InvalidArgument
  /// for malformed text or values beyond int64.
  std::int64_t milli_value() const;
  /// The value rounded up to an integer (as Value()). Throws like milli_value().
  std::int64_t value() const;
  /// The value as a double (approximate). Throws InvalidArgument for malformed text.
  double as_double() const;
  /// Exact numeric comparison: negative, zero or positive. Throws for malformed text.
  int compare(const Quantity& other) const;

  /// Textual equality (what round-tripping needs); use compare() for numeric equality.
  bool operator==(const Quantity&) const = default;

 private:
  std::string text_;
};

void read_json(json::Reader& in, Quantity& out);
void write_json(json::Writer& out, const Quantity& in);

}  // namespace kube
