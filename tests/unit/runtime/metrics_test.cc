// Prometheus text rendering and readiness checks.
#include "kube/runtime/metrics.h"

#include <gtest/gtest.h>

#include "kube/core/error.h"

namespace kube::runtime {
namespace {

TEST(Metrics, RendersCountersGaugesAndHistogramsInTextFormat) {
  MetricsRegistry registry;
  registry.counter("jobs_total", "Jobs done.", {{"queue", "a"}}).inc();
  registry.counter("jobs_total", "Jobs done.", {{"queue", "a"}}).inc(2);
  registry.counter("jobs_total", "Jobs done.", {{"queue", "b\"x\\"}}).inc();
  registry.gauge("temperature", "Degrees.").set(-3.5);
  registry.gauge_fn("depth", "Queue depth.", {}, [] { return 7.0; });
  Histogram& h = registry.histogram("latency_seconds", "Latency.", {0.1, 1}, {{"op", "get"}});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(3);
  EXPECT_EQ(registry.render(),
            "# HELP depth Queue depth.\n"
            "# TYPE depth gauge\n"
            "depth 7\n"
            "# HELP jobs_total Jobs done.\n"
            "# TYPE jobs_total counter\n"
            "jobs_total{queue=\"a\"} 3\n"
            "jobs_total{queue=\"b\\\"x\\\\\"} 1\n"
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{op=\"get\",le=\"0.10000000000000001\"} 1\n"
            "latency_seconds_bucket{op=\"get\",le=\"1\"} 2\n"
            "latency_seconds_bucket{op=\"get\",le=\"+Inf\"} 3\n"
            "latency_seconds_sum{op=\"get\"} 3.5499999999999998\n"
            "latency_seconds_count{op=\"get\"} 3\n"
            "# HELP temperature Degrees.\n"
            "# TYPE temperature gauge\n"
            "temperature -3.5\n");
}

TEST(Metrics, RejectsBadNamesAndTypeClashes) {
  MetricsRegistry registry;
  EXPECT_THROW(registry.counter("bad-name", "x"), InvalidArgument);
  EXPECT_THROW(registry.counter("ok", "x", {{"bad:label", "v"}}), InvalidArgument);
  registry.counter("things", "x");
  EXPECT_THROW(registry.gauge("things", "x"), InvalidArgument);
}

TEST(Metrics, ReadyWhenEveryCheckPasses) {
  MetricsRegistry registry;
  EXPECT_TRUE(registry.ready());
  bool synced = false;
  registry.set_ready_check("caches", [&] { return synced; });
  EXPECT_FALSE(registry.ready());
  EXPECT_EQ(registry.not_ready(), std::vector<std::string>{"caches"});
  synced = true;
  EXPECT_TRUE(registry.ready());
}

}  // namespace
}  // namespace kube::runtime
