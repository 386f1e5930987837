#include "kube/core/request.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "kube/core/error.h"

namespace kube {

namespace {

constexpr char kHex[] = "0123456789ABCDEF";
constexpr std::string_view kJson = "application/json";

bool is_unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

// Builds "path?k=v&k2=v2" in the order parameters are added.
class Target {
 public:
  explicit Target(std::string path) : s_(std::move(path)) {}
  void add(std::string_view key, std::string_view value) {
    s_.push_back(first_ ? '?' : '&');
    first_ = false;
    s_.append(query_escape(key));
    s_.push_back('=');
    s_.append(query_escape(value));
  }
  void add(std::string_view key, std::int64_t value) { add(key, std::to_string(value)); }
  void add_if(bool condition, std::string_view key, std::string_view value) {
    if (condition) add(key, value);
  }
  std::string take() { return std::move(s_); }

 private:
  std::string s_;
  bool first_ = true;
};

void add_post_params(Target& t, const PostParams& pp) {
  t.add_if(pp.dry_run, "dryRun", "All");
  t.add_if(!pp.field_manager.empty(), "fieldManager", pp.field_manager);
  if (pp.field_validation) t.add("fieldValidation", to_string(*pp.field_validation));
}

void add_patch_params(Target& t, const PatchParams& pp) {
  t.add_if(pp.dry_run, "dryRun", "All");
  t.add_if(pp.force, "force", "true");
  t.add_if(!pp.field_manager.empty(), "fieldManager", pp.field_manager);
  if (pp.field_validation) t.add("fieldValidation", to_string(*pp.field_validation));
}

void add_list_params(Target& t, const ListParams& lp) {
  t.add_if(!lp.field_selector.empty(), "fieldSelector", lp.field_selector);
  t.add_if(!lp.label_selector.empty(), "labelSelector", lp.label_selector);
  if (lp.limit) t.add("limit", static_cast<std::int64_t>(*lp.limit));
  t.add_if(!lp.continue_token.empty(), "continue", lp.continue_token);
  if (lp.resource_version) t.add("resourceVersion", *lp.resource_version);
  if (lp.version_match) t.add("resourceVersionMatch", to_string(*lp.version_match));
  if (lp.timeout_seconds) t.add("timeoutSeconds", static_cast<std::int64_t>(*lp.timeout_seconds));
}

HttpRequest make(std::string method, std::string target) {
  HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  return r;
}

HttpRequest with_body(HttpRequest r, std::string_view content_type, std::string body) {
  r.headers.emplace_back("Content-Type", std::string(content_type));
  r.body = std::move(body);
  return r;
}

HttpRequest patch_request(std::string path, const PatchParams& pp, const Patch& patch, std::string_view accept) {
  pp.validate(patch.type());
  Target t(std::move(path));
  add_patch_params(t, pp);
  HttpRequest r = make("PATCH", t.take());
  r.headers.emplace_back("Accept", std::string(accept));
  return with_body(std::move(r), patch.content_type(), patch.body());
}

// POST or PUT of a body with PostParams.
HttpRequest write_request(std::string method, std::string path, const PostParams& pp, std::string body) {
  pp.validate();
  Target t(std::move(path));
  add_post_params(t, pp);
  return with_body(make(std::move(method), t.take()), kJson, std::move(body));
}

HttpRequest get_request(std::string path, const GetParams& gp) {
  Target t(std::move(path));
  if (gp.resource_version) t.add("resourceVersion", *gp.resource_version);
  return make("GET", t.take());
}

HttpRequest watch_request(const std::string& path, const WatchParams& wp, std::string_view rv) {
  wp.validate();
  Target t(path);
  t.add("watch", "true");
  t.add("timeoutSeconds", static_cast<std::int64_t>(wp.timeout_seconds));
  t.add_if(!wp.field_selector.empty(), "fieldSelector", wp.field_selector);
  t.add_if(!wp.label_selector.empty(), "labelSelector", wp.label_selector);
  t.add_if(wp.bookmarks, "allowWatchBookmarks", "true");
  if (wp.send_initial_events) {
    t.add("sendInitialEvents", "true");
    t.add("resourceVersionMatch", "NotOlderThan");
  }
  t.add_if(!rv.empty(), "resourceVersion", rv);
  return make("GET", t.take());
}

}  // namespace

std::string_view HttpRequest::header(std::string_view name) const {
  auto lower_equal = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
  };
  for (const auto& [k, v] : headers) {
    if (lower_equal(k, name)) return v;
  }
  return {};
}

