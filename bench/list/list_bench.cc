// bench/run.sh list: a LIST of 10,000 realistic Pods from kube-apiserver-lite, decoded into typed
// objects by kube::client, side by side in the same run with kubectl, the official Python client
// and @kubernetes/client-node against the same server. Each client runs as its own process, so its
// wall time and peak RSS are its own. The last line is one JSON object.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "common/measure.h"
#include "common/pod_server.h"
#include "common/realistic_pods.h"
#include "kube/api/core/v1.h"
#include "kube/client/api.h"
#include "kube/core/decode_pool.h"
#include "kube/core/dom.h"

namespace fs = std::filesystem;
namespace net = boost::asio;
using kube::api::core::v1::Pod;

namespace {

using kube::bench::kPodNamespace;
using kube::bench::self_path;
constexpr const char* kNamespace = kPodNamespace;

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

// The client under test, in its own process: LIST into typed objects, print the count.
int client_mode(const std::string& kubeconfig, bool serial) {
  if (serial) kube::json::DecodePool::configure_shared(0);
  static kube::ObjectList<Pod> list;  // kept: see the end of this function
  auto count = kube::bench::run_coroutine([&](net::io_context& io) -> net::awaitable<std::size_t> {
    kube::Client client(io.get_executor(), kube::Config::from_kubeconfig_file(kubeconfig));
    list = co_await kube::Api<Pod>::namespaced(client, kNamespace).list();
    co_return list.items.size();
  });
  std::printf("%zu\n", count);
  // Like the other clients' runtimes (Go, Python, Node), end without tearing the objects down one
  // by one: the measurement is the LIST, not the destructor of 10,000 pods.
  std::fflush(stdout);
  std::_Exit(0);
}

struct Peer {
  std::string name;
  kube::bench::Measured m;
  bool ran = false;
};

void report(const Peer& p) {
  if (p.ran) {
    std::printf("  %-12s %8.2f s  peak RSS %8.1f MB%s\n", p.name.c_str(), p.m.seconds, p.m.peak_rss_mb,
                p.m.exit_code ? "  (FAILED)" : "");
  } else {
    std::printf("  %-12s skipped (not installed)\n", p.name.c_str());
  }
  std::fflush(stdout);
}

}  // namespace

