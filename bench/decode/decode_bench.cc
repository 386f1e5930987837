// bench/run.sh decode: typed decoding of a realistic 10,000-Pod list, side by side in the same
// run with the raw simdjson parse of the same bytes (the practical limit) and a Boost.JSON DOM
// parse (a common peer), plus encoding. Each phase runs in a fresh process so that its peak RSS is
// its own. The last line of output is one JSON object with every figure.
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "common/realistic_pods.h"
#include "kube/api/core/v1.h"
#include "kube/core/object.h"
#include "support/subprocess.h"

namespace {

using Clock = std::chrono::steady_clock;
using PodList = kube::ObjectList<kube::api::core::v1::Pod>;

struct Options {
  int pods = 10000;
  int iterations = 7;
  std::string phase = "all";
};

// Median throughput in MB/s (1 MB = 10^6 bytes) of `iterations` runs of `body` over `bytes`.
// `before` runs untimed ahead of each run (e.g. to free the previous run's result).
template <class F, class G = void (*)()>
double median_mb_s(std::size_t bytes, int iterations, F&& body, G&& before = [] {}) {
  std::vector<double> rates;
  for (int i = 0; i < iterations; ++i) {
    before();
    auto start = Clock::now();
    body();
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    rates.push_back(static_cast<double>(bytes) / 1e6 / seconds);
  }
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

int run_phase(const Options& opt) {
  std::string text = kube::bench::realistic_pod_list(opt.pods);
  text.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  double rate = 0;
  std::size_t items = 0;
  if (opt.phase == "typed") {
    // Decoding only: freeing the previous result happens outside the timed region.
    std::optional<PodList> kept;
    rate = median_mb_s(
        text.size(), opt.iterations, [&] { kept.emplace(kube::json::decode_in_place<PodList>(text)); },
        [&] { kept.reset(); });
    items = kept->items.size();  // the peak RSS below is with one decoded list alive
    std::printf("{\"phase\":\"typed\",\"mb_s\":%.1f,\"items\":%zu,\"peak_rss_mb\":%.1f}\n", rate, items,
                kube::bench::peak_rss_mib());
    return 0;
  }
  if (opt.phase == "raw") {
    simdjson::dom::parser parser;
    rate = median_mb_s(text.size(), opt.iterations, [&] {
      simdjson::dom::element doc;
      if (parser.parse(text.data(), text.size(), false).get(doc)) std::abort();
      items = doc["items"].get_array().size();
    });
  } else if (opt.phase == "dom") {
    rate = median_mb_s(text.size(), opt.iterations, [&] {
      boost::json::value v = boost::json::parse(text);
      items = v.at("items").as_array().size();
    });
  } else if (opt.phase == "encode") {
    PodList list = kube::json::decode_in_place<PodList>(text);
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    std::size_t size = kube::json::encode(list).size();
    rate = median_mb_s(size, opt.iterations, [&] {
      out.clear();
      kube::json::encode_to(list, out);
    });
    items = list.items.size();
  } else {
    std::fprintf(stderr, "unknown phase %s\n", opt.phase.c_str());
    return 2;
  }
  std::printf("{\"phase\":\"%s\",\"mb_s\":%.1f,\"items\":%zu,\"peak_rss_mb\":%.1f}\n", opt.phase.c_str(), rate,
              items, kube::bench::peak_rss_mib());
  return 0;
}

// Runs one phase in a fresh process and returns {mb_s, peak_rss_mb}.
std::pair<double, double> child_phase(const std::string& self, const Options& opt, const std::string& phase) {
  auto result = kube::testing::run({self, "--phase", phase, "--pods", std::to_string(opt.pods), "--iterations",
                                    std::to_string(opt.iterations)});
  double rate = 0, rss = 0;
  const char* p = std::strstr(result.out.c_str(), "\"mb_s\":");
  const char* q = std::strstr(result.out.c_str(), "\"peak_rss_mb\":");
  if (result.exit_code != 0 || !p || !q) {
    std::fprintf(stderr, "phase %s failed: %s%s\n", phase.c_str(), result.out.c_str(), result.err.c_str());
    std::exit(1);
  }
  rate = std::atof(p + 7);
  rss = std::atof(q + 14);
  std::printf("  %-6s %9.1f MB/s  peak RSS %7.1f MB\n", phase.c_str(), rate, rss);
  std::fflush(stdout);
  return {rate, rss};
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--pods") opt.pods = std::atoi(argv[i + 1]);
    if (flag == "--iterations") opt.iterations = std::atoi(argv[i + 1]);
    if (flag == "--phase") opt.phase = argv[i + 1];
  }
  if (opt.phase != "all") return run_phase(opt);

  std::string self = "/proc/self/exe";
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n > 0) self.assign(path, static_cast<std::size_t>(n));

  std::string sample = kube::bench::realistic_pod(0);
  double wire_mb = static_cast<double>(kube::bench::realistic_pod_list(opt.pods).size()) / 1e6;
  std::printf("decode: %d pods, %.1f MB list, %zu bytes per pod (%zu of managedFields), %d iterations\n",
               opt.pods, wire_mb, sample.size(), kube::bench::managed_fields_bytes(0), opt.iterations);
  auto [typed, typed_rss] = child_phase(self, opt, "typed");
  auto [raw, raw_rss] = child_phase(self, opt, "raw");
  auto [dom, dom_rss] = child_phase(self, opt, "dom");
  auto [encode, encode_rss] = child_phase(self, opt, "encode");
  std::printf(
      "{\"bench\":\"decode\",\"pods\":%d,\"wire_mb\":%.1f,\"pod_bytes\":%zu,\"managed_fields_bytes\":%zu,"
      "\"typed_decode_mb_s\":%.1f,\"raw_parse_mb_s\":%.1f,\"dom_parse_mb_s\":%.1f,\"encode_mb_s\":%.1f,"
      "\"typed_vs_raw\":%.3f,\"typed_vs_dom\":%.2f,\"peak_rss_mb\":%.1f,\"peak_rss_vs_wire\":%.2f,"
      "\"raw_peak_rss_mb\":%.1f,\"dom_peak_rss_mb\":%.1f}\n",
      opt.pods, wire_mb, sample.size(), kube::bench::managed_fields_bytes(0), typed, raw, dom, encode, typed / raw,
      typed / dom, typed_rss, typed_rss / wire_mb, raw_rss, dom_rss);
  return 0;
}
