// JSON for Kubernetes objects: typed decoding (the hot path of every list and watch), encoding, and
// kube::json::Raw for free-form JSON kept losslessly.
//
// Decoding reads straight from simdjson's On Demand parser into the target structs: no DOM is built.
// It is lenient like Kubernetes clients must be: a missing or null member leaves the default value,
// unknown members are ignored. A value of the wrong type, malformed JSON or trailing content raises
// kube::json::DecodeError, whose path() names the member (".spec.containers[1].image").
// Encoding omits absent optionals; key order follows the struct, not Kubernetes' field order.
//
// Every generated type T has `read_json(Reader&, T&)` and `write_json(Writer&, const T&)`; a
// hand-written type gets JSON support by declaring the same two functions in its namespace.
//
// Example:
//   auto pod = kube::json::decode<kube::api::core::v1::Pod>(text);
//   pod.metadata.labels.emplace()["tier"] = "web";
//   std::string out = kube::json::encode(pod);
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kube/core/error.h"
#include "kube/core/function_ref.h"
#include "kube/core/optional_box.h"

namespace boost::json {
class value;
}  // namespace boost::json

namespace kube::json {

/// JSON that could not be decoded into the requested type, or is not JSON at all.
class DecodeError : public kube::Error {
 public:
  explicit DecodeError(std::string reason, std::string path = {});

  /// What was wrong ("expected string, got number").
  const std::string& reason() const noexcept { return reason_; }
  /// Where: a path from the document root such as ".spec.containers[0].image" (empty = the root).
  const std::string& path() const noexcept { return path_; }
  const char* what() const noexcept override { return message_.c_str(); }

  /// Used while unwinding to build the path from the innermost failure outwards.
  void prepend_member(std::string_view key);
  void prepend_index(std::size_t index);

 private:
  void update_message();
  std::string reason_;
  std::string path_;
  std::string message_;
};

/// A JSON value kept as compact, validated text: free-form fields (RawExtension, FieldsV1,
/// JSONSchemaProps' defaults, ...) round-trip losslessly and cost one string. Convert to a mutable
/// DOM with kube::json::to_dom() (kube/core/dom.h) when you need to look inside.
class Raw {
 public:
  Raw() = default;
  /// Validates `json` (exactly one JSON value) and stores it compacted. Throws DecodeError.
  static Raw parse(std::string_view json);

  /// The compact JSON text; empty for null.
  const std::string& text() const noexcept { return text_; }
  bool is_null() const noexcept { return text_.empty(); }

  bool operator==(const Raw&) const = default;

 private:
  std::string text_;
};

/// Checks that `json` is exactly one JSON value and appends it to `out` without insignificant
/// whitespace. Throws DecodeError. (Used by Raw; exposed for tools that normalise JSON.)
void compact(std::string_view json, std::string& out);

enum class Type { Null, Bool, Number, String, Array, Object };
std::string_view type_name(Type type) noexcept;

/// A cursor on one JSON value during decoding. Readers are handed out by decode() and by
/// read_object()/read_array(); they cannot be created or copied by user code. Each value can be
/// read once.
class Reader {
 public:
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  Type type();
  /// True (and consumed) if the value is null.
  bool read_null();

  // Scalars. A JSON null leaves `out` unchanged; any other mismatch throws DecodeError.
  void read(std::string& out);
  void read(bool& out);
  void read(std::int32_t& out);
  void read(std::int64_t& out);
  void read(double& out);
  void read(float& out) {
    double value = out;
    read(value);
    out = static_cast<float>(value);
  }
  void read(Raw& out);
  /// A string's contents without a copy; valid until the next read. Throws unless a string.
  std::string_view read_string_view();
  /// The text of a number token ("1e3", "-0.5"). Throws unless a number.
  std::string_view read_number_text();
  /// Checks that a string member named `name` equals `expected` (null passes); throws otherwise.
  /// Used for apiVersion and kind, which the generated kinds imply rather than store.
  void expect_string(std::string_view name, std::string_view expected);

  /// Calls `on_member` for each member in document order; members it does not read are skipped.
  /// null is treated as an empty object.
  void read_object(FunctionRef<void(std::string_view key, Reader& value)> on_member);
  /// Calls `on_element` for each element; null is treated as an empty array.
  void read_array(FunctionRef<void(Reader& element)> on_element);
  /// Like read_array(), telling `on_count` the number of elements first (to size the container).
  void read_array(FunctionRef<void(std::size_t count)> on_count, FunctionRef<void(Reader& element)> on_element);
  /// Checks that the value is an object (or null) and ignores its contents.
  void skip_object();

  template <class T>
  void read(std::optional<T>& out) {
    if (read_null()) {
      out.reset();
      return;
    }
    read(out.emplace());
  }
  template <class T>
  void read(OptionalBox<T>& out) {
    if (read_null()) {
      out.reset();
      return;
    }
    read(out.emplace());
  }
  template <class T>
  void read(std::vector<T>& out) {
    out.clear();
    read_array([&out](std::size_t count) { out.reserve(count); },
               [&out](Reader& element) { element.read(out.emplace_back()); });
  }
  template <class T>
  void read(std::map<std::string, T>& out) {
    out.clear();
    read_object([&out](std::string_view key, Reader& value) {
      value.read(out.try_emplace(std::string(key)).first->second);
    });
  }
  /// Any type with a read_json(Reader&, T&) overload (generated types, value types, DOM values).
  template <class T>
    requires requires(Reader& reader, T& value) { read_json(reader, value); }
  void read(T& out) {
    read_json(*this, out);
  }

