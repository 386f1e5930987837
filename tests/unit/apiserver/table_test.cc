#include "apiserver/table.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "kube/core/time.h"
#include "support/expect.h"

namespace kube::apiserver {
namespace {

using namespace std::chrono_literals;
using json::Value;

const std::chrono::system_clock::time_point kNow =
    std::chrono::sys_days{std::chrono::year{2024} / 5 / 1} + 12h;

/// "51h", "2d3h", "45s" -> a duration.
std::chrono::seconds parse_duration(std::string_view s) {
  std::chrono::seconds total{0};
  std::int64_t n = 0;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      n = n * 10 + (c - '0');
      continue;
    }
    std::int64_t unit = c == 'd' ? 86400 : c == 'h' ? 3600 : c == 'm' ? 60 : 1;
    total += std::chrono::seconds(n * unit);
    n = 0;
  }
  return total;
}

/// Replaces every string "ago:<duration>" by the RFC 3339 time that long before kNow
/// ("ago-micro:" for a MicroTime).
void resolve_times(Value& v) {
  if (v.is_object()) {
    for (auto& member : v.get_object()) resolve_times(member.value());
  } else if (v.is_array()) {
    for (Value& e : v.get_array()) resolve_times(e);
  } else if (v.is_string()) {
    std::string_view s = v.get_string();
    constexpr std::pair<std::string_view, int> kForms[] = {{"ago:", 0}, {"ago-micro:", 6}};
    for (auto [prefix, digits] : kForms) {
      if (s.starts_with(prefix)) {
        auto t = std::chrono::floor<std::chrono::microseconds>(kNow) - parse_duration(s.substr(prefix.size()));
        v = format_rfc3339(t, digits);
        return;
      }
    }
  }
}

Value obj(std::string_view text) {
  Value v = json::parse(text);
  resolve_times(v);
  return v;
}

ResourceInfo builtin(std::string group, std::string kind) {
  ResourceInfo r;
  r.group = std::move(group);
  r.version = "v1";
  r.kind = std::move(kind);
  r.definition = "io.k8s.api.test." + r.kind;
  return r;
}

TableOptions options() {
  TableOptions o;
  o.now = kNow;
  o.resource_version = "101";
  return o;
}

Value table(const ResourceInfo& resource, const std::vector<Value>& objects, const TableOptions& o = options()) {
  std::vector<const Value*> pointers;
  for (const Value& v : objects) pointers.push_back(&v);
  return make_table(resource, pointers, o);
}

/// The cells of the single row of `kind`'s table of `object`.
Value cells_of(const ResourceInfo& resource, const Value& object) {
  Value t = table(resource, {object});
  return t.at("rows").at(0).at("cells");
}

#define EXPECT_JSON(actual, expected_text)                                                        \
  do {                                                                                            \
    Value expected_value = json::parse(expected_text);                                            \
    EXPECT_TRUE(json::equal(actual, expected_value))                                              \
        << "actual:   " << json::serialize(actual) << "\nexpected: " << json::serialize(expected_value); \
  } while (0)

/// "Name:string:name:0,Ready:string::0,..." for the column definitions.
std::string column_summary(const Value& t) {
  std::string out;
  for (const Value& c : t.at("columnDefinitions").as_array()) {
    if (!out.empty()) out += ",";
    out += std::string(c.at("name").as_string()) + ":" + std::string(c.at("type").as_string()) + ":" +
           std::string(c.at("format").as_string()) + ":" + std::to_string(c.at("priority").as_int64());
  }
  return out;
}

std::string columns_of(const ResourceInfo& resource) { return column_summary(table(resource, {})); }

// ======================================================================== human_duration

TEST(HumanDuration, MatchesKubectl) {
  struct Case {
    std::chrono::seconds d;
    const char* text;
  };
  const Case cases[] = {
      {-2s, "<invalid>"},  {-1s, "0s"},        {0s, "0s"},              {45s, "45s"},
      {119s, "119s"},      {120s, "2m"},       {330s, "5m30s"},         {599s, "9m59s"},
      {600s, "10m"},       {2h, "120m"},       {179min, "179m"},        {180min, "3h"},
      {192min, "3h12m"},   {479min, "7h59m"},  {8h, "8h"},              {47h, "47h"},
      {48h, "2d"},         {51h, "2d3h"},      {96h, "4d"},             {191h, "7d23h"},
      {192h, "8d"},        {729 * 24h, "729d"}, {730 * 24h, "2y"},      {830 * 24h, "2y100d"},
      {2920 * 24h, "8y"},  {3000 * 24h, "8y"},
  };
  for (const Case& c : cases) EXPECT_EQ(human_duration(c.d), c.text) << c.d.count() << "s";
}

// ======================================================================== table shape

TEST(Table, ShapeWithDefinitionsAndObjects) {
  Value cm = obj(R"({"kind":"ConfigMap","apiVersion":"v1",
    "metadata":{"name":"cfg","namespace":"default","uid":"u-1","resourceVersion":"7",
                "labels":{"app":"web"},"creationTimestamp":"ago:5m"},
    "data":{"a":"1"}})");
  TableOptions o = options();
  o.continue_token = "next-page";
  Value t = table(builtin("", "ConfigMap"), {cm}, o);

  EXPECT_EQ(t.at("kind"), "Table");
  EXPECT_EQ(t.at("apiVersion"), "meta.k8s.io/v1");
  EXPECT_JSON(t.at("metadata"), R"({"resourceVersion":"101","continue":"next-page"})");
  const Value& name_column = t.at("columnDefinitions").at(0);
  EXPECT_EQ(name_column.at("name"), "Name");
  EXPECT_EQ(name_column.at("format"), "name");
  EXPECT_TRUE(std::string_view(name_column.at("description").as_string()).starts_with("Name must be unique"));
  ASSERT_EQ(t.at("rows").as_array().size(), 1u);
  const Value& row = t.at("rows").at(0);
  EXPECT_JSON(row.at("cells"), R"(["cfg",1,"5m"])");
  EXPECT_EQ(row.at("object").at("kind"), "PartialObjectMetadata");
  EXPECT_EQ(row.at("object").at("apiVersion"), "meta.k8s.io/v1");
  EXPECT_TRUE(json::equal(row.at("object").at("metadata"), cm.at("metadata")));
  EXPECT_EQ(row.as_object().if_contains("conditions"), nullptr);
}

TEST(Table, WithoutDefinitionsOrObjects) {
  TableOptions o = options();
  o.include_column_definitions = false;
  o.include_object = false;
  Value t = table(builtin("", "ConfigMap"), {obj(R"({"metadata":{"name":"cfg"}})")}, o);
  EXPECT_EQ(t.as_object().if_contains("columnDefinitions"), nullptr);
  EXPECT_JSON(t.at("rows"), R"([{"cells":["cfg",0,"<unknown>"]}])");
}

TEST(Table, EmptyListHasNoRows) {
  Value t = table(builtin("", "Pod"), {});
  EXPECT_JSON(t.at("rows"), "[]");
  EXPECT_EQ(t.at("columnDefinitions").as_array().size(), 9u);
}

TEST(Table, RowsFollowObjectOrder) {
  Value t = table(builtin("", "Namespace"), {obj(R"({"metadata":{"name":"b"},"status":{"phase":"Active"}})"),
                                             obj(R"({"metadata":{"name":"a"},"status":{"phase":"Terminating"}})")});
  EXPECT_JSON(t.at("rows").at(0).at("cells"), R"(["b","Active","<unknown>"])");
  EXPECT_JSON(t.at("rows").at(1).at("cells"), R"(["a","Terminating","<unknown>"])");
}

