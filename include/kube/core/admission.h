// Admission reviews (admission.k8s.io/v1): what the API server POSTs to an admission webhook and
// what the webhook answers. Not in the OpenAPI spec, so written by hand; no I/O (the HTTPS server
// is kube::fsm::WebhookServer, kube/fsm/webhook_server.h).
//
// A webhook receives an AdmissionReview with a `request` (the object, the old object on UPDATE and
// DELETE, who asks, which operation) and answers an AdmissionReview with a `response` carrying the
// request's uid: allowed, or denied with a Status, or allowed with a JSON Patch (RFC 6902) that the
// API server applies to the object (`patch` is the patch's JSON bytes, base64 on the wire).
//
// Example:
//   auto review = kube::AdmissionReview::parse(body);             // strict: 400 material on failure
//   const kube::AdmissionRequest& request = *review.request;
//   std::optional<Pod> pod = request.object_as<Pod>();
//   kube::AdmissionResponse response = kube::AdmissionResponse::allow();
//   if (!pod->spec->priority_class_name) {
//     Pod changed = *pod;
//     changed.spec->priority_class_name = "low";
//     response = kube::AdmissionResponse::mutate(request, changed);  // the patch from the diff
//   }
//   std::string answer = kube::json::encode(kube::AdmissionReview::reply(request, std::move(response)));
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kube/api/authentication/v1.h"
#include "kube/core/byte_string.h"
#include "kube/core/dom.h"
#include "kube/core/json.h"
#include "kube/core/resource.h"
#include "kube/core/status.h"

namespace kube {

/// The only AdmissionReview version served and sent by Kubernetes since 1.22.
inline constexpr std::string_view kAdmissionReviewApiVersion = "admission.k8s.io/v1";

/// The request of an AdmissionReview.
struct AdmissionRequest {
  /// Identifies this call; the response must carry the same uid.
  std::string uid;
  /// The kind of `object` (after conversion to the version the webhook asked for).
  GroupVersionKind kind;
  /// The resource being requested ("deployments"), not necessarily the object's kind.
  GroupVersionResource resource;
  std::optional<std::string> sub_resource;  // "status", "scale", ...
  /// What the client actually asked for, when the API server converted it (matchPolicy: Equivalent).
  std::optional<GroupVersionKind> request_kind;
  std::optional<GroupVersionResource> request_resource;
  std::optional<std::string> request_sub_resource;
  /// May be empty on CREATE when the client relies on generateName.
  std::optional<std::string> name;
  std::optional<std::string> namespace_;
  /// CREATE, UPDATE, DELETE or CONNECT.
  std::string operation;
  api::authentication::v1::UserInfo user_info;
  /// The object as it would be stored (null on DELETE and CONNECT).
  json::Raw object;
  /// The existing object (UPDATE and DELETE; null otherwise).
  json::Raw old_object;
  /// The request will not be persisted: the webhook must have no side effects.
  std::optional<bool> dry_run;
  /// CreateOptions, UpdateOptions, DeleteOptions or PatchOptions (with apiVersion and kind).
  json::Raw options;

  /// `object` decoded as a K, or nullopt when it is null. Throws json::DecodeError.
  template <class K>
  std::optional<K> object_as() const {
    return decode_raw<K>(object);
  }
  /// `old_object` decoded as a K, or nullopt when it is null. Throws json::DecodeError.
  template <class K>
  std::optional<K> old_object_as() const {
    return decode_raw<K>(old_object);
  }

  bool operator==(const AdmissionRequest&) const = default;

 private:
  template <class K>
  static std::optional<K> decode_raw(const json::Raw& raw) {
    if (raw.is_null()) return std::nullopt;
    return json::decode<K>(raw.text());
  }
};

/// The response of an AdmissionReview. Build one with allow(), deny() or mutate().
struct AdmissionResponse {
  std::string uid;
  bool allowed = false;
  /// Why it was denied: code (HTTP status the client sees), message, reason.
  std::optional<Status> status;
  /// The JSON Patch's bytes (an RFC 6902 array); ByteString writes them base64-encoded, as
  /// Kubernetes requires (a JSON array in this field is rejected).
  std::optional<ByteString> patch;
  /// "JSONPatch" whenever `patch` is set.
  std::optional<std::string> patch_type;
  std::optional<std::map<std::string, std::string>> audit_annotations;
  /// Shown to the client (kubectl prints them).
  std::optional<std::vector<std::string>> warnings;

