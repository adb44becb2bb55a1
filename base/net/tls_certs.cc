#include "base/net/tls_certs.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace kt::net {

namespace {

template <auto Fn>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Fn(p);
  }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;

Status OpenSslError(std::string_view what) {
  return Internal("OpenSSL: " + std::string(what) + " failed");
}

Result<KeyPtr> NewKey() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("EC key generation");
  return key;
}

std::string BioString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<std::string> CertToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return OpenSslError("PEM_write_bio_X509");
  return BioString(bio.get());
}

Result<std::string> KeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("PEM_write_bio_PrivateKey");
  }
  return BioString(bio.get());
}

Result<CertPtr> PemToCert(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return BadRequest("invalid CA certificate PEM");
  return cert;
}

Result<KeyPtr> PemToKey(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return BadRequest("invalid CA private key PEM");
  return key;
}

Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return OpenSslError("X509V3_EXT_conf_nid " + value);
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return OpenSslError("X509_add_ext");
  return Status::Ok();
}

Result<CertPtr> NewCert(EVP_PKEY* key, Time not_before, Duration validity,
                        const std::string& common_name,
                        const std::vector<std::string>& organizations) {
  CertPtr cert(X509_new());
  if (!cert) return OpenSslError("X509_new");
  X509_set_version(cert.get(), 2);
  unsigned char serial_bytes[16];
  RAND_bytes(serial_bytes, sizeof(serial_bytes));
  serial_bytes[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  const int64_t start = ToUnixNanos(not_before) / 1'000'000'000 - 300;  // tolerate clock skew
  const int64_t end = start + 300 + std::chrono::duration_cast<std::chrono::seconds>(validity).count();
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(start));
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(end));
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (const auto& o : organizations) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(o.c_str()), -1, -1, 0);
  }
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  return cert;
}

}  // namespace

Result<CertKeyPair> GenerateCa(const std::string& common_name, Time not_before,
                               Duration validity) {
  KT_ASSIGN_OR_RETURN(KeyPtr key, NewKey());
  KT_ASSIGN_OR_RETURN(CertPtr cert, NewCert(key.get(), not_before, validity, common_name, {}));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  KT_RETURN_IF_ERROR(AddExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE"));
  KT_RETURN_IF_ERROR(
      AddExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature"));
  KT_RETURN_IF_ERROR(AddExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return OpenSslError("X509_sign");
  CertKeyPair out;
  KT_ASSIGN_OR_RETURN(out.cert_pem, CertToPem(cert.get()));
  KT_ASSIGN_OR_RETURN(out.key_pem, KeyToPem(key.get()));
  return out;
}

Result<CertKeyPair> IssueCert(const CertKeyPair& ca, const CertRequest& request) {
  KT_ASSIGN_OR_RETURN(CertPtr ca_cert, PemToCert(ca.cert_pem));
  KT_ASSIGN_OR_RETURN(KeyPtr ca_key, PemToKey(ca.key_pem));
  KT_ASSIGN_OR_RETURN(KeyPtr key, NewKey());
  KT_ASSIGN_OR_RETURN(CertPtr cert, NewCert(key.get(), request.not_before, request.validity,
                                            request.common_name, request.organizations));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()));
  KT_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  KT_RETURN_IF_ERROR(
      AddExtension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment"));
  KT_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), NID_ext_key_usage,
                                  request.server ? "serverAuth" : "clientAuth"));
  std::string san;
  for (const auto& d : request.dns_names) san += (san.empty() ? "" : ",") + ("DNS:" + d);
  for (const auto& ip : request.ip_addresses) san += (san.empty() ? "" : ",") + ("IP:" + ip);
  if (!san.empty()) {
    KT_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), NID_subject_alt_name, san));
  }
  if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) == 0) return OpenSslError("X509_sign");
  CertKeyPair out;
  KT_ASSIGN_OR_RETURN(out.cert_pem, CertToPem(cert.get()));
  KT_ASSIGN_OR_RETURN(out.key_pem, KeyToPem(key.get()));
  return out;
}

}  // namespace kt::net