// ======================================================================== Pod

TEST(PodTable, Columns) {
  EXPECT_EQ(columns_of(builtin("", "Pod")),
            "Name:string:name:0,Ready:string::0,Status:string::0,Restarts:string::0,Age:string::0,"
            "IP:string::1,Node:string::1,Nominated Node:string::1,Readiness Gates:string::1");
}

TEST(PodTable, RunningWithRestarts) {
  Value pod = obj(R"({"metadata":{"name":"web-1","namespace":"default","creationTimestamp":"ago:51h"},
    "spec":{"nodeName":"node-a","containers":[{"name":"app","image":"nginx"},{"name":"sidecar","image":"envoy"}]},
    "status":{"phase":"Running","podIP":"10.0.0.5","podIPs":[{"ip":"10.0.0.5"},{"ip":"fd00::5"}],
      "conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"True"}],
      "containerStatuses":[
        {"name":"app","ready":true,"restartCount":3,"state":{"running":{"startedAt":"ago:5m"}},
         "lastState":{"terminated":{"exitCode":1,"reason":"Error","finishedAt":"ago:5m"}}},
        {"name":"sidecar","ready":true,"restartCount":1,"state":{"running":{}},
         "lastState":{"terminated":{"exitCode":137,"finishedAt":"ago:2h"}}}]}})");
  EXPECT_JSON(cells_of(builtin("", "Pod"), pod),
              R"j(["web-1","2/2","Running","4 (5m ago)","2d3h","10.0.0.5","node-a","<none>","<none>"])j");
}

TEST(PodTable, CrashLoopBackOff) {
  Value pod = obj(R"({"metadata":{"name":"api","creationTimestamp":"ago:10m"},
    "spec":{"containers":[{"name":"api"}]},
    "status":{"phase":"Running","podIP":"10.0.0.9",
      "containerStatuses":[{"name":"api","ready":false,"restartCount":7,
        "state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 5m0s"}},
        "lastState":{"terminated":{"exitCode":2,"reason":"Error","finishedAt":"ago:45s"}}}]}})");
  EXPECT_JSON(cells_of(builtin("", "Pod"), pod),
              R"j(["api","0/1","CrashLoopBackOff","7 (45s ago)","10m","10.0.0.9","<none>","<none>","<none>"])j");
}

TEST(PodTable, TerminatedContainerReasons) {
  auto status_of = [](std::string_view terminated) {
    Value pod = obj(std::string(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},
      "status":{"phase":"Failed","containerStatuses":[{"name":"c","restartCount":0,"state":{"terminated":)") +
                    std::string(terminated) + "}}]}}");
    return cells_of(builtin("", "Pod"), pod).at(2);
  };
  EXPECT_EQ(status_of(R"({"exitCode":1,"reason":"Error"})"), "Error");
  EXPECT_EQ(status_of(R"({"exitCode":0,"reason":"Completed"})"), "Completed");
  EXPECT_EQ(status_of(R"({"exitCode":137,"signal":9})"), "Signal:9");
  EXPECT_EQ(status_of(R"({"exitCode":3})"), "ExitCode:3");
}

TEST(PodTable, SucceededPodIsCompletedWithRowCondition) {
  Value pod = obj(R"({"metadata":{"name":"job-x","creationTimestamp":"ago:3h"},
    "spec":{"containers":[{"name":"main"}]},
    "status":{"phase":"Succeeded","containerStatuses":[{"name":"main","ready":false,"restartCount":0,
      "state":{"terminated":{"exitCode":0,"reason":"Completed","finishedAt":"ago:2h"}}}]}})");
  Value t = table(builtin("", "Pod"), {pod});
  const Value& row = t.at("rows").at(0);
  EXPECT_JSON(row.at("cells"), R"(["job-x","0/1","Completed","0","3h","<none>","<none>","<none>","<none>"])");
  EXPECT_JSON(row.at("conditions"),
              R"([{"type":"Completed","status":"True","reason":"Succeeded",
                   "message":"The pod has completed successfully."}])");
}

TEST(PodTable, Terminating) {
  Value pod = obj(R"({"metadata":{"name":"old","creationTimestamp":"ago:20m","deletionTimestamp":"ago:10s"},
    "spec":{"nodeName":"node-b","containers":[{"name":"c"}]},
    "status":{"phase":"Running","podIPs":[{"ip":"10.1.0.3"}],
      "containerStatuses":[{"name":"c","ready":true,"restartCount":0,"state":{"running":{}}}]}})");
  EXPECT_JSON(cells_of(builtin("", "Pod"), pod),
              R"(["old","1/1","Terminating","0","20m","10.1.0.3","node-b","<none>","<none>"])");
}

TEST(PodTable, DeletedOnLostNodeIsUnknown) {
  Value pod = obj(R"({"metadata":{"name":"p","deletionTimestamp":"ago:1m"},"spec":{"containers":[{"name":"c"}]},
    "status":{"phase":"Running","reason":"NodeLost"}})");
  EXPECT_EQ(cells_of(builtin("", "Pod"), pod).at(2), "Unknown");
}

TEST(PodTable, TerminalPodBeingDeletedKeepsItsStatus) {
  Value pod = obj(R"({"metadata":{"name":"p","deletionTimestamp":"ago:1m"},"spec":{"containers":[{"name":"c"}]},
    "status":{"phase":"Failed",
      "containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":1,"reason":"Error"}}}]}})");
  EXPECT_EQ(cells_of(builtin("", "Pod"), pod).at(2), "Error");
}

TEST(PodTable, InitContainerProgress) {
  Value pod = obj(R"({"metadata":{"name":"db-0","creationTimestamp":"ago:30s"},
    "spec":{"initContainers":[{"name":"init-schema"},{"name":"init-cache"}],"containers":[{"name":"db"}]},
    "status":{"phase":"Pending","conditions":[{"type":"Initialized","status":"False"}],
      "initContainerStatuses":[
        {"name":"init-schema","restartCount":0,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
        {"name":"init-cache","restartCount":0,"state":{"running":{}}}],
      "containerStatuses":[{"name":"db","restartCount":0,"state":{"waiting":{"reason":"PodInitializing"}}}]}})");
  EXPECT_JSON(cells_of(builtin("", "Pod"), pod),
              R"(["db-0","0/1","Init:1/2","0","30s","<none>","<none>","<none>","<none>"])");
}

TEST(PodTable, InitContainerFailures) {
  auto status_of = [](std::string_view init_state, int restarts = 0) {
    Value pod = obj(std::string(R"({"metadata":{"name":"p"},
      "spec":{"initContainers":[{"name":"i"}],"containers":[{"name":"c"}]},
      "status":{"phase":"Pending","initContainerStatuses":[{"name":"i","restartCount":)") +
                    std::to_string(restarts) + R"(,"lastState":{"terminated":{"exitCode":1,"finishedAt":"ago:3m"}},
      "state":)" + std::string(init_state) + R"(}],
      "containerStatuses":[{"name":"c","restartCount":0,"state":{"waiting":{"reason":"PodInitializing"}}}]}})");
    Value cells = cells_of(builtin("", "Pod"), pod);
    return std::string(cells.at(2).as_string()) + " " + std::string(cells.at(3).as_string());
  };
  EXPECT_EQ(status_of(R"({"terminated":{"exitCode":1,"reason":"Error"}})", 2), "Init:Error 2 (3m ago)");
  EXPECT_EQ(status_of(R"({"waiting":{"reason":"CrashLoopBackOff"}})", 4), "Init:CrashLoopBackOff 4 (3m ago)");
  EXPECT_EQ(status_of(R"({"terminated":{"exitCode":137,"signal":9}})"), "Init:Signal:9 0");
  EXPECT_EQ(status_of(R"({"terminated":{"exitCode":2}})"), "Init:ExitCode:2 0");
  EXPECT_EQ(status_of(R"({"waiting":{"reason":"PodInitializing"}})"), "Init:0/1 0");
}

