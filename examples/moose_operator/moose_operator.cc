// moose_operator: the state-machine operator of kube::fsm's example (the krator moose, see
// manifests/README.md). Needs only a kubeconfig: on start it installs (or updates) its CRD, then
// runs one machine per moose labelled nps.gov/park=glacier:
//
//   Tagged -> Roam (every 2 s food -= 5; 5 % chance to make a friend) -> Eat (when food <= 10:
//   refill to weight/10, eating takes food/10 s) -> Sleep (20 s) -> Roam ...;  deleted: Released
//
//   KUBECONFIG=... build/bin/moose_operator [--duration SECONDS] [--time-scale F] [--json]
//       [--webhook-service NAMESPACE/NAME [--webhook-pod-label KEY=VALUE]...] [--webhook-listen HOST:PORT]
//   build/bin/moose_operator --graph dot|mermaid
//
// Its admission webhook (ValidatingWebhookConfiguration mooses.animals.com, owned by the CRD)
// denies mooses whose names do not start with M (code 400). Outside a cluster (the default) it
// listens on 127.0.0.1 with a certificate generated at start; with --webhook-service it listens on
// 0.0.0.0:8443 behind that Service, its certificate kept in the Secret NAME-tls.
//   kubectl apply -f examples/moose_operator/manifests/manfred.yaml; kubectl get mooses -w
//
// --time-scale multiplies every wait (0.2: a moose's day five times faster; the demo uses it).
// Logs: one "fsm.state" span per state execution and one "fsm.status_patch" per status written,
// with the machine's trace id (text on stderr, or JSON lines with --json).
#include <iostream>
#include <random>

#include "../example_main.h"
#include "kube/api/apiextensions/v1.h"
#include "kube/fsm/guarded.h"
#include "kube/fsm/manager.h"
#include "kube/fsm/webhook_config.h"
#include "kube/fsm/webhook_server.h"
#include "kube/runtime/log.h"
#include "kube/runtime/wait.h"
#include "moose.h"


namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using animals::Moose;
using animals::MooseStatus;
using kube::fsm::Edge;
using kube::fsm::Manifest;
using kube::fsm::Transition;

/// Shared by every moose: who is friends with whom.
struct Park {
  std::map<std::string, std::set<std::string>> friends;
  std::mt19937 rng{std::random_device{}()};
};
using SharedPark = kube::fsm::Guarded<Park>;

double time_scale = 1.0;  // --time-scale
/// Per moose.
struct MooseState {
  double food = 0;
};

struct MooseOperator;
struct Tagged {
  static constexpr std::string_view name = "Tagged";
  net::awaitable<Transition<MooseOperator, Tagged>> next(SharedPark&, MooseState&, Manifest<Moose>&);
  MooseStatus status(MooseState&, const Moose&) { return {"Tagged", "Tagged by a park ranger."}; }
};
struct Roam {
  static constexpr std::string_view name = "Roam";
  net::awaitable<Transition<MooseOperator, Roam>> next(SharedPark&, MooseState&, Manifest<Moose>&);
  MooseStatus status(MooseState& s, const Moose&) {
    return {"Roaming", "Roaming the park with " + std::to_string(static_cast<int>(s.food)) + " kg of food in its belly."};
  }
};
struct Eat {
  static constexpr std::string_view name = "Eat";
  net::awaitable<Transition<MooseOperator, Eat>> next(SharedPark&, MooseState&, Manifest<Moose>&);
  MooseStatus status(MooseState&, const Moose&) { return {"Eating", "Eating willow and aquatic plants."}; }
};
struct Sleep {
  static constexpr std::string_view name = "Sleep";
  net::awaitable<Transition<MooseOperator, Sleep>> next(SharedPark&, MooseState&, Manifest<Moose>&);
  MooseStatus status(MooseState&, const Moose&) { return {"Sleeping", "Zzz..."}; }
};
struct Released {
  static constexpr std::string_view name = "Released";
  net::awaitable<Transition<MooseOperator, Released>> next(SharedPark&, MooseState&, Manifest<Moose>&);
  MooseStatus status(MooseState&, const Moose& m) {
    return {"Released", "Bye, " + m.metadata.name.value_or("moose") + "!"};
  }
};

struct MooseOperator {
  using Manifest = Moose;
  using Status = MooseStatus;
  using ObjectState = MooseState;
  using Shared = SharedPark;
  using Graph = kube::fsm::Graph<Edge<Tagged, Roam>, Edge<Roam, Eat>, Edge<Eat, Sleep>, Edge<Sleep, Roam>>;
  using InitialState = Tagged;
  using DeletedState = Released;
};

