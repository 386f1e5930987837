#include "kube/client/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "kube/core/byte_string.h"
#include "kube/core/dom.h"
#include "kube/core/error.h"
#include "kube/core/yaml.h"

namespace kube {

namespace fs = std::filesystem;

namespace {

std::string read_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + std::string(what) + " " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string str(const json::Value* v) {
  return v && v->is_string() ? std::string(v->as_string().data(), v->as_string().size()) : std::string();
}
std::string member(const json::Value& o, std::string_view key) {
  return o.is_object() ? str(o.as_object().if_contains(boost::json::string_view(key.data(), key.size()))) : std::string();
}
const json::Value* find(const json::Value& o, std::string_view key) {
  return o.is_object() ? o.as_object().if_contains(boost::json::string_view(key.data(), key.size())) : nullptr;
}
bool flag(const json::Value& o, std::string_view key) {
  const json::Value* v = find(o, key);
  return v && v->is_bool() && v->as_bool();
}

// The kubeconfig files merged: for every name, the first file that defines it wins.
struct Merged {
  std::map<std::string, json::Value> clusters, users, contexts;
  std::string current_context;
};

void absolutize(json::Value& entry, std::initializer_list<std::string_view> keys, const fs::path& base) {
  if (!entry.is_object()) return;
  for (auto key : keys) {
    json::Value* v = entry.as_object().if_contains(boost::json::string_view(key.data(), key.size()));
    if (!v || !v->is_string() || v->as_string().empty()) continue;
    fs::path p(std::string(v->as_string().data(), v->as_string().size()));
    if (p.is_relative()) *v = (base / p).lexically_normal().string();
  }
}

void merge(Merged& into, const std::string& text, const fs::path& base, const std::string& origin) {
  json::Value doc;
  try {
    doc = text.find_first_not_of(" \t\r\n") == std::string::npos ? json::Value(json::Object{}) : yaml::parse(text);
  } catch (const json::DecodeError& e) {
    throw Error("kubeconfig " + origin + ": " + e.what());
  }
  if (!doc.is_object()) throw Error("kubeconfig " + origin + ": not a mapping");
  auto take = [&](std::string_view list, std::string_view field, std::map<std::string, json::Value>& out,
                  std::initializer_list<std::string_view> paths) {
    const json::Value* items = find(doc, list);
    if (!items || !items->is_array()) return;
    for (const auto& item : items->as_array()) {
      std::string name = member(item, "name");
      const json::Value* body = find(item, field);
      if (name.empty() || !body || out.count(name)) continue;
      json::Value copy = *body;
      absolutize(copy, paths, base);
      out.emplace(name, std::move(copy));
    }
  };
  take("clusters", "cluster", into.clusters, {"certificate-authority"});
  take("users", "user", into.users, {"client-certificate", "client-key", "tokenFile"});
  take("contexts", "context", into.contexts, {});
  if (into.current_context.empty()) into.current_context = member(doc, "current-context");
}

Config build(const Merged& m, const Config::KubeconfigOptions& options, const std::string& origin) {
  std::string context_name = options.context.empty() ? m.current_context : options.context;
  json::Value context = json::Object{};
  if (!context_name.empty()) {
    auto it = m.contexts.find(context_name);
    if (it == m.contexts.end()) throw Error("kubeconfig " + origin + ": context \"" + context_name + "\" not found");
    context = it->second;
  } else if (options.cluster.empty()) {
    throw Error("kubeconfig " + origin + ": no current-context and no context chosen");
  }
  std::string cluster_name = options.cluster.empty() ? member(context, "cluster") : options.cluster;
  std::string user_name = options.user.empty() ? member(context, "user") : options.user;
  auto cluster_it = m.clusters.find(cluster_name);
  if (cluster_it == m.clusters.end()) throw Error("kubeconfig " + origin + ": cluster \"" + cluster_name + "\" not found");
  const json::Value& cluster = cluster_it->second;
  Config config;
  config.cluster_url = member(cluster, "server");
  if (config.cluster_url.empty()) throw Error("kubeconfig " + origin + ": cluster \"" + cluster_name + "\" has no server");
  while (!config.cluster_url.empty() && config.cluster_url.back() == '/') config.cluster_url.pop_back();
  if (std::string ns = member(context, "namespace"); !ns.empty()) config.default_namespace = ns;
  if (std::string data = member(cluster, "certificate-authority-data"); !data.empty()) {
    config.root_ca_pem = base64_decode(data);
  } else if (std::string file = member(cluster, "certificate-authority"); !file.empty()) {
    config.root_ca_pem = read_file(file, "certificate-authority");
  }
  config.insecure_skip_tls_verify = flag(cluster, "insecure-skip-tls-verify");
  config.tls_server_name = member(cluster, "tls-server-name");
  if (!member(cluster, "proxy-url").empty()) {
    throw Error("kubeconfig " + origin + ": not supported: proxy-url (cluster \"" + cluster_name + "\")");
  }
  if (user_name.empty()) return config;
  auto user_it = m.users.find(user_name);
  if (user_it == m.users.end()) throw Error("kubeconfig " + origin + ": user \"" + user_name + "\" not found");
  const json::Value& user = user_it->second;
  AuthInfo& auth = config.auth;
  auth.token = member(user, "token");
  auth.token_file = member(user, "tokenFile");
  if (std::string data = member(user, "client-certificate-data"); !data.empty()) {
    auth.client_certificate_pem = base64_decode(data);
  } else if (std::string file = member(user, "client-certificate"); !file.empty()) {
    auth.client_certificate_pem = read_file(file, "client-certificate");
  }
  if (std::string data = member(user, "client-key-data"); !data.empty()) {
    auth.client_key_pem = base64_decode(data);
  } else if (std::string file = member(user, "client-key"); !file.empty()) {
    auth.client_key_pem = read_file(file, "client-key");
  }
  auth.username = member(user, "username");
  auth.password = member(user, "password");
  auth.impersonate = member(user, "as");
  if (const json::Value* groups = find(user, "as-groups"); groups && groups->is_array()) {
    for (const auto& g : groups->as_array()) auth.impersonate_groups.push_back(str(&g));
  }
  if (find(user, "auth-provider")) {
    throw Error("kubeconfig " + origin + ": not supported: auth-provider (user \"" + user_name +
                "\"); use an exec credential plugin instead");
  }
  if (const json::Value* exec = find(user, "exec"); exec && exec->is_object()) {
    ExecConfig e;
    e.api_version = member(*exec, "apiVersion");
    e.command = member(*exec, "command");
    if (e.command.empty()) throw Error("kubeconfig " + origin + ": exec plugin of user \"" + user_name + "\" has no command");
    if (const json::Value* args = find(*exec, "args"); args && args->is_array()) {
      for (const auto& a : args->as_array()) e.args.push_back(str(&a));
    }
    if (const json::Value* env = find(*exec, "env"); env && env->is_array()) {
      for (const auto& v : env->as_array()) e.env.emplace_back(member(v, "name"), member(v, "value"));
    }
    e.install_hint = member(*exec, "installHint");
    e.provide_cluster_info = flag(*exec, "provideClusterInfo");
    auth.exec = std::move(e);
  }
  return config;
}

std::vector<std::string> kubeconfig_paths() {
  std::vector<std::string> paths;
  if (const char* env = std::getenv("KUBECONFIG"); env && *env) {
    std::string_view list = env;
    while (!list.empty()) {
      auto colon = list.find(':');
      std::string path(list.substr(0, colon));
      if (!path.empty()) paths.push_back(path);
      if (colon == std::string_view::npos) break;
      list.remove_prefix(colon + 1);
    }
    return paths;
  }
  if (const char* home = std::getenv("HOME"); home && *home) paths.push_back(std::string(home) + "/.kube/config");
  return paths;
}

}  // namespace

Config Config::from_kubeconfig_text(const std::string& text, const KubeconfigOptions& options,
                                    const std::string& base_directory) {
  Merged merged;
  merge(merged, text, fs::path(base_directory), "(text)");
  return build(merged, options, "(text)");
}

Config Config::from_kubeconfig_file(const std::string& path, const KubeconfigOptions& options) {
  Merged merged;
  merge(merged, read_file(path, "kubeconfig"), fs::absolute(path).parent_path(), path);
  return build(merged, options, path);
}

Config Config::from_kubeconfig(const KubeconfigOptions& options) {
  Merged merged;
  std::string origin;
  for (const auto& path : kubeconfig_paths()) {
    if (!fs::exists(path)) continue;  // kubectl skips missing files in KUBECONFIG
    merge(merged, read_file(path, "kubeconfig"), fs::absolute(path).parent_path(), path);
    origin += (origin.empty() ? "" : ":") + path;
  }
  if (origin.empty()) throw Error("no kubeconfig found ($KUBECONFIG unset or its files missing, no ~/.kube/config)");
  return build(merged, options, origin);
}

Config Config::incluster(const std::string& root) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !*host || !port || !*port) {
    throw Error("not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set");
  }
  Config config;
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6
  config.cluster_url = "https://" + h + ":" + port;
  config.auth.token_file = root + "/token";
  if (!fs::exists(config.auth.token_file)) throw Error("in-cluster service account token missing: " + config.auth.token_file);
  config.root_ca_pem = read_file(root + "/ca.crt", "in-cluster CA");
  if (fs::exists(root + "/namespace")) {
    std::string ns = read_file(root + "/namespace", "namespace");
    while (!ns.empty() && (ns.back() == '\n' || ns.back() == ' ')) ns.pop_back();
    if (!ns.empty()) config.default_namespace = ns;
  }
  return config;
}

Config Config::infer() {
  // A kubeconfig that exists is used (and its errors reported); only without one is the
  // in-cluster service account tried.
  for (const auto& path : kubeconfig_paths()) {
    if (fs::exists(path)) return from_kubeconfig();
  }
  try {
    return incluster();
  } catch (const Error& e) {
    throw Error(std::string("cannot infer a configuration: no kubeconfig ($KUBECONFIG or ~/.kube/config) and ") +
                e.what());
  }
}

}  // namespace kube
