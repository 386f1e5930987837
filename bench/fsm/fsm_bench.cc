// bench/run.sh fsm: 10,000 mooses managed at once by one kube::fsm operator on kube-apiserver-lite,
// with the same objects under the runtime's plain Controller as the peer, each in its own process.
//   bytes_per_machine            RSS growth per managed object once every machine idles (its
//                                manifest holds the object), minus the controller's
//                                bytes per cached object: what a machine costs beyond the object
//   controller_bytes_per_object  the peer's RSS growth per object (reflector cache + scheduler)
//   heap_bytes_per_machine       the same difference in malloc's bytes in use (mallinfo2), without
//                                the allocator's page-level slack
// The operator runs first, the peer then caches the objects as the operator left them (finalizer,
// status, their managedFields): the same objects. Both fill their client's connection pool before
// the baseline (a fixed cost, not one per object); a machine counts as idle once its Idle status
// is on the server.
//   transitions_per_s            state transitions with their status patches, during the start of
//                                10,000 machines (Tagged -> Idle: one patch each state), until the
//                                last status is written
//   create_to_status_p50_ms      object created -> its machine's first status written (one at a time)
//   delete_to_released_p99_ms    DELETE sent -> the deleted state running (one at a time)
// Goals: <= 2 KB per idle machine beyond the cached object; delete -> released p99 <= 10 ms.
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
constexpr const char* kNamespace = "bench";

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

// Creates mooses [from, to) 32 at a time.
net::awaitable<void> create_mooses(kube::Api<Moose> api, int from, int to) {
  int next = from;
  int running = 0;
  kube::runtime::Notify done(co_await net::this_coro::executor);
  std::exception_ptr failure;
  for (int w = 0; w < 32; ++w) {
    ++running;
    net::co_spawn(
        co_await net::this_coro::executor,
        [&]() -> net::awaitable<void> {
          while (next < to) co_await api.create({}, moose(next++));
        },
        [&](std::exception_ptr e) {
          if (e && !failure) failure = e;
          --running;
          done.notify_all();
        });
  }
  while (running > 0) co_await done.wait();
  if (failure) std::rethrow_exception(failure);
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
  int running = 0;
  kube::runtime::Notify done(co_await net::this_coro::executor);
  for (int i = 0; i < 256; ++i) {
    ++running;
    net::co_spawn(
        co_await net::this_coro::executor, [api]() -> net::awaitable<void> { co_await api.list({.limit = 1}); },
        [&](std::exception_ptr) {
          --running;
          done.notify_all();
        });
  }
  while (running > 0) co_await done.wait();
}

// The operator under test: prints "bytes transitions_per_s create_p50_ms delete_p99_ms".
int fsm_child(const std::string& kubeconfig, int objects, int samples) {
  double per_machine = 0, heap_per_machine = 0, per_second = 0, create_p50 = 0, delete_p99 = 0;
  kube::bench::run_coroutine([&](net::io_context& io) -> net::awaitable<void> {
    kube::Client client(io.get_executor(), kube::Config::from_kubeconfig_file(kubeconfig));
    auto mooses = kube::Api<Moose>::namespaced(client, kNamespace);
    co_await fill_connection_pool(mooses);
    ::malloc_trim(0);
    std::size_t base = kube::bench::current_rss_bytes();
    std::size_t heap_base = ::mallinfo2().uordblks;

    kube::fsm::OperatorRuntime<BenchOperator> op(mooses, {.label_selector = "nps.gov/park=glacier"});
    std::map<std::string, Clock::time_point> idle_at, released_at;
    int idle = 0;
    kube::runtime::Notify progress(io.get_executor());
    op.on_enter([&](const Moose& m, std::string_view state) {
      if (state == "Idle") {
        ++idle;
        idle_at[std::string(kube::name_of(m))] = Clock::now();
      } else if (state == "Released") {
        released_at[std::string(kube::name_of(m))] = Clock::now();
      }
      progress.notify_all();
    });
    auto start = Clock::now();
    net::co_spawn(io, op.run(), net::detached);
    while (idle < objects) co_await progress.wait();
    // Idle's own status patch is still on its way when Idle is entered: the machines are idle once
    // every object shows it (read back in pages, so that the check itself stays small).
    while (co_await count_phase(mooses, "Idle") < objects) co_await pause(20ms);
    per_second = 2.0 * objects / std::chrono::duration<double>(Clock::now() - start).count();
    idle_at.clear();
    ::malloc_trim(0);
    per_machine = static_cast<double>(kube::bench::current_rss_bytes() - base) / objects;
    heap_per_machine = static_cast<double>(::mallinfo2().uordblks - heap_base) / objects;

    std::vector<double> create_ms, delete_ms;
    for (int i = 0; i < samples; ++i) {
      Moose m = moose(objects + i);
      auto t0 = Clock::now();
      co_await mooses.create({}, m);
      while (!idle_at.count(m.metadata.name.value())) co_await progress.wait();
      // Idle is entered once Tagged's status was written: the first status is on the object.
      create_ms.push_back(std::chrono::duration<double, std::milli>(idle_at[m.metadata.name.value()] - t0).count());
    }
    for (int i = 0; i < samples; ++i) {
      std::string name = "moose-" + std::to_string(i);
      auto t0 = Clock::now();
      co_await mooses.remove(name);
      while (!released_at.count(name)) co_await progress.wait();
      delete_ms.push_back(std::chrono::duration<double, std::milli>(released_at[name] - t0).count());
    }
    create_p50 = percentile(create_ms, 0.5);
    delete_p99 = percentile(delete_ms, 0.99);
    std::printf("%.1f %.1f %.1f %.3f %.3f\n", per_machine, heap_per_machine, per_second, create_p50, delete_p99);
    std::fflush(stdout);
    std::_Exit(0);
  });
  return 1;
}

