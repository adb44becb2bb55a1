#include "controllers/workspace/workspace_metrics.h"

#include "api/object.h"
#include "controllers/kaito/conditions.h"
#include "controllers/runtime/metrics.h"

namespace kt::workspace {

std::string_view WorkspacePhase(const Json& workspace) {
  if (api::IsDeleting(workspace)) return "deleting";
  auto c = api::FindCondition(workspace, kaito::kConditionWorkspaceSucceeded);
  if (c && c->status == "True") return "succeeded";
  if (c && c->status == "False" && c->reason == kaito::kReasonWorkspaceFailed) return "error";
  return "pending";
}

std::map<std::string, int64_t> CountWorkspacePhases(const std::vector<const Json*>& workspaces) {
  std::map<std::string, int64_t> counts = {
      {"deleting", 0}, {"error", 0}, {"pending", 0}, {"succeeded", 0}};
  for (const Json* ws : workspaces) ++counts[std::string(WorkspacePhase(*ws))];
  return counts;
}

void PublishWorkspaceCounts(ctrl::MetricsRegistry& metrics,
                            const std::map<std::string, int64_t>& counts) {
  for (const auto& [phase, n] : counts) {
    metrics
        .GetGauge(kWorkspaceCountMetric, "Number of Workspaces in each phase",
                  {{"phase", phase}})
        .Set(static_cast<double>(n));
  }
}

}  // namespace kt::workspace
