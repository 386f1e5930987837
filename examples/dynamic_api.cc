// dynamic_api: list objects of any kind, chosen at run time, through discovery and DynamicObject.
//
//   KUBECONFIG=<kubeconfig> build/bin/dynamic_api RESOURCE [namespace]
//   RESOURCE: a plural, singular, short name or kind (pods, deploy, Moose), optionally
//   group-qualified (deployments.apps), or GROUP/VERSION/KIND (apps/v1/Deployment, /v1/Pod).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <iostream>

#include "kube/client/api.h"
#include "kube/client/discovery.h"
#include "kube/core/dynamic_object.h"

namespace net = boost::asio;

net::awaitable<void> run(kube::Client client, std::string what, std::string ns) {
  kube::Discovery discovery(client);
  co_await discovery.run();
  std::optional<kube::DiscoveredResource> found;
  if (std::count(what.begin(), what.end(), '/') == 2) {
    auto first = what.find('/'), second = what.rfind('/');
    found = discovery.resolve_gvk({what.substr(0, first), what.substr(first + 1, second - first - 1), what.substr(second + 1)});
  } else {
    found = discovery.resolve_name(what);
  }
  if (!found) throw kube::Error("the server has no resource \"" + what + "\"");
  const kube::ApiResource& resource = found->resource;
  auto api = resource.scope == kube::Scope::Namespaced && !ns.empty()
                 ? kube::Api<kube::DynamicObject>::namespaced_with(client, ns, resource)
                 : kube::Api<kube::DynamicObject>::all_with(client, resource);
  auto list = co_await api.list();
  std::cout << resource.kind << " (" << resource.api_version << ", " << resource.plural << "): "
            << list.items.size() << " object(s)\n";
  for (const auto& object : list.items) {
    std::string where = object.metadata.namespace_ ? *object.metadata.namespace_ + "/" : "";
    std::string created = object.metadata.creation_timestamp ? object.metadata.creation_timestamp->to_string() : "";
    std::cout << "  " << where << kube::name_of(object) << "  created " << created << "\n";
  }
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: dynamic_api RESOURCE [namespace]\n";
    return 2;
  }
  try {
    net::io_context io;
    kube::Client client(io.get_executor(), kube::Config::infer());
    std::exception_ptr failure;
    net::co_spawn(io, run(client, argv[1], argc > 2 ? argv[2] : ""), [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure) std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    std::cerr << "dynamic_api: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
