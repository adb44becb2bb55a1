// The cluster part of `kaito-twin up`: the cluster twin (scheduler, controllers, kubelets,
// device plugin; sim/cluster) and the fake AKS with its ARM endpoint (sim/cloud) around the API
// server that up.cc serves. Booted VMs become Nodes with kubelets; everything runs on the
// RealEnv, optionally sped up (--speed 60: a 6-minute VM boot takes 6 s).
//
// Lifecycle (RunUp): construct after the ApiServer, Start() before printing, Stop() on
// Ctrl-C before the Env's loop stops; destroy after env.Join() (FakeAks and the cluster's
// pending timers reference the Env).
#ifndef KT_CMD_KAITO_TWIN_UP_CLUSTER_H_
#define KT_CMD_KAITO_TWIN_UP_CLUSTER_H_

#include <memory>
#include <string>
#include <vector>

#include "base/real_env.h"
#include "base/status.h"
#include "sim/apiserver/api_server.h"

namespace kt::sim::cloud {
class ArmEndpoint;
class FakeAks;
}  // namespace kt::sim::cloud
namespace kt::sim::cluster {
class Cluster;
}  // namespace kt::sim::cluster

namespace kt::twin {

struct UpClusterFlags {
  bool enabled = true;              // --no-cluster: serve the API server alone
  double speed = 1.0;               // --speed N: virtual seconds per wall second
  std::string arm_bind = "127.0.0.1";
  int arm_port = 0;                 // --arm-port N (0: a free port)
  std::string arm_token;            // --arm-token T (empty: no Authorization required)
  std::string cloud_config;         // --cloud-config FILE: YAML overlay on the AKS defaults
  std::string image_catalog;        // --images FILE: the kubelet's image facts
};

// If args[*i] is a cluster flag, parses it (advancing *i past its value) and returns true;
// sets *error on a bad value. Returns false for flags that are not the cluster's.
bool ParseUpClusterFlag(const std::vector<std::string>& args, size_t* i, UpClusterFlags* flags,
                        std::string* error);
std::string UpClusterUsage();

class UpCluster {
 public:
  UpCluster(RealEnv& env, sim::ApiServer& server, UpClusterFlags flags);
  ~UpCluster();

  Status Start();
  // Lines for stdout: the ARM endpoint and how to create an agent pool with curl.
  std::string Banner() const;
  void Stop();
  // The fake AKS (null before Start or with --no-cluster), for the in-process provisioner.
  sim::cloud::FakeAks* aks() { return aks_.get(); }

 private:
  RealEnv& env_;
  sim::ApiServer& server_;
  const UpClusterFlags flags_;
  std::unique_ptr<sim::cluster::Cluster> cluster_;
  std::unique_ptr<sim::cloud::FakeAks> aks_;
  std::unique_ptr<sim::cloud::ArmEndpoint> arm_;
};

}  // namespace kt::twin

#endif  // KT_CMD_KAITO_TWIN_UP_CLUSTER_H_
