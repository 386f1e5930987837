// A mutable JSON DOM (Boost.JSON) for dynamic objects and patches, convertible both ways with the
// typed objects.
//
// Typed <-> DOM conversion goes through JSON text: one code path, lossless, and not on any hot path.
//
// Example:
//   kube::json::Value v = kube::json::to_dom(pod);
//   v.as_object()["metadata"].as_object()["labels"] = {{"app", "web"}};
//   auto labelled = kube::json::from_dom<kube::api::core::v1::Pod>(v);
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "kube/core/json.h"

namespace kube::json {

using Value = boost::json::value;
using Object = boost::json::object;
using Array = boost::json::array;

/// Parses JSON text. Throws DecodeError.
Value parse(std::string_view text);
/// Compact JSON text.
std::string serialize(const Value& value);

template <class T>
Value to_dom(const T& typed) {
  return parse(encode(typed));
}
template <class T>
T from_dom(const Value& value) {
  return decode<T>(kube::json::serialize(value));
}
Value to_dom(const Raw& raw);
Raw to_raw(const Value& value);

/// Structural equality with numbers compared by value (1 == 1.0), as JSON Patch's "test" needs.
bool equal(const Value& a, const Value& b);

}  // namespace kube::json
