// Routing, discovery, OpenAPI and the shared helpers of the Api implementation.
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdio>

#include "apiserver/api_impl.h"
#include "apiserver/garbage_collector.h"
#include "apiserver/openapi.h"
#include "apiserver/webhooks.h"
#include "kube/core/error.h"

namespace kube::apiserver {

// ---- errors --------------------------------------------------------------------------------------

ApiResponse status_response(int code, std::string_view reason, std::string_view message, json::Value details) {
  json::Object status{{"kind", "Status"},
                      {"apiVersion", "v1"},
                      {"metadata", json::Object{}},
                      {"status", code < 400 ? "Success" : "Failure"},
                      {"message", message},
                      {"reason", reason},
                      {"code", code}};
  if (!details.is_null()) status["details"] = std::move(details);
  if (code < 400) {
    status.erase("message");
    status.erase("reason");
  }
  ApiResponse response;
  response.status = code;
  response.body = boost::json::serialize(status);
  return response;
}

void fail(int code, std::string_view reason, std::string_view message, json::Value details) {
  throw ApiFailure{status_response(code, reason, message, std::move(details))};
}

json::Value cause(std::string_view type, std::string_view field, std::string_view message) {
  return json::Object{{"reason", type}, {"message", message}, {"field", field}};
}

void fail_invalid(const ResourceInfo& resource, std::string_view name, const json::Array& causes,
                  std::string_view summary) {
  std::string message = resource.kind + ".";
  message += resource.group.empty() ? "" : resource.group;
  if (resource.group.empty()) message.pop_back();
  message += " \"" + std::string(name) + "\" is invalid: ";
  if (!summary.empty()) {
    message += summary;
  } else {
    // "[spec.x: Invalid value: ..., spec.y: Required value]" like the API server's aggregate.
    std::string joined;
    for (const auto& c : causes) {
      if (!joined.empty()) joined += ", ";
      std::string field(c.at("field").as_string().c_str());
      if (!field.empty() && field.front() == '.') field.erase(0, 1);
      joined += field + ": " + std::string(c.at("message").as_string().c_str());
    }
    message += causes.size() > 1 ? "[" + joined + "]" : joined;
  }
  json::Object details{{"name", name}, {"group", resource.group}, {"kind", resource.kind}, {"causes", causes}};
  fail(422, "Invalid", message, std::move(details));
}

bool parse_bool(std::string_view text, bool& ok) {
  ok = true;
  // Go's strconv.ParseBool: the Python client sends "True".
  if (text == "1" || text == "t" || text == "T" || text == "true" || text == "TRUE" || text == "True") return true;
  if (text == "0" || text == "f" || text == "F" || text == "false" || text == "FALSE" || text == "False") return false;
  ok = false;
  return false;
}

Format negotiate(std::string_view accept) {
  // Media ranges are comma-separated; the first one we can serve wins.
  while (!accept.empty()) {
    auto comma = accept.find(',');
    std::string_view range = accept.substr(0, comma);
    bool meta_group = range.find("g=meta.k8s.io") != std::string_view::npos;
    if (meta_group && range.find("as=Table") != std::string_view::npos) return Format::Table;
    if (meta_group && range.find("as=PartialObjectMetadata") != std::string_view::npos) return Format::Metadata;
    if (range.find("application/json") != std::string_view::npos || range.find("*/*") != std::string_view::npos) {
      if (range.find("as=") == std::string_view::npos) return Format::Json;
    }
    if (comma == std::string_view::npos) break;
    accept.remove_prefix(comma + 1);
  }
  return Format::Json;
}

std::optional<std::string> ApiRequest::param(std::string_view name) const {
  std::optional<std::string> value;
  for (const auto& [k, v] : query) {
    if (k == name) value = v;
  }
  return value;
}

// ---- Api ------------------------------------------------------------------------------------------

Api::Api(Registry& registry, Store& store, ApiOptions options)
    : impl_(std::make_unique<Impl>(registry, store, std::move(options))) {}
Api::~Api() = default;
ApiResult Api::handle(const ApiRequest& request) { return impl_->handle(request); }
void Api::bootstrap() { impl_->bootstrap(); }
void Api::register_stored_crds() { impl_->register_stored_crds(); }
void Api::close_watches() { impl_->close_watches(); }
void Api::expire_watches() { impl_->close_watches(true); }
void Api::index(StoredObject& object, const json::Value& dom) const { impl_->index(object, dom); }
std::size_t Api::open_watches() const {
  std::size_t n = 0;
  for (const auto& w : impl_->watches) n += !w.expired();
  return n;
}

Api::Impl::Impl(Registry& r, Store& s, ApiOptions o) : registry(r), store(s), options(std::move(o)) {
  gc = std::make_unique<GarbageCollector>(*this);
  listener = store.subscribe([this](const StoreEvent& event) { dispatch(event); });
}

Api::Impl::~Impl() { store.unsubscribe(listener); }

ApiResult Api::Impl::handle(const ApiRequest& request) {
  try {
    if (request.body.size() > options.max_body_bytes) {
      fail(413, "RequestEntityTooLarge",
           "the request body is " + std::to_string(request.body.size()) + " bytes, more than the limit of " +
               std::to_string(options.max_body_bytes));
    }
    // The garbage collector's work (queued by the store events of this request) runs after it.
    struct Serving {
      Impl& impl;
      explicit Serving(Impl& i) : impl(i) { ++impl.handling; }
      ~Serving() {
        if (--impl.handling == 0) impl.gc->run();
      }
    } serving(*this);
    return route(request);
  } catch (const ApiFailure& failure) {
    return failure.response;
  } catch (AdmissionNeeded& needed) {
    return std::move(needed.admission);
  } catch (const json::DecodeError& e) {
    return status_response(400, "BadRequest", e.what());
  } catch (const InvalidArgument& e) {
    return status_response(400, "BadRequest", e.what());
  } catch (const RevisionCompacted& e) {
    return status_response(410, "Expired",
                           "too old resource version: " + std::to_string(e.requested) + " (" +
                               std::to_string(e.oldest + 1) + ")");
  } catch (const std::exception& e) {
    return status_response(500, "InternalError", std::string("internal error: ") + e.what());
  }
}

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto slash = path.find('/');
    out.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

ApiResponse json_response(const json::Value& value, std::string content_type = "application/json") {
  ApiResponse r;
  r.body = boost::json::serialize(value);
  r.content_type = std::move(content_type);
  return r;
}

ApiResponse text_response(std::string text) {
  ApiResponse r;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(text);
  return r;
}

[[noreturn]] void not_found_path(std::string_view path) {
  fail(404, "NotFound", "the server could not find the requested resource", json::Object{{"causes", json::Array{
      cause("UnexpectedServerResponse", "", "404 page not found: " + std::string(path))}}});
}

bool wants_aggregated(std::string_view accept) {
  return accept.find("as=APIGroupDiscoveryList") != std::string_view::npos &&
         accept.find("g=apidiscovery.k8s.io") != std::string_view::npos;
}

}  // namespace

