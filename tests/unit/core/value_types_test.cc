// Quantity, IntOrString, Time, MicroTime, ByteString and OptionalBox.
#include <gtest/gtest.h>

#include "kube/api/apps/v1.h"
#include "kube/api/coordination/v1.h"
#include "kube/api/core/v1.h"
#include "kube/core/error.h"
#include "kube/core/json.h"

namespace kube {
namespace {

TEST(Quantity, ParsesTheApiServerGrammar) {
  EXPECT_EQ(Quantity("250m").milli_value(), 250);
  EXPECT_EQ(Quantity("1").milli_value(), 1000);
  EXPECT_EQ(Quantity("1.5").milli_value(), 1500);
  EXPECT_EQ(Quantity("2k").value(), 2000);
  EXPECT_EQ(Quantity("1Ki").value(), 1024);
  EXPECT_EQ(Quantity("1Gi").value(), 1073741824);
  EXPECT_EQ(Quantity("1.5Gi").value(), 1610612736);
  EXPECT_EQ(Quantity("128974848").value(), 128974848);
  EXPECT_EQ(Quantity("129e6").value(), 129000000);
  EXPECT_EQ(Quantity("123Mi").value(), 128974848);
  EXPECT_EQ(Quantity("1E-3").milli_value(), 1);
  EXPECT_EQ(Quantity("-250m").milli_value(), -250);
  EXPECT_EQ(Quantity("+5").value(), 5);
  EXPECT_EQ(Quantity(".5").milli_value(), 500);
  EXPECT_EQ(Quantity("5.").milli_value(), 5000);
  EXPECT_EQ(Quantity("0.000001").milli_value(), 1);  // rounded up, like MilliValue()
  EXPECT_EQ(Quantity("100n").milli_value(), 1);
  EXPECT_EQ(Quantity("1u").value(), 1);
  EXPECT_EQ(Quantity("1.1").value(), 2);  // Value() rounds up
  EXPECT_EQ(Quantity("-1.1").value(), -1);
  EXPECT_DOUBLE_EQ(Quantity("1.5Mi").as_double(), 1.5 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(Quantity("3e-2").as_double(), 0.03);
}

TEST(Quantity, RejectsMalformedText) {
  for (const char* bad : {"", "m", "1.2.3", "1Q", "1 Gi", "1ki", "1e", "1e+", "--1", "1Gi2", ".", "e3"}) {
    EXPECT_FALSE(Quantity::is_valid(bad)) << bad;
    EXPECT_THROW(Quantity(bad).milli_value(), InvalidArgument) << bad;
  }
  for (const char* good : {"0", "1", "1.0", "100m", "5Ei", "1e3", "1E-9", "+1", "-0.5k"}) {
    EXPECT_TRUE(Quantity::is_valid(good)) << good;
  }
}

TEST(Quantity, OverflowIsReportedNotWrapped) {
  EXPECT_THROW(Quantity("16Ei").value(), InvalidArgument);
  EXPECT_THROW(Quantity("1e30").milli_value(), InvalidArgument);
  EXPECT_GT(Quantity("1e30").as_double(), 9e29);
}

TEST(Quantity, ComparesNumerically) {
  EXPECT_EQ(Quantity("1000m").compare(Quantity("1")), 0);
  EXPECT_EQ(Quantity("1Ki").compare(Quantity("1024")), 0);
  EXPECT_LT(Quantity("999m").compare(Quantity("1")), 0);
  EXPECT_GT(Quantity("1Gi").compare(Quantity("1G")), 0);
  EXPECT_GT(Quantity("1e30").compare(Quantity("1e29")), 0);
  EXPECT_NE(Quantity("1000m"), Quantity("1"));  // == is textual (round-trip fidelity)
}

TEST(Quantity, JsonAcceptsStringsAndNumbersAndKeepsText) {
  auto r = json::decode<api::core::v1::ResourceRequirements>(R"({"limits":{"cpu":1,"memory":"1.5Gi"},"requests":{"cpu":0.5}})");
  EXPECT_EQ(r.limits->at("cpu").str(), "1");
  EXPECT_EQ(r.limits->at("memory").str(), "1.5Gi");
  EXPECT_EQ(r.requests->at("cpu").milli_value(), 500);
  EXPECT_EQ(json::encode(r), R"({"limits":{"cpu":"1","memory":"1.5Gi"},"requests":{"cpu":"0.5"}})");
  EXPECT_THROW(json::decode<api::core::v1::ResourceRequirements>(R"({"limits":{"cpu":true}})"), json::DecodeError);
}

TEST(IntOrString, HoldsEitherAndRoundTrips) {
  IntOrString port = 8080;
  IntOrString named = "http";
  EXPECT_TRUE(port.is_int());
  EXPECT_EQ(port.int_value(), 8080);
  EXPECT_TRUE(named.is_string());
  EXPECT_EQ(named.str_value(), "http");
  EXPECT_EQ(port.to_string(), "8080");
  EXPECT_NE(IntOrString(1), IntOrString("1"));
  auto probe = json::decode<api::core::v1::HTTPGetAction>(R"({"port":"http","path":"/"})");
  EXPECT_EQ(probe.port, IntOrString("http"));
  EXPECT_EQ(json::encode(json::decode<api::core::v1::HTTPGetAction>(R"({"port":80})")), R"({"port":80})");
  EXPECT_THROW(json::decode<api::core::v1::HTTPGetAction>(R"({"port":[1]})"), json::DecodeError);
  EXPECT_THROW(json::decode<api::core::v1::HTTPGetAction>(R"({"port":4294967296})"), json::DecodeError);
}

TEST(IntOrString, ScalesPercentages) {
  EXPECT_EQ(IntOrString("25%").scaled_value(10, true), 3);
  EXPECT_EQ(IntOrString("25%").scaled_value(10, false), 2);
  EXPECT_EQ(IntOrString("100%").scaled_value(7, false), 7);
  EXPECT_EQ(IntOrString(4).scaled_value(100, true), 4);
  EXPECT_THROW(IntOrString("abc").scaled_value(10, true), InvalidArgument);
  EXPECT_THROW(IntOrString("x%").scaled_value(10, true), InvalidArgument);
}

TEST(Time, ParsesRfc3339AndNormalisesToUtcSeconds) {
  EXPECT_EQ(Time::parse("2024-05-01T12:00:00Z").to_string(), "2024-05-01T12:00:00Z");
  EXPECT_EQ(Time::parse("2024-05-01T14:30:00+02:30").to_string(), "2024-05-01T12:00:00Z");
  EXPECT_EQ(Time::parse("2024-05-01T00:00:00.999-01:00").to_string(), "2024-05-01T01:00:00Z");
  EXPECT_EQ(Time::parse("2024-02-29t23:59:59z").to_string(), "2024-02-29T23:59:59Z");
  EXPECT_EQ(Time::parse("1970-01-01T00:00:00Z").time_point().time_since_epoch().count(), 0);
  EXPECT_LT(Time::parse("2024-01-01T00:00:00Z"), Time::parse("2024-01-01T00:00:01Z"));
  for (const char* bad : {"", "2024-05-01", "2024-05-01T12:00:00", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
                          "2024-05-01T24:00:00Z", "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00Zx",
                          "2024-05-01 12:00:00Z", "2024-05-01T12:00:00+0200"}) {
    EXPECT_THROW(Time::parse(bad), InvalidArgument) << bad;
  }
}

TEST(MicroTime, KeepsMicroseconds) {
  EXPECT_EQ(MicroTime::parse("2024-05-01T12:00:00.123456Z").to_string(), "2024-05-01T12:00:00.123456Z");
  EXPECT_EQ(MicroTime::parse("2024-05-01T12:00:00.1234567Z").to_string(), "2024-05-01T12:00:00.123456Z");
  EXPECT_EQ(MicroTime::parse("2024-05-01T12:00:00Z").to_string(), "2024-05-01T12:00:00.000000Z");
  auto lease = json::decode<api::coordination::v1::Lease>(
      R"({"spec":{"renewTime":"2024-05-01T12:00:00.500000Z","acquireTime":"2024-05-01T11:00:00Z"}})");
  EXPECT_EQ(json::encode(lease.spec->renew_time),
            R"("2024-05-01T12:00:00.500000Z")");
  EXPECT_THROW(json::decode<api::coordination::v1::Lease>(R"({"spec":{"renewTime":"yesterday"}})"), json::DecodeError);
}

TEST(Time, BadTimestampInJsonNamesThePath) {
  try {
    json::decode<api::core::v1::Pod>(R"({"metadata":{"creationTimestamp":"2024-99-01T00:00:00Z"}})");
    FAIL();
  } catch (const json::DecodeError& e) {
    EXPECT_EQ(e.path(), ".metadata.creationTimestamp");
  }
}

TEST(ByteString, Base64BothWays) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(base64_decode("Zm9vYmE"), "fooba");
  EXPECT_THROW(base64_decode("Zm9v!"), InvalidArgument);
  EXPECT_THROW(base64_decode("Z"), InvalidArgument);
  auto secret = json::decode<api::core::v1::Secret>(R"({"data":{"bin":"AP8BAg=="}})");
  EXPECT_EQ(secret.data->at("bin").bytes, std::string("\x00\xff\x01\x02", 4));
  EXPECT_EQ(json::encode(secret), R"({"apiVersion":"v1","kind":"Secret","data":{"bin":"AP8BAg=="},"metadata":{}})");
  EXPECT_THROW(json::decode<api::core::v1::Secret>(R"({"data":{"x":"not base64!"}})"), json::DecodeError);
}

TEST(OptionalBox, BehavesLikeOptionalWithValueSemantics) {
  OptionalBox<api::core::v1::PodSpec> a;
  EXPECT_FALSE(a);
  EXPECT_EQ(a, std::nullopt);
  EXPECT_THROW(a.value(), std::bad_optional_access);
  a.emplace().hostname = "h";
  OptionalBox<api::core::v1::PodSpec> b = a;  // deep copy
  b->hostname = "other";
  EXPECT_EQ(a->hostname, "h");
  EXPECT_NE(a, b);
  b = a;
  EXPECT_EQ(a, b);
  OptionalBox<api::core::v1::PodSpec> c = std::move(b);
  EXPECT_TRUE(c);
  c = std::nullopt;
  EXPECT_FALSE(c);
  c = api::core::v1::PodSpec{};
  EXPECT_TRUE(c.has_value());
  EXPECT_EQ(c.get_or_emplace().hostname, std::nullopt);
  // Absent nested objects cost one pointer.
  EXPECT_EQ(sizeof(OptionalBox<api::core::v1::PodSpec>), sizeof(void*));
}

}  // namespace
}  // namespace kube