TEST(PodTable, SidecarInitContainerCountsAsContainer) {
  Value pod = obj(R"({"metadata":{"name":"meshed"},
    "spec":{"initContainers":[{"name":"proxy","restartPolicy":"Always"}],"containers":[{"name":"app"}]},
    "status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"True"}],
      "initContainerStatuses":[{"name":"proxy","ready":true,"started":true,"restartCount":2,"state":{"running":{}},
        "lastState":{"terminated":{"exitCode":1,"finishedAt":"ago:150s"}}}],
      "containerStatuses":[{"name":"app","ready":true,"restartCount":1,"state":{"running":{}}}]}})");
  Value cells = cells_of(builtin("", "Pod"), pod);
  EXPECT_EQ(cells.at(1), "2/2");
  EXPECT_EQ(cells.at(2), "Running");
  EXPECT_EQ(cells.at(3), "3 (2m30s ago)");
}

TEST(PodTable, CompletedContainerBesideRunningOne) {
  Value pod = obj(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"job"},{"name":"sidecar"}]},
    "status":{"phase":"Running","containerStatuses":[
      {"name":"job","ready":false,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
      {"name":"sidecar","ready":true,"state":{"running":{}}}]}})");
  Value cells = cells_of(builtin("", "Pod"), pod);
  EXPECT_EQ(cells.at(1), "1/2");
  EXPECT_EQ(cells.at(2), "NotReady");

  pod.at("status").as_object()["conditions"] = json::parse(R"([{"type":"Ready","status":"True"}])");
  EXPECT_EQ(cells_of(builtin("", "Pod"), pod).at(2), "Running");
}

TEST(PodTable, SchedulingGatedAndPending) {
  Value gated = obj(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},
    "status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]}})");
  EXPECT_EQ(cells_of(builtin("", "Pod"), gated).at(2), "SchedulingGated");
  Value pending = obj(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},"status":{"phase":"Pending"}})");
  EXPECT_EQ(cells_of(builtin("", "Pod"), pending).at(2), "Pending");
  Value evicted = obj(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},
    "status":{"phase":"Failed","reason":"Evicted"}})");
  EXPECT_EQ(cells_of(builtin("", "Pod"), evicted).at(2), "Evicted");
}

TEST(PodTable, WideCells) {
  Value pod = obj(R"({"metadata":{"name":"p"},
    "spec":{"containers":[{"name":"c"}],
      "readinessGates":[{"conditionType":"example.com/lb"},{"conditionType":"example.com/dns"}]},
    "status":{"phase":"Pending","podIP":"10.0.0.7","nominatedNodeName":"node-c",
      "conditions":[{"type":"example.com/lb","status":"True"},{"type":"example.com/dns","status":"False"}]}})");
  EXPECT_JSON(cells_of(builtin("", "Pod"), pod),
              R"(["p","0/1","Pending","0","<unknown>","10.0.0.7","<none>","node-c","1/2"])");
}

// ======================================================================== Node

TEST(NodeTable, Columns) {
  EXPECT_EQ(columns_of(builtin("", "Node")),
            "Name:string:name:0,Status:string::0,Roles:string::0,Age:string::0,Version:string::0,"
            "Internal-IP:string::1,External-IP:string::1,OS-Image:string::1,Kernel-Version:string::1,"
            "Container-Runtime:string::1");
}

TEST(NodeTable, NotReadyCordonedWithRoles) {
  Value node = obj(R"({"metadata":{"name":"cp-1","creationTimestamp":"ago:96h",
      "labels":{"node-role.kubernetes.io/control-plane":"","node-role.kubernetes.io/master":"",
                "kubernetes.io/role":"infra","node-role.kubernetes.io/":"x","kubernetes.io/hostname":"cp-1"}},
    "spec":{"unschedulable":true},
    "status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"False"}],
      "addresses":[{"type":"Hostname","address":"cp-1"},{"type":"InternalIP","address":"192.168.1.10"}],
      "nodeInfo":{"kubeletVersion":"v1.32.0","osImage":"Ubuntu 22.04.4 LTS","kernelVersion":"5.15.0-105-generic",
                  "containerRuntimeVersion":"containerd://1.7.13"}}})");
  EXPECT_JSON(cells_of(builtin("", "Node"), node),
              R"(["cp-1","NotReady,SchedulingDisabled","control-plane,infra,master","4d","v1.32.0",
                  "192.168.1.10","<none>","Ubuntu 22.04.4 LTS","5.15.0-105-generic","containerd://1.7.13"])");
}

TEST(NodeTable, ReadyWorkerAndUnknown) {
  Value ready = obj(R"({"metadata":{"name":"w-1","creationTimestamp":"ago:830d"},
    "status":{"conditions":[{"type":"Ready","status":"True"}],
      "addresses":[{"type":"ExternalIP","address":"203.0.113.9"},{"type":"InternalIP","address":"10.0.0.2"}],
      "nodeInfo":{"kubeletVersion":"v1.31.2"}}})");
  EXPECT_JSON(cells_of(builtin("", "Node"), ready),
              R"(["w-1","Ready","<none>","2y100d","v1.31.2","10.0.0.2","203.0.113.9","<unknown>","<unknown>","<unknown>"])");
  Value unknown = obj(R"({"metadata":{"name":"new"}})");
  EXPECT_EQ(cells_of(builtin("", "Node"), unknown).at(1), "Unknown");
}

// ======================================================================== simple kinds

TEST(SimpleTables, NamespaceConfigMapSecretServiceAccountLease) {
  EXPECT_EQ(columns_of(builtin("", "Namespace")), "Name:string:name:0,Status:string::0,Age:string::0");
  EXPECT_JSON(cells_of(builtin("", "Namespace"),
                       obj(R"({"metadata":{"name":"kube-system","creationTimestamp":"ago:192min"},
                               "status":{"phase":"Active"}})")),
              R"(["kube-system","Active","3h12m"])");

  EXPECT_EQ(columns_of(builtin("", "ConfigMap")), "Name:string:name:0,Data:string::0,Age:string::0");
  EXPECT_JSON(cells_of(builtin("", "ConfigMap"),
                       obj(R"({"metadata":{"name":"cfg","creationTimestamp":"ago:330s"},
                               "data":{"a":"1","b":"2"},"binaryData":{"c":"AA=="}})")),
              R"(["cfg",3,"5m30s"])");

  EXPECT_EQ(columns_of(builtin("", "Secret")), "Name:string:name:0,Type:string::0,Data:string::0,Age:string::0");
  EXPECT_JSON(cells_of(builtin("", "Secret"),
                       obj(R"({"metadata":{"name":"tls","creationTimestamp":"ago:45s"},"type":"kubernetes.io/tls",
                               "data":{"tls.crt":"Y2VydA==","tls.key":"a2V5"}})")),
              R"(["tls","kubernetes.io/tls",2,"45s"])");

  EXPECT_EQ(columns_of(builtin("", "ServiceAccount")), "Name:string:name:0,Secrets:string::0,Age:string::0");
  EXPECT_JSON(cells_of(builtin("", "ServiceAccount"),
                       obj(R"({"metadata":{"name":"default","creationTimestamp":"ago:8d"}})")),
              R"(["default",0,"8d"])");

  EXPECT_EQ(columns_of(builtin("coordination.k8s.io", "Lease")), "Name:string:name:0,Holder:string::0,Age:string::0");
  EXPECT_JSON(cells_of(builtin("coordination.k8s.io", "Lease"),
                       obj(R"({"metadata":{"name":"kube-scheduler","creationTimestamp":"ago:2h"},
                               "spec":{"holderIdentity":"cp-1_4f1b","leaseDurationSeconds":15}})")),
              R"(["kube-scheduler","cp-1_4f1b","120m"])");
}

