#include "kube/core/time.h"

#include <charconv>

#include "kube/core/error.h"
#include "kube/core/json.h"

namespace kube {

namespace {

using std::chrono::microseconds;

[[noreturn]] void bad_time(std::string_view text, const char* why) {
  throw InvalidArgument("invalid RFC 3339 time \"" + std::string(text) + "\": " + why);
}

int digits(std::string_view text, std::size_t pos, std::size_t count, std::string_view whole) {
  if (pos + count > text.size()) bad_time(whole, "too short");
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') bad_time(whole, "expected a digit");
    value = value * 10 + (c - '0');
  }
  return value;
}

void expect(std::string_view text, std::size_t pos, char a, char b, std::string_view whole) {
  if (pos >= text.size() || (text[pos] != a && text[pos] != b)) bad_time(whole, "unexpected character");
}

}  // namespace

std::chrono::sys_time<microseconds> parse_rfc3339(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
  int year = digits(text, 0, 4, text);
  expect(text, 4, '-', '-', text);
  int month = digits(text, 5, 2, text);
  expect(text, 7, '-', '-', text);
  int day = digits(text, 8, 2, text);
  expect(text, 10, 'T', 't', text);
  int hour = digits(text, 11, 2, text);
  expect(text, 13, ':', ':', text);
  int minute = digits(text, 14, 2, text);
  expect(text, 16, ':', ':', text);
  int second = digits(text, 17, 2, text);
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    int scale = 100000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      micros += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) bad_time(text, "empty fraction");
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int sign = text[pos] == '-' ? -1 : 1;
    int oh = digits(text, pos + 1, 2, text);
    expect(text, pos + 3, ':', ':', text);
    int om = digits(text, pos + 4, 2, text);
    if (oh > 23 || om > 59) bad_time(text, "offset out of range");
    offset_minutes = sign * (oh * 60 + om);
    pos += 6;
  } else {
    bad_time(text, "missing time zone");
  }
  if (pos != text.size()) bad_time(text, "trailing characters");
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) bad_time(text, "field out of range");
  std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                  std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) bad_time(text, "no such date");
  auto t = std::chrono::sys_days(ymd) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
           std::chrono::seconds(second) + microseconds(micros) - std::chrono::minutes(offset_minutes);
  return std::chrono::time_point_cast<microseconds>(t);
}

std::string format_rfc3339(std::chrono::sys_time<microseconds> t, int fraction_digits) {
  auto day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd{day};
  std::chrono::hh_mm_ss hms{t - day};
  char buf[40];
  char* p = buf;
  auto put = [&p](long value, int width) {
    char tmp[12];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, value);
    for (int pad = width - static_cast<int>(r.ptr - tmp); pad > 0; --pad) *p++ = '0';
    for (char* q = tmp; q != r.ptr; ++q) *p++ = *q;
  };
  put(static_cast<int>(ymd.year()), 4);
  *p++ = '-';
  put(static_cast<unsigned>(ymd.month()), 2);
  *p++ = '-';
  put(static_cast<unsigned>(ymd.day()), 2);
  *p++ = 'T';
  put(hms.hours().count(), 2);
  *p++ = ':';
  put(hms.minutes().count(), 2);
  *p++ = ':';
  put(hms.seconds().count(), 2);
  if (fraction_digits == 6) {
    *p++ = '.';
    put(static_cast<long>(hms.subseconds().count()), 6);
  }
  *p++ = 'Z';
  return std::string(buf, p);
}

Time Time::now() { return from(std::chrono::system_clock::now()); }
Time Time::parse(std::string_view text) { return from(parse_rfc3339(text)); }
std::string Time::to_string() const { return format_rfc3339(t_, 0); }

MicroTime MicroTime::now() { return from(std::chrono::system_clock::now()); }
MicroTime MicroTime::parse(std::string_view text) { return MicroTime(parse_rfc3339(text)); }
std::string MicroTime::to_string() const { return format_rfc3339(t_, 6); }

namespace {

template <class T>
void read_time(json::Reader& in, T& out) {
  if (in.read_null()) return;
  std::string_view text = in.read_string_view();
  try {
    out = T::parse(text);
  } catch (const InvalidArgument& e) {
    throw json::DecodeError(e.what());
  }
}

}  // namespace

void read_json(json::Reader& in, Time& out) { read_time(in, out); }
void write_json(json::Writer& out, const Time& in) { out.write(in.to_string()); }
void read_json(json::Reader& in, MicroTime& out) { read_time(in, out); }
void write_json(json::Writer& out, const MicroTime& in) { out.write(in.to_string()); }

}  // namespace kube
