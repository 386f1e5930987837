// TLS material of an admission webhook server (kube::fsm::WebhookServer): its serving certificate
// and key, and the CA the API server must trust (the webhook configurations' caBundle). From a
// `kubernetes.io/tls` Secret (e.g. one cert-manager fills), or generated: a self-signed CA and a
// serving certificate for the webhook's Service, optionally stored in a Secret so that restarts
// (and other replicas) present the same certificate.
//
// Example (in the cluster):
//   auto secrets = kube::Api<Secret>::namespaced(client, "moose-system");
//   kube::fsm::WebhookTls tls = co_await kube::fsm::load_or_generate_tls_secret(secrets, "moose-webhook-tls",
//                                                                              "moose-webhook");
// Outside the cluster (the API server calls https://127.0.0.1:PORT):
//   auto tls = kube::fsm::WebhookTls::generate({.ip_addresses = {"127.0.0.1"}});
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "kube/api/core/v1.h"
#include "kube/client/api.h"

namespace kube::fsm {

/// Names a generated serving certificate is valid for.
struct WebhookHosts {
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;

  /// The names the API server uses for a Service `name` in `namespace_` (NAME, NAME.NS, NAME.NS.svc,
  /// NAME.NS.svc.cluster.local), plus localhost, 127.0.0.1 and ::1.
  static WebhookHosts service(const std::string& name, const std::string& namespace_);
};

struct WebhookTls {
  std::string certificate_pem;  // the serving certificate (followed by intermediates, if any)
  std::string private_key_pem;
  std::string ca_pem;  // what clients must trust: the caBundle of the webhook configurations

  /// A new self-signed CA (10 years) and a serving certificate (1 year) it signed for `hosts`.
  static WebhookTls generate(const WebhookHosts& hosts);
  /// From a kubernetes.io/tls Secret: tls.crt, tls.key, and ca.crt when present (otherwise tls.crt
  /// itself is the CA to trust, as for a self-signed certificate). Throws InvalidArgument when
  /// tls.crt or tls.key is missing or not PEM.
  static WebhookTls from_secret(const api::core::v1::Secret& secret);
  /// A kubernetes.io/tls Secret holding it (tls.crt, tls.key, ca.crt).
  api::core::v1::Secret to_secret(std::string name, std::string namespace_) const;

  bool operator==(const WebhookTls&) const = default;
};

/// Reads the kubernetes.io/tls Secret `name` from `secrets` (a namespaced Api). Throws ApiError
/// (404 when it does not exist) or InvalidArgument (see WebhookTls::from_secret).
boost::asio::awaitable<WebhookTls> load_tls_secret(Api<api::core::v1::Secret> secrets, std::string name);

/// The Secret `name` when it exists; otherwise a new certificate for the Service `service` in the
/// Api's namespace (WebhookHosts::service), stored as that Secret. When two replicas start at
/// once, the one whose create loses reads the other's Secret, so both serve the same certificate.
boost::asio::awaitable<WebhookTls> load_or_generate_tls_secret(Api<api::core::v1::Secret> secrets, std::string name,
                                                               std::string service);

}  // namespace kube::fsm