TEST(SimpleTables, CustomResourceDefinitionShowsCreatedAt) {
  ResourceInfo crd = builtin("apiextensions.k8s.io", "CustomResourceDefinition");
  EXPECT_EQ(columns_of(crd), "Name:string:name:0,Created At:date::0");
  EXPECT_JSON(cells_of(crd, obj(R"({"metadata":{"name":"widgets.example.com","creationTimestamp":"ago:24h"}})")),
              R"(["widgets.example.com","2024-04-30T12:00:00Z"])");
  EXPECT_JSON(cells_of(builtin("rbac.authorization.k8s.io", "ClusterRole"), obj(R"({"metadata":{"name":"admin"}})")),
              R"(["admin","0001-01-01T00:00:00Z"])");
}

TEST(SimpleTables, OtherBuiltInKindsShowNameAndAge) {
  ResourceInfo other = builtin("apps", "ControllerRevision");
  EXPECT_EQ(columns_of(other), "Name:string:name:0,Age:string::0");
  EXPECT_JSON(cells_of(other, obj(R"({"metadata":{"name":"web-6d4cf56db6","creationTimestamp":"ago:7m"}})")),
              R"(["web-6d4cf56db6","7m"])");
  // A kind's name alone does not select a printer: the group must match too.
  EXPECT_EQ(columns_of(builtin("example.com", "Pod")), "Name:string:name:0,Age:string::0");
}

// ======================================================================== Service

TEST(ServiceTable, Columns) {
  EXPECT_EQ(columns_of(builtin("", "Service")),
            "Name:string:name:0,Type:string::0,Cluster-IP:string::0,External-IP:string::0,Port(s):string::0,"
            "Age:string::0,Selector:string::1");
}

TEST(ServiceTable, ClusterIP) {
  Value svc = obj(R"({"metadata":{"name":"kube-dns","creationTimestamp":"ago:4d"},
    "spec":{"type":"ClusterIP","clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10"],"selector":{"k8s-app":"kube-dns"},
      "ports":[{"name":"dns","port":53,"protocol":"UDP"},{"name":"dns-tcp","port":53,"protocol":"TCP"},
               {"name":"metrics","port":9153,"protocol":"TCP"}]}})");
  EXPECT_JSON(cells_of(builtin("", "Service"), svc),
              R"(["kube-dns","ClusterIP","10.96.0.10","<none>","53/UDP,53/TCP,9153/TCP","4d","k8s-app=kube-dns"])");
}

TEST(ServiceTable, NodePortWithExternalIPs) {
  Value svc = obj(R"({"metadata":{"name":"web"},
    "spec":{"type":"NodePort","clusterIP":"10.96.5.5","externalIPs":["1.2.3.4","1.2.3.5"],
      "selector":{"tier":"fe","app":"web"},"ports":[{"port":80,"nodePort":30080,"protocol":"TCP","targetPort":8080}]}})");
  EXPECT_JSON(cells_of(builtin("", "Service"), svc),
              R"(["web","NodePort","10.96.5.5","1.2.3.4,1.2.3.5","80:30080/TCP","<unknown>","app=web,tier=fe"])");
}

TEST(ServiceTable, LoadBalancer) {
  Value pending = obj(R"({"metadata":{"name":"lb"},
    "spec":{"type":"LoadBalancer","clusterIPs":["10.96.1.1"],"ports":[{"port":443,"nodePort":31443,"protocol":"TCP"}]},
    "status":{"loadBalancer":{}}})");
  EXPECT_JSON(cells_of(builtin("", "Service"), pending),
              R"(["lb","LoadBalancer","10.96.1.1","<pending>","443:31443/TCP","<unknown>","<none>"])");

  Value ready = pending;
  ready.at("status").as_object()["loadBalancer"] =
      json::parse(R"({"ingress":[{"hostname":"lb.example.com"},{"ip":"203.0.113.7"},{"ip":"203.0.113.7"}]})");
  EXPECT_EQ(cells_of(builtin("", "Service"), ready).at(3), "203.0.113.7,lb.example.com");

  ready.at("spec").as_object()["externalIPs"] = json::parse(R"(["198.51.100.1"])");
  EXPECT_EQ(cells_of(builtin("", "Service"), ready).at(3), "203.0.113.7,lb.example.com,198.51.100.1");
}

TEST(ServiceTable, ExternalNameAndHeadless) {
  Value external = obj(R"({"metadata":{"name":"db"},"spec":{"type":"ExternalName","externalName":"db.example.com"}})");
  EXPECT_JSON(cells_of(builtin("", "Service"), external),
              R"(["db","ExternalName","<none>","db.example.com","<none>","<unknown>","<none>"])");
  Value headless = obj(R"({"metadata":{"name":"sts"},"spec":{"type":"ClusterIP","clusterIP":"None",
    "clusterIPs":["None"],"selector":{"app":"db"},"ports":[{"port":5432}]}})");
  EXPECT_JSON(cells_of(builtin("", "Service"), headless),
              R"(["sts","ClusterIP","None","<none>","5432/TCP","<unknown>","app=db"])");
}

// ======================================================================== workloads

TEST(WorkloadTables, Deployment) {
  ResourceInfo deployments = builtin("apps", "Deployment");
  EXPECT_EQ(columns_of(deployments),
            "Name:string:name:0,Ready:string::0,Up-to-date:string::0,Available:string::0,Age:string::0,"
            "Containers:string::1,Images:string::1,Selector:string::1");
  Value d = obj(R"({"metadata":{"name":"web","creationTimestamp":"ago:192min"},
    "spec":{"replicas":3,
      "selector":{"matchLabels":{"app":"web"},
                  "matchExpressions":[{"key":"tier","operator":"In","values":["frontend","backend"]},
                                      {"key":"canary","operator":"DoesNotExist"}]},
      "template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.25"},
                                        {"name":"envoy","image":"envoyproxy/envoy:v1.30"}]}}},
    "status":{"replicas":3,"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}})");
  EXPECT_JSON(cells_of(deployments, d),
              R"j(["web","2/3",3,2,"3h12m","nginx,envoy","nginx:1.25,envoyproxy/envoy:v1.30",
                  "app=web,!canary,tier in (backend,frontend)"])j");
  Value fresh = obj(R"({"metadata":{"name":"new"},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}})");
  EXPECT_JSON(cells_of(deployments, fresh), R"(["new","0/1",0,0,"<unknown>","c","i",""])");
}