// The same LIST through the same client, bytes counted and dropped: the transport's share.
int transport_mode(const std::string& kubeconfig) {
  auto bytes = kube::bench::run_coroutine([&](net::io_context& io) -> net::awaitable<std::size_t> {
    kube::Client client(io.get_executor(), kube::Config::from_kubeconfig_file(kubeconfig));
    std::size_t received = 0;
    co_await client.send_streaming(kube::Request::of<Pod>(kNamespace).list(),
                                   [&received](std::string_view chunk) { received += chunk.size(); });
    co_return received;
  });
  std::printf("%zu\n", bytes);
  std::fflush(stdout);
  std::_Exit(0);
}

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "--client") return client_mode(argv[2], false);
  if (argc >= 3 && std::string(argv[1]) == "--client-serial") return client_mode(argv[2], true);
  if (argc >= 3 && std::string(argv[1]) == "--transport") return transport_mode(argv[2]);
  int pods = 10000;
  bool setup_only = false;  // populate, print the kubeconfig, serve until stdin closes (for profiling)
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--pods" && i + 1 < argc) pods = std::atoi(argv[++i]);
    if (std::string(argv[i]) == "--setup-only") setup_only = true;
  }
  kube::bench::PodServer server(pods, "list");
  const fs::path& work = server.work();
  const fs::path& kubeconfig = server.kubeconfig();
  const kube::Config& config = server.config();
  double populate_s = server.populate_seconds();
  double wire_mb = static_cast<double>(server.wire_bytes()) / 1e6;
  std::printf("list: %d pods, %.1f MB list (populated in %.1f s)\n", pods, wire_mb, populate_s);
  if (setup_only) {
    std::printf("serving; KUBECONFIG=%s; close stdin to stop\n", kubeconfig.c_str());
    std::fflush(stdout);
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    return 0;
  }

  std::vector<std::string> env = {"KUBECONFIG=" + kubeconfig.string()};
  // kube-cpp is cheap to run: the median of three runs of each mode (by wall time).
  auto median_run = [&](const char* mode) {
    std::vector<kube::bench::Measured> runs;
    for (int i = 0; i < 3; ++i) runs.push_back(kube::bench::run_measured({self_path(), mode, kubeconfig.string()}, true));
    std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.seconds < b.seconds; });
    return runs[1];
  };
  Peer kube_cpp{"kube-cpp", median_run("--client"), true};
  report(kube_cpp);
  if (kube_cpp.m.exit_code != 0 || std::atoi(kube_cpp.m.out.c_str()) != pods) {
    std::fprintf(stderr, "kube-cpp list failed: %s %s\n", kube_cpp.m.out.c_str(), kube_cpp.m.err.c_str());
    return 1;
  }
  Peer serial{"  one thread", median_run("--client-serial"), true};
  report(serial);
  Peer transport{"  no decode", median_run("--transport"), true};
  report(transport);
  Peer kubectl{"kubectl", {}, false};
  if (std::system("command -v kubectl >/dev/null") == 0) {
    kubectl.m = kube::bench::run_measured({"kubectl", "get", "pods", "-n", kNamespace, "-o", "json"}, false, env);
    kubectl.ran = true;
  }
  report(kubectl);
  Peer python{"python", {}, false};
  if (std::system("/usr/bin/python3 -c 'import kubernetes' 2>/dev/null") == 0) {
    std::string script = "from kubernetes import client, config\nconfig.load_kube_config('" + kubeconfig.string() +
                         "')\nprint(len(client.CoreV1Api().list_namespaced_pod('" + kNamespace + "').items))\n";
    python.m = kube::bench::run_measured({"/usr/bin/python3", "-c", script}, false);
    python.ran = true;
  }
  report(python);
  Peer node{"client-node", {}, false};
  fs::path node_dir = fs::path(KUBE_SOURCE_DIR) / "bench/node";
  if (fs::exists(node_dir / "node_modules/@kubernetes/client-node") && std::system("command -v node >/dev/null") == 0) {
    node.m = kube::bench::run_measured({"node", (node_dir / "list_pods.mjs").string(), kubeconfig.string(), kNamespace});
    node.ran = true;
  }
  report(node);
  Peer curl{"curl", {}, false};
  if (std::system("command -v curl >/dev/null") == 0) {
    write_file(work / "ca.pem", config.root_ca_pem);
    write_file(work / "cert.pem", config.auth.client_certificate_pem);
    write_file(work / "key.pem", config.auth.client_key_pem);
    curl.m = kube::bench::run_measured({"curl", "-sf", "--cacert", (work / "ca.pem").string(), "--cert",
                                        (work / "cert.pem").string(), "--key", (work / "key.pem").string(), "-o",
                                        "/dev/null", config.cluster_url + "/api/v1/namespaces/bench/pods"});
    curl.ran = true;
  }
  report(curl);

  auto seconds = [](const Peer& p) { return p.ran && p.m.exit_code == 0 ? p.m.seconds : -1.0; };
  auto rss = [](const Peer& p) { return p.ran && p.m.exit_code == 0 ? p.m.peak_rss_mb : -1.0; };
  auto ratio = [&](const Peer& p) { return seconds(p) > 0 ? seconds(p) / kube_cpp.m.seconds : -1.0; };
  std::printf(
      "{\"bench\":\"list\",\"pods\":%d,\"wire_mb\":%.1f,\"kube_cpp_s\":%.3f,\"kube_cpp_rss_mb\":%.1f,"
      "\"kube_cpp_rss_vs_wire\":%.2f,\"kubectl_s\":%.2f,\"kubectl_rss_mb\":%.1f,\"python_s\":%.2f,\"python_rss_mb\":%.1f,"
      "\"client_node_s\":%.2f,\"client_node_rss_mb\":%.1f,\"curl_s\":%.3f,\"kubectl_vs_kube_cpp\":%.1f,"
      "\"python_vs_kube_cpp\":%.1f,\"client_node_vs_kube_cpp\":%.1f,\"kube_cpp_one_thread_s\":%.3f,"
      "\"kube_cpp_no_decode_s\":%.3f}\n",
      pods, wire_mb, kube_cpp.m.seconds, kube_cpp.m.peak_rss_mb, kube_cpp.m.peak_rss_mb / (wire_mb / 1.048576),
      seconds(kubectl), rss(kubectl), seconds(python), rss(python), seconds(node), rss(node), seconds(curl),
      ratio(kubectl), ratio(python), ratio(node), seconds(serial), seconds(transport));
  return 0;
}
