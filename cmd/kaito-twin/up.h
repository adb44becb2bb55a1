// `kaito-twin up`: the twin as a process. Today it serves the in-memory API server; later issues
// add the cluster twin, the fake AKS and the controllers to the same wiring (RunUp builds the
// parts in order and tears them down in reverse).
#ifndef KT_CMD_KAITO_TWIN_UP_H_
#define KT_CMD_KAITO_TWIN_UP_H_

#include <string>
#include <vector>

#include "cmd/kaito-twin/up_cluster.h"
#include "cmd/kaito-twin/up_controllers.h"

namespace kt::twin {

struct UpFlags {
  int port = 6443;
  std::string bind_address = "127.0.0.1";
  std::string kubeconfig = "kaito-twin.kubeconfig";
  bool insecure = false;
  std::vector<std::string> crd_paths;  // empty: deploy/crds next to the source tree, if found
  int version_minor = 32;
  int io_threads = 4;
  uint64_t seed = 0;
  std::string log_level = "info";
  UpClusterFlags cluster;  // the cluster twin and the fake AKS (up_cluster.h)
  UpControllersFlags controllers;  // Kaito's controllers in-process (up_controllers.h)
};

// Parses `up`'s flags (argv after "up"). Returns false and prints usage on bad input.
bool ParseUpFlags(const std::vector<std::string>& args, UpFlags* flags, std::string* error);
std::string UpUsage();

// Runs until SIGINT/SIGTERM. Returns the process exit code.
int RunUp(const UpFlags& flags);

}  // namespace kt::twin

#endif  // KT_CMD_KAITO_TWIN_UP_H_
