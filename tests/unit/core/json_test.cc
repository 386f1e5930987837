// Typed JSON decoding/encoding: leniency, errors with paths, Raw, escaping, numbers.
#include "kube/core/json.h"

#include <gtest/gtest.h>

#include <limits>

#include "kube/api/apps/v1.h"
#include "kube/api/core/v1.h"
#include "kube/core/dom.h"

namespace kube::json {
namespace {

using api::apps::v1::Deployment;
using api::core::v1::ConfigMap;
using api::core::v1::Container;
using api::core::v1::Pod;

// The message of the DecodeError `f` throws ("" if it does not throw one).
template <class F>
std::string decode_error(F&& f) {
  try {
    f();
  } catch (const DecodeError& e) {
    return e.what();
  }
  return "";
}

TEST(JsonDecode, MissingAndNullMembersKeepDefaults) {
  auto pod = decode<Pod>(R"({"metadata":{"name":null,"labels":null},"spec":null,"status":{"phase":null}})");
  EXPECT_FALSE(pod.metadata.name);
  EXPECT_FALSE(pod.metadata.labels);
  EXPECT_FALSE(pod.spec);
  ASSERT_TRUE(pod.status);
  EXPECT_FALSE(pod.status->phase);
  // A required member that is null or missing keeps its default too.
  auto c = decode<Container>(R"({"name":null,"image":"nginx"})");
  EXPECT_EQ(c.name, "");
  EXPECT_EQ(c.image, "nginx");
}

TEST(JsonDecode, UnknownMembersAreIgnoredAtEveryLevel) {
  auto pod = decode<Pod>(
      R"({"future":{"a":[1,{"b":null}]},"metadata":{"name":"p","zzz":true},"spec":{"containers":[{"name":"c","newField":"x"}]}})");
  EXPECT_EQ(pod.metadata.name, "p");
  ASSERT_TRUE(pod.spec);
  ASSERT_EQ(pod.spec->containers.size(), 1u);
  EXPECT_EQ(pod.spec->containers[0].name, "c");
}

TEST(JsonDecode, ApiVersionAndKindAreImpliedByTheType) {
  auto cm = decode<ConfigMap>(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v"}})");
  std::string out = encode(cm);
  EXPECT_EQ(out, R"({"apiVersion":"v1","kind":"ConfigMap","data":{"k":"v"},"metadata":{"name":"c"}})");
}

TEST(JsonDecode, ApiVersionAndKindMustMatchTheTypeWhenPresent) {
  EXPECT_EQ(decode_error([] { decode<Pod>(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}})"); }),
            "cannot decode JSON at .kind: kind is \"ConfigMap\", expected \"Pod\"");
  EXPECT_EQ(decode_error([] { decode<Deployment>(R"({"apiVersion":"apps/v1beta1","kind":"Deployment"})"); }),
            "cannot decode JSON at .apiVersion: apiVersion is \"apps/v1beta1\", expected \"apps/v1\"");
  EXPECT_NO_THROW(decode<Pod>(R"({"apiVersion":null,"kind":null})"));
  // Nested objects that carry apiVersion/kind as data are not affected.
  auto pod = decode<Pod>(R"({"metadata":{"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"r","uid":"u"}]}})");
  EXPECT_EQ(pod.metadata.owner_references->at(0).kind, "ReplicaSet");
}

TEST(JsonDecode, EscapedStringsAndKeysAreUnescaped) {
  auto cm = decode<ConfigMap>(R"({"m\u0065tadata":{"name":"a\"b\\c\n\u00e9\ud83d\ude00"}})");
  EXPECT_EQ(cm.metadata.name, "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(JsonDecode, TypeMismatchNamesThePath) {
  EXPECT_EQ(decode_error([] { decode<Deployment>(R"({"spec":{"replicas":"3"}})"); }),
            "cannot decode JSON at .spec.replicas: expected integer, got string");
  EXPECT_EQ(decode_error([] { decode<Pod>(R"({"spec":{"containers":[{"name":"a"},{"name":7}]}})"); }),
            "cannot decode JSON at .spec.containers[1].name: expected string, got number 7");
  EXPECT_EQ(decode_error([] { decode<Pod>(R"({"metadata":{"labels":{"a":["x"]}}})"); }),
            "cannot decode JSON at .metadata.labels.a: expected string, got array");
  EXPECT_EQ(decode_error([] { decode<Pod>(R"({"spec":"x"})"); }),
            "cannot decode JSON at .spec: expected object, got string");
}

