// Runs kaito-controller-manager: builds the HTTP Kubernetes client and the ARM client from the
// flags, installs Kaito's default ConfigMaps, wires the Workspace controller, the GPU
// provisioner and the admission webhook into one controller-runtime Manager, and runs until
// SIGINT/SIGTERM (exit 0) or until the lease is lost (exit 1, to be restarted).
#ifndef KT_CMD_KAITO_CONTROLLER_MANAGER_RUN_MANAGER_H_
#define KT_CMD_KAITO_CONTROLLER_MANAGER_RUN_MANAGER_H_

#include "cmd/kaito-controller-manager/manager_flags.h"

namespace kt::cm {

int RunManager(const ManagerFlags& flags);

}  // namespace kt::cm

#endif  // KT_CMD_KAITO_CONTROLLER_MANAGER_RUN_MANAGER_H_
