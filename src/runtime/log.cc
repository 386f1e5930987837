#include "kube/runtime/log.h"

#include <atomic>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <exception>
#include <random>

#include "kube/core/error.h"
#include "kube/core/json.h"
#include "kube/core/time.h"

namespace kube::log {
namespace {

std::atomic<int> min_level{static_cast<int>(Level::off)};
std::mutex output_mutex;
Format output_format = Format::text;  // guarded by output_mutex
std::ostream* output = nullptr;

const char* level_name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
    case Level::off: break;
  }
  return "off";
}

std::uint64_t random64() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t v = 0;
  while (v == 0) v = rng();
  return v;
}

void append_hex(std::string& out, std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  out.append(buf, 16);
}

void append_quoted(std::string& out, std::string_view text) {
  out += '"';
  json::detail::append_escaped(out, text);
  out += '"';
}

// A text value is quoted only when it has spaces, quotes or '=' (logfmt).
void append_text_value(std::string& out, std::string_view v) {
  bool plain = !v.empty() && v.find_first_of(" \t\n\"=") == std::string_view::npos;
  if (plain) {
    out += v;
  } else {
    append_quoted(out, v);
  }
}

void append_value(std::string& out, const Value& value, Format format) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view> || std::is_same_v<T, std::string>) {
          if (format == Format::json) {
            append_quoted(out, v);
          } else {
            append_text_value(out, v);
          }
        } else if constexpr (std::is_same_v<T, bool>) {
          out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%.3f", v);
          out += buf;
        } else {
          out += std::to_string(v);
        }
      },
      value);
}

bool is_empty_text(const Value& value) {
  if (auto* v = std::get_if<std::string_view>(&value)) return v->empty();
  if (auto* v = std::get_if<std::string>(&value)) return v->empty();
  return false;
}

struct Record {
  Format format;
  std::string line;
  bool first_field = true;

  Record(Format f, Level level, std::string_view message) : format(f) {
    auto now = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    std::string time = format_rfc3339(now, 6);
    if (format == Format::json) {
      line = "{\"time\":\"" + time + "\",\"level\":\"" + level_name(level) + "\",\"msg\":";
      append_quoted(line, message);
    } else {
      line = time;
      line += ' ';
      std::string upper = level_name(level);
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      upper.resize(5, ' ');
      line += upper;
      line += ' ';
      line += message;
    }
  }
  void add(std::string_view key, const Value& value) {
    if (is_empty_text(value)) return;  // absent rather than ""
    if (format == Format::json) {
      line += ',';
      append_quoted(line, key);
      line += ':';
    } else {
      line += ' ';
      line += key;
      line += '=';
    }
    append_value(line, value, format);
  }
  void emit() {
    line += format == Format::json ? "}\n" : "\n";
    std::ostream& out = output ? *output : std::cerr;
    out << line;
    out.flush();
  }
};

void write_record(Level level, std::string_view message, std::string_view trace, std::string_view span,
                  std::string_view parent, const double* duration_ms, std::initializer_list<Field> fields,
                  const std::vector<std::pair<std::string, Value>>* more) {
  std::lock_guard lock(output_mutex);
  Record record(output_format, level, message);
  for (const Field& f : fields) record.add(f.key, f.value);
  if (more) {
    for (const auto& [k, v] : *more) record.add(k, v);
  }
  if (duration_ms) record.add("duration_ms", *duration_ms);
  if (!trace.empty()) record.add("trace_id", trace);
  if (!span.empty()) record.add("span_id", span);
  if (!parent.empty()) record.add("parent_id", parent);
  record.emit();
}

std::string span_hex(SpanId id) {
  std::string s;
  if (id) append_hex(s, id);
  return s;
}

}  // namespace

void configure(Options options) {
  std::lock_guard lock(output_mutex);
  output_format = options.format;
  output = options.out;
  min_level.store(static_cast<int>(options.level), std::memory_order_relaxed);
}

bool enabled(Level level) noexcept {
  return level != Level::off && static_cast<int>(level) >= min_level.load(std::memory_order_relaxed);
}

Level parse_level(std::string_view name) {
  for (Level l : {Level::debug, Level::info, Level::warn, Level::error, Level::off}) {
    if (name == level_name(l)) return l;
  }
  throw InvalidArgument("log level \"" + std::string(name) + "\" is not one of debug, info, warn, error, off");
}

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  write_record(level, message, {}, {}, {}, nullptr, fields, nullptr);
}

TraceId TraceId::random() { return TraceId{random64(), random64()}; }

TraceId TraceId::from_text(std::string_view text) {
  TraceId id;
  int digits = 0;
  for (char c : text) {
    if (c == '-') continue;
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (v < 0 || digits == 32) {
      digits = -1;
      break;
    }
    (digits < 16 ? id.high : id.low) = ((digits < 16 ? id.high : id.low) << 4) | static_cast<std::uint64_t>(v);
    ++digits;
  }
  if (digits == 32 && id) return id;
  // Not a UUID: two FNV-1a hashes of it.
  std::uint64_t a = 1469598103934665603ull, b = 1099511628211ull * 31;
  for (char c : text) {
    a = (a ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    b = (b ^ static_cast<unsigned char>(c)) * 1099511628211ull + 7;
  }
  return TraceId{a | 1, b};
}

std::string TraceId::hex() const {
  std::string s;
  append_hex(s, high);
  append_hex(s, low);
  return s;
}

SpanId random_span_id() { return random64(); }

Span::Span(std::string_view name, TraceId trace, SpanId parent)
    : enabled_(enabled(Level::info)), name_(name), trace_(trace), parent_(parent), exceptions_(std::uncaught_exceptions()) {
  if (!enabled_) return;
  id_ = random_span_id();
  start_ = std::chrono::steady_clock::now();
}

void Span::add(Field field) {
  // Views are copied: the span outlives the caller's temporaries.
  if (auto* view = std::get_if<std::string_view>(&field.value)) field.value = std::string(*view);
  fields_.emplace_back(std::string(field.key), std::move(field.value));
}

void Span::fail(std::string_view error) {
  if (!enabled_) return;
  failed_ = true;
  fields_.emplace_back("error", std::string(error));
}

Span::~Span() {
  if (!enabled_) return;
  if (!failed_ && std::uncaught_exceptions() > exceptions_) fail("exception");
  Level level = failed_ ? Level::error : Level::info;
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  write_record(level, name_, trace_.hex(), span_hex(id_), span_hex(parent_), &ms, {}, &fields_);
}

void write_span(Level level, std::string_view name, TraceId trace, SpanId id, SpanId parent,
                std::chrono::steady_clock::duration duration, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  double ms = std::chrono::duration<double, std::milli>(duration).count();
  write_record(level, name, trace ? trace.hex() : std::string(), span_hex(id), span_hex(parent), &ms, fields, nullptr);
}

}  // namespace kube::log
