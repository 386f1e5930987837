// Admission webhooks as plain logic (no I/O): MutatingWebhookConfiguration and
// ValidatingWebhookConfiguration objects (admissionregistration.k8s.io/v1) parsed, defaulted and
// validated; which webhooks apply to a request (rules, namespace and object selectors); the
// AdmissionReview sent and the interpretation of the reply (uid, allowed, status, JSON Patch,
// warnings). The calls themselves are made by admission.cc; where a write stops for admission and
// resumes is in api_admission.cc.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "apiserver/api.h"
#include "kube/core/dom.h"
#include "kube/core/selector.h"

namespace kube::apiserver {

enum class AdmissionOperation { Create, Update, Delete, Connect };
std::string_view to_string(AdmissionOperation operation);  // "CREATE", ...

struct WebhookRule {
  std::vector<std::string> operations;  // CREATE, UPDATE, DELETE, CONNECT or *
  std::vector<std::string> groups;      // "" for core, or *
  std::vector<std::string> versions;    // or *
  std::vector<std::string> resources;   // "pods", "pods/status", "*", "*/*", "pods/*"
  std::string scope = "*";              // Cluster, Namespaced or *
};

/// One webhook of a configuration, defaulted as the API server stores it.
struct Webhook {
  std::string configuration;  // metadata.name of its configuration
  std::string name;
  bool mutating = false;
  std::vector<WebhookRule> rules;
  LabelSelector namespace_selector;
  LabelSelector object_selector;
  bool fail_open = false;  // failurePolicy: Ignore (default Fail)
  int timeout_seconds = 10;
  std::string side_effects;  // None, NoneOnDryRun
  // clientConfig: a URL, or a service reference
  std::string url;
  std::string service_namespace;
  std::string service_name;
  std::string service_path;
  int service_port = 443;
  std::string ca_bundle;  // PEM (decoded from base64); empty: the system's trust store
};

/// The webhooks of a stored configuration (kind decides `mutating`); entries that cannot be used
/// are skipped (stored configurations were validated when written).
std::vector<Webhook> parse_webhook_configuration(const json::Value& configuration, bool mutating);

/// Defaults a configuration being written (failurePolicy Fail, matchPolicy Equivalent,
/// timeoutSeconds 10, empty selectors, rule scope *, service port 443, reinvocationPolicy Never)
/// and returns its validation errors as Status causes (empty: valid).
json::Array validate_webhook_configuration(json::Value& configuration, bool mutating);

/// What is being admitted.
struct AdmissionAttributes {
  AdmissionOperation operation = AdmissionOperation::Create;
  std::string group, version, kind, resource, subresource;
  bool namespaced = true;  // the resource's scope
  std::string ns;          // the request's namespace ("" for cluster-scoped resources)
  std::string name;
  json::Value object;      // null for DELETE
  json::Value old_object;  // null for CREATE
  json::Value options;     // CreateOptions, UpdateOptions or DeleteOptions
  bool dry_run = false;
  UserInfo user;
};

bool rule_matches(const WebhookRule& rule, const AdmissionAttributes& attributes);
/// Whether `webhook` applies: one of its rules matches, and so do its namespace selector (against
/// `namespace_labels`, the labels of the request's namespace, or of the Namespace object itself
/// for namespaces) and object selector (against the new or the old object's labels).
bool webhook_matches(const Webhook& webhook, const AdmissionAttributes& attributes, const Labels& namespace_labels);
/// Labels of an object's DOM (strings only).
Labels labels_of(const json::Value& object);

/// The AdmissionReview (admission.k8s.io/v1) POSTed to a webhook.
json::Value admission_review(const AdmissionAttributes& attributes, std::string_view uid);

/// What a webhook's reply means.
struct WebhookOutcome {
  enum Kind {
    Allowed,     // proceed (for a mutating webhook, with `object` patched)
    Rejected,    // the request fails with `status` (a denial, or an error no failure policy covers)
    CallFailed,  // the call failed: failurePolicy decides (`error` says why)
  };
  Kind kind = Allowed;
  json::Value object;    // Allowed, mutating: the object after the webhook's patch
  bool patched = false;  // the webhook returned a non-empty patch
  ApiResponse status;    // Rejected
  std::string error;     // CallFailed
  std::vector<std::string> warnings;
};

/// Interprets the HTTP reply (`http_status`, `body`) of `webhook` to the review with `uid`.
WebhookOutcome interpret_reply(const Webhook& webhook, const AdmissionAttributes& attributes, std::string_view uid,
                               int http_status, std::string_view body);

/// The 500 Status of a failed call with failurePolicy Fail.
ApiResponse webhook_call_failure(std::string_view webhook, std::string_view error);
/// The 400 Status for a dry-run request reaching a webhook with side effects.
ApiResponse dry_run_unsupported(std::string_view webhook);
/// Whether `webhook` may be called for a dry-run request (sideEffects None or NoneOnDryRun).
bool supports_dry_run(const Webhook& webhook);

// ---- pending admission of a request ------------------------------------------------------------

/// Where a webhook call goes once its clientConfig is resolved (Api::Impl resolves service
/// references against the store).
struct WebhookEndpoint {
  std::string host;         // to connect to (an address or a name)
  std::string port;
  std::string target;       // path and query, with ?timeout=Ns
  std::string server_name;  // verified against the certificate (and sent as SNI unless an address)
  std::string url;          // for messages: https://server_name:port/path?timeout=Ns
  std::string error;        // the reference cannot be resolved: the call fails with this
};

struct WebhookInvocation {
  Webhook webhook;
  WebhookEndpoint endpoint;
};

/// One object's admission still to be done: its matching webhooks of one kind, in order.
struct AdmissionItem {
  std::string point;           // which admission point of the request ("" for single-object writes)
  std::uint64_t revision = 0;  // of the existing object the write was computed from (0: none)
  bool mutating = false;       // mutating webhooks (in series) or validating ones (in parallel)
  AdmissionAttributes attributes;
  json::Value before;  // mutating: the object before any webhook (server-owned fields come back from it)
  std::vector<WebhookInvocation> webhooks;
};

/// The admission of one request: what to call now (`items`), and the results of earlier rounds,
/// which the Api uses when the request runs again. Lives as long as the request.
struct Admission {
  std::vector<AdmissionItem> items;

  struct Admitted {
    bool validated = false;      // false: mutated only (validation still to come)
    std::uint64_t revision = 0;  // of the existing object the result was computed from
    json::Value object;          // mutated (or finally admitted) object
    json::Value before;          // the object the mutating webhooks got
  };
  std::map<std::string, Admitted> admitted;  // by admission point
  std::vector<std::string> warnings;         // from webhook replies, for Warning headers
  int restarts = 0;                          // the object changed under an admission (re-admitted)

  /// Records the results of `items` once every call allowed them (a mutating item's
  /// `attributes.object` is then the patched object) and clears them.
  void finish_round();
};

}  // namespace kube::apiserver