ApiResult Api::Impl::route(const ApiRequest& request) {
  const std::string& path = request.path;
  if (path == "/healthz" || path == "/readyz" || path == "/livez") return text_response("ok");
  if (path == "/version") {
    std::string minor = options.version.substr(3, options.version.find('.', 3) - 3);
    return json_response(json::Object{{"major", "1"},
                                      {"minor", minor},
                                      {"gitVersion", options.version},
                                      {"gitCommit", "kube-apiserver-lite"},
                                      {"gitTreeState", "clean"},
                                      {"buildDate", "2026-01-01T00:00:00Z"},
                                      {"goVersion", "n/a (C++)"},
                                      {"compiler", "g++"},
                                      {"platform", "linux/amd64"}});
  }
  if (path.rfind("/openapi/v3", 0) == 0) return openapi(request, std::string_view(path).substr(11));
  if (path.rfind("/openapi/v2", 0) == 0) {
    fail(404, "NotFound", "OpenAPI v2 is not served by kube-apiserver-lite; use /openapi/v3");
  }
  std::vector<std::string> segments = split_path(path);
  if (auto d = discovery(request, segments)) return std::move(*d);

  // /api/v1/<rest> or /apis/<group>/<version>/<rest>
  std::string group, version;
  std::size_t rest = 0;
  if (segments.size() >= 2 && segments[0] == "api") {
    version = segments[1];
    rest = 2;
  } else if (segments.size() >= 3 && segments[0] == "apis") {
    group = segments[1];
    version = segments[2];
    rest = 3;
  } else {
    not_found_path(path);
  }
  std::vector<std::string> parts(segments.begin() + static_cast<std::ptrdiff_t>(rest), segments.end());
  Target target;
  std::string plural;
  if (parts.size() >= 3 && parts[0] == "namespaces" && parts[2] != "status" && parts[2] != "finalize") {
    target.ns = parts[1];
    plural = parts[2];
    if (parts.size() >= 4) target.name = parts[3];
    if (parts.size() >= 5) target.subresource = parts[4];
    if (parts.size() > 5) not_found_path(path);
  } else if (!parts.empty()) {
    plural = parts[0];
    if (parts.size() >= 2) target.name = parts[1];
    if (parts.size() >= 3) target.subresource = parts[2];
    if (parts.size() > 3) not_found_path(path);
  } else {
    not_found_path(path);
  }
  target.resource = registry.find(group, version, plural);
  if (!target.resource) {
    std::string gv = group.empty() ? version : group + "/" + version;
    fail(404, "NotFound", "the server could not find the requested resource (" + plural + " in " + gv + ")",
         json::Object{{"group", group}, {"kind", plural}});
  }
  const ResourceInfo& resource = *target.resource;
  if (!resource.namespaced && !target.ns.empty()) {
    fail(404, "NotFound", resource.plural + " is cluster-scoped: it cannot be addressed in a namespace");
  }
  const std::string& method = request.method;
  bool collection = target.name.empty();
  if (!target.subresource.empty()) {
    if (target.subresource == "status" && resource.has_status) {
      if (method == "GET") return get(request, target);
      if (method == "PUT") return update(request, target);
      if (method == "PATCH") return patch(request, target);
    } else if (target.subresource == "scale" && resource.has_scale) {
      if (method == "GET" || method == "PUT" || method == "PATCH") return scale(request, target);
    } else if (target.subresource == "finalize" && resource.plural == "namespaces" && resource.group.empty()) {
      if (method == "PUT") return update(request, target);
    } else if (target.subresource == "binding" && resource.plural == "pods" && resource.group.empty()) {
      if (method == "POST") return binding(request, target);
    } else {
      fail(404, "NotFound",
           "the subresource " + resource.plural + "/" + target.subresource + " is not supported by kube-apiserver-lite");
    }
    fail(405, "MethodNotAllowed", method + " is not allowed on " + resource.plural + "/" + target.subresource);
  }
  auto allowed = [&](std::string_view verb) {
    return std::find(resource.verbs.begin(), resource.verbs.end(), verb) != resource.verbs.end();
  };
  auto require = [&](std::string_view verb) {
    if (!allowed(verb)) {
      fail(405, "MethodNotAllowed", "the server does not allow this method on the requested resource (" +
                                        std::string(verb) + " " + resource.plural + ")");
    }
  };
  if (method == "GET") {
    if (collection) {
      bool ok = true;
      auto watch_param = request.param("watch");
      if (watch_param && parse_bool(*watch_param, ok) && ok) {
        require("watch");
        return watch(request, target);
      }
      if (!ok) fail(400, "BadRequest", "invalid value for watch: " + *watch_param);
      require("list");
      return list(request, target);
    }
    require("get");
    return get(request, target);
  }
  if (method == "POST") {
    if (!collection) fail(405, "MethodNotAllowed", "POST is not allowed on an individual " + resource.singular);
    require("create");
    return create(request, target);
  }
  if (method == "PUT" && !collection) {
    require("update");
    return update(request, target);
  }
  if (method == "PATCH" && !collection) {
    require("patch");
    return patch(request, target);
  }
  if (method == "DELETE") {
    if (collection) {
      require("deletecollection");
      return remove_collection(request, target);
    }
    require("delete");
    return remove(request, target);
  }
  fail(405, "MethodNotAllowed", method + " is not allowed on " + path);
}

