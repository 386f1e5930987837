#include "kube/core/quantity.h"

#include <cmath>
#include <limits>
#include <optional>

#include "kube/core/error.h"
#include "kube/core/json.h"

namespace kube {

namespace {

using int128 = __int128;

// value = (negative ? -1 : 1) * mantissa * 10^exp10 * 2^exp2, with `overflow` set when the
// mantissa had too many significant digits to hold exactly.
struct Parsed {
  bool negative = false;
  int128 mantissa = 0;
  int exp10 = 0;
  int exp2 = 0;
  bool overflow = false;  // more significant digits than the mantissa holds exactly
};

std::optional<Parsed> parse(std::string_view s) {
  Parsed p;
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) p.negative = s[i++] == '-';
  std::size_t digits = 0;
  int significant = 0;
  bool seen_point = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.') {
      if (seen_point) return std::nullopt;
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    ++digits;
    int d = c - '0';
    if (p.mantissa == 0 && d == 0) {
      if (seen_point) --p.exp10;
      continue;
    }
    if (significant < 36) {
      p.mantissa = p.mantissa * 10 + d;
      ++significant;
      if (seen_point) --p.exp10;
    } else {
      if (d != 0) p.overflow = true;
      if (!seen_point) ++p.exp10;
    }
  }
  if (digits == 0) return std::nullopt;
  std::string_view suffix = s.substr(i);
  static constexpr struct {
    std::string_view name;
    int exp10;
    int exp2;
  } kSuffixes[] = {{"", 0, 0},    {"n", -9, 0},   {"u", -6, 0},   {"m", -3, 0},   {"k", 3, 0},
                   {"M", 6, 0},   {"G", 9, 0},    {"T", 12, 0},   {"P", 15, 0},   {"E", 18, 0},
                   {"Ki", 0, 10}, {"Mi", 0, 20},  {"Gi", 0, 30},  {"Ti", 0, 40},  {"Pi", 0, 50},
                   {"Ei", 0, 60}};
  bool matched = false;
  for (const auto& sfx : kSuffixes) {
    if (suffix == sfx.name) {
      p.exp10 += sfx.exp10;
      p.exp2 += sfx.exp2;
      matched = true;
      break;
    }
  }
  if (!matched) {
    if (suffix.size() < 2 || (suffix[0] != 'e' && suffix[0] != 'E')) return std::nullopt;
    std::size_t k = 1;
    bool neg = false;
    if (suffix[k] == '+' || suffix[k] == '-') neg = suffix[k++] == '-';
    if (k >= suffix.size()) return std::nullopt;
    int e = 0;
    for (; k < suffix.size(); ++k) {
      if (suffix[k] < '0' || suffix[k] > '9') return std::nullopt;
      if (e > 100000) return std::nullopt;
      e = e * 10 + (suffix[k] - '0');
    }
    p.exp10 += neg ? -e : e;
  }
  return p;
}

const Parsed& checked(const std::optional<Parsed>& p, const std::string& text) {
  if (!p) throw InvalidArgument("invalid quantity \"" + text + "\"");
  return *p;
}

// ceil(value * 10^scale) as int64, or nullopt when it does not fit.
std::optional<std::int64_t> scaled_ceil(const Parsed& p, int scale) {
  if (p.overflow) return std::nullopt;
  int128 v = p.mantissa;
  int e10 = p.exp10 + scale;
  constexpr int128 kLimit = static_cast<int128>(std::numeric_limits<std::int64_t>::max()) * 1024;
  for (int k = 0; k < p.exp2; ++k) {
    v *= 2;
    if (v > kLimit * 1000) return std::nullopt;
  }
  if (e10 >= 0) {
    for (int k = 0; k < e10; ++k) {
      if (v > kLimit) return std::nullopt;
      v *= 10;
    }
  } else {
    int128 divisor = 1;
    for (int k = 0; k < -e10; ++k) {
      if (divisor > kLimit * 1000) {  // the value is below one unit
        divisor = 0;
        break;
      }
      divisor *= 10;
    }
    if (divisor == 0) {
      v = (v == 0) ? 0 : (p.negative ? 0 : 1);
      return static_cast<std::int64_t>(p.negative ? -v : v);
    }
    int128 q = v / divisor;
    bool remainder = v % divisor != 0;
    // ceil of a negative value truncates toward zero; of a positive value rounds up
    if (remainder && !p.negative) ++q;
    v = q;
  }
  if (v > std::numeric_limits<std::int64_t>::max()) return std::nullopt;
  return static_cast<std::int64_t>(p.negative ? -v : v);
}

}  // namespace

bool Quantity::is_valid(std::string_view text) noexcept { return parse(text).has_value(); }

std::int64_t Quantity::milli_value() const {
  auto v = scaled_ceil(checked(parse(text_), text_), 3);
  if (!v) throw InvalidArgument("quantity \"" + text_ + "\" is out of range for milli_value()");
  return *v;
}

std::int64_t Quantity::value() const {
  auto v = scaled_ceil(checked(parse(text_), text_), 0);
  if (!v) throw InvalidArgument("quantity \"" + text_ + "\" is out of range for value()");
  return *v;
}

double Quantity::as_double() const {
  const Parsed& p = checked(parse(text_), text_);
  long double v = static_cast<long double>(p.mantissa) * std::pow(10.0L, p.exp10) * std::pow(2.0L, p.exp2);
  return static_cast<double>(p.negative ? -v : v);
}

int Quantity::compare(const Quantity& other) const {
  auto a = parse(text_);
  auto b = parse(other.text_);
  checked(a, text_);
  checked(b, other.text_);
  // Exact when both fit as nano-units; otherwise compare approximations.
  auto na = scaled_ceil(*a, 9);
  auto nb = scaled_ceil(*b, 9);
  if (na && nb && (a->exp10 >= -9) && (b->exp10 >= -9)) return (*na > *nb) - (*na < *nb);
  double da = as_double();
  double db = other.as_double();
  return (da > db) - (da < db);
}

void read_json(json::Reader& in, Quantity& out) {
  // The API server accepts numbers as well as strings for quantities ("cpu: 1" in YAML).
  switch (in.type()) {
    case json::Type::Null:
      in.read_null();
      return;
    case json::Type::Number:
      out = Quantity(std::string(in.read_number_text()));
      return;
    default:
      out = Quantity(std::string(in.read_string_view()));
  }
}

void write_json(json::Writer& out, const Quantity& in) { out.write(in.str()); }

}  // namespace kube
