// Certificates for the twin's own TLS endpoints: a self-signed CA generated at start-up and
// server certificates it issues (kaito-twin up's API server, the admission webhook, the fake
// ARM endpoint), plus client certificates for mutual TLS tests. OpenSSL, ECDSA P-256.
#ifndef KT_BASE_NET_TLS_CERTS_H_
#define KT_BASE_NET_TLS_CERTS_H_

#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace kt::net {

struct CertKeyPair {
  std::string cert_pem;
  std::string key_pem;
};

// A new self-signed CA valid for `validity` from `not_before`.
Result<CertKeyPair> GenerateCa(const std::string& common_name, Time not_before, Duration validity);

struct CertRequest {
  std::string common_name;
  std::vector<std::string> organizations;  // O= (Kubernetes groups for client certs)
  std::vector<std::string> dns_names;      // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;   // subjectAltName IP entries ("127.0.0.1")
  bool server = true;                      // serverAuth, else clientAuth
  Time not_before;
  Duration validity = std::chrono::hours(24 * 365);
};

// A leaf certificate signed by `ca`.
Result<CertKeyPair> IssueCert(const CertKeyPair& ca, const CertRequest& request);

}  // namespace kt::net

#endif  // KT_BASE_NET_TLS_CERTS_H_
