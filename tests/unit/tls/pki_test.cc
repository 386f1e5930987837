#include "kube/tls/pki.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

#include "kube/core/error.h"
#include "support/subprocess.h"

namespace {

using kube::tls::CertificateAndKey;
using kube::tls::CertificateRequest;
namespace pki = kube::tls;

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Store = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using StoreCtx = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
using Names = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BN_free>>;

Cert parse_cert(const std::string& pem) {
  std::unique_ptr<BIO, Deleter<BIO_free>> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

Key parse_key(const std::string& pem) {
  std::unique_ptr<BIO, Deleter<BIO_free>> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

// X509_verify_cert against a store holding only `ca`; returns the X509_V_ERR code (0 = ok).
int verify(const std::string& ca_pem, const std::string& cert_pem, int purpose = 0) {
  Cert ca = parse_cert(ca_pem), cert = parse_cert(cert_pem);
  Store store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca.get());
  StoreCtx ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr);
  if (purpose) X509_STORE_CTX_set_purpose(ctx.get(), purpose);
  if (X509_verify_cert(ctx.get()) == 1) return 0;
  return X509_STORE_CTX_get_error(ctx.get());
}

bool extension_is_critical(X509* cert, int nid) {
  int index = X509_get_ext_by_NID(cert, nid, -1);
  return index >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, index)) == 1;
}

struct SubjectAltNames {
  std::set<std::string> dns;
  std::set<std::string> ips;  // as raw bytes
};
SubjectAltNames subject_alt_names(X509* cert) {
  SubjectAltNames out;
  Names names(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    const ASN1_STRING* s = name->type == GEN_DNS ? name->d.dNSName : name->type == GEN_IPADD ? name->d.iPAddress : nullptr;
    if (!s) continue;
    std::string bytes(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), ASN1_STRING_length(s));
    (name->type == GEN_DNS ? out.dns : out.ips).insert(bytes);
  }
  return out;
}

// Seconds from now to `t` (negative in the past).
long seconds_from_now(const ASN1_TIME* t) {
  int days = 0, seconds = 0;
  ASN1_TIME_diff(&days, &seconds, nullptr, t);
  return days * 86400L + seconds;
}

class PkiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ca_ = new CertificateAndKey(pki::generate_ca("kube-cpp-ca")); }
  static void TearDownTestSuite() {
    delete ca_;
    ca_ = nullptr;
  }
  static const CertificateAndKey& ca() { return *ca_; }

  static CertificateAndKey serving() {
    return pki::issue_certificate(ca(), {.common_name = "kube-apiserver",
                                         .dns_names = {"localhost", "kubernetes.default.svc"},
                                         .ip_addresses = {"127.0.0.1", "::1"},
                                         .server = true});
  }
  static CertificateAndKey admin() {
    return pki::issue_certificate(
        ca(), {.common_name = "kubernetes-admin", .organizations = {"system:masters", "kubeadm:cluster-admins"}, .client = true});
  }

 private:
  static inline CertificateAndKey* ca_ = nullptr;
};

TEST_F(PkiTest, CaIsSelfSignedP256WithCaExtensions) {
  EXPECT_TRUE(ca().certificate_pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
  EXPECT_TRUE(ca().private_key_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));  // PKCS#8
  Cert cert = parse_cert(ca().certificate_pem);
  Key key = parse_key(ca().private_key_pem);
  ASSERT_TRUE(cert && key);

  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  EXPECT_EQ(EVP_PKEY_get_base_id(key.get()), EVP_PKEY_EC);
  char group[64] = {};
  ASSERT_EQ(EVP_PKEY_get_group_name(key.get(), group, sizeof group, nullptr), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);

  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())), 0);
  Key pub(X509_get_pubkey(cert.get()));
  EXPECT_EQ(X509_verify(cert.get(), pub.get()), 1);
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_ecdsa_with_SHA256);

  EXPECT_EQ(X509_check_ca(cert.get()), 1);
  EXPECT_TRUE(extension_is_critical(cert.get(), NID_basic_constraints));
  EXPECT_TRUE(extension_is_critical(cert.get(), NID_key_usage));
  EXPECT_EQ(X509_get_key_usage(cert.get()), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN | KU_DIGITAL_SIGNATURE));
  EXPECT_NE(X509_get0_subject_key_id(cert.get()), nullptr);
  EXPECT_EQ(pki::certificate_subject(ca().certificate_pem).common_name, "kube-cpp-ca");

  // notBefore an hour back; notAfter ten years ahead (the default validity).
  EXPECT_NEAR(seconds_from_now(X509_get0_notBefore(cert.get())), -3600, 60);
  EXPECT_NEAR(seconds_from_now(X509_get0_notAfter(cert.get())), 3650L * 86400, 60);

  // A CA verifies against itself.
  EXPECT_EQ(verify(ca().certificate_pem, ca().certificate_pem), 0);
}

