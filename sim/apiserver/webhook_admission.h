// Admission webhooks: which webhooks of the stored MutatingWebhookConfiguration /
// ValidatingWebhookConfiguration objects apply to a request (rules with operations, apiGroups,
// apiVersions, resources incl. subresources and wildcards, scope; namespaceSelector;
// objectSelector), and calling them over HTTPS with AdmissionReview v1 (caBundle trust,
// timeoutSeconds, failurePolicy Fail/Ignore, sideEffects and dry run, JSONPatch responses).
//
// Where a webhook is addressed by clientConfig.service, the twin resolves it (by the caller's
// `resolve_service`) from ApiServerOptions::webhook_service_urls ("ns/name:port" -> URL), else to
// https://<the Service's ClusterIP>:<port><path> (ClusterIPs are on a loopback range), verifying
// the certificate for "<name>.<namespace>.svc" as kube-apiserver does.
//
// Not modelled: matchConditions (CEL) are treated as matching, reinvocationPolicy IfNeeded is
// not re-run, matchPolicy Equivalent does not translate between versions.
//
// Thread-safety: MatchWebhooks is pure; WebhookCaller is thread-safe (calls block the calling
// thread; the API server makes them without holding its lock).
#ifndef KT_SIM_APISERVER_WEBHOOK_ADMISSION_H_
#define KT_SIM_APISERVER_WEBHOOK_ADMISSION_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/json_fwd.h"
#include "base/status.h"
#include "base/time.h"
#include "sim/apiserver/admission.h"

namespace kt::net {
class HttpClient;
}

namespace kt::sim {

struct WebhookCall {
  std::string name;           // the webhook's name ("vworkspace.kb.io")
  bool mutating = false;
  std::string url;            // full URL incl. path
  std::string ca_pem;         // from caBundle; "" = system trust
  std::string server_name;    // TLS verification name ("" = the URL's host)
  Duration timeout = std::chrono::seconds(10);
  bool fail_closed = true;    // failurePolicy Fail (the default)
  std::string side_effects;   // None, NoneOnDryRun, Some, Unknown
  Status resolve_error;       // the service could not be resolved (handled per failurePolicy)
};

// Resolves clientConfig.service to a URL: (namespace, name, port, path) -> "https://...".
using ServiceResolver = std::function<Result<std::string>(
    const std::string& ns, const std::string& name, int port, const std::string& path)>;

// The webhooks of `configs` (configuration objects of one kind, in name order) that apply to
// `request`. `namespace_object` is the request's Namespace (null for cluster-scoped requests).
std::vector<WebhookCall> MatchWebhooks(const std::vector<std::shared_ptr<const Json>>& configs,
                                       bool mutating, const AdmissionRequest& request,
                                       bool namespaced, const Json* namespace_object,
                                       const ServiceResolver& resolve_service);

class WebhookCaller {
 public:
  explicit WebhookCaller(uint64_t response_bytes_max);
  ~WebhookCaller();

  // Sends the AdmissionReview for `request` (with `review_uid`) and applies the answer: a denial
  // becomes the caller's error; a mutating webhook's JSONPatch is applied to `object`.
  Status Call(const WebhookCall& webhook, const AdmissionRequest& request,
              const std::string& review_uid, Json* object);

 private:
  Result<std::shared_ptr<net::HttpClient>> ClientFor(const std::string& origin,
                                                     const WebhookCall& webhook);
  uint64_t response_bytes_max_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<net::HttpClient>> clients_;  // guarded by mu_
};

// The AdmissionReview v1 request body the webhook receives.
Json AdmissionReviewJson(const AdmissionRequest& request, const std::string& uid);

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_WEBHOOK_ADMISSION_H_
