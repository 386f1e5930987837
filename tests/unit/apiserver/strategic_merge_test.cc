// Tests for apiserver/strategic_merge.h: strategic merge patch against the real API spec (and a
// small synthetic one where the spec has no example).
#include "apiserver/strategic_merge.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "kube/core/dom.h"
#include "kube/core/json_patch.h"
#include "support/paths.h"

namespace {

using kube::PatchError;
using kube::apiserver::apply_strategic_merge_patch;
using kube::json::Object;
using kube::json::Value;

constexpr std::string_view kPod = "io.k8s.api.core.v1.Pod";
constexpr std::string_view kNode = "io.k8s.api.core.v1.Node";
constexpr std::string_view kService = "io.k8s.api.core.v1.Service";
constexpr std::string_view kConfigMap = "io.k8s.api.core.v1.ConfigMap";
constexpr std::string_view kDeployment = "io.k8s.api.apps.v1.Deployment";
constexpr std::string_view kControllerRevision = "io.k8s.api.apps.v1.ControllerRevision";
constexpr std::string_view kPodDisruptionBudget = "io.k8s.api.policy.v1.PodDisruptionBudget";

Value J(std::string_view text) { return kube::json::parse(text); }
std::string S(const Value& v) { return kube::json::serialize(v); }

class StrategicMergeTest : public ::testing::Test {
 protected:
  // The spec is 4 MB: parsed once for the whole suite.
  static void SetUpTestSuite() {
    std::ifstream in(kube::testing::source_dir() / "api" / "swagger.json");
    std::stringstream text;
    text << in.rdbuf();
    Value spec = kube::json::parse(text.str());
    definitions_ = std::make_unique<Object>(spec.as_object().at("definitions").as_object());
  }
  static void TearDownTestSuite() { definitions_.reset(); }

  static const Object& definitions() { return *definitions_; }

  // Applies `patch` to `doc` (an object of `type`) and expects exactly `want`.
  static ::testing::AssertionResult Gives(std::string_view type, std::string_view doc_text, std::string_view patch_text,
                                          std::string_view want_text, const Object& defs = definitions()) {
    Value doc = J(doc_text);
    try {
      apply_strategic_merge_patch(doc, J(patch_text), defs, type);
    } catch (const PatchError& e) {
      return ::testing::AssertionFailure() << "patch " << patch_text << " threw: " << e.what();
    }
    Value want = J(want_text);
    if (!kube::json::equal(doc, want)) {
      return ::testing::AssertionFailure() << "patch " << patch_text << "\n gave " << S(doc) << "\n want " << S(want);
    }
    return ::testing::AssertionSuccess();
  }

  // Expects PatchError with `needle` in its message, and `doc` left unchanged.
  static ::testing::AssertionResult FailsWith(std::string_view type, std::string_view doc_text, const Value& patch,
                                              std::string_view needle) {
    Value doc = J(doc_text);
    const Value original = doc;
    try {
      apply_strategic_merge_patch(doc, patch, definitions(), type);
    } catch (const PatchError& e) {
      if (std::string_view(e.what()).find(needle) == std::string_view::npos) {
        return ::testing::AssertionFailure() << "message \"" << e.what() << "\" lacks \"" << needle << "\"";
      }
      if (!kube::json::equal(doc, original)) {
        return ::testing::AssertionFailure() << "failed patch modified the document to " << S(doc);
      }
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "patch " << S(patch) << " did not fail; gave " << S(doc);
  }
  static ::testing::AssertionResult Fails(std::string_view type, std::string_view doc_text,
                                          std::string_view patch_text, std::string_view needle) {
    return FailsWith(type, doc_text, J(patch_text), needle);
  }

 private:
  static inline std::unique_ptr<Object> definitions_;
};

// --- Lists merged by key -------------------------------------------------------------------------

TEST_F(StrategicMergeTest, ContainerImageUpdateKeepsOtherContainersAndFields) {
  EXPECT_TRUE(Gives(kPod,
                    R"({"kind":"Pod","metadata":{"name":"web"},"spec":{"restartPolicy":"Always","containers":[
                         {"name":"app","image":"nginx:1","ports":[{"containerPort":80}]},
                         {"name":"sidecar","image":"envoy:1"}]}})",
                    R"({"spec":{"containers":[{"name":"app","image":"nginx:2"}]}})",
                    R"({"kind":"Pod","metadata":{"name":"web"},"spec":{"restartPolicy":"Always","containers":[
                         {"name":"app","image":"nginx:2","ports":[{"containerPort":80}]},
                         {"name":"sidecar","image":"envoy:1"}]}})"));
}

