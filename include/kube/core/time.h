// kube::Time and kube::MicroTime: the Kubernetes timestamp types (meta/v1 Time and MicroTime).
//
// Time has second precision and is written as RFC 3339 in UTC ("2024-05-01T12:00:00Z"); MicroTime
// has microsecond precision and always six fractional digits ("2024-05-01T12:00:00.000000Z").
// Parsing accepts any RFC 3339 form (fractions, offsets) and normalises to UTC, truncating to the
// type's precision, as the API server does.
//
// Example:
//   kube::Time created = kube::Time::parse("2024-05-01T14:00:00+02:00");
//   created.to_string();                     // "2024-05-01T12:00:00Z"
//   auto age = kube::Time::now().time_point() - created.time_point();
#pragma once

#include <chrono>
#include <compare>
#include <string>
#include <string_view>

#include "kube/core/json_fwd.h"

namespace kube {

/// Parses an RFC 3339 timestamp to microseconds since the epoch (UTC). Throws InvalidArgument.
std::chrono::sys_time<std::chrono::microseconds> parse_rfc3339(std::string_view text);
/// Formats as RFC 3339 UTC with `fraction_digits` (0 or 6) fractional digits.
std::string format_rfc3339(std::chrono::sys_time<std::chrono::microseconds> t, int fraction_digits);

class Time {
 public:
  using time_point_type = std::chrono::sys_seconds;

  Time() = default;  // the Unix epoch
  explicit Time(time_point_type t) noexcept : t_(t) {}
  /// Any system_clock time point, truncated to whole seconds.
  template <class Duration>
  static Time from(std::chrono::sys_time<Duration> t) {
    return Time(std::chrono::floor<std::chrono::seconds>(t));
  }
  static Time now();
  /// Throws InvalidArgument for text that is not RFC 3339.
  static Time parse(std::string_view text);

  time_point_type time_point() const noexcept { return t_; }
  std::string to_string() const;

  auto operator<=>(const Time&) const = default;

 private:
  time_point_type t_{};
};

class MicroTime {
 public:
  using time_point_type = std::chrono::sys_time<std::chrono::microseconds>;

  MicroTime() = default;
  explicit MicroTime(time_point_type t) noexcept : t_(t) {}
  template <class Duration>
  static MicroTime from(std::chrono::sys_time<Duration> t) {
    return MicroTime(std::chrono::floor<std::chrono::microseconds>(t));
  }
  static MicroTime now();
  static MicroTime parse(std::string_view text);

  time_point_type time_point() const noexcept { return t_; }
  std::string to_string() const;

  auto operator<=>(const MicroTime&) const = default;

 private:
  time_point_type t_{};
};

void read_json(json::Reader& in, Time& out);
void write_json(json::Writer& out, const Time& in);
void read_json(json::Reader& in, MicroTime& out);
void write_json(json::Writer& out, const MicroTime& in);

}  // namespace kube
