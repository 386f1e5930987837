// configmapgen_controller: a controller for the ConfigMapGenerator custom resource (see
// config_map_generator.h). Each generator owns `spec.replicas` ConfigMaps "<name>-<i>" holding
// `spec.content`:
//   - editing a generated ConfigMap is reverted (the controller owns it and watches it);
//   - lowering replicas deletes the extra ones; deleting the generator deletes them all through
//     the API server's garbage collector (ownerReferences), with no code here;
//   - status.replicas / status.generated report what exists; an Event records each change.
// On start it installs (or updates) its CRD and waits until it is established.
//
//   KUBECONFIG=... build/bin/configmapgen_controller [--metrics 127.0.0.1:9100] [--leader-elect]
//                                                    [--duration SECONDS]
//   build/bin/crd_derive --example | kubectl apply -f -      # then watch: kubectl get cm,cmg
//
// SIGINT/SIGTERM stop it gracefully (a second one at once).
#include <unistd.h>

#include <iostream>

#include "config_map_generator.h"
#include "example_main.h"
#include "kube/api/apiextensions/v1.h"
#include "kube/api/coordination/v1.h"
#include "kube/api/core/v1.h"
#include "kube/runtime/controller.h"
#include "kube/runtime/events.h"
#include "kube/runtime/leader_election.h"
#include "kube/runtime/metrics_server.h"
#include "kube/runtime/wait.h"

namespace net = boost::asio;
using example::ConfigMapGenerator;
using kube::api::apiextensions::v1::CustomResourceDefinition;
using kube::api::core::v1::ConfigMap;
using namespace kube::runtime;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kManagedBy = "app.kubernetes.io/managed-by";
constexpr std::string_view kGeneratorLabel = "example.kube-cpp.dev/generator";

struct Context {
  kube::Client client;
  Recorder recorder;
};

ConfigMap desired_config_map(const ConfigMapGenerator& generator, int index, const ConfigMap* existing) {
  ConfigMap cm;
  cm.metadata.name = std::string(kube::name_of(generator)) + "-" + std::to_string(index);
  std::map<std::string, std::string> labels = generator.spec.labels.value_or(std::map<std::string, std::string>{});
  labels[std::string(kManagedBy)] = "configmapgen";
  labels[std::string(kGeneratorLabel)] = std::string(kube::name_of(generator));
  cm.metadata.labels = labels;
  cm.metadata.owner_references = std::vector{kube::controller_owner_ref(generator)};
  std::map<std::string, std::string> data;
  if (generator.spec.mode == example::Mode::Merge && existing && existing->data) data = *existing->data;
  for (const auto& [key, value] : generator.spec.content) data[key] = value;
  cm.data = data;
  return cm;
}

bool differs(const ConfigMap& existing, const ConfigMap& desired) {
  for (const auto& [key, value] : *desired.metadata.labels) {
    auto it = kube::labels_of(existing.metadata).find(key);
    if (it == kube::labels_of(existing.metadata).end() || it->second != value) return true;
  }
  return existing.data != desired.data || kube::owner_references_of(existing.metadata) != kube::owner_references_of(desired.metadata);
}

net::awaitable<Action> reconcile(std::shared_ptr<const ConfigMapGenerator> generator, std::shared_ptr<Context> ctx) {
  std::string name(kube::name_of(*generator));
  auto cms = kube::Api<ConfigMap>::namespaced(ctx->client, std::string(kube::namespace_of(*generator)));
  int replicas = generator->spec.replicas.value_or(1);
  std::vector<std::string> generated;
  int changed = 0;
  for (int i = 0; i < replicas; ++i) {
    std::optional<ConfigMap> existing = co_await cms.get_opt(name + "-" + std::to_string(i));
    ConfigMap desired = desired_config_map(*generator, i, existing ? &*existing : nullptr);
    generated.push_back(desired.metadata.name.value());
    if (!existing) {
      co_await cms.create({}, desired);
      ++changed;
    } else if (differs(*existing, desired)) {
      desired.metadata.resource_version = existing->metadata.resource_version;  // a concurrent edit fails: retried
      co_await cms.replace(desired.metadata.name.value(), {}, desired);
      ++changed;
    }
  }
  // Generated ConfigMaps beyond replicas.
  auto owned = co_await cms.list({.label_selector = std::string(kGeneratorLabel) + "=" + name});
  for (const ConfigMap& cm : owned.items) {
    if (std::find(generated.begin(), generated.end(), kube::name_of(cm)) == generated.end()) {
      co_await cms.remove(std::string(kube::name_of(cm)));
      ++changed;
    }
  }
  if (changed > 0) {
    co_await ctx->recorder.publish({.reason = "Generated", .note = std::to_string(changed) + " ConfigMap(s) created, restored or removed",
                                    .action = "Reconcile"},
                                   object_reference(*generator));
  }
  example::ConfigMapGeneratorStatus status;
  status.replicas = replicas;
  status.generated = generated;
  if (!generator->status || generator->status->replicas != status.replicas || generator->status->generated != status.generated) {
    ConfigMapGenerator patch;
    patch.status = status;
    auto generators = kube::Api<ConfigMapGenerator>::namespaced(ctx->client, std::string(kube::namespace_of(*generator)));
    co_await generators.patch_status(name, {}, kube::Patch::from_json(kube::PatchType::Merge,
                                                                       "{\"status\":" + kube::json::encode(status) + "}"));
  }
  std::cout << "reconciled " << kube::namespace_of(*generator) << "/" << name << ": " << replicas << " ConfigMap(s), "
            << changed << " change(s)\n"
            << std::flush;
  co_return Action::requeue(5min);  // a periodic check on top of the watches
}