TEST_F(PkiTest, SerialsAreRandom128Bit) {
  std::set<std::string> serials;
  for (int i = 0; i < 4; ++i) {
    CertificateAndKey c = i < 2 ? pki::generate_ca("ca") : admin();
    Cert cert = parse_cert(c.certificate_pem);
    Bignum bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
    EXPECT_FALSE(BN_is_negative(bn.get()));
    EXPECT_GT(BN_num_bits(bn.get()), 64);
    EXPECT_LE(BN_num_bits(bn.get()), 128);
    char* hex = BN_bn2hex(bn.get());
    serials.insert(hex);
    OPENSSL_free(hex);
  }
  EXPECT_EQ(serials.size(), 4u);
}

TEST_F(PkiTest, CaValidityIsConfigurable) {
  CertificateAndKey short_ca = pki::generate_ca("short", std::chrono::hours(48));
  Cert cert = parse_cert(short_ca.certificate_pem);
  EXPECT_NEAR(seconds_from_now(X509_get0_notAfter(cert.get())), 48L * 3600, 60);
}

TEST_F(PkiTest, ServingCertificateVerifiesWithSansAndServerAuth) {
  CertificateAndKey server = serving();
  EXPECT_TRUE(server.certificate_pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
  EXPECT_TRUE(server.private_key_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
  EXPECT_EQ(verify(ca().certificate_pem, server.certificate_pem), 0);
  EXPECT_EQ(verify(ca().certificate_pem, server.certificate_pem, X509_PURPOSE_SSL_SERVER), 0);
  EXPECT_NE(verify(ca().certificate_pem, server.certificate_pem, X509_PURPOSE_SSL_CLIENT), 0);

  Cert cert = parse_cert(server.certificate_pem);
  Key key = parse_key(server.private_key_pem);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_ecdsa_with_SHA256);
  EXPECT_EQ(X509_check_ca(cert.get()), 0);

  SubjectAltNames sans = subject_alt_names(cert.get());
  EXPECT_EQ(sans.dns, (std::set<std::string>{"localhost", "kubernetes.default.svc"}));
  EXPECT_EQ(sans.ips, (std::set<std::string>{std::string("\x7f\0\0\x01", 4),
                                             std::string("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16)}));
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_NE(X509_check_ip_asc(cert.get(), "10.0.0.1", 0), 1);

  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), static_cast<uint32_t>(XKU_SSL_SERVER));
  EXPECT_EQ(X509_get_key_usage(cert.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
  EXPECT_TRUE(extension_is_critical(cert.get(), NID_key_usage));

  // authorityKeyIdentifier names the CA's subjectKeyIdentifier; the issuer is the CA's subject.
  Cert ca_cert = parse_cert(ca().certificate_pem);
  ASSERT_NE(X509_get0_authority_key_id(cert.get()), nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(cert.get()), X509_get0_subject_key_id(ca_cert.get())), 0);
  EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(cert.get()), X509_get_subject_name(ca_cert.get())), 0);
  EXPECT_NEAR(seconds_from_now(X509_get0_notAfter(cert.get())), 365L * 86400, 60);
}

TEST_F(PkiTest, ClientCertificateCarriesUserAndGroups) {
  CertificateAndKey client = admin();
  EXPECT_EQ(verify(ca().certificate_pem, client.certificate_pem, X509_PURPOSE_SSL_CLIENT), 0);
  EXPECT_NE(verify(ca().certificate_pem, client.certificate_pem, X509_PURPOSE_SSL_SERVER), 0);
  Cert cert = parse_cert(client.certificate_pem);
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), static_cast<uint32_t>(XKU_SSL_CLIENT));
  EXPECT_EQ(X509_get_ext_by_NID(cert.get(), NID_subject_alt_name, -1), -1);  // none requested

  pki::CertificateSubject subject = pki::certificate_subject(client.certificate_pem);
  EXPECT_EQ(subject.common_name, "kubernetes-admin");
  EXPECT_EQ(subject.organizations, (std::vector<std::string>{"system:masters", "kubeadm:cluster-admins"}));
}

