// Unit tests for kube::Request (kube/core/request.h): method, full target, headers and body of every
// verb, name/namespace validation, and Go-style query escaping.
// Designated initializers that leave members defaulted are how params are meant to be built;
// -Wextra's -Wmissing-field-initializers (GCC) would flag every one of them.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "support/expect.h"
#include "kube/core/request.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kube/api/admissionregistration/v1.h"
#include "kube/api/apiextensions/v1.h"
#include "kube/api/apps/v1.h"
#include "kube/api/authorization/v1.h"
#include "kube/api/autoscaling/v1.h"
#include "kube/api/batch/v1.h"
#include "kube/api/certificates/v1.h"
#include "kube/api/core/v1.h"
#include "kube/api/networking/v1.h"
#include "kube/api/rbac/v1.h"
#include "kube/api/storage/v1.h"
#include "kube/core/dom.h"
#include "kube/core/error.h"

namespace {

namespace core = kube::api::core::v1;
namespace apps = kube::api::apps::v1;

using kube::DeleteParams;
using kube::HttpRequest;
using kube::InvalidArgument;
using kube::ListParams;
using kube::Patch;
using kube::PatchParams;
using kube::PatchType;
using kube::PostParams;
using kube::Request;
using kube::WatchParams;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kJson = "application/json";
const std::string kMeta(kube::kAcceptPartialObjectMetadata);
const std::string kMetaList(kube::kAcceptPartialObjectMetadataList);

// Every field of an HttpRequest at once.
void expect_request(const HttpRequest& r, std::string_view method, std::string_view target, const Headers& headers,
                    std::string_view body) {
  EXPECT_EQ(r.method, method);
  EXPECT_EQ(r.target, target);
  EXPECT_EQ(r.headers, headers);
  EXPECT_EQ(r.body, body);
}

// Structural JSON comparison of a body.
void expect_json_body(const HttpRequest& r, std::string_view expected) {
  EXPECT_TRUE(kube::json::equal(kube::json::parse(r.body), kube::json::parse(expected)))
      << "body:     " << r.body << "\nexpected: " << expected;
}

using kube::testing::expect_invalid;

Patch merge_patch() { return Patch::from_json(PatchType::Merge, R"({"metadata":{"labels":{"a":"b"}}})"); }

// ================================================================================================
// Collection paths of real generated kinds
// ================================================================================================

TEST(RequestPaths, CoreGroupNamespaced) {
  EXPECT_EQ(Request::of<core::Secret>("ns").collection_path(), "/api/v1/namespaces/ns/secrets");
  expect_request(Request::of<core::Secret>("ns").create({}, "{}"), "POST", "/api/v1/namespaces/ns/secrets",
                 {{"Content-Type", kJson}}, "{}");
}

TEST(RequestPaths, NamedGroupsNamespaced) {
  EXPECT_EQ(Request::of<apps::ReplicaSet>("ns").create({}, "{}").target, "/apis/apps/v1/namespaces/ns/replicasets");
  EXPECT_EQ(Request::of<kube::api::rbac::v1::Role>("ns").create({}, "{}").target,
            "/apis/rbac.authorization.k8s.io/v1/namespaces/ns/roles");
  EXPECT_EQ(Request::of<kube::api::batch::v1::CronJob>("ns").create({}, "{}").target,
            "/apis/batch/v1/namespaces/ns/cronjobs");
  EXPECT_EQ(Request::of<kube::api::autoscaling::v1::HorizontalPodAutoscaler>("ns").create({}, "{}").target,
            "/apis/autoscaling/v1/namespaces/ns/horizontalpodautoscalers");
  EXPECT_EQ(Request::of<kube::api::networking::v1::NetworkPolicy>("ns").create({}, "{}").target,
            "/apis/networking.k8s.io/v1/namespaces/ns/networkpolicies");
  EXPECT_EQ(Request::of<kube::api::networking::v1::Ingress>("ns").create({}, "{}").target,
            "/apis/networking.k8s.io/v1/namespaces/ns/ingresses");
}

TEST(RequestPaths, ClusterScopedKinds) {
  EXPECT_EQ(Request::of<kube::api::storage::v1::VolumeAttachment>().create({}, "{}").target,
            "/apis/storage.k8s.io/v1/volumeattachments");
  EXPECT_EQ(Request::of<kube::api::admissionregistration::v1::ValidatingWebhookConfiguration>().create({}, "{}").target,
            "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations");
  EXPECT_EQ(Request::of<kube::api::authorization::v1::SelfSubjectRulesReview>().create({}, "{}").target,
            "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews");
  EXPECT_EQ(Request::of<kube::api::apiextensions::v1::CustomResourceDefinition>().create({}, "{}").target,
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
  EXPECT_EQ(Request::of<core::Namespace>().list().target, "/api/v1/namespaces");
}

TEST(RequestPaths, ClusterScopedKindIgnoresNamespace) {
  EXPECT_EQ(Request::of<core::Node>("ns").collection_path(), "/api/v1/nodes");
  EXPECT_EQ(Request::of<core::Node>("ns").get("mynode").target, "/api/v1/nodes/mynode");
}

TEST(RequestPaths, NamespacedKindWithoutNamespaceIsAllNamespaces) {
  EXPECT_EQ(Request::of<core::Pod>().collection_path(), "/api/v1/pods");
  EXPECT_EQ(Request::of<apps::Deployment>("").list().target, "/apis/apps/v1/deployments");
}

TEST(RequestPaths, ConstructorKeepsPathVerbatim) {
  Request r("/apis/example.com/v1alpha1/namespaces/ns/widgets");
  EXPECT_EQ(r.collection_path(), "/apis/example.com/v1alpha1/namespaces/ns/widgets");
  EXPECT_EQ(r.get("w").target, "/apis/example.com/v1alpha1/namespaces/ns/widgets/w");
}

TEST(RequestPaths, FreeCollectionPathFunction) {
  EXPECT_EQ(kube::collection_path("", "v1", "pods", "ns"), "/api/v1/namespaces/ns/pods");
  EXPECT_EQ(kube::collection_path("apps", "v1", "deployments", ""), "/apis/apps/v1/deployments");
  EXPECT_EQ(kube::ApiResource::of<apps::Deployment>().collection_path("prod"), "/apis/apps/v1/namespaces/prod/deployments");
}

TEST(RequestPaths, InvalidNamespacesThrow) {
  for (const char* ns : {".", "..", "a/b", "a%b", "/", "%2F"}) {
    EXPECT_THROW(Request::of<core::Pod>(ns), InvalidArgument) << ns;
    EXPECT_THROW(kube::collection_path("", "v1", "pods", ns), InvalidArgument) << ns;
    EXPECT_THROW(kube::ApiResource::of<core::Pod>().collection_path(ns), InvalidArgument) << ns;
  }
  expect_invalid([] { Request::of<core::Pod>("a/b"); }, "namespace");
}

// Namespaces are percent-encoded into the path like names, so "a?b" cannot turn the rest of the
// path into a query string (rejecting it would be correct too).
TEST(RequestPaths, NamespaceIsPercentEncodedOrRejected) {
  const std::pair<const char*, const char*> cases[] = {{"a?b", "/api/v1/namespaces/a%3Fb/pods"},
                                                       {"a#b c", "/api/v1/namespaces/a%23b%20c/pods"}};
  for (const auto& [ns, encoded] : cases) {
    try {
      EXPECT_EQ(Request::of<core::Pod>(ns).collection_path(), encoded);
    } catch (const InvalidArgument&) {
      // rejecting the namespace is fine too
    }
  }
}

// ================================================================================================
// list / list_metadata
// ================================================================================================

TEST(Request, ListDefault) {
  expect_request(Request::of<apps::Deployment>("ns").list(), "GET", "/apis/apps/v1/namespaces/ns/deployments", {}, "");
}

TEST(Request, ListWithLabelAndFieldSelectors) {
  HttpRequest r = Request::of<core::Pod>("ns").list({.label_selector = "app=web,tier!=db",
                                                      .field_selector = "spec.nodeName=node-1,status.phase!=Failed"});
  expect_request(r, "GET",
                 "/api/v1/namespaces/ns/pods?fieldSelector=spec.nodeName%3Dnode-1%2Cstatus.phase%21%3DFailed"
                 "&labelSelector=app%3Dweb%2Ctier%21%3Ddb",
                 {}, "");
}

TEST(Request, ListWithSetBasedSelectorEscapesSpacesAndParentheses) {
  HttpRequest r = Request::of<core::Pod>("ns").list({.label_selector = "env in (development,sandbox)"});
  EXPECT_EQ(r.target, "/api/v1/namespaces/ns/pods?labelSelector=env+in+%28development%2Csandbox%29");
  r = Request::of<core::Pod>("ns").list({.label_selector = "env notin (a, b),!canary"});
  EXPECT_EQ(r.target, "/api/v1/namespaces/ns/pods?labelSelector=env+notin+%28a%2C+b%29%2C%21canary");
}

TEST(Request, ListWithPrefixedLabelKeyEscapesSlash) {
  EXPECT_EQ(Request::of<core::Node>().list({.label_selector = "kubernetes.io/os=linux"}).target,
            "/api/v1/nodes?labelSelector=kubernetes.io%2Fos%3Dlinux");
}

TEST(Request, ListWithNonAsciiFieldSelectorIsUtf8PercentEncoded) {
  EXPECT_EQ(Request::of<core::Pod>("ns").list({.field_selector = "metadata.name=café"}).target,
            "/api/v1/namespaces/ns/pods?fieldSelector=metadata.name%3Dcaf%C3%A9");
}

TEST(Request, ListWithEscapedFieldSelectorValue) {
  EXPECT_EQ(Request::of<core::Pod>("ns").list({.field_selector = R"(metadata.name=a\,b)"}).target,
            "/api/v1/namespaces/ns/pods?fieldSelector=metadata.name%3Da%5C%2Cb");
}

TEST(Request, ListRejectsInvalidSelectors) {
  auto pods = Request::of<core::Pod>("ns");
  EXPECT_THROW(pods.list({.label_selector = "app in (a"}), InvalidArgument);
  EXPECT_THROW(pods.list({.field_selector = "metadata.name"}), InvalidArgument);
  EXPECT_THROW(pods.list_metadata({.label_selector = "=web"}), InvalidArgument);
}

TEST(Request, ListFromCache) {
  EXPECT_EQ(Request::of<core::Pod>("ns").list(ListParams::match_any()).target,
            "/api/v1/namespaces/ns/pods?resourceVersion=0&resourceVersionMatch=NotOlderThan");
}

TEST(Request, ListPaged) {
  auto pods = Request::of<core::Pod>("ns");
  EXPECT_EQ(pods.list({.limit = 50}).target, "/api/v1/namespaces/ns/pods?limit=50");
  EXPECT_EQ(pods.list({.limit = 50, .continue_token = "1234"}).target, "/api/v1/namespaces/ns/pods?limit=50&continue=1234");
}

TEST(Request, ListPagedAnyKeepsResourceVersion) {
  ListParams lp = ListParams::match_any();
  lp.limit = 50;
  EXPECT_EQ(Request::of<core::Pod>("ns").list(lp).target,
            "/api/v1/namespaces/ns/pods?limit=50&resourceVersion=0&resourceVersionMatch=NotOlderThan");
}

TEST(Request, ListContinueWithResourceVersionIsInvalid) {
  auto pods = Request::of<core::Pod>("ns");
  EXPECT_THROW(pods.list({.limit = 50, .continue_token = "1234", .resource_version = "9999",
                          .version_match = kube::VersionMatch::Exact}),
               InvalidArgument);
  EXPECT_THROW(pods.list({.continue_token = "1234", .resource_version = "0"}), InvalidArgument);
}

TEST(Request, ListExactMatch) {
  EXPECT_EQ(Request::of<core::Pod>("ns").list({.resource_version = "500", .version_match = kube::VersionMatch::Exact}).target,
            "/api/v1/namespaces/ns/pods?resourceVersion=500&resourceVersionMatch=Exact");
}

TEST(Request, ListExactWithZeroIsInvalid) {
  expect_invalid(
      [] { Request::of<core::Pod>("ns").list({.resource_version = "0", .version_match = kube::VersionMatch::Exact}); },
      "Exact");
}

TEST(Request, ListMetadata) {
  HttpRequest r = Request::of<apps::Deployment>("ns").list_metadata(
      {.resource_version = "5", .version_match = kube::VersionMatch::NotOlderThan});
  expect_request(r, "GET", "/apis/apps/v1/namespaces/ns/deployments?resourceVersion=5&resourceVersionMatch=NotOlderThan",
                 {{"Accept", kMetaList}}, "");
}

TEST(Request, ListMetadataDefault) {
  expect_request(Request::of<core::Pod>().list_metadata(), "GET", "/api/v1/pods", {{"Accept", kMetaList}}, "");
}

TEST(Request, MetadataAcceptConstants) {
  EXPECT_EQ(kube::kAcceptPartialObjectMetadata,
            "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json");
  EXPECT_EQ(kube::kAcceptPartialObjectMetadataList,
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json");
}

// ================================================================================================
// get / get_metadata
// ================================================================================================

TEST(Request, GetWithoutResourceVersion) {
  expect_request(Request::of<apps::Deployment>("ns").get("mydeploy"), "GET",
                 "/apis/apps/v1/namespaces/ns/deployments/mydeploy", {}, "");
}

TEST(Request, GetWithResourceVersion) {
  auto deploys = Request::of<apps::Deployment>("ns");
  expect_request(deploys.get("mydeploy", kube::GetParams::any()), "GET",
                 "/apis/apps/v1/namespaces/ns/deployments/mydeploy?resourceVersion=0", {}, "");
  EXPECT_EQ(deploys.get("mydeploy", {.resource_version = "665"}).target,
            "/apis/apps/v1/namespaces/ns/deployments/mydeploy?resourceVersion=665");
}

TEST(Request, GetClusterScopedWithColonInName) {
  EXPECT_EQ(Request::of<kube::api::rbac::v1::ClusterRole>().get("system:controller:job-controller").target,
            "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:controller:job-controller");
}

TEST(Request, GetPercentEncodesReservedCharactersInName) {
  auto pods = Request::of<core::Pod>("ns");
  EXPECT_EQ(pods.get("a b").target, "/api/v1/namespaces/ns/pods/a%20b");
  EXPECT_EQ(pods.get("a?b#c").target, "/api/v1/namespaces/ns/pods/a%3Fb%23c");
  EXPECT_EQ(pods.get("caf\xC3\xA9").target, "/api/v1/namespaces/ns/pods/caf%C3%A9");
  EXPECT_EQ(pods.get("a.b-c_d~e").target, "/api/v1/namespaces/ns/pods/a.b-c_d~e");
}

TEST(Request, GetMetadata) {
  expect_request(Request::of<apps::Deployment>("ns").get_metadata("mydeploy"), "GET",
                 "/apis/apps/v1/namespaces/ns/deployments/mydeploy", {{"Accept", kMeta}}, "");
}

TEST(Request, GetMetadataWithResourceVersion) {
  expect_request(Request::of<apps::Deployment>("ns").get_metadata("mydeploy", {.resource_version = "665"}), "GET",
                 "/apis/apps/v1/namespaces/ns/deployments/mydeploy?resourceVersion=665", {{"Accept", kMeta}}, "");
}

// ================================================================================================
// create / replace
// ================================================================================================

TEST(Request, CreateSendsBodyAsGiven) {
  const std::string body = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}})";
  expect_request(Request::of<core::Pod>("ns").create({}, body), "POST", "/api/v1/namespaces/ns/pods",
                 {{"Content-Type", kJson}}, body);
}