// The API server orders a merged list by the patch where the live list says nothing: a container
// the patch adds alone goes first, one listed after a live container goes after it.
TEST_F(StrategicMergeTest, NewListElementsAreOrderedLikeTheApiServer) {
  const char* doc = R"({"spec":{"containers":[{"name":"app","image":"a"}]}})";
  EXPECT_TRUE(Gives(kPod, doc, R"({"spec":{"containers":[{"name":"log","image":"b"}]}})",
                    R"({"spec":{"containers":[{"name":"log","image":"b"},{"name":"app","image":"a"}]}})"));
  EXPECT_TRUE(Gives(kPod, doc, R"({"spec":{"containers":[{"name":"app"},{"name":"log","image":"b"}]}})",
                    R"({"spec":{"containers":[{"name":"app","image":"a"},{"name":"log","image":"b"}]}})"));
}

TEST_F(StrategicMergeTest, ContainerPortsMergeByContainerPort) {
  EXPECT_TRUE(Gives(kPod,
                    R"({"spec":{"containers":[{"name":"app","image":"a","ports":[
                         {"containerPort":80,"protocol":"TCP"},{"containerPort":443,"name":"https"}]}]}})",
                    R"({"spec":{"containers":[{"name":"app","ports":[
                         {"containerPort":443,"name":"tls"},{"containerPort":8080}]}]}})",
                    R"({"spec":{"containers":[{"name":"app","image":"a","ports":[
                         {"containerPort":80,"protocol":"TCP"},{"containerPort":443,"name":"tls"},
                         {"containerPort":8080}]}]}})"));
}

TEST_F(StrategicMergeTest, MergeKeysCompareAsNumbers) {
  EXPECT_TRUE(Gives(kPod, R"({"spec":{"containers":[{"name":"app","ports":[{"containerPort":80}]}]}})",
                    R"({"spec":{"containers":[{"name":"app","ports":[{"containerPort":80.0,"name":"http"}]}]}})",
                    R"({"spec":{"containers":[{"name":"app","ports":[{"containerPort":80,"name":"http"}]}]}})"));
}

TEST_F(StrategicMergeTest, EnvMergesByName) {
  EXPECT_TRUE(Gives(kPod,
                    R"({"spec":{"containers":[{"name":"app","env":[
                         {"name":"A","value":"1"},{"name":"B","value":"2"}]}]}})",
                    R"({"spec":{"containers":[{"name":"app","env":[
                         {"name":"B","value":"3"},{"name":"C","value":"4"}]}]}})",
                    R"({"spec":{"containers":[{"name":"app","env":[
                         {"name":"A","value":"1"},{"name":"B","value":"3"},{"name":"C","value":"4"}]}]}})"));
}

TEST_F(StrategicMergeTest, VolumesMergeByName) {
  const char* doc = R"({"spec":{"volumes":[{"name":"cache","emptyDir":{}},
                                            {"name":"config","configMap":{"name":"old"}}]}})";
  EXPECT_TRUE(Gives(kPod, doc, R"({"spec":{"volumes":[{"name":"config","configMap":{"name":"new"}}]}})",
                    R"({"spec":{"volumes":[{"name":"cache","emptyDir":{}},
                                           {"name":"config","configMap":{"name":"new"}}]}})"));
  // volumes are "merge,retainKeys": kubectl switches a volume's source with $retainKeys.
  EXPECT_TRUE(Gives(kPod, doc,
                    R"({"spec":{"volumes":[{"$retainKeys":["name","secret"],"name":"cache",
                                            "secret":{"secretName":"s"}}]}})",
                    R"({"spec":{"volumes":[{"name":"cache","secret":{"secretName":"s"}},
                                           {"name":"config","configMap":{"name":"old"}}]}})"));
}

TEST_F(StrategicMergeTest, ImagePullSecretsMergeByName) {
  EXPECT_TRUE(Gives(kPod, R"({"spec":{"imagePullSecrets":[{"name":"reg1"}]}})",
                    R"({"spec":{"imagePullSecrets":[{"name":"reg1"},{"name":"reg2"}]}})",
                    R"({"spec":{"imagePullSecrets":[{"name":"reg1"},{"name":"reg2"}]}})"));
}

