// crd_reflector: a Reflector caching ConfigMapGenerator custom resources (the kind declared from
// plain structs in config_map_generator.h), printing what changes in its store. Readers of the
// store get immutable shared snapshots; a relist (after a 410) swaps the whole cache at once.
//
//   KUBECONFIG=... build/bin/crd_reflector [--duration SECONDS]
// (install the CRD first: build/bin/crd_derive | kubectl apply -f -)
#include <boost/asio/detached.hpp>
#include <iostream>

#include "config_map_generator.h"
#include "example_main.h"
#include "kube/runtime/reflector.h"

namespace net = boost::asio;
using example::ConfigMapGenerator;
using namespace kube::runtime;

int main(int argc, char** argv) {
  std::function<void()> stop;
  return example::run_example(
      "crd_reflector", argc, argv,
      [&stop](kube::Client client, example::Options) -> net::awaitable<void> {
        Reflector<ConfigMapGenerator> reflector(kube::Api<ConfigMapGenerator>::all(client));
        reflector.watcher().modify([](ConfigMapGenerator& g) { g.metadata.managed_fields.reset(); });  // leaner cache
        auto changes = reflector.subscribe();
        stop = [&reflector] { reflector.stop(); };
        Store<ConfigMapGenerator> store = reflector.store();
        net::co_spawn(co_await net::this_coro::executor, reflector.run(), net::detached);
        while (auto change = co_await changes->next()) {
          if (change->type == EventType::InitDone) {
            std::cout << "cache ready: " << store.size() << " generator(s)\n";
            continue;
          }
          const ConfigMapGenerator& g = *change->object;
          std::cout << to_string(change->type) << " " << kube::namespace_of(g) << "/" << kube::name_of(g)
                    << " replicas=" << g.spec.replicas.value_or(1) << " keys=" << g.spec.content.size()
                    << " (cache: " << store.size() << ")\n"
                    << std::flush;
        }
        std::cout << "stopped; " << store.size() << " generator(s) cached\n";
      },
      &stop);
}
