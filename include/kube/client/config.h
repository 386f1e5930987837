// kube::Config: where the cluster is and how to authenticate, from a kubeconfig or the in-cluster
// service account.
//
// Config::infer() does what kubectl does: the files in $KUBECONFIG (merged in order: the first file
// that defines a name wins), else ~/.kube/config, else the in-cluster service account.
//
// Example:
//   kube::Config config = kube::Config::infer();
//   kube::Config staging = kube::Config::from_kubeconfig({.context = "staging"});
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kube {

/// client.authentication.k8s.io exec credential plugin (a program that prints an ExecCredential).
struct ExecConfig {
  std::string api_version;  // client.authentication.k8s.io/v1 (v1beta1 accepted)
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string install_hint;
  bool provide_cluster_info = false;
};

struct AuthInfo {
  std::string token;                   // bearer token
  std::string token_file;              // bearer token read from a file (re-read when it changes)
  std::string client_certificate_pem;  // client certificate (from file or data)
  std::string client_key_pem;
  std::string username;                // basic auth
  std::string password;
  std::optional<ExecConfig> exec;
  std::string impersonate;             // Impersonate-User
  std::vector<std::string> impersonate_groups;
};

struct Config {
  std::string cluster_url;              // "https://127.0.0.1:6443"
  std::string default_namespace = "default";
  std::string root_ca_pem;              // CA certificates to trust (empty: the system's)
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;          // name to verify the server certificate against
  AuthInfo auth;
  std::chrono::milliseconds connect_timeout{30'000};
  std::chrono::milliseconds read_timeout{295'000};  // per request (watches use their own)
  /// Retries of requests answered 429/503/504 (Retry-After honoured, exponential backoff).
  int max_retries = 5;
  /// Requests (not watches) in flight at once per Client; more wait in FIFO order. Bounds the
  /// connections (and TLS handshakes, file descriptors) a burst of requests opens.
  int max_concurrent_requests = 64;

  /// $KUBECONFIG, ~/.kube/config, then in-cluster. Throws kube::Error saying what was tried.
  static Config infer();

  struct KubeconfigOptions {
    std::string context;  // default: current-context
    std::string cluster;  // override the context's cluster
    std::string user;     // override the context's user
  };
  /// From $KUBECONFIG (or ~/.kube/config when unset).
  static Config from_kubeconfig(const KubeconfigOptions& options = {});
  /// From one kubeconfig file.
  static Config from_kubeconfig_file(const std::string& path, const KubeconfigOptions& options = {});
  /// From kubeconfig YAML/JSON text; relative file paths resolve against `base_directory`.
  static Config from_kubeconfig_text(const std::string& text, const KubeconfigOptions& options = {},
                                     const std::string& base_directory = ".");
  /// From a service account mounted at `root` (with KUBERNETES_SERVICE_HOST/PORT set).
  static Config incluster(const std::string& root = "/var/run/secrets/kubernetes.io/serviceaccount");
};

}  // namespace kube
