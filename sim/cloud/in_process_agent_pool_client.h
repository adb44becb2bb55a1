// InProcessAgentPoolClient: api::AgentPoolClient over a FakeAks in the same process - what a
// scenario hands the provisioner controller under SimEnv. Calls complete synchronously at the
// current (virtual) time; operation ids are FakeAks operation GUIDs.
//
// ARM mapping: BeginDelete of a pool that does not exist succeeds with an operation whose id is
// empty (ARM answers 204 No Content); Poll of an empty id reports Succeeded at once. Poll of an
// operation still running carries Retry-After (arm.poll_retry_after_s) in retry_after_seconds.
//
// Thread-safety: as FakeAks (any thread). The FakeAks must outlive the client.
#ifndef KT_SIM_CLOUD_IN_PROCESS_AGENT_POOL_CLIENT_H_
#define KT_SIM_CLOUD_IN_PROCESS_AGENT_POOL_CLIENT_H_

#include "api/cloud_client.h"
#include "sim/cloud/fake_aks.h"

namespace kt::sim::cloud {

class InProcessAgentPoolClient final : public api::AgentPoolClient {
 public:
  explicit InProcessAgentPoolClient(FakeAks& aks) : aks_(aks) {}

  Result<Json> Get(std::string_view name) override;
  Result<std::vector<Json>> List() override;
  Result<api::LongRunningOperation> BeginCreateOrUpdate(std::string_view name,
                                                        const Json& agent_pool) override;
  Result<api::LongRunningOperation> BeginDelete(std::string_view name) override;
  Result<api::OperationStatus> Poll(const api::LongRunningOperation& op) override;

 private:
  FakeAks& aks_;
};

// Converts a FakeAks operation to the api:: form (shared with the HTTP front end's tests).
api::OperationStatus ToOperationStatus(const OperationView& op, int retry_after_s);

}  // namespace kt::sim::cloud

#endif  // KT_SIM_CLOUD_IN_PROCESS_AGENT_POOL_CLIENT_H_
