// kube::log: records and spans in both formats; spans fail when an exception leaves them; nothing
// is written when logging is off.
#include "kube/runtime/log.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>
#include <stdexcept>

namespace kube::log {
namespace {

class Log : public ::testing::Test {
 protected:
  void TearDown() override { configure({.level = Level::off}); }
  std::ostringstream out;
};

TEST_F(Log, OffByDefaultAndBelowTheLevel) {
  configure({.level = Level::off, .out = &out});
  write(Level::error, "nothing");
  { Span span("quiet"); }
  configure({.level = Level::warn, .out = &out});
  write(Level::info, "below the level");
  EXPECT_EQ(out.str(), "");
  write(Level::warn, "shown");
  EXPECT_NE(out.str().find("WARN  shown"), std::string::npos) << out.str();
}

TEST_F(Log, JsonRecordsAreOneObjectPerLineWithTypedFields) {
  configure({.level = Level::info, .format = Format::json, .out = &out});
  write(Level::info, "operator \"started\"", {{"kind", "Moose"}, {"machines", 3}, {"ready", true}, {"empty", ""}});
  std::string line = out.str();
  ASSERT_EQ(line.back(), '\n');
  auto record = boost::json::parse(line).as_object();
  EXPECT_EQ(record.at("msg").as_string(), "operator \"started\"");
  EXPECT_EQ(record.at("level").as_string(), "info");
  EXPECT_EQ(record.at("kind").as_string(), "Moose");
  EXPECT_EQ(record.at("machines").as_int64(), 3);
  EXPECT_EQ(record.at("ready").as_bool(), true);
  EXPECT_FALSE(record.contains("empty"));  // empty text is left out
  EXPECT_EQ(record.at("time").as_string().size(), std::string("2026-11-22T08:00:00.000000Z").size());
}

TEST_F(Log, SpansCarryIdsDurationAndParent) {
  configure({.level = Level::info, .format = Format::json, .out = &out});
  TraceId trace = TraceId::random();
  SpanId parent_id;
  {
    Span parent("outer", trace);
    parent_id = parent.id();
    Span child("inner", trace, parent.id());
    child.set("object", std::string("default/manfred"));
  }
  std::istringstream lines(out.str());
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  auto inner = boost::json::parse(first).as_object();  // the inner span ends first
  auto outer = boost::json::parse(second).as_object();
  EXPECT_EQ(inner.at("msg").as_string(), "inner");
  EXPECT_EQ(inner.at("object").as_string(), "default/manfred");
  EXPECT_EQ(inner.at("trace_id").as_string(), trace.hex());
  EXPECT_EQ(outer.at("trace_id").as_string(), trace.hex());
  EXPECT_EQ(inner.at("parent_id").as_string(), outer.at("span_id").as_string());
  EXPECT_NE(parent_id, 0u);
  EXPECT_EQ(trace.hex().size(), 32u);
  EXPECT_GE(inner.at("duration_ms").as_double(), 0.0);
  EXPECT_FALSE(outer.contains("parent_id"));
}

TEST_F(Log, ASpanLeftByAnExceptionIsAnError) {
  configure({.level = Level::info, .format = Format::text, .out = &out});
  try {
    Span span("patch");
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  {
    Span span("explicit");
    span.fail("409 conflict");
  }
  std::string text = out.str();
  EXPECT_NE(text.find("ERROR patch error=exception"), std::string::npos) << text;
  EXPECT_NE(text.find("ERROR explicit error=\"409 conflict\""), std::string::npos) << text;
}

TEST_F(Log, TraceIdsFromUids) {
  // A machine's trace id is its object's uid.
  EXPECT_EQ(TraceId::from_text("5f0c2a3e-8b1d-4c6e-9a7f-0123456789ab").hex(), "5f0c2a3e8b1d4c6e9a7f0123456789ab");
  EXPECT_TRUE(TraceId::from_text("not-a-uuid"));
  EXPECT_EQ(TraceId::from_text("not-a-uuid").hex(), TraceId::from_text("not-a-uuid").hex());
  EXPECT_NE(TraceId::from_text("a").hex(), TraceId::from_text("b").hex());
}

TEST_F(Log, LevelsParse) {
  EXPECT_EQ(parse_level("debug"), Level::debug);
  EXPECT_EQ(parse_level("off"), Level::off);
  EXPECT_THROW(parse_level("loud"), std::exception);
}

}  // namespace
}  // namespace kube::log