TEST(Request, CreateWithAllPostParams) {
  PostParams pp{.dry_run = true, .field_manager = "kube-cpp", .field_validation = kube::FieldValidation::Warn};
  expect_request(Request::of<kube::api::networking::v1::Ingress>("ns").create(pp, "{}"), "POST",
                 "/apis/networking.k8s.io/v1/namespaces/ns/ingresses?dryRun=All&fieldManager=kube-cpp&fieldValidation=Warn",
                 {{"Content-Type", kJson}}, "{}");
}

TEST(Request, CreateRejectsLongFieldManager) {
  expect_invalid([] { Request::of<core::Pod>("ns").create({.field_manager = std::string(129, 'm')}, "{}"); }, "128");
  EXPECT_EQ(Request::of<core::Pod>("ns").create({.field_manager = std::string(128, 'm')}, "{}").target,
            "/api/v1/namespaces/ns/pods?fieldManager=" + std::string(128, 'm'));
}

TEST(Request, ReplaceClusterScopedWithDryRun) {
  expect_request(Request::of<apps::DaemonSet>().replace("myds", {.dry_run = true}, R"({"a":1})"), "PUT",
                 "/apis/apps/v1/daemonsets/myds?dryRun=All", {{"Content-Type", kJson}}, R"({"a":1})");
}

