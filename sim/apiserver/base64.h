// Base64 (RFC 4648, standard alphabet with padding): AdmissionReview patches, continue tokens,
// kubeconfig certificate data.
#ifndef KT_SIM_APISERVER_BASE64_H_
#define KT_SIM_APISERVER_BASE64_H_

#include <string>
#include <string_view>

#include "base/status.h"

namespace kt::sim {

std::string Base64Encode(std::string_view data);
// Accepts padded or unpadded input; whitespace is ignored. BadRequest on other characters.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_BASE64_H_