TEST_F(StrategicMergeTest, ServicePortsMergeByPort) {
  EXPECT_TRUE(Gives(kService,
                    R"({"spec":{"type":"ClusterIP","ports":[{"name":"http","port":80,"targetPort":8080},
                                                           {"name":"https","port":443,"targetPort":8443}]}})",
                    R"({"spec":{"ports":[{"port":80,"targetPort":9090}]}})",
                    R"({"spec":{"type":"ClusterIP","ports":[{"name":"http","port":80,"targetPort":9090},
                                                           {"name":"https","port":443,"targetPort":8443}]}})"));
}

// --- Lists replaced or merged as sets --------------------------------------------------------------

TEST_F(StrategicMergeTest, TolerationsWithoutMergeKeyAreReplaced) {
  EXPECT_TRUE(Gives(kPod, R"({"spec":{"tolerations":[{"key":"a","operator":"Exists"}]}})",
                    R"({"spec":{"tolerations":[{"key":"b","operator":"Exists","effect":"NoSchedule"}]}})",
                    R"({"spec":{"tolerations":[{"key":"b","operator":"Exists","effect":"NoSchedule"}]}})"));
}

TEST_F(StrategicMergeTest, ArgsAreReplaced) {
  EXPECT_TRUE(Gives(kPod, R"({"spec":{"containers":[{"name":"app","args":["--a","--b"],"command":["run"]}]}})",
                    R"({"spec":{"containers":[{"name":"app","args":["--c"]}]}})",
                    R"({"spec":{"containers":[{"name":"app","args":["--c"],"command":["run"]}]}})"));
}

// metadata.finalizers has patch strategy merge in this spec: a set of primitives.
TEST_F(StrategicMergeTest, FinalizersMergeAsASet) {
  const char* doc = R"({"metadata":{"name":"c","finalizers":["a/x","b/y"]}})";
  EXPECT_TRUE(Gives(kConfigMap, doc, R"({"metadata":{"finalizers":["b/y","c/z"]}})",
                    R"({"metadata":{"name":"c","finalizers":["a/x","b/y","c/z"]}})"));
  // Added alone, a value goes first, as on the API server.
  EXPECT_TRUE(Gives(kConfigMap, doc, R"({"metadata":{"finalizers":["c/z"]}})",
                    R"({"metadata":{"name":"c","finalizers":["c/z","a/x","b/y"]}})"));
  EXPECT_TRUE(Gives(kConfigMap, R"({"metadata":{"name":"c"}})", R"({"metadata":{"finalizers":["a/x"]}})",
                    R"({"metadata":{"name":"c","finalizers":["a/x"]}})"));
}

TEST_F(StrategicMergeTest, DeleteFromPrimitiveListRemovesValues) {
  const char* doc = R"({"metadata":{"finalizers":["a","b","c"]}})";
  EXPECT_TRUE(Gives(kConfigMap, doc, R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b","missing"]}})",
                    R"({"metadata":{"finalizers":["a","c"]}})"));
  // As kubectl apply sends it, with the final order.
  EXPECT_TRUE(Gives(kConfigMap, doc,
                    R"({"metadata":{"$setElementOrder/finalizers":["c","a"],
                                    "$deleteFromPrimitiveList/finalizers":["b"]}})",
                    R"({"metadata":{"finalizers":["c","a"]}})"));
  // Deleting from an absent list does not create it; deleting applies to replace lists too.
  EXPECT_TRUE(Gives(kConfigMap, R"({"metadata":{}})", R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}})",
                    R"({"metadata":{}})"));
  EXPECT_TRUE(Gives(kPod, R"({"spec":{"containers":[{"name":"app","args":["-v","-x"]}]}})",
                    R"({"spec":{"containers":[{"name":"app","$deleteFromPrimitiveList/args":["-x"]}]}})",
                    R"({"spec":{"containers":[{"name":"app","args":["-v"]}]}})"));
}

// --- $setElementOrder ------------------------------------------------------------------------------

TEST_F(StrategicMergeTest, SetElementOrderOrdersMergedList) {
  EXPECT_TRUE(Gives(kPod,
                    R"({"spec":{"containers":[{"name":"a","image":"a1"},{"name":"b"},{"name":"c"}]}})",
                    R"({"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"a"},{"name":"b"}],
                                "containers":[{"name":"a","image":"a2"}]}})",
                    R"({"spec":{"containers":[{"name":"c"},{"name":"a","image":"a2"},{"name":"b"}]}})"));
}

