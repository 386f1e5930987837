// Private to the Api implementation (api*.cc): the parsed request, errors, and Impl's members.
#pragma once

#include <list>
#include <random>
#include <set>

#include "apiserver/api.h"

namespace kube::apiserver {

/// A failure that becomes a Status response (thrown inside the implementation only).
struct ApiFailure {
  ApiResponse response;
};
[[noreturn]] void fail(int code, std::string_view reason, std::string_view message, json::Value details = nullptr);
[[noreturn]] void fail_invalid(const ResourceInfo& resource, std::string_view name, const json::Array& causes,
                               std::string_view summary = {});
json::Value cause(std::string_view type, std::string_view field, std::string_view message);

/// What the client wants back.
enum class Format { Json, Table, Metadata };
Format negotiate(std::string_view accept);
bool parse_bool(std::string_view text, bool& ok);

/// A request for a resource (collection, object or subresource).
struct Target {
  const ResourceInfo* resource = nullptr;
  std::string ns;           // namespace in the URL
  std::string name;         // object name ("" for the collection)
  std::string subresource;  // "status", "scale", ... or ""
};

class WatchImpl;
class GarbageCollector;
struct Webhook;
struct AdmissionItem;
enum class AdmissionOperation;

/// Thrown at an admission point when webhooks must be called first (caught by Api::Impl::handle).
struct AdmissionNeeded {
  std::shared_ptr<Admission> admission;
};

class Api::Impl {
 public:
  Impl(Registry& registry, Store& store, ApiOptions options);
  ~Impl();

  ApiResult handle(const ApiRequest& request);
  void bootstrap();
  void register_stored_crds();
  /// Ends every watch; with `expire`, each gets a 410 ERROR event first (the client relists).
  void close_watches(bool expire = false);
  void index(StoredObject& object, const json::Value& dom) const;

  Registry& registry;
  Store& store;
  ApiOptions options;
  std::list<std::weak_ptr<WatchImpl>> watches;
  std::uint64_t listener = 0;
  std::mt19937_64 random{std::random_device{}()};
  // /openapi/v3 documents by group-version, rebuilt when the registry changes
  std::map<std::string, std::pair<std::uint64_t, std::string>> openapi_cache;
  std::uint64_t openapi_generation = 0;
  std::set<std::string> terminating_namespaces;
  std::set<std::string> namespaces_to_check;
  bool checking_namespaces = false;
  std::unique_ptr<GarbageCollector> gc;  // garbage_collector.h
  int handling = 0;                      // > 0 while a request is being served
  // Webhooks of the stored Mutating/ValidatingWebhookConfigurations, by configuration name; read
  // again after any write to admissionregistration.k8s.io (`index` notices those).
  std::vector<Webhook> mutating_webhooks, validating_webhooks;
  mutable bool webhooks_stale = true;

  // ---- routing (api.cc) --------------------------------------------------------------------------
  ApiResult route(const ApiRequest& request);
  std::optional<ApiResult> discovery(const ApiRequest& request, const std::vector<std::string>& segments);
  ApiResponse openapi(const ApiRequest& request, std::string_view rest);

