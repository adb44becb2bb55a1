// SHA-256 (OpenSSL EVP), incremental and one-shot. Used for trace digests, Kaito's object
// naming (ControllerRevision hashes, NodeClaim names) and content hashes.
#ifndef KT_BASE_SHA256_H_
#define KT_BASE_SHA256_H_

#include <string>
#include <string_view>

namespace kt {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data);
  // Hex digest of everything so far; the hash can keep being updated afterwards.
  std::string HexDigest() const;

 private:
  void* ctx_;  // EVP_MD_CTX*
};

std::string Sha256Hex(std::string_view data);

}  // namespace kt

#endif  // KT_BASE_SHA256_H_