// Elements the order does not list (say an injected sidecar) stay next to their live neighbours.
TEST_F(StrategicMergeTest, SetElementOrderKeepsUnlistedElementsInLivePlace) {
  EXPECT_TRUE(Gives(kPod, R"({"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"sidecar"},{"name":"c"}]}})",
                    R"({"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"},{"name":"c"}]}})",
                    R"({"spec":{"containers":[{"name":"b"},{"name":"a"},{"name":"sidecar"},{"name":"c"}]}})"));
}

TEST_F(StrategicMergeTest, SetElementOrderOrdersPrimitiveList) {
  EXPECT_TRUE(Gives(kConfigMap, R"({"metadata":{"finalizers":["a","b"]}})",
                    R"({"metadata":{"$setElementOrder/finalizers":["b","c","a"],"finalizers":["c"]}})",
                    R"({"metadata":{"finalizers":["b","c","a"]}})"));
}

// --- $patch directives -----------------------------------------------------------------------------

TEST_F(StrategicMergeTest, PatchDeleteRemovesListElements) {
  const char* doc = R"({"spec":{"containers":[{"name":"app","env":[
                         {"name":"A","value":"1"},{"name":"B","value":"2"},{"name":"A","value":"dup"}]}]}})";
  EXPECT_TRUE(Gives(kPod, doc,
                    R"({"spec":{"containers":[{"name":"app","$setElementOrder/env":[{"name":"B"}],
                                               "env":[{"$patch":"delete","name":"A"}]}]}})",
                    R"({"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"2"}]}]}})"));
  // Deleting an element that is not there changes nothing.
  EXPECT_TRUE(Gives(kPod, R"({"spec":{"containers":[{"name":"app"}]}})",
                    R"({"spec":{"containers":[{"$patch":"delete","name":"gone"}]}})",
                    R"({"spec":{"containers":[{"name":"app"}]}})"));
}

TEST_F(StrategicMergeTest, PatchDeleteRemovesMap) {
  EXPECT_TRUE(Gives(kPod,
                    R"({"metadata":{"labels":{"a":"1"}},"spec":{"securityContext":{"runAsUser":1000},"hostname":"h"}})",
                    R"({"metadata":{"labels":{"$patch":"delete"}},"spec":{"securityContext":{"$patch":"delete"}}})",
                    R"({"metadata":{},"spec":{"hostname":"h"}})"));
}

TEST_F(StrategicMergeTest, PatchReplaceReplacesList) {
  EXPECT_TRUE(Gives(kPod, R"({"spec":{"containers":[{"name":"a","image":"a"},{"name":"b","image":"b"}]}})",
                    R"({"spec":{"containers":[{"$patch":"replace"},{"name":"c","image":"c"}]}})",
                    R"({"spec":{"containers":[{"name":"c","image":"c"}]}})"));
  EXPECT_TRUE(Gives(kPod, R"({"spec":{"containers":[{"name":"a"}]}})",
                    R"({"spec":{"containers":[{"$patch":"replace"}]}})",
                    R"({"spec":{"containers":[]}})"));
}

TEST_F(StrategicMergeTest, PatchReplaceReplacesMap) {
  EXPECT_TRUE(Gives(kPod, R"({"metadata":{"name":"p","labels":{"a":"1","b":"2"}}})",
                    R"({"metadata":{"labels":{"$patch":"replace","c":"3"}}})",
                    R"({"metadata":{"name":"p","labels":{"c":"3"}}})"));
}

TEST_F(StrategicMergeTest, PatchMergeIsTheDefault) {
  EXPECT_TRUE(Gives(kPod, R"({"metadata":{"labels":{"a":"1"}}})",
                    R"({"metadata":{"labels":{"$patch":"merge","b":"2"}}})",
                    R"({"metadata":{"labels":{"a":"1","b":"2"}}})"));
}

// --- $retainKeys and the replace strategy ----------------------------------------------------------

TEST_F(StrategicMergeTest, RetainKeysSwitchingToRecreateClearsRollingUpdate) {
  EXPECT_TRUE(Gives(kDeployment,
                    R"({"spec":{"replicas":2,"strategy":{"type":"RollingUpdate",
                                "rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}}}})",
                    R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})",
                    R"({"spec":{"replicas":2,"strategy":{"type":"Recreate"}}})"));
}