TEST(WorkloadTables, ReplicaSetStatefulSetDaemonSet) {
  EXPECT_EQ(columns_of(builtin("apps", "ReplicaSet")),
            "Name:string:name:0,Desired:integer::0,Current:integer::0,Ready:integer::0,Age:string::0,"
            "Containers:string::1,Images:string::1,Selector:string::1");
  EXPECT_JSON(cells_of(builtin("apps", "ReplicaSet"),
                       obj(R"({"metadata":{"name":"web-5d9c","creationTimestamp":"ago:1h"},
                         "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web","pod-template-hash":"5d9c"}},
                           "template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.25"}]}}},
                         "status":{"replicas":3,"readyReplicas":1}})")),
              R"(["web-5d9c",3,3,1,"60m","nginx","nginx:1.25","app=web,pod-template-hash=5d9c"])");

  EXPECT_EQ(columns_of(builtin("apps", "StatefulSet")),
            "Name:string:name:0,Ready:string::0,Age:string::0,Containers:string::1,Images:string::1");
  EXPECT_JSON(cells_of(builtin("apps", "StatefulSet"),
                       obj(R"({"metadata":{"name":"db","creationTimestamp":"ago:9d"},
                         "spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"pg","image":"postgres:16"}]}}},
                         "status":{"readyReplicas":2}})")),
              R"(["db","2/3","9d","pg","postgres:16"])");

  EXPECT_EQ(columns_of(builtin("apps", "DaemonSet")),
            "Name:string:name:0,Desired:integer::0,Current:integer::0,Ready:integer::0,Up-to-date:integer::0,"
            "Available:integer::0,Node Selector:string::0,Age:string::0,Containers:string::1,Images:string::1,"
            "Selector:string::1");
  EXPECT_JSON(cells_of(builtin("apps", "DaemonSet"),
                       obj(R"({"metadata":{"name":"kube-proxy","creationTimestamp":"ago:4d"},
                         "spec":{"selector":{"matchLabels":{"k8s-app":"kube-proxy"}},
                           "template":{"spec":{"nodeSelector":{"kubernetes.io/os":"linux"},
                             "containers":[{"name":"kube-proxy","image":"registry.k8s.io/kube-proxy:v1.32.0"}]}}},
                         "status":{"desiredNumberScheduled":3,"currentNumberScheduled":3,"numberReady":2,
                                   "updatedNumberScheduled":3,"numberAvailable":2}})")),
              R"(["kube-proxy",3,3,2,3,2,"kubernetes.io/os=linux","4d","kube-proxy",
                  "registry.k8s.io/kube-proxy:v1.32.0","k8s-app=kube-proxy"])");
}

TEST(WorkloadTables, ReplicationControllerAndPodTemplate) {
  EXPECT_JSON(cells_of(builtin("", "ReplicationController"),
                       obj(R"({"metadata":{"name":"rc"},"spec":{"replicas":2,"selector":{"app":"old"},
                         "template":{"spec":{"containers":[{"name":"c","image":"busybox"}]}}},
                         "status":{"replicas":2,"readyReplicas":2}})")),
              R"(["rc",2,2,2,"<unknown>","c","busybox","app=old"])");
  EXPECT_EQ(columns_of(builtin("", "PodTemplate")),
            "Name:string:name:0,Containers:string::0,Images:string::0,Pod Labels:string::0");
  EXPECT_JSON(cells_of(builtin("", "PodTemplate"),
                       obj(R"({"metadata":{"name":"t"},"template":{"metadata":{"labels":{"a":"b"}},
                         "spec":{"containers":[{"name":"c","image":"busybox"}]}}})")),
              R"(["t","c","busybox","a=b"])");
}

TEST(WorkloadTables, Job) {
  ResourceInfo jobs = builtin("batch", "Job");
  EXPECT_EQ(columns_of(jobs),
            "Name:string:name:0,Status:string::0,Completions:string::0,Duration:string::0,Age:string::0,"
            "Containers:string::1,Images:string::1,Selector:string::1");
  Value done = obj(R"({"metadata":{"name":"pi","creationTimestamp":"ago:5m"},
    "spec":{"completions":1,"parallelism":1,"selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"u1"}},
      "template":{"spec":{"containers":[{"name":"pi","image":"perl:5.34"}]}}},
    "status":{"succeeded":1,"startTime":"ago:5m","completionTime":"ago:4m18s",
      "conditions":[{"type":"SuccessCriteriaMet","status":"True"},{"type":"Complete","status":"True"}]}})");
  EXPECT_JSON(cells_of(jobs, done),
              R"(["pi","Complete","1/1","42s","5m","pi","perl:5.34","batch.kubernetes.io/controller-uid=u1"])");

  Value running = obj(R"({"metadata":{"name":"work"},"spec":{"parallelism":3,
    "template":{"spec":{"containers":[{"name":"w","image":"busybox"}]}}},
    "status":{"active":3,"succeeded":0,"startTime":"ago:150s"}})");
  EXPECT_JSON(cells_of(jobs, running), R"(["work","Running","0/1 of 3","2m30s","<unknown>","w","busybox","<none>"])");

  auto status_of = [&](std::string_view conditions, bool deleting = false) {
    Value job = obj(std::string(R"({"metadata":{"name":"j"},"status":{"conditions":)") + std::string(conditions) +
                    "}}");
    if (deleting) job.at("metadata").as_object()["deletionTimestamp"] = "2024-05-01T11:00:00Z";
    return cells_of(jobs, job).at(1);
  };
  EXPECT_EQ(status_of(R"([{"type":"Failed","status":"True"}])"), "Failed");
  EXPECT_EQ(status_of(R"([{"type":"Suspended","status":"True"}])"), "Suspended");
  EXPECT_EQ(status_of(R"([{"type":"Suspended","status":"True"}])", true), "Terminating");
  EXPECT_EQ(status_of(R"([{"type":"FailureTarget","status":"True"}])"), "FailureTarget");
  EXPECT_EQ(status_of(R"([{"type":"Complete","status":"False"}])"), "Running");
  EXPECT_EQ(cells_of(jobs, obj(R"({"metadata":{"name":"j"}})")).at(3), "");
}

TEST(WorkloadTables, CronJob) {
  ResourceInfo cronjobs = builtin("batch", "CronJob");
  EXPECT_EQ(columns_of(cronjobs),
            "Name:string:name:0,Schedule:string::0,Timezone:string::0,Suspend:boolean::0,Active:integer::0,"
            "Last Schedule:string::0,Age:string::0,Containers:string::1,Images:string::1,Selector:string::1");
  Value cj = obj(R"({"metadata":{"name":"backup","creationTimestamp":"ago:3d"},
    "spec":{"schedule":"*/5 * * * *","suspend":false,
      "jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"backup","image":"restic:0.16"}]}}}}},
    "status":{"active":[{"kind":"Job","name":"backup-28571230"}],"lastScheduleTime":"ago:2m"}})");
  EXPECT_JSON(cells_of(cronjobs, cj),
              R"(["backup","*/5 * * * *","<none>","False",1,"2m","3d","backup","restic:0.16","<none>"])");
  Value zoned = obj(R"({"metadata":{"name":"z"},"spec":{"schedule":"0 3 * * *","timeZone":"Europe/Paris","suspend":true}})");
  EXPECT_JSON(cells_of(cronjobs, zoned), R"(["z","0 3 * * *","Europe/Paris","True",0,"<none>","<unknown>","","","<none>"])");
  EXPECT_EQ(cells_of(cronjobs, obj(R"({"metadata":{"name":"u"},"spec":{}})")).at(3), "<unset>");
}

// ======================================================================== Event

TEST(EventTable, Columns) {
  EXPECT_EQ(columns_of(builtin("", "Event")),
            "Last Seen:string::0,Type:string::0,Reason:string::0,Object:string::0,Subobject:string::1,"
            "Source:string::1,Message:string::0,First Seen:string::1,Count:string::1,Name:string:name:1");
}

