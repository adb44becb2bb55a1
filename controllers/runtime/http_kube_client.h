// HttpKubeClient: the KubeClient that talks to a real API server (or `kaito-twin up`) over
// HTTP/1.1 + TLS, configured by a RestConfig (kubeconfig or in-cluster).
//
// Requests: REST paths from GroupVersionResource::CollectionPath/ObjectPath, JSON bodies,
// the patch type as Content-Type, DeleteOptions as the DELETE body, query parameters for list
// and write options, `Authorization: Bearer` from the token (or token file, re-read every
// token_reread_period of Env time and after a 401), client certificates for mutual TLS.
// Error replies become Status values carrying the server's reason and message
// (StatusFromHttp); 429 keeps Retry-After.
//
// Watches: StartWatch opens a stream on a thread of the client's watch pool and waits for the
// response head, so a refused watch (403, 404, 410 ...) fails StartWatch itself. Events
// (newline-delimited JSON) are delivered on that thread; BOOKMARKs are delivered as events;
// an ERROR event ends the watch with its Status (410 -> Gone: relist); a dropped connection
// ends it with Unavailable; a clean server close with OK. At most watches_max streams run at
// once (each holds a thread); more are refused with Unavailable.
//
// Calls are synchronous and may come from any thread; up to connections_max requests run in
// parallel on keep-alive connections, more wait for a free one. RealEnv only: under SimEnv
// use the in-process client of sim/apiserver.
#ifndef KT_CONTROLLERS_RUNTIME_HTTP_KUBE_CLIENT_H_
#define KT_CONTROLLERS_RUNTIME_HTTP_KUBE_CLIENT_H_

#include <memory>
#include <string>
#include <string_view>

#include "api/kube_client.h"
#include "base/env.h"
#include "controllers/runtime/rest_config.h"

namespace kt::ctrl {

struct HttpKubeClientOptions {
  size_t connections_max = 4;
  size_t watches_max = 256;
  Duration token_reread_period = std::chrono::minutes(1);
  // A watch with no byte for this long (no event, no bookmark) counts as dropped; the
  // server's timeoutSeconds, when asked for, is added on top.
  Duration watch_idle_timeout = std::chrono::minutes(5);
};

// The Status for an error reply: reason and message from a metav1.Status body when there is
// one, else from the HTTP code and the body text.
Status StatusFromHttp(int http_code, std::string_view body, std::string_view retry_after_header = "");

class HttpKubeClient final : public api::KubeClient {
 public:
  static Result<std::unique_ptr<HttpKubeClient>> Create(Env& env, RestConfig config,
                                                        HttpKubeClientOptions options = {});
  ~HttpKubeClient() override;  // stops every watch

  Result<Json> Get(const api::GroupVersionResource& gvr, std::string_view ns,
                   std::string_view name, const api::GetOptions& options = {}) override;
  Result<Json> List(const api::GroupVersionResource& gvr, std::string_view ns,
                    const api::ListOptions& options = {}) override;
  Result<Json> Create(const api::GroupVersionResource& gvr, std::string_view ns,
                      const Json& object, const api::WriteOptions& options = {}) override;
  Result<Json> Update(const api::GroupVersionResource& gvr, std::string_view ns,
                      const Json& object, const api::WriteOptions& options = {}) override;
  Result<Json> Patch(const api::GroupVersionResource& gvr, std::string_view ns,
                     std::string_view name, api::PatchType type, std::string_view patch,
                     const api::WriteOptions& options = {}) override;
  Result<Json> Delete(const api::GroupVersionResource& gvr, std::string_view ns,
                      std::string_view name, const api::DeleteOptions& options = {}) override;
  Result<std::unique_ptr<api::Watch>> StartWatch(const api::GroupVersionResource& gvr,
                                                 std::string_view ns,
                                                 const api::ListOptions& options,
                                                 api::WatchHandler on_event,
                                                 api::WatchClosed on_closed) override;

  const RestConfig& config() const;

 private:
  struct Impl;
  explicit HttpKubeClient(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

// Query strings, exposed for tests.
std::string ListQuery(const api::ListOptions& options, bool watch);
std::string WriteQuery(const api::WriteOptions& options, bool is_apply);
std::string DeleteOptionsBody(const api::DeleteOptions& options);

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_HTTP_KUBE_CLIENT_H_
