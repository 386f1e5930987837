#include "apiserver/openapi.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "kube/core/error.h"
#include "support/paths.h"
#include "support/subprocess.h"

namespace {

using kube::apiserver::openapi_v3_document;
using kube::apiserver::openapi_v3_index;
using kube::apiserver::ResourceInfo;
using kube::json::Value;
namespace json = kube::json;

constexpr std::string_view kSchemas = "#/components/schemas/";
const std::vector<std::string> kAllVerbs = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};

Value J(std::string_view text) { return json::parse(text); }

const json::Object& definitions() {
  static const Value spec = [] {
    std::ifstream in(kube::testing::source_dir() / "api/swagger.json");
    std::ostringstream text;
    text << in.rdbuf();
    return json::parse(text.str());
  }();
  return spec.at("definitions").as_object();
}

ResourceInfo builtin(std::string group, std::string kind, std::string plural, bool namespaced, std::string definition) {
  ResourceInfo r;
  r.group = std::move(group);
  r.version = "v1";
  r.kind = kind;
  r.list_kind = kind + "List";
  r.plural = std::move(plural);
  r.namespaced = namespaced;
  r.verbs = kAllVerbs;
  r.definition = std::move(definition);
  return r;
}

std::vector<ResourceInfo> core_resources() {
  ResourceInfo pods = builtin("", "Pod", "pods", true, "io.k8s.api.core.v1.Pod");
  pods.singular = "pod";
  pods.short_names = {"po"};
  pods.has_status = true;
  ResourceInfo configmaps = builtin("", "ConfigMap", "configmaps", true, "io.k8s.api.core.v1.ConfigMap");
  ResourceInfo nodes = builtin("", "Node", "nodes", false, "io.k8s.api.core.v1.Node");
  nodes.has_status = true;
  return {pods, configmaps, nodes};
}

std::vector<ResourceInfo> apps_resources() {
  ResourceInfo deployments = builtin("apps", "Deployment", "deployments", true, "io.k8s.api.apps.v1.Deployment");
  deployments.has_status = true;
  deployments.has_scale = true;
  return {deployments};
}

// /work/shared/reference/moose/moose.yaml, its openAPIV3Schema transcribed to JSON.
ResourceInfo moose() {
  ResourceInfo r;
  r.group = "animals.com";
  r.version = "v1";
  r.kind = "Moose";
  r.list_kind = "MooseList";
  r.plural = "mooses";
  r.singular = "moose";
  r.namespaced = true;
  r.verbs = kAllVerbs;
  r.has_status = true;
  r.schema = J(R"({
    "type": "object",
    "properties": {
      "spec": {"type": "object", "properties": {"height": {"type": "number"}, "weight": {"type": "number"},
                                                "antlers": {"type": "boolean"}}},
      "status": {"type": "object", "properties": {"phase": {"type": "string"}, "message": {"type": "string"}}}
    }
  })");
  return r;
}

const Value& core_document() {
  static const Value doc = [] {
    std::vector<ResourceInfo> resources = core_resources();
    return openapi_v3_document("v1", resources, definitions());
  }();
  return doc;
}

const Value& apps_document() {
  static const Value doc = [] {
    std::vector<ResourceInfo> resources = apps_resources();
    return openapi_v3_document("apps/v1", resources, definitions());
  }();
  return doc;
}

const Value& moose_document() {
  static const Value doc = [] {
    std::vector<ResourceInfo> resources = {moose()};
    return openapi_v3_document("animals.com/v1", resources, definitions());
  }();
  return doc;
}

// Every "$ref" (a string under a "$ref" key) in `v`.
void collect_refs(const Value& v, std::vector<std::string>& out) {
  if (v.is_object()) {
    for (const auto& [key, sub] : v.get_object()) {
      if (key == "$ref" && sub.is_string())
        out.emplace_back(sub.get_string());
      else
        collect_refs(sub, out);
    }
  } else if (v.is_array()) {
    for (const Value& sub : v.get_array()) collect_refs(sub, out);
  }
}

::testing::AssertionResult refs_resolve(const Value& doc) {
  std::vector<std::string> refs;
  collect_refs(doc, refs);
  if (refs.empty()) return ::testing::AssertionFailure() << "no $ref at all";
  const json::Object& schemas = doc.at("components").at("schemas").as_object();
  for (const std::string& ref : refs) {
    if (!ref.starts_with(kSchemas)) return ::testing::AssertionFailure() << "foreign $ref " << ref;
    if (!schemas.contains(ref.substr(kSchemas.size()))) return ::testing::AssertionFailure() << "dangling $ref " << ref;
  }
  if (json::serialize(doc).find("#/definitions/") != std::string::npos)
    return ::testing::AssertionFailure() << "a #/definitions/ reference remains";
  return ::testing::AssertionSuccess();
}

