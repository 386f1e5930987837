#include "kube/core/resource.h"

#include "kube/core/builtin_resources.h"
#include "kube/core/error.h"

namespace kube {

GroupVersion GroupVersion::parse(std::string_view api_version) {
  auto slash = api_version.find('/');
  if (slash == std::string_view::npos) return {"", std::string(api_version)};
  return {std::string(api_version.substr(0, slash)), std::string(api_version.substr(slash + 1))};
}

namespace {
std::string join_api_version(std::string_view group, std::string_view version) {
  return group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
}
}  // namespace

std::string GroupVersion::api_version() const { return join_api_version(group, version); }

GroupVersionKind GroupVersionKind::from_api_version(std::string_view api_version, std::string kind) {
  GroupVersion gv = GroupVersion::parse(api_version);
  return {std::move(gv.group), std::move(gv.version), std::move(kind)};
}

std::string GroupVersionKind::api_version() const { return join_api_version(group, version); }
std::string GroupVersionResource::api_version() const { return join_api_version(group, version); }

ApiResource ApiResource::from_gvk(const GroupVersionKind& gvk, std::string plural, Scope scope) {
  return ApiResource{gvk.group, gvk.version, gvk.api_version(), gvk.kind, std::move(plural), scope};
}

std::optional<ApiResource> ApiResource::builtin(const GroupVersionKind& gvk) {
  for (const BuiltinResource& r : builtin_resources()) {
    if (r.group == gvk.group && r.version == gvk.version && r.kind == gvk.kind) {
      return from_gvk(gvk, std::string(r.plural), r.scope);
    }
  }
  return std::nullopt;
}

std::string ApiResource::collection_path(std::string_view ns) const {
  return kube::collection_path(group, version, plural, scope == Scope::Cluster ? std::string_view{} : ns);
}

std::string collection_path(std::string_view group, std::string_view version, std::string_view plural,
                            std::string_view ns) {
  std::string path;
  path.reserve(32 + group.size() + plural.size() + ns.size());
  if (group.empty()) {
    path.append("/api/");
  } else {
    path.append("/apis/").append(group).push_back('/');
  }
  path.append(version).push_back('/');
  if (!ns.empty()) {
    validate_path_segment(ns, "namespace");
    path.append("namespaces/").append(escape_path_segment(ns)).push_back('/');
  }
  path.append(plural);
  return path;
}

void validate_path_segment(std::string_view name, std::string_view what) {
  if (name.empty()) throw InvalidArgument(std::string(what) + " must not be empty");
  if (name == "." || name == "..") throw InvalidArgument(std::string(what) + " may not be '" + std::string(name) + "'");
  if (name.find_first_of("/%") != std::string_view::npos) {
    throw InvalidArgument(std::string(what) + " \"" + std::string(name) + "\" may not contain '/' or '%'");
  }
}

std::string escape_path_segment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size());
  for (unsigned char c : segment) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                std::string_view("-._~!$&'()*+,;=:@").find(static_cast<char>(c)) != std::string_view::npos;
    if (keep) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string guess_plural(std::string_view kind) {
  std::string out(kind.size() + 2, '\0');
  out.resize(detail::guess_plural_into(kind, out.data()));
  return out;
}

namespace {
template <class T>
const T& empty_value() {
  static const T value;
  return value;
}
std::string_view optional_view(const std::optional<std::string>& s) { return s ? std::string_view(*s) : std::string_view{}; }
}  // namespace

std::string_view name_of(const ObjectMeta& meta) noexcept { return optional_view(meta.name); }
std::string_view namespace_of(const ObjectMeta& meta) noexcept { return optional_view(meta.namespace_); }
std::string_view uid_of(const ObjectMeta& meta) noexcept { return optional_view(meta.uid); }
std::string_view resource_version_of(const ObjectMeta& meta) noexcept { return optional_view(meta.resource_version); }

const std::map<std::string, std::string>& labels_of(const ObjectMeta& meta) noexcept {
  return meta.labels ? *meta.labels : empty_value<std::map<std::string, std::string>>();
}
const std::map<std::string, std::string>& annotations_of(const ObjectMeta& meta) noexcept {
  return meta.annotations ? *meta.annotations : empty_value<std::map<std::string, std::string>>();
}
const std::vector<std::string>& finalizers_of(const ObjectMeta& meta) noexcept {
  return meta.finalizers ? *meta.finalizers : empty_value<std::vector<std::string>>();
}
const std::vector<OwnerReference>& owner_references_of(const ObjectMeta& meta) noexcept {
  return meta.owner_references ? *meta.owner_references : empty_value<std::vector<OwnerReference>>();
}

bool has_finalizer(const ObjectMeta& meta, std::string_view finalizer) noexcept {
  for (const auto& f : finalizers_of(meta)) {
    if (f == finalizer) return true;
  }
  return false;
}

bool is_being_deleted(const ObjectMeta& meta) noexcept { return meta.deletion_timestamp.has_value(); }

const OwnerReference* controller_of(const ObjectMeta& meta) noexcept {
  for (const auto& ref : owner_references_of(meta)) {
    if (ref.controller.value_or(false)) return &ref;
  }
  return nullptr;
}

OwnerReference owner_ref(const ApiResource& resource, const ObjectMeta& meta, bool controller) {
  OwnerReference ref;
  ref.api_version = resource.api_version;
  ref.kind = resource.kind;
  ref.name = std::string(name_of(meta));
  ref.uid = std::string(uid_of(meta));
  if (controller) {
    ref.controller = true;
    ref.block_owner_deletion = true;
  }
  return ref;
}

}  // namespace kube
