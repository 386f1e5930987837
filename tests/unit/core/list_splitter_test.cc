// ListSplitter: items split out of a list body fed in arbitrary chunks, and ObjectList decoding on
// top of it.
#include "kube/core/list_splitter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <stdexcept>

#include "kube/api/core/v1.h"
#include "kube/core/decode_pool.h"
#include "kube/core/dom.h"
#include "kube/core/object.h"

namespace kube::json {
namespace {

struct Split {
  std::vector<std::string> items;
  std::string envelope;
};

// Feeds `text` in chunks of `chunk` bytes (each chunk copied, as from a socket).
Split split(std::string_view text, std::size_t chunk) {
  ListSplitter splitter;
  Split out;
  for (std::size_t pos = 0; pos < text.size(); pos += chunk) {
    std::string piece(text.substr(pos, chunk));
    splitter.feed(piece, [&](std::string_view item, bool) { out.items.emplace_back(item); });
  }
  splitter.finish();
  out.envelope = splitter.envelope();
  return out;
}

const std::string kList =
    R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7","items":["not these"]},)"
    R"( "items" : [ {"metadata":{"name":"a","annotations":{"x":"}]{[\"\\"}}} , )"
    R"({"metadata":{"name":"b\u00e9"},"spec":{"containers":[{"name":"c","args":["[","{"]}]}}],"extra":{"items":[1]}})";

TEST(ListSplitter, SplitsItemsAtEveryChunkSize) {
  Split whole = split(kList, kList.size());
  ASSERT_EQ(whole.items.size(), 2u);
  EXPECT_EQ(whole.items[0], R"({"metadata":{"name":"a","annotations":{"x":"}]{[\"\\"}}})");
  EXPECT_EQ(whole.items[1], R"({"metadata":{"name":"b\u00e9"},"spec":{"containers":[{"name":"c","args":["[","{"]}]}})");
  EXPECT_TRUE(equal(parse(whole.envelope),
                    parse(R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7","items":["not these"]},"items":[],"extra":{"items":[1]}})")))
      << whole.envelope;
  for (std::size_t chunk = 1; chunk < kList.size(); ++chunk) {
    Split s = split(kList, chunk);
    EXPECT_EQ(s.items, whole.items) << "chunk size " << chunk;
    EXPECT_EQ(s.envelope, whole.envelope) << "chunk size " << chunk;
  }
}

TEST(ListSplitter, ItemsAnywhereAndEmpty) {
  EXPECT_EQ(split(R"({"items":[{"a":1}],"metadata":{}})", 100).items.size(), 1u);
  EXPECT_EQ(split(R"({"items":[]})", 100).items.size(), 0u);
  EXPECT_EQ(split(R"({"items":null,"metadata":{}})", 100).envelope, R"({"items":null,"metadata":{}})");
  // An escaped member name is not recognised: the items stay in the envelope (and still decode).
  Split escaped = split(R"({"it\u0065ms":[{"a":1}]})", 3);
  EXPECT_TRUE(escaped.items.empty());
  EXPECT_EQ(escaped.envelope, R"({"it\u0065ms":[{"a":1}]})");
}

// Long items with strings full of braces, quotes and backslash runs of every length, across
// 64-byte blocks and chunk boundaries: the split items equal the DOM parser's.
TEST(ListSplitter, AgreesWithAFullParserOnTrickyItems) {
  std::mt19937 rng(42);
  const std::string alphabet = "{}[]\\\\\"\"ab, :";
  std::string list = R"({"kind":"List","items":[)";
  for (int item = 0; item < 200; ++item) {
    if (item) list += ",";
    json::Object o;
    for (int field = 0; field < 1 + static_cast<int>(rng() % 6); ++field) {
      std::string text;
      for (int k = 0; k < static_cast<int>(rng() % 90); ++k) text.push_back(alphabet[rng() % alphabet.size()]);
      o["f" + std::to_string(field)] = json::Object{{"s", text}, {"a", json::Array{text, 1, json::Object{{"x", text}}}}};
    }
    list += serialize(json::Value(o));
  }
  list += R"(],"metadata":{"resourceVersion":"1"}})";
  json::Value expected = parse(list);
  for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{63}, std::size_t{64}, std::size_t{65},
                            std::size_t{1000}, list.size()}) {
    Split s = split(list, chunk);
    ASSERT_EQ(s.items.size(), 200u) << "chunk " << chunk;
    for (std::size_t i = 0; i < s.items.size(); ++i) {
      EXPECT_TRUE(equal(parse(s.items[i]), expected.at("items").at(i))) << "chunk " << chunk << " item " << i;
    }
  }
}

TEST(ListSplitter, RejectsMalformedBodies) {
  for (const char* bad : {"", "[]", "{\"items\":[1]}", "{\"items\":[\"x\"]}", "{\"items\":[{}]", "{\"items\":[{}]}}",
                          "{\"items\":[{}]} x", "{\"a\":\"unterminated}", "}"}) {
    EXPECT_THROW(split(bad, 4), DecodeError) << bad;
  }
}