bool has_parameter(const Value& operation, std::string_view name, std::string_view in = "query") {
  const Value* params = operation.as_object().if_contains("parameters");
  if (!params) return false;
  for (const Value& p : params->as_array())
    if (p.at("name") == Value(name) && p.at("in") == Value(in)) return true;
  return false;
}

// What kubectl's queryParamVerifierV3 does: the first PATCH operation tagged with the kind decides
// whether the parameter is supported (so every one of them must list it).
bool kubectl_sees_support(const Value& doc, const Value& gvk, std::string_view param) {
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    const Value* patch = item.as_object().if_contains("patch");
    if (!patch) continue;
    const Value* tag = patch->as_object().if_contains("x-kubernetes-group-version-kind");
    if (!tag || *tag != gvk) continue;
    return has_parameter(*patch, param);
  }
  return false;
}

std::set<std::string> keys(const Value& object) {
  std::set<std::string> out;
  for (const auto& [k, v] : object.as_object()) out.emplace(k);
  return out;
}

// ---- index --------------------------------------------------------------------------------------

TEST(OpenApiIndex, ListsEveryGroupVersionWithItsHash) {
  std::vector<std::pair<std::string, std::string>> gvs = {
      {"v1", "AAA"}, {"apps/v1", "BBB"}, {"animals.com/v1", "CCC"}};
  EXPECT_EQ(openapi_v3_index(gvs), J(R"({"paths": {
    "api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=AAA"},
    "apis/animals.com/v1": {"serverRelativeURL": "/openapi/v3/apis/animals.com/v1?hash=CCC"},
    "apis/apps/v1": {"serverRelativeURL": "/openapi/v3/apis/apps/v1?hash=BBB"}
  }})"));
  EXPECT_EQ(openapi_v3_index({}), J(R"({"paths": {}})"));
}

// ---- built-in group-versions ----------------------------------------------------------------------

TEST(OpenApiDocument, Header) {
  const Value& doc = core_document();
  EXPECT_EQ(doc.at("openapi"), Value("3.0.0"));
  EXPECT_EQ(doc.at("info"), J(R"({"title": "Kubernetes", "version": "v1.34.0"})"));
}

TEST(OpenApiDocument, CorePathsCoverEveryResource) {
  EXPECT_EQ(keys(core_document().at("paths")), (std::set<std::string>{
                                                   "/api/v1/configmaps",
                                                   "/api/v1/namespaces/{namespace}/configmaps",
                                                   "/api/v1/namespaces/{namespace}/configmaps/{name}",
                                                   "/api/v1/namespaces/{namespace}/pods",
                                                   "/api/v1/namespaces/{namespace}/pods/{name}",
                                                   "/api/v1/namespaces/{namespace}/pods/{name}/status",
                                                   "/api/v1/nodes",
                                                   "/api/v1/nodes/{name}",
                                                   "/api/v1/nodes/{name}/status",
                                                   "/api/v1/pods",
                                               }));
  const Value& paths = core_document().at("paths");
  EXPECT_EQ(keys(paths.at("/api/v1/namespaces/{namespace}/pods")), (std::set<std::string>{"get", "post", "delete", "parameters"}));
  EXPECT_EQ(keys(paths.at("/api/v1/namespaces/{namespace}/pods/{name}")),
            (std::set<std::string>{"get", "put", "patch", "delete", "parameters"}));
  EXPECT_EQ(keys(paths.at("/api/v1/namespaces/{namespace}/pods/{name}/status")),
            (std::set<std::string>{"get", "put", "patch", "parameters"}));
  EXPECT_EQ(keys(paths.at("/api/v1/pods")), (std::set<std::string>{"get", "parameters"}));

  // Path parameters: name and namespace (none for cluster-scoped collections).
  const Value& item = paths.at("/api/v1/namespaces/{namespace}/pods/{name}");
  EXPECT_TRUE(has_parameter(item, "name", "path"));
  EXPECT_TRUE(has_parameter(item, "namespace", "path"));
  EXPECT_TRUE(has_parameter(paths.at("/api/v1/nodes/{name}"), "name", "path"));
  EXPECT_FALSE(has_parameter(paths.at("/api/v1/nodes/{name}"), "namespace", "path"));
  EXPECT_FALSE(has_parameter(paths.at("/api/v1/nodes"), "namespace", "path"));
}