TEST_F(StrategicMergeTest, RetainKeysMustListEveryPatchedField) {
  EXPECT_TRUE(Fails(kDeployment, R"({"spec":{"strategy":{"type":"RollingUpdate"}}})",
                    R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"RollingUpdate","rollingUpdate":{}}}})",
                    "$retainKeys does not list the patched field \"rollingUpdate\""));
  EXPECT_TRUE(Fails(kDeployment, R"({"spec":{}})", R"({"spec":{"strategy":{"$retainKeys":"type"}}})",
                    "$retainKeys must be a list"));
}

// PodDisruptionBudgetSpec.selector has patch strategy replace: the map is not merged into.
TEST_F(StrategicMergeTest, ReplaceStrategyMapIsReplaced) {
  EXPECT_TRUE(Gives(kPodDisruptionBudget,
                    R"({"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"a"},
                                "matchExpressions":[{"key":"tier","operator":"Exists"}]}}})",
                    R"({"spec":{"selector":{"matchLabels":{"app":"b"}}}})",
                    R"({"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"b"}}}})"));
}

// --- Maps ------------------------------------------------------------------------------------------

TEST_F(StrategicMergeTest, NullDeletesMembers) {
  EXPECT_TRUE(Gives(kPod, R"({"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"nodeSelector":{"disk":"ssd"}}})",
                    R"({"metadata":{"labels":{"a":null,"absent":null}},"spec":{"nodeSelector":null}})",
                    R"({"metadata":{"labels":{"b":"2"}},"spec":{}})"));
}

TEST_F(StrategicMergeTest, NestedMapsMerge) {
  EXPECT_TRUE(Gives(kPod, R"({"metadata":{"name":"p","labels":{"app":"web","tier":"fe"},"annotations":{"x":"1"}}})",
                    R"({"metadata":{"labels":{"tier":"be","team":"a"},"annotations":{"y":"2"}}})",
                    R"({"metadata":{"name":"p","labels":{"app":"web","tier":"be","team":"a"},
                                    "annotations":{"x":"1","y":"2"}}})"));
}

// Values the patch creates get their directives applied: none is left in the result.
TEST_F(StrategicMergeTest, CreatedValuesCarryNoDirectives) {
  EXPECT_TRUE(Gives(kPod, R"({"spec":{"containers":[{"name":"app"}]}})",
                    R"({"spec":{
                         "$setElementOrder/initContainers":[{"name":"init"}],
                         "initContainers":[{"name":"init","image":"busybox","env":[
                           {"name":"X","value":"1","valueFrom":null},{"$patch":"delete","name":"Y"}]}],
                         "securityContext":{"$patch":"replace","runAsUser":1},
                         "volumes":[{"$retainKeys":["name","emptyDir"],"name":"v","emptyDir":{}}]}})",
                    R"({"spec":{"containers":[{"name":"app"}],
                         "initContainers":[{"name":"init","image":"busybox","env":[{"name":"X","value":"1"}]}],
                         "securityContext":{"runAsUser":1},
                         "volumes":[{"name":"v","emptyDir":{}}]}})"));
}

// Parts the spec leaves free-form (RawExtension, fields it does not know) merge like a JSON merge
// patch: maps merge, lists are replaced.
TEST_F(StrategicMergeTest, FreeFormPartsMergeLikeJsonMergePatch) {
  EXPECT_TRUE(Gives(kControllerRevision,
                    R"({"revision":1,"data":{"spec":{"a":1,"list":[{"name":"x","v":1}],"b":2}}})",
                    R"({"data":{"spec":{"list":[{"name":"x","v":2}],"b":null,"c":{"d":3}}}})",
                    R"({"revision":1,"data":{"spec":{"a":1,"list":[{"name":"x","v":2}],"c":{"d":3}}}})"));
  EXPECT_TRUE(Gives(kPod, R"({"spec":{"futureField":{"items":[1,2],"keep":true}}})",
                    R"({"spec":{"futureField":{"items":[3]}}})",
                    R"({"spec":{"futureField":{"items":[3],"keep":true}}})"));
}