Action error_policy(std::shared_ptr<const ConfigMapGenerator> generator, const std::exception& e, std::shared_ptr<Context>) {
  std::cerr << "reconcile " << kube::name_of(*generator) << " failed: " << e.what() << " (retrying in 1 s)\n";
  return Action::requeue(1s);
}

// Creates or updates the CRD, then waits until the server serves it.
net::awaitable<void> install_crd(kube::Client client) {
  auto crds = kube::Api<CustomResourceDefinition>::all(client);
  CustomResourceDefinition crd = ConfigMapGenerator::crd();
  std::string name = crd.metadata.name.value();
  if (auto existing = co_await crds.get_opt(name)) {
    crd.metadata.resource_version = existing->metadata.resource_version;
    co_await crds.replace(name, {}, crd);
  } else {
    co_await crds.create({}, crd);
  }
  co_await await_condition(crds, name, conditions::is_crd_established, 30s);
  std::cout << "CRD " << name << " established\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::function<void()> stop;
  return example::run_example(
      "configmapgen_controller", argc, argv,
      [&stop](kube::Client client, example::Options options) -> net::awaitable<void> {
        std::string metrics_listen;
        bool leader_elect = false;
        for (std::size_t i = 0; i < options.args.size(); ++i) {
          if (options.args[i] == "--metrics" && i + 1 < options.args.size()) metrics_listen = options.args[++i];
          else if (options.args[i] == "--leader-elect") leader_elect = true;
          else throw kube::InvalidArgument("unknown argument " + options.args[i]);
        }
        co_await install_crd(client);

        auto registry = std::make_shared<MetricsRegistry>();
        std::optional<MetricsServer> metrics;
        if (!metrics_listen.empty()) {
          metrics.emplace(client.executor(), registry, metrics_listen);
          metrics->start();
          std::cout << "metrics, /healthz and /readyz on port " << metrics->port() << "\n";
        }
        std::string identity = "configmapgen-" + std::to_string(::getpid());
        auto ctx = std::make_shared<Context>(Context{client, Recorder(client, {.controller = "example.kube-cpp.dev/configmapgen", .instance = identity})});
        Controller<ConfigMapGenerator> controller(kube::Api<ConfigMapGenerator>::all(client));
        controller.owns(kube::Api<ConfigMap>::all(client), {.label_selector = std::string(kManagedBy) + "=configmapgen"})
            .with_config({.concurrency = 4})
            .with_metrics(registry)
            .graceful_shutdown_on_signals();
        auto run_controller = [&]() -> net::awaitable<void> { co_await controller.run(reconcile, error_policy, ctx); };
        if (leader_elect) {
          LeaderElector elector(kube::Api<kube::api::coordination::v1::Lease>::namespaced(client, client.default_namespace()),
                                {.lease_name = "configmapgen-controller", .identity = identity});
          stop = [&] { elector.stop(); };
          std::cout << "campaigning for leadership as " << identity << "\n";
          co_await elector.run(run_controller, [&] { controller.shutdown(); });
        } else {
          stop = [&] { controller.shutdown(); };
          co_await run_controller();
        }
        if (metrics) metrics->stop();
        std::cout << "stopped\n";
      },
      &stop);
}
