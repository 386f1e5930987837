// bench/run.sh reflector: memory of a reflector caching 10,000 realistic Pods, side by side in the
// same run with an @kubernetes/client-node informer on the same server.
//
// Each configuration runs in its own process (so the figures are its own): after the client has
// connected, its resident set is the baseline; the reflector then lists and watches the pods.
//   steady  = RSS growth once the store is ready (free heap returned to the OS first, in every
//             configuration alike)
//   peak    = the largest RSS growth seen during the initial sync (sampled every 2 ms, and the
//             kernel's high-water mark)
// Configurations: typed store (decoded structs) and compact store (compressed JSON, decoded on
// read), each with and without managedFields. Goals (compact store): steady <= 1.0x the wire
// JSON, <= 0.5x with managedFields stripped, initial peak <= 1.3x steady. The last line is JSON.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/measure.h"
#include "common/pod_server.h"
#include "kube/api/core/v1.h"
#include "kube/runtime/reflector.h"

namespace fs = std::filesystem;
namespace net = boost::asio;
using kube::api::core::v1::Pod;
using namespace kube::runtime;

namespace {

std::size_t high_water_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return static_cast<std::size_t>(std::stoull(line.substr(6))) * 1024;
  }
  return 0;
}

// The measured client: prints "<objects> <steady bytes> <peak bytes>".
int child(const std::string& kubeconfig, bool compact, bool strip, std::uint32_t page_size) {
  std::size_t objects = 0, steady = 0, peak = 0;  // bytes
  kube::bench::run_coroutine([&](net::io_context& io) -> net::awaitable<void> {
    kube::Client client(io.get_executor(), kube::Config::from_kubeconfig_file(kubeconfig));
    auto pods = kube::Api<Pod>::namespaced(client, kube::bench::kPodNamespace);
    co_await pods.list({.limit = 1});  // connection, TLS and code paths warm: part of the baseline
    ::malloc_trim(0);
    std::size_t base = kube::bench::current_rss_bytes();
    std::size_t hwm_before = high_water_bytes();

    Reflector<Pod> reflector(pods, {.page_size = page_size}, {.compact = compact});
    if (strip) reflector.watcher().modify([](Pod& pod) { pod.metadata.managed_fields.reset(); });
    net::co_spawn(io, reflector.run(), net::detached);
    // Sample while syncing (the high-water mark alone would include the baseline's own peak).
    bool ready = false;
    auto sampler = [&]() -> net::awaitable<void> {
      net::steady_timer timer(io);
      while (!ready) {
        peak = std::max(peak, kube::bench::current_rss_bytes() - std::min(base, kube::bench::current_rss_bytes()));
        timer.expires_after(std::chrono::milliseconds(2));
        co_await timer.async_wait(net::use_awaitable);
      }
    };
    net::co_spawn(io, sampler(), net::detached);
    co_await reflector.store().wait_until_ready();
    ready = true;
    std::size_t hwm = high_water_bytes();
    if (hwm > hwm_before) peak = std::max(peak, hwm - base);
    ::malloc_trim(0);  // as compact stores do after a relist; applied to every configuration alike
    steady = kube::bench::current_rss_bytes() - base;
    objects = reflector.store().size();
    // The cache is usable: an object reads back whole.
    auto one = reflector.store().find([](const Pod&) { return true; });
    if (!one || !one->spec || one->spec->containers.empty()) objects = 0;
    // Report and end here, the reflector still running: the measurement is done, and tearing
    // down 10,000 objects is not part of it.
    std::printf("%zu %zu %zu\n", objects, steady, peak);
    std::fflush(stdout);
    std::_Exit(0);
  });
  return 1;  // not reached
}

struct Result {
  bool ok = false;
  double steady_mb = 0, peak_mb = 0;
};

