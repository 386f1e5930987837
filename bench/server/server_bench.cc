// bench/run.sh server: kube-apiserver-lite's durable write throughput and latency under concurrent
// clients, side by side with the same server in memory (what durability costs), and watch events
// per second delivered to 100 watchers. The server is the real binary in its own process; the
// clients are kube::client in this one. The last line is one JSON object.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "kube/api/core/v1.h"
#include "kube/client/api.h"

namespace fs = std::filesystem;
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
using kube::api::core::v1::ConfigMap;

namespace {

std::string self_dir() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  return fs::path(std::string(path, n > 0 ? static_cast<std::size_t>(n) : 0)).parent_path().string();
}

struct Server {
  pid_t pid = -1;
  kube::Config config;
};

Server start_server(const fs::path& work, const std::string& name, bool durable) {
  fs::path kubeconfig = work / (name + ".kubeconfig");
  std::string binary = self_dir() + "/kube-apiserver-lite";
  std::string data = (work / (name + "-data")).string();
  Server s;
  s.pid = fork();
  if (s.pid == 0) {
    if (durable) {
      execl(binary.c_str(), binary.c_str(), "--listen", "127.0.0.1:0", "--admin-kubeconfig", kubeconfig.c_str(),
            "--data-dir", data.c_str(), static_cast<char*>(nullptr));
    } else {
      execl(binary.c_str(), binary.c_str(), "--listen", "127.0.0.1:0", "--admin-kubeconfig", kubeconfig.c_str(),
            static_cast<char*>(nullptr));
    }
    _exit(127);
  }
  for (int i = 0; i < 400 && !fs::exists(kubeconfig); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  s.config = kube::Config::from_kubeconfig_file(kubeconfig.string());
  s.config.max_retries = 0;
  return s;
}

void stop_server(Server& s) {
  kill(s.pid, SIGTERM);
  waitpid(s.pid, nullptr, 0);
}

struct WriteResult {
  double per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

// Runs `make()` (a coroutine) to completion on `io`; rethrows its failure.
template <class Make>
void run_coroutine(net::io_context& io, Make&& make) {
  std::exception_ptr failure;
  net::co_spawn(io, make(), [&failure](std::exception_ptr e) { failure = e; });
  io.restart();
  io.run();
  if (failure) std::rethrow_exception(failure);
}

net::awaitable<void> create_namespace(kube::Client client, std::string name) {
  kube::api::core::v1::Namespace n;
  n.metadata.name = std::move(name);
  co_await kube::Api<kube::api::core::v1::Namespace>::all(client).create({}, n);
}

// `writers` concurrent clients each creating ConfigMaps until `total` are written.
// (The coroutines are spawned from this function, whose locals outlive them.)
WriteResult measure_writes(const kube::Config& config, int writers, int total, const std::string& ns) {
  net::io_context io;
  kube::Client client(io.get_executor(), config);
  run_coroutine(io, [&] { return create_namespace(client, ns); });
  auto api = kube::Api<ConfigMap>::namespaced(client, ns);
  std::vector<double> latencies;
  latencies.reserve(static_cast<std::size_t>(total));
  int next = 0;
  auto writer = [&]() -> net::awaitable<void> {
    while (next < total) {
      ConfigMap cm;
      cm.metadata.name = "w-" + std::to_string(next++);
      cm.data = std::map<std::string, std::string>{{"key", "value"}};
      auto t0 = Clock::now();
      co_await api.create(kube::PostParams(), cm);
      latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
  };
  std::exception_ptr failure;
  auto start = Clock::now();
  for (int w = 0; w < writers; ++w) {
    net::co_spawn(io, writer(), [&failure](std::exception_ptr e) {
      if (e && !failure) failure = e;
    });
  }
  io.restart();
  io.run();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (failure) std::rethrow_exception(failure);
  std::sort(latencies.begin(), latencies.end());
  WriteResult r;
  r.per_second = total / elapsed;
  r.p50_ms = latencies[latencies.size() / 2];
  r.p99_ms = latencies[latencies.size() * 99 / 100];
  return r;
}

// `watchers` watch streams on one namespace; `updates` writes (by 4 concurrent writers); events/s
// until every watcher has received them all.
double measure_watch(const kube::Config& config, int watchers, int updates) {
  net::io_context io;
  kube::Client client(io.get_executor(), config);
  const std::string ns = "watched";
  run_coroutine(io, [&] { return create_namespace(client, ns); });
  auto api = kube::Api<ConfigMap>::namespaced(client, ns);
  constexpr int kWriters = 4;  // concurrent writers, each updating its own ConfigMap
  std::string rv;
  for (int w = 0; w < kWriters; ++w) {
    ConfigMap cm;
    cm.metadata.name = "ticker-" + std::to_string(w);
    cm.data = std::map<std::string, std::string>{{"n", "0"}};
    run_coroutine(io, [&]() -> net::awaitable<void> {
      ConfigMap created = co_await api.create(kube::PostParams(), cm);
      rv = std::string(kube::resource_version_of(created));
    });
  }
  std::vector<kube::LineStream> streams;
  kube::WatchParams wp;
  wp.bookmarks = false;
  for (int w = 0; w < watchers; ++w) {
    run_coroutine(io, [&]() -> net::awaitable<void> {
      streams.push_back(co_await client.stream(api.request_builder().watch(wp, rv), std::chrono::seconds(120)));
    });
  }
  int done = 0;
  Clock::time_point finished;
  auto watcher = [&](kube::LineStream& stream) -> net::awaitable<void> {
    int seen = 0;
    while (seen < updates) {
      auto line = co_await stream.next_line();
      if (!line) break;
      if (line->find("\"MODIFIED\"") != std::string::npos) ++seen;
    }
    if (++done == watchers) finished = Clock::now();
  };
  int next_update = 0;
  auto writer = [&](int w) -> net::awaitable<void> {
    std::string name = "ticker-" + std::to_string(w);
    while (next_update < updates) {
      int i = ++next_update;
      co_await api.patch(name, kube::PatchParams(),
                         kube::Patch::from_json(kube::PatchType::Merge, "{\"data\":{\"n\":\"" + std::to_string(i) + "\"}}"));
    }
  };
  std::exception_ptr failure;
  auto record = [&failure](std::exception_ptr e) {
    if (e && !failure) failure = e;
  };
  auto start = Clock::now();
  for (auto& stream : streams) net::co_spawn(io, watcher(stream), record);
  for (int w = 0; w < kWriters; ++w) net::co_spawn(io, writer(w), record);
  io.restart();
  io.run();
  if (failure) std::rethrow_exception(failure);
  for (auto& stream : streams) stream.cancel();
  double elapsed = std::chrono::duration<double>(finished - start).count();
  return static_cast<double>(watchers) * updates / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  int writes = 20000;
  int writers = 32;
  int updates = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--writes") writes = std::atoi(argv[i + 1]);
    if (flag == "--writers") writers = std::atoi(argv[i + 1]);
    if (flag == "--updates") updates = std::atoi(argv[i + 1]);
  }
  fs::path work = fs::temp_directory_path() / ("kube-server-bench-" + std::to_string(::getpid()));
  fs::create_directories(work);
  Server durable = start_server(work, "durable", true);
  WriteResult d = measure_writes(durable.config, writers, writes, "bench");
  std::printf("server: %d writes by %d concurrent clients\n", writes, writers);
  std::printf("  durable   %8.0f writes/s  p50 %6.2f ms  p99 %6.2f ms\n", d.per_second, d.p50_ms, d.p99_ms);
  std::fflush(stdout);
  double events = measure_watch(durable.config, 100, updates);
  stop_server(durable);
  std::printf("  watch     %8.0f events/s delivered to 100 watchers (%d updates)\n", events, updates);
  std::fflush(stdout);
  Server memory = start_server(work, "memory", false);
  WriteResult m = measure_writes(memory.config, writers, writes, "bench");
  stop_server(memory);
  std::printf("  in memory %8.0f writes/s  p50 %6.2f ms  p99 %6.2f ms\n", m.per_second, m.p50_ms, m.p99_ms);
  fs::remove_all(work);
  std::printf(
      "{\"bench\":\"server\",\"writes\":%d,\"writers\":%d,\"durable_writes_per_s\":%.0f,\"write_p50_ms\":%.2f,"
      "\"write_p99_ms\":%.2f,\"memory_writes_per_s\":%.0f,\"memory_write_p99_ms\":%.2f,\"durable_vs_memory\":%.2f,"
      "\"watchers\":100,\"watch_updates\":%d,\"watch_events_per_s\":%.0f}\n",
      writes, writers, d.per_second, d.p50_ms, d.p99_ms, m.per_second, m.p99_ms, d.per_second / m.per_second, updates,
      events);
  return 0;
}
