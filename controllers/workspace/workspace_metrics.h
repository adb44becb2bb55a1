// kaito_workspace_count{phase}: how many workspaces are in each phase (Kaito v0.4.6
// pkg/workspace/controllers/metrics.go, refreshed every minute by a background loop). Phases:
//   deleting   metadata.deletionTimestamp set
//   succeeded  WorkspaceSucceeded=True
//   error      WorkspaceSucceeded=False with reason workspaceFailed
//   pending    everything else
// Pure counting plus the gauge update; the setup wires the periodic refresh.
#ifndef KT_CONTROLLERS_WORKSPACE_WORKSPACE_METRICS_H_
#define KT_CONTROLLERS_WORKSPACE_WORKSPACE_METRICS_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/json_fwd.h"

namespace kt::ctrl {
class MetricsRegistry;
}  // namespace kt::ctrl

namespace kt::workspace {

inline constexpr std::string_view kWorkspaceCountMetric = "kaito_workspace_count";

std::string_view WorkspacePhase(const Json& workspace);
// Counts per phase; every phase is present (0 when none).
std::map<std::string, int64_t> CountWorkspacePhases(const std::vector<const Json*>& workspaces);
void PublishWorkspaceCounts(ctrl::MetricsRegistry& metrics,
                            const std::map<std::string, int64_t>& counts);

}  // namespace kt::workspace

#endif  // KT_CONTROLLERS_WORKSPACE_WORKSPACE_METRICS_H_
