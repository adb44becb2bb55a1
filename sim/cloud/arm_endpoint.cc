#include "sim/cloud/arm_endpoint.h"

namespace kt::sim::cloud {

ArmEndpoint::ArmEndpoint(RealEnv& env, FakeAks& aks, ArmEndpointOptions options) : aks_(aks) {
  ArmHandlerOptions handler = std::move(options.handler);
  server_ = std::make_unique<net::HttpServer>(
      env, std::move(options.server),
      [this, handler](net::HttpRequest& request, std::shared_ptr<net::Exchange> exchange) {
        exchange->Respond(HandleArmRequest(aks_, handler, request));
      });
}

ArmEndpoint::~ArmEndpoint() { Stop(); }

Status ArmEndpoint::Start() { return server_->Start(); }

void ArmEndpoint::Stop() { server_->Stop(); }

uint16_t ArmEndpoint::port() const { return server_->port(); }

std::string ArmEndpoint::base_url() const { return server_->base_url(); }

std::string ArmEndpoint::agent_pools_url() const {
  return base_url() + AgentPoolsPath(aks_.cluster());
}

}  // namespace kt::sim::cloud
