// ArmEndpoint: the fake AKS served over HTTP(S) on a RealEnv - what `kaito-twin up` prints as
// the ARM endpoint and what the provisioner's real ARM client (controllers/provisioner) talks
// to. A thin HttpServer around HandleArmRequest (arm_http_handler.h).
//
// Thread-safety: Start/Stop from any thread. REQUIRES: `aks` outlives the endpoint.
#ifndef KT_SIM_CLOUD_ARM_ENDPOINT_H_
#define KT_SIM_CLOUD_ARM_ENDPOINT_H_

#include <memory>
#include <string>

#include "base/net/http_server.h"
#include "base/real_env.h"
#include "sim/cloud/arm_http_handler.h"
#include "sim/cloud/fake_aks.h"

namespace kt::sim::cloud {

struct ArmEndpointOptions {
  net::HttpServerOptions server;  // bind address, port (0: any free), TLS
  ArmHandlerOptions handler;      // bearer token
};

class ArmEndpoint {
 public:
  ArmEndpoint(RealEnv& env, FakeAks& aks, ArmEndpointOptions options);
  ~ArmEndpoint();

  Status Start();
  void Stop();

  uint16_t port() const;
  // "http://127.0.0.1:PORT" (https with TLS): the ARM base URL, like
  // https://management.azure.com.
  std::string base_url() const;
  // base_url() + "/subscriptions/.../managedClusters/<name>/agentPools".
  std::string agent_pools_url() const;

 private:
  FakeAks& aks_;
  std::unique_ptr<net::HttpServer> server_;
};

}  // namespace kt::sim::cloud

#endif  // KT_SIM_CLOUD_ARM_ENDPOINT_H_
