// The fake AKS's Azure Resource Manager REST surface: turns one HTTP request into FakeAks
// calls and an ARM-shaped reply. No sockets here (ArmEndpoint serves it over HTTP), so the
// whole surface is testable under SimEnv.
//
// Served paths (fixed segments compared case-insensitively, as ARM does):
//   {cluster} = /subscriptions/{sub}/resourceGroups/{rg}/providers/
//               Microsoft.ContainerService/managedClusters/{cluster}
//   GET    {cluster}                          the managed cluster (agentPoolProfiles)
//   GET    {cluster}/agentPools               {"value":[agent pools]}
//   GET    {cluster}/agentPools/{name}        200 | 404 NotFound
//   PUT    {cluster}/agentPools/{name}        201 (create) | 200 (update), Azure-AsyncOperation
//   DELETE {cluster}/agentPools/{name}        202 + Location + Azure-AsyncOperation + Retry-After
//                                             | 204 when the pool does not exist
//   GET /subscriptions/{sub}/providers/Microsoft.ContainerService/locations/{region}/
//       operations/{id}         operation status {"name","status","startTime",...}
//       operationresults/{id}   202 while running; 200 pool / 204 when done; the error if not
//   GET /subscriptions/{sub}/providers/Microsoft.Compute/locations/{region}/usages
//                                             vCPU quota usage
// Every request needs ?api-version= (agentPools/cluster: one of arm.api_versions); errors are
// ARM error bodies {"error":{"code","message"}} with ARM's HTTP status and, for 429,
// Retry-After. Operation URLs in headers are absolute, built from the request's Host header.
//
// Thread-safety: stateless; safe from any thread (FakeAks locks).
#ifndef KT_SIM_CLOUD_ARM_HTTP_HANDLER_H_
#define KT_SIM_CLOUD_ARM_HTTP_HANDLER_H_

#include <string>

#include "base/net/http.h"
#include "sim/cloud/fake_aks.h"

namespace kt::sim::cloud {

struct ArmHandlerOptions {
  // When set, requests must carry "Authorization: Bearer <token>" (401 otherwise). Empty: any
  // or no Authorization header is accepted, like a local emulator.
  std::string bearer_token;
};

net::HttpResponse HandleArmRequest(FakeAks& aks, const ArmHandlerOptions& options,
                                   const net::HttpRequest& request);

// "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/
// managedClusters/{cluster}/agentPools".
std::string AgentPoolsPath(const ClusterIdentity& cluster);

}  // namespace kt::sim::cloud

#endif  // KT_SIM_CLOUD_ARM_HTTP_HANDLER_H_
