// kube::tls: certificates for the project's HTTPS servers (kube-apiserver-lite, admission webhooks
// of kube::fsm): a self-signed CA, serving certificates (subjectAltName DNS names and IPs) and
// client certificates (CN = user, O = groups) signed by it. PEM in and out; OpenSSL stays in pki.cc.
//
// Example:
//   auto ca = kube::tls::generate_ca("my-webhook-ca");
//   auto serving = kube::tls::issue_certificate(ca, {.common_name = "my-webhook",
//       .dns_names = {"my-webhook.ns.svc"}, .ip_addresses = {"127.0.0.1"}, .server = true});
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace kube::tls {

struct CertificateAndKey {
  std::string certificate_pem;
  std::string private_key_pem;
};

struct CertificateRequest {
  std::string common_name;
  std::vector<std::string> organizations;  // O= (Kubernetes groups for client certificates)
  std::vector<std::string> dns_names;      // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;   // subjectAltName IP entries ("127.0.0.1", "::1")
  bool server = false;                     // extendedKeyUsage serverAuth
  bool client = false;                     // extendedKeyUsage clientAuth
  std::chrono::hours validity{24 * 365};
};

/// A new self-signed CA (ECDSA P-256, keyUsage keyCertSign).
CertificateAndKey generate_ca(const std::string& common_name, std::chrono::hours validity = std::chrono::hours(24 * 3650));
/// A new key and a certificate for it signed by `ca`. Throws kube::Error on OpenSSL failures.
CertificateAndKey issue_certificate(const CertificateAndKey& ca, const CertificateRequest& request);

/// The subject of a PEM certificate: common name and organizations.
struct CertificateSubject {
  std::string common_name;
  std::vector<std::string> organizations;
};
CertificateSubject certificate_subject(const std::string& certificate_pem);

}  // namespace kube::tls
