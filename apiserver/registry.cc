#include "apiserver/registry.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "kube/core/builtin_resources.h"

namespace kube::apiserver {

namespace {

std::string sv(boost::json::string_view s) { return std::string(s.data(), s.size()); }

std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    auto comma = s.find(',');
    out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

// Short names and categories are not in the OpenAPI spec; these are the API server's.
struct Extras {
  std::string_view group, plural, short_names, categories;
};
constexpr Extras kExtras[] = {
    {"", "pods", "po", "all"},
    {"", "services", "svc", "all"},
    {"", "namespaces", "ns", ""},
    {"", "nodes", "no", ""},
    {"", "configmaps", "cm", ""},
    {"", "secrets", "", ""},
    {"", "endpoints", "ep", ""},
    {"", "events", "ev", ""},
    {"", "limitranges", "limits", ""},
    {"", "persistentvolumeclaims", "pvc", ""},
    {"", "persistentvolumes", "pv", ""},
    {"", "replicationcontrollers", "rc", "all"},
    {"", "resourcequotas", "quota", ""},
    {"", "serviceaccounts", "sa", ""},
    {"apps", "deployments", "deploy", "all"},
    {"apps", "replicasets", "rs", "all"},
    {"apps", "statefulsets", "sts", "all"},
    {"apps", "daemonsets", "ds", "all"},
    {"batch", "jobs", "", "all"},
    {"batch", "cronjobs", "cj", "all"},
    {"autoscaling", "horizontalpodautoscalers", "hpa", "all"},
    {"networking.k8s.io", "ingresses", "ing", ""},
    {"networking.k8s.io", "networkpolicies", "netpol", ""},
    {"policy", "poddisruptionbudgets", "pdb", ""},
    {"apiextensions.k8s.io", "customresourcedefinitions", "crd,crds", "api-extensions"},
    {"apiregistration.k8s.io", "apiservices", "", "api-extensions"},
    {"scheduling.k8s.io", "priorityclasses", "pc", ""},
    {"storage.k8s.io", "storageclasses", "sc", ""},
    {"certificates.k8s.io", "certificatesigningrequests", "csr", ""},
    {"events.k8s.io", "events", "ev", ""},
    {"admissionregistration.k8s.io", "mutatingwebhookconfigurations", "", "api-extensions"},
    {"admissionregistration.k8s.io", "validatingwebhookconfigurations", "", "api-extensions"},
};

// Field selectors the API server supports per resource, beyond metadata.name and metadata.namespace.
struct FieldSet {
  std::string_view group, plural, fields;
};
constexpr FieldSet kFieldSelectors[] = {
    {"", "pods",
     "spec.nodeName,spec.restartPolicy,spec.schedulerName,spec.serviceAccountName,spec.hostNetwork,status.phase,"
     "status.podIP,status.nominatedNodeName"},
    {"", "events",
     "involvedObject.kind,involvedObject.namespace,involvedObject.name,involvedObject.uid,involvedObject.apiVersion,"
     "involvedObject.resourceVersion,involvedObject.fieldPath,reason,reportingComponent,source,type"},
    {"events.k8s.io", "events", "regarding.kind,regarding.namespace,regarding.name,regarding.uid,reason,type"},
    {"", "secrets", "type"},
    {"", "nodes", "spec.unschedulable"},
    {"", "namespaces", "status.phase"},
    {"", "replicationcontrollers", "status.replicas"},
    {"batch", "jobs", "status.successful"},
    {"certificates.k8s.io", "certificatesigningrequests", "spec.signerName"},
};

int version_rank(std::string_view v, int& number, int& minor) {
  // v<N>, v<N>beta<M>, v<N>alpha<M>; anything else sorts last.
  number = 0;
  minor = 0;
  if (v.size() < 2 || v[0] != 'v') return 0;
  std::size_t i = 1;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) number = number * 10 + (v[i++] - '0');
  if (i == 1) return 0;
  if (i == v.size()) return 3;
  std::string_view rest = v.substr(i);
  auto tail = [&](std::string_view word) {
    if (rest.substr(0, word.size()) != word) return false;
    std::from_chars(rest.data() + word.size(), rest.data() + rest.size(), minor);
    return true;
  };
  if (tail("beta")) return 2;
  if (tail("alpha")) return 1;
  return 0;
}

json::Array to_array(const std::vector<std::string>& items) {
  json::Array out;
  for (const auto& s : items) out.push_back(json::Value(s));
  return out;
}

std::string path_to_field(std::string_view json_path) {
  // ".spec.color" -> "spec.color" (selectableFields use JSONPath-ish dotted paths)
  if (!json_path.empty() && json_path.front() == '.') json_path.remove_prefix(1);
  return std::string(json_path);
}

}  // namespace

