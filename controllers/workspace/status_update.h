// StatusUpdate: the workspace status one reconcile computed from what it observed, and how it
// is written (Kaito's updateStatusConditionIfNotMatch + updateWorkspaceStatus, done once per
// reconcile for every condition together).
//
// Every condition carries the observedGeneration of the workspace the reconcile acted on.
// Setting WorkspaceSucceeded also sets WorkspaceReady to the same status, reason and message
// (the v0.1-v0.3.0 condition, so the seed's WORKSPACEREADY column still works).
// Write(): when the computed status differs from the cached object's, reads the workspace
// fresh, applies the conditions (lastTransitionTime moves only when a status flips) and
// status.workerNodes, and writes through the status subresource, retrying a bounded number of
// times on Conflict, Unavailable, Timeout and TooManyRequests. A workspace that is gone is not
// an error. Returns the conditions whose status or reason changed, for events.
//
// Not thread-safe; one per reconcile.
#ifndef KT_CONTROLLERS_WORKSPACE_STATUS_UPDATE_H_
#define KT_CONTROLLERS_WORKSPACE_STATUS_UPDATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/kube_client.h"
#include "api/object.h"
#include "base/json_fwd.h"
#include "base/status.h"
#include "base/time.h"

namespace kt::workspace {

class StatusUpdate {
 public:
  explicit StatusUpdate(int64_t observed_generation) : generation_(observed_generation) {}

  void Set(std::string_view type, std::string_view status, std::string_view reason,
           std::string_view message);
  void SetWorkerNodes(std::vector<std::string> nodes);  // sorted by the callee

  const api::Condition* Find(std::string_view type) const;
  bool IsTrue(std::string_view type) const;
  bool empty() const { return conditions_.empty() && !worker_nodes_; }
  // The worker nodes this reconcile selected; null when it did not get that far.
  const std::vector<std::string>* worker_nodes() const {
    return worker_nodes_ ? &*worker_nodes_ : nullptr;
  }

  // Applies everything to a Workspace object; true when it changed.
  bool ApplyTo(Json& workspace, Time now) const;

  // `cached`: the object the reconcile saw (compared first to skip needless writes).
  // `changed` (may be null) receives the conditions whose status or reason changed.
  Status Write(api::KubeClient& client, const Json& cached, Time now, int attempts_max,
               std::vector<api::Condition>* changed) const;

 private:
  int64_t generation_;
  std::map<std::string, api::Condition, std::less<>> conditions_;
  std::optional<std::vector<std::string>> worker_nodes_;
};

}  // namespace kt::workspace

#endif  // KT_CONTROLLERS_WORKSPACE_STATUS_UPDATE_H_
