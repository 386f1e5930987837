// kube::log: structured log records and spans, as text for a terminal or one JSON object per line
// (`--json` in the examples) for a log pipeline.
//
//   kube::log::configure({.level = kube::log::Level::info, .format = kube::log::Format::json});
//   kube::log::write(kube::log::Level::info, "operator started", {{"kind", "Moose"}, {"machines", 3}});
//   {
//     kube::log::Span span("fsm.status_patch", trace);   // a record when it ends, with duration_ms
//     span.set("phase", "Roaming");
//     ...                                                // span.fail(what) on error
//   }
//
// Spans carry W3C-sized ids (16-byte trace id, 8-byte span id), so the records of one object's
// machine share a trace id and each state execution, status patch, event and admission call is a
// span of it. Logging is off until configure() is called (a library does not write to stderr on
// its own); a disabled record or span costs one atomic load.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace kube::log {

enum class Level : int { debug = 0, info = 1, warn = 2, error = 3, off = 4 };
enum class Format { text, json };

struct Options {
  Level level = Level::info;
  Format format = Format::text;
  std::ostream* out = nullptr;  // default: std::cerr
};

/// Process-wide. Thread-safe; records are written whole (one line each).
void configure(Options options);
bool enabled(Level level) noexcept;
/// "debug", "info", "warn", "error", "off"; throws kube::InvalidArgument otherwise.
Level parse_level(std::string_view name);

using Value = std::variant<std::string_view, std::string, std::int64_t, double, bool>;
struct Field {
  Field(std::string_view key, std::string_view value) : key(key), value(value) {}
  Field(std::string_view key, const char* value) : key(key), value(std::string_view(value)) {}
  Field(std::string_view key, std::string value) : key(key), value(std::move(value)) {}
  Field(std::string_view key, bool value) : key(key), value(value) {}
  Field(std::string_view key, double value) : key(key), value(value) {}
  template <class I>
    requires(std::is_integral_v<I> && !std::is_same_v<I, bool>)
  Field(std::string_view key, I value) : key(key), value(static_cast<std::int64_t>(value)) {}
  std::string_view key;
  Value value;
};

void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

struct TraceId {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  static TraceId random();
  /// The 32 hex digits of `text` (a Kubernetes uid is a UUID: 128 random bits) as a trace id;
  /// other text is hashed.
  static TraceId from_text(std::string_view text);
  std::string hex() const;  // 32 lowercase hex digits
  explicit operator bool() const noexcept { return high || low; }
};
using SpanId = std::uint64_t;
SpanId random_span_id();

/// One operation of a trace: written when it ends (info; error once fail() was called or when an
/// exception leaves its scope) with its duration, its ids and its fields. Does nothing when info
/// records are disabled.
class Span {
 public:
  Span(std::string_view name, TraceId trace = TraceId::random(), SpanId parent = 0);
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;
  ~Span();

  /// A field of the record (the value as Field accepts it: text, integer, number, bool).
  template <class T>
  void set(std::string_view key, T&& value) {
    if (enabled_) add(Field(key, std::forward<T>(value)));
  }
  void fail(std::string_view error);
  TraceId trace() const noexcept { return trace_; }
  SpanId id() const noexcept { return id_; }

 private:
  void add(Field field);
  bool enabled_;
  bool failed_ = false;
  std::string_view name_;
  TraceId trace_;
  SpanId id_ = 0;
  SpanId parent_;
  std::chrono::steady_clock::time_point start_;
  std::vector<std::pair<std::string, Value>> fields_;
  int exceptions_;  // in flight at construction
};

/// Writes a finished span (for callers that measured the operation themselves, e.g. a state
/// machine that keeps only a start time in its frame).
void write_span(Level level, std::string_view name, TraceId trace, SpanId id, SpanId parent,
                std::chrono::steady_clock::duration duration, std::initializer_list<Field> fields);

}  // namespace kube::log
