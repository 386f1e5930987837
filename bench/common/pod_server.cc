#include "common/pod_server.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "common/realistic_pods.h"
#include "kube/api/core/v1.h"
#include "kube/client/api.h"

namespace fs = std::filesystem;
namespace net = boost::asio;
using kube::api::core::v1::Pod;

namespace kube::bench {

namespace {

// Creates `pods` realistic pods (with their status) through the API, 32 at a time.
void populate(const kube::Config& config, int pods) {
  net::io_context io;
  kube::Client client(io.get_executor(), config);
  std::exception_ptr failure;
  auto record = [&failure](std::exception_ptr e) {
    if (e && !failure) failure = e;
  };
  auto api = kube::Api<Pod>::namespaced(client, kPodNamespace);
  int next = 0;
  auto worker = [&]() -> net::awaitable<void> {
    while (next < pods) {
      int i = next++;
      Pod pod = kube::json::decode<Pod>(realistic_pod(i));
      pod.metadata.namespace_ = kPodNamespace;
      pod.metadata.resource_version.reset();
      pod.metadata.uid.reset();
      // The fixture's owner (a ReplicaSet) does not exist here: the garbage collector would
      // delete the pod at once, as Kubernetes does with dangling owner references.
      pod.metadata.owner_references.reset();
      auto status = pod.status;
      Pod created = co_await api.create({}, pod);
      created.status = status;  // the server resets a new pod's status; the kubelet's comes next
      co_await api.replace_status(std::string(kube::name_of(created)), {}, created);
    }
  };
  net::co_spawn(
      io,
      [&]() -> net::awaitable<void> {
        kube::api::core::v1::Namespace ns;
        ns.metadata.name = kPodNamespace;
        co_await kube::Api<kube::api::core::v1::Namespace>::all(client).create({}, ns);
        for (int w = 0; w < 32; ++w) net::co_spawn(io, worker(), record);
      },
      record);
  io.run();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

std::string self_path() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  return n > 0 ? std::string(path, static_cast<std::size_t>(n)) : "/proc/self/exe";
}

std::size_t current_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return static_cast<std::size_t>(std::stoull(line.substr(6))) * 1024;
  }
  return 0;
}

PodServer::PodServer(int pods, const std::string& tag) {
  work_ = fs::temp_directory_path() / ("kube-" + tag + "-bench-" + std::to_string(::getpid()));
  fs::create_directories(work_);
  kubeconfig_ = work_ / "kubeconfig";
  std::string binary = (fs::path(self_path()).parent_path() / "kube-apiserver-lite").string();
  pid_ = fork();
  if (pid_ == 0) {
    execl(binary.c_str(), binary.c_str(), "--listen", "127.0.0.1:0", "--admin-kubeconfig", kubeconfig_.c_str(),
          "--max-body-bytes", "10000000", static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 400 && !fs::exists(kubeconfig_); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  config_ = kube::Config::from_kubeconfig_file(kubeconfig_.string());
  try {
    auto start = std::chrono::steady_clock::now();
    populate(config_, pods);
    populate_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    wire_ = run_coroutine([&](net::io_context& io) -> net::awaitable<std::size_t> {
      kube::Client client(io.get_executor(), config_);
      auto response = co_await client.send(kube::Request::of<Pod>(kPodNamespace).list());
      co_return response.body.size();
    });
  } catch (...) {
    shut_down();  // the destructor does not run for a throwing constructor
    throw;
  }
}

PodServer::~PodServer() { shut_down(); }

void PodServer::shut_down() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  std::error_code ignored;
  fs::remove_all(work_, ignored);
}

}  // namespace kube::bench
