// Store and StoreWriter: events applied in order, a relist swapped in whole at InitDone, readers
// never see a half-relisted cache, held objects stay valid; the compact mode behaves the same.
#include "kube/runtime/store.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "kube/api/core/v1.h"

namespace kube::runtime {
namespace {

using api::core::v1::ConfigMap;

ConfigMap cm(std::string name, std::string value, std::string rv) {
  ConfigMap c;
  c.metadata.name = std::move(name);
  c.metadata.namespace_ = "ns";
  c.metadata.resource_version = std::move(rv);
  c.data = std::map<std::string, std::string>{{"k", std::move(value)}};
  return c;
}

Event<ConfigMap> ev(EventType type, ConfigMap object = {}) { return Event<ConfigMap>{type, std::move(object)}; }

std::map<std::string, std::string> contents(const Store<ConfigMap>& store) {
  std::map<std::string, std::string> out;
  for (const auto& c : store.state()) out[std::string(name_of(*c))] = c->data->at("k");
  return out;
}

class StoreTest : public ::testing::TestWithParam<bool> {
 protected:
  boost::asio::io_context io;
  StoreWriter<ConfigMap> writer{io.get_executor(), StoreConfig{.compact = GetParam()}};
  Store<ConfigMap> store = writer.store();
};

TEST_P(StoreTest, AppliesEventsAndSwapsARelistInAtInitDone) {
  EXPECT_FALSE(store.is_ready());
  writer.apply(ev(EventType::Init));
  writer.apply(ev(EventType::InitApply, cm("a", "1", "10")));
  writer.apply(ev(EventType::InitApply, cm("b", "1", "11")));
  EXPECT_EQ(store.size(), 0u);  // the first list is not visible until complete
  EXPECT_FALSE(store.is_ready());
  writer.apply(ev(EventType::InitDone));
  EXPECT_TRUE(store.is_ready());
  EXPECT_EQ(contents(store), (std::map<std::string, std::string>{{"a", "1"}, {"b", "1"}}));

  auto held = store.get({"a", "ns"});
  ASSERT_NE(held, nullptr);
  auto applied = writer.apply(ev(EventType::Apply, cm("c", "1", "12")));
  EXPECT_EQ(applied->metadata.name, "c");  // what subscribers receive
  writer.apply(ev(EventType::Apply, cm("a", "2", "13")));
  auto deleted = writer.apply(ev(EventType::Delete, cm("b", "1", "14")));
  EXPECT_EQ(deleted->metadata.name, "b");  // the final state of the deleted object
  EXPECT_EQ(contents(store), (std::map<std::string, std::string>{{"a", "2"}, {"c", "1"}}));
  EXPECT_EQ(held->data->at("k"), "1");  // a reader's object is immutable and stays valid

  // A relist: readers keep the old state until InitDone, then see exactly the new one (c was
  // deleted while the watcher was away: it disappears; d appeared).
  writer.apply(ev(EventType::Init));
  writer.apply(ev(EventType::InitApply, cm("a", "3", "20")));
  writer.apply(ev(EventType::InitApply, cm("d", "1", "21")));
  EXPECT_EQ(contents(store), (std::map<std::string, std::string>{{"a", "2"}, {"c", "1"}}));
  writer.apply(ev(EventType::InitDone));
  EXPECT_EQ(contents(store), (std::map<std::string, std::string>{{"a", "3"}, {"d", "1"}}));
  EXPECT_EQ(store.get({"c", "ns"}), nullptr);
  EXPECT_EQ(store.get({"a", "other"}), nullptr);
  EXPECT_EQ(store.size(), 2u);
  auto found = store.find([](const ConfigMap& c) { return c.data->at("k") == "1"; });
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->metadata.name, "d");
  EXPECT_EQ(store.get({"d", "ns"})->metadata.resource_version, "21");
  EXPECT_EQ(store.is_compact(), GetParam());
}

TEST_P(StoreTest, DeleteOfAnUnknownObjectIsHarmless) {
  writer.apply(ev(EventType::Init));
  writer.apply(ev(EventType::InitDone));
  writer.apply(ev(EventType::Delete, cm("ghost", "1", "5")));
  EXPECT_EQ(store.size(), 0u);
  EXPECT_TRUE(store.is_ready());
}

INSTANTIATE_TEST_SUITE_P(TypedAndCompact, StoreTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Compact" : "Typed"; });

TEST(CompactPacking, RoundTripsAndRejectsGarbage) {
  std::string text(5000, 'x');
  text += "{\"some\":\"json\"}";
  std::string packed = detail::pack(text);
  EXPECT_LT(packed.size(), text.size() / 10);
  EXPECT_EQ(detail::unpack(packed), text);
  EXPECT_THROW(detail::unpack("not zstd"), Error);
}

}  // namespace
}  // namespace kube::runtime
