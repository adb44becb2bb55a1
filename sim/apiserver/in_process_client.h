// InProcessClient: the api::KubeClient of the twin — direct calls into an ApiServer, no HTTP.
// Under SimEnv every call completes at the current virtual time and watch events arrive
// through the Env loop, so a scenario stays deterministic. Faults of the server's fault sites
// surface here exactly as a real client would see them (Conflict, Unavailable, Timeout after an
// applied write, dropped or lagging watches).
//
// Like client-go, a namespaced Create/Update with an empty `ns` takes the object's
// metadata.namespace.
//
// Thread-safety: as ApiServer (any thread). Watch callbacks run on the Env loop, one at a time
// per watch.
#ifndef KT_SIM_APISERVER_IN_PROCESS_CLIENT_H_
#define KT_SIM_APISERVER_IN_PROCESS_CLIENT_H_

#include <memory>

#include "api/kube_client.h"
#include "sim/apiserver/api_server.h"

namespace kt::sim {

class InProcessClient final : public api::KubeClient {
 public:
  // `server` must outlive the client and its watches.
  explicit InProcessClient(ApiServer& server, RequestContext ctx = {});

  Result<Json> Get(const api::GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                   const api::GetOptions& options = {}) override;
  Result<Json> List(const api::GroupVersionResource& gvr, std::string_view ns,
                    const api::ListOptions& options = {}) override;
  Result<Json> Create(const api::GroupVersionResource& gvr, std::string_view ns, const Json& object,
                      const api::WriteOptions& options = {}) override;
  Result<Json> Update(const api::GroupVersionResource& gvr, std::string_view ns, const Json& object,
                      const api::WriteOptions& options = {}) override;
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

 private:
  ApiServer& server_;
  RequestContext ctx_;
};

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_IN_PROCESS_CLIENT_H_
