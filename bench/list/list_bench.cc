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
#include "common/realistic_pods.h"
#include "kube/api/core/v1.h"
#include "kube/client/api.h"
#include "kube/core/decode_pool.h"
#include "kube/core/dom.h"

namespace fs = std::filesystem;
namespace net = boost::asio;
using kube::api::core::v1::Pod;

namespace {

constexpr const char* kNamespace = "bench";

std::string self_path() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  return n > 0 ? std::string(path, static_cast<std::size_t>(n)) : "/proc/self/exe";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

template <class F>
auto run(F&& make) {
  net::io_context io;
  auto future = net::co_spawn(io, make(io), net::use_future);
  io.run();
  return future.get();
}

// The client under test, in its own process: LIST into typed objects, print the count.
int client_mode(const std::string& kubeconfig, bool serial) {
  if (serial) kube::json::DecodePool::configure_shared(0);
  static kube::ObjectList<Pod> list;  // kept: see the end of this function
  auto count = run([&](net::io_context& io) -> net::awaitable<std::size_t> {
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

// Creates `pods` realistic pods (with their status) through the API, 32 at a time.
void populate(const kube::Config& config, int pods) {
  net::io_context io;
  kube::Client client(io.get_executor(), config);
  std::exception_ptr failure;
  auto record = [&failure](std::exception_ptr e) {
    if (e && !failure) failure = e;
  };
  net::co_spawn(
      io,
      [&]() -> net::awaitable<void> {
        kube::api::core::v1::Namespace ns;
        ns.metadata.name = kNamespace;
        co_await kube::Api<kube::api::core::v1::Namespace>::all(client).create({}, ns);
      },
      record);
  io.run();
  if (failure) std::rethrow_exception(failure);
  io.restart();
  auto api = kube::Api<Pod>::namespaced(client, kNamespace);
  int next = 0;
  auto worker = [&]() -> net::awaitable<void> {
    while (next < pods) {
      int i = next++;
      Pod pod = kube::json::decode<Pod>(kube::bench::realistic_pod(i));
      pod.metadata.namespace_ = kNamespace;
      pod.metadata.resource_version.reset();
      pod.metadata.uid.reset();
      auto status = pod.status;
      Pod created = co_await api.create({}, pod);
      created.status = status;  // the server resets a new pod's status; the kubelet's comes next
      co_await api.replace_status(std::string(kube::name_of(created)), {}, created);
    }
  };
  for (int w = 0; w < 32; ++w) net::co_spawn(io, worker(), record);
  io.run();
  if (failure) std::rethrow_exception(failure);
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
  auto bytes = run([&](net::io_context& io) -> net::awaitable<std::size_t> {
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
  fs::path work = fs::temp_directory_path() / ("kube-list-bench-" + std::to_string(::getpid()));
  fs::create_directories(work);
  fs::path kubeconfig = work / "kubeconfig";
  fs::path server_binary = fs::path(self_path()).parent_path() / "kube-apiserver-lite";
  pid_t server = fork();
  if (server == 0) {
    execl(server_binary.c_str(), server_binary.c_str(), "--listen", "127.0.0.1:0", "--admin-kubeconfig",
          kubeconfig.c_str(), "--max-body-bytes", "10000000", static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 400 && !fs::exists(kubeconfig); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  kube::Config config = kube::Config::from_kubeconfig_file(kubeconfig.string());
  auto populate_start = std::chrono::steady_clock::now();
  populate(config, pods);
  double populate_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - populate_start).count();

  // The wire size of the LIST every client receives.
  std::size_t wire = run([&](net::io_context& io) -> net::awaitable<std::size_t> {
    kube::Client client(io.get_executor(), config);
    auto response = co_await client.send(kube::Request::of<Pod>(kNamespace).list());
    co_return response.body.size();
  });
  double wire_mb = static_cast<double>(wire) / 1e6;
  std::printf("list: %d pods, %.1f MB list (populated in %.1f s)\n", pods, wire_mb, populate_s);
  if (setup_only) {
    std::printf("serving; KUBECONFIG=%s; close stdin to stop\n", kubeconfig.c_str());
    std::fflush(stdout);
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    kill(server, SIGTERM);
    waitpid(server, nullptr, 0);
    fs::remove_all(work);
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
    kill(server, SIGTERM);
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
  kill(server, SIGTERM);
  waitpid(server, nullptr, 0);
  fs::remove_all(work);

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
