// Base64 (RFC 4648, standard alphabet) for kubeconfig's *-data fields. Decoding ignores
// whitespace and accepts missing padding; anything else malformed is a BadRequest.
#ifndef KT_CONTROLLERS_RUNTIME_BASE64_H_
#define KT_CONTROLLERS_RUNTIME_BASE64_H_

#include <string>
#include <string_view>

#include "base/status.h"

namespace kt::ctrl {

std::string Base64Encode(std::string_view data);
Result<std::string> Base64Decode(std::string_view text);

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_BASE64_H_