// Map values (additionalProperties) carry their schema: merge lists inside them still merge. The
// real spec has no such map, so this uses a synthetic one.
TEST_F(StrategicMergeTest, MapValuesUseTheirSchema) {
  const Value spec = J(R"({
    "example.Router": {"properties": {"routes": {"type": "object",
        "additionalProperties": {"$ref": "#/definitions/example.Route"}}}},
    "example.Route": {"properties": {
        "hosts": {"type": "array", "items": {"type": "string"}, "x-kubernetes-patch-strategy": "merge"},
        "backends": {"type": "array", "items": {"type": "object"}}}}})");
  EXPECT_TRUE(Gives("example.Router",
                    R"({"routes":{"web":{"hosts":["a"],"backends":[{"n":1}]},"api":{"hosts":["b"]}}})",
                    R"({"routes":{"web":{"hosts":["a","c"],"backends":[{"n":2}]},
                                  "api":{"$deleteFromPrimitiveList/hosts":["b"]}}})",
                    R"({"routes":{"web":{"hosts":["a","c"],"backends":[{"n":2}]},"api":{"hosts":[]}}})",
                    spec.as_object()));
}

// --- What clients send -----------------------------------------------------------------------------

TEST_F(StrategicMergeTest, KubectlApplyPatch) {
  EXPECT_TRUE(Gives(kPod,
                    R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":{
                          "kubectl.kubernetes.io/last-applied-configuration":"{\"old\":true}\n"}},
                        "spec":{"containers":[{"name":"c","image":"nginx:1","imagePullPolicy":"IfNotPresent"}]}})",
                    R"({"metadata":{"annotations":{
                          "kubectl.kubernetes.io/last-applied-configuration":"{\"new\":true}\n"}},
                        "spec":{"$setElementOrder/containers":[{"name":"c"}],
                                "containers":[{"image":"nginx:2","name":"c"}]}})",
                    R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":{
                          "kubectl.kubernetes.io/last-applied-configuration":"{\"new\":true}\n"}},
                        "spec":{"containers":[{"name":"c","image":"nginx:2","imagePullPolicy":"IfNotPresent"}]}})"));
}

TEST_F(StrategicMergeTest, KubectlApplyPatchOnDeploymentTemplate) {
  EXPECT_TRUE(Gives(kDeployment,
                    R"({"spec":{"replicas":1,"template":{"metadata":{"labels":{"app":"w"}},"spec":{"containers":[
                          {"name":"w","image":"w:1","env":[{"name":"OLD","value":"1"},
                                                           {"name":"KEEP","value":"k"}]}]}}}})",
                    R"({"spec":{"replicas":3,"template":{"spec":{
                          "$setElementOrder/containers":[{"name":"w"}],
                          "containers":[{"name":"w","image":"w:2",
                            "$setElementOrder/env":[{"name":"KEEP"},{"name":"NEW"}],
                            "env":[{"name":"NEW","value":"n"},{"$patch":"delete","name":"OLD"}]}]}}}})",
                    R"({"spec":{"replicas":3,"template":{"metadata":{"labels":{"app":"w"}},"spec":{"containers":[
                          {"name":"w","image":"w:2","env":[{"name":"KEEP","value":"k"},
                                                           {"name":"NEW","value":"n"}]}]}}}})"));
}

TEST_F(StrategicMergeTest, NodeCordonAndUncordon) {
  const char* doc = R"({"kind":"Node","metadata":{"name":"n1"},"spec":{"podCIDR":"10.0.0.0/24"}})";
  EXPECT_TRUE(Gives(kNode, doc, R"({"spec":{"unschedulable":true}})",
                    R"({"kind":"Node","metadata":{"name":"n1"},
                        "spec":{"podCIDR":"10.0.0.0/24","unschedulable":true}})"));
  EXPECT_TRUE(Gives(kNode, R"({"spec":{"podCIDR":"10.0.0.0/24","unschedulable":true}})",
                    R"({"spec":{"unschedulable":null}})", R"({"spec":{"podCIDR":"10.0.0.0/24"}})"));
}

TEST_F(StrategicMergeTest, PythonClientPlainObjectPatch) {
  EXPECT_TRUE(Gives(kDeployment, R"({"metadata":{"name":"d","labels":{"a":"1"}},"spec":{"replicas":1,"paused":false}})",
                    R"({"metadata":{"labels":{"b":"2"}},"spec":{"replicas":5}})",
                    R"({"metadata":{"name":"d","labels":{"a":"1","b":"2"}},"spec":{"replicas":5,"paused":false}})"));
}

TEST_F(StrategicMergeTest, RootPatchReplaceReplacesTheObject) {
  EXPECT_TRUE(Gives(kConfigMap, R"({"metadata":{"name":"a"},"data":{"k":"v"}})",
                    R"({"$patch":"replace","metadata":{"name":"a"},"data":{"k2":"v2"}})",
                    R"({"metadata":{"name":"a"},"data":{"k2":"v2"}})"));
}

