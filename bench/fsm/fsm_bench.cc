// bench/run.sh fsm: 10,000 mooses managed at once by one kube::fsm operator on kube-apiserver-lite,
// and the same workload under the runtime's plain Controller (with the finalizer helper) as the
// peer, each in its own process on its own namespace of 10,000 mooses. The workload: each moose
// gets a finalizer, the status Tagged, then Idle (two transitions with a status patch each), then
// idles; then objects are created and deleted one at a time.
//   bytes_per_machine            malloc's bytes in use (mallinfo2) per managed object once every
//                                Idle status is on the server (operator_bytes_per_object), minus
//                                the controller's (controller_bytes_per_object: cache + scheduler):
//                                what a machine costs beyond the cached object
//   rss_bytes_per_machine        the same difference in RSS growth: noisier, it includes each
//                                allocator's page-level slack (the peer's status churn leaves more)
//   transitions_per_s            status transitions per second (with their patches) while the
//                                10,000 start, until the last Idle status is written
//   create_to_status_p50_ms      object created -> its first status written (one at a time)
//   delete_to_released_p99_ms    DELETE sent -> the deleted state running (controller: the
//                                finalizer's Cleanup starting), one at a time
// Each figure has its controller_* counterpart, and the table shows operator / controller ratios.
// Both children fill their client's connection pool before the baseline (a fixed cost, not one per
// object). Goals: <= 2 KB per idle machine beyond the cached object; delete -> released p99 <= 10 ms.
// The server is the real binary in its own process. The last line is JSON.
#include <malloc.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <map>

#include "common/measure.h"
#include "common/pod_server.h"
#include "kube/api/apiextensions/v1.h"
#include "kube/core/custom_resource.h"
#include "kube/fsm/operator.h"
#include "kube/runtime/controller.h"
#include "kube/runtime/wait.h"

namespace bench_zoo {
struct MooseSpec {
  std::optional<double> height;
  std::optional<double> weight;
  std::optional<bool> antlers;
  bool operator==(const MooseSpec&) const = default;
};
KUBE_FIELDS(MooseSpec, KUBE_FIELD(height), KUBE_FIELD(weight), KUBE_FIELD(antlers));
struct MooseStatus {
  std::optional<std::string> phase;
  std::optional<std::string> message;
  bool operator==(const MooseStatus&) const = default;
  static MooseStatus failed(std::string m) { return {"Failed", std::move(m)}; }
};
KUBE_FIELDS(MooseStatus, KUBE_FIELD(phase), KUBE_FIELD(message));
KUBE_CUSTOM_RESOURCE(Moose, MooseSpec, MooseStatus, .group = "animals.com", .version = "v1");
}  // namespace bench_zoo

namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using bench_zoo::Moose;
using bench_zoo::MooseStatus;
using Clock = std::chrono::steady_clock;
using kube::fsm::Edge;
using kube::fsm::Manifest;
using kube::fsm::Transition;
constexpr const char* kFsmNamespace = "fsm";
constexpr const char* kControllerNamespace = "controller";

struct Nothing {};
struct BenchOperator;
struct Tagged {
  static constexpr std::string_view name = "Tagged";
  net::awaitable<Transition<BenchOperator, Tagged>> next(Nothing&, Nothing&, Manifest<Moose>&);
  MooseStatus status(Nothing&, const Moose&) { return {"Tagged", "tagged"}; }
};
// Idle until deleted: what most machines of a real operator do most of the time.
struct Idle {
  static constexpr std::string_view name = "Idle";
  net::awaitable<Transition<BenchOperator, Idle>> next(Nothing&, Nothing&, Manifest<Moose>& m) {
    while (true) co_await m.changed_since(m.version());
  }
  MooseStatus status(Nothing&, const Moose&) { return {"Idle", "idle"}; }
};
struct Released {
  static constexpr std::string_view name = "Released";
  net::awaitable<Transition<BenchOperator, Released>> next(Nothing&, Nothing&, Manifest<Moose>&) {
    co_return Transition<BenchOperator, Released>::complete();
  }
  MooseStatus status(Nothing&, const Moose&) { return {"Released", "bye"}; }
};
struct BenchOperator {
  using Manifest = Moose;
  using Status = MooseStatus;
  using ObjectState = Nothing;
  using Shared = Nothing;
  using Graph = kube::fsm::Graph<Edge<Tagged, Idle>>;
  using InitialState = Tagged;
  using DeletedState = Released;
};
net::awaitable<Transition<BenchOperator, Tagged>> Tagged::next(Nothing&, Nothing&, Manifest<Moose>&) {
  co_return Transition<BenchOperator, Tagged>::to(Idle{});
}

