#include "kube/core/int_or_string.h"

#include <charconv>
#include <cmath>

#include "kube/core/error.h"
#include "kube/core/json.h"

namespace kube {

std::string IntOrString::to_string() const { return is_int_ ? std::to_string(int_) : str_; }

std::int32_t IntOrString::scaled_value(std::int32_t total, bool round_up) const {
  if (is_int_) return int_;
  std::string_view s = str_;
  if (s.empty() || s.back() != '%') throw InvalidArgument("invalid value \"" + str_ + "\": must be an integer or a percentage");
  s.remove_suffix(1);
  std::int64_t percent = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), percent);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    throw InvalidArgument("invalid value \"" + str_ + "\": must be an integer or a percentage");
  }
  std::int64_t scaled = percent * total;
  std::int64_t result = round_up ? (scaled >= 0 ? (scaled + 99) / 100 : scaled / 100)
                                 : (scaled >= 0 ? scaled / 100 : (scaled - 99) / 100);
  return static_cast<std::int32_t>(result);
}

void read_json(json::Reader& in, IntOrString& out) {
  switch (in.type()) {
    case json::Type::Null:
      in.read_null();
      return;
    case json::Type::String:
      out = IntOrString(std::string(in.read_string_view()));
      return;
    default: {
      std::int32_t value = 0;
      in.read(value);
      out = IntOrString(value);
    }
  }
}

void write_json(json::Writer& out, const IntOrString& in) {
  if (in.is_int()) {
    out.write(in.int_value());
  } else {
    out.write(in.str_value());
  }
}

}  // namespace kube
