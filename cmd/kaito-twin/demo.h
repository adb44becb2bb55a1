// `kaito-twin demo`: the user's quick start in virtual time (scenarios/quickstart.h). Applies
// examples/inference/kaito_workspace_phi_3.yaml (or --example FILE) to a fresh deterministic
// world, prints the timeline (virtual time, events, condition transitions), the `kubectl get
// workspace` table, the Service's cluster IP, the cleanup after `kubectl delete workspace`, and
// seed= / digest= (same seed, same digest). Finishes in seconds of wall time.
#ifndef KT_CMD_KAITO_TWIN_DEMO_H_
#define KT_CMD_KAITO_TWIN_DEMO_H_

#include <string>
#include <vector>

namespace kt::twin {

std::string DemoUsage();
// argv after "demo". Returns the process exit code: 0 when the workspace became ready and
// (unless --keep) everything was cleaned up, 1 otherwise, 2 on bad flags.
int RunDemo(const std::vector<std::string>& args);

}  // namespace kt::twin

#endif  // KT_CMD_KAITO_TWIN_DEMO_H_