Moose moose(int i) {
  Moose m;
  m.metadata.name = "moose-" + std::to_string(i);
  m.metadata.labels = std::map<std::string, std::string>{{"nps.gov/park", "glacier"}};
  m.spec.height = 2.1;
  m.spec.weight = 680;
  m.spec.antlers = i % 2 == 0;
  return m;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? -1 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// Runs `workers` coroutines worker() at once; returns once all have ended, with the first failure.
template <class Worker>
net::awaitable<void> run_workers(int workers, Worker worker) {
  int running = 0;
  kube::runtime::Notify done(co_await net::this_coro::executor);
  std::exception_ptr failure;
  for (int w = 0; w < workers; ++w) {
    ++running;
    net::co_spawn(co_await net::this_coro::executor, worker(), [&](std::exception_ptr e) {
      if (e && !failure) failure = e;
      --running;
      done.notify_all();
    });
  }
  while (running > 0) co_await done.wait();
  if (failure) std::rethrow_exception(failure);
}

// Creates mooses [from, to) 32 at a time.
net::awaitable<void> create_mooses(kube::Api<Moose> api, int from, int to) {
  int next = from;
  co_await run_workers(32, [&]() -> net::awaitable<void> {
    while (next < to) co_await api.create({}, moose(next++));
  });
}

net::awaitable<void> pause(std::chrono::milliseconds d) {
  net::steady_timer timer(co_await net::this_coro::executor, d);
  co_await timer.async_wait(net::use_awaitable);
}

// How many mooses show `phase` in their status.
net::awaitable<int> count_phase(kube::Api<Moose> api, std::string phase) {
  int count = 0;
  kube::ListParams params{.limit = 500};
  do {
    auto page = co_await api.list(params);
    for (const auto& m : page.items) count += m.status && m.status->phase == phase;
    params.continue_token = page.metadata.continue_.value_or("");
  } while (!params.continue_token.empty());
  co_return count;
}

// Opens the client's whole pool of connections (Config::max_concurrent_requests, each with its TLS
// state and buffers: about 16 MB) before the baseline is taken: a fixed cost of any busy client,
// not a cost per machine.
net::awaitable<void> fill_connection_pool(kube::Api<Moose> api) {
  co_await run_workers(256, [api]() -> net::awaitable<void> { co_await api.list({.limit = 1}); });
}

// What each child measures and prints (one line: "rss heap transitions_per_s create_p50 delete_p99").
struct Figures {
  double rss_per_object = 0;
  double heap_per_object = 0;
  double transitions_per_s = 0;
  double create_p50_ms = 0;
  double delete_p99_ms = 0;
  void print() const {
    std::printf("%.1f %.1f %.1f %.3f %.3f\n", rss_per_object, heap_per_object, transitions_per_s, create_p50_ms,
                delete_p99_ms);
    std::fflush(stdout);
  }
  static bool parse(const std::string& text, Figures& f) {
    return std::sscanf(text.c_str(), "%lf %lf %lf %lf %lf", &f.rss_per_object, &f.heap_per_object, &f.transitions_per_s,
                       &f.create_p50_ms, &f.delete_p99_ms) == 5;
  }
};

// The workload both children run on their own namespace of `objects` mooses: every moose gets a
// finalizer, then the status Tagged, then Idle (two transitions with their status patches), then
// idles; memory is read once every Idle status is on the server. Then `samples` mooses are created
// one at a time (create -> first status written) and `samples` deleted one at a time (DELETE sent
// -> the deletion handling running).
struct Probe {
  std::map<std::string, Clock::time_point> tagged_at, released_at;
  kube::runtime::Notify progress;
};

template <class StartWorkload>
net::awaitable<Figures> measure(kube::Api<Moose> mooses, int objects, int samples, Probe& probe, StartWorkload start) {
  Figures f;
  co_await fill_connection_pool(mooses);
  ::malloc_trim(0);
  std::size_t base = kube::bench::current_rss_bytes();
  std::size_t heap_base = ::mallinfo2().uordblks;
  auto started = Clock::now();
  start();
  while (static_cast<int>(probe.tagged_at.size()) < objects) co_await probe.progress.wait();
  while (co_await count_phase(mooses, "Idle") < objects) co_await pause(20ms);
  f.transitions_per_s = 2.0 * objects / std::chrono::duration<double>(Clock::now() - started).count();
  probe.tagged_at.clear();
  ::malloc_trim(0);
  f.rss_per_object = static_cast<double>(kube::bench::current_rss_bytes() - base) / objects;
  f.heap_per_object = static_cast<double>(::mallinfo2().uordblks - heap_base) / objects;

  std::vector<double> create_ms, delete_ms;
  for (int i = 0; i < samples; ++i) {
    Moose m = moose(objects + i);
    std::string name = m.metadata.name.value();
    auto t0 = Clock::now();
    co_await mooses.create({}, m);
    while (!probe.tagged_at.count(name)) co_await probe.progress.wait();
    create_ms.push_back(std::chrono::duration<double, std::milli>(probe.tagged_at[name] - t0).count());
  }
  for (int i = 0; i < samples; ++i) {
    std::string name = "moose-" + std::to_string(i);
    auto t0 = Clock::now();
    co_await mooses.remove(name);
    while (!probe.released_at.count(name)) co_await probe.progress.wait();
    delete_ms.push_back(std::chrono::duration<double, std::milli>(probe.released_at[name] - t0).count());
  }
  f.create_p50_ms = percentile(create_ms, 0.5);
  f.delete_p99_ms = percentile(delete_ms, 0.99);
  co_return f;
}

// The operator under test. Its first status is written once Idle is entered.
int fsm_child(const std::string& kubeconfig, int objects, int samples) {
  kube::bench::run_coroutine([&](net::io_context& io) -> net::awaitable<void> {
    kube::Client client(io.get_executor(), kube::Config::from_kubeconfig_file(kubeconfig));
    auto mooses = kube::Api<Moose>::namespaced(client, kFsmNamespace);
    kube::fsm::OperatorRuntime<BenchOperator> op(mooses, {.label_selector = "nps.gov/park=glacier"});
    Probe probe{.progress = kube::runtime::Notify(io.get_executor())};
    op.on_enter([&](const Moose& m, std::string_view state) {
      if (state == "Idle") probe.tagged_at[std::string(kube::name_of(m))] = Clock::now();
      if (state == "Released") probe.released_at[std::string(kube::name_of(m))] = Clock::now();
      probe.progress.notify_all();
    });
    Figures f = co_await measure(mooses, objects, samples, probe, [&] { net::co_spawn(io, op.run(), net::detached); });
    f.print();
    std::_Exit(0);
  });
  return 1;
}

// The peer: the same workload as a plain Controller with the finalizer helper, writing the same
// statuses from its reconcile.
int controller_child(const std::string& kubeconfig, int objects, int samples) {
  kube::bench::run_coroutine([&](net::io_context& io) -> net::awaitable<void> {
    kube::Client client(io.get_executor(), kube::Config::from_kubeconfig_file(kubeconfig));
    auto mooses = kube::Api<Moose>::namespaced(client, kControllerNamespace);
    kube::runtime::Controller<Moose> controller(mooses, {.label_selector = "nps.gov/park=glacier"});
    Probe probe{.progress = kube::runtime::Notify(io.get_executor())};
    auto write_status = [mooses](std::string name, std::string phase) -> net::awaitable<void> {
      co_await mooses.patch_status(name, {},
                                   kube::Patch::from_json(kube::PatchType::Merge,
                                                          "{\"status\":{\"phase\":\"" + phase + "\",\"message\":\"" +
                                                              (phase == "Tagged" ? "tagged" : phase == "Idle" ? "idle" : "bye") +
                                                              "\"}}"));
    };
    auto reconcile = [&](std::shared_ptr<const Moose> m, std::shared_ptr<int>) -> net::awaitable<kube::runtime::Action> {
      co_return co_await kube::runtime::finalizer(
          mooses, "bench.kube-cpp.dev/peer", m,
          [&](kube::runtime::FinalizerEvent event, std::shared_ptr<const Moose> moose) -> net::awaitable<kube::runtime::Action> {
            std::string name(kube::name_of(*moose));
            if (event == kube::runtime::FinalizerEvent::Cleanup) {
              probe.released_at[name] = Clock::now();
              probe.progress.notify_all();
              co_await write_status(name, "Released");
            } else if (!moose->status || !moose->status->phase) {
              co_await write_status(name, "Tagged");
              probe.tagged_at[name] = Clock::now();  // the first status written (the operator: Idle entered)
              probe.progress.notify_all();
            } else if (moose->status->phase == "Tagged") {
              co_await write_status(name, "Idle");
            }
            co_return kube::runtime::Action::await_change();
          });
    };
    Figures f = co_await measure(mooses, objects, samples, probe, [&] {
      net::co_spawn(io,
                    controller.run(reconcile,
                                   [](std::shared_ptr<const Moose>, const std::exception&, std::shared_ptr<int>) {
                                     return kube::runtime::Action::requeue(std::chrono::milliseconds(50));
                                   },
                                   std::make_shared<int>(0)),
                    net::detached);
    });
    f.print();
    std::_Exit(0);
  });
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 5 && std::string(argv[1]) == "--fsm") return fsm_child(argv[2], std::atoi(argv[3]), std::atoi(argv[4]));
  if (argc >= 5 && std::string(argv[1]) == "--controller") {
    return controller_child(argv[2], std::atoi(argv[3]), std::atoi(argv[4]));
  }
  int objects = 10000, samples = 200;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--objects") objects = std::atoi(argv[++i]);
    if (std::string(argv[i]) == "--samples") samples = std::atoi(argv[++i]);
  }
  kube::bench::PodServer server(0, "fsm");
  kube::bench::run_coroutine([&](net::io_context& io) -> net::awaitable<void> {
    kube::Client client(io.get_executor(), server.config());
    auto crds = kube::Api<kube::api::apiextensions::v1::CustomResourceDefinition>::all(client);
    co_await crds.create({}, Moose::crd());
    co_await kube::runtime::await_condition(crds, Moose::crd().metadata.name.value(),
                                            kube::runtime::conditions::is_crd_established, 30s);
    auto namespaces = kube::Api<kube::api::core::v1::Namespace>::all(client);
    for (const char* ns : {kFsmNamespace, kControllerNamespace}) {
      kube::api::core::v1::Namespace n;
      n.metadata.name = ns;
      co_await namespaces.create({}, n);
      co_await create_mooses(kube::Api<Moose>::namespaced(client, ns), 0, objects);
    }
  });
  std::printf("fsm: %d mooses, one operator; the same workload under a plain controller as the peer\n", objects);
  std::string kubeconfig = server.kubeconfig().string();
  Figures fsm, peer;
  auto fsm_run = kube::bench::run_measured(
      {kube::bench::self_path(), "--fsm", kubeconfig, std::to_string(objects), std::to_string(samples)}, true);
  if (fsm_run.exit_code != 0 || !Figures::parse(fsm_run.out, fsm)) {
    std::fprintf(stderr, "operator failed: %s %s\n", fsm_run.out.c_str(), fsm_run.err.c_str());
    return 1;
  }
  auto peer_run = kube::bench::run_measured(
      {kube::bench::self_path(), "--controller", kubeconfig, std::to_string(objects), std::to_string(samples)}, true);
  if (peer_run.exit_code != 0 || !Figures::parse(peer_run.out, peer)) {
    std::fprintf(stderr, "controller peer failed: %s %s\n", peer_run.out.c_str(), peer_run.err.c_str());
    return 1;
  }
  double beyond = fsm.rss_per_object - peer.rss_per_object;
  double heap_beyond = fsm.heap_per_object - peer.heap_per_object;
  std::printf("                            operator   controller   ratio\n");
  std::printf("  heap bytes per object     %8.0f   %10.0f   %.2fx  (%.0f beyond the controller's; goal <= 2048)\n",
              fsm.heap_per_object, peer.heap_per_object, fsm.heap_per_object / peer.heap_per_object, heap_beyond);
  std::printf("  RSS bytes per object      %8.0f   %10.0f   %.2fx  (%.0f beyond)\n", fsm.rss_per_object,
              peer.rss_per_object, fsm.rss_per_object / peer.rss_per_object, beyond);
  std::printf("  transitions/s (+status)   %8.0f   %10.0f   %.2fx\n", fsm.transitions_per_s, peer.transitions_per_s,
              fsm.transitions_per_s / peer.transitions_per_s);
  std::printf("  create -> status p50 ms   %8.2f   %10.2f   %.2fx\n", fsm.create_p50_ms, peer.create_p50_ms,
              fsm.create_p50_ms / peer.create_p50_ms);
  std::printf("  DELETE -> deleted p99 ms  %8.2f   %10.2f   %.2fx  (goal <= 10 ms)\n", fsm.delete_p99_ms,
              peer.delete_p99_ms, fsm.delete_p99_ms / peer.delete_p99_ms);
  std::printf(
      "{\"bench\":\"fsm\",\"objects\":%d,\"bytes_per_machine\":%.0f,\"operator_bytes_per_object\":%.0f,"
      "\"controller_bytes_per_object\":%.0f,\"rss_bytes_per_machine\":%.0f,\"operator_rss_bytes_per_object\":%.0f,"
      "\"controller_rss_bytes_per_object\":%.0f,\"transitions_per_s\":%.0f,\"controller_transitions_per_s\":%.0f,"
      "\"create_to_status_p50_ms\":%.3f,\"controller_create_to_status_p50_ms\":%.3f,"
      "\"delete_to_released_p99_ms\":%.3f,\"controller_delete_to_cleanup_p99_ms\":%.3f}\n",
      objects, heap_beyond, fsm.heap_per_object, peer.heap_per_object, beyond, fsm.rss_per_object, peer.rss_per_object,
      fsm.transitions_per_s, peer.transitions_per_s, fsm.create_p50_ms, peer.create_p50_ms, fsm.delete_p99_ms,
      peer.delete_p99_ms);
  return 0;
}
