// kube::json::Reader on simdjson's On Demand API: the only file that includes simdjson.
#include <simdjson.h>

#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <string>

#include "kube/core/json.h"

namespace kube::json {

namespace od = simdjson::ondemand;

static_assert(sizeof(od::value) <= 32, "Reader::value_ storage too small for simdjson::ondemand::value");
static_assert(alignof(od::value) <= 8);
static_assert(std::is_trivially_copyable_v<od::value> && std::is_trivially_destructible_v<od::value>);

struct ReaderAccess {
  static od::value& value(Reader& reader) { return *std::launder(reinterpret_cast<od::value*>(reader.value_)); }
  // Runs `f` with a Reader positioned on `v` (Readers live on the stack of whoever iterates).
  template <class F>
  static void with_reader(od::value v, F&& f) {
    Reader reader;
    new (reader.value_) od::value(v);
    f(reader);
  }
};

namespace {

[[noreturn]] void fail(std::string reason) { throw DecodeError(std::move(reason)); }

[[noreturn]] void fail_json(simdjson::error_code error) {
  fail(std::string("invalid JSON: ") + simdjson::error_message(error));
}

Type to_type(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return Type::Array;
    case od::json_type::object:
      return Type::Object;
    case od::json_type::number:
      return Type::Number;
    case od::json_type::string:
      return Type::String;
    case od::json_type::boolean:
      return Type::Bool;
    case od::json_type::null:
      return Type::Null;
  }
  return Type::Null;
}

Type type_of(od::value& v) {
  od::json_type t;
  if (auto error = v.type().get(t)) fail_json(error);
  return to_type(t);
}

std::string_view trim_right(std::string_view token) {
  while (!token.empty() && (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' ||
                            token.back() == '\t')) {
    token.remove_suffix(1);
  }
  return token;
}

// Called after a typed get failed: null means "leave the default"; anything else is an error.
// (The type is checked before is_null(): simdjson forbids scalar checks on a document's root,
// which is always an object or an array here.)
void null_or_mismatch(od::value& v, simdjson::error_code error, std::string_view expected) {
  if (error != simdjson::INCORRECT_TYPE && error != simdjson::NUMBER_OUT_OF_RANGE) fail_json(error);
  Type actual = type_of(v);
  if (actual == Type::Null) {
    bool is_null = false;
    if (v.is_null().get(is_null) || !is_null) fail("invalid JSON: malformed literal");
    return;
  }
  std::string expected_text(expected);
  if (actual == Type::Number) {
    fail("expected " + expected_text + ", got number " + std::string(trim_right(v.raw_json_token())));
  }
  if (type_name(actual) == expected) fail("invalid JSON: malformed " + expected_text);
  fail("expected " + expected_text + ", got " + std::string(type_name(actual)));
}

// The member name without a copy when it has no escapes (always, for Kubernetes objects).
std::string_view key_of(od::field& field) {
  const char* start = field.key().raw();
  const char* p = start;
  bool escaped = false;
  while (*p != '"') {
    if (*p == '\\') {
      escaped = true;
      ++p;
    }
    ++p;
  }
  if (!escaped) return std::string_view(start, static_cast<std::size_t>(p - start));
  std::string_view unescaped;
  if (auto error = field.unescaped_key().get(unescaped)) fail_json(error);
  return unescaped;
}


}  // namespace

std::string_view type_name(Type type) noexcept {
  switch (type) {
    case Type::Null:
      return "null";
    case Type::Bool:
      return "boolean";
    case Type::Number:
      return "number";
    case Type::String:
      return "string";
    case Type::Array:
      return "array";
    case Type::Object:
      return "object";
  }
  return "unknown";
}

Type Reader::type() { return type_of(ReaderAccess::value(*this)); }

bool Reader::read_null() {
  if (type() != Type::Null) return false;  // see null_or_mismatch: never is_null() on a root
  bool is_null = false;
  auto error = ReaderAccess::value(*this).is_null().get(is_null);
  if (error == simdjson::INCORRECT_TYPE) fail("invalid JSON: malformed literal");
  if (error) fail_json(error);
  return is_null;
}