 private:
  friend struct ReaderAccess;
  Reader() = default;
  // Storage for simdjson::ondemand::value (size checked in json_reader.cc): keeps simdjson out of
  // every header.
  alignas(8) unsigned char value_[32];
};

namespace detail {
void append_escaped(std::string& out, std::string_view text);
}  // namespace detail

/// True if `key` spells `literal`, for a key already known to have the literal's length (the
/// generated decoders switch on the length first). Compiles to a few word compares.
template <std::size_t N>
inline bool key_is(std::string_view key, const char (&literal)[N]) noexcept {
  return std::memcmp(key.data(), literal, N - 1) == 0;
}

/// Appends JSON to a string. Commas are inserted automatically: write members with member() (or
/// key() then a value) between begin_object()/end_object(), elements with write() between
/// begin_array()/end_array().
class Writer {
 public:
  explicit Writer(std::string& out) noexcept : out_(&out) {}

  void begin_object() {
    separate();
    out_->push_back('{');
    need_comma_ = false;
  }
  void end_object() {
    out_->push_back('}');
    need_comma_ = true;
  }
  void begin_array() {
    separate();
    out_->push_back('[');
    need_comma_ = false;
  }
  void end_array() {
    out_->push_back(']');
    need_comma_ = true;
  }
  void key(std::string_view name) {
    if (need_comma_) out_->push_back(',');
    out_->push_back('"');
    detail::append_escaped(*out_, name);
    out_->append("\":", 2);
    need_comma_ = false;
  }
  template <class T>
  void member(std::string_view name, const T& value) {
    key(name);
    write(value);
  }

  void write_null() {
    separate();
    out_->append("null", 4);
  }
  void write(bool value) {
    separate();
    if (value) {
      out_->append("true", 4);
    } else {
      out_->append("false", 5);
    }
  }
  void write(std::int32_t value) { write_integer(value); }
  void write(std::int64_t value) { write_integer(value); }
  void write(std::uint64_t value) { write_integer(value); }
  void write(double value);
  void write(float value) { write(static_cast<double>(value)); }
  void write(std::string_view value) {
    separate();
    out_->push_back('"');
    detail::append_escaped(*out_, value);
    out_->push_back('"');
  }
  void write(const std::string& value) { write(std::string_view(value)); }
  void write(const char* value) { write(std::string_view(value)); }
  void write(const Raw& value) {
    if (value.is_null()) {
      write_null();
    } else {
      write_raw(value.text());
    }
  }
  /// Appends `json` as one value, unchecked: it must be valid JSON.
  void write_raw(std::string_view json) {
    separate();
    out_->append(json);
  }

  template <class T>
  void write(const std::optional<T>& value) {
    if (value) {
      write(*value);
    } else {
      write_null();
    }
  }
  template <class T>
  void write(const OptionalBox<T>& value) {
    if (value) {
      write(*value);
    } else {
      write_null();
    }
  }
  template <class T>
  void write(const std::vector<T>& values) {
    begin_array();
    for (const auto& v : values) write(v);
    end_array();
  }
  template <class T>
  void write(const std::map<std::string, T>& values) {
    begin_object();
    for (const auto& [k, v] : values) member(k, v);
    end_object();
  }
  template <class T>
    requires requires(Writer& writer, const T& value) { write_json(writer, value); }
  void write(const T& value) {
    write_json(*this, value);
  }

  std::string& buffer() noexcept { return *out_; }

 private:
  void separate() {
    if (need_comma_) out_->push_back(',');
    need_comma_ = true;
  }
  template <class I>
  void write_integer(I value) {
    separate();
    char buf[24];
    auto result = std::to_chars(buf, buf + sizeof buf, value);
    out_->append(buf, result.ptr);
  }

  std::string* out_;
  bool need_comma_ = false;
};

// DOM values (boost::json::value) as members of typed objects; defined in kube/core/dom.h's library.
void read_json(Reader& in, boost::json::value& out);
void write_json(Writer& out, const boost::json::value& in);

/// Decodes one JSON document with `read_root` (the building block of decode()).
void decode_with(std::string_view text, FunctionRef<void(Reader&)> read_root);
/// The same; if `padded`, at least 64 readable bytes follow `text` and it is parsed in place.
void decode_with(std::string_view text, bool padded, FunctionRef<void(Reader&)> read_root);

/// Decodes `text` into `out`. Types with a better whole-document strategy (ObjectList streams its
/// items) provide `decode_document(text, out, padded)`, found by argument-dependent lookup.
template <class T>
void decode(std::string_view text, T& out) {
  if constexpr (requires { decode_document(text, out, false); }) {
    decode_document(text, out, false);
  } else {
    decode_with(text, false, [&out](Reader& root) { root.read(out); });
  }
}
/// Decodes `text` into a T. Throws DecodeError.
template <class T>
T decode(std::string_view text) {
  T out{};
  decode(text, out);
  return out;
}
/// Like decode(), for a buffer the caller owns: gets spare capacity for the parser's padding if
/// needed, and is then parsed without a copy.
template <class T>
T decode_in_place(std::string& buffer) {
  constexpr std::size_t kPadding = 64;
  if (buffer.capacity() - buffer.size() < kPadding) buffer.reserve(buffer.size() + kPadding);
  T out{};
  if constexpr (requires { decode_document(std::string_view(buffer), out, true); }) {
    decode_document(std::string_view(buffer), out, true);
  } else {
    decode_with(buffer, true, [&out](Reader& root) { root.read(out); });
  }
  return out;
}

/// Appends the JSON of `value` to `out`.
template <class T>
void encode_to(const T& value, std::string& out) {
  Writer writer(out);
  writer.write(value);
}
template <class T>
std::string encode(const T& value) {
  std::string out;
  encode_to(value, out);
  return out;
}

}  // namespace kube::json
