// Schemas derived from structs (kube/core/custom_resource.h) are structural, and the API server's
// validation accepts what the typed encoder writes and refuses what the struct could not hold.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>

#include "apiserver/structural_schema.h"
#include "kube/core/custom_resource.h"
#include "kube/core/dom.h"

namespace derived {

enum class Level { Low, High };
KUBE_ENUM(Level, {Level::Low, "low"}, {Level::High, "high"});

struct Item {
  std::string name;
  std::optional<Level> level;
  bool operator==(const Item&) const = default;
};
KUBE_FIELDS(Item, KUBE_FIELD(name).pattern("^[a-z]+$"), KUBE_FIELD(level));

struct Everything {
  bool flag = false;
  std::int32_t count = 0;
  std::int64_t total = 0;
  double ratio = 0;
  float weight = 0;
  std::string text;
  Level level = Level::Low;
  std::vector<Item> items;
  std::map<std::string, Item> by_name;
  std::map<std::string, std::vector<std::int32_t>> lists;
  std::optional<Item> maybe;
  kube::OptionalBox<Item> boxed;
  kube::json::Raw anything;
  std::optional<kube::json::Raw> more;
  kube::Quantity memory;
  kube::IntOrString port;
  std::optional<kube::Time> since;
  std::optional<kube::ByteString> blob;
  std::int32_t retries = 3;
  bool operator==(const Everything&) const = default;
};
KUBE_FIELDS(Everything, KUBE_FIELD(flag), KUBE_FIELD(count).minimum(0).maximum(10), KUBE_FIELD(total),
            KUBE_FIELD(ratio), KUBE_FIELD(weight), KUBE_FIELD(text).doc("Free text."), KUBE_FIELD(level),
            KUBE_FIELD(items), KUBE_FIELD(by_name), KUBE_FIELD(lists), KUBE_FIELD(maybe), KUBE_FIELD(boxed),
            KUBE_FIELD(anything), KUBE_FIELD(more), KUBE_FIELD(memory), KUBE_FIELD(port), KUBE_FIELD(since),
            KUBE_FIELD(blob), KUBE_FIELD(retries).defaulted());

struct EverythingStatus {
  std::optional<std::vector<Item>> seen;
  std::optional<std::int32_t> replicas;
  bool operator==(const EverythingStatus&) const = default;
};
KUBE_FIELDS(EverythingStatus, KUBE_FIELD(seen), KUBE_FIELD(replicas));

KUBE_CUSTOM_RESOURCE(Thing, Everything, EverythingStatus, .group = "things.example.com", .version = "v1beta1",
                     .scale = kube::ScaleSubresource{.spec_replicas_path = ".spec.count",
                                                     .status_replicas_path = ".status.replicas"},
                     .description = "Every kind of member.");

}  // namespace derived

namespace kube::apiserver {

void PrintTo(const FieldError& e, std::ostream* os) { *os << "{" << e.type << ", " << e.field << ", " << e.message << "}"; }

namespace {

using derived::Level;
using derived::Thing;
using ::testing::IsEmpty;

json::Value schema() { return json::to_dom(*Thing::crd().spec.versions.at(0).schema->open_api_v3_schema); }

Thing full() {
  Thing t;
  t.metadata.name = "t";
  auto& s = t.spec;
  s.flag = true;
  s.count = 7;
  s.total = std::int64_t{1} << 40;
  s.ratio = 0.5;
  s.weight = 2.5f;
  s.text = "hello";
  s.level = Level::High;
  s.items = {{"a", Level::Low}, {"b", std::nullopt}};
  s.by_name = {{"x", {"c", Level::High}}};
  s.lists = {{"primes", {2, 3, 5}}};
  s.maybe = derived::Item{"d", std::nullopt};
  s.boxed.emplace().name = "e";
  s.anything = json::Raw::parse(R"({"free":["form",1,null,{"deep":true}]})");
  s.more = json::Raw::parse("42");
  s.memory = Quantity("1.5Gi");
  s.port = IntOrString("http");
  s.since = Time::parse("2024-05-01T10:00:00Z");
  s.blob = ByteString{"bytes"};
  t.status = derived::EverythingStatus{std::vector<derived::Item>{{"f", Level::Low}}, 1};
  return t;
}

TEST(DerivedCrd, SchemaIsStructural) { EXPECT_THAT(check_structural_schema(schema()), IsEmpty()); }

TEST(DerivedCrd, TypedObjectsValidateUnchanged) {
  for (Thing t : {full(), Thing{}}) {
    if (!t.metadata.name) {
      t.metadata.name = "empty";
      t.spec.memory = Quantity("0");  // the empty Quantity ("") is not a quantity
    }
    json::Value object = json::to_dom(t);
    const json::Value before = object;
    SchemaResult result = apply_structural_schema(object, schema());
    EXPECT_THAT(result.errors, IsEmpty()) << json::serialize(before);
    EXPECT_THAT(result.unknown, IsEmpty());
    EXPECT_EQ(object, before);  // nothing pruned, nothing defaulted
    EXPECT_EQ(json::from_dom<Thing>(object), t);
  }
}

TEST(DerivedCrd, ServerRefusesWhatTheStructCannotHold) {
  auto errors_for = [](std::string_view patch) {
    json::Value object = json::to_dom(full());
    json::Value change = json::parse(patch);
    for (const auto& [k, v] : change.as_object()) object.as_object()["spec"].as_object()[k] = v;
    std::vector<std::string> fields;
    for (const FieldError& e : apply_structural_schema(object, schema()).errors) fields.push_back(e.field);
    return fields;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(errors_for(R"({"count": "7"})"), V{".spec.count"});
  EXPECT_EQ(errors_for(R"({"count": 11})"), V{".spec.count"});
  EXPECT_EQ(errors_for(R"({"count": 1.5})"), V{".spec.count"});
  EXPECT_EQ(errors_for(R"({"level": "medium"})"), V{".spec.level"});
  EXPECT_EQ(errors_for(R"({"items": [{"name": "ok"}, {"name": "Not OK"}]})"), V{".spec.items[1].name"});
  EXPECT_EQ(errors_for(R"({"by_name": {}, "byName": {"x": {"level": "high"}}})"), V{".spec.byName.x.name"});
  EXPECT_EQ(errors_for(R"({"lists": {"a": ["x"]}})"), V{".spec.lists.a[0]"});
  EXPECT_EQ(errors_for(R"({"port": 1.5})"), V{".spec.port"});
  EXPECT_EQ(errors_for(R"({"since": "yesterday"})"), V{".spec.since"});
  EXPECT_EQ(errors_for(R"({"flag": null})"), V{".spec.flag"});
}

TEST(DerivedCrd, MissingDefaultedMemberIsDefaulted) {
  json::Value object = json::to_dom(full());
  object.as_object()["spec"].as_object().erase("retries");
  EXPECT_THAT(apply_structural_schema(object, schema()).errors, IsEmpty());
  EXPECT_EQ(object.at("spec").at("retries"), 3);
  json::Value without_text = json::to_dom(full());
  without_text.as_object()["spec"].as_object().erase("text");
  auto errors = apply_structural_schema(without_text, schema()).errors;
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].type, "FieldValueRequired");
  EXPECT_EQ(errors[0].field, ".spec.text");
}

}  // namespace
}  // namespace kube::apiserver