TEST_F(PkiTest, BothUsagesAndUnicodeSubject) {
  CertificateAndKey both = pki::issue_certificate(
      ca(), {.common_name = "jürgen", .organizations = {"dev,ops", "ünïcode"}, .dns_names = {"a.example"},
             .server = true, .client = true, .validity = std::chrono::hours(1)});
  Cert cert = parse_cert(both.certificate_pem);
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), static_cast<uint32_t>(XKU_SSL_SERVER | XKU_SSL_CLIENT));
  EXPECT_EQ(verify(ca().certificate_pem, both.certificate_pem, X509_PURPOSE_SSL_SERVER), 0);
  EXPECT_EQ(verify(ca().certificate_pem, both.certificate_pem, X509_PURPOSE_SSL_CLIENT), 0);
  pki::CertificateSubject subject = pki::certificate_subject(both.certificate_pem);
  EXPECT_EQ(subject.common_name, "jürgen");
  EXPECT_EQ(subject.organizations, (std::vector<std::string>{"dev,ops", "ünïcode"}));
  EXPECT_NEAR(seconds_from_now(X509_get0_notAfter(cert.get())), 3600, 60);
}

TEST_F(PkiTest, CertificateFromAnotherCaDoesNotVerify) {
  CertificateAndKey other_ca = pki::generate_ca("other");
  CertificateAndKey foreign = pki::issue_certificate(other_ca, {.common_name = "x", .client = true});
  EXPECT_EQ(verify(ca().certificate_pem, foreign.certificate_pem), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_EQ(verify(other_ca.certificate_pem, foreign.certificate_pem), 0);
}

TEST_F(PkiTest, Errors) {
  try {
    pki::certificate_subject("not a certificate");
    ADD_FAILURE() << "expected kube::Error";
  } catch (const kube::Error& e) {
    EXPECT_NE(std::string(e.what()).find("PKI: reading the certificate PEM: "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("error:"), std::string::npos) << e.what();  // OpenSSL's text
  }
  // A CA key that does not belong to the CA certificate.
  CertificateAndKey other = pki::generate_ca("other");
  CertificateAndKey mixed{ca().certificate_pem, other.private_key_pem};
  EXPECT_THROW(pki::issue_certificate(mixed, {.common_name = "x"}), kube::Error);
  EXPECT_THROW(pki::issue_certificate({ca().certificate_pem, "garbage"}, {.common_name = "x"}), kube::Error);
  EXPECT_THROW(pki::issue_certificate(ca(), {.common_name = "x", .ip_addresses = {"300.1.1.1"}}), kube::InvalidArgument);
  EXPECT_THROW(pki::issue_certificate(ca(), {.common_name = "x", .ip_addresses = {"localhost"}}), kube::InvalidArgument);
}

// The openssl command line tool agrees (when installed).
TEST_F(PkiTest, OpensslCliVerifies) {
  std::string openssl = kube::testing::find_program("openssl");
  if (openssl.empty()) GTEST_SKIP() << "openssl not installed";
  auto dir = std::filesystem::temp_directory_path() / ("kube-pki-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  };
  CertificateAndKey server = serving();
  std::string ca_file = write("ca.pem", ca().certificate_pem);
  std::string cert_file = write("cert.pem", server.certificate_pem);
  std::string key_file = write("key.pem", server.private_key_pem);
  std::string foreign_file = write("foreign.pem", pki::generate_ca("other").certificate_pem);

  auto ok = kube::testing::run({openssl, "verify", "-CAfile", ca_file, cert_file});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find(": OK"), std::string::npos) << ok.out;
  auto purpose = kube::testing::run({openssl, "verify", "-purpose", "sslserver", "-CAfile", ca_file, cert_file});
  EXPECT_EQ(purpose.exit_code, 0) << purpose.out << purpose.err;
  auto bad = kube::testing::run({openssl, "verify", "-CAfile", foreign_file, cert_file});
  EXPECT_NE(bad.exit_code, 0);
  auto key = kube::testing::run({openssl, "pkey", "-in", key_file, "-noout"});
  EXPECT_EQ(key.exit_code, 0) << key.err;
  auto text = kube::testing::run({openssl, "x509", "-in", cert_file, "-noout", "-ext", "subjectAltName"});
  EXPECT_NE(text.out.find("DNS:localhost"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("IP Address:127.0.0.1"), std::string::npos) << text.out;
  std::filesystem::remove_all(dir);
}

}  // namespace