TEST(JsonDecode, IntegersAreRangeChecked) {
  EXPECT_EQ(decode<Deployment>(R"({"spec":{"replicas":2147483647}})").spec->replicas, 2147483647);
  EXPECT_NE(decode_error([] { decode<Deployment>(R"({"spec":{"replicas":2147483648}})"); }).find("32-bit"),
            std::string::npos);
  EXPECT_NE(decode_error([] { decode<Deployment>(R"({"spec":{"replicas":1.5}})"); }).find("expected integer"),
            std::string::npos);
  EXPECT_EQ(decode<Pod>(R"({"metadata":{"generation":9223372036854775807}})").metadata.generation,
            std::numeric_limits<std::int64_t>::max());
  EXPECT_NE(decode_error([] { decode<Pod>(R"({"metadata":{"generation":9223372036854775808}})"); }), "");
}

TEST(JsonDecode, MalformedJsonIsAnError) {
  for (const char* bad : {"", "{", "{\"metadata\":", "{\"metadata\":{}", "{\"a\" 1}", "{\"a\":1,}", "[1,2",
                          "{} {}", "{\"spec\":{\"containers\":[{\"name\":\"x\"}]}} x", "{'a':1}", "nul",
                          "{\"spec\":{\"hostNetwork\":tru}}", "\xff\xfe"}) {
    EXPECT_NE(decode_error([&] { decode<Pod>(bad); }), "") << "input: " << bad;
  }
}

TEST(JsonDecode, TopLevelMustBeAnObjectForObjects) {
  EXPECT_EQ(decode_error([] { decode<Pod>("[]"); }), "cannot decode JSON: expected object, got array");
  EXPECT_EQ(decode_error([] { decode<Pod>("42"); }),
            "cannot decode JSON: expected a JSON object or array at the top level");
}

TEST(JsonDecode, NullTopLevelObjectGivesDefault) {
  EXPECT_EQ(decode<Pod>("{}"), Pod{});
}

TEST(JsonDecode, InPlaceDecodingMatchesCopyingDecoding) {
  std::string text = R"({"metadata":{"name":"p","namespace":"ns"}})";
  std::string buffer = text;
  buffer.shrink_to_fit();
  EXPECT_EQ(decode_in_place<Pod>(buffer), decode<Pod>(text));
  EXPECT_EQ(buffer, text);  // the content is untouched; only capacity may grow
}

TEST(JsonDecode, DeeplyNestedInputFailsCleanly) {
  std::string deep = R"({"metadata":{"managedFields":[{"fieldsV1":)";
  for (int i = 0; i < 5000; ++i) deep += "[";
  EXPECT_NE(decode_error([&] { decode<Pod>(deep); }), "");
}

TEST(JsonEncode, OptionalsAreOmittedAndEmptyContainersKept) {
  Pod pod;
  pod.metadata.name = "p";
  pod.metadata.labels.emplace();  // present but empty: kept as {}
  pod.spec.emplace().containers.push_back(Container{.args = std::vector<std::string>{}, .name = "c"});
  EXPECT_EQ(encode(pod),
            R"({"apiVersion":"v1","kind":"Pod","metadata":{"labels":{},"name":"p"},"spec":{"containers":[{"args":[],"name":"c"}]}})");
}

TEST(JsonEncode, StringsAreEscaped) {
  ConfigMap cm;
  cm.data.emplace()["k"] = "quote\" backslash\\ nl\n tab\t ctl\x01 del\x7f \xc3\xa9";
  EXPECT_EQ(encode(cm),
            R"({"apiVersion":"v1","kind":"ConfigMap","data":{"k":"quote\" backslash\\ nl\n tab\t ctl\u0001 del)"
            "\x7f \xc3\xa9\"},\"metadata\":{}}");
}

TEST(JsonEncode, InvalidUtf8BecomesReplacementCharacters) {
  ConfigMap cm;
  cm.metadata.name = std::string("a\xff" "b\xc3", 4);  // stray byte and truncated sequence
  EXPECT_NE(encode(cm).find(R"("name":"a\ufffdb\ufffd")"), std::string::npos);
  // Overlong encodings and surrogates are invalid too.
  cm.metadata.name = std::string("\xc0\xaf\xed\xa0\x80", 5);
  std::string out = encode(cm);
  EXPECT_EQ(out.find('\xc0'), std::string::npos);
  EXPECT_EQ(out.find('\xed'), std::string::npos);
  EXPECT_NO_THROW(parse(out));
}

TEST(JsonEncode, NumbersAndBooleans) {
  std::string out;
  Writer w(out);
  w.begin_array();
  w.write(std::int32_t{-5});
  w.write(std::int64_t{9007199254740993});
  w.write(0.5);
  w.write(true);
  w.write_null();
  w.end_array();
  EXPECT_EQ(out, "[-5,9007199254740993,0.5,true,null]");
  EXPECT_THROW(w.write(std::numeric_limits<double>::infinity()), kube::Error);
}