TEST(EventTable, CoreEvent) {
  Value e = obj(R"({"metadata":{"name":"web-1.17c0a","namespace":"default"},
    "involvedObject":{"kind":"Pod","name":"web-1","namespace":"default","fieldPath":"spec.containers{app}"},
    "reason":"BackOff","message":"Back-off restarting failed container app\n","type":"Warning",
    "source":{"component":"kubelet","host":"node-a"},
    "firstTimestamp":"ago:5m","lastTimestamp":"ago:30s","count":3})");
  EXPECT_JSON(cells_of(builtin("", "Event"), e),
              R"(["30s","Warning","BackOff","pod/web-1","spec.containers{app}","kubelet, node-a",
                  "Back-off restarting failed container app","5m",3,"web-1.17c0a"])");
}

TEST(EventTable, SeriesEventWithEventTime) {
  Value e = obj(R"({"metadata":{"name":"sched.1"},
    "involvedObject":{"kind":"Pod","name":"pending-0"},
    "reason":"FailedScheduling","message":"0/3 nodes are available","type":"Warning",
    "eventTime":"ago-micro:10m","firstTimestamp":null,"lastTimestamp":null,
    "series":{"count":5,"lastObservedTime":"ago-micro:60s"},
    "reportingComponent":"default-scheduler","reportingInstance":"default-scheduler-cp-1","source":{}})");
  EXPECT_JSON(cells_of(builtin("", "Event"), e),
              R"(["60s","Warning","FailedScheduling","pod/pending-0","","default-scheduler, default-scheduler-cp-1",
                  "0/3 nodes are available","10m",5,"sched.1"])");
}

TEST(EventTable, EventsApiGroup) {
  Value e = obj(R"({"metadata":{"name":"n.1"},"regarding":{"kind":"Node","name":"w-1"},
    "reason":"NodeReady","note":"Node w-1 status is now: NodeReady","type":"Normal",
    "eventTime":"ago-micro:3m","reportingController":"kubelet","reportingInstance":""})");
  EXPECT_JSON(cells_of(builtin("events.k8s.io", "Event"), e),
              R"(["3m","Normal","NodeReady","node/w-1","","kubelet","Node w-1 status is now: NodeReady","3m",1,"n.1"])");
}

TEST(EventTable, ObjectWithoutName) {
  Value e = obj(R"({"metadata":{"name":"x"},"involvedObject":{"kind":"ClusterIP"},"count":1})");
  Value cells = cells_of(builtin("", "Event"), e);
  EXPECT_EQ(cells.at(0), "<unknown>");
  EXPECT_EQ(cells.at(3), "clusterip");
}

// ======================================================================== storage

TEST(StorageTables, PersistentVolumeClaim) {
  ResourceInfo pvcs = builtin("", "PersistentVolumeClaim");
  EXPECT_EQ(columns_of(pvcs),
            "Name:string:name:0,Status:string::0,Volume:string::0,Capacity:string::0,Access Modes:string::0,"
            "StorageClass:string::0,VolumeAttributesClass:string::0,Age:string::0,VolumeMode:string::1");
  Value bound = obj(R"({"metadata":{"name":"data-db-0","creationTimestamp":"ago:5m"},
    "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"8Gi"}},"storageClassName":"standard",
      "volumeMode":"Filesystem","volumeName":"pvc-0a1b"},
    "status":{"phase":"Bound","accessModes":["ReadWriteOncePod","ReadWriteOnce"],"capacity":{"storage":"10Gi"}}})");
  EXPECT_JSON(cells_of(pvcs, bound),
              R"(["data-db-0","Bound","pvc-0a1b","10Gi","RWO,RWOP","standard","<unset>","5m","Filesystem"])");
  Value pending = obj(R"({"metadata":{"name":"claim","deletionTimestamp":"ago:1s",
      "annotations":{"volume.beta.kubernetes.io/storage-class":"legacy"}},
    "spec":{"storageClassName":"standard","volumeAttributesClassName":"gold"},"status":{"phase":"Pending"}})");
  EXPECT_JSON(cells_of(pvcs, pending), R"(["claim","Terminating","","","","legacy","gold","<unknown>","<unset>"])");
}

TEST(StorageTables, PersistentVolumeAndStorageClass) {
  Value pv = obj(R"({"metadata":{"name":"pvc-0a1b"},"spec":{"capacity":{"storage":"10Gi"},
    "accessModes":["ReadWriteMany","ReadOnlyMany"],"persistentVolumeReclaimPolicy":"Delete","storageClassName":"nfs",
    "claimRef":{"namespace":"default","name":"data"},"volumeMode":"Block"},"status":{"phase":"Bound"}})");
  EXPECT_JSON(cells_of(builtin("", "PersistentVolume"), pv),
              R"(["pvc-0a1b","10Gi","ROX,RWX","Delete","Bound","default/data","nfs","<unset>","","<unknown>","Block"])");
  Value sc = obj(R"({"metadata":{"name":"standard","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},
    "provisioner":"rancher.io/local-path","volumeBindingMode":"WaitForFirstConsumer"})");
  EXPECT_JSON(cells_of(builtin("storage.k8s.io", "StorageClass"), sc),
              R"j(["standard (default)","rancher.io/local-path","Delete","WaitForFirstConsumer",false,"<unknown>"])j");
}

// ======================================================================== networking and others

TEST(NetworkTables, Endpoints) {
  ResourceInfo eps = builtin("", "Endpoints");
  EXPECT_EQ(columns_of(eps), "Name:string:name:0,Endpoints:string::0,Age:string::0");
  Value many = obj(R"({"metadata":{"name":"web"},"subsets":[{"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"}],
    "ports":[{"port":8080},{"port":8443}]}]})");
  EXPECT_EQ(cells_of(eps, many).at(1), "10.0.0.1:8080,10.0.0.2:8080,10.0.0.1:8443 + 1 more...");
  Value v6 = obj(R"({"metadata":{"name":"v6"},"subsets":[{"addresses":[{"ip":"fd00::1"}],"ports":[{"port":80}]}]})");
  EXPECT_EQ(cells_of(eps, v6).at(1), "[fd00::1]:80");
  Value headless = obj(R"({"metadata":{"name":"h"},"subsets":[{"addresses":[{"ip":"10.0.0.3"}]}]})");
  EXPECT_EQ(cells_of(eps, headless).at(1), "10.0.0.3");
  EXPECT_EQ(cells_of(eps, obj(R"({"metadata":{"name":"none"}})")).at(1), "<none>");
}

TEST(NetworkTables, IngressEndpointSliceNetworkPolicy) {
  Value ing = obj(R"({"metadata":{"name":"web"},"spec":{"ingressClassName":"nginx",
    "rules":[{"host":"a.example.com"},{"host":"b.example.com"},{},{"host":"c.example.com"},{"host":"d.example.com"}],
    "tls":[{"hosts":["a.example.com"]}]},
    "status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]}}})");
  EXPECT_JSON(cells_of(builtin("networking.k8s.io", "Ingress"), ing),
              R"(["web","nginx","a.example.com,b.example.com,c.example.com + 2 more...","192.0.2.1","80, 443",
                  "<unknown>"])");

  Value slice = obj(R"({"metadata":{"name":"web-abc"},"addressType":"IPv4",
    "ports":[{"port":8080},{"name":"metrics"}],
    "endpoints":[{"addresses":["10.0.0.1"]},{"addresses":["10.0.0.2","10.0.0.3","10.0.0.4"]}]})");
  EXPECT_JSON(cells_of(builtin("discovery.k8s.io", "EndpointSlice"), slice),
              R"(["web-abc","IPv4","8080,metrics","10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...","<unknown>"])");

  Value np = obj(R"({"metadata":{"name":"deny"},"spec":{"podSelector":{}}})");
  EXPECT_JSON(cells_of(builtin("networking.k8s.io", "NetworkPolicy"), np), R"(["deny","<none>","<unknown>"])");
}

