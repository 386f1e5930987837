#include "kube/runtime/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "kube/core/error.h"

namespace kube::runtime {

namespace {

std::string format_number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

void append_escaped(std::string& out, const std::string& value) {
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

std::string label_text(const Labels& labels, const std::pair<std::string, std::string>* extra = nullptr) {
  if (labels.empty() && !extra) return "";
  std::string out = "{";
  bool first = true;
  auto add = [&](const std::pair<std::string, std::string>& label) {
    if (!first) out += ',';
    first = false;
    out += label.first;
    out += "=\"";
    append_escaped(out, label.second);
    out += '"';
  };
  for (const auto& label : labels) add(label);
  if (extra) add(*extra);
  return out + "}";
}

bool valid_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':';
  });
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  buckets_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
}

void Histogram::observe(double value) noexcept {
  std::size_t i = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::cumulative_counts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    out[i] = total;
  }
  return out;
}

MetricsRegistry::Series& MetricsRegistry::series(const std::string& name, Type type, const std::string& help,
                                                 const Labels& labels) {
  if (!valid_name(name)) throw InvalidArgument("invalid metric name \"" + name + "\"");
  for (const auto& [key, value] : labels) {
    if (!valid_name(key) || key.find(':') != std::string::npos) {
      throw InvalidArgument("invalid label name \"" + key + "\" on metric " + name);
    }
  }
  auto [it, inserted] = families_.try_emplace(name, Family{type, help, {}});
  Family& family = it->second;
  if (family.type != type) throw InvalidArgument("metric " + name + " registered with another type");
  for (auto& s : family.series) {
    if (s->labels == labels) return *s;
  }
  family.series.push_back(std::make_unique<Series>());
  family.series.back()->labels = labels;
  return *family.series.back();
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  Series& s = series(name, Type::Counter, help, labels);
  if (!s.counter) {
    if (s.read) throw InvalidArgument("metric " + name + " is read from a function");
    s.counter = std::make_unique<Counter>();
  }
  return *s.counter;
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  Series& s = series(name, Type::Gauge, help, labels);
  if (!s.gauge) {
    if (s.read) throw InvalidArgument("metric " + name + " is read from a function");
    s.gauge = std::make_unique<Gauge>();
  }
  return *s.gauge;
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help, std::vector<double> upper_bounds,
                                      const Labels& labels) {
  std::lock_guard lock(mutex_);
  Series& s = series(name, Type::Histogram, help, labels);
  if (!s.histogram) s.histogram = std::make_unique<Histogram>(std::move(upper_bounds));
  return *s.histogram;
}

void MetricsRegistry::read_fn(const std::string& name, Type type, const std::string& help, const Labels& labels,
                              std::function<double()> read) {
  std::lock_guard lock(mutex_);
  Series& s = series(name, type, help, labels);
  if (s.gauge || s.counter) throw InvalidArgument("metric " + name + " is already updated directly");
  s.read = std::move(read);
}

void MetricsRegistry::gauge_fn(const std::string& name, const std::string& help, const Labels& labels,
                               std::function<double()> read) {
  read_fn(name, Type::Gauge, help, labels, std::move(read));
}

void MetricsRegistry::counter_fn(const std::string& name, const std::string& help, const Labels& labels,
                                 std::function<double()> read) {
  read_fn(name, Type::Counter, help, labels, std::move(read));
}

std::vector<double> MetricsRegistry::default_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + " " + family.help + "\n";
    out += "# TYPE " + name + " " +
           (family.type == Type::Counter ? "counter" : family.type == Type::Gauge ? "gauge" : "histogram") + "\n";
    for (const auto& s : family.series) {
      if (s->histogram) {
        const Histogram& h = *s->histogram;
        std::vector<std::uint64_t> counts = h.cumulative_counts();
        for (std::size_t i = 0; i < counts.size(); ++i) {
          std::pair<std::string, std::string> le{"le", i < h.upper_bounds().size() ? format_number(h.upper_bounds()[i]) : "+Inf"};
          out += name + "_bucket" + label_text(s->labels, &le) + " " + std::to_string(counts[i]) + "\n";
        }
        out += name + "_sum" + label_text(s->labels) + " " + format_number(h.sum()) + "\n";
        out += name + "_count" + label_text(s->labels) + " " + std::to_string(h.count()) + "\n";
        continue;
      }
      double value = s->counter ? s->counter->value() : s->gauge ? s->gauge->value() : s->read ? s->read() : 0.0;
      out += name + label_text(s->labels) + " " + format_number(value) + "\n";
    }
  }
  return out;
}

void MetricsRegistry::set_ready_check(const std::string& name, std::function<bool()> check) {
  std::lock_guard lock(mutex_);
  ready_checks_[name] = std::move(check);
}

bool MetricsRegistry::ready() const { return not_ready().empty(); }

std::vector<std::string> MetricsRegistry::not_ready() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [name, check] : ready_checks_) {
    if (!check()) out.push_back(name);
  }
  return out;
}

}  // namespace kube::runtime