TEST(Request, ReplaceDefault) {
  expect_request(Request::of<core::Pod>("ns").replace("p", {}, "{}"), "PUT", "/api/v1/namespaces/ns/pods/p",
                 {{"Content-Type", kJson}}, "{}");
}

TEST(Request, ReplaceRejectsLongFieldManager) {
  EXPECT_THROW(Request::of<core::Pod>("ns").replace("p", {.field_manager = std::string(129, 'm')}, "{}"),
               InvalidArgument);
}

// ================================================================================================
// patch / patch_metadata
// ================================================================================================

TEST(Request, PatchMerge) {
  expect_request(Request::of<kube::api::networking::v1::Ingress>("ns").patch("baz", {}, merge_patch()), "PATCH",
                 "/apis/networking.k8s.io/v1/namespaces/ns/ingresses/baz",
                 {{"Accept", kJson}, {"Content-Type", "application/merge-patch+json"}},
                 R"({"metadata":{"labels":{"a":"b"}}})");
}

TEST(Request, PatchApplyWithForce) {
  apps::Deployment d;
  d.metadata.name = "web";
  HttpRequest r = Request::of<apps::Deployment>("ns").patch(
      "web", PatchParams{.force = true, .field_manager = "my-controller"}, Patch::apply(d));
  EXPECT_EQ(r.method, "PATCH");
  EXPECT_EQ(r.target, "/apis/apps/v1/namespaces/ns/deployments/web?force=true&fieldManager=my-controller");
  EXPECT_EQ(r.headers, (Headers{{"Accept", kJson}, {"Content-Type", "application/apply-patch+yaml"}}));
  expect_json_body(r, R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}})");
}