void Reader::read(std::string& out) {
  od::value& v = ReaderAccess::value(*this);
  std::string_view s;
  if (auto error = v.get_string().get(s)) return null_or_mismatch(v, error, "string");
  out.assign(s.data(), s.size());
}

std::string_view Reader::read_string_view() {
  od::value& v = ReaderAccess::value(*this);
  std::string_view s;
  if (auto error = v.get_string().get(s)) {
    if (error != simdjson::INCORRECT_TYPE) fail_json(error);
    fail("expected string, got " + std::string(type_name(type_of(v))));
  }
  return s;
}

void Reader::read(bool& out) {
  od::value& v = ReaderAccess::value(*this);
  bool b;
  if (auto error = v.get_bool().get(b)) return null_or_mismatch(v, error, "boolean");
  out = b;
}

void Reader::read(std::int64_t& out) {
  od::value& v = ReaderAccess::value(*this);
  std::int64_t i;
  if (auto error = v.get_int64().get(i)) return null_or_mismatch(v, error, "integer");
  out = i;
}

void Reader::read(std::int32_t& out) {
  od::value& v = ReaderAccess::value(*this);
  std::int64_t i;
  if (auto error = v.get_int64().get(i)) return null_or_mismatch(v, error, "integer");
  if (i < std::numeric_limits<std::int32_t>::min() || i > std::numeric_limits<std::int32_t>::max()) {
    fail("expected 32-bit integer, got " + std::to_string(i));
  }
  out = static_cast<std::int32_t>(i);
}

void Reader::read(double& out) {
  od::value& v = ReaderAccess::value(*this);
  double d;
  if (auto error = v.get_double().get(d)) return null_or_mismatch(v, error, "number");
  out = d;
}

std::string_view Reader::read_number_text() {
  od::value& v = ReaderAccess::value(*this);
  Type t = type_of(v);
  if (t != Type::Number) fail("expected number, got " + std::string(type_name(t)));
  // Validate the token before exposing its text.
  double ignored;
  if (auto error = v.get_double().get(ignored); error && error != simdjson::NUMBER_OUT_OF_RANGE) {
    fail_json(error);
  }
  return trim_right(v.raw_json_token());
}

void Reader::expect_string(std::string_view name, std::string_view expected) {
  if (read_null()) return;
  std::string_view actual = read_string_view();
  if (actual != expected) {
    fail(std::string(name) + " is \"" + std::string(actual) + "\", expected \"" + std::string(expected) + "\"");
  }
}

void Reader::read(Raw& out) {
  od::value& v = ReaderAccess::value(*this);
  std::string_view text;
  switch (type_of(v)) {
    case Type::Object: {
      od::object obj;
      if (auto error = v.get_object().get(obj)) fail_json(error);
      if (auto error = obj.raw_json().get(text)) fail_json(error);
      break;
    }
    case Type::Array: {
      od::array arr;
      if (auto error = v.get_array().get(arr)) fail_json(error);
      if (auto error = arr.raw_json().get(text)) fail_json(error);
      break;
    }
    case Type::String: {
      // Consume it as a string (validating escapes) but keep the original token text.
      text = trim_right(v.raw_json_token());
      std::string_view ignored;
      if (auto error = v.get_string().get(ignored)) fail_json(error);
      break;
    }
    default:
      text = trim_right(v.raw_json_token());
      if (read_null()) {
        out = Raw();
        return;
      }
      // Numbers and booleans: consume (validates) then keep the token.
      if (text == "true" || text == "false") {
        bool ignored;
        if (auto error = v.get_bool().get(ignored)) fail_json(error);
      } else {
        double ignored;
        if (auto error = v.get_double().get(ignored); error && error != simdjson::NUMBER_OUT_OF_RANGE) {
          fail_json(error);
        }
      }
      break;
  }
  out = Raw::parse(text);
}

void Reader::read_object(FunctionRef<void(std::string_view, Reader&)> on_member) {
  od::value& v = ReaderAccess::value(*this);
  od::object obj;
  if (auto error = v.get_object().get(obj)) {
    null_or_mismatch(v, error, "object");
    return;
  }
  for (auto member : obj) {
    od::field field;
    if (auto error = std::move(member).get(field)) fail_json(error);
    std::string_view key = key_of(field);
    try {
      ReaderAccess::with_reader(field.value(), [&](Reader& value) { on_member(key, value); });
    } catch (DecodeError& e) {
      e.prepend_member(key);
      throw;
    }
  }
}

