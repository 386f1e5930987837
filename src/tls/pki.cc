#include "kube/tls/pki.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string_view>

#include "kube/core/error.h"

namespace kube::tls {

namespace {

// unique_ptr with an OpenSSL free function, so every early throw releases what was allocated.
template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using GeneralNames = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using GeneralName = std::unique_ptr<GENERAL_NAME, Deleter<GENERAL_NAME_free>>;
using Ia5String = std::unique_ptr<ASN1_IA5STRING, Deleter<ASN1_IA5STRING_free>>;
using OctetString = std::unique_ptr<ASN1_OCTET_STRING, Deleter<ASN1_OCTET_STRING_free>>;

// The OpenSSL error queue as text (and emptied), for exception messages.
std::string openssl_errors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

[[noreturn]] void fail(std::string_view what) { throw Error("PKI: " + std::string(what) + ": " + openssl_errors()); }

void check(int ok, std::string_view what) {
  if (ok <= 0) fail(what);
}

Key generate_p256_key() {
  Key key(EVP_EC_gen("P-256"));
  if (!key) fail("generating an EC P-256 key");
  return key;
}

// A random positive 128-bit serial number (RFC 5280: unique per CA, at most 20 octets).
void set_random_serial(X509* cert) {
  unsigned char bytes[16];
  check(RAND_bytes(bytes, sizeof bytes), "generating a serial number");
  bytes[0] &= 0x7F;  // keep the DER INTEGER positive without a padding byte
  bytes[0] |= 0x01;  // and never zero
  Bignum bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert))) fail("setting the serial number");
}

// notBefore an hour back (tolerates clock skew between machines), notAfter `validity` from now.
void set_validity(X509* cert, std::chrono::hours validity) {
  long hours = static_cast<long>(validity.count());
  if (!X509_gmtime_adj(X509_getm_notBefore(cert), -3600) ||
      !X509_time_adj_ex(X509_getm_notAfter(cert), static_cast<int>(hours / 24), (hours % 24) * 3600, nullptr))
    fail("setting the validity period");
}

void set_subject(X509* cert, const std::string& common_name, const std::vector<std::string>& organizations) {
  X509_NAME* name = X509_get_subject_name(cert);
  auto add = [&](const char* field, const std::string& value) {
    check(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.data()),
                                     static_cast<int>(value.size()), -1, 0),
          std::string("setting the subject ") + field);
  };
  for (const std::string& o : organizations) add("O", o);
  if (!common_name.empty()) add("CN", common_name);
}

// An extension from OpenSSL's config syntax ("critical,CA:TRUE"). Values here are fixed strings,
// never caller data (that would allow injecting other settings).
void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  Extension ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext) fail(std::string("building extension ") + OBJ_nid2sn(nid));
  check(X509_add_ext(cert, ext.get(), -1), std::string("adding extension ") + OBJ_nid2sn(nid));
}

// subjectAltName built from GENERAL_NAME objects, so DNS names cannot be misparsed as config.
void add_subject_alt_names(X509* cert, const CertificateRequest& request) {
  if (request.dns_names.empty() && request.ip_addresses.empty()) return;
  GeneralNames names(sk_GENERAL_NAME_new_null());
  if (!names) fail("allocating subjectAltName");
  auto push = [&](int type, void* value) {
    GeneralName name(GENERAL_NAME_new());
    if (!name) fail("allocating a subjectAltName entry");
    GENERAL_NAME_set0_value(name.get(), type, value);  // takes ownership of value
    if (!sk_GENERAL_NAME_push(names.get(), name.get())) fail("adding a subjectAltName entry");
    name.release();  // now owned by names
  };
  for (const std::string& dns : request.dns_names) {
    Ia5String value(ASN1_IA5STRING_new());
    if (!value || !ASN1_STRING_set(value.get(), dns.data(), static_cast<int>(dns.size())))
      fail("encoding DNS name " + dns);
    push(GEN_DNS, value.release());
  }
  for (const std::string& ip : request.ip_addresses) {
    OctetString value(a2i_IPADDRESS(ip.c_str()));
    if (!value) {
      ERR_clear_error();
      throw InvalidArgument("PKI: invalid IP address \"" + ip + "\" for subjectAltName");
    }
    push(GEN_IPADD, value.release());
  }
  check(X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT), "adding subjectAltName");
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