  /// Admits the request unchanged.
  static AdmissionResponse allow();
  /// Refuses it: Status {Failure, code, reason for the code (Forbidden, BadRequest, ...), message}.
  static AdmissionResponse deny(std::string message, std::int32_t code = 403);
  /// Admits it with the RFC 6902 patch `operations` (a JSON array; empty: a plain allow()).
  static AdmissionResponse with_patch(const json::Value& operations);
  /// Admits it with the patch that turns `before` into `after` (diff_json_patch of the encoded
  /// objects; no difference: a plain allow()).
  static AdmissionResponse mutate(const json::Value& before, const json::Value& after);
  template <class K>
  static AdmissionResponse mutate(const K& before, const K& after) {
    return mutate_encoded(json::encode(before), json::encode(after));
  }
  /// Admits the request with the changes that turn the request's object (decoded as a K) into
  /// `after`, as a patch of the object exactly as it was received: members a K does not know are
  /// kept, and parents missing from the received object are added before their members. (Arrays
  /// that changed are replaced whole, as in a merge patch.)
  template <class K>
  static AdmissionResponse mutate(const AdmissionRequest& request, const K& after) {
    std::optional<K> before = request.object_as<K>();
    if (!before) throw InvalidArgument("AdmissionResponse::mutate: the request has no object to patch");
    return mutate_received(request.object, json::encode(*before), json::encode(after));
  }

  /// Adds a warning for the client.
  AdmissionResponse& warn(std::string warning);
  /// The JSON Patch (decoded from `patch`), or null when there is none.
  json::Value patch_operations() const;

  bool operator==(const AdmissionResponse&) const = default;

 private:
  static AdmissionResponse mutate_encoded(const std::string& before, const std::string& after);
  static AdmissionResponse mutate_received(const json::Raw& received, const std::string& before,
                                           const std::string& after);
};

/// An AdmissionReview: a request (API server -> webhook) or a response (webhook -> API server).
struct AdmissionReview {
  std::string api_version{kAdmissionReviewApiVersion};
  std::string kind{"AdmissionReview"};
  std::optional<AdmissionRequest> request;
  std::optional<AdmissionResponse> response;

  /// Decodes a review the API server sent, strictly: apiVersion admission.k8s.io/v1, kind
  /// AdmissionReview, a request with a uid. Throws json::DecodeError (not JSON, wrong types) or
  /// InvalidArgument (anything else), whose message says what is wrong.
  static AdmissionReview parse(std::string_view body);
  /// The review answering `request`: `response` with the request's uid.
  static AdmissionReview reply(const AdmissionRequest& request, AdmissionResponse response);

  bool operator==(const AdmissionReview&) const = default;
};

// JSON: the members are named as in admission.k8s.io/v1. GroupVersionKind and GroupVersionResource
// as {"group", "version", "kind" / "resource"} (metav1.GroupVersionKind / GroupVersionResource).
void read_json(json::Reader& in, GroupVersionKind& out);
void write_json(json::Writer& out, const GroupVersionKind& in);
void read_json(json::Reader& in, GroupVersionResource& out);
void write_json(json::Writer& out, const GroupVersionResource& in);
void read_json(json::Reader& in, AdmissionRequest& out);
void write_json(json::Writer& out, const AdmissionRequest& in);
void read_json(json::Reader& in, AdmissionResponse& out);
void write_json(json::Writer& out, const AdmissionResponse& in);
void read_json(json::Reader& in, AdmissionReview& out);
void write_json(json::Writer& out, const AdmissionReview& in);

}  // namespace kube
