// Tests for kube/core/admission.h: AdmissionReview v1 codecs, strict parsing of what the API
// server sends, and the allow / deny / mutate responses (patch base64-encoded, never a JSON array).
#include "kube/core/admission.h"

#include <gtest/gtest.h>

#include "kube/api/core/v1.h"
#include "kube/core/custom_resource.h"
#include "kube/core/json_patch.h"

namespace zoo {
struct ElkSpec {
  std::int32_t height = 0;
  std::optional<std::string> herd;
  bool operator==(const ElkSpec&) const = default;
};
KUBE_FIELDS(ElkSpec, KUBE_FIELD(height), KUBE_FIELD(herd));
KUBE_CUSTOM_RESOURCE(Elk, ElkSpec, kube::NoStatus, .group = "animals.example.com", .version = "v1");
}  // namespace zoo

namespace kube {
namespace {

using api::core::v1::ConfigMap;
using api::core::v1::Pod;

// What kube-apiserver sends for `kubectl create` of a Pod (from the Kubernetes documentation).
constexpr std::string_view kPodReview = R"({
  "apiVersion": "admission.k8s.io/v1",
  "kind": "AdmissionReview",
  "request": {
    "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
    "kind": {"group": "", "version": "v1", "kind": "Pod"},
    "resource": {"group": "", "version": "v1", "resource": "pods"},
    "subResource": "status",
    "requestKind": {"group": "", "version": "v1", "kind": "Pod"},
    "requestResource": {"group": "", "version": "v1", "resource": "pods"},
    "requestSubResource": "status",
    "name": "web",
    "namespace": "prod",
    "operation": "UPDATE",
    "userInfo": {"username": "admin", "uid": "014fbff9a07c", "groups": ["system:authenticated", "my-admin-group"],
                 "extra": {"some-key": ["some-value1", "some-value2"]}},
    "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web"}},
               "spec": {"containers": [{"name": "c", "image": "nginx"}]}, "futureField": {"x": 1}},
    "oldObject": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}},
    "options": {"apiVersion": "meta.k8s.io/v1", "kind": "UpdateOptions"},
    "dryRun": true,
    "unknownMember": [1, 2, 3]
  }
})";

std::string review_with(std::string_view request_json) {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":)" + std::string(request_json) + "}";
}