// --- Errors: PatchError, document unchanged --------------------------------------------------------

TEST_F(StrategicMergeTest, NonObjectPatchFails) {
  const char* doc = R"({"metadata":{"name":"p"}})";
  EXPECT_TRUE(Fails(kPod, doc, "[]", "must be a JSON object"));
  EXPECT_TRUE(Fails(kPod, doc, R"("text")", "must be a JSON object"));
  EXPECT_TRUE(FailsWith(kPod, doc, Value(nullptr), "must be a JSON object"));
}

TEST_F(StrategicMergeTest, UnknownDirectiveValuesFail) {
  const char* doc = R"({"metadata":{"labels":{"a":"1"}},"spec":{"containers":[{"name":"app"}]}})";
  EXPECT_TRUE(Fails(kPod, doc, R"({"metadata":{"labels":{"$patch":"explode"}}})",
                    "unknown $patch directive \"explode\""));
  EXPECT_TRUE(Fails(kPod, doc, R"({"metadata":{"labels":{"$patch":1}}})", "unknown $patch directive"));
  EXPECT_TRUE(Fails(kPod, doc, R"({"spec":{"containers":[{"name":"app","$patch":"bogus"}]}})",
                    "unknown $patch directive \"bogus\""));
  EXPECT_TRUE(Fails(kPod, doc, R"({"spec":{"containers":[{"$patch":"merge","name":"app"}]}})", "not supported"));
  EXPECT_TRUE(Fails(kPod, doc, R"({"spec":{"$setElementOrder":[]}})", "malformed directive key"));
  EXPECT_TRUE(Fails(kPod, doc, R"({"spec":{"$deleteFromPrimitiveListX/a":[]}})", "malformed directive key"));
}

TEST_F(StrategicMergeTest, FailureLeavesEarlierChangesUndone) {
  // The labels merge first; the container without its merge key then fails the whole patch.
  EXPECT_TRUE(Fails(kPod, R"({"metadata":{"labels":{"a":"1"}},"spec":{"containers":[{"name":"app"}]}})",
                    R"({"metadata":{"labels":{"b":"2"}},"spec":{"containers":[{"image":"no-name"}]}})",
                    "lacks the merge key \"name\""));
}

TEST_F(StrategicMergeTest, MalformedListPatchesFail) {
  const char* doc = R"({"metadata":{"finalizers":["a"]},"spec":{"containers":[{"name":"a"},{"name":"b"}]}})";
  EXPECT_TRUE(Fails(kPod, doc,
                    R"({"spec":{"$setElementOrder/containers":[{"name":"a"}],
                                "containers":[{"name":"b","image":"x"}]}})",
                    "does not list the elements of \"containers\""));
  EXPECT_TRUE(Fails(kPod, doc, R"({"spec":{"$setElementOrder/containers":{"name":"a"}}})", "must be a list"));
  EXPECT_TRUE(Fails(kPod, doc, R"({"spec":{"containers":["a"]}})", "mixing objects and primitives"));
  EXPECT_TRUE(Fails(kPod, doc, R"({"metadata":{"finalizers":[{"$patch":"delete","name":"a"}]}})", "not supported"));
  EXPECT_TRUE(Fails(kPod, doc, R"({"metadata":{"$deleteFromPrimitiveList/finalizers":[{"a":1}]}})", "not supported"));
  EXPECT_TRUE(Fails(kPod, doc, R"({"metadata":{"$deleteFromPrimitiveList/finalizers":"a"}})", "must be a list"));
}

TEST_F(StrategicMergeTest, UnsupportedUsesFail) {
  EXPECT_TRUE(Fails("io.example.v1.Widget", R"({"spec":{}})", R"({"spec":{"a":1}})", "not supported"));
  EXPECT_TRUE(Fails(kPod, R"({"metadata":{"name":"p"}})", R"({"$patch":"delete"})", "not supported"));
}

TEST_F(StrategicMergeTest, NonObjectDocumentFails) {
  Value doc = J("[1]");
  EXPECT_THROW(apply_strategic_merge_patch(doc, J("{}"), definitions(), kPod), PatchError);
  EXPECT_TRUE(kube::json::equal(doc, J("[1]")));
}

}  // namespace