  // ---- objects (api_objects.cc) -----------------------------------------------------------------
  ApiResponse get(const ApiRequest& request, const Target& target);
  ApiResponse create(const ApiRequest& request, const Target& target);
  /// Creates `object`; `track`: record the request's field manager as an Update in managedFields.
  ApiResponse create_object(const ApiRequest& request, const Target& target, json::Value object, bool track);
  /// Server-side apply (apply.cc).
  ApiResponse apply(const ApiRequest& request, const Target& target);
  ApiResponse update(const ApiRequest& request, const Target& target);
  ApiResponse patch(const ApiRequest& request, const Target& target);
  ApiResponse remove(const ApiRequest& request, const Target& target);
  ApiResponse remove_collection(const ApiRequest& request, const Target& target);
  ApiResponse scale(const ApiRequest& request, const Target& target);
  ApiResponse binding(const ApiRequest& request, const Target& target);
  /// Validates, prunes and completes `object` for a write; returns the Warning headers to send.
  /// `from_client`: false for objects changed by webhooks (no fieldValidation: unknown fields are pruned).
  std::vector<std::string> prepare(const ApiRequest& request, const ResourceInfo& resource, json::Value& object,
                                   bool from_client = true);
  /// Stores `object` as the new state of an existing object (update/patch path). `track`: record
  /// the request's field manager as an Update in managedFields (apply does its own).
  ApiResponse store_update(const ApiRequest& request, const Target& target, const ObjectPtr& current,
                           json::Value& object, bool status_only, bool track = true, bool admit = true);
  /// Deletes `current` honouring finalizers; returns the response body object and revision.
  std::pair<std::string, std::uint64_t> delete_object(const ResourceInfo& resource, const ObjectPtr& current,
                                                      bool dry_run);
  std::string key_of(const ResourceInfo& resource, std::string_view ns, std::string_view name) const;
  ObjectPtr existing(const Target& target) const;
  void check_namespace(const ResourceInfo& resource, std::string_view ns, bool creating) const;

  // ---- admission webhooks (api_admission.cc) ----------------------------------------------------
  /// True when some webhook could apply to writes of `resource` (the common path stops here).
  bool webhooks_apply(const ResourceInfo& resource);
  /// True when the rules of some webhook match `operation` on `target` (selectors not checked yet).
  bool webhooks_for(const Target& target, AdmissionOperation operation);
  /// The admission point of a single-object write, just before storing: returns at once when no
  /// webhook matches; replaces `object` (null for DELETE) with the result of an earlier admission
  /// round of this request (mutated and validated again, or finally admitted); or throws
  /// AdmissionNeeded so the HTTP layer calls the webhooks and serves the request again. `old` and
  /// `revision`: the existing object (null and 0 for CREATE); `options`: DeleteOptions for DELETE.
  void admit(const ApiRequest& request, const Target& target, AdmissionOperation operation, json::Value& object,
             const json::Value* old, std::uint64_t revision, bool dry_run, const json::Object* options = nullptr);
  /// The same for one of several objects of a request (`point` names it): returns the webhooks
  /// to call instead of throwing.
  std::optional<AdmissionItem> admission_step(const ApiRequest& request, const Target& target,
                                              AdmissionOperation operation, json::Value& object, const json::Value* old,
                                              std::uint64_t revision, bool dry_run, const json::Object* options,
                                              const std::string& point);
  /// A mutated object made valid again (api_objects.cc): server-owned fields back from `before`,
  /// generation, then the usual pruning, defaulting and validation.
  json::Value revalidate(const ApiRequest& request, const Target& target, const json::Value& before,
                         json::Value mutated, const json::Value* old);

  // ---- lists and watches (api_list.cc) -----------------------------------------------------------
  ApiResponse list(const ApiRequest& request, const Target& target);
  ApiResult watch(const ApiRequest& request, const Target& target);
  void dispatch(const StoreEvent& event);
  /// The object as the client asked for it (version, metadata only).
  std::string render(const ObjectPtr& object, const ResourceInfo& resource, Format format) const;
  std::string render_table(const ResourceInfo& resource, const std::vector<ObjectPtr>& objects, bool definitions,
                           std::string_view rv, std::string_view continue_token) const;

  // ---- namespaces (api_namespaces.cc) ------------------------------------------------------------
  void start_namespace_deletion(const std::string& ns);
  void continue_namespace_deletion(const std::string& ns);

  std::string random_suffix(std::size_t n);
  std::string new_uid();
};

/// Field lookups for field selectors on a stored object's DOM ("spec.nodeName" -> value).
std::optional<std::string> field_value(const json::Value& object, std::string_view path);

/// Built-in kinds: removes fields the schema does not define (returning their paths) and reports
/// values of the wrong type (returning messages), for `definition` in `definitions`.
struct SchemaCheck {
  std::vector<std::string> unknown;
  std::vector<std::string> type_errors;
};
SchemaCheck check_builtin_schema(json::Value& object, const json::Object& definitions, std::string_view definition);

}  // namespace kube::apiserver
