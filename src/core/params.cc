#include "kube/core/params.h"

#include "kube/core/error.h"
#include "kube/core/selector.h"

namespace kube {

namespace {

[[noreturn]] void invalid(const std::string& what) { throw InvalidArgument(what); }

void validate_selectors(std::string_view labels, std::string_view fields) {
  if (!labels.empty()) LabelSelector::parse(labels);
  if (!fields.empty()) FieldSelector::parse(fields);
}

void validate_field_manager(const std::string& manager, std::string_view params) {
  if (manager.size() > 128) {
    invalid(std::string(params) + ".field_manager must be at most 128 characters (got " +
            std::to_string(manager.size()) + ")");
  }
}

}  // namespace

void ListParams::validate() const {
  validate_selectors(label_selector, field_selector);
  if (version_match && resource_version.value_or("").empty()) {
    invalid("ListParams: version_match requires a resource_version");
  }
  if (version_match == VersionMatch::Exact && resource_version == "0") {
    invalid("ListParams: version_match Exact requires a non-zero resource_version");
  }
  if (!continue_token.empty() && (resource_version || version_match)) {
    invalid("ListParams: resource_version and version_match are not allowed with continue_token "
            "(the token already fixes the snapshot)");
  }
}

void WatchParams::validate() const {
  validate_selectors(label_selector, field_selector);
  if (send_initial_events && !bookmarks) invalid("WatchParams: send_initial_events requires bookmarks");
}

void PostParams::validate() const { validate_field_manager(field_manager, "PostParams"); }

void PatchParams::validate(PatchType type) const {
  validate_field_manager(field_manager, "PatchParams");
  if (force && type != PatchType::Apply) invalid("PatchParams: force is only valid for server-side apply patches");
  if (type == PatchType::Apply && field_manager.empty()) {
    invalid("PatchParams: server-side apply requires a field_manager");
  }
}

bool DeleteParams::is_default() const {
  return !dry_run && !grace_period_seconds && !propagation_policy && !preconditions;
}

void DeleteParams::validate() const {
  if (grace_period_seconds && *grace_period_seconds < 0) invalid("DeleteParams: grace_period_seconds must be >= 0");
}

std::string DeleteParams::to_json() const {
  std::string out;
  json::Writer w(out);
  w.begin_object();
  if (dry_run) {
    w.key("dryRun");
    w.begin_array();
    w.write("All");
    w.end_array();
  }
  if (grace_period_seconds) w.member("gracePeriodSeconds", *grace_period_seconds);
  if (propagation_policy) w.member("propagationPolicy", to_string(*propagation_policy));
  if (preconditions) {
    w.key("preconditions");
    w.begin_object();
    if (preconditions->resource_version) w.member("resourceVersion", *preconditions->resource_version);
    if (preconditions->uid) w.member("uid", *preconditions->uid);
    w.end_object();
  }
  w.end_object();
  return out;
}

void LogParams::validate() const {
  if (since_seconds && since_time) invalid("LogParams: at most one of since_seconds and since_time may be set");
  if (since_seconds && *since_seconds < 1) invalid("LogParams: since_seconds must be at least 1");
  if (tail_lines && *tail_lines < 0) invalid("LogParams: tail_lines must be >= 0");
  if (limit_bytes && *limit_bytes < 1) invalid("LogParams: limit_bytes must be at least 1");
}

void AttachParams::validate() const {
  if (!stdin && !stdout && !stderr) invalid("AttachParams: one of stdin, stdout or stderr must be true");
  if (tty && stderr) invalid("AttachParams: tty and stderr cannot both be true");
}

Patch::Patch(PatchType type, std::string body) : type_(type), body_(std::move(body)) {
  char first = body_.empty() ? '\0' : body_.front();
  if (type_ == PatchType::Json && first != '[') invalid("a JSON Patch body must be an array of operations");
  if (type_ != PatchType::Json && first != '{') invalid("apply, merge and strategic patch bodies must be objects");
}

Patch Patch::from_json(PatchType type, std::string_view body) {
  json::Raw raw;
  try {
    raw = json::Raw::parse(body);
  } catch (const json::DecodeError& e) {
    invalid(std::string("patch body is not valid JSON: ") + e.what());
  }
  return Patch(type, raw.text());
}

std::string_view Patch::content_type() const noexcept {
  switch (type_) {
    case PatchType::Apply:
      return "application/apply-patch+yaml";
    case PatchType::Json:
      return "application/json-patch+json";
    case PatchType::Merge:
      return "application/merge-patch+json";
    case PatchType::Strategic:
      return "application/strategic-merge-patch+json";
  }
  return "application/json";
}

std::string_view to_string(VersionMatch v) noexcept { return v == VersionMatch::Exact ? "Exact" : "NotOlderThan"; }

std::string_view to_string(FieldValidation v) noexcept {
  switch (v) {
    case FieldValidation::Strict:
      return "Strict";
    case FieldValidation::Warn:
      return "Warn";
    case FieldValidation::Ignore:
      return "Ignore";
  }
  return "Strict";
}

std::string_view to_string(PropagationPolicy v) noexcept {
  switch (v) {
    case PropagationPolicy::Orphan:
      return "Orphan";
    case PropagationPolicy::Background:
      return "Background";
    case PropagationPolicy::Foreground:
      return "Foreground";
  }
  return "Background";
}

}  // namespace kube