TEST(OtherTables, BindingsBudgetsPriorities) {
  Value rb = obj(R"({"metadata":{"name":"ops"},"roleRef":{"kind":"ClusterRole","name":"admin"},
    "subjects":[{"kind":"User","name":"alice"},{"kind":"Group","name":"sre"},{"kind":"User","name":"bob"},
                {"kind":"ServiceAccount","namespace":"ci","name":"deployer"}]})");
  EXPECT_JSON(cells_of(builtin("rbac.authorization.k8s.io", "ClusterRoleBinding"), rb),
              R"(["ops","ClusterRole/admin","<unknown>","alice, bob","sre","ci/deployer"])");
  Value pdb = obj(R"({"metadata":{"name":"web"},"spec":{"minAvailable":"50%"},"status":{"disruptionsAllowed":1}})");
  EXPECT_JSON(cells_of(builtin("policy", "PodDisruptionBudget"), pdb), R"(["web","50%","N/A",1,"<unknown>"])");
  Value pc = obj(R"({"metadata":{"name":"system-cluster-critical"},"value":2000000000,
    "preemptionPolicy":"PreemptLowerPriority"})");
  EXPECT_JSON(cells_of(builtin("scheduling.k8s.io", "PriorityClass"), pc),
              R"(["system-cluster-critical",2000000000,false,"<unknown>","PreemptLowerPriority"])");
}

// ======================================================================== custom resources

ResourceInfo widgets(std::vector<PrinterColumn> columns) {
  ResourceInfo r;
  r.group = "example.com";
  r.version = "v1";
  r.kind = "Widget";
  r.plural = "widgets";
  r.printer_columns = std::move(columns);
  return r;
}

PrinterColumn column(std::string name, std::string type, std::string path, int priority = 0,
                     std::string description = "", std::string format = "") {
  PrinterColumn c;
  c.name = std::move(name);
  c.type = std::move(type);
  c.json_path = std::move(path);
  c.priority = priority;
  c.description = std::move(description);
  c.format = std::move(format);
  return c;
}

TEST(CustomResourceTable, TypedColumns) {
  ResourceInfo r = widgets({
      column("Phase", "string", ".status.phase"),
      column("Replicas", "integer", ".spec.replicas"),
      column("Ratio", "number", ".status.ratio"),
      column("Paused", "boolean", ".spec.paused"),
      column("Started", "date", ".status.startTime"),
      column("Ready", "string", R"(.status.conditions[?(@.type=="Ready")].status)", 0, "Readiness"),
      column("Labels", "string", ".metadata.labels", 1),
      column("Missing", "string", ".status.missing", 1),
      column("Owner", "string", ".spec.owner", 0, "", "email"),
  });
  Value w = obj(R"({"apiVersion":"example.com/v1","kind":"Widget",
    "metadata":{"name":"w1","labels":{"b":"2","a":"<1>"},"creationTimestamp":"ago:1h"},
    "spec":{"replicas":3,"paused":false,"owner":"ops@example.com"},
    "status":{"phase":"Active","ratio":0.75,"startTime":"ago:90s",
      "conditions":[{"type":"Synced","status":"True"},{"type":"Ready","status":"False"}]}})");
  Value t = table(r, {w});
  EXPECT_EQ(column_summary(t),
            "Name:string:name:0,Phase:string::0,Replicas:integer::0,Ratio:number::0,Paused:boolean::0,"
            "Started:date::0,Ready:string::0,Labels:string::1,Missing:string::1,Owner:string:email:0");
  const json::Array& defs = t.at("columnDefinitions").as_array();
  EXPECT_EQ(defs[1].at("description"), "Custom resource definition column (in JSONPath format): .status.phase");
  EXPECT_EQ(defs[6].at("description"), "Readiness");
  EXPECT_JSON(t.at("rows").at(0).at("cells"),
              R"(["w1","Active",3,0.75,false,"90s","False","{\"a\":\"\\u003c1\\u003e\",\"b\":\"2\"}",null,
                  "ops@example.com"])");
  EXPECT_TRUE(t.at("rows").at(0).at("cells").at(2).is_int64());
  EXPECT_TRUE(t.at("rows").at(0).at("cells").at(3).is_double());
  EXPECT_EQ(t.at("rows").at(0).at("object").at("metadata").at("name"), "w1");
}

TEST(CustomResourceTable, ValuesOfTheWrongTypeAreNull) {
  ResourceInfo r = widgets({
      column("Count", "integer", ".a"),
      column("Weight", "number", ".b"),
      column("On", "boolean", ".c"),
      column("When", "date", ".d"),
      column("Text", "string", ".e"),
      column("Size", "integer", ".f"),
  });
  EXPECT_JSON(cells_of(r, obj(R"({"metadata":{"name":"x"},"a":"3","b":true,"c":"true","d":5,"e":null,"f":2.9})")),
              R"(["x",null,null,null,null,null,2])");
  EXPECT_JSON(cells_of(r, obj(R"({"metadata":{"name":"y"},"a":-4,"b":7,"c":true,"d":"yesterday","e":12,"f":1e30})")),
              R"(["y",-4,7.0,true,"<invalid>","12",9223372036854775807])");
  EXPECT_TRUE(cells_of(r, obj(R"({"b":7})")).at(2).is_double());
  EXPECT_EQ(cells_of(r, obj(R"({"d":""})")).at(4), "<unknown>");
}

TEST(CustomResourceTable, StringColumnsPrintLikeKubectl) {
  ResourceInfo r = widgets({column("V", "string", ".v")});
  auto text_of = [&](std::string_view value) {
    Value cells = cells_of(r, obj(std::string(R"({"v":)") + std::string(value) + "}"));
    return std::string(cells.at(1).as_string());
  };
  EXPECT_EQ(text_of("1.5"), "1.5");
  EXPECT_EQ(text_of("2.0"), "2");
  EXPECT_EQ(text_of("100000.0"), "100000");
  EXPECT_EQ(text_of("1000000.0"), "1e+06");
  EXPECT_EQ(text_of("1234567.0"), "1.234567e+06");
  EXPECT_EQ(text_of("0.0001"), "0.0001");
  EXPECT_EQ(text_of("0.00001"), "1e-05");
  EXPECT_EQ(text_of("-42"), "-42");
  EXPECT_EQ(text_of("true"), "true");
  EXPECT_EQ(text_of(R"(["a",1,2.5,1e21,1e-7,{"z":null,"y":[]}])"), R"(["a",1,2.5,1e+21,1e-7,{"y":[],"z":null}])");
  EXPECT_EQ(text_of(R"({"q":"say \"hi\"\n&"})"), R"({"q":"say \"hi\"\n\u0026"})");
}

TEST(CustomResourceTable, NoPrinterColumnsMeansNameAndAge) {
  ResourceInfo r = widgets({});
  Value t = table(r, {obj(R"({"metadata":{"name":"w","creationTimestamp":"ago:5m30s"}})")});
  EXPECT_EQ(column_summary(t), "Name:string:name:0,Age:date::0");
  EXPECT_EQ(t.at("columnDefinitions").at(1).at("description"),
            "Custom resource definition column (in JSONPath format): .metadata.creationTimestamp");
  EXPECT_JSON(t.at("rows").at(0).at("cells"), R"(["w","5m30s"])");
}

TEST(CustomResourceTable, UnparsableColumnPathGivesNullCells) {
  ResourceInfo r = widgets({column("Bad", "string", "status.phase")});
  EXPECT_JSON(cells_of(r, obj(R"({"metadata":{"name":"w"},"status":{"phase":"x"}})")), R"(["w",null])");
}

// ======================================================================== JSONPath