bool version_less_preferred(std::string_view a, std::string_view b) {
  int an, am, bn, bm;
  int ar = version_rank(a, an, am);
  int br = version_rank(b, bn, bm);
  if (ar != br) return ar < br;
  if (an != bn) return an < bn;
  if (am != bm) return am < bm;
  return a > b;  // unknown forms: reverse alphabetical, as Kubernetes sorts them last
}

Registry::Registry(std::shared_ptr<const json::Value> spec) : spec_(std::move(spec)) {
  std::map<std::tuple<std::string, std::string, std::string>, std::string> definitions;  // gvk -> definition
  for (const auto& def : spec_->at("definitions").as_object()) {
    const json::Value* gvks = def.value().as_object().if_contains("x-kubernetes-group-version-kind");
    if (!gvks || gvks->as_array().size() != 1) continue;
    const auto& g = gvks->as_array()[0].as_object();
    definitions[{sv(g.at("group").as_string()), sv(g.at("version").as_string()), sv(g.at("kind").as_string())}] =
        sv(def.key());
  }
  for (const BuiltinResource& r : builtin_resources()) {
    ResourceInfo info;
    info.group = r.group;
    info.version = r.version;
    info.kind = r.kind;
    info.plural = r.plural;
    info.singular = r.singular;
    info.list_kind = std::string(r.kind) + "List";
    info.namespaced = r.scope == Scope::Namespaced;
    info.verbs = split_commas(r.verbs);
    for (const auto& sub : r.subresources) {
      if (sub.name == "status") info.has_status = true;
      if (sub.name == "scale") info.has_scale = true;
    }
    auto def = definitions.find({info.group, info.version, info.kind});
    if (def == definitions.end()) continue;  // not an object kind (e.g. a virtual resource)
    info.definition = def->second;
    for (const auto& e : kExtras) {
      if (e.group == info.group && e.plural == info.plural) {
        if (!e.short_names.empty()) info.short_names = split_commas(e.short_names);
        if (!e.categories.empty()) info.categories = split_commas(e.categories);
      }
    }
    add(std::move(info));
  }
}

void Registry::add(ResourceInfo info) {
  kinds_[{info.group, info.version, info.kind}] = info.plural;
  std::tuple<std::string, std::string, std::string> key{info.group, info.version, info.plural};
  resources_[key] = std::move(info);
  ++generation_;
}

const ResourceInfo* Registry::find(std::string_view group, std::string_view version, std::string_view plural) const {
  auto it = resources_.find(std::make_tuple(std::string(group), std::string(version), std::string(plural)));
  return it == resources_.end() ? nullptr : &it->second;
}

const ResourceInfo* Registry::find_kind(std::string_view group, std::string_view version, std::string_view kind) const {
  auto it = kinds_.find(std::make_tuple(std::string(group), std::string(version), std::string(kind)));
  return it == kinds_.end() ? nullptr : find(group, version, it->second);
}

