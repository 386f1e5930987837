#include "kube/client/discovery.h"

#include <algorithm>
#include <cctype>

#include "kube/client/api.h"
#include "kube/core/dom.h"

namespace kube {

namespace net = boost::asio;

namespace {

std::string str(const json::Value& o, std::string_view key) {
  const json::Value* v = o.is_object() ? o.as_object().if_contains(boost::json::string_view(key.data(), key.size())) : nullptr;
  return v && v->is_string() ? std::string(v->as_string().data(), v->as_string().size()) : std::string();
}

std::vector<std::string> strings(const json::Value& o, std::string_view key) {
  std::vector<std::string> out;
  const json::Value* v = o.is_object() ? o.as_object().if_contains(boost::json::string_view(key.data(), key.size())) : nullptr;
  if (v && v->is_array()) {
    for (const auto& e : v->as_array()) {
      if (e.is_string()) out.emplace_back(e.as_string().data(), e.as_string().size());
    }
  }
  return out;
}

constexpr std::string_view kAggregatedAccept =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

HttpRequest get(std::string target, std::string_view accept = "application/json") {
  HttpRequest r;
  r.method = "GET";
  r.target = std::move(target);
  r.headers.emplace_back("Accept", std::string(accept));
  return r;
}

// APIGroupDiscoveryList -> groups
void read_aggregated(const json::Value& list, std::vector<DiscoveredGroup>& out) {
  for (const auto& item : list.at("items").as_array()) {
    DiscoveredGroup group;
    group.name = str(item.at("metadata"), "name");
    for (const auto& version : item.at("versions").as_array()) {
      std::string v = str(version, "version");
      group.versions.push_back(v);
      const json::Value* resources = version.as_object().if_contains("resources");
      if (!resources || !resources->is_array()) continue;
      for (const auto& r : resources->as_array()) {
        DiscoveredResource d;
        const json::Value& kind = r.at("responseKind");
        d.resource = ApiResource::from_gvk({group.name, v, str(kind, "kind")}, str(r, "resource"),
                                           str(r, "scope") == "Cluster" ? Scope::Cluster : Scope::Namespaced);
        d.singular = str(r, "singularResource");
        d.verbs = strings(r, "verbs");
        d.short_names = strings(r, "shortNames");
        d.categories = strings(r, "categories");
        if (const json::Value* subs = r.as_object().if_contains("subresources"); subs && subs->is_array()) {
          for (const auto& s : subs->as_array()) d.subresources.push_back(str(s, "subresource"));
        }
        group.resources.push_back(std::move(d));
      }
    }
    out.push_back(std::move(group));
  }
}

// APIResourceList -> resources of one group-version
void read_legacy_resources(const json::Value& list, DiscoveredGroup& group, const std::string& version) {
  std::vector<DiscoveredResource> resources;
  for (const auto& r : list.at("resources").as_array()) {
    std::string name = str(r, "name");
    auto slash = name.find('/');
    if (slash != std::string::npos) {
      for (auto& d : resources) {
        if (d.resource.plural == name.substr(0, slash)) d.subresources.push_back(name.substr(slash + 1));
      }
      continue;
    }
    DiscoveredResource d;
    const json::Value* namespaced = r.as_object().if_contains("namespaced");
    d.resource = ApiResource::from_gvk({group.name, version, str(r, "kind")}, name,
                                       namespaced && namespaced->is_bool() && namespaced->as_bool() ? Scope::Namespaced
                                                                                                     : Scope::Cluster);
    d.singular = str(r, "singularName");
    d.verbs = strings(r, "verbs");
    d.short_names = strings(r, "shortNames");
    d.categories = strings(r, "categories");
    resources.push_back(std::move(d));
  }
  for (auto& d : resources) group.resources.push_back(std::move(d));
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

namespace detail {
std::string peek_kind(std::string_view json_text) {
  std::string kind;
  json::decode_with(json_text, [&kind](json::Reader& root) {
    root.read_object([&kind](std::string_view key, json::Reader& value) {
      if (key == "kind") value.read(kind);
    });
  });
  return kind;
}
}  // namespace detail

net::awaitable<void> Discovery::run() {
  std::vector<DiscoveredGroup> groups;
  HttpResponse core = co_await client_.send(get("/api", kAggregatedAccept));
  aggregated_ = core.content_type.find("as=APIGroupDiscoveryList") != std::string::npos;
  if (aggregated_) {
    HttpResponse apis = co_await client_.send(get("/apis", kAggregatedAccept));
    read_aggregated(json::parse(core.body), groups);
    read_aggregated(json::parse(apis.body), groups);
  } else {
    json::Value versions = json::parse(core.body);
    DiscoveredGroup core_group;
    for (const auto& v : strings(versions, "versions")) {
      core_group.versions.push_back(v);
      HttpResponse list = co_await client_.send(get("/api/" + v));
      read_legacy_resources(json::parse(list.body), core_group, v);
    }
    groups.push_back(std::move(core_group));
    json::Value group_list = json::parse((co_await client_.send(get("/apis"))).body);
    for (const auto& g : group_list.at("groups").as_array()) {
      DiscoveredGroup group;
      group.name = str(g, "name");
      std::string preferred = str(g.at("preferredVersion"), "version");
      for (const auto& v : g.at("versions").as_array()) group.versions.push_back(str(v, "version"));
      std::stable_partition(group.versions.begin(), group.versions.end(), [&](const std::string& v) { return v == preferred; });
      for (const auto& v : group.versions) {
        HttpResponse list = co_await client_.send(get("/apis/" + group.name + "/" + v));
        read_legacy_resources(json::parse(list.body), group, v);
      }
      groups.push_back(std::move(group));
    }
  }
  groups_ = std::move(groups);
}

std::optional<DiscoveredResource> Discovery::resolve_gvk(const GroupVersionKind& gvk) const {
  for (const auto& g : groups_) {
    if (g.name != gvk.group) continue;
    for (const auto& r : g.resources) {
      if (r.resource.version == gvk.version && r.resource.kind == gvk.kind) return r;
    }
  }
  return std::nullopt;
}

std::optional<DiscoveredResource> Discovery::resolve_name(std::string_view name) const {
  std::string wanted = lower(name);
  std::string group_filter;
  if (auto dot = wanted.find('.'); dot != std::string::npos) {
    group_filter = wanted.substr(dot + 1);
    wanted = wanted.substr(0, dot);
  }
  for (const auto& g : groups_) {
    if (!group_filter.empty() && g.name != group_filter) continue;
    for (const auto& version : g.versions) {  // preferred version first
      for (const auto& r : g.resources) {
        if (r.resource.version != version) continue;
        bool match = r.resource.plural == wanted || r.singular == wanted || lower(r.resource.kind) == wanted ||
                     std::find(r.short_names.begin(), r.short_names.end(), wanted) != r.short_names.end();
        if (match) return r;
      }
    }
  }
  return std::nullopt;
}

}  // namespace kube
