// The controllers part of `kaito-twin up`: by default the real Workspace controller and GPU
// provisioner run in-process (one Manager on the RealEnv, talking to the API server through the
// in-process client and to the fake AKS directly), with Kaito's webhook in the API server's
// admission chain and Kaito's default ConfigMaps installed. `--no-controllers` leaves all of it
// to an external kaito-controller-manager (which installs the ConfigMaps and can register its
// own HTTPS webhook).
//
// Lifecycle (RunUp): construct after UpCluster has started, Start() before printing, Stop()
// before the cluster stops; destroy before the API server.
#ifndef KT_CMD_KAITO_TWIN_UP_CONTROLLERS_H_
#define KT_CMD_KAITO_TWIN_UP_CONTROLLERS_H_

#include <memory>
#include <string>
#include <vector>

#include "base/real_env.h"
#include "base/status.h"
#include "sim/apiserver/api_server.h"

namespace kt::sim {
class InProcessClient;
}  // namespace kt::sim
namespace kt::sim::cloud {
class FakeAks;
class InProcessAgentPoolClient;
}  // namespace kt::sim::cloud
namespace kt::ctrl {
class Manager;
}  // namespace kt::ctrl
namespace kt::workspace {
class WorkspaceController;
}  // namespace kt::workspace
namespace kt::controllers::provisioner {
class Provisioner;
}  // namespace kt::controllers::provisioner

namespace kt::twin {

struct UpControllersFlags {
  bool enabled = true;  // --no-controllers: an external kaito-controller-manager does the work
};

// If args[*i] is a controllers flag, parses it and returns true.
bool ParseUpControllersFlag(const std::vector<std::string>& args, size_t* i, UpControllersFlags* flags);
std::string UpControllersUsage();

class UpControllers {
 public:
  // `aks` may be null (no cluster): then no provisioner runs.
  UpControllers(RealEnv& env, sim::ApiServer& server, sim::cloud::FakeAks* aks,
                UpControllersFlags flags);
  ~UpControllers();

  Status Start();
  std::string Banner() const;
  void Stop();

 private:
  RealEnv& env_;
  sim::ApiServer& server_;
  sim::cloud::FakeAks* aks_;
  const UpControllersFlags flags_;
  std::unique_ptr<sim::InProcessClient> client_;
  std::unique_ptr<sim::cloud::InProcessAgentPoolClient> cloud_;
  std::unique_ptr<ctrl::Manager> mgr_;
  std::unique_ptr<workspace::WorkspaceController> workspace_;
  std::unique_ptr<controllers::provisioner::Provisioner> provisioner_;
};

}  // namespace kt::twin

#endif  // KT_CMD_KAITO_TWIN_UP_CONTROLLERS_H_