std::vector<const ResourceInfo*> Registry::versions_of(std::string_view group, std::string_view plural) const {
  std::vector<const ResourceInfo*> out;
  for (const auto& [key, info] : resources_) {
    if (info.group == group && info.plural == plural) out.push_back(&info);
  }
  std::sort(out.begin(), out.end(),
            [](const ResourceInfo* a, const ResourceInfo* b) { return version_less_preferred(b->version, a->version); });
  return out;
}

void Registry::register_crd(const json::Value& crd) {
  const json::Object& spec = crd.at("spec").as_object();
  std::string group = sv(spec.at("group").as_string());
  const json::Object& names = spec.at("names").as_object();
  std::string plural = sv(names.at("plural").as_string());
  unregister_crd(group, plural);
  auto str = [](const json::Object& o, std::string_view key) -> std::string {
    const json::Value* v = o.if_contains(boost::json::string_view(key.data(), key.size()));
    return v && v->is_string() ? sv(v->as_string()) : std::string();
  };
  auto strings = [](const json::Object& o, std::string_view key) {
    std::vector<std::string> out;
    const json::Value* v = o.if_contains(boost::json::string_view(key.data(), key.size()));
    if (v && v->is_array()) {
      for (const auto& e : v->as_array()) {
        if (e.is_string()) out.push_back(sv(e.as_string()));
      }
    }
    return out;
  };
  for (const auto& version_value : spec.at("versions").as_array()) {
    const json::Object& version = version_value.as_object();
    const json::Value* served = version.if_contains("served");
    if (served && served->is_bool() && !served->as_bool()) continue;
    ResourceInfo info;
    info.group = group;
    info.version = str(version, "name");
    info.kind = str(names, "kind");
    info.plural = plural;
    info.singular = str(names, "singular");
    if (info.singular.empty()) {
      info.singular = info.kind;
      std::transform(info.singular.begin(), info.singular.end(), info.singular.begin(), ::tolower);
    }
    info.list_kind = str(names, "listKind");
    if (info.list_kind.empty()) info.list_kind = info.kind + "List";
    info.namespaced = str(spec, "scope") != "Cluster";
    info.verbs = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
    info.short_names = strings(names, "shortNames");
    info.categories = strings(names, "categories");
    if (const json::Value* subresources = version.if_contains("subresources"); subresources && subresources->is_object()) {
      const json::Object& subs = subresources->as_object();
      info.has_status = subs.contains("status");
      if (const json::Value* scale = subs.if_contains("scale"); scale && scale->is_object()) {
        info.has_scale = true;
        info.spec_replicas_path = str(scale->as_object(), "specReplicasPath");
        info.status_replicas_path = str(scale->as_object(), "statusReplicasPath");
        info.label_selector_path = str(scale->as_object(), "labelSelectorPath");
      }
    }
    if (const json::Value* schema = version.if_contains("schema"); schema && schema->is_object()) {
      if (const json::Value* v3 = schema->as_object().if_contains("openAPIV3Schema")) info.schema = *v3;
    }
    if (const json::Value* columns = version.if_contains("additionalPrinterColumns"); columns && columns->is_array()) {
      for (const auto& c : columns->as_array()) {
        if (!c.is_object()) continue;
        const json::Object& col = c.as_object();
        PrinterColumn column;
        column.name = str(col, "name");
        column.type = str(col, "type");
        column.format = str(col, "format");
        column.description = str(col, "description");
        column.json_path = str(col, "jsonPath");
        if (const json::Value* p = col.if_contains("priority"); p && p->is_int64()) column.priority = static_cast<int>(p->as_int64());
        info.printer_columns.push_back(std::move(column));
      }
    }
    if (const json::Value* fields = version.if_contains("selectableFields"); fields && fields->is_array()) {
      std::vector<std::string>& selectable = crd_selectable_[{group, plural}];
      for (const auto& f : fields->as_array()) {
        if (f.is_object()) selectable.push_back(path_to_field(str(f.as_object(), "jsonPath")));
      }
    }
    add(std::move(info));
  }
}

