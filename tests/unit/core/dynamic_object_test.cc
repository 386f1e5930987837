#include "kube/core/dynamic_object.h"

#include <gtest/gtest.h>

#include "kube/api/apps/v1.h"
#include "kube/core/object.h"

namespace kube {
namespace {

TEST(DynamicObject, KeepsEverythingAndTypesTheMetadata) {
  const char* text =
      R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"ns","labels":{"a":"b"}},"spec":{"size":3,"tags":["x"]},"status":{"ready":true}})";
  auto w = json::decode<DynamicObject>(text);
  EXPECT_EQ(w.api_version, "example.com/v1");
  EXPECT_EQ(w.kind, "Widget");
  EXPECT_EQ(w.gvk(), (GroupVersionKind{"example.com", "v1", "Widget"}));
  EXPECT_EQ(name_of(w), "w");
  EXPECT_EQ(w.data.at("spec").at("size").as_int64(), 3);
  EXPECT_TRUE(json::equal(json::parse(json::encode(w)), json::parse(text)));
  w.data["spec"].as_object()["size"] = 4;
  EXPECT_EQ(json::decode<DynamicObject>(json::encode(w)).data.at("spec").at("size").as_int64(), 4);
}

TEST(DynamicObject, ConvertsToAndFromTypedObjects) {
  api::apps::v1::Deployment d;
  d.metadata.name = "web";
  d.spec.emplace().replicas = 2;
  auto dyn = DynamicObject::from(d);
  EXPECT_EQ(dyn.api_version, "apps/v1");
  EXPECT_EQ(dyn.kind, "Deployment");
  EXPECT_EQ(dyn.data.at("spec").at("replicas").as_int64(), 2);
  EXPECT_EQ(dyn.to<api::apps::v1::Deployment>(), d);
  dyn.data["spec"] = "not an object";
  EXPECT_THROW(dyn.to<api::apps::v1::Deployment>(), json::DecodeError);
}

TEST(DynamicObject, OfAnApiResource) {
  auto ar = ApiResource::from_gvk({"example.com", "v1", "Widget"}, "widgets");
  auto w = DynamicObject::of(ar, "w1");
  EXPECT_EQ(json::encode(w), R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1"}})");
  auto list = json::decode<ObjectList<DynamicObject>>(R"({"items":[{"apiVersion":"v1","kind":"X","metadata":{}}]})");
  EXPECT_EQ(list.items.at(0).kind, "X");
}

}  // namespace
}  // namespace kube