void Reader::read_array(FunctionRef<void(Reader&)> on_element) {
  read_array([](std::size_t) {}, on_element);
}

void Reader::read_array(FunctionRef<void(std::size_t)> on_count, FunctionRef<void(Reader&)> on_element) {
  od::value& v = ReaderAccess::value(*this);
  od::array arr;
  if (auto error = v.get_array().get(arr)) {
    null_or_mismatch(v, error, "array");
    return;
  }
  // Counting walks only the structural index (and rewinds); the elements are validated below.
  std::size_t count = 0;
  if (auto error = arr.count_elements().get(count)) fail_json(error);
  on_count(count);
  std::size_t index = 0;
  for (auto element : arr) {
    od::value ev;
    if (auto error = std::move(element).get(ev)) fail_json(error);
    try {
      ReaderAccess::with_reader(ev, [&](Reader& value) { on_element(value); });
    } catch (DecodeError& e) {
      e.prepend_index(index);
      throw;
    }
    ++index;
  }
}

void Reader::skip_object() {
  read_object([](std::string_view, Reader&) {});
}

namespace {

// One parser per thread, reused across documents; dropped when a huge document inflated it.
constexpr std::size_t kKeepParserCapacity = std::size_t{64} << 20;

struct ThreadState {
  std::unique_ptr<od::parser> parser;
  std::string scratch;  // padded copy of inputs that have no spare capacity
  bool busy = false;    // a document is being decoded: nested decodes get their own parser
};

ThreadState& thread_state() {
  thread_local ThreadState state;
  if (!state.parser) state.parser = std::make_unique<od::parser>();
  return state;
}

void decode_padded(od::parser& parser, const char* data, std::size_t size, std::size_t capacity,
                   FunctionRef<void(Reader&)> read_root) {
  od::document doc;
  if (auto error = parser.iterate(data, size, capacity).get(doc)) fail_json(error);
  od::value root;
  if (auto error = doc.get_value().get(root)) {
    if (error == simdjson::SCALAR_DOCUMENT_AS_VALUE) fail("expected a JSON object or array at the top level");
    fail_json(error);
  }
  ReaderAccess::with_reader(root, [&](Reader& reader) { read_root(reader); });
  const char* rest = nullptr;
  if (!doc.current_location().get(rest)) fail("invalid JSON: trailing content after the top-level value");
}

// Runs `f(parser, scratch)` with this thread's parser, or with fresh ones when nested.
template <class F>
void with_parser(F&& f) {
  ThreadState& state = thread_state();
  if (state.busy) {
    od::parser parser;
    std::string scratch;
    f(parser, scratch);
    return;
  }
  state.busy = true;
  struct Release {
    ThreadState& s;
    ~Release() {
      s.busy = false;
      if (s.parser->capacity() > kKeepParserCapacity) s.parser = std::make_unique<od::parser>();
      if (s.scratch.capacity() > kKeepParserCapacity) std::string().swap(s.scratch);
    }
  } release{state};
  f(*state.parser, state.scratch);
}

}  // namespace

void decode_with(std::string_view text, FunctionRef<void(Reader&)> read_root) {
  decode_with(text, false, read_root);
}

void decode_with(std::string_view text, bool padded, FunctionRef<void(Reader&)> read_root) {
  static_assert(simdjson::SIMDJSON_PADDING <= 64, "callers promise 64 bytes of padding");
  with_parser([&](od::parser& parser, std::string& scratch) {
    if (padded) {
      decode_padded(parser, text.data(), text.size(), text.size() + simdjson::SIMDJSON_PADDING, read_root);
      return;
    }
    scratch.reserve(text.size() + simdjson::SIMDJSON_PADDING);
    scratch.assign(text.data(), text.size());
    decode_padded(parser, scratch.data(), scratch.size(), scratch.capacity(), read_root);
  });
}

}  // namespace kube::json
