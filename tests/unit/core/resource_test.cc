// Resource identity, URL paths, the built-in resource table and metadata helpers.
#include "kube/core/resource.h"

#include <gtest/gtest.h>

#include "kube/api/apiextensions/v1.h"
#include "kube/api/apps/v1.h"
#include "kube/api/core/v1.h"
#include "kube/api/rbac/v1.h"
#include "kube/core/builtin_resources.h"
#include "kube/core/error.h"

namespace kube {
namespace {

using api::apps::v1::Deployment;
using api::core::v1::Namespace;
using api::core::v1::Node;
using api::core::v1::Pod;

static_assert(Resource<Pod>);
static_assert(NamespaceScoped<Pod>);
static_assert(ClusterScoped<Node>);
static_assert(ClusterScoped<Namespace>);
static_assert(!NamespaceScoped<Node>);
static_assert(Resource<api::apiextensions::v1::CustomResourceDefinition>);
static_assert(!Resource<api::core::v1::PodSpec>);  // not a kind
static_assert(!Resource<api::meta::v1::Status>);   // a kind without a REST endpoint

TEST(Resource, StaticTraitsComeFromTheSpec) {
  EXPECT_EQ(Deployment::group, "apps");
  EXPECT_EQ(Deployment::version, "v1");
  EXPECT_EQ(Deployment::api_version, "apps/v1");
  EXPECT_EQ(Deployment::kind, "Deployment");
  EXPECT_EQ(Deployment::plural, "deployments");
  EXPECT_EQ(Pod::api_version, "v1");
  EXPECT_EQ(api::rbac::v1::ClusterRoleBinding::plural, "clusterrolebindings");
  EXPECT_EQ(api::rbac::v1::ClusterRoleBinding::scope, Scope::Cluster);
  EXPECT_EQ(api::core::v1::Endpoints::plural, "endpoints");
}

TEST(Resource, CollectionPaths) {
  EXPECT_EQ(ApiResource::of<Pod>().collection_path("default"), "/api/v1/namespaces/default/pods");
  EXPECT_EQ(ApiResource::of<Pod>().collection_path(), "/api/v1/pods");
  EXPECT_EQ(ApiResource::of<Deployment>().collection_path("prod"), "/apis/apps/v1/namespaces/prod/deployments");
  // Cluster-scoped kinds ignore a namespace.
  EXPECT_EQ(ApiResource::of<Node>().collection_path("ignored"), "/api/v1/nodes");
  EXPECT_EQ(collection_path("example.com", "v1alpha1", "widgets", "ns"), "/apis/example.com/v1alpha1/namespaces/ns/widgets");
  EXPECT_THROW(collection_path("", "v1", "pods", "a/b"), InvalidArgument);
  EXPECT_THROW(collection_path("", "v1", "pods", ".."), InvalidArgument);
}

TEST(Resource, GroupVersionKindParsing) {
  EXPECT_EQ(GroupVersion::parse("apps/v1"), (GroupVersion{"apps", "v1"}));
  EXPECT_EQ(GroupVersion::parse("v1"), (GroupVersion{"", "v1"}));
  EXPECT_EQ((GroupVersion{"", "v1"}.api_version()), "v1");
  auto gvk = GroupVersionKind::from_api_version("example.com/v2", "Widget");
  EXPECT_EQ(gvk, (GroupVersionKind{"example.com", "v2", "Widget"}));
  EXPECT_EQ(gvk.api_version(), "example.com/v2");
  auto ar = ApiResource::from_gvk(gvk, "widgets", Scope::Cluster);
  EXPECT_EQ(ar.api_version, "example.com/v2");
  EXPECT_EQ(ar.collection_path("x"), "/apis/example.com/v2/widgets");
}

TEST(BuiltinResources, CoverEveryKindWithARestEndpoint) {
  auto all = builtin_resources();
  EXPECT_GT(all.size(), 80u);
  auto pods = ApiResource::builtin({"", "v1", "Pod"});
  ASSERT_TRUE(pods);
  EXPECT_EQ(pods->plural, "pods");
  EXPECT_EQ(pods->scope, Scope::Namespaced);
  EXPECT_FALSE(ApiResource::builtin({"", "v1", "NoSuchKind"}));
  bool saw_pod_status = false, saw_deploy_scale = false, saw_log = false;
  for (const auto& r : all) {
    EXPECT_FALSE(r.plural.empty());
    EXPECT_FALSE(r.kind.empty());
    EXPECT_FALSE(r.verbs.empty()) << r.plural;
    for (const auto& s : r.subresources) {
      if (r.plural == "pods" && s.name == "status") saw_pod_status = s.kind == "Pod" && s.verbs == "get,patch,update";
      if (r.plural == "pods" && s.name == "log") saw_log = true;
      if (r.plural == "deployments" && s.name == "scale") saw_deploy_scale = s.kind == "Scale" && s.group == "autoscaling";
    }
    if (r.plural == "pods") {
      EXPECT_EQ(r.verbs, "create,delete,deletecollection,get,list,patch,update,watch");
    }
  }
  EXPECT_TRUE(saw_pod_status);
  EXPECT_TRUE(saw_deploy_scale);
  EXPECT_TRUE(saw_log);
}

TEST(Resource, GuessPlural) {
  EXPECT_EQ(guess_plural("Pod"), "pods");
  EXPECT_EQ(guess_plural("Ingress"), "ingresses");
  EXPECT_EQ(guess_plural("NetworkPolicy"), "networkpolicies");
  EXPECT_EQ(guess_plural("Gateway"), "gateways");
  EXPECT_EQ(guess_plural("Box"), "boxes");
  EXPECT_EQ(guess_plural("Endpoints"), "endpoints");
  EXPECT_EQ(guess_plural("Moose"), "mooses");
}

TEST(Metadata, AccessorsAreSafeOnEmptyObjects) {
  Pod pod;
  EXPECT_EQ(name_of(pod), "");
  EXPECT_EQ(namespace_of(pod), "");
  EXPECT_TRUE(labels_of(pod.metadata).empty());
  EXPECT_TRUE(finalizers_of(pod.metadata).empty());
  EXPECT_FALSE(is_being_deleted(pod.metadata));
  EXPECT_EQ(controller_of(pod.metadata), nullptr);
  pod.metadata.name = "p";
  pod.metadata.namespace_ = "ns";
  pod.metadata.finalizers = {"a/b"};
  pod.metadata.deletion_timestamp = Time::now();
  EXPECT_EQ(name_of(pod), "p");
  EXPECT_EQ(namespace_of(pod), "ns");
  EXPECT_TRUE(has_finalizer(pod.metadata, "a/b"));
  EXPECT_FALSE(has_finalizer(pod.metadata, "a"));
  EXPECT_TRUE(is_being_deleted(pod.metadata));
}

TEST(Metadata, OwnerReferences) {
  Deployment d;
  d.metadata.name = "web";
  d.metadata.uid = "u-1";
  OwnerReference ref = controller_owner_ref(d);
  EXPECT_EQ(ref.api_version, "apps/v1");
  EXPECT_EQ(ref.kind, "Deployment");
  EXPECT_EQ(ref.name, "web");
  EXPECT_EQ(ref.uid, "u-1");
  EXPECT_EQ(ref.controller, true);
  EXPECT_EQ(ref.block_owner_deletion, true);
  EXPECT_FALSE(owner_ref(d).controller);
  Pod child;
  child.metadata.owner_references = {owner_ref(d), ref};
  ASSERT_NE(controller_of(child.metadata), nullptr);
  EXPECT_EQ(controller_of(child.metadata)->uid, "u-1");
  auto dyn = owner_ref(ApiResource::from_gvk({"example.com", "v1", "Widget"}, "widgets"), d.metadata, true);
  EXPECT_EQ(dyn.api_version, "example.com/v1");
  EXPECT_EQ(dyn.kind, "Widget");
}

}  // namespace
}  // namespace kube
