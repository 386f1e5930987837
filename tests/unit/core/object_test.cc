// ObjectList, WatchEvent and PartialObjectMeta.
#include "kube/core/object.h"

#include <gtest/gtest.h>

#include "kube/api/core/v1.h"
#include "kube/core/dom.h"

namespace kube {
namespace {

using api::core::v1::Pod;

TEST(ObjectList, DecodesItemsAndListMeta) {
  auto list = json::decode<ObjectList<Pod>>(
      R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42","continue":"tok","remainingItemCount":7},
          "items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]})");
  EXPECT_EQ(list.metadata.resource_version, "42");
  EXPECT_EQ(list.metadata.continue_, "tok");
  EXPECT_EQ(list.metadata.remaining_item_count, 7);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(name_of(list.items[1]), "b");
  std::string out = json::encode(list);
  EXPECT_EQ(out.rfind(R"({"apiVersion":"v1","kind":"PodList","metadata":{"continue":"tok")", 0), 0u) << out;
  EXPECT_EQ(json::decode<ObjectList<Pod>>(out), list);
  EXPECT_TRUE(json::decode<ObjectList<Pod>>(R"({"items":null})").items.empty());
}

TEST(WatchEvent, DecodesEveryEventType) {
  auto added = json::decode<WatchEvent<Pod>>(R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}})");
  EXPECT_EQ(added.type, WatchEventType::Added);
  EXPECT_EQ(name_of(added.object()), "a");
  auto deleted = json::decode<WatchEvent<Pod>>(R"({"type":"DELETED","object":{"metadata":{"name":"a"}}})");
  EXPECT_EQ(deleted.type, WatchEventType::Deleted);
  auto bookmark = json::decode<WatchEvent<Pod>>(
      R"({"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12","annotations":{"k8s.io/initial-events-end":"true"}}}})");
  EXPECT_EQ(bookmark.type, WatchEventType::Bookmark);
  EXPECT_EQ(bookmark.bookmark().resource_version, "12");
  EXPECT_TRUE(bookmark.bookmark().is_initial_events_end());
  auto error = json::decode<WatchEvent<Pod>>(
      R"j({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410,"message":"too old resource version: 1 (5)"}})j");
  EXPECT_EQ(error.type, WatchEventType::Error);
  EXPECT_EQ(error.error().code, 410);
  EXPECT_EQ(error.error().reason, "Expired");
  EXPECT_THROW(error.object(), std::bad_variant_access);
}

TEST(WatchEvent, ObjectBeforeTypeIsHandled) {
  auto e = json::decode<WatchEvent<Pod>>(R"({"object":{"metadata":{"name":"late"}},"type":"MODIFIED"})");
  EXPECT_EQ(e.type, WatchEventType::Modified);
  EXPECT_EQ(name_of(e.object()), "late");
  auto b = json::decode<WatchEvent<Pod>>(R"({"object":{"metadata":{"resourceVersion":"9"}},"type":"BOOKMARK"})");
  EXPECT_EQ(b.bookmark().resource_version, "9");
}

TEST(WatchEvent, RejectsUnknownOrMissingType) {
  EXPECT_THROW(json::decode<WatchEvent<Pod>>(R"({"type":"SOMETHING","object":{}})"), json::DecodeError);
  EXPECT_THROW(json::decode<WatchEvent<Pod>>(R"({"object":{}})"), json::DecodeError);
  EXPECT_THROW(json::decode<WatchEvent<Pod>>(R"({"type":"ADDED","object":{"spec":[]}})"), json::DecodeError);
}

TEST(WatchEvent, EncodesAsTheWireFormat) {
  WatchEvent<Pod> e;
  e.type = WatchEventType::Bookmark;
  e.payload = Bookmark{"77", {}};
  EXPECT_EQ(json::encode(e), R"({"type":"BOOKMARK","object":{"apiVersion":"v1","kind":"Pod","metadata":{"resourceVersion":"77"}}})");
  e.type = WatchEventType::Added;
  Pod p;
  p.metadata.name = "x";
  e.payload = p;
  EXPECT_EQ(json::encode(e), R"({"type":"ADDED","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"}}})");
  EXPECT_EQ(json::decode<WatchEvent<Pod>>(json::encode(e)).object(), p);
}

TEST(PartialObjectMeta, KeepsOnlyMetadata) {
  static_assert(Resource<PartialObjectMeta<Pod>>);
  static_assert(NamespaceScoped<PartialObjectMeta<Pod>>);
  auto m = json::decode<PartialObjectMeta<Pod>>(
      R"({"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"a","labels":{"x":"y"}},"spec":{"containers":[]}})");
  EXPECT_EQ(name_of(m), "a");
  EXPECT_EQ(labels_of(m.metadata).at("x"), "y");
  EXPECT_EQ(json::encode(m),
            R"({"apiVersion":"meta.k8s.io/v1","kind":"PartialObjectMetadata","metadata":{"labels":{"x":"y"},"name":"a"}})");
  auto list = json::decode<ObjectList<PartialObjectMeta<Pod>>>(R"({"items":[{"metadata":{"name":"a"}}]})");
  EXPECT_EQ(list.items.size(), 1u);
}

}  // namespace
}  // namespace kube
