// Table responses for `kubectl get`: the built-in columns of the kinds kubectl users know (as the
// Kubernetes API server prints them, always in wide form: priority-1 columns carry cells too),
// custom resources' additionalPrinterColumns, and the JSONPath dialect those columns use.
//
// Layout of this file:
//   1. DOM and formatting helpers (labels, selectors, containers, ages)
//   2. one cells function per built-in kind, with its column definitions
//   3. the registry mapping (group, kind) to columns and cells
//   4. JSONPath: parser and evaluator
//   5. custom resource columns (typed cells, Go-style text for string columns)
//   6. make_table and human_duration
#include "apiserver/table.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "kube/core/error.h"
#include "kube/core/time.h"

namespace kube::apiserver {
namespace {

using Micros = std::chrono::sys_time<std::chrono::microseconds>;

// ================================================================ 1. helpers

const json::Value* get(const json::Value* v, std::string_view key) {
  if (v == nullptr || !v->is_object()) return nullptr;
  return v->get_object().if_contains(key);
}

/// The value at a chain of object keys, or nullptr.
const json::Value* find(const json::Value& v, std::initializer_list<std::string_view> keys) {
  const json::Value* at = &v;
  for (std::string_view key : keys) {
    at = get(at, key);
    if (at == nullptr) return nullptr;
  }
  return at;
}

/// `v` when it is an object (Go's non-nil pointer to a struct), else nullptr.
const json::Value* object_or_null(const json::Value* v) { return v != nullptr && v->is_object() ? v : nullptr; }

std::string text(const json::Value* v) {
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool is_number(const json::Value* v) { return v != nullptr && (v->is_int64() || v->is_uint64() || v->is_double()); }

std::int64_t to_int64(const json::Value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return static_cast<std::int64_t>(std::min<std::uint64_t>(v.get_uint64(), INT64_MAX));
  double d = v.get_double();
  if (!(d > static_cast<double>(INT64_MIN))) return INT64_MIN;  // also NaN
  if (d >= static_cast<double>(INT64_MAX)) return INT64_MAX;
  return static_cast<std::int64_t>(d);
}

/// An integer field; `fallback` when absent or not a number.
std::int64_t integer(const json::Value* v, std::int64_t fallback = 0) { return is_number(v) ? to_int64(*v) : fallback; }

bool flag(const json::Value* v) { return v != nullptr && v->is_bool() && v->get_bool(); }

const json::Array& items(const json::Value* v) {
  static const json::Array empty;
  return v != nullptr && v->is_array() ? v->get_array() : empty;
}

std::size_t size_of(const json::Value* v) {
  if (v == nullptr) return 0;
  if (v->is_array()) return v->get_array().size();
  if (v->is_object()) return v->get_object().size();
  return 0;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string trim_space(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\r\v\f";
  std::size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return std::string(s.substr(begin, s.find_last_not_of(kSpace) - begin + 1));
}

/// "a,b,c + 2 more..." as Kubernetes abbreviates long lists.
std::string list_with_more(const std::vector<std::string>& list, bool more, std::int64_t count, std::size_t max) {
  std::string out = join(list, ",");
  if (more) return out + " + " + std::to_string(count - static_cast<std::int64_t>(max)) + " more...";
  return out;
}

std::string join_host_port(const std::string& host, std::int64_t port) {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

/// The first condition of `type` in a conditions list, or nullptr.
const json::Value* condition(const json::Value* conditions, std::string_view type) {
  for (const json::Value& c : items(conditions)) {
    if (text(get(&c, "type")) == type) return &c;
  }
  return nullptr;
}

bool condition_true(const json::Value* conditions, std::string_view type) {
  return text(get(condition(conditions, type), "status")) == "True";
}

// ---- labels and selectors (labels.FormatLabels, metav1.FormatLabelSelector)

/// "k1=v1,k2=v2" sorted by key; empty for no labels.
std::string label_set(const json::Value* labels) {
  std::map<std::string, std::string> sorted;
  if (labels != nullptr && labels->is_object()) {
    for (const auto& member : labels->get_object()) {
      sorted.emplace(std::string(member.key()), text(&member.value()));
    }
  }
  std::vector<std::string> parts;
  for (const auto& [k, v] : sorted) parts.push_back(k + "=" + v);
  return join(parts, ",");
}

std::string format_labels(const json::Value* labels) {
  std::string s = label_set(labels);
  return s.empty() ? "<none>" : s;
}

/// A LabelSelector as a labels.Selector string ("app=web,tier in (a,b)"); nullopt when invalid.
std::optional<std::string> selector_string(const json::Value* selector) {
  std::vector<std::pair<std::string, std::string>> requirements;  // (key, rendered)
  if (const json::Value* match = get(selector, "matchLabels"); match != nullptr && match->is_object()) {
    for (const auto& member : match->get_object()) {
      std::string key(member.key());
      requirements.emplace_back(key, key + "=" + text(&member.value()));
    }
  }
  for (const json::Value& expr : items(get(selector, "matchExpressions"))) {
    std::string key = text(get(&expr, "key"));
    std::string op = text(get(&expr, "operator"));
    std::vector<std::string> values;
    for (const json::Value& v : items(get(&expr, "values"))) values.push_back(text(&v));
    std::sort(values.begin(), values.end());
    if (op == "In" || op == "NotIn") {
      if (values.empty()) return std::nullopt;
      requirements.emplace_back(key, key + (op == "In" ? " in (" : " notin (") + join(values, ",") + ")");
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (!values.empty()) return std::nullopt;
      requirements.emplace_back(key, (op == "Exists" ? "" : "!") + key);
    } else {
      return std::nullopt;
    }
  }
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> parts;
  for (const auto& r : requirements) parts.push_back(r.second);
  return join(parts, ",");
}

std::string format_label_selector(const json::Value* selector) {
  std::optional<std::string> s = selector_string(selector);
  if (!s) return "<error>";
  return s->empty() ? "<none>" : *s;
}

// ---- containers

struct ContainerCells {
  std::string names;
  std::string images;
};

ContainerCells container_cells(const json::Value* containers) {
  std::vector<std::string> names, images;
  for (const json::Value& c : items(containers)) {
    names.push_back(text(get(&c, "name")));
    images.push_back(text(get(&c, "image")));
  }
  return {join(names, ","), join(images, ",")};
}

/// Containers and images of a pod template (spec.template.spec.containers).
ContainerCells template_containers(const json::Value& obj) {
  return container_cells(find(obj, {"spec", "template", "spec", "containers"}));
}

// ---- time

std::optional<Micros> timestamp(const json::Value* v) {
  if (v == nullptr || !v->is_string() || v->get_string().empty()) return std::nullopt;
  try {
    return parse_rfc3339(std::string_view(v->get_string()));
  } catch (const InvalidArgument&) {
    return std::nullopt;
  }
}

/// The reference time for ages ("now" of the request).
struct Now {
  std::chrono::system_clock::time_point now;

  /// kubectl's translateTimestampSince: "<unknown>" for no timestamp.
  std::string since(const std::optional<Micros>& t) const {
    if (!t) return "<unknown>";
    return human_duration(std::chrono::duration_cast<std::chrono::seconds>(now - *t));
  }
  std::string since(const json::Value* t) const { return since(timestamp(t)); }
  std::string age(const json::Value& obj) const { return since(find(obj, {"metadata", "creationTimestamp"})); }
};

std::string name_of(const json::Value& obj) { return text(find(obj, {"metadata", "name"})); }

bool deleting(const json::Value& obj) { return timestamp(find(obj, {"metadata", "deletionTimestamp"})).has_value(); }

/// A Quantity or IntOrString as the text Kubernetes prints.
std::string scalar_text(const json::Value* v) {
  if (v == nullptr) return "";
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64() || v->is_uint64() || v->is_double()) return std::to_string(to_int64(*v));
  return "";
}

/// helper.GetAccessModesAsString: "RWO,ROX,RWX,RWOP" in that fixed order.
std::string access_modes(const json::Value* modes) {
  std::set<std::string> present;
  for (const json::Value& m : items(modes)) present.insert(text(&m));
  std::vector<std::string> out;
  for (auto [mode, abbreviation] : {std::pair{"ReadWriteOnce", "RWO"}, std::pair{"ReadOnlyMany", "ROX"},
                                    std::pair{"ReadWriteMany", "RWX"}, std::pair{"ReadWriteOncePod", "RWOP"}}) {
    if (present.count(mode) > 0) out.push_back(abbreviation);
  }
  return join(out, ",");
}

/// A load balancer status's ingress points: IPs or hostnames, sorted and unique.
std::string load_balancer_ingress(const json::Value* status) {
  std::set<std::string> points;
  for (const json::Value& in : items(get(status, "ingress"))) {
    if (std::string ip = text(get(&in, "ip")); !ip.empty()) {
      points.insert(ip);
    } else if (std::string host = text(get(&in, "hostname")); !host.empty()) {
      points.insert(host);
    }
  }
  return join(std::vector<std::string>(points.begin(), points.end()), ",");
}

// ================================================================ 2. built-in kinds

using Cells = json::Array;

struct ColumnDef {
  std::string_view name;
  std::string_view type;
  std::string_view description;
  int priority = 0;
  std::string_view format = {};
};

// Descriptions: those of metav1.ObjectMeta in full (every table has them); field documentation
// of other columns abbreviated to its first sentence.
constexpr std::string_view kDocName =
    "Name must be unique within a namespace. Is required when creating resources, although some resources may "
    "allow a client to request the generation of an appropriate name automatically. Name is primarily intended "
    "for creation idempotence and configuration definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
constexpr std::string_view kDocCreationTimestamp =
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
    "guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It "
    "is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More "
    "info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

constexpr ColumnDef kNameColumn{"Name", "string", kDocName, 0, "name"};
constexpr ColumnDef kAgeColumn{"Age", "string", kDocCreationTimestamp};
constexpr ColumnDef kContainersColumn{"Containers", "string", "Names of each container in the template.", 1};
constexpr ColumnDef kImagesColumn{"Images", "string", "Images referenced by each container in the template.", 1};

// ---- Pod

constexpr ColumnDef kPodColumns[] = {
    kNameColumn,
    {"Ready", "string", "The aggregate readiness state of this pod for accepting traffic."},
    {"Status", "string", "The aggregate status of the containers in this pod."},
    {"Restarts", "string",
     "The number of times the containers in this pod have been restarted and when the last container in this pod "
     "has restarted."},
    kAgeColumn,
    {"IP", "string", "podIP address allocated to the pod.", 1},
    {"Node", "string", "NodeName indicates in which node this pod is scheduled.", 1},
    {"Nominated Node", "string",
     "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled "
     "right away as preemption victims receive their graceful termination periods.",
     1},
    {"Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.", 1},
};

/// Restart count and the latest last-termination time over a set of container statuses.
struct Restarts {
  std::int64_t count = 0;
  std::optional<Micros> last;

  void add(const json::Value& status) {
    count += integer(get(&status, "restartCount"));
    if (const json::Value* terminated = object_or_null(find(status, {"lastState", "terminated"}))) {
      std::optional<Micros> finished = timestamp(get(terminated, "finishedAt"));
      if (finished && (!last || *last < *finished)) last = finished;
    }
  }
};

/// "Error", or for a terminated state without reason "Signal:9" / "ExitCode:1".
std::string terminated_reason(const json::Value& terminated) {
  if (std::string reason = text(get(&terminated, "reason")); !reason.empty()) return reason;
  if (std::int64_t signal = integer(get(&terminated, "signal")); signal != 0) {
    return "Signal:" + std::to_string(signal);
  }
  return "ExitCode:" + std::to_string(integer(get(&terminated, "exitCode")));
}

bool restartable_init_container(const json::Value* spec, std::string_view name) {
  for (const json::Value& c : items(get(spec, "initContainers"))) {
    if (text(get(&c, "name")) == name) return text(get(&c, "restartPolicy")) == "Always";
  }
  return false;
}

std::string readiness_gates(const json::Value* spec, const json::Value* status) {
  const json::Array& gates = items(get(spec, "readinessGates"));
  if (gates.empty()) return "<none>";
  std::size_t satisfied = 0;
  for (const json::Value& gate : gates) {
    if (condition_true(get(status, "conditions"), text(get(&gate, "conditionType")))) ++satisfied;
  }
  return std::to_string(satisfied) + "/" + std::to_string(gates.size());
}

std::string first_pod_ip(const json::Value* status) {
  const json::Array& ips = items(get(status, "podIPs"));
  std::string ip = ips.empty() ? text(get(status, "podIP")) : text(get(&ips[0], "ip"));
  return ip.empty() ? "<none>" : ip;
}

std::string or_none(std::string s) { return s.empty() ? "<none>" : s; }

Cells pod_cells(const json::Value& pod, const Now& now) {
  const json::Value* spec = get(&pod, "spec");
  const json::Value* status = get(&pod, "status");
  const json::Value* conditions = get(status, "conditions");
  const std::string phase = text(get(status, "phase"));

  std::string reason = phase;
  if (std::string r = text(get(status, "reason")); !r.empty()) reason = r;
  for (const json::Value& c : items(conditions)) {
    if (text(get(&c, "type")) == "PodScheduled" && text(get(&c, "reason")) == "SchedulingGated") {
      reason = "SchedulingGated";
    }
  }

  std::int64_t total = static_cast<std::int64_t>(size_of(get(spec, "containers")));
  for (const json::Value& c : items(get(spec, "initContainers"))) {
    if (text(get(&c, "restartPolicy")) == "Always") ++total;
  }
  std::int64_t ready = 0;

  // Init containers: the first one not done decides the status ("Init:1/2", "Init:Error"...).
  Restarts all_restarts, sidecar_restarts;
  bool initializing = false;
  const json::Array& init_statuses = items(get(status, "initContainerStatuses"));
  for (std::size_t i = 0; i < init_statuses.size(); ++i) {
    const json::Value& c = init_statuses[i];
    const bool sidecar = restartable_init_container(spec, text(get(&c, "name")));
    all_restarts.add(c);
    if (sidecar) sidecar_restarts.add(c);
    const json::Value* terminated = object_or_null(find(c, {"state", "terminated"}));
    const json::Value* waiting = object_or_null(find(c, {"state", "waiting"}));
    if (terminated != nullptr && integer(get(terminated, "exitCode")) == 0) continue;
    if (sidecar && flag(get(&c, "started"))) {
      if (flag(get(&c, "ready"))) ++ready;
      continue;
    }
    initializing = true;
    const std::string waiting_reason = text(get(waiting, "reason"));
    if (terminated != nullptr) {
      reason = "Init:" + terminated_reason(*terminated);
    } else if (!waiting_reason.empty() && waiting_reason != "PodInitializing") {
      reason = "Init:" + waiting_reason;
    } else {
      reason = "Init:" + std::to_string(i) + "/" + std::to_string(size_of(get(spec, "initContainers")));
    }
    break;
  }

  // Regular containers: the first with a waiting or terminated reason decides the status.
  Restarts restarts = all_restarts;
  if (!initializing || condition_true(conditions, "Initialized")) {
    restarts = sidecar_restarts;
    bool has_running = false;
    const json::Array& statuses = items(get(status, "containerStatuses"));
    for (auto it = statuses.rbegin(); it != statuses.rend(); ++it) {
      restarts.add(*it);
      const json::Value* terminated = object_or_null(find(*it, {"state", "terminated"}));
      const std::string waiting_reason = text(find(*it, {"state", "waiting", "reason"}));
      if (!waiting_reason.empty()) {
        reason = waiting_reason;
      } else if (terminated != nullptr) {
        reason = terminated_reason(*terminated);
      } else if (flag(get(&*it, "ready")) && object_or_null(find(*it, {"state", "running"})) != nullptr) {
        has_running = true;
        ++ready;
      }
    }
    if (reason == "Completed" && has_running) reason = condition_true(conditions, "Ready") ? "Running" : "NotReady";
  }

  if (deleting(pod) && text(get(status, "reason")) == "NodeLost") {
    reason = "Unknown";
  } else if (deleting(pod) && phase != "Succeeded" && phase != "Failed") {
    reason = "Terminating";
  }

  std::string restarts_text = std::to_string(restarts.count);
  if (restarts.count != 0 && restarts.last) restarts_text += " (" + now.since(restarts.last) + " ago)";

  return {name_of(pod),
          std::to_string(ready) + "/" + std::to_string(total),
          reason,
          restarts_text,
          now.age(pod),
          first_pod_ip(status),
          or_none(text(get(spec, "nodeName"))),
          or_none(text(get(status, "nominatedNodeName"))),
          readiness_gates(spec, status)};
}

/// Row conditions marking finished pods (metav1.RowCompleted).
json::Array pod_row_conditions(const json::Value& pod) {
  const std::string phase = text(find(pod, {"status", "phase"}));
  if (phase != "Succeeded" && phase != "Failed") return {};
  json::Object c;
  c["type"] = "Completed";
  c["status"] = "True";
  c["reason"] = phase;
  c["message"] = phase == "Succeeded" ? "The pod has completed successfully." : "The pod failed.";
  json::Array conditions;
  conditions.push_back(std::move(c));
  return conditions;
}

// ---- Node

constexpr ColumnDef kNodeColumns[] = {
    kNameColumn,
    {"Status", "string", "The status of the node"},
    {"Roles", "string", "The roles of the node"},
    kAgeColumn,
    {"Version", "string", "Kubelet Version reported by the node."},
    {"Internal-IP", "string", "List of addresses reachable to the node.", 1},
    {"External-IP", "string", "List of addresses reachable to the node.", 1},
    {"OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1},
    {"Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1},
    {"Container-Runtime", "string",
     "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1},
};

std::string node_roles(const json::Value& node) {
  constexpr std::string_view kRolePrefix = "node-role.kubernetes.io/";
  std::set<std::string> roles;
  if (const json::Value* labels = find(node, {"metadata", "labels"}); labels != nullptr && labels->is_object()) {
    for (const auto& member : labels->get_object()) {
      std::string_view key = member.key();
      if (key.starts_with(kRolePrefix) && key.size() > kRolePrefix.size()) {
        roles.insert(std::string(key.substr(kRolePrefix.size())));
      } else if (key == "kubernetes.io/role" && !text(&member.value()).empty()) {
        roles.insert(text(&member.value()));
      }
    }
  }
  return or_none(join(std::vector<std::string>(roles.begin(), roles.end()), ","));
}

std::string node_address(const json::Value& node, std::string_view type) {
  for (const json::Value& a : items(find(node, {"status", "addresses"}))) {
    if (text(get(&a, "type")) == type) return text(get(&a, "address"));
  }
  return "<none>";
}

Cells node_cells(const json::Value& node, const Now& now) {
  // Only the Ready condition counts; a later duplicate overrides an earlier one.
  std::vector<std::string> status;
  const json::Value* ready = nullptr;
  for (const json::Value& c : items(find(node, {"status", "conditions"}))) {
    if (text(get(&c, "type")) == "Ready") ready = &c;
  }
  if (ready != nullptr) status.push_back(text(get(ready, "status")) == "True" ? "Ready" : "NotReady");
  if (status.empty()) status.push_back("Unknown");
  if (flag(find(node, {"spec", "unschedulable"}))) status.push_back("SchedulingDisabled");

  const json::Value* info = find(node, {"status", "nodeInfo"});
  auto known = [](std::string s) { return s.empty() ? std::string("<unknown>") : s; };
  return {name_of(node),
          join(status, ","),
          node_roles(node),
          now.age(node),
          text(get(info, "kubeletVersion")),
          node_address(node, "InternalIP"),
          node_address(node, "ExternalIP"),
          known(text(get(info, "osImage"))),
          known(text(get(info, "kernelVersion"))),
          known(text(get(info, "containerRuntimeVersion")))};
}

// ---- Namespace, ConfigMap, Secret, ServiceAccount, Lease

constexpr ColumnDef kNamespaceColumns[] = {
    kNameColumn,
    {"Status", "string", "The status of the namespace"},
    kAgeColumn,
};

Cells namespace_cells(const json::Value& ns, const Now& now) {
  return {name_of(ns), text(find(ns, {"status", "phase"})), now.age(ns)};
}

constexpr ColumnDef kConfigMapColumns[] = {kNameColumn, {"Data", "string", "Data contains the configuration data."},
                                           kAgeColumn};

Cells config_map_cells(const json::Value& cm, const Now& now) {
  auto data = static_cast<std::int64_t>(size_of(get(&cm, "data")) + size_of(get(&cm, "binaryData")));
  return {name_of(cm), data, now.age(cm)};
}

constexpr ColumnDef kSecretColumns[] = {
    kNameColumn,
    {"Type", "string", "Used to facilitate programmatic handling of secret data."},
    {"Data", "string", "Data contains the secret data."},
    kAgeColumn,
};

Cells secret_cells(const json::Value& secret, const Now& now) {
  return {name_of(secret), text(get(&secret, "type")), static_cast<std::int64_t>(size_of(get(&secret, "data"))),
          now.age(secret)};
}

constexpr ColumnDef kServiceAccountColumns[] = {
    kNameColumn,
    {"Secrets", "string",
     "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are "
     "allowed to use."},
    kAgeColumn,
};

Cells service_account_cells(const json::Value& sa, const Now& now) {
  return {name_of(sa), static_cast<std::int64_t>(size_of(get(&sa, "secrets"))), now.age(sa)};
}

constexpr ColumnDef kLeaseColumns[] = {
    kNameColumn,
    {"Holder", "string", "holderIdentity contains the identity of the holder of a current lease."},
    kAgeColumn,
};

Cells lease_cells(const json::Value& lease, const Now& now) {
  return {name_of(lease), text(find(lease, {"spec", "holderIdentity"})), now.age(lease)};
}

// ---- Service

constexpr ColumnDef kServiceColumns[] = {
    kNameColumn,
    {"Type", "string", "type determines how the Service is exposed."},
    {"Cluster-IP", "string", "clusterIP is the IP address of the service and is usually assigned randomly."},
    {"External-IP", "string",
     "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this "
     "service."},
    {"Port(s)", "string", "The list of ports that are exposed by this service."},
    kAgeColumn,
    {"Selector", "string", "Route service traffic to pods with label keys and values matching this selector.", 1},
};

std::string service_external_ip(const json::Value& svc) {
  const json::Value* spec = get(&svc, "spec");
  std::vector<std::string> external;
  for (const json::Value& ip : items(get(spec, "externalIPs"))) external.push_back(text(&ip));
  const std::string type = text(get(spec, "type"));
  if (type == "ClusterIP" || type == "NodePort") return external.empty() ? "<none>" : join(external, ",");
  if (type == "LoadBalancer") {
    std::string ingress = load_balancer_ingress(find(svc, {"status", "loadBalancer"}));
    if (!external.empty()) return ingress.empty() ? join(external, ",") : ingress + "," + join(external, ",");
    return ingress.empty() ? "<pending>" : ingress;
  }
  if (type == "ExternalName") return text(get(spec, "externalName"));
  return "<unknown>";
}

std::string service_ports(const json::Value* spec) {
  std::vector<std::string> parts;
  for (const json::Value& p : items(get(spec, "ports"))) {
    std::string protocol = text(get(&p, "protocol"));
    if (protocol.empty()) protocol = "TCP";
    std::string port = std::to_string(integer(get(&p, "port")));
    if (std::int64_t node_port = integer(get(&p, "nodePort")); node_port > 0) port += ":" + std::to_string(node_port);
    parts.push_back(port + "/" + protocol);
  }
  return or_none(join(parts, ","));
}

Cells service_cells(const json::Value& svc, const Now& now) {
  const json::Value* spec = get(&svc, "spec");
  const json::Array& cluster_ips = items(get(spec, "clusterIPs"));
  std::string cluster_ip = cluster_ips.empty() ? text(get(spec, "clusterIP")) : text(&cluster_ips[0]);
  return {name_of(svc),          text(get(spec, "type")), or_none(cluster_ip),
          service_external_ip(svc), service_ports(spec),  now.age(svc),
          format_labels(get(spec, "selector"))};
}

// ---- Endpoints

constexpr ColumnDef kEndpointsColumns[] = {
    kNameColumn, {"Endpoints", "string", "The set of all endpoints is the union of all subsets."}, kAgeColumn};

std::string format_endpoints(const json::Value& endpoints) {
  const json::Array& subsets = items(get(&endpoints, "subsets"));
  if (subsets.empty()) return "<none>";
  constexpr std::size_t kMax = 3;
  std::vector<std::string> list;
  bool more = false;
  std::int64_t count = 0;
  for (const json::Value& subset : subsets) {
    const json::Array& addresses = items(get(&subset, "addresses"));
    const json::Array& ports = items(get(&subset, "ports"));
    // Headless services may have no ports: list bare IPs.
    const std::size_t rounds = ports.empty() ? 1 : ports.size();
    for (std::size_t p = 0; p < rounds; ++p) {
      count += static_cast<std::int64_t>(addresses.size());
      for (const json::Value& address : addresses) {
        if (list.size() == kMax) {
          more = true;
          break;
        }
        std::string ip = text(get(&address, "ip"));
        list.push_back(ports.empty() ? ip : join_host_port(ip, integer(get(&ports[p], "port"))));
      }
    }
  }
  return list_with_more(list, more, count, kMax);
}

Cells endpoints_cells(const json::Value& ep, const Now& now) {
  return {name_of(ep), format_endpoints(ep), now.age(ep)};
}

// ---- workloads: Deployment, ReplicaSet, StatefulSet, DaemonSet, ReplicationController

constexpr ColumnDef kDeploymentColumns[] = {
    kNameColumn,
    {"Ready", "string", "Number of the pod with ready state"},
    {"Up-to-date", "string",
     "Total number of non-terminating pods targeted by this deployment that have the desired template spec."},
    {"Available", "string",
     "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this "
     "deployment."},
    kAgeColumn,
    kContainersColumn,
    kImagesColumn,
    {"Selector", "string", "Label selector for pods.", 1},
};

/// spec.replicas, which apps/v1 defaults to 1.
std::int64_t desired_replicas(const json::Value& obj) { return integer(find(obj, {"spec", "replicas"}), 1); }

Cells deployment_cells(const json::Value& d, const Now& now) {
  const json::Value* status = get(&d, "status");
  ContainerCells containers = template_containers(d);
  return {name_of(d),
          std::to_string(integer(get(status, "readyReplicas"))) + "/" + std::to_string(desired_replicas(d)),
          integer(get(status, "updatedReplicas")),
          integer(get(status, "availableReplicas")),
          now.age(d),
          containers.names,
          containers.images,
          selector_string(find(d, {"spec", "selector"})).value_or("<invalid>")};
}

constexpr ColumnDef kReplicaSetColumns[] = {
    kNameColumn,
    {"Desired", "integer", "Replicas is the number of desired pods."},
    {"Current", "integer", "Replicas is the most recently observed number of non-terminating pods."},
    {"Ready", "integer", "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition."},
    kAgeColumn,
    kContainersColumn,
    kImagesColumn,
    {"Selector", "string", "Selector is a label query over pods that should match the replica count.", 1},
};

Cells replica_set_cells(const json::Value& rs, const Now& now) {
  const json::Value* status = get(&rs, "status");
  ContainerCells containers = template_containers(rs);
  return {name_of(rs),
          desired_replicas(rs),
          integer(get(status, "replicas")),
          integer(get(status, "readyReplicas")),
          now.age(rs),
          containers.names,
          containers.images,
          format_label_selector(find(rs, {"spec", "selector"}))};
}

constexpr ColumnDef kReplicationControllerColumns[] = {
    kNameColumn,
    {"Desired", "integer", "Replicas is the number of desired replicas."},
    {"Current", "integer", "Replicas is the most recently observed number of replicas."},
    {"Ready", "integer", "The number of ready replicas for this replication controller."},
    kAgeColumn,
    kContainersColumn,
    kImagesColumn,
    {"Selector", "string", "Selector is a label query over pods that should match the Replicas count.", 1},
};

Cells replication_controller_cells(const json::Value& rc, const Now& now) {
  const json::Value* status = get(&rc, "status");
  ContainerCells containers = template_containers(rc);
  return {name_of(rc),
          desired_replicas(rc),
          integer(get(status, "replicas")),
          integer(get(status, "readyReplicas")),
          now.age(rc),
          containers.names,
          containers.images,
          format_labels(find(rc, {"spec", "selector"}))};
}

constexpr ColumnDef kStatefulSetColumns[] = {
    kNameColumn,
    {"Ready", "string", "Number of the pod with ready state"},
    kAgeColumn,
    kContainersColumn,
    kImagesColumn,
};

Cells stateful_set_cells(const json::Value& sts, const Now& now) {
  ContainerCells containers = template_containers(sts);
  return {name_of(sts),
          std::to_string(integer(find(sts, {"status", "readyReplicas"}))) + "/" +
              std::to_string(desired_replicas(sts)),
          now.age(sts), containers.names, containers.images};
}

constexpr ColumnDef kDaemonSetColumns[] = {
    kNameColumn,
    {"Desired", "integer",
     "The total number of nodes that should be running the daemon pod (including nodes correctly running the "
     "daemon pod)."},
    {"Current", "integer",
     "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod."},
    {"Ready", "integer",
     "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon "
     "pod running with a Ready Condition."},
    {"Up-to-date", "integer", "The total number of nodes that are running updated daemon pod."},
    {"Available", "integer",
     "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and "
     "available (ready for at least spec.minReadySeconds)."},
    {"Node Selector", "string", "NodeSelector is a selector which must be true for the pod to fit on a node."},
    kAgeColumn,
    kContainersColumn,
    kImagesColumn,
    {"Selector", "string", "A label query over pods that are managed by the daemon set.", 1},
};

Cells daemon_set_cells(const json::Value& ds, const Now& now) {
  const json::Value* status = get(&ds, "status");
  ContainerCells containers = template_containers(ds);
  return {name_of(ds),
          integer(get(status, "desiredNumberScheduled")),
          integer(get(status, "currentNumberScheduled")),
          integer(get(status, "numberReady")),
          integer(get(status, "updatedNumberScheduled")),
          integer(get(status, "numberAvailable")),
          format_labels(find(ds, {"spec", "template", "spec", "nodeSelector"})),
          now.age(ds),
          containers.names,
          containers.images,
          format_label_selector(find(ds, {"spec", "selector"}))};
}

// ---- Job, CronJob

constexpr ColumnDef kJobColumns[] = {
    kNameColumn,
    {"Status", "string", "Status of the job."},
    {"Completions", "string", "The number of pods which reached phase Succeeded."},
    {"Duration", "string", "Time required to complete the job."},
    kAgeColumn,
    kContainersColumn,
    kImagesColumn,
    {"Selector", "string", "A label query over pods that should match the pod count.", 1},
};

std::string job_status(const json::Value& job) {
  const json::Value* conditions = find(job, {"status", "conditions"});
  if (condition_true(conditions, "Complete")) return "Complete";
  if (condition_true(conditions, "Failed")) return "Failed";
  if (deleting(job)) return "Terminating";
  if (condition_true(conditions, "Suspended")) return "Suspended";
  if (condition_true(conditions, "FailureTarget")) return "FailureTarget";
  return "Running";
}

std::string job_completions(const json::Value& job) {
  const std::string succeeded = std::to_string(integer(find(job, {"status", "succeeded"})));
  if (const json::Value* completions = find(job, {"spec", "completions"}); is_number(completions)) {
    return succeeded + "/" + std::to_string(to_int64(*completions));
  }
  std::int64_t parallelism = integer(find(job, {"spec", "parallelism"}));
  if (parallelism > 1) return succeeded + "/1 of " + std::to_string(parallelism);
  return succeeded + "/1";
}

std::string job_duration(const json::Value& job, const Now& now) {
  std::optional<Micros> start = timestamp(find(job, {"status", "startTime"}));
  if (!start) return "";
  std::optional<Micros> completion = timestamp(find(job, {"status", "completionTime"}));
  if (!completion) return now.since(start);
  return human_duration(std::chrono::duration_cast<std::chrono::seconds>(*completion - *start));
}

Cells job_cells(const json::Value& job, const Now& now) {
  ContainerCells containers = template_containers(job);
  return {name_of(job),     job_status(job),   job_completions(job),
          job_duration(job, now), now.age(job), containers.names,
          containers.images, format_label_selector(find(job, {"spec", "selector"}))};
}

constexpr ColumnDef kCronJobColumns[] = {
    kNameColumn,
    {"Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."},
    {"Timezone", "string",
     "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."},
    {"Suspend", "boolean",
     "This flag tells the controller to suspend subsequent executions, it does not apply to already started "
     "executions."},
    {"Active", "integer", "A list of pointers to currently running jobs."},
    {"Last Schedule", "string", "Information when was the last time the job was successfully scheduled."},
    kAgeColumn,
    kContainersColumn,
    kImagesColumn,
    {"Selector", "string", "A label query over pods that should match the pod count.", 1},
};

Cells cron_job_cells(const json::Value& cj, const Now& now) {
  const json::Value* spec = get(&cj, "spec");
  const json::Value* suspend = get(spec, "suspend");
  std::string suspend_text = suspend != nullptr && suspend->is_bool() ? (suspend->get_bool() ? "True" : "False")
                                                                        : "<unset>";
  const json::Value* last_schedule = find(cj, {"status", "lastScheduleTime"});
  const json::Value* time_zone = get(spec, "timeZone");
  const json::Value* job_spec = find(cj, {"spec", "jobTemplate", "spec"});
  ContainerCells containers =
      container_cells(find(cj, {"spec", "jobTemplate", "spec", "template", "spec", "containers"}));
  return {name_of(cj),
          text(get(spec, "schedule")),
          time_zone != nullptr && time_zone->is_string() ? text(time_zone) : "<none>",
          suspend_text,
          static_cast<std::int64_t>(size_of(find(cj, {"status", "active"}))),
          last_schedule != nullptr && !last_schedule->is_null() ? now.since(last_schedule) : "<none>",
          now.age(cj),
          containers.names,
          containers.images,
          format_label_selector(get(job_spec, "selector"))};
}

// ---- Event (core/v1 and events.k8s.io/v1 name the same fields differently)

constexpr ColumnDef kEventColumns[] = {
    {"Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."},
    {"Type", "string", "Type of this event (Normal, Warning), new types could be added in the future."},
    {"Reason", "string",
     "This should be a short, machine understandable string that gives the reason for the transition into the "
     "object's current status."},
    {"Object", "string", "The object that this event is about."},
    {"Subobject", "string",
     "If referring to a piece of an object instead of an entire object, this string should contain a valid "
     "JSON/Go field access statement, such as desiredState.manifest.containers[2].",
     1},
    {"Source", "string", "The component reporting this event.", 1},
    {"Message", "string", "A human-readable description of the status of this operation."},
    {"First Seen", "string", "The time at which the event was first recorded.", 1},
    {"Count", "string", "The number of times this event has occurred.", 1},
    {"Name", "string", kDocName, 1, "name"},
};

struct EventFields {
  std::string_view involved_object, message, source, first_timestamp, last_timestamp, count, reporting_controller;
};
constexpr EventFields kCoreEventFields{"involvedObject", "message",       "source",           "firstTimestamp",
                                       "lastTimestamp",  "count",         "reportingComponent"};
constexpr EventFields kEventsV1Fields{"regarding",    "note", "deprecatedSource", "deprecatedFirstTimestamp",
                                      "deprecatedLastTimestamp", "deprecatedCount", "reportingController"};

template <const EventFields& F>
Cells event_cells(const json::Value& event, const Now& now) {
  std::string first_seen = now.since(get(&event, F.first_timestamp));
  if (!timestamp(get(&event, F.first_timestamp))) first_seen = now.since(get(&event, "eventTime"));
  std::string last_seen = timestamp(get(&event, F.last_timestamp)) ? now.since(get(&event, F.last_timestamp))
                                                                   : first_seen;
  std::int64_t count = integer(get(&event, F.count));
  if (const json::Value* series = object_or_null(get(&event, "series"))) {
    last_seen = now.since(get(series, "lastObservedTime"));
    count = integer(get(series, "count"));
  } else if (count == 0) {
    count = 1;  // singleton events of the events.k8s.io API have no count
  }

  const json::Value* involved = get(&event, F.involved_object);
  std::string target = lower(text(get(involved, "kind")));
  if (std::string name = text(get(involved, "name")); !name.empty()) target += "/" + name;

  const json::Value* source = get(&event, F.source);
  std::string component = text(get(source, "component"));
  if (component.empty()) component = text(get(&event, F.reporting_controller));
  std::string host = text(get(source, "host"));
  if (host.empty()) host = text(get(&event, "reportingInstance"));
  std::string source_text = host.empty() ? component : component + ", " + host;

  return {last_seen, text(get(&event, "type")), text(get(&event, "reason")), target,
          text(get(involved, "fieldPath")), source_text, trim_space(text(get(&event, F.message))), first_seen,
          count, name_of(event)};
}

// ---- storage: PersistentVolumeClaim, PersistentVolume, StorageClass

constexpr ColumnDef kPersistentVolumeClaimColumns[] = {
    kNameColumn,
    {"Status", "string", "phase represents the current phase of PersistentVolumeClaim."},
    {"Volume", "string", "volumeName is the binding reference to the PersistentVolume backing this claim."},
    {"Capacity", "string", "capacity represents the actual resources of the underlying volume."},
    {"Access Modes", "string", "accessModes contains the actual access modes the volume backing the PVC has."},
    {"StorageClass", "string", "StorageClass of the pvc"},
    {"VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"},
    kAgeColumn,
    {"VolumeMode", "string", "volumeMode defines what type of volume is required by the claim.", 1},
};

/// The beta storage-class annotation wins over spec.storageClassName.
std::string storage_class(const json::Value& obj) {
  if (const json::Value* a = find(obj, {"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"})) {
    return text(a);
  }
  return text(find(obj, {"spec", "storageClassName"}));
}

std::string unset_if_empty(const json::Value* v) {
  return v != nullptr && v->is_string() ? text(v) : std::string("<unset>");
}

Cells persistent_volume_claim_cells(const json::Value& pvc, const Now& now) {
  const json::Value* spec = get(&pvc, "spec");
  const json::Value* status = get(&pvc, "status");
  std::string volume = text(get(spec, "volumeName"));
  std::string capacity, modes;
  if (!volume.empty()) {
    capacity = scalar_text(find(pvc, {"status", "capacity", "storage"}));
    modes = access_modes(get(status, "accessModes"));
  }
  return {name_of(pvc),
          deleting(pvc) ? "Terminating" : text(get(status, "phase")),
          volume,
          capacity,
          modes,
          storage_class(pvc),
          unset_if_empty(get(spec, "volumeAttributesClassName")),
          now.age(pvc),
          unset_if_empty(get(spec, "volumeMode"))};
}

constexpr ColumnDef kPersistentVolumeColumns[] = {
    kNameColumn,
    {"Capacity", "string", "capacity is the description of the persistent volume's resources and capacity."},
    {"Access Modes", "string", "accessModes contains all ways the volume can be mounted."},
    {"Reclaim Policy", "string",
     "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim."},
    {"Status", "string", "phase indicates if a volume is available, bound to a claim, or released by a claim."},
    {"Claim", "string",
     "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim."},
    {"StorageClass", "string", "StorageClass of the pv"},
    {"VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"},
    {"Reason", "string",
     "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy "
     "display in the CLI."},
    kAgeColumn,
    {"VolumeMode", "string",
     "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block "
     "state.",
     1},
};

Cells persistent_volume_cells(const json::Value& pv, const Now& now) {
  const json::Value* spec = get(&pv, "spec");
  const json::Value* claim = object_or_null(get(spec, "claimRef"));
  std::string claim_text = claim ? text(get(claim, "namespace")) + "/" + text(get(claim, "name")) : "";
  return {name_of(pv),
          scalar_text(find(pv, {"spec", "capacity", "storage"})),
          access_modes(get(spec, "accessModes")),
          text(get(spec, "persistentVolumeReclaimPolicy")),
          deleting(pv) ? "Terminating" : text(find(pv, {"status", "phase"})),
          claim_text,
          storage_class(pv),
          unset_if_empty(get(spec, "volumeAttributesClassName")),
          text(find(pv, {"status", "reason"})),
          now.age(pv),
          unset_if_empty(get(spec, "volumeMode"))};
}

constexpr ColumnDef kStorageClassColumns[] = {
    kNameColumn,
    {"Provisioner", "string", "provisioner indicates the type of the provisioner."},
    {"ReclaimPolicy", "string",
     "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class."},
    {"VolumeBindingMode", "string",
     "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound."},
    {"AllowVolumeExpansion", "string", "allowVolumeExpansion shows whether the storage class allow volume expand."},
    kAgeColumn,
};

Cells storage_class_cells(const json::Value& sc, const Now& now) {
  const json::Value* annotations = find(sc, {"metadata", "annotations"});
  bool is_default = text(get(annotations, "storageclass.kubernetes.io/is-default-class")) == "true" ||
                    text(get(annotations, "storageclass.beta.kubernetes.io/is-default-class")) == "true";
  std::string reclaim = text(get(&sc, "reclaimPolicy"));
  std::string binding = text(get(&sc, "volumeBindingMode"));
  return {name_of(sc) + (is_default ? " (default)" : ""),
          text(get(&sc, "provisioner")),
          reclaim.empty() ? "Delete" : reclaim,
          binding.empty() ? "Immediate" : binding,
          flag(get(&sc, "allowVolumeExpansion")),
          now.age(sc)};
}

// ---- networking: Ingress, IngressClass, NetworkPolicy, EndpointSlice

constexpr ColumnDef kIngressColumns[] = {
    kNameColumn,
    {"Class", "string", "The name of the IngressClass resource that should be used for additional configuration"},
    {"Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"},
    {"Address", "string", "Address is a list containing ingress points for the load-balancer"},
    {"Ports", "string", "Ports of TLS configurations that open"},
    kAgeColumn,
};

std::string ingress_hosts(const json::Value* rules) {
  constexpr std::size_t kMax = 3;
  std::vector<std::string> list;
  bool more = false;
  for (const json::Value& rule : items(rules)) {
    if (list.size() == kMax) more = true;
    if (std::string host = text(get(&rule, "host")); !more && !host.empty()) list.push_back(host);
  }
  if (list.empty()) return "*";
  return list_with_more(list, more, static_cast<std::int64_t>(items(rules).size()), kMax);
}

Cells ingress_cells(const json::Value& ing, const Now& now) {
  const json::Value* spec = get(&ing, "spec");
  const json::Value* class_name = get(spec, "ingressClassName");
  return {name_of(ing),
          class_name != nullptr && class_name->is_string() ? text(class_name) : "<none>",
          ingress_hosts(get(spec, "rules")),
          load_balancer_ingress(find(ing, {"status", "loadBalancer"})),
          items(get(spec, "tls")).empty() ? "80" : "80, 443",
          now.age(ing)};
}

constexpr ColumnDef kIngressClassColumns[] = {
    kNameColumn,
    {"Controller", "string", "Controller that is responsible for handling this class"},
    {"Parameters", "string", "A reference to a resource with additional parameters"},
    kAgeColumn,
};

Cells ingress_class_cells(const json::Value& ic, const Now& now) {
  std::string parameters = "<none>";
  if (const json::Value* p = object_or_null(find(ic, {"spec", "parameters"}))) {
    parameters = text(get(p, "kind"));
    if (const json::Value* group = get(p, "apiGroup"); group != nullptr && group->is_string()) {
      parameters += "." + text(group);
    }
    parameters += "/" + text(get(p, "name"));
  }
  return {name_of(ic), text(find(ic, {"spec", "controller"})), parameters, now.age(ic)};
}

constexpr ColumnDef kNetworkPolicyColumns[] = {
    kNameColumn,
    {"Pod-Selector", "string", "podSelector selects the pods to which this NetworkPolicy object applies."},
    kAgeColumn,
};

Cells network_policy_cells(const json::Value& np, const Now& now) {
  return {name_of(np), format_label_selector(find(np, {"spec", "podSelector"})), now.age(np)};
}

constexpr ColumnDef kEndpointSliceColumns[] = {
    kNameColumn,
    {"AddressType", "string", "addressType specifies the type of address carried by this EndpointSlice."},
    {"Ports", "string", "ports specifies the list of network ports exposed by each endpoint in this slice."},
    {"Endpoints", "string", "endpoints is a list of unique endpoints in this slice."},
    kAgeColumn,
};

/// Up to three entries, "+ N more...", or "<unset>" for none.
std::string abbreviated_list(const std::vector<std::string>& all) {
  constexpr std::size_t kMax = 3;
  std::vector<std::string> list(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), kMax)));
  if (all.empty()) return "<unset>";
  return list_with_more(list, all.size() > kMax, static_cast<std::int64_t>(all.size()), kMax);
}

Cells endpoint_slice_cells(const json::Value& slice, const Now& now) {
  std::vector<std::string> ports, addresses;
  for (const json::Value& p : items(get(&slice, "ports"))) {
    const json::Value* port = get(&p, "port");
    const json::Value* name = get(&p, "name");
    if (is_number(port)) {
      ports.push_back(std::to_string(to_int64(*port)));
    } else {
      ports.push_back(name != nullptr && name->is_string() ? text(name) : "*");
    }
  }
  for (const json::Value& e : items(get(&slice, "endpoints"))) {
    for (const json::Value& a : items(get(&e, "addresses"))) addresses.push_back(text(&a));
  }
  return {name_of(slice), text(get(&slice, "addressType")), abbreviated_list(ports), abbreviated_list(addresses),
          now.age(slice)};
}

// ---- RBAC bindings, policy, scheduling, admission, node

constexpr ColumnDef kRoleBindingColumns[] = {
    kNameColumn,
    {"Role", "string",
     "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace."},
    kAgeColumn,
    {"Users", "string", "Users in the roleBinding", 1},
    {"Groups", "string", "Groups in the roleBinding", 1},
    {"ServiceAccounts", "string", "ServiceAccounts in the roleBinding", 1},
};

constexpr ColumnDef kClusterRoleBindingColumns[] = {
    kNameColumn,
    {"Role", "string", "RoleRef can only reference a ClusterRole in the global namespace."},
    kAgeColumn,
    {"Users", "string", "Users in the clusterRoleBinding", 1},
    {"Groups", "string", "Groups in the clusterRoleBinding", 1},
    {"ServiceAccounts", "string", "ServiceAccounts in the clusterRoleBinding", 1},
};

Cells role_binding_cells(const json::Value& rb, const Now& now) {
  std::vector<std::string> users, groups, service_accounts;
  for (const json::Value& s : items(get(&rb, "subjects"))) {
    const std::string kind = text(get(&s, "kind"));
    if (kind == "User") users.push_back(text(get(&s, "name")));
    if (kind == "Group") groups.push_back(text(get(&s, "name")));
    if (kind == "ServiceAccount") service_accounts.push_back(text(get(&s, "namespace")) + "/" + text(get(&s, "name")));
  }
  const json::Value* ref = get(&rb, "roleRef");
  return {name_of(rb),         text(get(ref, "kind")) + "/" + text(get(ref, "name")),
          now.age(rb),         join(users, ", "),
          join(groups, ", "), join(service_accounts, ", ")};
}

constexpr ColumnDef kPodDisruptionBudgetColumns[] = {
    kNameColumn,
    {"Min Available", "string", "The minimum number of pods that must be available."},
    {"Max Unavailable", "string", "The maximum number of pods that may be unavailable."},
    {"Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."},
    kAgeColumn,
};

Cells pod_disruption_budget_cells(const json::Value& pdb, const Now& now) {
  auto int_or_string = [](const json::Value* v) {
    return v == nullptr || v->is_null() ? std::string("N/A") : scalar_text(v);
  };
  return {name_of(pdb), int_or_string(find(pdb, {"spec", "minAvailable"})),
          int_or_string(find(pdb, {"spec", "maxUnavailable"})), integer(find(pdb, {"status", "disruptionsAllowed"})),
          now.age(pdb)};
}

constexpr ColumnDef kPriorityClassColumns[] = {
    kNameColumn,
    {"Value", "integer", "value represents the integer value of this priority class."},
    {"Global-Default", "boolean",
     "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods "
     "that do not have any priority class."},
    kAgeColumn,
    {"PreemptionPolicy", "string", "preemptionPolicy is the Policy for preempting pods with lower priority."},
};

Cells priority_class_cells(const json::Value& pc, const Now& now) {
  return {name_of(pc), integer(get(&pc, "value")), flag(get(&pc, "globalDefault")), now.age(pc),
          text(get(&pc, "preemptionPolicy"))};
}

constexpr ColumnDef kWebhookConfigurationColumns[] = {
    kNameColumn,
    {"Webhooks", "integer", "Webhooks indicates the number of webhooks registered in this configuration"},
    kAgeColumn,
};

Cells webhook_configuration_cells(const json::Value& wc, const Now& now) {
  return {name_of(wc), static_cast<std::int64_t>(size_of(get(&wc, "webhooks"))), now.age(wc)};
}

constexpr ColumnDef kRuntimeClassColumns[] = {kNameColumn, {"Handler", "string", ""}, kAgeColumn};

Cells runtime_class_cells(const json::Value& rc, const Now& now) {
  return {name_of(rc), text(get(&rc, "handler")), now.age(rc)};
}

constexpr ColumnDef kPodTemplateColumns[] = {
    kNameColumn,
    {"Containers", "string", "Names of each container in the template."},
    {"Images", "string", "Images referenced by each container in the template."},
    {"Pod Labels", "string", "The labels for the pod template."},
};

Cells pod_template_cells(const json::Value& pt, const Now&) {
  ContainerCells containers = container_cells(find(pt, {"template", "spec", "containers"}));
  return {name_of(pt), containers.names, containers.images,
          format_labels(find(pt, {"template", "metadata", "labels"}))};
}

// ---- kinds without a printer

/// The API server's default table convertor (Role, ClusterRole, CRDs...): the creation time as a date.
constexpr ColumnDef kCreatedAtColumns[] = {kNameColumn, {"Created At", "date", kDocCreationTimestamp}};

Cells created_at_cells(const json::Value& obj, const Now&) {
  std::optional<Micros> created = timestamp(find(obj, {"metadata", "creationTimestamp"}));
  return {name_of(obj), created ? format_rfc3339(std::chrono::floor<std::chrono::seconds>(*created), 0)
                                : std::string("0001-01-01T00:00:00Z")};
}

/// Any other built-in kind.
constexpr ColumnDef kNameAgeColumns[] = {kNameColumn, kAgeColumn};

Cells name_age_cells(const json::Value& obj, const Now& now) { return {name_of(obj), now.age(obj)}; }

// ================================================================ 3. registry

struct KindPrinter {
  std::string_view group;
  std::string_view kind;
  std::span<const ColumnDef> columns;
  Cells (*cells)(const json::Value& obj, const Now& now);
  json::Array (*row_conditions)(const json::Value& obj) = nullptr;
};

constexpr KindPrinter kPrinters[] = {
    {"", "Pod", kPodColumns, pod_cells, pod_row_conditions},
    {"", "Node", kNodeColumns, node_cells},
    {"", "Namespace", kNamespaceColumns, namespace_cells},
    {"", "ConfigMap", kConfigMapColumns, config_map_cells},
    {"", "Secret", kSecretColumns, secret_cells},
    {"", "ServiceAccount", kServiceAccountColumns, service_account_cells},
    {"", "Service", kServiceColumns, service_cells},
    {"", "Endpoints", kEndpointsColumns, endpoints_cells},
    {"", "Event", kEventColumns, event_cells<kCoreEventFields>},
    {"", "PersistentVolumeClaim", kPersistentVolumeClaimColumns, persistent_volume_claim_cells},
    {"", "PersistentVolume", kPersistentVolumeColumns, persistent_volume_cells},
    {"", "ReplicationController", kReplicationControllerColumns, replication_controller_cells},
    {"", "PodTemplate", kPodTemplateColumns, pod_template_cells},
    {"", "LimitRange", kCreatedAtColumns, created_at_cells},
    {"apps", "Deployment", kDeploymentColumns, deployment_cells},
    {"apps", "ReplicaSet", kReplicaSetColumns, replica_set_cells},
    {"apps", "StatefulSet", kStatefulSetColumns, stateful_set_cells},
    {"apps", "DaemonSet", kDaemonSetColumns, daemon_set_cells},
    {"batch", "Job", kJobColumns, job_cells},
    {"batch", "CronJob", kCronJobColumns, cron_job_cells},
    {"events.k8s.io", "Event", kEventColumns, event_cells<kEventsV1Fields>},
    {"coordination.k8s.io", "Lease", kLeaseColumns, lease_cells},
    {"storage.k8s.io", "StorageClass", kStorageClassColumns, storage_class_cells},
    {"networking.k8s.io", "Ingress", kIngressColumns, ingress_cells},
    {"networking.k8s.io", "IngressClass", kIngressClassColumns, ingress_class_cells},
    {"networking.k8s.io", "NetworkPolicy", kNetworkPolicyColumns, network_policy_cells},
    {"discovery.k8s.io", "EndpointSlice", kEndpointSliceColumns, endpoint_slice_cells},
    {"rbac.authorization.k8s.io", "RoleBinding", kRoleBindingColumns, role_binding_cells},
    {"rbac.authorization.k8s.io", "ClusterRoleBinding", kClusterRoleBindingColumns, role_binding_cells},
    {"rbac.authorization.k8s.io", "Role", kCreatedAtColumns, created_at_cells},
    {"rbac.authorization.k8s.io", "ClusterRole", kCreatedAtColumns, created_at_cells},
    {"policy", "PodDisruptionBudget", kPodDisruptionBudgetColumns, pod_disruption_budget_cells},
    {"scheduling.k8s.io", "PriorityClass", kPriorityClassColumns, priority_class_cells},
    {"admissionregistration.k8s.io", "MutatingWebhookConfiguration", kWebhookConfigurationColumns,
     webhook_configuration_cells},
    {"admissionregistration.k8s.io", "ValidatingWebhookConfiguration", kWebhookConfigurationColumns,
     webhook_configuration_cells},
    {"node.k8s.io", "RuntimeClass", kRuntimeClassColumns, runtime_class_cells},
    {"apiextensions.k8s.io", "CustomResourceDefinition", kCreatedAtColumns, created_at_cells},
};

constexpr KindPrinter kNameAgePrinter{"", "", kNameAgeColumns, name_age_cells};

const KindPrinter& printer_for(const ResourceInfo& resource) {
  for (const KindPrinter& p : kPrinters) {
    if (p.group == resource.group && p.kind == resource.kind) return p;
  }
  return kNameAgePrinter;
}

json::Object column_json(std::string_view name, std::string_view type, std::string_view format,
                         std::string_view description, int priority) {
  json::Object c;
  c["name"] = name;
  c["type"] = type;
  c["format"] = format;
  c["description"] = description;
  c["priority"] = priority;
  return c;
}

// ================================================================ 4. JSONPath

namespace jsonpath {

struct FilterExpr;

struct Names {  // .name, ['a','b']
  std::vector<std::string> names;
};
struct Recursive {};  // ..
struct Wildcard {};   // .* [*]
struct Indexes {      // [0], [-1], [0,2]
  std::vector<std::int64_t> indexes;
};
struct Slice {  // [start:end:step]
  std::optional<std::int64_t> start, end;
  std::int64_t step = 1;
};
struct Filter {  // [?(@.type=="Ready")]
  std::shared_ptr<const FilterExpr> expr;
};
using Step = std::variant<Names, Recursive, Wildcard, Indexes, Slice, Filter>;
using Path = std::vector<Step>;

struct Operand {
  std::optional<Path> path;  // "@.a.b", relative to the element being filtered
  json::Value literal;       // otherwise
};

struct FilterExpr {
  Operand left;
  std::string op;  // empty: an existence test of `left`
  Operand right;
};

class Parser {
 public:
  explicit Parser(std::string_view source) : source_(source) {}

  Path parse() {
    std::string_view body = trim(source_);
    if (!body.empty() && body.front() == '{') {
      if (body.size() < 2 || body.back() != '}') fail("unbalanced braces");
      body = trim(body.substr(1, body.size() - 2));
    }
    text_ = body;
    if (text_.empty()) fail("empty path");
    if (peek() == '$' || peek() == '@') ++pos_;
    Path path = parse_steps();
    if (!at_end()) fail(std::string("unexpected character '") + peek() + "' (paths are like .a.b[0])");
    return path;
  }

 private:
  static std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw InvalidArgument("invalid JSONPath \"" + std::string(source_) + "\": " + what + " at offset " +
                          std::to_string(pos_));
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool consume(char c) {
    if (peek() != c || at_end()) return false;
    ++pos_;
    return true;
  }
  void skip_spaces() {
    while (!at_end() && (peek() == ' ' || peek() == '\t')) ++pos_;
  }
  void expect(char c) {
    if (!consume(c)) fail(std::string("expected '") + c + "'");
  }

  Path parse_steps() {
    Path path;
    while (!at_end()) {
      if (consume('.')) {
        if (consume('.')) path.emplace_back(Recursive{});
        parse_name(path);
      } else if (consume('[')) {
        path.emplace_back(parse_bracket());
      } else {
        break;
      }
    }
    return path;
  }

  static bool is_terminator(char c) {
    return std::string_view(" \t.,[]$@{}()=!<>'\"").find(c) != std::string_view::npos;
  }

  /// A member name after '.', where '\' escapes the next character (".metadata.labels.app\.kubernetes\.io/name").
  void parse_name(Path& path) {
    std::string name;
    bool escaped = false;
    while (!at_end() && !is_terminator(peek())) {
      if (peek() == '\\') {
        if (++pos_ >= text_.size()) fail("dangling escape");
        escaped = true;
      }
      name += text_[pos_++];
    }
    if (name == "*" && !escaped) {
      path.emplace_back(Wildcard{});
    } else if (!name.empty()) {  // "." alone is the current node
      path.emplace_back(Names{{std::move(name)}});
    }
  }

  Step parse_bracket() {
    skip_spaces();
    Step step;
    if (consume('?')) {
      step = parse_filter();
    } else if (consume('*')) {
      step = Wildcard{};
    } else if (peek() == '\'' || peek() == '"') {
      Names names;
      do {
        skip_spaces();
        names.names.push_back(parse_quoted());
        skip_spaces();
      } while (consume(','));
      step = std::move(names);
    } else {
      step = parse_indexes();
    }
    skip_spaces();
    expect(']');
    return step;
  }

  std::optional<std::int64_t> parse_integer() {
    std::size_t start = pos_;
    if (peek() == '-' || peek() == '+') ++pos_;
    while (!at_end() && peek() >= '0' && peek() <= '9') ++pos_;
    std::string_view digits = text_.substr(start, pos_ - start);
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    if (digits.empty()) return std::nullopt;
    std::int64_t value = 0;
    auto r = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (r.ec != std::errc() || r.ptr != digits.data() + digits.size()) fail("bad array index");
    return value;
  }

  Step parse_indexes() {
    std::optional<std::int64_t> first = parse_integer();
    skip_spaces();
    if (consume(':')) {
      Slice slice{first, std::nullopt, 1};
      skip_spaces();
      slice.end = parse_integer();
      skip_spaces();
      if (consume(':')) {
        skip_spaces();
        if (std::optional<std::int64_t> step = parse_integer()) {
          if (*step <= 0) fail("slice step must be positive");
          slice.step = *step;
        }
      }
      return slice;
    }
    if (!first) fail("expected an array index, slice, '*', quoted name or filter");
    Indexes indexes{{*first}};
    while (consume(',')) {
      skip_spaces();
      std::optional<std::int64_t> next = parse_integer();
      if (!next) fail("expected an array index");
      indexes.indexes.push_back(*next);
      skip_spaces();
    }
    return indexes;
  }

  std::string parse_quoted() {
    const char quote = peek();
    ++pos_;
    std::string out;
    while (!at_end() && peek() != quote) {
      if (peek() == '\\' && pos_ + 1 < text_.size()) ++pos_;
      out += text_[pos_++];
    }
    if (!consume(quote)) fail("unterminated string");
    return out;
  }

  Step parse_filter() {
    skip_spaces();
    expect('(');
    auto expr = std::make_shared<FilterExpr>();
    skip_spaces();
    expr->left = parse_operand();
    skip_spaces();
    if (!consume(')')) {
      expr->op = parse_operator();
      skip_spaces();
      expr->right = parse_operand();
      skip_spaces();
      expect(')');
    } else if (!expr->left.path) {
      fail("a filter without comparison must test a path such as @.name");
    }
    return Filter{std::move(expr)};
  }

  std::string parse_operator() {
    for (std::string_view op : {"==", "!=", "<=", ">=", "<", ">"}) {
      if (text_.substr(pos_).starts_with(op)) {
        pos_ += op.size();
        return std::string(op);
      }
    }
    fail("expected ')' or a comparison operator (==, !=, <, >, <=, >=)");
  }

  Operand parse_operand() {
    Operand operand;
    const char c = peek();
    if (c == '@' || c == '$') {
      ++pos_;
      operand.path = parse_steps();
    } else if (c == '\'' || c == '"') {
      operand.literal = json::Value(parse_quoted());
    } else if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
      operand.literal = parse_number();
    } else if (text_.substr(pos_).starts_with("true")) {
      pos_ += 4;
      operand.literal = true;
    } else if (text_.substr(pos_).starts_with("false")) {
      pos_ += 5;
      operand.literal = false;
    } else {
      fail("expected @-path, string or number in filter");
    }
    return operand;
  }

  json::Value parse_number() {
    std::size_t start = pos_;
    while (!at_end() && std::string_view("0123456789+-.eE").find(peek()) != std::string_view::npos) ++pos_;
    std::string_view s = text_.substr(start, pos_ - start);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    std::int64_t i = 0;
    auto ri = std::from_chars(s.data(), s.data() + s.size(), i);
    if (ri.ec == std::errc() && ri.ptr == s.data() + s.size()) return json::Value(i);
    double d = 0;
    auto rd = std::from_chars(s.data(), s.data() + s.size(), d);
    if (s.empty() || rd.ec != std::errc() || rd.ptr != s.data() + s.size()) fail("bad number");
    return json::Value(d);
  }

  std::string_view source_;
  std::string_view text_;
  std::size_t pos_ = 0;
};

using Nodes = std::vector<const json::Value*>;

Nodes evaluate(const Path& path, const json::Value& root);

void collect_descendants(const json::Value& v, Nodes& out) {
  out.push_back(&v);
  if (v.is_object()) {
    for (const auto& member : v.get_object()) collect_descendants(member.value(), out);
  } else if (v.is_array()) {
    for (const json::Value& e : v.get_array()) collect_descendants(e, out);
  }
}

/// Three-way comparison of numbers, exact for integers of either signedness.
int compare_numbers(const json::Value& a, const json::Value& b) {
  if (a.is_double() || b.is_double()) {
    double x = a.to_number<double>(), y = b.to_number<double>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_int64() && b.is_uint64()) return a.get_int64() < 0 ? -1 : -compare_numbers(b, a);
  if (a.is_uint64() && b.is_int64()) {
    if (b.get_int64() < 0) return 1;
    auto y = static_cast<std::uint64_t>(b.get_int64());
    return a.get_uint64() < y ? -1 : (a.get_uint64() > y ? 1 : 0);
  }
  if (a.is_int64()) return a.get_int64() < b.get_int64() ? -1 : (a.get_int64() > b.get_int64() ? 1 : 0);
  return a.get_uint64() < b.get_uint64() ? -1 : (a.get_uint64() > b.get_uint64() ? 1 : 0);
}

/// Values of different types never satisfy a comparison (Kubernetes rejects them as incomparable).
bool compare(const json::Value& left, std::string_view op, const json::Value& right) {
  auto number = [](const json::Value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); };
  int order = 0;
  if (number(left) && number(right)) {
    order = compare_numbers(left, right);
  } else if (left.is_string() && right.is_string()) {
    int c = left.get_string().subview().compare(right.get_string().subview());
    order = c < 0 ? -1 : (c > 0 ? 1 : 0);
  } else if ((left.is_bool() && right.is_bool()) || (left.is_null() && right.is_null())) {
    if (op == "==") return left == right;
    if (op == "!=") return left != right;
    return false;
  } else {
    return false;
  }
  if (op == "==") return order == 0;
  if (op == "!=") return order != 0;
  if (op == "<") return order < 0;
  if (op == ">") return order > 0;
  if (op == "<=") return order <= 0;
  return order >= 0;  // ">="
}

const json::Value* operand_value(const Operand& operand, const json::Value& element) {
  if (!operand.path) return &operand.literal;
  Nodes found = evaluate(*operand.path, element);
  return found.empty() ? nullptr : found.front();
}

bool matches(const FilterExpr& expr, const json::Value& element) {
  if (expr.op.empty()) return !evaluate(*expr.left.path, element).empty();
  const json::Value* left = operand_value(expr.left, element);
  const json::Value* right = operand_value(expr.right, element);
  return left != nullptr && right != nullptr && compare(*left, expr.op, *right);
}

/// An index into an array of `size`, negative counting from the end; nullopt when out of range.
std::optional<std::size_t> normalize_index(std::int64_t index, std::size_t size) {
  const auto n = static_cast<std::int64_t>(size);
  if (index < 0) index += n;
  if (index < 0 || index >= n) return std::nullopt;
  return static_cast<std::size_t>(index);
}

struct StepEvaluator {
  const Nodes& in;
  Nodes out;

  void operator()(const Names& step) {
    for (const std::string& name : step.names) {
      for (const json::Value* node : in) {
        if (const json::Value* v = get(node, name)) out.push_back(v);
      }
    }
  }
  void operator()(const Recursive&) {
    for (const json::Value* node : in) collect_descendants(*node, out);
  }
  void operator()(const Wildcard&) {
    for (const json::Value* node : in) {
      if (node->is_object()) {
        for (const auto& member : node->get_object()) out.push_back(&member.value());
      } else if (node->is_array()) {
        for (const json::Value& e : node->get_array()) out.push_back(&e);
      }
    }
  }
  void operator()(const Indexes& step) {
    for (std::int64_t index : step.indexes) {
      for (const json::Value* node : in) {
        if (!node->is_array()) continue;
        if (auto i = normalize_index(index, node->get_array().size())) out.push_back(&node->get_array()[*i]);
      }
    }
  }
  void operator()(const Slice& step) {
    for (const json::Value* node : in) {
      if (!node->is_array()) continue;
      const json::Array& array = node->get_array();
      const auto n = static_cast<std::int64_t>(array.size());
      auto bound = [n](std::optional<std::int64_t> v, std::int64_t fallback) {
        std::int64_t b = v.value_or(fallback);
        if (b < 0) b += n;
        return std::clamp<std::int64_t>(b, 0, n);
      };
      for (std::int64_t i = bound(step.start, 0), end = bound(step.end, n); i < end; i += step.step) {
        out.push_back(&array[static_cast<std::size_t>(i)]);
      }
    }
  }
  void operator()(const Filter& step) {
    for (const json::Value* node : in) {
      if (!node->is_array()) continue;
      for (const json::Value& e : node->get_array()) {
        if (matches(*step.expr, e)) out.push_back(&e);
      }
    }
  }
};

Nodes evaluate(const Path& path, const json::Value& root) {
  Nodes nodes{&root};
  for (const Step& step : path) {
    StepEvaluator evaluator{nodes, {}};
    std::visit(evaluator, step);
    nodes = std::move(evaluator.out);
    if (nodes.empty()) break;
  }
  return nodes;
}

}  // namespace jsonpath

// ================================================================ 5. custom resources

/// The shortest round-trip decimal form of a finite double: value = d1.d2d3... × 10^exponent.
struct Decimal {
  bool negative = false;
  std::string digits;
  int exponent = 0;
};

Decimal shortest_decimal(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
  Decimal d;
  if (!s.empty() && s.front() == '-') {
    d.negative = true;
    s.remove_prefix(1);
  }
  std::size_t e = s.find('e');
  for (char c : s.substr(0, e)) {
    if (c != '.') d.digits += c;
  }
  std::string_view exp = s.substr(e + 1);
  if (!exp.empty() && exp.front() == '+') exp.remove_prefix(1);
  std::from_chars(exp.data(), exp.data() + exp.size(), d.exponent);
  return d;
}

std::string fixed_notation(const Decimal& d) {
  const int n = static_cast<int>(d.digits.size());
  const int point = d.exponent + 1;  // digits before the decimal point
  std::string out = d.negative ? "-" : "";
  if (point <= 0) return out + "0." + std::string(static_cast<std::size_t>(-point), '0') + d.digits;
  if (point >= n) return out + d.digits + std::string(static_cast<std::size_t>(point - n), '0');
  const auto split = static_cast<std::size_t>(point);
  return out + d.digits.substr(0, split) + "." + d.digits.substr(split);
}

std::string exponent_notation(const Decimal& d, bool pad_exponent) {
  std::string out = d.negative ? "-" : "";
  out += d.digits.substr(0, 1);
  if (d.digits.size() > 1) out += "." + d.digits.substr(1);
  const int magnitude = d.exponent < 0 ? -d.exponent : d.exponent;
  out += d.exponent < 0 ? "e-" : "e+";
  if (pad_exponent && magnitude < 10) out += "0";
  return out + std::to_string(magnitude);
}

/// Go's fmt "%v" of a float64 (as the JSONPath printer uses): "1.5", "100000", "1e+06".
std::string go_float_text(double v) {
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  Decimal d = shortest_decimal(v);
  return d.exponent < -4 || d.exponent >= 6 ? exponent_notation(d, true) : fixed_notation(d);
}

/// Go's encoding/json float64: fixed unless tiny or huge ("1e+21", "1e-7").
std::string go_json_float(double v) {
  if (v == 0) return "0";
  Decimal d = shortest_decimal(v);
  const double magnitude = v < 0 ? -v : v;
  return magnitude < 1e-6 || magnitude >= 1e21 ? exponent_notation(d, false) : fixed_notation(d);
}

void append_go_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '<':
      case '>':
      case '&':
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                   (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
          out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";  // JS line separators
          i += 2;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

/// Go's json.Marshal of an unstructured value: compact, object keys sorted.
void append_go_json(std::string& out, const json::Value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: out += "null"; break;
    case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case boost::json::kind::int64: out += std::to_string(v.get_int64()); break;
    case boost::json::kind::uint64: out += std::to_string(v.get_uint64()); break;
    case boost::json::kind::double_: out += go_json_float(v.get_double()); break;
    case boost::json::kind::string: append_go_json_string(out, v.get_string()); break;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const json::Value& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        append_go_json(out, e);
      }
      out += ']';
      break;
    }
    case boost::json::kind::object: {
      std::vector<const json::Object::value_type*> members;
      for (const auto& m : v.get_object()) members.push_back(&m);
      std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
      out += '{';
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i > 0) out += ',';
        append_go_json_string(out, members[i]->key());
        out += ':';
        append_go_json(out, members[i]->value());
      }
      out += '}';
      break;
    }
  }
}

