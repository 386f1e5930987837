// Request parameters for every verb, and kube::Patch (the body of a PATCH).
//
// Params are plain structs: build them with designated initializers. Each has validate(), which
// kube::Request calls before building anything (so invalid combinations never reach the wire).
//
// Example:
//   kube::ListParams lp{.label_selector = "app=web", .limit = 500};
//   kube::PatchParams pp = kube::PatchParams::apply("my-controller");
//   kube::Patch patch = kube::Patch::apply(desired_deployment);
//   kube::DeleteParams dp = kube::DeleteParams::foreground();
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kube/core/json.h"
#include "kube/core/time.h"

namespace kube {

/// How a list's resourceVersion is interpreted (see the API concepts documentation).
enum class VersionMatch {
  NotOlderThan,  // data at least as new as resource_version ("0": any cached data)
  Exact,         // the snapshot at exactly resource_version (410 Gone once compacted)
};

enum class PatchType { Apply, Json, Merge, Strategic };

/// How the server treats unknown or duplicate fields in the body.
enum class FieldValidation { Strict, Warn, Ignore };

struct ListParams {
  std::string label_selector;  // empty: no filtering (syntax checked: see LabelSelector)
  std::string field_selector;  // empty: no filtering (syntax checked: see FieldSelector)
  std::optional<std::uint32_t> timeout_seconds;
  std::optional<std::uint32_t> limit;  // page size; continue with continue_token
  std::string continue_token;
  std::optional<std::string> resource_version;
  std::optional<VersionMatch> version_match;

  /// Any version the server has cached ("0" with NotOlderThan): cheapest, possibly stale.
  static ListParams match_any() {
    ListParams lp;
    lp.resource_version = "0";
    lp.version_match = VersionMatch::NotOlderThan;
    return lp;
  }
  /// Throws InvalidArgument for combinations the API server rejects.
  void validate() const;
};

struct WatchParams {
  std::string label_selector;
  std::string field_selector;
  /// The server ends the watch after this long; clients resume from the last resourceVersion.
  std::uint32_t timeout_seconds = 290;
  /// BOOKMARK events keep the resume point fresh; off only for servers that misbehave with them.
  bool bookmarks = true;
  /// Streaming list: ADDED events for the current state, then a BOOKMARK annotated
  /// "k8s.io/initial-events-end" (needs bookmarks).
  bool send_initial_events = false;

  static WatchParams streaming_list() {
    WatchParams wp;
    wp.send_initial_events = true;
    return wp;
  }
  void validate() const;
};

struct GetParams {
  std::optional<std::string> resource_version;  // "0": any cached version

  static GetParams any() {
    GetParams gp;
    gp.resource_version = "0";
    return gp;
  }
};

struct PostParams {
  bool dry_run = false;
  std::string field_manager;  // at most 128 characters
  std::optional<FieldValidation> field_validation;

  void validate() const;
};

struct PatchParams {
  bool dry_run = false;
  /// Server-side apply only: take ownership of fields other managers own.
  bool force = false;
  std::string field_manager;  // required for server-side apply
  std::optional<FieldValidation> field_validation;

  static PatchParams apply(std::string manager) {
    PatchParams pp;
    pp.field_manager = std::move(manager);
    return pp;
  }
  /// Throws InvalidArgument, e.g. for `force` or no field manager with server-side apply.
  void validate(PatchType type) const;
};

enum class PropagationPolicy { Orphan, Background, Foreground };

struct Preconditions {
  std::optional<std::string> resource_version;
  std::optional<std::string> uid;
};

/// Sent as a DeleteOptions body.
struct DeleteParams {
  bool dry_run = false;
  std::optional<std::int64_t> grace_period_seconds;  // 0: delete immediately
  std::optional<PropagationPolicy> propagation_policy;
  std::optional<Preconditions> preconditions;

  static DeleteParams with_policy(PropagationPolicy policy) {
    DeleteParams dp;
    dp.propagation_policy = policy;
    return dp;
  }
  static DeleteParams background() { return with_policy(PropagationPolicy::Background); }
  static DeleteParams foreground() { return with_policy(PropagationPolicy::Foreground); }
  static DeleteParams orphan() { return with_policy(PropagationPolicy::Orphan); }
  bool is_default() const;
  /// The DeleteOptions JSON ("{}" when default).
  std::string to_json() const;
  void validate() const;
};

/// Parameters of GET pods/{name}/log.
struct LogParams {
  std::string container;  // required when the pod has several containers
  bool follow = false;
  std::optional<std::int64_t> limit_bytes;
  bool pretty = false;
  bool previous = false;
  std::optional<std::int64_t> since_seconds;
  std::optional<Time> since_time;  // only one of since_seconds and since_time
  std::optional<std::int64_t> tail_lines;
  bool timestamps = false;

  void validate() const;
};

/// Streams to attach for exec/attach.
struct AttachParams {
  std::string container;
  bool stdin = false;
  bool stdout = true;
  bool stderr = true;
  bool tty = false;

  void validate() const;
};

/// pods/{name}/eviction.
struct EvictParams {
  std::optional<DeleteParams> delete_options;
  PostParams post_options;
};

/// The body of a PATCH and how the server should apply it.
class Patch {
 public:
  /// Server-side apply of the (partial) object `desired` (apiVersion and kind are included for
  /// generated kinds automatically).
  template <class T>
  static Patch apply(const T& desired) {
    return Patch(PatchType::Apply, json::encode(desired));
  }
  /// RFC 7386 merge patch.
  template <class T>
  static Patch merge(const T& patch) {
    return Patch(PatchType::Merge, json::encode(patch));
  }
  /// Strategic merge patch (built-in kinds only).
  template <class T>
  static Patch strategic(const T& patch) {
    return Patch(PatchType::Strategic, json::encode(patch));
  }
  /// RFC 6902 JSON Patch: `operations` must encode to a JSON array.
  template <class T>
  static Patch json_patch(const T& operations) {
    return Patch(PatchType::Json, json::encode(operations));
  }
  /// A body given as JSON text (validated).
  static Patch from_json(PatchType type, std::string_view body);

  PatchType type() const noexcept { return type_; }
  const std::string& body() const noexcept { return body_; }
  /// The Content-Type header for this patch type.
  std::string_view content_type() const noexcept;

 private:
  Patch(PatchType type, std::string body);
  PatchType type_;
  std::string body_;
};

std::string_view to_string(VersionMatch v) noexcept;
std::string_view to_string(FieldValidation v) noexcept;
std::string_view to_string(PropagationPolicy v) noexcept;

}  // namespace kube
