// Base64 (RFC 4648): kubeconfig *-data fields, AdmissionReview patches and caBundles, continue
// tokens, protobuf bytes fields, storageVersionHash. Encoding uses the standard alphabet with
// padding.
#ifndef KT_BASE_BASE64_H_
#define KT_BASE_BASE64_H_

#include <string>
#include <string_view>

#include "base/status.h"

namespace kt {

std::string Base64Encode(std::string_view data);

// Standard or URL-safe alphabet, padded or not; whitespace is ignored. BadRequest naming the
// offset on any other character or on data after padding, and on a truncated last group.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace kt

#endif  // KT_BASE_BASE64_H_
