// kube::runtime::MetricsRegistry: counters, gauges and histograms rendered in the Prometheus text
// exposition format (version 0.0.4), plus the readiness checks behind /readyz. MetricsServer
// (metrics_server.h) serves them over HTTP.
//
// Series are created once and updated lock-free (atomics), so they can be bumped from any thread;
// creating series and rendering take a lock.
//
// Example:
//   auto registry = std::make_shared<MetricsRegistry>();
//   Counter& done = registry->counter("jobs_total", "Jobs done.", {{"queue", "a"}});
//   done.inc();
//   std::string text = registry->render();
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace kube::runtime {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(double by = 1.0) noexcept { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void add(double by) noexcept { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value) noexcept;
  const std::vector<double>& upper_bounds() const noexcept { return bounds_; }
  /// Cumulative counts per bucket (the last is +Inf), the sum and the count.
  std::vector<std::uint64_t> cumulative_counts() const;
  double sum() const noexcept { return sum_.load(std::memory_order_relaxed); }
  std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // per bucket (not cumulative), +Inf last
  std::atomic<double> sum_{0};
  std::atomic<std::uint64_t> count_{0};
};

class MetricsRegistry {
 public:
  /// The series `name{labels}`, created on first use (same name: same type and help).
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help, std::vector<double> upper_bounds,
                       const Labels& labels = {});
  /// A gauge read from `read` at render time (queue depths, cache sizes).
  void gauge_fn(const std::string& name, const std::string& help, const Labels& labels, std::function<double()> read);
  /// A counter read from `read` at render time (totals kept elsewhere, e.g. watcher statistics).
  void counter_fn(const std::string& name, const std::string& help, const Labels& labels, std::function<double()> read);

  /// 5 ms .. 10 s, for durations in seconds.
  static std::vector<double> default_buckets();

  /// The text exposition of every series.
  std::string render() const;

  /// A named readiness check (e.g. "caches synced"); ready() is true when all of them are.
  void set_ready_check(const std::string& name, std::function<bool()> check);
  bool ready() const;
  /// The names of the checks that fail.
  std::vector<std::string> not_ready() const;

 private:
  enum class Type { Counter, Gauge, Histogram };
  struct Series {
    Labels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> read;
  };
  struct Family {
    Type type;
    std::string help;
    std::vector<std::unique_ptr<Series>> series;
  };
  Series& series(const std::string& name, Type type, const std::string& help, const Labels& labels);
  void read_fn(const std::string& name, Type type, const std::string& help, const Labels& labels,
               std::function<double()> read);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
  std::map<std::string, std::function<bool()>> ready_checks_;
};

}  // namespace kube::runtime
