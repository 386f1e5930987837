#include "kube/core/admission.h"

#include "kube/core/json_patch.h"

namespace kube {

namespace {

// The reason Kubernetes gives a Status of this code (metav1.StatusReason).
std::string reason_for(std::int32_t code) {
  switch (code) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "RequestEntityTooLarge";
    case 415: return "UnsupportedMediaType";
    case 422: return "Invalid";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return "";
  }
}

}  // namespace

// ---- responses ---------------------------------------------------------------------------------

AdmissionResponse AdmissionResponse::allow() {
  AdmissionResponse response;
  response.allowed = true;
  return response;
}

AdmissionResponse AdmissionResponse::deny(std::string message, std::int32_t code) {
  AdmissionResponse response;
  response.allowed = false;
  response.status = make_status(code, reason_for(code), std::move(message));
  return response;
}

AdmissionResponse AdmissionResponse::with_patch(const json::Value& operations) {
  if (!operations.is_array()) throw InvalidArgument("AdmissionResponse::with_patch: a JSON Patch must be an array");
  AdmissionResponse response = allow();
  if (operations.get_array().empty()) return response;
  response.patch = ByteString{json::serialize(operations)};
  response.patch_type = "JSONPatch";
  return response;
}

AdmissionResponse AdmissionResponse::mutate(const json::Value& before, const json::Value& after) {
  return with_patch(diff_json_patch(before, after));
}

AdmissionResponse AdmissionResponse::mutate_encoded(const std::string& before, const std::string& after) {
  if (before == after) return allow();
  return mutate(json::parse(before), json::parse(after));
}

AdmissionResponse AdmissionResponse::mutate_received(const json::Raw& received, const std::string& before,
                                                     const std::string& after) {
  if (before == after) return allow();
  // The typed change as a merge patch, applied to the object as received: members the type does
  // not know survive, and missing parents are created; then the JSON Patch from received to that.
  json::Value original = json::to_dom(received);
  json::Value changed = original;
  apply_merge_patch(changed, diff_merge_patch(json::parse(before), json::parse(after)));
  return with_patch(diff_json_patch(original, changed));
}

AdmissionResponse& AdmissionResponse::warn(std::string warning) {
  if (!warnings) warnings.emplace();
  warnings->push_back(std::move(warning));
  return *this;
}

json::Value AdmissionResponse::patch_operations() const {
  if (!patch) return nullptr;
  return json::parse(patch->bytes);
}

// ---- reviews -----------------------------------------------------------------------------------

AdmissionReview AdmissionReview::parse(std::string_view body) {
  AdmissionReview review;
  review.api_version.clear();
  review.kind.clear();
  json::decode(body, review);
  if (review.api_version != kAdmissionReviewApiVersion) {
    throw InvalidArgument("unsupported AdmissionReview apiVersion \"" + review.api_version + "\" (expected " +
                          std::string(kAdmissionReviewApiVersion) + ")");
  }
  if (review.kind != "AdmissionReview") throw InvalidArgument("expected kind AdmissionReview, got \"" + review.kind + "\"");
  if (!review.request) throw InvalidArgument("the AdmissionReview has no request");
  if (review.request->uid.empty()) throw InvalidArgument("the AdmissionReview's request has no uid");
  return review;
}

AdmissionReview AdmissionReview::reply(const AdmissionRequest& request, AdmissionResponse response) {
  AdmissionReview review;
  response.uid = request.uid;
  review.response = std::move(response);
  return review;
}

// ---- JSON --------------------------------------------------------------------------------------

void read_json(json::Reader& in, GroupVersionKind& out) {
  in.read_object([&out](std::string_view key, json::Reader& value) {
    if (key == "group") {
      value.read(out.group);
    } else if (key == "version") {
      value.read(out.version);
    } else if (key == "kind") {
      value.read(out.kind);
    }
  });
}

void write_json(json::Writer& out, const GroupVersionKind& in) {
  out.begin_object();
  out.member("group", in.group);
  out.member("version", in.version);
  out.member("kind", in.kind);
  out.end_object();
}

void read_json(json::Reader& in, GroupVersionResource& out) {
  in.read_object([&out](std::string_view key, json::Reader& value) {
    if (key == "group") {
      value.read(out.group);
    } else if (key == "version") {
      value.read(out.version);
    } else if (key == "resource") {
      value.read(out.resource);
    }
  });
}