TEST(Request, PatchJsonPatch) {
  HttpRequest r = Request::of<apps::Deployment>("ns").patch(
      "web", {}, Patch::json_patch(kube::json::parse(R"([{"op":"replace","path":"/spec/replicas","value":3}])")));
  expect_request(r, "PATCH", "/apis/apps/v1/namespaces/ns/deployments/web",
                 {{"Accept", kJson}, {"Content-Type", "application/json-patch+json"}},
                 R"([{"op":"replace","path":"/spec/replicas","value":3}])");
}

TEST(Request, PatchStrategicCordon) {
  HttpRequest r = Request::of<core::Node>().patch(
      "mynode", {}, Patch::strategic(kube::json::parse(R"({"spec":{"unschedulable":true}})")));
  expect_request(r, "PATCH", "/api/v1/nodes/mynode",
                 {{"Accept", kJson}, {"Content-Type", "application/strategic-merge-patch+json"}},
                 R"({"spec":{"unschedulable":true}})");
}

TEST(Request, PatchValidatesParams) {
  auto deploys = Request::of<apps::Deployment>("ns");
  expect_invalid([&] { deploys.patch("web", {.force = true}, merge_patch()); }, "force");
  expect_invalid([&] { deploys.patch("web", {}, Patch::from_json(PatchType::Apply, "{}")); }, "field_manager");
  expect_invalid([&] { deploys.patch("web", {.field_manager = std::string(129, 'm')}, merge_patch()); }, "128");
}

