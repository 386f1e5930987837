// decode -> encode -> decode is lossless for real objects: those kubectl builds offline
// (`kubectl create ... --dry-run=client -o json`, `kubectl run ...`) and fixtures taken from
// clusters (with managedFields). Lossless means: the two decoded structs are equal, and the
// encoded JSON equals the original JSON (ignoring members that were null).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "kube/api/all.h"
#include "kube/core/dom.h"
#include "kube/core/json_patch.h"
#include "support/paths.h"
#include "support/subprocess.h"

namespace kube {
namespace {

namespace fs = std::filesystem;

json::Value without_nulls(const json::Value& v) {
  if (v.is_object()) {
    json::Object out;
    for (const auto& m : v.get_object()) {
      if (!m.value().is_null()) out[m.key()] = without_nulls(m.value());
    }
    return out;
  }
  if (v.is_array()) {
    json::Array out;
    for (const auto& e : v.get_array()) out.push_back(without_nulls(e));
    return out;
  }
  return v;
}

template <class T>
void check_roundtrip(const std::string& original, const std::string& label) {
  T first = json::decode<T>(original);
  std::string encoded = json::encode(first);
  T second = json::decode<T>(encoded);
  EXPECT_TRUE(first == second) << label << ": decode(encode(decode(x))) != decode(x)";
  json::Value expected = without_nulls(json::parse(original));
  json::Value actual = json::parse(encoded);
  EXPECT_TRUE(json::equal(expected, actual))
      << label << ": encoding differs from the original; patch original->encoded: "
      << json::serialize(diff_json_patch(expected, actual));
  EXPECT_EQ(json::encode(second), encoded) << label << ": encoding is not stable";
}

using Checker = std::function<void(const std::string&, const std::string&)>;

const std::map<std::string, Checker>& checkers() {
  namespace v1 = api::core::v1;
  static const std::map<std::string, Checker> table = {
      {"v1/Pod", check_roundtrip<v1::Pod>},
      {"v1/ConfigMap", check_roundtrip<v1::ConfigMap>},
      {"v1/Secret", check_roundtrip<v1::Secret>},
      {"v1/Service", check_roundtrip<v1::Service>},
      {"v1/Namespace", check_roundtrip<v1::Namespace>},
      {"v1/Node", check_roundtrip<v1::Node>},
      {"v1/ResourceQuota", check_roundtrip<v1::ResourceQuota>},
      {"v1/ServiceAccount", check_roundtrip<v1::ServiceAccount>},
      {"v1/Status", check_roundtrip<api::meta::v1::Status>},
      {"apps/v1/Deployment", check_roundtrip<api::apps::v1::Deployment>},
      {"batch/v1/Job", check_roundtrip<api::batch::v1::Job>},
      {"batch/v1/CronJob", check_roundtrip<api::batch::v1::CronJob>},
      {"rbac.authorization.k8s.io/v1/Role", check_roundtrip<api::rbac::v1::Role>},
      {"rbac.authorization.k8s.io/v1/ClusterRole", check_roundtrip<api::rbac::v1::ClusterRole>},
      {"rbac.authorization.k8s.io/v1/RoleBinding", check_roundtrip<api::rbac::v1::RoleBinding>},
      {"rbac.authorization.k8s.io/v1/ClusterRoleBinding", check_roundtrip<api::rbac::v1::ClusterRoleBinding>},
      {"scheduling.k8s.io/v1/PriorityClass", check_roundtrip<api::scheduling::v1::PriorityClass>},
      {"policy/v1/PodDisruptionBudget", check_roundtrip<api::policy::v1::PodDisruptionBudget>},
      {"networking.k8s.io/v1/Ingress", check_roundtrip<api::networking::v1::Ingress>},
      {"events.k8s.io/v1/Event", check_roundtrip<api::events::v1::Event>},
      {"coordination.k8s.io/v1/Lease", check_roundtrip<api::coordination::v1::Lease>},
      {"apiextensions.k8s.io/v1/CustomResourceDefinition", check_roundtrip<api::apiextensions::v1::CustomResourceDefinition>},
  };
  return table;
}

// Dispatches on apiVersion/kind; returns false for kinds without a checker.
bool check_object(const std::string& text, const std::string& label) {
  json::Value v = json::parse(text);
  std::string key = std::string(v.at("apiVersion").as_string()) + "/" + std::string(v.at("kind").as_string());
  auto it = checkers().find(key);
  if (it == checkers().end()) {
    ADD_FAILURE() << label << ": no round-trip checker for " << key;
    return false;
  }
  it->second(text, label);
  return true;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(RoundTrip, FixturesFromClusters) {
  fs::path dir = testing::source_dir() / "tests/fixtures";
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    checked += check_object(read_file(entry.path()), entry.path().filename().string());
  }
  EXPECT_GE(checked, 9);
}

TEST(RoundTrip, ObjectsBuiltByKubectl) {
  std::string kubectl = testing::find_program("kubectl");
  if (kubectl.empty()) GTEST_SKIP() << "kubectl is not installed: skipping the kubectl round-trip test";
  std::string python = testing::find_program("/usr/bin/python3");
  if (python.empty()) python = testing::find_program("python3");
  ASSERT_FALSE(python.empty()) << "python3 is needed to serve discovery to kubectl";
  // `kubectl run` and some `create` commands need API discovery even for client-side dry runs.
  fs::path source = testing::source_dir();
  testing::Child discovery({python, (source / "tests/support/discovery_server.py").string(),
                            (source / "api/swagger.json").string()});
  std::string port = discovery.read_line();
  ASSERT_FALSE(port.empty()) << "discovery server did not start";
  std::string server = "--server=http://127.0.0.1:" + port;

  const std::vector<std::vector<std::string>> commands = {
      {"create", "deployment", "web", "--image=nginx:1.27", "--replicas=3", "--port=8080"},
      {"create", "configmap", "settings", "--from-literal=a=b", "--from-literal=greeting=hello world"},
      {"create", "secret", "generic", "creds", "--from-literal=password=s3cr3t", "--from-literal=user=admin"},
      {"create", "secret", "docker-registry", "regcred", "--docker-server=r.example.com", "--docker-username=u",
       "--docker-password=p"},
      {"create", "service", "clusterip", "svc", "--tcp=80:8080", "--tcp=443:8443"},
      {"create", "service", "nodeport", "np", "--tcp=80:8080", "--node-port=30080"},
      {"create", "service", "externalname", "ext", "--external-name=db.example.com"},
      {"create", "job", "once", "--image=busybox", "--dry-run=client", "-o", "json", "--", "sh", "-c", "echo hi"},
      {"create", "cronjob", "nightly", "--image=busybox", "--schedule=0 3 * * *", "--restart=OnFailure"},
      {"create", "namespace", "team-a"},
      {"create", "quota", "q", "--hard=cpu=1,memory=1Gi,pods=2"},
      {"create", "role", "reader", "--verb=get,list,watch", "--resource=pods,configmaps"},
      {"create", "clusterrole", "node-reader", "--verb=get", "--resource=nodes"},
      {"create", "rolebinding", "rb", "--role=reader", "--user=alice", "--serviceaccount=default:bot"},
      {"create", "clusterrolebinding", "crb", "--clusterrole=node-reader", "--group=ops"},
      {"create", "priorityclass", "high", "--value=1000", "--description=important"},
      {"create", "poddisruptionbudget", "pdb", "--selector=app=web", "--min-available=50%"},
      {"create", "ingress", "ing", "--rule=shop.example.com/api*=api:8080,tls=shop-tls"},
      {"create", "serviceaccount", "bot"},
      {"run", "web", "--image=nginx", "--port=80", "--labels=app=web,tier=front", "--env=MODE=prod",
       "--annotations=team=shop",
       R"(--overrides={"spec":{"containers":[{"name":"web","image":"nginx","resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"cpu":1,"memory":"256Mi"}},"readinessProbe":{"httpGet":{"path":"/","port":80},"periodSeconds":5}}],"nodeSelector":{"disk":"ssd"}}})"},
      {"run", "task", "--image=busybox", "--restart=Never", "--command", "--", "sh", "-c", "sleep 1"},
  };
  for (auto args : commands) {
    std::vector<std::string> argv = {kubectl, server};
    auto dashdash = std::find(args.begin(), args.end(), "--");
    bool has_output = std::find(args.begin(), args.end(), "-o") != args.end();
    if (!has_output) args.insert(dashdash == args.end() ? args.end() : dashdash, {"--dry-run=client", "-o", "json"});
    argv.insert(argv.end(), args.begin(), args.end());
    std::string label = args[0] + " " + args[1] + " " + args[2];
    auto result = testing::run(argv);
    ASSERT_EQ(result.exit_code, 0) << label << ": " << result.err;
    check_object(result.out, "kubectl " + label);
  }
}

}  // namespace
}  // namespace kube