/// How the JSONPath printer renders a found value: strings raw, scalars as Go prints them,
/// objects and arrays as JSON.
std::string go_text(const json::Value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_double()) return go_float_text(v.get_double());
  std::string out;
  append_go_json(out, v);
  return out;
}

/// A date column: the age of an RFC 3339 timestamp.
json::Value date_cell(const json::Value& v, const Now& now) {
  if (!v.is_string()) return nullptr;
  if (v.get_string().empty() || v.get_string() == "null") return "<unknown>";
  try {
    return json::Value(now.since(parse_rfc3339(std::string_view(v.get_string()))));
  } catch (const InvalidArgument&) {
    return "<invalid>";
  }
}

/// A cell of a custom resource column, typed like apiextensions' table convertor (null when the
/// value is missing or not of the column's type).
json::Value custom_cell(std::string_view type, const std::optional<json::Value>& found, const Now& now) {
  if (!found || found->is_null()) return nullptr;
  const json::Value& v = *found;
  const bool number = v.is_int64() || v.is_uint64() || v.is_double();
  if (type == "string") return json::Value(go_text(v));
  if (type == "integer" && number) return json::Value(to_int64(v));
  if (type == "number" && number) return json::Value(v.to_number<double>());
  if (type == "boolean" && v.is_bool()) return v;
  if (type == "date") return date_cell(v, now);
  return nullptr;
}