void Registry::unregister_crd(std::string_view group, std::string_view plural) {
  for (auto it = resources_.begin(); it != resources_.end();) {
    if (it->second.group == group && it->second.plural == plural && it->second.is_custom()) {
      kinds_.erase({it->second.group, it->second.version, it->second.kind});
      it = resources_.erase(it);
      ++generation_;
    } else {
      ++it;
    }
  }
  crd_selectable_.erase({std::string(group), std::string(plural)});
}

std::vector<std::string> Registry::selectable_fields(const ResourceInfo& resource) const {
  std::vector<std::string> out = {"metadata.name"};
  if (resource.namespaced) out.push_back("metadata.namespace");
  for (const auto& f : kFieldSelectors) {
    if (f.group == resource.group && f.plural == resource.plural) {
      for (auto& field : split_commas(f.fields)) out.push_back(std::move(field));
    }
  }
  auto custom = crd_selectable_.find({resource.group, resource.plural});
  if (custom != crd_selectable_.end()) out.insert(out.end(), custom->second.begin(), custom->second.end());
  return out;
}

std::vector<std::string> Registry::group_versions() const {
  std::set<std::string> out;
  for (const auto& [key, info] : resources_) out.insert(info.api_version());
  return {out.begin(), out.end()};
}

std::vector<ResourceInfo> Registry::resources_of(std::string_view group, std::string_view version) const {
  std::vector<ResourceInfo> out;
  for (const auto& [key, info] : resources_) {
    if (info.group == group && info.version == version) out.push_back(info);
  }
  return out;
}

json::Value Registry::legacy_versions() const {
  return json::Object{{"kind", "APIVersions"},
                      {"versions", json::Array{"v1"}},
                      {"serverAddressByClientCIDRs", json::Array{}}};
}

namespace {

// group -> versions, preferred first
std::map<std::string, std::vector<std::string>> versions_by_group(
    const std::map<std::tuple<std::string, std::string, std::string>, ResourceInfo, std::less<>>& resources) {
  std::map<std::string, std::set<std::string>> sets;
  for (const auto& [key, info] : resources) sets[info.group].insert(info.version);
  std::map<std::string, std::vector<std::string>> out;
  for (auto& [group, versions] : sets) {
    std::vector<std::string> sorted(versions.begin(), versions.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return version_less_preferred(b, a); });
    out[group] = std::move(sorted);
  }
  return out;
}

}  // namespace