TEST(AdmissionReview, DecodesEveryRequestMember) {
  AdmissionReview review = AdmissionReview::parse(kPodReview);
  ASSERT_TRUE(review.request);
  EXPECT_FALSE(review.response);
  const AdmissionRequest& r = *review.request;
  EXPECT_EQ(r.uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(r.kind, (GroupVersionKind{"", "v1", "Pod"}));
  EXPECT_EQ(r.resource, (GroupVersionResource{"", "v1", "pods"}));
  EXPECT_EQ(r.sub_resource, "status");
  EXPECT_EQ(r.request_kind, (GroupVersionKind{"", "v1", "Pod"}));
  EXPECT_EQ(r.request_resource, (GroupVersionResource{"", "v1", "pods"}));
  EXPECT_EQ(r.request_sub_resource, "status");
  EXPECT_EQ(r.name, "web");
  EXPECT_EQ(r.namespace_, "prod");
  EXPECT_EQ(r.operation, "UPDATE");
  EXPECT_EQ(r.user_info.username, "admin");
  EXPECT_EQ(r.user_info.uid, "014fbff9a07c");
  EXPECT_EQ(r.user_info.groups, (std::vector<std::string>{"system:authenticated", "my-admin-group"}));
  EXPECT_EQ(r.user_info.extra->at("some-key"), (std::vector<std::string>{"some-value1", "some-value2"}));
  EXPECT_EQ(r.dry_run, true);
  EXPECT_EQ(r.options.text(), R"({"apiVersion":"meta.k8s.io/v1","kind":"UpdateOptions"})");
  // The objects stay raw JSON (lossless: members no C++ type knows are kept) ...
  EXPECT_NE(r.object.text().find(R"("futureField":{"x":1})"), std::string::npos) << r.object.text();
  // ... with typed access.
  std::optional<Pod> pod = r.object_as<Pod>();
  ASSERT_TRUE(pod);
  EXPECT_EQ(pod->metadata.labels->at("app"), "web");
  EXPECT_EQ(pod->spec->containers.at(0).image, "nginx");
  std::optional<Pod> old = r.old_object_as<Pod>();
  ASSERT_TRUE(old);
  EXPECT_FALSE(old->metadata.labels);
}

TEST(AdmissionReview, AbsentObjectsAreNullopt) {
  AdmissionReview review = AdmissionReview::parse(review_with(
      R"({"uid":"u","kind":{"group":"","version":"v1","kind":"Pod"},"operation":"DELETE","oldObject":{"metadata":{"name":"p"}}})"));
  EXPECT_FALSE(review.request->object_as<Pod>());
  EXPECT_EQ(review.request->old_object_as<Pod>()->metadata.name, "p");
  EXPECT_FALSE(review.request->name);
  EXPECT_FALSE(review.request->dry_run);
}

TEST(AdmissionReview, RequestRoundTrips) {
  AdmissionReview review = AdmissionReview::parse(kPodReview);
  std::string encoded = json::encode(review);
  EXPECT_EQ(AdmissionReview::parse(encoded), review) << encoded;
  EXPECT_TRUE(encoded.starts_with(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":)"))
      << encoded;
}

TEST(AdmissionReview, ParseIsStrict) {
  auto reason = [](std::string_view body) -> std::string {
    try {
      AdmissionReview::parse(body);
    } catch (const Error& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_NE(reason("not json").find("JSON"), std::string::npos) << reason("not json");
  EXPECT_THROW(AdmissionReview::parse("{\"apiVersion\":"), json::DecodeError);
  EXPECT_THROW(AdmissionReview::parse(R"({"apiVersion":1})"), json::DecodeError);
  EXPECT_EQ(reason(R"({"kind":"AdmissionReview","request":{"uid":"u"}})"),
            R"(unsupported AdmissionReview apiVersion "" (expected admission.k8s.io/v1))");
  EXPECT_EQ(reason(R"({"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u"}})"),
            R"(unsupported AdmissionReview apiVersion "admission.k8s.io/v1beta1" (expected admission.k8s.io/v1))");
  EXPECT_EQ(reason(R"({"apiVersion":"admission.k8s.io/v1","kind":"ConversionReview","request":{"uid":"u"}})"),
            R"(expected kind AdmissionReview, got "ConversionReview")");
  EXPECT_EQ(reason(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})"), "the AdmissionReview has no request");
  EXPECT_EQ(reason(review_with(R"({"operation":"CREATE"})")), "the AdmissionReview's request has no uid");
  EXPECT_THROW(AdmissionReview::parse(review_with(R"({"uid":"u","object":{"bad")")), json::DecodeError);
  EXPECT_EQ(reason(review_with(R"({"uid":"u"})")), "accepted");
}

TEST(AdmissionResponse, AllowEchoesTheUid) {
  AdmissionReview request = AdmissionReview::parse(kPodReview);
  AdmissionReview answer = AdmissionReview::reply(*request.request, AdmissionResponse::allow());
  EXPECT_EQ(json::encode(answer),
            R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":)"
            R"({"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","allowed":true}})");
}

TEST(AdmissionResponse, DenyCarriesAStatus) {
  AdmissionResponse denied = AdmissionResponse::deny("Mooses may only have names starting with 'M'.", 400);
  EXPECT_FALSE(denied.allowed);
  ASSERT_TRUE(denied.status);
  json::Value status = json::to_dom(*denied.status);
  EXPECT_EQ(status.at("code").as_int64(), 400);
  EXPECT_EQ(status.at("status").as_string(), "Failure");
  EXPECT_EQ(status.at("reason").as_string(), "BadRequest");
  EXPECT_EQ(status.at("message").as_string(), "Mooses may only have names starting with 'M'.");
  // The default code is 403 Forbidden.
  AdmissionResponse forbidden = AdmissionResponse::deny("no");
  EXPECT_EQ(forbidden.status->code, 403);
  EXPECT_EQ(forbidden.status->reason, "Forbidden");
  // Decodes back to the same response.
  EXPECT_EQ(json::decode<AdmissionResponse>(json::encode(denied)), denied);
}

TEST(AdmissionResponse, MutateSendsTheJsonPatchBase64Encoded) {
  ConfigMap before;
  before.metadata.name = "cm";
  before.data.emplace()["a"] = "1";
  ConfigMap after = before;
  (*after.data)["a"] = "2";
  after.metadata.labels.emplace()["touched"] = "yes";
  AdmissionResponse response = AdmissionResponse::mutate(before, after);
  EXPECT_TRUE(response.allowed);
  EXPECT_EQ(response.patch_type, "JSONPatch");

  json::Value wire = json::to_dom(response);
  ASSERT_TRUE(wire.at("patch").is_string()) << json::serialize(wire);  // never a JSON array
  std::string bytes = base64_decode(wire.at("patch").as_string());
  json::Value operations = json::parse(bytes);
  ASSERT_TRUE(operations.is_array());
  EXPECT_EQ(json::serialize(operations), json::serialize(response.patch_operations()));

  json::Value patched = json::to_dom(before);
  apply_json_patch(patched, operations);
  EXPECT_TRUE(json::equal(patched, json::to_dom(after))) << json::serialize(patched);
}

TEST(AdmissionResponse, NoDifferenceIsAPlainAllow) {
  ConfigMap cm;
  cm.metadata.name = "cm";
  AdmissionResponse response = AdmissionResponse::mutate(cm, cm);
  EXPECT_EQ(response, AdmissionResponse::allow());
  EXPECT_EQ(json::encode(response), R"({"uid":"","allowed":true})");
  EXPECT_EQ(AdmissionResponse::with_patch(json::parse("[]")), AdmissionResponse::allow());
  EXPECT_THROW(AdmissionResponse::with_patch(json::parse("{}")), InvalidArgument);
}

TEST(AdmissionResponse, MutateAgainstTheReceivedObjectKeepsUnknownMembersAndAddsMissingParents) {
  // The received Elk has no spec (the typed Elk writes a default one) and a member Elk lacks.
  AdmissionReview review = AdmissionReview::parse(review_with(
      R"({"uid":"u","operation":"CREATE","object":{"apiVersion":"animals.example.com/v1","kind":"Elk",)"
      R"("metadata":{"name":"e"},"extra":{"keep":true}}})"));
  const AdmissionRequest& request = *review.request;
  zoo::Elk elk = *request.object_as<zoo::Elk>();
  elk.spec.height = 150;
  elk.metadata.labels.emplace()["tall"] = "true";
  AdmissionResponse response = AdmissionResponse::mutate(request, elk);
  json::Value operations = response.patch_operations();
  ASSERT_TRUE(operations.is_array());

  json::Value object = json::to_dom(request.object);
  apply_json_patch(object, operations);  // applies to exactly what the API server sent
  EXPECT_EQ(object.at("spec").at("height").as_int64(), 150);
  EXPECT_EQ(object.at("metadata").at("labels").at("tall").as_string(), "true");
  EXPECT_TRUE(object.at("extra").at("keep").as_bool()) << json::serialize(object);
  EXPECT_FALSE(object.at("spec").as_object().contains("herd"));

  // A diff of the typed objects alone would replace /spec/height, which the received object lacks.
  json::Value naive = AdmissionResponse::mutate(*request.object_as<zoo::Elk>(), elk).patch_operations();
  json::Value received = json::to_dom(request.object);
  EXPECT_THROW(apply_json_patch(received, naive), PatchError);

  // Unchanged: a plain allow.
  EXPECT_EQ(AdmissionResponse::mutate(request, *request.object_as<zoo::Elk>()), AdmissionResponse::allow());
}

TEST(AdmissionResponse, MutateRemovesWhatTheHandlerCleared) {
  AdmissionReview review = AdmissionReview::parse(review_with(
      R"({"uid":"u","operation":"UPDATE","object":{"metadata":{"name":"e"},"spec":{"height":3,"herd":"north"}}})"));
  zoo::Elk elk = *review.request->object_as<zoo::Elk>();
  elk.spec.herd.reset();
  json::Value operations = AdmissionResponse::mutate(*review.request, elk).patch_operations();
  EXPECT_EQ(json::serialize(operations), R"([{"op":"remove","path":"/spec/herd"}])");
}

TEST(AdmissionResponse, MutateNeedsAnObject) {
  AdmissionReview review = AdmissionReview::parse(review_with(R"({"uid":"u","operation":"DELETE"})"));
  EXPECT_THROW(AdmissionResponse::mutate(*review.request, zoo::Elk{}), InvalidArgument);
}

TEST(AdmissionResponse, WarningsAndAuditAnnotations) {
  AdmissionResponse response = AdmissionResponse::allow();
  response.warn("spec.height is deprecated").warn("second");
  response.audit_annotations.emplace()["checked-by"] = "elk-webhook";
  EXPECT_EQ(json::encode(response),
            R"({"uid":"","allowed":true,"auditAnnotations":{"checked-by":"elk-webhook"},)"
            R"("warnings":["spec.height is deprecated","second"]})");
  EXPECT_EQ(json::decode<AdmissionResponse>(json::encode(response)), response);
}

TEST(AdmissionResponse, APatchSentAsAJsonArrayIsRefused) {
  // The bug of an earlier operator framework: Kubernetes cannot decode this, neither do we.
  EXPECT_THROW(json::decode<AdmissionResponse>(R"({"uid":"u","allowed":true,"patchType":"JSONPatch",)"
                                                R"("patch":[{"op":"add","path":"/a","value":1}]})"),
               json::DecodeError);
  AdmissionResponse decoded = json::decode<AdmissionResponse>(
      R"({"uid":"u","allowed":true,"patchType":"JSONPatch","patch":")" +
      base64_encode(R"([{"op":"add","path":"/a","value":1}])") + R"("})");
  EXPECT_EQ(json::serialize(decoded.patch_operations()), R"([{"op":"add","path":"/a","value":1}])");
}

}  // namespace
}  // namespace kube