void write_json(json::Writer& out, const GroupVersionResource& in) {
  out.begin_object();
  out.member("group", in.group);
  out.member("version", in.version);
  out.member("resource", in.resource);
  out.end_object();
}

void read_json(json::Reader& in, AdmissionRequest& out) {
  in.read_object([&out](std::string_view key, json::Reader& value) {
    if (key == "uid") {
      value.read(out.uid);
    } else if (key == "kind") {
      value.read(out.kind);
    } else if (key == "resource") {
      value.read(out.resource);
    } else if (key == "subResource") {
      value.read(out.sub_resource);
    } else if (key == "requestKind") {
      value.read(out.request_kind);
    } else if (key == "requestResource") {
      value.read(out.request_resource);
    } else if (key == "requestSubResource") {
      value.read(out.request_sub_resource);
    } else if (key == "name") {
      value.read(out.name);
    } else if (key == "namespace") {
      value.read(out.namespace_);
    } else if (key == "operation") {
      value.read(out.operation);
    } else if (key == "userInfo") {
      value.read(out.user_info);
    } else if (key == "object") {
      value.read(out.object);
    } else if (key == "oldObject") {
      value.read(out.old_object);
    } else if (key == "dryRun") {
      value.read(out.dry_run);
    } else if (key == "options") {
      value.read(out.options);
    }
  });
}

void write_json(json::Writer& out, const AdmissionRequest& in) {
  out.begin_object();
  out.member("uid", in.uid);
  out.member("kind", in.kind);
  out.member("resource", in.resource);
  if (in.sub_resource) out.member("subResource", *in.sub_resource);
  if (in.request_kind) out.member("requestKind", *in.request_kind);
  if (in.request_resource) out.member("requestResource", *in.request_resource);
  if (in.request_sub_resource) out.member("requestSubResource", *in.request_sub_resource);
  if (in.name) out.member("name", *in.name);
  if (in.namespace_) out.member("namespace", *in.namespace_);
  out.member("operation", in.operation);
  out.member("userInfo", in.user_info);
  if (!in.object.is_null()) out.member("object", in.object);
  if (!in.old_object.is_null()) out.member("oldObject", in.old_object);
  if (in.dry_run) out.member("dryRun", *in.dry_run);
  if (!in.options.is_null()) out.member("options", in.options);
  out.end_object();
}

void read_json(json::Reader& in, AdmissionResponse& out) {
  in.read_object([&out](std::string_view key, json::Reader& value) {
    if (key == "uid") {
      value.read(out.uid);
    } else if (key == "allowed") {
      value.read(out.allowed);
    } else if (key == "status") {
      value.read(out.status);
    } else if (key == "patch") {
      value.read(out.patch);  // base64: a JSON array here fails to decode, as in Kubernetes
    } else if (key == "patchType") {
      value.read(out.patch_type);
    } else if (key == "auditAnnotations") {
      value.read(out.audit_annotations);
    } else if (key == "warnings") {
      value.read(out.warnings);
    }
  });
}

void write_json(json::Writer& out, const AdmissionResponse& in) {
  out.begin_object();
  out.member("uid", in.uid);
  out.member("allowed", in.allowed);
  if (in.status) out.member("status", *in.status);
  if (in.patch) out.member("patch", *in.patch);
  if (in.patch_type) out.member("patchType", *in.patch_type);
  if (in.audit_annotations) out.member("auditAnnotations", *in.audit_annotations);
  if (in.warnings) out.member("warnings", *in.warnings);
  out.end_object();
}

void read_json(json::Reader& in, AdmissionReview& out) {
  in.read_object([&out](std::string_view key, json::Reader& value) {
    if (key == "apiVersion") {
      value.read(out.api_version);
    } else if (key == "kind") {
      value.read(out.kind);
    } else if (key == "request") {
      value.read(out.request);
    } else if (key == "response") {
      value.read(out.response);
    }
  });
}

void write_json(json::Writer& out, const AdmissionReview& in) {
  out.begin_object();
  out.member("apiVersion", in.api_version);
  out.member("kind", in.kind);
  if (in.request) out.member("request", *in.request);
  if (in.response) out.member("response", *in.response);
  out.end_object();
}

}  // namespace kube