TEST(ObjectListDecode, StreamsItemsAndKeepsMetadata) {
  auto list = decode<ObjectList<api::core::v1::Pod>>(kList);
  ASSERT_EQ(list.items.size(), 2u);
  EXPECT_EQ(name_of(list.items[1]), "b\xc3\xa9");
  EXPECT_EQ(list.items[1].spec->containers[0].args->at(1), "{");
  EXPECT_EQ(list.metadata.resource_version, "7");
  std::string buffer = kList;
  EXPECT_EQ(decode_in_place<ObjectList<api::core::v1::Pod>>(buffer), list);
  auto fallback = decode<ObjectList<api::core::v1::Pod>>(R"({"it\u0065ms":[{"metadata":{"name":"z"}}]})");
  ASSERT_EQ(fallback.items.size(), 1u);
  EXPECT_EQ(name_of(fallback.items[0]), "z");
}

TEST(ObjectListDecode, ErrorsNameTheItem) {
  try {
    decode<ObjectList<api::core::v1::Pod>>(R"({"items":[{},{"spec":{"containers":[{"name":1}]}}]})");
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.path(), ".items[1].spec.containers[0].name");
  }
  EXPECT_THROW(decode<ObjectList<api::core::v1::Pod>>(R"({"items":[{"metadata":{"name":"a"}}],"metadata":{"resourceVersion":5}})"),
               DecodeError);
}

// ---- decoding on a DecodePool ---------------------------------------------------------------------

// A list of `count` pods, each with a name carrying its index and enough bulk to pass the parallel
// threshold after a few hundred items.
std::string numbered_pod_list(int count, int broken_index = -1) {
  std::string bulk(4000, 'x');
  std::string out = R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42"},"items":[)";
  for (int i = 0; i < count; ++i) {
    if (i) out += ',';
    out += R"({"metadata":{"name":"pod-)" + std::to_string(i) + R"(","annotations":{"bulk":")" + bulk + R"("}},)";
    out += i == broken_index ? R"("spec":{"containers":[{"name":7}]}})" : R"("spec":{"containers":[{"name":"c"}]}})";
  }
  return out + "]}";
}

ObjectList<api::core::v1::Pod> decode_on_pool(const std::string& text, DecodePool& pool, std::size_t chunk) {
  ListDecoder<api::core::v1::Pod> decoder(&pool);
  for (std::size_t pos = 0; pos < text.size(); pos += chunk) decoder.feed(std::string(text.substr(pos, chunk)));
  return decoder.finish();
}

TEST(ListDecoderOnPool, KeepsOrderAndEqualsTheSerialDecode) {
  std::string text = numbered_pod_list(2000);  // ~8 MB: most items go through the pool
  auto serial = decode<ObjectList<api::core::v1::Pod>>(text);
  for (unsigned threads : {1U, 3U}) {
    DecodePool pool(threads);
    for (std::size_t chunk : {std::size_t{1000}, std::size_t{65536}}) {
      auto parallel = decode_on_pool(text, pool, chunk);
      ASSERT_EQ(parallel.items.size(), 2000u);
      for (int i = 0; i < 2000; ++i) ASSERT_EQ(name_of(parallel.items[i]), "pod-" + std::to_string(i));
      EXPECT_EQ(parallel.metadata.resource_version, "42");
      EXPECT_EQ(parallel, serial);
    }
  }
}

TEST(ListDecoderOnPool, ErrorsNameTheEarliestBadItem) {
  DecodePool pool(2);
  std::string text = numbered_pod_list(1500, 1200);
  // A second bad item later on: the error reported is still the first one.
  std::string::size_type later = text.rfind(R"("name":"c")");
  text.replace(later, 10, R"("name":false)");
  try {
    decode_on_pool(text, pool, 4096);
    FAIL() << "decoded a list with bad items";
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.path(), ".items[1200].spec.containers[0].name");
  }
  // The pool is still usable, and a truncated list is still an error.
  EXPECT_EQ(decode_on_pool(numbered_pod_list(300), pool, 8192).items.size(), 300u);
  std::string truncated = numbered_pod_list(600);
  truncated.resize(truncated.size() - 3);
  EXPECT_THROW(decode_on_pool(truncated, pool, 8192), DecodeError);
}

TEST(DecodePool, BatchRunsEveryTaskOnceAndWaits) {
  DecodePool pool(2);
  std::vector<int> runs(5000, 0);
  {
    DecodePool::Batch batch(pool, 100);  // small queue: the submitter runs many tasks itself
    for (int i = 0; i < 5000; ++i) batch.submit([&runs, i] { ++runs[static_cast<std::size_t>(i)]; }, 10);
    batch.wait();
  }
  EXPECT_EQ(std::count(runs.begin(), runs.end(), 1), 5000);
}

TEST(DecodePool, WaitRethrowsTheFirstFailureBySubmissionOrder) {
  DecodePool pool(2);
  DecodePool::Batch batch(pool, 1 << 20);
  std::atomic<int> done{0};
  for (int i = 0; i < 200; ++i) {
    batch.submit(
        [i, &done] {
          ++done;
          if (i == 150 || i == 37) throw std::runtime_error("task " + std::to_string(i));
        },
        1);
  }
  try {
    batch.wait();
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "task 37");
  }
  EXPECT_EQ(done.load(), 200);
}

TEST(DecodePool, SharedPoolCanBeSizedOnlyBeforeFirstUse) {
  DecodePool* shared = DecodePool::shared();
  ASSERT_NE(shared, nullptr);
  EXPECT_GE(shared->threads(), 1u);
  EXPECT_FALSE(DecodePool::configure_shared(0));
  EXPECT_EQ(DecodePool::shared(), shared);
}

}  // namespace
}  // namespace kube::json