TEST(Request, PatchMetadata) {
  expect_request(Request::of<core::Pod>("ns").patch_metadata("mypod", {}, merge_patch()), "PATCH",
                 "/api/v1/namespaces/ns/pods/mypod",
                 {{"Accept", kMeta}, {"Content-Type", "application/merge-patch+json"}},
                 R"({"metadata":{"labels":{"a":"b"}}})");
}

TEST(Request, PatchMetadataApplyWithParams) {
  HttpRequest r = Request::of<core::Pod>("ns").patch_metadata(
      "mypod", {.dry_run = true, .field_manager = "m", .field_validation = kube::FieldValidation::Ignore},
      Patch::from_json(PatchType::Apply, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"mypod"}})"));
  expect_request(r, "PATCH", "/api/v1/namespaces/ns/pods/mypod?dryRun=All&fieldManager=m&fieldValidation=Ignore",
                 {{"Accept", kMeta}, {"Content-Type", "application/apply-patch+yaml"}},
                 R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"mypod"}})");
  EXPECT_THROW(Request::of<core::Pod>("ns").patch_metadata("mypod", {.force = true, .field_manager = "m"}, merge_patch()),
               InvalidArgument);
}

// ================================================================================================
// remove / remove_collection
// ================================================================================================

TEST(Request, DeleteSendsEmptyDeleteOptionsByDefault) {
  expect_request(Request::of<apps::ReplicaSet>("ns").remove("myrs"), "DELETE",
                 "/apis/apps/v1/namespaces/ns/replicasets/myrs", {{"Content-Type", kJson}}, "{}");
}

TEST(Request, DeleteWithOptions) {
  DeleteParams dp{.dry_run = true,
                  .grace_period_seconds = 0,
                  .propagation_policy = kube::PropagationPolicy::Foreground,
                  .preconditions = kube::Preconditions{.resource_version = "7", .uid = "u1"}};
  expect_request(Request::of<apps::ReplicaSet>("ns").remove("myrs", dp), "DELETE",
                 "/apis/apps/v1/namespaces/ns/replicasets/myrs", {{"Content-Type", kJson}},
                 R"({"dryRun":["All"],"gracePeriodSeconds":0,"propagationPolicy":"Foreground",)"
                 R"("preconditions":{"resourceVersion":"7","uid":"u1"}})");
}

TEST(Request, DeleteRejectsNegativeGracePeriod) {
  EXPECT_THROW(Request::of<core::Pod>("ns").remove("p", {.grace_period_seconds = -1}), InvalidArgument);
}

TEST(Request, DeleteCollectionDefaultParamsHasNoBody) {
  expect_request(Request::of<apps::ReplicaSet>("ns").remove_collection({}, {.label_selector = "app=myapp"}), "DELETE",
                 "/apis/apps/v1/namespaces/ns/replicasets?labelSelector=app%3Dmyapp", {}, "");
}

TEST(Request, DeleteCollectionWithOptionsSendsBody) {
  expect_request(Request::of<apps::ReplicaSet>("ns").remove_collection(DeleteParams::background(), {}), "DELETE",
                 "/apis/apps/v1/namespaces/ns/replicasets", {{"Content-Type", kJson}},
                 R"({"propagationPolicy":"Background"})");
}

TEST(Request, DeleteCollectionSendsAllListParams) {
  ListParams lp{.label_selector = "app=web",
                .field_selector = "metadata.name!=keep",
                .timeout_seconds = 60,
                .limit = 100,
                .resource_version = "10"};
  expect_request(Request::of<core::Pod>("ns").remove_collection({.dry_run = true}, lp), "DELETE",
                 "/api/v1/namespaces/ns/pods?fieldSelector=metadata.name%21%3Dkeep&labelSelector=app%3Dweb&limit=100"
                 "&resourceVersion=10&timeoutSeconds=60",
                 {{"Content-Type", kJson}}, R"({"dryRun":["All"]})");
}

TEST(Request, DeleteCollectionValidatesParams) {
  auto pods = Request::of<core::Pod>("ns");
  EXPECT_THROW(pods.remove_collection({}, {.label_selector = "app in ("}), InvalidArgument);
  EXPECT_THROW(pods.remove_collection({}, {.version_match = kube::VersionMatch::Exact}), InvalidArgument);
  EXPECT_THROW(pods.remove_collection({.grace_period_seconds = -5}, {}), InvalidArgument);
}

// ================================================================================================
// watch / watch_metadata
// ================================================================================================

TEST(Request, WatchDefault) {
  expect_request(Request::of<core::Pod>("ns").watch({}, "0"), "GET",
                 "/api/v1/namespaces/ns/pods?watch=true&timeoutSeconds=290&allowWatchBookmarks=true&resourceVersion=0",
                 {}, "");
}

TEST(Request, WatchOmitsEmptyResourceVersion) {
  EXPECT_EQ(Request::of<core::Pod>("ns").watch({}, "").target,
            "/api/v1/namespaces/ns/pods?watch=true&timeoutSeconds=290&allowWatchBookmarks=true");
}