struct CustomColumn {
  const PrinterColumn* column;
  std::optional<jsonpath::Path> path;  // nullopt: unparsable (cells are null)
};

/// The columns of a custom resource: its printer columns, or Age when it declares none.
std::vector<PrinterColumn> custom_printer_columns(const ResourceInfo& resource) {
  if (!resource.printer_columns.empty()) return resource.printer_columns;
  PrinterColumn age;
  age.name = "Age";
  age.type = "date";
  age.json_path = ".metadata.creationTimestamp";
  return {age};
}

}  // namespace

// ================================================================ 6. public API

std::string human_duration(std::chrono::seconds d) {
  const std::int64_t seconds = d.count();
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return std::to_string(seconds) + "s";
  const std::int64_t minutes = seconds / 60;
  if (minutes < 10) {
    const std::int64_t s = seconds % 60;
    return s == 0 ? std::to_string(minutes) + "m" : std::to_string(minutes) + "m" + std::to_string(s) + "s";
  }
  if (minutes < 60 * 3) return std::to_string(minutes) + "m";
  const std::int64_t hours = seconds / 3600;
  if (hours < 8) {
    const std::int64_t m = minutes % 60;
    return m == 0 ? std::to_string(hours) + "h" : std::to_string(hours) + "h" + std::to_string(m) + "m";
  }
  if (hours < 48) return std::to_string(hours) + "h";
  if (hours < 24 * 8) {
    const std::int64_t h = hours % 24;
    return h == 0 ? std::to_string(hours / 24) + "d" : std::to_string(hours / 24) + "d" + std::to_string(h) + "h";
  }
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24) + "d";
  if (hours < 24 * 365 * 8) {
    const std::int64_t dy = (hours / 24) % 365;
    const std::string years = std::to_string(hours / 24 / 365) + "y";
    return dy == 0 ? years : years + std::to_string(dy) + "d";
  }
  return std::to_string(hours / 24 / 365) + "y";
}

