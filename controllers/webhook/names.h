// Name and image-reference checks with apimachinery's and Kaito's wording.
//   IsDns1123Label / IsDns1123Subdomain: k8s.io/apimachinery/pkg/util/validation; the returned
//     strings are its messages ("must be no more than 63 characters", "a lowercase RFC 1123
//     label must consist of ..."); empty when valid.
//   CheckImageReference: Kaito v0.4's rule for tuning input/output and adapter images: a full
//     "<registry>/<repository>:<tag>" reference (regex ^(.+/[^:/]+):([^:/]+)$) whose repository
//     name (after the last '/') is lower-case.
// Pure functions.
#ifndef KT_CONTROLLERS_WEBHOOK_NAMES_H_
#define KT_CONTROLLERS_WEBHOOK_NAMES_H_

#include <string>
#include <string_view>
#include <vector>

namespace kt::webhook {

inline constexpr size_t kDns1123LabelLengthMax = 63;
inline constexpr size_t kDns1123SubdomainLengthMax = 253;

std::vector<std::string> IsDns1123Label(std::string_view value);
std::vector<std::string> IsDns1123Subdomain(std::string_view value);

enum class ImageCheck { kOk, kNotFullReference, kRepositoryNotLowercase };
ImageCheck CheckImageReference(std::string_view image);

// strings.Join(parts, sep).
std::string JoinStrings(const std::vector<std::string>& parts, std::string_view sep);

}  // namespace kt::webhook

#endif  // KT_CONTROLLERS_WEBHOOK_NAMES_H_
