// pod_api: create, read, list, patch and delete a Pod through the typed API.
//
//   KUBECONFIG=<admin.kubeconfig> build/bin/pod_api [namespace]
//
// Works against any cluster; with kube-apiserver-lite:
//   build/bin/kube-apiserver-lite --admin-kubeconfig /tmp/kal.kubeconfig &
//   KUBECONFIG=/tmp/kal.kubeconfig build/bin/pod_api
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <iostream>

#include "kube/api/core/v1.h"
#include "kube/client/api.h"
#include "kube/core/dom.h"

namespace net = boost::asio;
using kube::api::core::v1::Pod;

net::awaitable<void> run(kube::Client client, std::string ns) {
  auto pods = kube::Api<Pod>::namespaced(client, ns);

  Pod pod;
  pod.metadata.name = "blog";
  pod.metadata.labels = std::map<std::string, std::string>{{"app", "blog"}};
  pod.spec.emplace().containers.push_back({.image = "clux/blog:0.1.0", .name = "blog"});
  if (co_await pods.get_opt("blog")) {
    co_await pods.remove("blog");  // from an earlier run
  }
  Pod created = co_await pods.create({}, pod);
  std::cout << "created " << kube::name_of(created) << " uid " << kube::uid_of(created) << " phase "
            << created.status->phase.value_or("?") << "\n";

  Pod got = co_await pods.get("blog");
  std::cout << "got " << kube::name_of(got) << " image " << got.spec->containers[0].image.value_or("") << "\n";

  auto patch = kube::Patch::merge(kube::json::parse(R"({"metadata":{"labels":{"tier":"frontend"}}})"));
  Pod patched = co_await pods.patch("blog", {}, patch);
  std::cout << "patched labels:";
  for (const auto& [k, v] : kube::labels_of(patched.metadata)) std::cout << " " << k << "=" << v;
  std::cout << "\n";

  auto list = co_await pods.list({.label_selector = "app=blog"});
  std::cout << "listed " << list.items.size() << " pod(s) with app=blog at resourceVersion "
            << list.metadata.resource_version.value_or("") << "\n";

  auto deleted = co_await pods.remove("blog");
  if (auto* last = std::get_if<Pod>(&deleted)) std::cout << "deleted " << kube::name_of(*last) << "\n";
}

int main(int argc, char** argv) {
  try {
    net::io_context io;
    kube::Client client(io.get_executor(), kube::Config::infer());
    std::string ns = argc > 1 ? argv[1] : client.default_namespace();
    std::exception_ptr failure;
    net::co_spawn(io, run(client, ns), [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure) std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    std::cerr << "pod_api: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