TEST(Request, WatchStreamingList) {
  EXPECT_EQ(Request::of<core::Pod>("ns").watch(WatchParams::streaming_list(), "0").target,
            "/api/v1/namespaces/ns/pods?watch=true&timeoutSeconds=290&allowWatchBookmarks=true&sendInitialEvents=true"
            "&resourceVersionMatch=NotOlderThan&resourceVersion=0");
}

TEST(Request, WatchAllParams) {
  WatchParams wp{.label_selector = "app=web", .field_selector = "metadata.name=pod\\=1", .timeout_seconds = 60,
                 .bookmarks = false};
  expect_request(Request::of<core::Pod>("ns").watch(wp, "12345"), "GET",
                 "/api/v1/namespaces/ns/pods?watch=true&timeoutSeconds=60&fieldSelector=metadata.name%3Dpod%5C%3D1"
                 "&labelSelector=app%3Dweb&resourceVersion=12345",
                 {}, "");
}

TEST(Request, WatchStreamingWithoutBookmarksIsInvalid) {
  expect_invalid([] { Request::of<core::Pod>("ns").watch({.bookmarks = false, .send_initial_events = true}, "0"); },
                 "bookmarks");
}

TEST(Request, WatchMetadataUsesObjectAcceptHeader) {
  expect_request(Request::of<core::Pod>("ns").watch_metadata({}, "0"), "GET",
                 "/api/v1/namespaces/ns/pods?watch=true&timeoutSeconds=290&allowWatchBookmarks=true&resourceVersion=0",
                 {{"Accept", kMeta}}, "");
}

TEST(Request, WatchMetadataValidates) {
  EXPECT_THROW(Request::of<core::Pod>("ns").watch_metadata({.label_selector = "a in ("}, "0"), InvalidArgument);
}

// ================================================================================================
// generic subresources
// ================================================================================================

TEST(Request, GetSubresource) {
  expect_request(Request::of<core::Node>().get_subresource("scale", "mynode"), "GET", "/api/v1/nodes/mynode/scale", {}, "");
  EXPECT_EQ(Request::of<core::Pod>("ns").get_subresource("resize", "mypod").target,
            "/api/v1/namespaces/ns/pods/mypod/resize");
  EXPECT_EQ(Request::of<apps::Deployment>("ns").get_subresource("status", "d", kube::GetParams::any()).target,
            "/apis/apps/v1/namespaces/ns/deployments/d/status?resourceVersion=0");
}

TEST(Request, GetCsrApproval) {
  EXPECT_EQ(Request::of<kube::api::certificates::v1::CertificateSigningRequest>().get_subresource("approval", "csr-1").target,
            "/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-1/approval");
}

TEST(Request, CreateSubresourceServiceAccountToken) {
  const std::string body = R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{}})";
  expect_request(Request::of<core::ServiceAccount>("ns").create_subresource("token", "sa", {}, body), "POST",
                 "/api/v1/namespaces/ns/serviceaccounts/sa/token", {{"Content-Type", kJson}}, body);
  EXPECT_EQ(Request::of<core::ServiceAccount>("ns").create_subresource("token", "sa", {.dry_run = true}, body).target,
            "/api/v1/namespaces/ns/serviceaccounts/sa/token?dryRun=All");
}

TEST(Request, ReplaceSubresourceStatus) {
  expect_request(Request::of<core::Node>().replace_subresource("status", "mynode", {}, "{}"), "PUT",
                 "/api/v1/nodes/mynode/status", {{"Content-Type", kJson}}, "{}");
  EXPECT_EQ(Request::of<kube::api::apiextensions::v1::CustomResourceDefinition>()
                .replace_subresource("status", "mycrd.domain.io", {.field_manager = "m"}, "{}")
                .target,
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/mycrd.domain.io/status?fieldManager=m");
  EXPECT_EQ(Request::of<core::Node>().replace_subresource("scale", "mynode", {}, "{}").target, "/api/v1/nodes/mynode/scale");
}

TEST(Request, PatchSubresource) {
  expect_request(Request::of<core::Node>().patch_subresource("status", "mynode", {}, merge_patch()), "PATCH",
                 "/api/v1/nodes/mynode/status", {{"Accept", kJson}, {"Content-Type", "application/merge-patch+json"}},
                 R"({"metadata":{"labels":{"a":"b"}}})");
  EXPECT_EQ(Request::of<apps::Deployment>("ns")
                .patch_subresource("scale", "web", {.field_manager = "hpa", .field_validation = kube::FieldValidation::Strict},
                                   Patch::from_json(PatchType::Apply, R"({"spec":{"replicas":2}})"))
                .target,
            "/apis/apps/v1/namespaces/ns/deployments/web/scale?fieldManager=hpa&fieldValidation=Strict");
}

TEST(Request, SubresourceFieldManagerLimit) {
  auto pods = Request::of<core::Pod>("ns");
  const std::string long_fm(129, 'f');
  EXPECT_THROW(pods.create_subresource("binding", "p", {.field_manager = long_fm}, "{}"), InvalidArgument);
  EXPECT_THROW(pods.replace_subresource("status", "p", {.field_manager = long_fm}, "{}"), InvalidArgument);
  EXPECT_THROW(pods.patch_subresource("status", "p", {.field_manager = long_fm}, merge_patch()), InvalidArgument);
  EXPECT_THROW(pods.patch_subresource("status", "p", {.force = true}, merge_patch()), InvalidArgument);
}

TEST(Request, InvalidSubresourceNamesThrow) {
  auto pods = Request::of<core::Pod>("ns");
  for (const char* s : {"", ".", "..", "a/b", "a%b"}) {
    EXPECT_THROW(pods.get_subresource(s, "p"), InvalidArgument) << s;
    EXPECT_THROW(pods.create_subresource(s, "p", {}, "{}"), InvalidArgument) << s;
    EXPECT_THROW(pods.replace_subresource(s, "p", {}, "{}"), InvalidArgument) << s;
    EXPECT_THROW(pods.patch_subresource(s, "p", {}, merge_patch()), InvalidArgument) << s;
  }
  expect_invalid([&] { pods.get_subresource("", "p"); }, "subresource");
}

// ================================================================================================
// logs / evict / attach / exec / portforward
// ================================================================================================

TEST(Request, LogsWithContainer) {
  expect_request(Request::of<core::Pod>("ns").logs("foo", {.container = "blah"}), "GET",
                 "/api/v1/namespaces/ns/pods/foo/log?container=blah", {}, "");
}

TEST(Request, EvictDefault) {
  HttpRequest r = Request::of<core::Pod>("ns").evict("foo");
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/api/v1/namespaces/ns/pods/foo/eviction");
  EXPECT_EQ(r.headers, (Headers{{"Content-Type", kJson}}));
  EXPECT_EQ(r.body, R"({"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"foo"}})");
}