net::awaitable<void> pause(std::chrono::milliseconds d) {
  net::steady_timer timer(co_await net::this_coro::executor,
                          std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(d.count()) * time_scale)));
  co_await timer.async_wait(net::use_awaitable);
}

double full_belly(const Moose& m) { return m.spec.weight.value_or(500) / 10; }

net::awaitable<Transition<MooseOperator, Tagged>> Tagged::next(SharedPark&, MooseState& s, Manifest<Moose>& m) {
  s.food = full_belly(*m.latest());
  co_return Transition<MooseOperator, Tagged>::to(Roam{});
}

net::awaitable<Transition<MooseOperator, Roam>> Roam::next(SharedPark& park, MooseState& s, Manifest<Moose>& m) {
  std::string me(kube::name_of(*m.latest()));
  park.write([&](Park& p) { p.friends.try_emplace(me); });
  while (s.food > 10) {
    co_await pause(2s);
    s.food -= 5;
    // 5 %: befriend another moose of the park (under the park's lock, never across a wait).
    std::string befriended = park.write([&](Park& p) -> std::string {
      if (std::uniform_real_distribution<double>(0, 1)(p.rng) >= 0.05 || p.friends.size() < 2) return {};
      auto it = p.friends.begin();
      std::advance(it, std::uniform_int_distribution<std::size_t>(0, p.friends.size() - 1)(p.rng));
      if (it->first == me) return {};
      p.friends[me].insert(it->first);
      it->second.insert(me);
      return it->first;
    });
    if (!befriended.empty()) {
      kube::log::write(kube::log::Level::info, "moose made a friend", {{"moose", me}, {"friend", befriended}});
    }
  }
  co_return Transition<MooseOperator, Roam>::to(Eat{});
}

net::awaitable<Transition<MooseOperator, Eat>> Eat::next(SharedPark&, MooseState& s, Manifest<Moose>& m) {
  s.food = full_belly(*m.latest());
  co_await pause(std::chrono::milliseconds(static_cast<std::int64_t>(s.food * 100)));  // food / 10 seconds
  co_return Transition<MooseOperator, Eat>::to(Sleep{});
}

net::awaitable<Transition<MooseOperator, Sleep>> Sleep::next(SharedPark&, MooseState&, Manifest<Moose>&) {
  co_await pause(20s);
  co_return Transition<MooseOperator, Sleep>::to(Roam{});
}

net::awaitable<Transition<MooseOperator, Released>> Released::next(SharedPark& park, MooseState&, Manifest<Moose>& m) {
  std::string me(kube::name_of(*m.latest()));
  park.write([&](Park& p) {
    for (auto& [other, friends] : p.friends) friends.erase(me);
    p.friends.erase(me);
  });
  co_return Transition<MooseOperator, Released>::complete();
}

// Mooses may only have names starting with M (the reference operator's rule, code 400).
kube::AdmissionResponse admit_moose(const kube::AdmissionRequest&, const std::optional<Moose>& moose,
                                    const std::optional<Moose>&) {
  std::string name = moose ? moose->metadata.name.value_or(moose->metadata.generate_name.value_or("")) : "";
  if (!name.empty() && (name[0] == 'm' || name[0] == 'M')) return kube::AdmissionResponse::allow();
  return kube::AdmissionResponse::deny("Mooses may only have names starting with 'M'.", 400);
}

struct WebhookEndpoint {
  kube::fsm::WebhookTls tls;
  std::variant<kube::fsm::WebhookUrl, kube::fsm::WebhookService> endpoint;
  std::string listen;
};

// Outside a cluster (the default) the API server calls https://127.0.0.1:PORT with a certificate
// made now; in a cluster (--webhook-service NAMESPACE/NAME) it calls the Service in front of the
// operator's pods, whose certificate is kept in the Secret NAME-tls.
net::awaitable<WebhookEndpoint> webhook_endpoint(kube::Client client, const std::string& service,
                                                 const std::map<std::string, std::string>& pod_labels) {
  if (service.empty()) {
    co_return WebhookEndpoint{kube::fsm::WebhookTls::generate({.ip_addresses = {"127.0.0.1"}}), kube::fsm::WebhookUrl{},
                              "127.0.0.1:0"};
  }
  auto slash = service.find('/');
  if (slash == std::string::npos) throw kube::InvalidArgument("--webhook-service wants NAMESPACE/NAME");
  std::string ns = service.substr(0, slash), name = service.substr(slash + 1);
  auto secrets = kube::Api<kube::api::core::v1::Secret>::namespaced(client, ns);
  kube::fsm::WebhookTls tls = co_await kube::fsm::load_or_generate_tls_secret(secrets, name + "-tls", name);
  co_return WebhookEndpoint{
      tls,
      kube::fsm::WebhookService{.namespace_ = ns, .name = name, .pod_labels = pod_labels, .apply_secret = false},
      "0.0.0.0:8443"};
}

}  // namespace

