// AdmissionReview handling for the Workspace webhooks: request JSON in, response JSON out.
//
// The manager's HTTPS webhook server mounts ServeAdmissionHttp (or calls ReviewAdmission) at
//   /validate/workspace.kaito.sh  - validating webhook "validation.workspace.kaito.sh" (Kaito's
//                                   path and name)
//   /default/workspace.kaito.sh   - defaulting webhook "defaulting.workspace.kaito.sh"
// and the twin's API server can call ReviewAdmission in-process with the same JSON it would
// POST. admission.k8s.io/v1 and v1beta1 reviews are accepted; the response echoes the review's
// apiVersion and the request uid.
//
// Denials look like Kaito's Knative webhook by default: allowed=false with
// status {status: Failure, reason: BadRequest, code: 400, message: "validation failed: ..."}.
// DenialStyle::kControllerRuntime answers as controller-runtime's admission.Denied does
// instead (code 403, reason Forbidden, message without the prefix). Warnings (GPU fit under
// kaito.sh/bypass-resource-checks) go in response.warnings. The defaulting webhook answers
// allowed=true with a base64 JSONPatch when a CRD default is missing.
//
// Thread-safety: re-entrant (see ValidationContext for the ConfigMapReader's requirement).
#ifndef KT_CONTROLLERS_WEBHOOK_ADMISSION_REVIEW_H_
#define KT_CONTROLLERS_WEBHOOK_ADMISSION_REVIEW_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "base/json_fwd.h"
#include "base/net/http.h"
#include "base/status.h"
#include "controllers/webhook/validation.h"

namespace kt::webhook {

inline constexpr std::string_view kValidatingPath = "/validate/workspace.kaito.sh";
inline constexpr std::string_view kDefaultingPath = "/default/workspace.kaito.sh";
inline constexpr std::string_view kValidatingWebhookName = "validation.workspace.kaito.sh";
inline constexpr std::string_view kDefaultingWebhookName = "defaulting.workspace.kaito.sh";
// Bodies above this are refused (413): the API server's objects are ~3 MiB at most, and a
// review carries two of them.
inline constexpr size_t kAdmissionReviewBytesMax = size_t{8} << 20;

enum class WebhookKind { kValidating, kDefaulting };
enum class DenialStyle { kKnative, kControllerRuntime };

struct AdmissionOptions {
  DenialStyle denial_style = DenialStyle::kKnative;
};

// The response AdmissionReview for `review`. BadRequest when the review itself is malformed
// (not an AdmissionReview, no request or uid); a request Kaito cannot decode (unknown kind,
// mistyped field) is a denial inside a well-formed response, as Knative answers it.
Result<Json> ReviewAdmission(WebhookKind kind, const Json& review, const ValidationContext& ctx,
                             const AdmissionOptions& options = {});

// HTTP front: POST with a JSON body to one of the two paths. 404 unknown path, 405 not POST,
// 413 too large, 415 not JSON, 400 malformed review; else 200 with the response review.
net::HttpResponse ServeAdmissionHttp(const net::HttpRequest& request, const ValidationContext& ctx,
                                     const AdmissionOptions& options = {});

}  // namespace kt::webhook

#endif  // KT_CONTROLLERS_WEBHOOK_ADMISSION_REVIEW_H_