TEST(OpenApiDocument, PodPatchLetsKubectlValidateOnTheServer) {
  const Value& patch = core_document().at("paths").at("/api/v1/namespaces/{namespace}/pods/{name}").at("patch");
  EXPECT_EQ(patch.at("x-kubernetes-group-version-kind"), J(R"({"group": "", "kind": "Pod", "version": "v1"})"));
  EXPECT_EQ(patch.at("x-kubernetes-action"), Value("patch"));
  EXPECT_EQ(patch.at("operationId"), Value("patchCoreV1NamespacedPod"));
  for (const char* name : {"dryRun", "fieldManager", "fieldValidation", "force"}) EXPECT_TRUE(has_parameter(patch, name)) << name;
  EXPECT_EQ(keys(patch.at("requestBody").at("content")),
            (std::set<std::string>{"application/apply-patch+yaml", "application/json-patch+json",
                                   "application/merge-patch+json", "application/strategic-merge-patch+json"}));
  EXPECT_EQ(patch.at("responses").at("200").at("content").at("application/json").at("schema"),
            J(R"({"$ref": "#/components/schemas/io.k8s.api.core.v1.Pod"})"));

  for (const char* kind : {"Pod", "ConfigMap", "Node"}) {
    Value gvk = {{"group", ""}, {"kind", kind}, {"version", "v1"}};
    EXPECT_TRUE(kubectl_sees_support(core_document(), gvk, "fieldValidation")) << kind;
  }
  EXPECT_FALSE(kubectl_sees_support(core_document(), J(R"({"group":"apps","kind":"Deployment","version":"v1"})"),
                                    "fieldValidation"));
}

TEST(OpenApiDocument, OperationsCarryIdsActionsAndParameters) {
  const Value& paths = core_document().at("paths");
  struct Case {
    const char* path;
    const char* method;
    const char* id;
    const char* action;
  };
  const Case cases[] = {
      {"/api/v1/namespaces/{namespace}/pods", "get", "listCoreV1NamespacedPod", "list"},
      {"/api/v1/namespaces/{namespace}/pods", "post", "createCoreV1NamespacedPod", "post"},
      {"/api/v1/namespaces/{namespace}/pods", "delete", "deleteCoreV1CollectionNamespacedPod", "deletecollection"},
      {"/api/v1/namespaces/{namespace}/pods/{name}", "get", "readCoreV1NamespacedPod", "get"},
      {"/api/v1/namespaces/{namespace}/pods/{name}", "put", "replaceCoreV1NamespacedPod", "put"},
      {"/api/v1/namespaces/{namespace}/pods/{name}", "delete", "deleteCoreV1NamespacedPod", "delete"},
      {"/api/v1/namespaces/{namespace}/pods/{name}/status", "patch", "patchCoreV1NamespacedPodStatus", "patch"},
      {"/api/v1/pods", "get", "listCoreV1PodForAllNamespaces", "list"},
      {"/api/v1/nodes", "get", "listCoreV1Node", "list"},
      {"/api/v1/nodes/{name}", "patch", "patchCoreV1Node", "patch"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.path) + " " + c.method);
    const Value& op = paths.at(c.path).at(c.method);
    EXPECT_EQ(op.at("operationId"), Value(c.id));
    EXPECT_EQ(op.at("x-kubernetes-action"), Value(c.action));
    EXPECT_TRUE(op.at("x-kubernetes-group-version-kind").is_object());
    EXPECT_TRUE(op.at("responses").as_object().contains("401"));
  }
  const Value& list = paths.at("/api/v1/namespaces/{namespace}/pods").at("get");
  for (const char* name : {"labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "watch"})
    EXPECT_TRUE(has_parameter(list, name)) << name;
  EXPECT_FALSE(has_parameter(list, "fieldValidation"));
  EXPECT_EQ(list.at("responses").at("200").at("content").at("application/json").at("schema"),
            J(R"({"$ref": "#/components/schemas/io.k8s.api.core.v1.PodList"})"));
  const Value& create = paths.at("/api/v1/namespaces/{namespace}/pods").at("post");
  for (const char* name : {"dryRun", "fieldManager", "fieldValidation"}) EXPECT_TRUE(has_parameter(create, name)) << name;
  EXPECT_FALSE(has_parameter(create, "force"));
  EXPECT_EQ(create.at("requestBody").at("content").at("*/*").at("schema"),
            J(R"({"$ref": "#/components/schemas/io.k8s.api.core.v1.Pod"})"));
  const Value& del = paths.at("/api/v1/namespaces/{namespace}/pods/{name}").at("delete");
  for (const char* name : {"dryRun", "gracePeriodSeconds", "propagationPolicy"}) EXPECT_TRUE(has_parameter(del, name)) << name;
}

TEST(OpenApiDocument, VerbsLimitOperations) {
  ResourceInfo events = builtin("", "Event", "events", true, "io.k8s.api.core.v1.Event");
  events.verbs = {"get", "list"};
  std::vector<ResourceInfo> resources = {events};
  Value doc = openapi_v3_document("v1", resources, definitions());
  const Value& paths = doc.at("paths");
  EXPECT_EQ(keys(paths.at("/api/v1/namespaces/{namespace}/events")), (std::set<std::string>{"get", "parameters"}));
  EXPECT_EQ(keys(paths.at("/api/v1/namespaces/{namespace}/events/{name}")), (std::set<std::string>{"get", "parameters"}));
  // Without watch, the list takes no watch parameter.
  EXPECT_FALSE(has_parameter(paths.at("/api/v1/namespaces/{namespace}/events").at("get"), "watch"));
  EXPECT_TRUE(refs_resolve(doc));
}

TEST(OpenApiDocument, ResourcesOfOtherGroupVersionsAreIgnored) {
  std::vector<ResourceInfo> resources = core_resources();
  for (const ResourceInfo& r : apps_resources()) resources.push_back(r);
  Value doc = openapi_v3_document("apps/v1", resources, definitions());
  for (const auto& [path, item] : doc.at("paths").as_object()) EXPECT_TRUE(path.starts_with("/apis/apps/v1/")) << path;
  EXPECT_FALSE(doc.at("components").at("schemas").as_object().contains("io.k8s.api.core.v1.Pod"));
}

TEST(OpenApiDocument, EveryRefResolvesInsideComponents) {
  EXPECT_TRUE(refs_resolve(core_document()));
  EXPECT_TRUE(refs_resolve(apps_document()));
  EXPECT_TRUE(refs_resolve(moose_document()));
}

TEST(OpenApiDocument, SchemasAreTheClosureOfTheKinds) {
  const json::Object& schemas = core_document().at("components").at("schemas").as_object();
  for (const char* name : {"io.k8s.api.core.v1.Pod", "io.k8s.api.core.v1.PodList", "io.k8s.api.core.v1.PodSpec",
                           "io.k8s.api.core.v1.Container", "io.k8s.api.core.v1.ConfigMap", "io.k8s.api.core.v1.Node",
                           "io.k8s.api.core.v1.NodeList", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
                           "io.k8s.apimachinery.pkg.apis.meta.v1.Time", "io.k8s.apimachinery.pkg.api.resource.Quantity",
                           "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
                           "io.k8s.apimachinery.pkg.apis.meta.v1.Patch", "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
                           "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"})
    EXPECT_TRUE(schemas.contains(name)) << name;
  // Only what is reachable: nothing of other groups, no unrelated core kinds.
  EXPECT_FALSE(schemas.contains("io.k8s.api.apps.v1.Deployment"));
  EXPECT_FALSE(schemas.contains("io.k8s.api.core.v1.Service"));
  EXPECT_LT(schemas.size(), definitions().size() / 2);

  // Kinds carry their group-version-kind (kubectl explain finds them by it).
  EXPECT_EQ(schemas.at("io.k8s.api.core.v1.Pod").at("x-kubernetes-group-version-kind"),
            J(R"([{"group": "", "kind": "Pod", "version": "v1"}])"));
  EXPECT_EQ(schemas.at("io.k8s.api.core.v1.PodList").at("x-kubernetes-group-version-kind"),
            J(R"([{"group": "", "kind": "PodList", "version": "v1"}])"));

  // A $ref with a description becomes allOf (OpenAPI v3 ignores $ref siblings); a bare one stays.
  const Value& pod = schemas.at("io.k8s.api.core.v1.Pod");
  EXPECT_EQ(pod.at("properties").at("metadata").at("allOf"),
            J(R"([{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}])"));
  EXPECT_TRUE(pod.at("properties").at("metadata").at("description").is_string());
  EXPECT_FALSE(pod.at("properties").at("metadata").as_object().contains("$ref"));
  EXPECT_EQ(schemas.at("io.k8s.api.core.v1.PodList").at("properties").at("items").at("items"),
            J(R"({"$ref": "#/components/schemas/io.k8s.api.core.v1.Pod"})"));

  // Descriptions, formats and every x-kubernetes-* extension survive.
  const Value& containers = schemas.at("io.k8s.api.core.v1.PodSpec").at("properties").at("containers");
  EXPECT_EQ(containers.at("x-kubernetes-patch-merge-key"), Value("name"));
  EXPECT_EQ(containers.at("x-kubernetes-patch-strategy"), Value("merge"));
  EXPECT_EQ(containers.at("x-kubernetes-list-type"), Value("map"));
  EXPECT_EQ(containers.at("x-kubernetes-list-map-keys"), J(R"(["name"])"));
  EXPECT_TRUE(containers.at("description").is_string());
  // Swagger's type + format stay as they are (int-or-string).
  EXPECT_EQ(schemas.at("io.k8s.apimachinery.pkg.util.intstr.IntOrString"),
            definitions().at("io.k8s.apimachinery.pkg.util.intstr.IntOrString"));
  EXPECT_EQ(schemas.at("io.k8s.api.core.v1.PodSpec").at("properties").at("activeDeadlineSeconds").at("format"),
            Value("int64"));
}

TEST(OpenApiDocument, AppsDeploymentsWithScale) {
  const Value& doc = apps_document();
  const Value& paths = doc.at("paths");
  EXPECT_EQ(keys(paths), (std::set<std::string>{"/apis/apps/v1/deployments", "/apis/apps/v1/namespaces/{namespace}/deployments",
                                                "/apis/apps/v1/namespaces/{namespace}/deployments/{name}",
                                                "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale",
                                                "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status"}));
  const Value& patch = paths.at("/apis/apps/v1/namespaces/{namespace}/deployments/{name}").at("patch");
  EXPECT_EQ(patch.at("operationId"), Value("patchAppsV1NamespacedDeployment"));
  EXPECT_EQ(patch.at("tags"), J(R"(["apps_v1"])"));
  EXPECT_TRUE(kubectl_sees_support(doc, J(R"({"group":"apps","kind":"Deployment","version":"v1"})"), "fieldValidation"));

  const Value& scale = paths.at("/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale");
  EXPECT_EQ(scale.at("patch").at("x-kubernetes-group-version-kind"),
            J(R"({"group": "autoscaling", "kind": "Scale", "version": "v1"})"));
  EXPECT_EQ(scale.at("patch").at("operationId"), Value("patchAppsV1NamespacedDeploymentScale"));
  EXPECT_TRUE(has_parameter(scale.at("patch"), "fieldValidation"));
  EXPECT_EQ(scale.at("get").at("responses").at("200").at("content").at("application/json").at("schema"),
            J(R"({"$ref": "#/components/schemas/io.k8s.api.autoscaling.v1.Scale"})"));

  const json::Object& schemas = doc.at("components").at("schemas").as_object();
  EXPECT_EQ(schemas.at("io.k8s.api.apps.v1.Deployment").at("x-kubernetes-group-version-kind"),
            J(R"([{"group": "apps", "kind": "Deployment", "version": "v1"}])"));
  for (const char* name : {"io.k8s.api.apps.v1.DeploymentList", "io.k8s.api.apps.v1.DeploymentSpec",
                           "io.k8s.api.core.v1.PodTemplateSpec", "io.k8s.api.autoscaling.v1.Scale",
                           "io.k8s.api.autoscaling.v1.ScaleSpec"})
    EXPECT_TRUE(schemas.contains(name)) << name;
}

TEST(OpenApiDocument, SchemaKeywordsAreNotConfusedWithFieldNames) {
  // JSONSchemaProps has a *field* named "$ref": it must not be taken for a reference.
  ResourceInfo crds = builtin("apiextensions.k8s.io", "CustomResourceDefinition", "customresourcedefinitions", false,
                              "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition");
  std::vector<ResourceInfo> resources = {crds};
  Value doc = openapi_v3_document("apiextensions.k8s.io/v1", resources, definitions());
  const Value& props = doc.at("components").at("schemas").at(
      "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps");
  EXPECT_EQ(props.at("properties").at("$ref"),
            definitions().at("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps").at("properties").at("$ref"));
  EXPECT_TRUE(doc.at("paths").as_object().contains("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}"));
  EXPECT_EQ(doc.at("paths").at("/apis/apiextensions.k8s.io/v1/customresourcedefinitions").at("get").at("operationId"),
            Value("listApiextensionsV1CustomResourceDefinition"));
  // Refs other than under the field named "$ref" still resolve.
  std::vector<std::string> refs;
  collect_refs(doc, refs);
  const json::Object& schemas = doc.at("components").at("schemas").as_object();
  for (const std::string& ref : refs) EXPECT_TRUE(schemas.contains(ref.substr(kSchemas.size()))) << ref;
}

TEST(OpenApiDocument, MissingDefinitionIsAnError) {
  std::vector<ResourceInfo> resources = {builtin("", "Gizmo", "gizmos", true, "io.k8s.api.core.v1.Gizmo")};
  EXPECT_THROW(openapi_v3_document("v1", resources, definitions()), kube::InvalidArgument);
}

TEST(OpenApiDocument, IsDeterministic) {
  std::vector<ResourceInfo> resources = core_resources();
  std::reverse(resources.begin(), resources.end());
  EXPECT_EQ(json::serialize(openapi_v3_document("v1", resources, definitions())), json::serialize(core_document()));
}

// ---- custom resources ---------------------------------------------------------------------------

TEST(OpenApiCustomResource, MooseSchemaWithObjectMeta) {
  const Value& doc = moose_document();
  const json::Object& schemas = doc.at("components").at("schemas").as_object();
  ASSERT_TRUE(schemas.contains("com.animals.v1.Moose"));
  const Value& moose_schema = schemas.at("com.animals.v1.Moose");
  EXPECT_EQ(moose_schema.at("type"), Value("object"));
  EXPECT_EQ(moose_schema.at("x-kubernetes-group-version-kind"),
            J(R"([{"group": "animals.com", "kind": "Moose", "version": "v1"}])"));
  const Value& props = moose_schema.at("properties");
  EXPECT_EQ(props.at("spec"), moose().schema.at("properties").at("spec"));
  EXPECT_EQ(props.at("status"), moose().schema.at("properties").at("status"));
  EXPECT_EQ(props.at("apiVersion").at("type"), Value("string"));
  EXPECT_EQ(props.at("kind").at("type"), Value("string"));
  EXPECT_EQ(props.at("metadata").at("allOf"),
            J(R"([{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}])"));

  const Value& list = schemas.at("com.animals.v1.MooseList");
  EXPECT_EQ(list.at("x-kubernetes-group-version-kind"), J(R"([{"group": "animals.com", "kind": "MooseList", "version": "v1"}])"));
  EXPECT_EQ(list.at("properties").at("items").at("items"), J(R"({"$ref": "#/components/schemas/com.animals.v1.Moose"})"));

  // The meta definitions ObjectMeta needs, copied from the spec.
  for (const char* name : {"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta",
                           "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry",
                           "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference", "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
                           "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1"})
    EXPECT_TRUE(schemas.contains(name)) << name;
  EXPECT_FALSE(schemas.contains("io.k8s.api.core.v1.Pod"));
  EXPECT_TRUE(refs_resolve(doc));
}

TEST(OpenApiCustomResource, MoosePaths) {
  const Value& doc = moose_document();
  const Value& paths = doc.at("paths");
  EXPECT_EQ(keys(paths), (std::set<std::string>{"/apis/animals.com/v1/mooses", "/apis/animals.com/v1/namespaces/{namespace}/mooses",
                                                "/apis/animals.com/v1/namespaces/{namespace}/mooses/{name}",
                                                "/apis/animals.com/v1/namespaces/{namespace}/mooses/{name}/status"}));
  const Value& patch = paths.at("/apis/animals.com/v1/namespaces/{namespace}/mooses/{name}").at("patch");
  EXPECT_EQ(patch.at("operationId"), Value("patchAnimalsComV1NamespacedMoose"));
  EXPECT_TRUE(kubectl_sees_support(doc, J(R"({"group":"animals.com","kind":"Moose","version":"v1"})"), "fieldValidation"));
  // Custom resources take no strategic merge patch.
  EXPECT_FALSE(patch.at("requestBody").at("content").as_object().contains("application/strategic-merge-patch+json"));
  EXPECT_TRUE(patch.at("requestBody").at("content").as_object().contains("application/merge-patch+json"));
  EXPECT_EQ(paths.at("/apis/animals.com/v1/namespaces/{namespace}/mooses/{name}").at("get").at("responses").at("200").at(
                "content").at("application/json").at("schema"),
            J(R"({"$ref": "#/components/schemas/com.animals.v1.Moose"})"));
}

TEST(OpenApiCustomResource, WithoutSchemaAndWithScale) {
  ResourceInfo r = moose();
  r.schema = nullptr;
  r.has_scale = true;
  r.namespaced = false;
  std::vector<ResourceInfo> resources = {r};
  Value doc = openapi_v3_document("animals.com/v1", resources, definitions());
  const Value& schema = doc.at("components").at("schemas").at("com.animals.v1.Moose");
  EXPECT_EQ(schema.at("x-kubernetes-preserve-unknown-fields"), Value(true));
  EXPECT_TRUE(schema.at("properties").as_object().contains("metadata"));
  EXPECT_TRUE(doc.at("paths").as_object().contains("/apis/animals.com/v1/mooses/{name}/scale"));
  EXPECT_FALSE(doc.at("paths").as_object().contains("/apis/animals.com/v1/namespaces/{namespace}/mooses"));
  EXPECT_TRUE(refs_resolve(doc));
}

// ---- kubectl against a stand-in server ------------------------------------------------------------

// A minimal HTTP/1.1 server on 127.0.0.1 answering one request per connection from `handler`, so
// kubectl can fetch discovery and these documents (the real API server does not exist yet).
class FakeApiServer {
 public:
  struct Response {
    int status = 200;
    std::string body;
  };
  using Handler = std::function<Response(const std::string& method, const std::string& target, const std::string& body)>;

  explicit FakeApiServer(Handler handler) : handler_(std::move(handler)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 64) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeApiServer() {
    ::shutdown(fd_, SHUT_RDWR);  // wakes accept()
    thread_.join();
    ::close(fd_);
  }
  FakeApiServer(const FakeApiServer&) = delete;
  FakeApiServer& operator=(const FakeApiServer&) = delete;

  int port() const { return port_; }
  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    for (;;) {
      int conn = ::accept(fd_, nullptr, nullptr);
      if (conn < 0) return;
      timeval timeout{5, 0};
      ::setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      handle(conn);
      ::close(conn);
    }
  }

  void handle(int conn) {
    std::string data;
    char buf[65536];
    std::size_t header_end;
    while ((header_end = data.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(conn, buf, sizeof buf, 0);
      if (n <= 0) return;
      data.append(buf, static_cast<std::size_t>(n));
    }
    std::string head = data.substr(0, header_end);
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    std::size_t length = 0;
    if (std::size_t at = lower.find("\r\ncontent-length:"); at != std::string::npos)
      length = std::stoul(head.substr(at + 17));
    std::string body = data.substr(header_end + 4);
    while (body.size() < length) {
      ssize_t n = ::recv(conn, buf, sizeof buf, 0);
      if (n <= 0) return;
      body.append(buf, static_cast<std::size_t>(n));
    }
    std::istringstream line(head.substr(0, head.find("\r\n")));
    std::string method, target;
    line >> method >> target;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(method + " " + target);
    }
    Response response = handler_(method, target, body);
    std::string out = "HTTP/1.1 " + std::to_string(response.status) + " X\r\nContent-Type: application/json\r\n" +
                      "Content-Length: " + std::to_string(response.body.size()) + "\r\nConnection: close\r\n\r\n" +
                      response.body;
    for (std::size_t sent = 0; sent < out.size();) {
      ssize_t n = ::send(conn, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> requests_;
};

// Legacy discovery for a group-version's resources.
Value resource_list(std::string_view group_version, const std::vector<ResourceInfo>& resources) {
  json::Array list;
  for (const ResourceInfo& r : resources) {
    json::Array verbs;
    for (const std::string& v : r.verbs) verbs.emplace_back(v);
    list.push_back(json::Object{{"name", r.plural}, {"singularName", r.singular}, {"namespaced", r.namespaced},
                                {"kind", r.kind}, {"verbs", verbs}});
  }
  return json::Object{{"kind", "APIResourceList"}, {"apiVersion", "v1"}, {"groupVersion", group_version},
                      {"resources", list}};
}

class KubectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kubectl_ = kube::testing::find_program("kubectl");
    if (kubectl_.empty()) GTEST_SKIP() << "kubectl not installed";
    dir_ = std::filesystem::temp_directory_path() / ("kube-openapi-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    server_ = std::make_unique<FakeApiServer>([this](const std::string& method, const std::string& target,
                                                     const std::string& body) { return answer(method, target, body); });
    std::ofstream(dir_ / "kubeconfig") << "apiVersion: v1\nkind: Config\n"
                                       << "clusters:\n- name: fake\n  cluster:\n    server: http://127.0.0.1:"
                                       << server_->port() << "\n"
                                       << "contexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake\n"
                                       << "    namespace: default\n"
                                       << "users:\n- name: fake\n  user: {}\ncurrent-context: fake\n";
  }
  void TearDown() override {
    server_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  kube::testing::RunResult kubectl(std::vector<std::string> args) {
    std::vector<std::string> argv = {kubectl_, "--kubeconfig", (dir_ / "kubeconfig").string(), "--cache-dir",
                                     (dir_ / "cache").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return kube::testing::run(argv);
  }

  FakeApiServer::Response answer(const std::string& method, const std::string& target, const std::string& body) {
    std::string path = target.substr(0, target.find('?'));
    static const std::vector<ResourceInfo> core = core_resources(), apps = apps_resources(), crd = {moose()};
    if (method == "GET") {
      if (path == "/api")
        return {200, R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[]})"};
      if (path == "/apis")
        return {200, R"({"kind":"APIGroupList","apiVersion":"v1","groups":[
          {"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],
           "preferredVersion":{"groupVersion":"apps/v1","version":"v1"}},
          {"name":"animals.com","versions":[{"groupVersion":"animals.com/v1","version":"v1"}],
           "preferredVersion":{"groupVersion":"animals.com/v1","version":"v1"}}]})"};
      if (path == "/api/v1") return {200, json::serialize(resource_list("v1", core))};
      if (path == "/apis/apps/v1") return {200, json::serialize(resource_list("apps/v1", apps))};
      if (path == "/apis/animals.com/v1") return {200, json::serialize(resource_list("animals.com/v1", crd))};
      if (path == "/openapi/v3") {
        std::vector<std::pair<std::string, std::string>> gvs = {{"v1", "C0"}, {"apps/v1", "A0"}, {"animals.com/v1", "M0"}};
        return {200, json::serialize(openapi_v3_index(gvs))};
      }
      if (path == "/openapi/v3/api/v1") return {200, json::serialize(core_document())};
      if (path == "/openapi/v3/apis/apps/v1") return {200, json::serialize(apps_document())};
      if (path == "/openapi/v3/apis/animals.com/v1") return {200, json::serialize(moose_document())};
    }
    if (method == "POST" && path == "/api/v1/namespaces/default/configmaps") return {201, body};
    return {404, R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404})"};
  }

  std::string kubectl_;
  std::filesystem::path dir_;
  std::unique_ptr<FakeApiServer> server_;
};

TEST_F(KubectlTest, ExplainReadsTheDocuments) {
  auto pods = kubectl({"explain", "pods"});
  ASSERT_EQ(pods.exit_code, 0) << pods.err;
  EXPECT_NE(pods.out.find("KIND:       Pod"), std::string::npos) << pods.out;
  EXPECT_NE(pods.out.find("VERSION:    v1"), std::string::npos) << pods.out;
  EXPECT_NE(pods.out.find("spec\t<PodSpec>"), std::string::npos) << pods.out;
  EXPECT_NE(pods.out.find("metadata\t<ObjectMeta>"), std::string::npos) << pods.out;

  auto containers = kubectl({"explain", "pods.spec.containers.name"});
  ASSERT_EQ(containers.exit_code, 0) << containers.err;
  EXPECT_NE(containers.out.find("FIELD: name <string>"), std::string::npos) << containers.out;

  auto replicas = kubectl({"explain", "deployments.spec.replicas"});
  ASSERT_EQ(replicas.exit_code, 0) << replicas.err;
  EXPECT_NE(replicas.out.find("GROUP:      apps"), std::string::npos) << replicas.out;
  EXPECT_NE(replicas.out.find("FIELD: replicas <integer>"), std::string::npos) << replicas.out;

  auto moose = kubectl({"explain", "mooses.spec"});
  ASSERT_EQ(moose.exit_code, 0) << moose.err;
  EXPECT_NE(moose.out.find("KIND:       Moose"), std::string::npos) << moose.out;
  EXPECT_NE(moose.out.find("antlers\t<boolean>"), std::string::npos) << moose.out;
  auto moose_meta = kubectl({"explain", "mooses.metadata.name"});
  ASSERT_EQ(moose_meta.exit_code, 0) << moose_meta.err;
  EXPECT_NE(moose_meta.out.find("FIELD: name <string>"), std::string::npos) << moose_meta.out;
}

TEST_F(KubectlTest, CreateSendsStrictFieldValidation) {
  std::ofstream(dir_ / "cm.json") << R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"a":"1"}})";
  auto created = kubectl({"create", "-f", (dir_ / "cm.json").string()});
  EXPECT_EQ(created.exit_code, 0) << created.err;
  EXPECT_NE(created.out.find("configmap/cfg created"), std::string::npos) << created.out << created.err;
  std::vector<std::string> requests = server_->requests();
  bool strict = false, v2 = false;
  for (const std::string& r : requests) {
    if (r.starts_with("POST /api/v1/namespaces/default/configmaps?") && r.find("fieldValidation=Strict") != std::string::npos)
      strict = true;
    if (r.starts_with("GET /openapi/v2")) v2 = true;
  }
  EXPECT_TRUE(strict) << ::testing::PrintToString(requests);
  EXPECT_FALSE(v2) << "kubectl fell back to client-side validation: " << ::testing::PrintToString(requests);
}

}  // namespace
