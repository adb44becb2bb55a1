// The user's quick start as a scenario, in virtual time: apply an example workspace (the Phi-3
// one by default) to a fresh World, run until WorkspaceReady (or WorkspaceSucceeded for tuning)
// is True, read the Service's cluster IP and the `kubectl get workspace` table, then delete the
// workspace and run until its NodeClaim, agent pool and Node are gone. `kaito-twin demo` prints
// the report; tests assert on it. Same options and seed -> same report and trace digest.
//
// Thread-safety: RunQuickStart builds its own World and shares nothing; REQUIRES the working
// directory to be the source tree (examples/, deploy/crds) unless the paths are absolute.
#ifndef KT_SCENARIOS_QUICKSTART_H_
#define KT_SCENARIOS_QUICKSTART_H_

#include <cstdint>
#include <string>

#include "base/status.h"
#include "base/time.h"

namespace kt::scenarios {

struct QuickStartOptions {
  uint64_t seed = 1;
  std::string example = "examples/inference/kaito_workspace_phi_3.yaml";
  std::string crd_dir = "deploy/crds";
  std::string cloud_overlay;
  Duration ready_max{0};  // 0: 2 h for inference, 6 h for tuning (the Job trains for hours)
  Duration cleanup_max = std::chrono::minutes(30);
  bool delete_after = true;
};

struct QuickStartReport {
  uint64_t seed = 0;
  std::string workspace;
  bool tuning = false;
  bool ready = false;                 // WorkspaceReady (inference) / WorkspaceSucceeded (tuning)
  Duration time_to_ready{0};
  std::string table;                  // kubectl get workspace, when ready (or at the deadline)
  std::string cluster_ip;             // inference: the Service's spec.clusterIPs[0]
  bool deleted = false;               // delete_after: workspace, NodeClaims, pools, Nodes gone
  Duration time_to_clean{0};
  size_t nodeclaims_left = 0, pools_left = 0, nodes_left = 0;
  uint64_t reconciles = 0;
  uint64_t trace_lines = 0;
  std::string digest;                 // SHA-256 of the trace
  std::string timeline;               // Timeline::Render() until ready (or the deadline)
  std::string cleanup_timeline;       // from the delete on
};

// Errors: the example cannot be read or is refused (webhook/schema), or has no Workspace.
Result<QuickStartReport> RunQuickStart(const QuickStartOptions& options);

// The demo's text: timeline, table, cluster IP, cleanup and the digest.
std::string FormatQuickStartReport(const QuickStartReport& report);

}  // namespace kt::scenarios

#endif  // KT_SCENARIOS_QUICKSTART_H_