std::optional<ApiResult> Api::Impl::discovery(const ApiRequest& request, const std::vector<std::string>& segments) {
  if (request.method != "GET") return std::nullopt;
  bool aggregated = wants_aggregated(request.accept);
  const char* aggregated_type = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
  if (segments.size() == 1 && segments[0] == "api") {
    return aggregated ? json_response(registry.aggregated(true), aggregated_type)
                      : json_response(registry.legacy_versions());
  }
  if (segments.size() == 1 && segments[0] == "apis") {
    return aggregated ? json_response(registry.aggregated(false), aggregated_type)
                      : json_response(registry.legacy_groups());
  }
  if (segments.size() == 2 && segments[0] == "api") {
    if (auto list = registry.resource_list("", segments[1])) return json_response(*list);
    not_found_path(request.path);
  }
  if (segments.size() == 2 && segments[0] == "apis") {
    for (const auto& g : registry.legacy_groups().at("groups").as_array()) {
      if (g.at("name").as_string() == segments[1]) {
        json::Object group = g.as_object();
        group["kind"] = "APIGroup";
        group["apiVersion"] = "v1";
        return json_response(group);
      }
    }
    not_found_path(request.path);
  }
  if (segments.size() == 3 && segments[0] == "apis") {
    if (auto list = registry.resource_list(segments[1], segments[2])) return json_response(*list);
    not_found_path(request.path);
  }
  return std::nullopt;
}