Result measure(const std::string& kubeconfig, const char* mode, int pods, std::uint32_t page_size) {
  auto m = kube::bench::run_measured({kube::bench::self_path(), "--child", mode, kubeconfig, std::to_string(page_size)}, true);
  std::size_t objects = 0, steady = 0, peak = 0;
  if (m.exit_code != 0 || std::sscanf(m.out.c_str(), "%zu %zu %zu", &objects, &steady, &peak) != 3 ||
      objects != static_cast<std::size_t>(pods)) {
    std::fprintf(stderr, "reflector (%s) failed: %s %s\n", mode, m.out.c_str(), m.err.c_str());
    return {};
  }
  return {true, static_cast<double>(steady) / 1e6, static_cast<double>(peak) / 1e6};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 5 && std::string(argv[1]) == "--child") {
    std::string mode = argv[2];
    return child(argv[3], mode.rfind("compact", 0) == 0, mode.find("stripped") != std::string::npos,
                 static_cast<std::uint32_t>(std::atoi(argv[4])));
  }
  int pods = 10000;
  std::uint32_t page_size = 500;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--pods" && i + 1 < argc) pods = std::atoi(argv[++i]);
    if (std::string(argv[i]) == "--page-size" && i + 1 < argc) page_size = static_cast<std::uint32_t>(std::atoi(argv[++i]));
  }
  kube::bench::PodServer server(pods, "reflector");
  double wire_mb = static_cast<double>(server.wire_bytes()) / 1e6;
  std::printf("reflector: %d pods, %.1f MB of JSON on the wire (page size %u)\n", pods, wire_mb, page_size);
  const std::string kubeconfig = server.kubeconfig().string();

  Result typed = measure(kubeconfig, "typed", pods, page_size);
  Result typed_stripped = measure(kubeconfig, "typed-stripped", pods, page_size);
  Result compact = measure(kubeconfig, "compact", pods, page_size);
  Result compact_stripped = measure(kubeconfig, "compact-stripped", pods, page_size);
  auto line = [&](const char* name, const Result& r) {
    std::printf("  %-26s steady %7.1f MB (%.2fx wire)  initial peak %7.1f MB (%.2fx steady)\n", name, r.steady_mb,
                r.steady_mb / wire_mb, r.peak_mb, r.peak_mb / std::max(r.steady_mb, 1e-9));
  };
  line("typed store", typed);
  line("typed, managedFields off", typed_stripped);
  line("compact store", compact);
  line("compact, managedFields off", compact_stripped);

  // The peer: a client-node informer on the same pods (RSS growth after its initial list).
  double node_mb = -1, node_peak_mb = -1;
  fs::path node_dir = fs::path(KUBE_SOURCE_DIR) / "bench/node";
  if (fs::exists(node_dir / "node_modules/@kubernetes/client-node") && std::system("command -v node >/dev/null") == 0) {
    auto m = kube::bench::run_measured(
        {"node", "--expose-gc", (node_dir / "pod_informer.mjs").string(), kubeconfig, kube::bench::kPodNamespace}, true);
    double base = 0, steady = 0;
    long count = 0;
    if (m.exit_code == 0 && std::sscanf(m.out.c_str(), "%ld %lf %lf", &count, &base, &steady) == 3 && count == pods) {
      node_mb = (steady - base) / 1e6;
      node_peak_mb = m.peak_rss_mb * 1.048576 - base / 1e6;
      std::printf("  %-26s steady %7.1f MB (%.2fx wire)  initial peak %7.1f MB\n", "client-node informer", node_mb,
                  node_mb / wire_mb, node_peak_mb);
    } else {
      std::fprintf(stderr, "client-node informer failed (%d): %s %s\n", m.exit_code, m.out.c_str(), m.err.c_str());
    }
  } else {
    std::printf("  client-node informer: not installed (bench/run.sh installs it from npm)\n");
  }
  bool ok = typed.ok && typed_stripped.ok && compact.ok && compact_stripped.ok;
  std::printf(
      "{\"bench\":\"reflector\",\"pods\":%d,\"wire_mb\":%.1f,\"steady_rss_mb\":%.1f,\"stripped_steady_rss_mb\":%.1f,"
      "\"initial_peak_ratio\":%.2f,\"steady_vs_wire\":%.3f,\"stripped_vs_wire\":%.3f,\"typed_steady_rss_mb\":%.1f,"
      "\"typed_stripped_steady_rss_mb\":%.1f,\"typed_initial_peak_ratio\":%.2f,\"client_node_rss_mb\":%.1f,"
      "\"client_node_vs_kube_cpp\":%.2f,\"ok\":%s}\n",
      pods, wire_mb, compact.steady_mb, compact_stripped.steady_mb, compact.peak_mb / std::max(compact.steady_mb, 1e-9),
      compact.steady_mb / wire_mb, compact_stripped.steady_mb / wire_mb, typed.steady_mb, typed_stripped.steady_mb,
      typed.peak_mb / std::max(typed.steady_mb, 1e-9), node_mb, node_mb > 0 ? node_mb / compact.steady_mb : -1.0,
      ok ? "true" : "false");
  return ok ? 0 : 1;
}
