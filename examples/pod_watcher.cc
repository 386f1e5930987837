// pod_watcher: follows the Pods of a namespace (or all) through kube::runtime's Watcher, printing
// each event. The watcher survives dropped connections, server restarts and 410s on its own.
//
//   KUBECONFIG=... build/bin/pod_watcher [namespace] [--duration SECONDS]
#include <iostream>

#include "example_main.h"
#include "kube/api/core/v1.h"
#include "kube/runtime/watcher.h"

namespace net = boost::asio;
using kube::api::core::v1::Pod;
using namespace kube::runtime;

int main(int argc, char** argv) {
  std::function<void()> stop;
  return example::run_example(
      "pod_watcher", argc, argv,
      [&stop](kube::Client client, example::Options options) -> net::awaitable<void> {
        auto pods = options.args.empty() ? kube::Api<Pod>::all(client) : kube::Api<Pod>::namespaced(client, options.args[0]);
        Watcher<Pod> watcher(pods);
        watcher.modify([](Pod& pod) { pod.metadata.managed_fields.reset(); });  // not needed here
        stop = [&watcher] { watcher.stop(); };
        while (auto event = co_await watcher.next()) {
          switch (event->type) {
            case EventType::Init:
              std::cout << "listing pods...\n";
              break;
            case EventType::InitDone:
              std::cout << "listed; watching from resourceVersion " << watcher.resource_version() << "\n";
              break;
            case EventType::InitApply:
            case EventType::Apply:
            case EventType::Delete: {
              const Pod& pod = event->object;
              std::string phase = pod.status ? pod.status->phase.value_or("-") : "-";
              std::cout << to_string(event->type) << " " << kube::namespace_of(pod) << "/" << kube::name_of(pod)
                        << " phase=" << phase << " rv=" << kube::resource_version_of(pod) << "\n";
              break;
            }
          }
          std::cout.flush();
        }
        const WatcherStats& stats = watcher.stats();
        std::cout << "stopped after " << stats.events << " events, " << stats.relists << " list(s), "
                  << stats.watch_starts << " watch request(s), " << stats.errors << " retried error(s)\n";
      },
      &stop);
}
