// kube::DynamicObject: an object of any kind, known only at run time (kubectl-style tools,
// custom resources without a C++ type, generic controllers). Its metadata is typed; everything
// else (spec, status, data...) stays a mutable JSON object.
//
// Example:
//   auto ar = kube::ApiResource::from_gvk({"example.com", "v1", "Widget"}, "widgets");
//   kube::DynamicObject w = kube::DynamicObject::of(ar, "w1");
//   w.data["spec"] = {{"size", 3}};
//   auto typed = w.to<MyWidget>();            // any type with JSON support
#pragma once

#include <string>

#include "kube/core/dom.h"
#include "kube/core/resource.h"

namespace kube {

struct DynamicObject {
  std::string api_version;
  std::string kind;
  ObjectMeta metadata;
  json::Object data;  // every top-level member except apiVersion, kind and metadata

  /// An empty object of `resource`'s kind named `name`.
  static DynamicObject of(const ApiResource& resource, std::string name);
  /// The object converted from a typed one (through JSON).
  template <class T>
  static DynamicObject from(const T& typed) {
    return json::decode<DynamicObject>(json::encode(typed));
  }
  /// This object as a typed T (through JSON). Throws json::DecodeError.
  template <class T>
  T to() const {
    return json::decode<T>(json::encode(*this));
  }

  GroupVersionKind gvk() const { return GroupVersionKind::from_api_version(api_version, kind); }
  bool operator==(const DynamicObject&) const = default;
};

void read_json(json::Reader& in, DynamicObject& out);
void write_json(json::Writer& out, const DynamicObject& in);

}  // namespace kube