// The peer: a plain controller of the same objects. Prints "bytes_per_object".
int controller_child(const std::string& kubeconfig, int objects) {
  kube::bench::run_coroutine([&](net::io_context& io) -> net::awaitable<void> {
    kube::Client client(io.get_executor(), kube::Config::from_kubeconfig_file(kubeconfig));
    auto mooses = kube::Api<Moose>::namespaced(client, kNamespace);
    co_await fill_connection_pool(mooses);
    ::malloc_trim(0);
    std::size_t base = kube::bench::current_rss_bytes();
    std::size_t heap_base = ::mallinfo2().uordblks;
    kube::runtime::Controller<Moose> controller(mooses, {.label_selector = "nps.gov/park=glacier"});
    auto count = std::make_shared<int>(0);
    kube::runtime::Notify progress(io.get_executor());
    net::co_spawn(io,
                  controller.run(
                      [&progress](std::shared_ptr<const Moose>, std::shared_ptr<int> n) -> net::awaitable<kube::runtime::Action> {
                        ++*n;
                        progress.notify_all();
                        co_return kube::runtime::Action::await_change();
                      },
                      [](std::shared_ptr<const Moose>, const std::exception&, std::shared_ptr<int>) {
                        return kube::runtime::Action::await_change();
                      },
                      count),
                  net::detached);
    while (*count < objects) co_await progress.wait();
    ::malloc_trim(0);
    std::printf("%.1f %.1f\n", static_cast<double>(kube::bench::current_rss_bytes() - base) / objects,
                static_cast<double>(::mallinfo2().uordblks - heap_base) / objects);
    std::fflush(stdout);
    std::_Exit(0);
  });
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 5 && std::string(argv[1]) == "--fsm") return fsm_child(argv[2], std::atoi(argv[3]), std::atoi(argv[4]));
  if (argc >= 4 && std::string(argv[1]) == "--controller") return controller_child(argv[2], std::atoi(argv[3]));
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
    co_await create_mooses(kube::Api<Moose>::namespaced(client, kNamespace), 0, objects);
  });
  std::printf("fsm: %d mooses, one operator (and a plain controller as the peer)\n", objects);
  std::string kubeconfig = server.kubeconfig().string();
  // The operator first: the peer then caches the same objects as the operator left them (with its
  // finalizer, status and their managedFields entries), so that "beyond the cached object" compares
  // like with like.
  auto fsm = kube::bench::run_measured(
      {kube::bench::self_path(), "--fsm", kubeconfig, std::to_string(objects), std::to_string(samples)}, true);
  double fsm_bytes = 0, fsm_heap = 0, per_second = 0, create_p50 = 0, delete_p99 = 0;
  if (fsm.exit_code != 0 || std::sscanf(fsm.out.c_str(), "%lf %lf %lf %lf %lf", &fsm_bytes, &fsm_heap, &per_second,
                                        &create_p50, &delete_p99) != 5) {
    std::fprintf(stderr, "operator failed: %s %s\n", fsm.out.c_str(), fsm.err.c_str());
    return 1;
  }
  auto peer = kube::bench::run_measured({kube::bench::self_path(), "--controller", kubeconfig, std::to_string(objects)}, true);
  double controller_bytes = -1, controller_heap = -1;
  if (peer.exit_code != 0 || std::sscanf(peer.out.c_str(), "%lf %lf", &controller_bytes, &controller_heap) != 2) {
    std::fprintf(stderr, "controller peer failed: %s %s\n", peer.out.c_str(), peer.err.c_str());
    return 1;
  }
  double beyond = fsm_bytes - controller_bytes;
  std::printf("  operator   %8.0f bytes per managed object (%.0f beyond the controller's cached object; goal <= 2048)\n",
              fsm_bytes, beyond);
  std::printf("  controller %8.0f bytes per cached object\n", controller_bytes);
  std::printf("  heap in use (malloc): operator %.0f, controller %.0f bytes per object (%.0f beyond)\n", fsm_heap,
              controller_heap, fsm_heap - controller_heap);
  std::printf("  %.0f transitions/s with status patches; create -> first status p50 %.2f ms; DELETE -> deleted state p99 %.2f ms"
              " (goal <= 10 ms)\n",
              per_second, create_p50, delete_p99);
  std::printf(
      "{\"bench\":\"fsm\",\"objects\":%d,\"bytes_per_machine\":%.0f,\"operator_bytes_per_object\":%.0f,"
      "\"controller_bytes_per_object\":%.0f,\"heap_bytes_per_machine\":%.0f,\"transitions_per_s\":%.0f,\"create_to_status_p50_ms\":%.3f,"
      "\"delete_to_released_p99_ms\":%.3f}\n",
      objects, beyond, fsm_bytes, controller_bytes, fsm_heap - controller_heap, per_second, create_p50, delete_p99);
  return 0;
}