json::Value Registry::legacy_groups() const {
  json::Array groups;
  for (const auto& [group, versions] : versions_by_group(resources_)) {
    if (group.empty()) continue;
    json::Array list;
    for (const auto& v : versions) list.push_back(json::Object{{"groupVersion", group + "/" + v}, {"version", v}});
    groups.push_back(json::Object{{"name", group},
                                  {"versions", list},
                                  {"preferredVersion", list.front()}});
  }
  return json::Object{{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

std::optional<json::Value> Registry::resource_list(std::string_view group, std::string_view version) const {
  json::Array list;
  bool any = false;
  for (const auto& [key, info] : resources_) {
    if (info.group != group || info.version != version) continue;
    any = true;
    json::Object r{{"name", info.plural},
                   {"singularName", info.singular},
                   {"namespaced", info.namespaced},
                   {"kind", info.kind},
                   {"verbs", to_array(info.verbs)}};
    if (!info.short_names.empty()) r["shortNames"] = to_array(info.short_names);
    if (!info.categories.empty()) r["categories"] = to_array(info.categories);
    list.push_back(std::move(r));
    for (const BuiltinResource& b : builtin_resources()) {
      if (info.is_custom() || b.group != info.group || b.version != info.version || b.plural != info.plural) continue;
      for (const auto& sub : b.subresources) {
        json::Object s{{"name", info.plural + "/" + std::string(sub.name)},
                       {"singularName", ""},
                       {"namespaced", info.namespaced},
                       {"kind", sub.kind.empty() ? info.kind : std::string(sub.kind)},
                       {"verbs", to_array(split_commas(sub.verbs))}};
        if (!sub.group.empty() && sub.group != info.group) s["group"] = std::string(sub.group);
        if (!sub.version.empty() && sub.version != info.version) s["version"] = std::string(sub.version);
        list.push_back(std::move(s));
      }
    }
    if (info.is_custom() && info.has_status) {
      list.push_back(json::Object{{"name", info.plural + "/status"}, {"singularName", ""}, {"namespaced", info.namespaced},
                                  {"kind", info.kind}, {"verbs", json::Array{"get", "patch", "update"}}});
    }
    if (info.is_custom() && info.has_scale) {
      list.push_back(json::Object{{"name", info.plural + "/scale"}, {"singularName", ""}, {"namespaced", info.namespaced},
                                  {"group", "autoscaling"}, {"version", "v1"}, {"kind", "Scale"},
                                  {"verbs", json::Array{"get", "patch", "update"}}});
    }
  }
  if (!any) return std::nullopt;
  std::string gv = group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
  return json::Object{{"kind", "APIResourceList"}, {"apiVersion", "v1"}, {"groupVersion", gv}, {"resources", list}};
}

json::Value Registry::aggregated(bool core) const {
  json::Array items;
  for (const auto& [group, versions] : versions_by_group(resources_)) {
    if (group.empty() != core) continue;
    json::Array version_list;
    for (const auto& v : versions) {
      json::Array resources;
      for (const auto& [key, info] : resources_) {
        if (info.group != group || info.version != v) continue;
        json::Object r{{"resource", info.plural},
                       {"singularResource", info.singular},
                       {"scope", info.namespaced ? "Namespaced" : "Cluster"},
                       {"verbs", to_array(info.verbs)},
                       {"responseKind", json::Object{{"group", info.group}, {"version", info.version}, {"kind", info.kind}}}};
        if (!info.short_names.empty()) r["shortNames"] = to_array(info.short_names);
        if (!info.categories.empty()) r["categories"] = to_array(info.categories);
        json::Array subs;
        auto add_sub = [&](std::string_view name, std::string g, std::string ver, std::string kind, std::vector<std::string> verbs) {
          subs.push_back(json::Object{{"subresource", name},
                                      {"responseKind", json::Object{{"group", g}, {"version", ver}, {"kind", kind}}},
                                      {"verbs", to_array(verbs)}});
        };
        if (info.is_custom()) {
          if (info.has_status) add_sub("status", info.group, info.version, info.kind, {"get", "patch", "update"});
          if (info.has_scale) add_sub("scale", "autoscaling", "v1", "Scale", {"get", "patch", "update"});
        } else {
          for (const BuiltinResource& b : builtin_resources()) {
            if (b.group != info.group || b.version != info.version || b.plural != info.plural) continue;
            for (const auto& sub : b.subresources) {
              add_sub(sub.name, sub.group.empty() && sub.kind.empty() ? info.group : std::string(sub.group),
                      sub.version.empty() ? info.version : std::string(sub.version),
                      sub.kind.empty() ? info.kind : std::string(sub.kind), split_commas(sub.verbs));
            }
          }
        }
        if (!subs.empty()) r["subresources"] = std::move(subs);
        resources.push_back(std::move(r));
      }
      version_list.push_back(json::Object{{"version", v}, {"resources", resources}, {"freshness", "Current"}});
    }
    items.push_back(json::Object{{"metadata", json::Object{{"name", group}}}, {"versions", version_list}});
  }
  return json::Object{{"kind", "APIGroupDiscoveryList"}, {"apiVersion", "apidiscovery.k8s.io/v2"},
                      {"metadata", json::Object{}}, {"items", items}};
}

}  // namespace kube::apiserver
