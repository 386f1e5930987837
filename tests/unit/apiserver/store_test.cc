// The store: revisions, ranges, consistent reads at old revisions, history, durability and recovery.
#include "apiserver/store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "apiserver/dom_util.h"
#include "kube/core/dom.h"

namespace kube::apiserver {
namespace {

namespace fs = std::filesystem;

void index(StoredObject& o, const json::Value& dom) {
  o.name = string_at(dom, {"metadata", "name"});
  o.namespace_ = string_at(dom, {"metadata", "namespace"});
}

// Posts run inline: the durable log's completions are applied by pump().
struct Inline {
  std::vector<std::function<void()>> queue;
  std::mutex mutex;
  Store::Post post() {
    return [this](std::function<void()> fn) {
      std::lock_guard lock(mutex);
      queue.push_back(std::move(fn));
    };
  }
  // Runs posted work until `done` holds (the log thread completes asynchronously).
  template <class Pred>
  void pump(Pred done) {
    for (int i = 0; i < 5000 && !done(); ++i) {
      std::vector<std::function<void()>> work;
      {
        std::lock_guard lock(mutex);
        work.swap(queue);
      }
      for (auto& fn : work) fn();
      if (!done()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_TRUE(done());
  }
};

json::Value object(std::string_view name, std::string_view value = "x") {
  return json::Object{{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                      {"metadata", json::Object{{"name", name}, {"namespace", "ns"}}},
                      {"data", json::Object{{"v", value}}}};
}

std::vector<std::string> names(const Store& store, std::string_view prefix, std::optional<std::uint64_t> at = {},
                               std::string_view after = "") {
  std::vector<std::string> out;
  auto visit = [&](const ObjectPtr& o) {
    out.push_back(o->name + "=" + string_at(json::parse(o->json), {"data", "v"}));
    return true;
  };
  if (at) {
    store.range_at(*at, prefix, after, visit);
  } else {
    store.range(prefix, after, visit);
  }
  return out;
}

TEST(Store, RevisionsRangesAndResourceVersions) {
  Inline loop;
  Store store({}, index, loop.post());
  store.open();
  auto a = object("a");
  auto b = object("b");
  EXPECT_EQ(store.put(storage_key("", "configmaps", "ns", "b"), b)->revision, 1u);
  EXPECT_EQ(store.put(storage_key("", "configmaps", "ns", "a"), a)->revision, 2u);
  EXPECT_EQ(string_at(a, {"metadata", "resourceVersion"}), "2");
  EXPECT_EQ(store.revision(), 2u);
  EXPECT_EQ(store.durable_revision(), 2u);  // in memory: durable at once
  EXPECT_EQ(names(store, storage_prefix("", "configmaps", "ns")), (std::vector<std::string>{"a=x", "b=x"}));
  EXPECT_EQ(names(store, storage_prefix("", "configmaps", "ns"), {}, storage_key("", "configmaps", "ns", "a")),
            (std::vector<std::string>{"b=x"}));
  EXPECT_TRUE(names(store, storage_prefix("", "configmaps", "other")).empty());
  auto removed = store.remove(storage_key("", "configmaps", "ns", "a"));
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->revision, 3u);
  EXPECT_NE(removed->json.find("\"resourceVersion\":\"3\""), std::string::npos);
  EXPECT_FALSE(store.remove(storage_key("", "configmaps", "ns", "a")));
}

TEST(Store, ReadsAtAnOldRevisionSeeThatSnapshot) {
  Inline loop;
  Store store({}, index, loop.post());
  store.open();
  std::string prefix = storage_prefix("", "configmaps", "ns");
  for (auto n : {"a", "b", "c"}) {
    auto o = object(n, "1");
    store.put(storage_key("", "configmaps", "ns", n), o);
  }
  std::uint64_t snapshot = store.revision();  // a=1 b=1 c=1
  auto b2 = object("b", "2");
  store.put(storage_key("", "configmaps", "ns", "b"), b2);
  store.remove(storage_key("", "configmaps", "ns", "c"));
  auto d = object("d", "1");
  store.put(storage_key("", "configmaps", "ns", "d"), d);
  auto a2 = object("a", "2");
  store.put(storage_key("", "configmaps", "ns", "a"), a2);
  EXPECT_EQ(names(store, prefix), (std::vector<std::string>{"a=2", "b=2", "d=1"}));
  EXPECT_EQ(names(store, prefix, snapshot), (std::vector<std::string>{"a=1", "b=1", "c=1"}));
  EXPECT_EQ(names(store, prefix, snapshot, storage_key("", "configmaps", "ns", "a")),
            (std::vector<std::string>{"b=1", "c=1"}));
  EXPECT_EQ(names(store, prefix, snapshot + 1), (std::vector<std::string>{"a=1", "b=2", "c=1"}));
  store.compact_history(store.revision());
  EXPECT_THROW(names(store, prefix, snapshot), RevisionCompacted);
}

TEST(Store, HistoryWindowBoundsResumption) {
  Inline loop;
  Store::Options options;
  options.history = 3;
  Store store(options, index, loop.post());
  store.open();
  for (int i = 0; i < 5; ++i) {
    auto o = object("o" + std::to_string(i));
    store.put(storage_key("", "configmaps", "ns", "o" + std::to_string(i)), o);
  }
  EXPECT_EQ(store.compacted_revision(), 2u);
  std::vector<std::uint64_t> seen;
  store.events_after(2, "", [&](const StoreEvent& e) { seen.push_back(e.revision); });
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{3, 4, 5}));
  EXPECT_THROW(store.events_after(1, "", [](const StoreEvent&) {}), RevisionCompacted);
}

TEST(Store, ListenersSeeEventsWithPreviousState) {
  Inline loop;
  Store store({}, index, loop.post());
  store.open();
  std::vector<std::string> events;
  auto id = store.subscribe([&](const StoreEvent& e) {
    const char* type = e.type == EventType::Added ? "ADDED" : e.type == EventType::Modified ? "MODIFIED" : "DELETED";
    events.push_back(std::string(type) + " " + e.object->name + (e.previous ? " prev" : ""));
  });
  auto a = object("a");
  store.put(storage_key("", "configmaps", "ns", "a"), a);
  auto a2 = object("a", "y");
  store.put(storage_key("", "configmaps", "ns", "a"), a2);
  store.remove(storage_key("", "configmaps", "ns", "a"));
  store.unsubscribe(id);
  auto b = object("b");
  store.put(storage_key("", "configmaps", "ns", "b"), b);
  EXPECT_EQ(events, (std::vector<std::string>{"ADDED a", "MODIFIED a prev", "DELETED a prev"}));
}

class DurableStore : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kube-store-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(DurableStore, WritesBecomeVisibleToListenersOnlyWhenDurable) {
  Inline loop;
  Store::Options options;
  options.data_dir = dir_.string();
  Store store(options, index, loop.post());
  store.open();
  int events = 0;
  store.subscribe([&](const StoreEvent&) { ++events; });
  bool acknowledged = false;
  auto a = object("a");
  auto stored = store.put(storage_key("", "configmaps", "ns", "a"), a);
  store.when_durable(stored->revision, [&] { acknowledged = true; });
  EXPECT_EQ(store.get(storage_key("", "configmaps", "ns", "a"))->revision, 1u);  // applied at once
  loop.pump([&] { return acknowledged; });
  EXPECT_EQ(events, 1);
  EXPECT_EQ(store.durable_revision(), 1u);
}

TEST_F(DurableStore, RecoversObjectsRevisionsAndHistory) {
  {
    Inline loop;
    Store::Options options;
    options.data_dir = dir_.string();
    Store store(options, index, loop.post());
    store.open();
    for (auto n : {"a", "b", "c"}) {
      auto o = object(n);
      store.put(storage_key("", "configmaps", "ns", n), o);
    }
    auto b2 = object("b", "2");
    store.put(storage_key("", "configmaps", "ns", "b"), b2);
    store.remove(storage_key("", "configmaps", "ns", "c"));
    loop.pump([&] { return store.durable_revision() == 5; });
  }
  Inline loop;
  Store::Options options;
  options.data_dir = dir_.string();
  Store store(options, index, loop.post());
  store.open();
  EXPECT_EQ(store.revision(), 5u);
  EXPECT_EQ(names(store, storage_prefix("", "configmaps", "ns")), (std::vector<std::string>{"a=x", "b=2"}));
  EXPECT_EQ(store.get(storage_key("", "configmaps", "ns", "b"))->revision, 4u);
  std::vector<std::uint64_t> history;
  store.events_after(0, "", [&](const StoreEvent& e) { history.push_back(e.revision); });
  EXPECT_EQ(history, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  auto d = object("d");
  EXPECT_EQ(store.put(storage_key("", "configmaps", "ns", "d"), d)->revision, 6u);
}

TEST_F(DurableStore, TornTailIsDiscardedAndSnapshotsCompactTheLog) {
  {
    Inline loop;
    Store::Options options;
    options.data_dir = dir_.string();
    options.snapshot_after_bytes = 200;  // snapshot after a couple of writes
    Store store(options, index, loop.post());
    store.open();
    for (int i = 0; i < 6; ++i) {
      auto o = object("o" + std::to_string(i));
      store.put(storage_key("", "configmaps", "ns", "o" + std::to_string(i)), o);
      loop.pump([&] { return store.durable_revision() == static_cast<std::uint64_t>(i + 1); });
    }
  }
  EXPECT_TRUE(fs::exists(dir_ / "snapshot"));
  {
    // A crash in the middle of writing a record: garbage at the end of the log.
    std::ofstream log(dir_ / "log", std::ios::binary | std::ios::app);
    log << std::string("\x40\x00\x00\x00garbage", 11);
  }
  Inline loop;
  Store::Options options;
  options.data_dir = dir_.string();
  Store store(options, index, loop.post());
  store.open();
  EXPECT_EQ(store.revision(), 6u);
  EXPECT_EQ(names(store, storage_prefix("", "configmaps", "ns")).size(), 6u);
  auto o = object("o6");
  EXPECT_EQ(store.put(storage_key("", "configmaps", "ns", "o6"), o)->revision, 7u);
  loop.pump([&] { return store.durable_revision() == 7; });
}

TEST(Crc32c, KnownVector) {
  // RFC 3720's check value for "123456789".
  EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);
}

}  // namespace
}  // namespace kube::apiserver