const Value& sample() {
  static const Value v = json::parse(R"({
    "metadata":{"name":"web-1","labels":{"app.kubernetes.io/name":"web","tier":"fe"}},
    "spec":{"containers":[{"name":"app","image":"nginx:1.25","ports":[{"name":"http","port":8080}]},
                          {"name":"sidecar","image":"envoy:1.30","ports":[{"name":"admin","port":9901},
                                                                          {"name":"metrics","port":9090}]}],
            "weights":[0.5,1,2],"flags":[true,false]},
    "status":{"phase":"Running",
      "conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"False","reason":"Probe"}],
      "containerStatuses":[{"name":"app","ready":true,"restartCount":0,"state":{"running":{}}},
                           {"name":"sidecar","ready":false,"restartCount":5,
                            "state":{"waiting":{"reason":"CrashLoopBackOff"}},
                            "lastState":{"terminated":{"exitCode":1}}}]}})");
  return v;
}

std::string eval(std::string_view path) {
  std::optional<Value> v = evaluate_json_path(sample(), path);
  return v ? json::serialize(*v) : "<nothing>";
}

TEST(JsonPath, MemberAccess) {
  EXPECT_EQ(eval(".status.phase"), R"("Running")");
  EXPECT_EQ(eval("{.status.phase}"), R"("Running")");
  EXPECT_EQ(eval(" { .status.phase } "), R"("Running")");
  EXPECT_EQ(eval("$.status.phase"), R"("Running")");
  EXPECT_EQ(eval(".metadata.name"), R"("web-1")");
  EXPECT_EQ(eval(".metadata.labels"), R"({"app.kubernetes.io/name":"web","tier":"fe"})");
  EXPECT_EQ(eval("."), json::serialize(sample()));
  EXPECT_EQ(eval(".status.nope"), "<nothing>");
  EXPECT_EQ(eval(".metadata.name.deeper"), "<nothing>");
  EXPECT_EQ(eval(".spec.containers.name"), "<nothing>");
}

TEST(JsonPath, EscapedDotsAndQuotedNames) {
  EXPECT_EQ(eval(R"(.metadata.labels.app\.kubernetes\.io/name)"), R"("web")");
  EXPECT_EQ(eval(".metadata.labels['app.kubernetes.io/name']"), R"("web")");
  EXPECT_EQ(eval(R"(.metadata.labels["tier"])"), R"("fe")");
  EXPECT_EQ(eval(".metadata.labels['nope','tier']"), R"("fe")");
  EXPECT_EQ(eval(".metadata.labels.app.kubernetes.io/name"), "<nothing>");
}

TEST(JsonPath, IndexesSlicesAndWildcards) {
  EXPECT_EQ(eval(".spec.containers[0].name"), R"("app")");
  EXPECT_EQ(eval(".spec.containers[1].image"), R"("envoy:1.30")");
  EXPECT_EQ(eval(".spec.containers[-1].name"), R"("sidecar")");
  EXPECT_EQ(eval(".spec.containers[-2].name"), R"("app")");
  EXPECT_EQ(eval(".spec.containers[2].name"), "<nothing>");
  EXPECT_EQ(eval(".spec.containers[-3].name"), "<nothing>");
  EXPECT_EQ(eval(".spec.containers[*].name"), R"("app")");
  EXPECT_EQ(eval(".spec.containers[1].ports[*].port"), "9901");
  EXPECT_EQ(eval(".spec.containers[ 1 ].name"), R"("sidecar")");
  EXPECT_EQ(eval(".spec.containers[1:].name"), R"("sidecar")");
  EXPECT_EQ(eval(".spec.weights[1:2]"), "1");
  EXPECT_EQ(eval(".spec.weights[-1:]"), "2");
  EXPECT_EQ(eval(".spec.containers[::2].name"), R"("app")");
  EXPECT_EQ(eval(".spec.containers[1::2].name"), R"("sidecar")");
  EXPECT_EQ(eval(".spec.weights[5:]"), "<nothing>");
  EXPECT_EQ(eval(".spec.weights[2,0]"), "2");
  EXPECT_EQ(eval(".metadata.labels.*"), R"("web")");
  EXPECT_EQ(eval(".metadata.labels[*]"), R"("web")");
  EXPECT_EQ(eval(".spec.containers[*].ports[*].name"), R"("http")");
  EXPECT_EQ(eval("..image"), R"("nginx:1.25")");
  EXPECT_EQ(eval(".status..reason"), R"("Probe")");
}

TEST(JsonPath, Filters) {
  EXPECT_EQ(eval(R"(.status.conditions[?(@.type=="Ready")].status)"), R"("False")");
  EXPECT_EQ(eval(".status.conditions[?(@.type=='Ready')].reason"), R"("Probe")");
  EXPECT_EQ(eval(".status.conditions[?( @.type == 'Ready' )].status"), R"("False")");
  EXPECT_EQ(eval(".status.conditions[?(@.type!='Initialized')].type"), R"("Ready")");
  EXPECT_EQ(eval(".status.conditions[?(@.type=='Nope')].status"), "<nothing>");
  EXPECT_EQ(eval(".status.containerStatuses[?(@.restartCount>0)].name"), R"("sidecar")");
  EXPECT_EQ(eval(".status.containerStatuses[?(@.restartCount<1)].name"), R"("app")");
  EXPECT_EQ(eval(".status.containerStatuses[?(@.restartCount>=5)].name"), R"("sidecar")");
  EXPECT_EQ(eval(".status.containerStatuses[?(@.restartCount<=4)].name"), R"("app")");
  EXPECT_EQ(eval(".status.containerStatuses[?(@.restartCount==5.0)].name"), R"("sidecar")");
  EXPECT_EQ(eval(".status.containerStatuses[?(@.ready==false)].name"), R"("sidecar")");
  EXPECT_EQ(eval(".status.containerStatuses[?(@.state.waiting.reason=='CrashLoopBackOff')].name"), R"("sidecar")");
  EXPECT_EQ(eval(".status.containerStatuses[?(@.lastState.terminated)].name"), R"("sidecar")");
  EXPECT_EQ(eval(".spec.containers[?(@.name=='sidecar')].ports[?(@.port>9000)].name"), R"("admin")");
  EXPECT_EQ(eval(".spec.containers[*].ports[?(@.port<9000)].name"), R"("http")");
  EXPECT_EQ(eval(".spec.weights[?(@>0.7)]"), "1");
  EXPECT_EQ(eval(".status.conditions[?(@.type>'Q')].type"), R"("Ready")");
  // Values of different types never match.
  EXPECT_EQ(eval(".status.containerStatuses[?(@.restartCount=='5')].name"), "<nothing>");
  EXPECT_EQ(eval(".status.containerStatuses[?(@.restartCount!='5')].name"), "<nothing>");
}

TEST(JsonPath, SyntaxErrors) {
  for (std::string_view bad : {"", "{}", "status.phase", "{.status.phase", ".a[", ".a[0", ".a[abc]", ".a[]", ".a[-]",
                               ".a[?(@.x=='y']", ".a[?(@.x=='y)]", ".a[?@.x]", ".a[?(@.x ~ 1)]", ".a[?(@.x==)]",
                               ".a[?('y')]", ".a[0:1:0]", ".a\\", ".a b", ".a[?(@.x==bogus)]"}) {
    kube::testing::expect_invalid([&] { evaluate_json_path(sample(), bad); }, "invalid JSONPath");
  }
  kube::testing::expect_invalid([] { evaluate_json_path(sample(), ".a[0"); }, "expected ']'");
}

}  // namespace
}  // namespace kube::apiserver
