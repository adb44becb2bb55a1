#include "sim/cloud/in_process_agent_pool_client.h"

namespace kt::sim::cloud {

api::OperationStatus ToOperationStatus(const OperationView& op, int retry_after_s) {
  api::OperationStatus s;
  switch (op.state) {
    case OperationState::kInProgress:
      s.state = api::OperationStatus::State::kInProgress;
      s.retry_after_seconds = retry_after_s;
      break;
    case OperationState::kSucceeded:
      s.state = api::OperationStatus::State::kSucceeded;
      break;
    case OperationState::kFailed:
      s.state = api::OperationStatus::State::kFailed;
      break;
    case OperationState::kCanceled:
      s.state = api::OperationStatus::State::kCanceled;
      break;
  }
  s.error = op.error;
  return s;
}

Result<Json> InProcessAgentPoolClient::Get(std::string_view name) {
  return aks_.GetAgentPool(name);
}

Result<std::vector<Json>> InProcessAgentPoolClient::List() { return aks_.ListAgentPools(); }

Result<api::LongRunningOperation> InProcessAgentPoolClient::BeginCreateOrUpdate(
    std::string_view name, const Json& agent_pool) {
  KT_ASSIGN_OR_RETURN(PutResult put, aks_.PutAgentPool(name, agent_pool));
  return api::LongRunningOperation{put.operation_id, std::string(name)};
}

Result<api::LongRunningOperation> InProcessAgentPoolClient::BeginDelete(std::string_view name) {
  KT_ASSIGN_OR_RETURN(DeleteResult del, aks_.DeleteAgentPool(name));
  return api::LongRunningOperation{del.operation_id, std::string(name)};
}

Result<api::OperationStatus> InProcessAgentPoolClient::Poll(const api::LongRunningOperation& op) {
  if (op.id.empty()) {
    api::OperationStatus done;
    done.state = api::OperationStatus::State::kSucceeded;
    return done;
  }
  KT_ASSIGN_OR_RETURN(OperationView view, aks_.GetOperation(op.id));
  return ToOperationStatus(view, aks_.arm().poll_retry_after_s);
}

}  // namespace kt::sim::cloud