TEST(Raw, KeepsAnyValueCompactAndLossless) {
  EXPECT_EQ(Raw::parse(" { \"a\" : [ 1 , 2.50e1 , \"x y\" , true , null ] } ").text(),
            R"({"a":[1,2.50e1,"x y",true,null]})");
  EXPECT_EQ(Raw::parse("\"s\"").text(), "\"s\"");
  EXPECT_EQ(Raw::parse("-0.5").text(), "-0.5");
  EXPECT_TRUE(Raw::parse(" null ").is_null());
  for (const char* bad : {"", "{", "[1,]", "01", "1.", "\"\\x\"", "\"a", "tru", "{} {}", "{\"a\"}", "\"\x01\""}) {
    EXPECT_THROW(Raw::parse(bad), DecodeError) << bad;
  }
}

TEST(Raw, FreeFormFieldsRoundTrip) {
  const char* text =
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"managedFields":[{"fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"k:{\"name\":\"c\"}":{}}},"manager":"kubectl"}]}})";
  auto pod = decode<Pod>(text);
  ASSERT_TRUE(pod.metadata.managed_fields);
  const auto& fields = (*pod.metadata.managed_fields)[0].fields_v1;
  ASSERT_TRUE(fields);
  EXPECT_EQ(fields->text(), R"({"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"k:{\"name\":\"c\"}":{}}})");
  EXPECT_TRUE(equal(parse(encode(pod)), parse(std::string(text))));
}

TEST(Raw, ScalarRawValuesRoundTrip) {
  // RawExtension may hold any JSON value (ControllerRevision.data).
  for (const char* value : {"\"text\"", "12", "-1.5e-3", "true", "[1,{\"a\":\"\\u00e9\"}]"}) {
    std::string text = std::string(R"({"data":)") + value + "}";
    auto rev = decode<api::apps::v1::ControllerRevision>(text);
    ASSERT_TRUE(rev.data) << value;
    EXPECT_TRUE(equal(parse(rev.data->text()), parse(value))) << value;
  }
}

TEST(Reader, DomValuesDecodeWithNumberKinds) {
  auto v = decode<Value>(R"({"i":-3,"u":18446744073709551615,"d":1.25,"s":"x","n":null,"a":[true]})");
  const Object& o = v.as_object();
  EXPECT_TRUE(o.at("i").is_int64());
  EXPECT_TRUE(o.at("u").is_uint64());
  EXPECT_TRUE(o.at("d").is_double());
  EXPECT_EQ(o.at("s").as_string(), "x");
  EXPECT_TRUE(o.at("n").is_null());
  EXPECT_TRUE(o.at("a").as_array()[0].as_bool());
}

TEST(Dom, TypedObjectsConvertBothWays) {
  Pod pod;
  pod.metadata.name = "p";
  pod.metadata.labels.emplace()["app"] = "web";
  Value v = to_dom(pod);
  EXPECT_EQ(v.at("metadata").at("labels").at("app").as_string(), "web");
  v.as_object()["metadata"].as_object()["namespace"] = "prod";
  Pod back = from_dom<Pod>(v);
  EXPECT_EQ(back.metadata.namespace_, "prod");
  EXPECT_EQ(back.metadata.labels, pod.metadata.labels);
  EXPECT_THROW(parse("{"), DecodeError);
}

TEST(Dom, EqualComparesNumbersByValue) {
  EXPECT_TRUE(equal(parse("[1, 1.0, {\"a\":2}]"), parse("[1.0, 1, {\"a\":2.0}]")));
  EXPECT_FALSE(equal(parse("{\"a\":1}"), parse("{\"a\":\"1\"}")));
  EXPECT_FALSE(equal(parse("{\"a\":1}"), parse("{\"a\":1,\"b\":2}")));
  EXPECT_TRUE(equal(parse("18446744073709551615"), parse("18446744073709551615")));
  EXPECT_FALSE(equal(parse("-1"), parse("18446744073709551615")));
}

TEST(DecodeError, ReportsReasonAndPathSeparately) {
  try {
    decode<Pod>(R"({"spec":{"containers":[{"ports":[{"containerPort":"x"}]}]}})");
    FAIL() << "no error";
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.path(), ".spec.containers[0].ports[0].containerPort");
    EXPECT_EQ(e.reason(), "expected integer, got string");
  }
}

TEST(JsonDecode, NestedDecodeInsideACallbackUsesItsOwnParser) {
  // A reader callback that decodes another document must not disturb the outer one.
  Value outer;
  decode_with(R"({"a":{"text":"{\"inner\":1}"},"b":2})", [&](Reader& root) {
    root.read_object([&](std::string_view key, Reader& value) {
      if (key == "a") {
        value.read_object([&](std::string_view, Reader& v) {
          auto inner = decode<Value>(v.read_string_view());
          outer.emplace_object()["inner"] = inner.at("inner");
        });
      } else {
        std::int64_t b = 0;
        value.read(b);
        outer.as_object()["b"] = b;
      }
    });
  });
  EXPECT_TRUE(equal(outer, parse(R"({"inner":1,"b":2})")));
}

}  // namespace
}  // namespace kube::json