ApiResponse Api::Impl::openapi(const ApiRequest& request, std::string_view rest) {
  if (registry.generation() != openapi_generation) {
    openapi_cache.clear();
    openapi_generation = registry.generation();
  }
  auto document = [&](const std::string& gv) -> const std::string& {
    auto& slot = openapi_cache[gv];
    if (slot.second.empty()) {
      auto slash = gv.find('/');
      std::string group = slash == std::string::npos ? "" : gv.substr(0, slash);
      std::string version = slash == std::string::npos ? gv : gv.substr(slash + 1);
      std::vector<ResourceInfo> resources = registry.resources_of(group, version);
      slot.second = boost::json::serialize(openapi_v3_document(gv, resources, registry.definitions()));
      slot.first = std::hash<std::string>{}(slot.second);
    }
    return slot.second;
  };
  if (rest.empty() || rest == "/") {
    std::vector<std::pair<std::string, std::string>> hashes;
    for (const auto& gv : registry.group_versions()) {
      document(gv);
      char hash[32];
      std::snprintf(hash, sizeof hash, "%016llX", static_cast<unsigned long long>(openapi_cache[gv].first));
      hashes.emplace_back(gv, hash);
    }
    return json_response(openapi_v3_index(hashes));
  }
  // /api/v1 or /apis/<group>/<version>
  std::string_view path = rest.substr(1);
  std::string gv;
  if (path.rfind("api/", 0) == 0) {
    gv = std::string(path.substr(4));
  } else if (path.rfind("apis/", 0) == 0) {
    gv = std::string(path.substr(5));
  }
  auto versions = registry.group_versions();
  if (gv.empty() || std::find(versions.begin(), versions.end(), gv) == versions.end()) {
    not_found_path(request.path);
  }
  ApiResponse response;
  response.body = document(gv);
  return response;
}

std::string Api::Impl::random_suffix(std::size_t n) {
  // The API server's alphabet for generated names: no vowels, no confusable characters.
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(kAlphabet[random() % (sizeof kAlphabet - 1)]);
  return out;
}

std::string Api::Impl::new_uid() {
  std::uint64_t a = random(), b = random();
  a = (a & 0xFFFFFFFFFFFF0FFFULL) | 0x4000;             // version 4
  b = (b & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 1
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx", static_cast<unsigned long long>(a >> 32),
                static_cast<unsigned long long>((a >> 16) & 0xFFFF), static_cast<unsigned long long>(a & 0xFFFF),
                static_cast<unsigned long long>(b >> 48), static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
  return buf;
}

}  // namespace kube::apiserver