CertificateAndKey to_pem(X509* cert, EVP_PKEY* key) {
  Bio cert_bio(BIO_new(BIO_s_mem())), key_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || !key_bio) fail("allocating a memory BIO");
  check(PEM_write_bio_X509(cert_bio.get(), cert), "writing the certificate PEM");
  // PEM_write_bio_PrivateKey writes unencrypted PKCS#8 ("BEGIN PRIVATE KEY").
  check(PEM_write_bio_PrivateKey(key_bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), "writing the key PEM");
  return {bio_text(cert_bio.get()), bio_text(key_bio.get())};
}

// Never prompt on a terminal for a passphrase: encrypted keys are simply unsupported.
int no_passphrase(char*, int, int, void*) { return 0; }

Cert read_certificate(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) fail("allocating a memory BIO");
  Cert cert(PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr));
  if (!cert) fail("reading the certificate PEM");
  return cert;
}

Key read_private_key(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) fail("allocating a memory BIO");
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) fail("reading the private key PEM");
  return key;
}

Cert new_v3_certificate(EVP_PKEY* key, std::chrono::hours validity) {
  Cert cert(X509_new());
  if (!cert) fail("allocating a certificate");
  check(X509_set_version(cert.get(), X509_VERSION_3), "setting the certificate version");
  set_random_serial(cert.get());
  set_validity(cert.get(), validity);
  check(X509_set_pubkey(cert.get(), key), "setting the public key");
  return cert;
}

std::string utf8_of(const ASN1_STRING* value) {
  unsigned char* out = nullptr;
  int len = ASN1_STRING_to_UTF8(&out, value);
  if (len < 0) fail("decoding a subject entry");
  std::string text(reinterpret_cast<char*>(out), static_cast<std::size_t>(len));
  OPENSSL_free(out);
  return text;
}

}  // namespace

CertificateAndKey generate_ca(const std::string& common_name, std::chrono::hours validity) {
  ERR_clear_error();
  Key key = generate_p256_key();
  Cert cert = new_v3_certificate(key.get(), validity);
  set_subject(cert.get(), common_name, {});
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())), "setting the issuer");
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign");
  add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  check(X509_sign(cert.get(), key.get(), EVP_sha256()), "signing the CA certificate");
  return to_pem(cert.get(), key.get());
}

CertificateAndKey issue_certificate(const CertificateAndKey& ca, const CertificateRequest& request) {
  ERR_clear_error();
  Cert ca_cert = read_certificate(ca.certificate_pem);
  Key ca_key = read_private_key(ca.private_key_pem);
  check(X509_check_private_key(ca_cert.get(), ca_key.get()), "the CA key does not match the CA certificate");

  Key key = generate_p256_key();
  Cert cert = new_v3_certificate(key.get(), request.validity);
  set_subject(cert.get(), request.common_name, request.organizations);
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())), "setting the issuer");
  add_extension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  if (request.server || request.client) {
    const char* usages = request.server && request.client ? "serverAuth,clientAuth"
                         : request.server                ? "serverAuth"
                                                         : "clientAuth";
    add_extension(cert.get(), ca_cert.get(), NID_ext_key_usage, usages);
  }
  add_extension(cert.get(), ca_cert.get(), NID_subject_key_identifier, "hash");
  // The CA's key id, or its issuer and serial if it has no subjectKeyIdentifier.
  add_extension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid,issuer");
  add_subject_alt_names(cert.get(), request);
  check(X509_sign(cert.get(), ca_key.get(), EVP_sha256()), "signing the certificate");
  return to_pem(cert.get(), key.get());
}

CertificateSubject certificate_subject(const std::string& certificate_pem) {
  ERR_clear_error();
  Cert cert = read_certificate(certificate_pem);
  const X509_NAME* name = X509_get_subject_name(cert.get());
  CertificateSubject subject;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
    if (nid == NID_commonName)
      subject.common_name = utf8_of(X509_NAME_ENTRY_get_data(entry));
    else if (nid == NID_organizationName)
      subject.organizations.push_back(utf8_of(X509_NAME_ENTRY_get_data(entry)));
  }
  return subject;
}

}  // namespace kube::tls