std::optional<json::Value> evaluate_json_path(const json::Value& object, std::string_view path) {
  jsonpath::Nodes found = jsonpath::evaluate(jsonpath::Parser(path).parse(), object);
  if (found.empty()) return std::nullopt;
  return *found.front();
}

json::Value make_table(const ResourceInfo& resource, std::span<const json::Value* const> objects,
                       const TableOptions& options) {
  const Now now{options.now};
  json::Array columns;
  std::function<json::Array(const json::Value&)> cells;
  json::Array (*row_conditions)(const json::Value&) = nullptr;

  std::vector<PrinterColumn> printer_columns;  // custom resources: kept alive for `cells`
  std::vector<CustomColumn> custom;
  if (resource.is_custom()) {
    printer_columns = custom_printer_columns(resource);
    columns.push_back(column_json("Name", "string", "name", kDocName, 0));
    for (const PrinterColumn& c : printer_columns) {
      std::string description = c.description.empty()
                                    ? "Custom resource definition column (in JSONPath format): " + c.json_path
                                    : c.description;
      columns.push_back(column_json(c.name, c.type, c.format, description, c.priority));
      CustomColumn column{&c, std::nullopt};
      try {
        column.path = jsonpath::Parser(c.json_path).parse();
      } catch (const InvalidArgument&) {
        // Kubernetes refuses such a CRD; should one get here, its column stays empty.
      }
      custom.push_back(std::move(column));
    }
    cells = [&](const json::Value& obj) {
      json::Array row{json::Value(name_of(obj))};
      for (const CustomColumn& c : custom) {
        std::optional<json::Value> found;
        if (c.path) {
          jsonpath::Nodes nodes = jsonpath::evaluate(*c.path, obj);
          if (!nodes.empty()) found = *nodes.front();
        }
        row.push_back(custom_cell(c.column->type, found, now));
      }
      return row;
    };
  } else {
    const KindPrinter& printer = printer_for(resource);
    for (const ColumnDef& c : printer.columns) {
      columns.push_back(column_json(c.name, c.type, c.format, c.description, c.priority));
    }
    cells = [&printer, &now](const json::Value& obj) { return printer.cells(obj, now); };
    row_conditions = printer.row_conditions;
  }

  json::Array rows;
  for (const json::Value* obj : objects) {
    if (obj == nullptr) continue;
    json::Object row;
    row["cells"] = cells(*obj);
    if (row_conditions != nullptr) {
      if (json::Array conditions = row_conditions(*obj); !conditions.empty()) row["conditions"] = std::move(conditions);
    }
    if (options.include_object) {
      json::Object partial;
      partial["kind"] = "PartialObjectMetadata";
      partial["apiVersion"] = "meta.k8s.io/v1";
      const json::Value* metadata = object_or_null(get(obj, "metadata"));
      partial["metadata"] = metadata != nullptr ? *metadata : json::Value(json::Object());
      row["object"] = std::move(partial);
    }
    rows.push_back(std::move(row));
  }

  json::Object table;
  table["kind"] = "Table";
  table["apiVersion"] = "meta.k8s.io/v1";
  json::Object metadata;
  metadata["resourceVersion"] = options.resource_version;
  metadata["continue"] = options.continue_token;
  table["metadata"] = std::move(metadata);
  if (options.include_column_definitions) table["columnDefinitions"] = std::move(columns);
  table["rows"] = std::move(rows);
  return table;
}

}  // namespace kube::apiserver
