#include "kube/fsm/webhook_tls.h"

#include "kube/core/error.h"
#include "kube/tls/pki.h"

namespace kube::fsm {

using api::core::v1::Secret;

WebhookHosts WebhookHosts::service(const std::string& name, const std::string& namespace_) {
  WebhookHosts hosts;
  hosts.dns_names = {name, name + "." + namespace_, name + "." + namespace_ + ".svc",
                     name + "." + namespace_ + ".svc.cluster.local", "localhost"};
  hosts.ip_addresses = {"127.0.0.1", "::1"};
  return hosts;
}

WebhookTls WebhookTls::generate(const WebhookHosts& hosts) {
  std::string common_name = hosts.dns_names.empty()
                                ? (hosts.ip_addresses.empty() ? std::string("webhook") : hosts.ip_addresses.front())
                                : hosts.dns_names.front();
  tls::CertificateAndKey ca = tls::generate_ca(common_name + "-ca");
  tls::CertificateAndKey serving = tls::issue_certificate(ca, {.common_name = common_name,
                                                               .dns_names = hosts.dns_names,
                                                               .ip_addresses = hosts.ip_addresses,
                                                               .server = true});
  return {serving.certificate_pem, serving.private_key_pem, ca.certificate_pem};
}

WebhookTls WebhookTls::from_secret(const Secret& secret) {
  std::string name = secret.metadata.name.value_or("");
  auto entry = [&](const char* key) -> std::string {
    if (secret.data) {
      if (auto it = secret.data->find(key); it != secret.data->end()) return it->second.bytes;
    }
    if (secret.string_data) {
      if (auto it = secret.string_data->find(key); it != secret.string_data->end()) return it->second;
    }
    return {};
  };
  WebhookTls tls{entry("tls.crt"), entry("tls.key"), entry("ca.crt")};
  auto check = [&](const std::string& pem, const char* key) {
    if (pem.empty()) throw InvalidArgument("Secret \"" + name + "\" has no " + key);
    if (pem.find("-----BEGIN ") == std::string::npos) throw InvalidArgument("Secret \"" + name + "\": " + key + " is not PEM");
  };
  check(tls.certificate_pem, "tls.crt");
  check(tls.private_key_pem, "tls.key");
  if (tls.ca_pem.empty()) tls.ca_pem = tls.certificate_pem;
  return tls;
}

Secret WebhookTls::to_secret(std::string name, std::string namespace_) const {
  Secret secret;
  secret.metadata.name = std::move(name);
  secret.metadata.namespace_ = std::move(namespace_);
  secret.type = "kubernetes.io/tls";
  auto& data = secret.data.emplace();
  data["tls.crt"] = ByteString{certificate_pem};
  data["tls.key"] = ByteString{private_key_pem};
  data["ca.crt"] = ByteString{ca_pem};
  return secret;
}

boost::asio::awaitable<WebhookTls> load_tls_secret(Api<Secret> secrets, std::string name) {
  co_return WebhookTls::from_secret(co_await secrets.get(name));
}

boost::asio::awaitable<WebhookTls> load_or_generate_tls_secret(Api<Secret> secrets, std::string name,
                                                               std::string service) {
  if (secrets.ns().empty()) throw InvalidArgument("load_or_generate_tls_secret: the Api must be namespaced");
  if (std::optional<Secret> existing = co_await secrets.get_opt(name)) co_return WebhookTls::from_secret(*existing);
  WebhookTls generated = WebhookTls::generate(WebhookHosts::service(service, secrets.ns()));
  try {
    co_await secrets.create({}, generated.to_secret(name, secrets.ns()));
    co_return generated;
  } catch (const ApiError& e) {
    if (!e.is_already_exists()) throw;
  }
  co_return WebhookTls::from_secret(co_await secrets.get(name));  // another replica was first
}

}  // namespace kube::fsm