TEST(Request, EvictWithDeleteOptions) {
  kube::EvictParams ep{.delete_options = DeleteParams{.grace_period_seconds = 30,
                                                      .preconditions = kube::Preconditions{.uid = "abc"}},
                       .post_options = {.dry_run = true}};
  HttpRequest r = Request::of<core::Pod>("ns").evict("foo", ep);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/api/v1/namespaces/ns/pods/foo/eviction?dryRun=All");
  EXPECT_EQ(r.headers, (Headers{{"Content-Type", kJson}}));
  EXPECT_EQ(r.body,
            R"({"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"foo"},)"
            R"("deleteOptions":{"gracePeriodSeconds":30,"preconditions":{"uid":"abc"}}})");
}

TEST(Request, EvictWithDefaultDeleteOptionsSendsEmptyObject) {
  HttpRequest r = Request::of<core::Pod>("ns").evict("foo", {.delete_options = DeleteParams{}});
  EXPECT_EQ(r.body, R"({"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"foo"},"deleteOptions":{}})");
}

TEST(Request, AttachDefault) {
  expect_request(Request::of<core::Pod>("ns").attach("foo", {.container = "blah"}), "GET",
                 "/api/v1/namespaces/ns/pods/foo/attach?stdout=true&stderr=true&container=blah", {}, "");
}

TEST(Request, AttachInteractiveTty) {
  EXPECT_EQ(Request::of<core::Pod>("ns").attach("foo", {.stdin = true, .stdout = true, .stderr = false, .tty = true}).target,
            "/api/v1/namespaces/ns/pods/foo/attach?stdin=true&stdout=true&tty=true");
}

TEST(Request, ExecWithCommand) {
  const std::vector<std::string> cmd{"echo", "foo", "bar"};
  expect_request(Request::of<core::Pod>("ns").exec("foo", cmd, {.container = "blah"}), "GET",
                 "/api/v1/namespaces/ns/pods/foo/exec?stdout=true&stderr=true&container=blah&command=echo&command=foo"
                 "&command=bar",
                 {}, "");
}

TEST(Request, ExecEscapesArguments) {
  const std::vector<std::string> cmd{"sh", "-c", "echo a && ls /tmp; x=1"};
  EXPECT_EQ(Request::of<core::Pod>("ns").exec("foo", cmd, {}).target,
            "/api/v1/namespaces/ns/pods/foo/exec?stdout=true&stderr=true&command=sh&command=-c"
            "&command=echo+a+%26%26+ls+%2Ftmp%3B+x%3D1");
}

TEST(Request, ExecWithEmptyCommandIsInvalid) {
  expect_invalid([] { Request::of<core::Pod>("ns").exec("foo", std::vector<std::string>{}, {}); }, "command");
}

TEST(Request, Portforward) {
  const std::vector<std::uint16_t> ports{80, 1234};
  expect_request(Request::of<core::Pod>("ns").portforward("foo", ports), "GET",
                 "/api/v1/namespaces/ns/pods/foo/portforward?ports=80%2C1234", {}, "");
  const std::vector<std::uint16_t> one{65535};
  EXPECT_EQ(Request::of<core::Pod>("ns").portforward("foo", one).target,
            "/api/v1/namespaces/ns/pods/foo/portforward?ports=65535");
}

