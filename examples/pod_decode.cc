// pod_decode: the typed API in a few lines. Decodes a Pod manifest (JSON: a file argument or
// stdin; default: a real pod from a production cluster), prints what a human wants to know about
// it, and shows the request kube would send to read it back and the selector that matches it.
//
//   build/bin/pod_decode [pod.json]
//   kubectl run web --image=nginx --dry-run=client -o json | build/bin/pod_decode -
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "kube/api/core/v1.h"
#include "kube/core/request.h"
#include "kube/core/selector.h"

namespace v1 = kube::api::core::v1;

namespace {

std::string read_input(const std::string& path) {
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string describe_quantities(const std::optional<std::map<std::string, kube::Quantity>>& q) {
  if (!q) return "-";
  std::string out;
  for (const auto& [name, value] : *q) {
    if (!out.empty()) out += ", ";
    out += name + "=" + value.str();
    if (name == "cpu") out += " (" + std::to_string(value.milli_value()) + "m)";
    if (name == "memory") out += " (" + std::to_string(value.value() >> 20) + " MiB)";
  }
  return out;
}

void print_pod(const v1::Pod& pod) {
  std::cout << "Pod " << kube::namespace_of(pod) << "/" << kube::name_of(pod) << "\n";
  if (pod.metadata.creation_timestamp) std::cout << "  created     " << pod.metadata.creation_timestamp->to_string() << "\n";
  if (const auto* owner = kube::controller_of(pod.metadata)) {
    std::cout << "  controller  " << owner->kind << "/" << owner->name << "\n";
  }
  std::cout << "  labels      " << kube::LabelSelector::from_labels(kube::labels_of(pod.metadata)).to_string() << "\n";
  if (pod.spec) {
    for (const v1::Container& c : pod.spec->containers) {
      std::cout << "  container   " << c.name << "  " << c.image.value_or("?") << "\n";
      for (const auto& port : c.ports.value_or(std::vector<v1::ContainerPort>{})) {
        std::cout << "    port      " << port.container_port << "/" << port.protocol.value_or("TCP")
                  << (port.name ? "  (" + *port.name + ")" : "") << "\n";
      }
      if (c.resources) {
        std::cout << "    requests  " << describe_quantities(c.resources->requests) << "\n";
        std::cout << "    limits    " << describe_quantities(c.resources->limits) << "\n";
      }
      if (c.readiness_probe && c.readiness_probe->http_get) {
        std::cout << "    readiness GET " << c.readiness_probe->http_get->path.value_or("/") << " on port "
                  << c.readiness_probe->http_get->port.to_string() << "\n";
      }
    }
    for (const v1::Volume& v : pod.spec->volumes.value_or(std::vector<v1::Volume>{})) {
      std::string source = v.config_map ? "configMap " + v.config_map->name.value_or("")
                           : v.empty_dir ? "emptyDir"
                           : v.projected ? "projected (" + std::to_string(v.projected->sources.value_or(
                                                              std::vector<v1::VolumeProjection>{}).size()) + " sources)"
                           : v.secret    ? "secret " + v.secret->secret_name.value_or("")
                                         : "other";
      std::cout << "  volume      " << v.name << "  " << source << "\n";
    }
  }
  if (pod.status) {
    std::cout << "  phase       " << pod.status->phase.value_or("Unknown") << "  on node "
              << (pod.spec ? pod.spec->node_name.value_or("-") : "-") << "  ip " << pod.status->pod_ip.value_or("-")
              << "\n";
    for (const auto& cond : pod.status->conditions.value_or(std::vector<v1::PodCondition>{})) {
      std::cout << "  condition   " << cond.type << "=" << cond.status << "\n";
    }
    for (const auto& cs : pod.status->container_statuses.value_or(std::vector<v1::ContainerStatus>{})) {
      std::cout << "  status      " << cs.name << " ready=" << (cs.ready ? "true" : "false")
                << " restarts=" << cs.restart_count;
      if (cs.last_state && cs.last_state->terminated) {
        std::cout << " (last exit " << cs.last_state->terminated->exit_code << " "
                  << cs.last_state->terminated->reason.value_or("") << ")";
      }
      std::cout << "\n";
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : std::string(KUBE_SOURCE_DIR) + "/tests/fixtures/pod-with-managed-fields.json";
  try {
    std::string text = read_input(path);
    auto pod = kube::json::decode<v1::Pod>(text);
    print_pod(pod);

    auto get = kube::Request::of<v1::Pod>(kube::namespace_of(pod)).get(kube::name_of(pod));
    std::cout << "\nRead it back with:  " << get.method << " " << get.target << "\n";
    auto selector = kube::LabelSelector::from_labels(kube::labels_of(pod.metadata));
    auto list = kube::Request::of<v1::Pod>(kube::namespace_of(pod)).list({.label_selector = selector.to_string()});
    std::cout << "List its siblings:  " << list.method << " " << list.target << "\n";

    std::size_t full = kube::json::encode(pod).size();
    pod.metadata.managed_fields.reset();  // what a cache would drop
    std::cout << "JSON: " << text.size() << " bytes in, " << full << " bytes re-encoded, "
              << kube::json::encode(pod).size() << " without managedFields\n";
  } catch (const kube::json::DecodeError& e) {
    std::cerr << "pod_decode: " << path << ": " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "pod_decode: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