int main(int argc, char** argv) {
  using Graph = MooseOperator::Graph;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string_view(argv[i]) == "--graph") {
      std::cout << (std::string_view(argv[i + 1]) == "mermaid" ? Graph::mermaid("Tagged", "Released")
                                                                : Graph::dot("moose", "Tagged", "Released"));
      return 0;
    }
  }
  std::function<void()> stop;
  return example::run_example(
      "moose_operator", argc, argv,
      [&stop](kube::Client client, example::Options options) -> net::awaitable<void> {
        std::string webhook_listen, webhook_service;
        std::map<std::string, std::string> webhook_pod_labels;
        for (std::size_t i = 0; i < options.args.size(); ++i) {
          const std::string& arg = options.args[i];
          bool has_value = i + 1 < options.args.size();
          if (arg == "--time-scale" && has_value) {
            time_scale = std::stod(options.args[++i]);
            if (!(time_scale > 0)) throw kube::InvalidArgument("--time-scale must be positive");
          } else if (arg == "--webhook-listen" && has_value) {
            webhook_listen = options.args[++i];
          } else if (arg == "--webhook-service" && has_value) {
            webhook_service = options.args[++i];
          } else if (arg == "--webhook-pod-label" && has_value) {
            std::string label = options.args[++i];
            auto eq = label.find('=');
            if (eq == std::string::npos) throw kube::InvalidArgument("--webhook-pod-label wants KEY=VALUE");
            webhook_pod_labels[label.substr(0, eq)] = label.substr(eq + 1);
          } else {
            throw kube::InvalidArgument("unknown argument " + arg);
          }
        }
        auto crds = kube::Api<kube::api::apiextensions::v1::CustomResourceDefinition>::all(client);
        auto crd = Moose::crd();
        std::string crd_name = crd.metadata.name.value();
        if (auto existing = co_await crds.get_opt(crd_name)) {
          crd.metadata.resource_version = existing->metadata.resource_version;
          co_await crds.replace(crd_name, {}, crd);
        } else {
          co_await crds.create({}, crd);
        }
        co_await kube::runtime::await_condition(crds, crd_name, kube::runtime::conditions::is_crd_established, 30s);
        kube::log::write(kube::log::Level::info, "CRD installed", {{"crd", crd_name}});

        // The admission webhook that keeps george out, served by this process and registered
        // with the API server (its configuration is owned by the CRD).
        auto [tls, endpoint, listen] = co_await webhook_endpoint(client, webhook_service, webhook_pod_labels);
        if (!webhook_listen.empty()) listen = webhook_listen;
        kube::fsm::WebhookServer webhooks(client.executor(), tls, {.listen = listen});
        webhooks.validate<Moose>("/validate-moose", admit_moose);
        webhooks.start();
        if (auto* url = std::get_if<kube::fsm::WebhookUrl>(&endpoint)) {
          url->base_url = "https://127.0.0.1:" + std::to_string(webhooks.port());
        }
        co_await kube::fsm::apply_webhook_config(
            client,
            {.name = crd_name,
             .webhooks = {{.name = "validate." + crd_name,
                           .path = "/validate-moose",
                           .rules = {kube::fsm::WebhookRule::of<Moose>({"CREATE"})}}},
             .endpoint = endpoint,
             .field_manager = "moose-operator",
             .owner_crd = crd_name},
            tls);
        kube::log::write(kube::log::Level::info, "admission webhook installed",
                         {{"configuration", crd_name}, {"port", static_cast<std::int64_t>(webhooks.port())}});

        kube::fsm::Manager manager(client.executor());
        manager.serve(webhooks);
        auto& mooses = manager.add<MooseOperator>(
            kube::Api<Moose>::all(client), {.label_selector = std::string(animals::kParkLabel) + "=" + animals::kPark});
        stop = [&manager] { manager.stop(); };
        co_await manager.graceful_shutdown_on_signals().run();  // SIGINT / SIGTERM: stop where they are
        const auto& stats = mooses.watch_stats();
        kube::log::write(kube::log::Level::info, "operator stopped",
                         {{"events", stats.events}, {"watch_errors", stats.errors}, {"last_error", stats.last_error}});
      },
      &stop);
}