std::string query_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (is_unreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string Request::object_path(std::string_view name) const {
  validate_path_segment(name, "name");
  return path_ + "/" + escape_path_segment(name);
}

std::string Request::subresource_path(std::string_view subresource, std::string_view name) const {
  validate_path_segment(subresource, "subresource");
  return object_path(name) + "/" + escape_path_segment(subresource);
}

HttpRequest Request::list(const ListParams& lp) const {
  lp.validate();
  Target t(path_);
  add_list_params(t, lp);
  return make("GET", t.take());
}

HttpRequest Request::get(std::string_view name, const GetParams& gp) const { return get_request(object_path(name), gp); }

HttpRequest Request::create(const PostParams& pp, std::string body) const {
  return write_request("POST", path_, pp, std::move(body));
}

HttpRequest Request::replace(std::string_view name, const PostParams& pp, std::string body) const {
  return write_request("PUT", object_path(name), pp, std::move(body));
}

HttpRequest Request::patch(std::string_view name, const PatchParams& pp, const Patch& patch) const {
  return patch_request(object_path(name), pp, patch, kJson);
}

HttpRequest Request::remove(std::string_view name, const DeleteParams& dp) const {
  dp.validate();
  return with_body(make("DELETE", object_path(name)), kJson, dp.to_json());
}

HttpRequest Request::remove_collection(const DeleteParams& dp, const ListParams& lp) const {
  dp.validate();
  lp.validate();
  Target t(path_);
  add_list_params(t, lp);
  HttpRequest r = make("DELETE", t.take());
  if (dp.is_default()) return r;
  return with_body(std::move(r), kJson, dp.to_json());
}

HttpRequest Request::watch(const WatchParams& wp, std::string_view resource_version) const {
  return watch_request(path_, wp, resource_version);
}

HttpRequest Request::get_metadata(std::string_view name, const GetParams& gp) const {
  HttpRequest r = get(name, gp);
  r.headers.emplace_back("Accept", std::string(kAcceptPartialObjectMetadata));
  return r;
}

HttpRequest Request::list_metadata(const ListParams& lp) const {
  HttpRequest r = list(lp);
  r.headers.emplace_back("Accept", std::string(kAcceptPartialObjectMetadataList));
  return r;
}

HttpRequest Request::watch_metadata(const WatchParams& wp, std::string_view resource_version) const {
  HttpRequest r = watch(wp, resource_version);
  r.headers.emplace_back("Accept", std::string(kAcceptPartialObjectMetadata));
  return r;
}

HttpRequest Request::patch_metadata(std::string_view name, const PatchParams& pp, const Patch& patch) const {
  return patch_request(object_path(name), pp, patch, kAcceptPartialObjectMetadata);
}

HttpRequest Request::get_subresource(std::string_view subresource, std::string_view name, const GetParams& gp) const {
  return get_request(subresource_path(subresource, name), gp);
}

HttpRequest Request::create_subresource(std::string_view subresource, std::string_view name, const PostParams& pp,
                                        std::string body) const {
  return write_request("POST", subresource_path(subresource, name), pp, std::move(body));
}

HttpRequest Request::replace_subresource(std::string_view subresource, std::string_view name, const PostParams& pp,
                                         std::string body) const {
  return write_request("PUT", subresource_path(subresource, name), pp, std::move(body));
}

HttpRequest Request::patch_subresource(std::string_view subresource, std::string_view name, const PatchParams& pp,
                                       const Patch& patch) const {
  return patch_request(subresource_path(subresource, name), pp, patch, kJson);
}

HttpRequest Request::logs(std::string_view name, const LogParams& lp) const {
  lp.validate();
  Target t(subresource_path("log", name));
  t.add_if(!lp.container.empty(), "container", lp.container);
  t.add_if(lp.follow, "follow", "true");
  if (lp.limit_bytes) t.add("limitBytes", *lp.limit_bytes);
  t.add_if(lp.pretty, "pretty", "true");
  t.add_if(lp.previous, "previous", "true");
  if (lp.since_seconds) t.add("sinceSeconds", *lp.since_seconds);
  if (lp.since_time) t.add("sinceTime", lp.since_time->to_string());
  if (lp.tail_lines) t.add("tailLines", *lp.tail_lines);
  t.add_if(lp.timestamps, "timestamps", "true");
  return make("GET", t.take());
}

HttpRequest Request::evict(std::string_view name, const EvictParams& params) const {
  params.post_options.validate();
  if (params.delete_options) params.delete_options->validate();
  Target t(subresource_path("eviction", name));
  add_post_params(t, params.post_options);
  std::string body;
  json::Writer w(body);
  w.begin_object();
  w.member("apiVersion", "policy/v1");
  w.member("kind", "Eviction");
  w.key("metadata");
  w.begin_object();
  w.member("name", name);
  w.end_object();
  if (params.delete_options) {
    w.key("deleteOptions");
    w.write_raw(params.delete_options->to_json());
  }
  w.end_object();
  return with_body(make("POST", t.take()), kJson, std::move(body));
}

namespace {
void add_stream_params(Target& t, const AttachParams& ap) {
  ap.validate();
  t.add_if(ap.stdin, "stdin", "true");
  t.add_if(ap.stdout, "stdout", "true");
  t.add_if(ap.stderr, "stderr", "true");
  t.add_if(ap.tty, "tty", "true");
  t.add_if(!ap.container.empty(), "container", ap.container);
}
}  // namespace

HttpRequest Request::attach(std::string_view name, const AttachParams& params) const {
  Target t(subresource_path("attach", name));
  add_stream_params(t, params);
  return make("GET", t.take());
}

HttpRequest Request::exec(std::string_view name, std::span<const std::string> command, const AttachParams& params) const {
  if (command.empty()) throw InvalidArgument("exec: the command must not be empty");
  Target t(subresource_path("exec", name));
  add_stream_params(t, params);
  for (const auto& arg : command) t.add("command", arg);
  return make("GET", t.take());
}

HttpRequest Request::portforward(std::string_view name, std::span<const std::uint16_t> ports) const {
  if (ports.empty()) throw InvalidArgument("portforward: ports must not be empty");
  if (ports.size() > 128) throw InvalidArgument("portforward: at most 128 ports");
  std::set<std::uint16_t> seen;
  std::string joined;
  for (std::uint16_t p : ports) {
    if (p == 0) throw InvalidArgument("portforward: port 0 is not valid");
    if (!seen.insert(p).second) throw InvalidArgument("portforward: port " + std::to_string(p) + " given twice");
    if (!joined.empty()) joined.push_back(',');
    joined += std::to_string(p);
  }
  Target t(subresource_path("portforward", name));
  t.add("ports", joined);
  return make("GET", t.take());
}

}  // namespace kube