TEST(Request, PortforwardPortLimits) {
  auto pods = Request::of<core::Pod>("ns");
  expect_invalid([&] { pods.portforward("foo", std::vector<std::uint16_t>{}); }, "empty");
  expect_invalid([&] { pods.portforward("foo", std::vector<std::uint16_t>{80, 0}); }, "0");
  expect_invalid([&] { pods.portforward("foo", std::vector<std::uint16_t>{80, 443, 80}); }, "80");
  std::vector<std::uint16_t> ports;
  for (std::uint16_t p = 1; p <= 128; ++p) ports.push_back(p);
  std::string expected = "/api/v1/namespaces/ns/pods/foo/portforward?ports=1";
  for (int p = 2; p <= 128; ++p) expected += "%2C" + std::to_string(p);
  EXPECT_EQ(pods.portforward("foo", ports).target, expected);
  ports.push_back(129);
  expect_invalid([&] { pods.portforward("foo", ports); }, "128");
}

// ================================================================================================
// name validation for every verb that takes a name
// ================================================================================================

TEST(Request, InvalidNamesThrowForEveryVerb) {
  auto pods = Request::of<core::Pod>("ns");
  const std::vector<std::string> cmd{"ls"};
  const std::vector<std::uint16_t> ports{80};
  const Patch patch = merge_patch();
  for (const char* name : {"", ".", "..", "a/b", "a%2Fb", "/"}) {
    SCOPED_TRACE(name);
    EXPECT_THROW(pods.get(name), InvalidArgument);
    EXPECT_THROW(pods.get_metadata(name), InvalidArgument);
    EXPECT_THROW(pods.replace(name, {}, "{}"), InvalidArgument);
    EXPECT_THROW(pods.patch(name, {}, patch), InvalidArgument);
    EXPECT_THROW(pods.patch_metadata(name, {}, patch), InvalidArgument);
    EXPECT_THROW(pods.remove(name), InvalidArgument);
    EXPECT_THROW(pods.get_subresource("status", name), InvalidArgument);
    EXPECT_THROW(pods.create_subresource("binding", name, {}, "{}"), InvalidArgument);
    EXPECT_THROW(pods.replace_subresource("status", name, {}, "{}"), InvalidArgument);
    EXPECT_THROW(pods.patch_subresource("status", name, {}, patch), InvalidArgument);
    EXPECT_THROW(pods.logs(name), InvalidArgument);
    EXPECT_THROW(pods.evict(name), InvalidArgument);
    EXPECT_THROW(pods.attach(name, {}), InvalidArgument);
    EXPECT_THROW(pods.exec(name, cmd, {}), InvalidArgument);
    EXPECT_THROW(pods.portforward(name, ports), InvalidArgument);
  }
  expect_invalid([&] { pods.get(""); }, "name");
}

// ================================================================================================
// HttpRequest::header and query_escape
// ================================================================================================

TEST(Request, HeaderLookupIsCaseInsensitive) {
  HttpRequest r = Request::of<core::Pod>("ns").patch_metadata("p", {}, merge_patch());
  EXPECT_EQ(r.header("Accept"), kMeta);
  EXPECT_EQ(r.header("accept"), kMeta);
  EXPECT_EQ(r.header("CONTENT-TYPE"), "application/merge-patch+json");
  EXPECT_EQ(r.header("Authorization"), "");
  EXPECT_EQ(HttpRequest{}.header("Accept"), "");
}

TEST(RequestQueryEscape, UnreservedCharactersAreKept) {
  EXPECT_EQ(kube::query_escape("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(kube::query_escape(""), "");
}

TEST(RequestQueryEscape, SpaceBecomesPlus) {
  EXPECT_EQ(kube::query_escape("a b  c"), "a+b++c");
}

TEST(RequestQueryEscape, ReservedCharactersArePercentEncodedUppercase) {
  EXPECT_EQ(kube::query_escape("=,:/!()+*&?#%'\"<>;@$[]{}|\\^`"),
            "%3D%2C%3A%2F%21%28%29%2B%2A%26%3F%23%25%27%22%3C%3E%3B%40%24%5B%5D%7B%7D%7C%5C%5E%60");
}

TEST(RequestQueryEscape, ControlAndNonAsciiBytes) {
  EXPECT_EQ(kube::query_escape(std::string("\n\t\x7f", 3)), "%0A%09%7F");
  EXPECT_EQ(kube::query_escape(std::string("a\0b", 3)), "a%00b");
  EXPECT_EQ(kube::query_escape("caf\xC3\xA9 \xE2\x9C\x93"), "caf%C3%A9+%E2%9C%93");
  EXPECT_EQ(kube::query_escape("\xF0\x9F\x98\x80"), "%F0%9F%98%80");
}

TEST(RequestQueryEscape, SelectorExamples) {
  EXPECT_EQ(kube::query_escape("app=myapp"), "app%3Dmyapp");
  EXPECT_EQ(kube::query_escape("env in (development,sandbox)"), "env+in+%28development%2Csandbox%29");
  EXPECT_EQ(kube::query_escape("a=b,c!=d"), "a%3Db%2Cc%21%3Dd");
  EXPECT_EQ(kube::query_escape("kubernetes.io/x=y"), "kubernetes.io%2Fx%3Dy");
}

}  // namespace
