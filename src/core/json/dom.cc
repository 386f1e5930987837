#include "kube/core/dom.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>

namespace kube::json {

namespace {

// Boost.JSON reads a number whose exponent overflows as inf, or as NaN for "0e999" (0 * inf): no
// JSON text can carry those back (they would serialize as "NaN"), so they are refused, as the
// typed decoder refuses them.
bool all_numbers_finite(const Value& v) {
  switch (v.kind()) {
    case boost::json::kind::double_:
      return std::isfinite(v.get_double());
    case boost::json::kind::array:
      for (const Value& e : v.get_array()) {
        if (!all_numbers_finite(e)) return false;
      }
      return true;
    case boost::json::kind::object:
      for (const auto& member : v.get_object()) {
        if (!all_numbers_finite(member.value())) return false;
      }
      return true;
    default:
      return true;
  }
}

}  // namespace

Value parse(std::string_view text) {
  boost::system::error_code ec;
  Value v = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec);
  if (ec) throw DecodeError("invalid JSON: " + ec.message());
  if (!all_numbers_finite(v)) throw DecodeError("invalid JSON: a number is out of range");
  return v;
}

std::string serialize(const Value& value) { return boost::json::serialize(value); }

Value to_dom(const Raw& raw) { return raw.is_null() ? Value(nullptr) : parse(raw.text()); }

Raw to_raw(const Value& value) { return Raw::parse(kube::json::serialize(value)); }

namespace {

bool is_number(const Value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

bool numbers_equal(const Value& a, const Value& b) {
  if (a.is_double() || b.is_double()) return a.to_number<double>() == b.to_number<double>();
  if (a.is_int64() && b.is_int64()) return a.get_int64() == b.get_int64();
  if (a.is_uint64() && b.is_uint64()) return a.get_uint64() == b.get_uint64();
  const Value& s = a.is_int64() ? a : b;  // mixed signed/unsigned
  const Value& u = a.is_int64() ? b : a;
  return s.get_int64() >= 0 && static_cast<std::uint64_t>(s.get_int64()) == u.get_uint64();
}

}  // namespace

bool equal(const Value& a, const Value& b) {
  if (is_number(a) && is_number(b)) return numbers_equal(a, b);
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case boost::json::kind::object: {
      const Object& x = a.get_object();
      const Object& y = b.get_object();
      if (x.size() != y.size()) return false;
      for (const auto& member : x) {
        const Value* other = y.if_contains(member.key());
        if (!other || !equal(member.value(), *other)) return false;
      }
      return true;
    }
    case boost::json::kind::array: {
      const Array& x = a.get_array();
      const Array& y = b.get_array();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!equal(x[i], y[i])) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

namespace {

Value read_number(std::string_view text) {
  if (text.find_first_of(".eE") == std::string_view::npos) {
    std::int64_t i;
    auto r = std::from_chars(text.data(), text.data() + text.size(), i);
    if (r.ec == std::errc() && r.ptr == text.data() + text.size()) return Value(i);
    std::uint64_t u;
    r = std::from_chars(text.data(), text.data() + text.size(), u);
    if (r.ec == std::errc() && r.ptr == text.data() + text.size()) return Value(u);
  }
  double d = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), d);
  if (r.ec != std::errc() || !std::isfinite(d)) throw DecodeError("number out of range: " + std::string(text));
  return Value(d);
}

}  // namespace

void read_json(Reader& in, Value& out) {
  switch (in.type()) {
    case Type::Null:
      in.read_null();
      out = nullptr;
      return;
    case Type::Bool: {
      bool b = false;
      in.read(b);
      out = b;
      return;
    }
    case Type::Number:
      out = read_number(in.read_number_text());
      return;
    case Type::String: {
      std::string_view s = in.read_string_view();
      out = boost::json::string(s.data(), s.size());
      return;
    }
    case Type::Array: {
      Array& arr = out.emplace_array();
      in.read_array([&arr](Reader& element) { element.read(arr.emplace_back(nullptr)); });
      return;
    }
    case Type::Object: {
      Object& obj = out.emplace_object();
      in.read_object([&obj](std::string_view key, Reader& value) {
        value.read(obj[boost::json::string_view(key.data(), key.size())]);
      });
      return;
    }
  }
}

void write_json(Writer& out, const Value& in) { out.write_raw(boost::json::serialize(in)); }

}  // namespace kube::json
