#include "common/realistic_pods.h"

#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "kube/core/dom.h"
#include "kube/core/json.h"

#ifndef KUBE_SOURCE_DIR
#error "KUBE_SOURCE_DIR must be defined"
#endif

namespace kube::bench {

namespace {

const std::string& fixture() {
  static const std::string text = [] {
    std::ifstream in(std::string(KUBE_SOURCE_DIR) + "/tests/fixtures/pod-with-managed-fields.json");
    if (!in) throw std::runtime_error("cannot read the pod fixture");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string compact;
    json::compact(ss.str(), compact);
    return compact;
  }();
  return text;
}

void replace_all(std::string& s, std::string_view from, const std::string& to) {
  for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

std::string hex(unsigned value, int width) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%0*x", width, value);
  return buf;
}

}  // namespace

std::string realistic_pod(int index) {
  std::string pod = fixture();
  unsigned i = static_cast<unsigned>(index);
  unsigned mix = i * 2654435761u;
  replace_all(pod, "checkout-api-7d9c8b6f5d-x7k2p", "checkout-api-7d9c8b6f5d-" + hex(mix & 0xfffff, 5));
  replace_all(pod, "0f3b2d61-8c3a-4e57-b1f0-2a9d6c4e7b95", hex(mix, 8) + "-8c3a-4e57-b1f0-" + hex(i, 12));
  replace_all(pod, "10.244.3.17", "10.244." + std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255));
  replace_all(pod, "48213377", std::to_string(48213377 + i));
  replace_all(pod, "worker-pool-a-3", "worker-pool-a-" + std::to_string(i % 50));
  replace_all(pod, "4b8f0c2e7d1a9f3b6c5e8d7a2f1b0c9e", hex(mix, 8) + hex(i, 8) + hex(mix ^ 0x5bd1e995u, 8) + hex(i * 7u, 8));
  return pod;
}

std::string realistic_pod_list(int count) {
  std::string list = R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"99999999"},"items":[)";
  for (int i = 0; i < count; ++i) {
    if (i) list.push_back(',');
    list += realistic_pod(i);
  }
  list += "]}";
  return list;
}

std::size_t managed_fields_bytes(int index) {
  json::Value pod = json::parse(realistic_pod(index));
  return json::serialize(pod.at("metadata").at("managedFields")).size();
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

}  // namespace kube::bench
