#include "kube/core/dynamic_object.h"

namespace kube {

DynamicObject DynamicObject::of(const ApiResource& resource, std::string name) {
  DynamicObject obj;
  obj.api_version = resource.api_version;
  obj.kind = resource.kind;
  obj.metadata.name = std::move(name);
  return obj;
}

void read_json(json::Reader& in, DynamicObject& out) {
  in.read_object([&out](std::string_view key, json::Reader& value) {
    if (key == "apiVersion") {
      value.read(out.api_version);
    } else if (key == "kind") {
      value.read(out.kind);
    } else if (key == "metadata") {
      value.read(out.metadata);
    } else {
      value.read(out.data[boost::json::string_view(key.data(), key.size())]);
    }
  });
}

void write_json(json::Writer& out, const DynamicObject& in) {
  out.begin_object();
  out.member("apiVersion", in.api_version);
  out.member("kind", in.kind);
  out.member("metadata", in.metadata);
  for (const auto& member : in.data) {
    out.key(std::string_view(member.key().data(), member.key().size()));
    out.write(member.value());
  }
  out.end_object();
}

}  // namespace kube
