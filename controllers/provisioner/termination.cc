// NodeClaimReconciler, deletion: the agent pool goes, then the Node, then the finalizer (see
// nodeclaim_reconciler.h).
#include "api/object.h"
#include "base/json.h"
#include "base/log.h"
#include "base/trace.h"
#include "controllers/provisioner/cloud_errors.h"
#include "controllers/provisioner/node_match.h"
#include "controllers/provisioner/nodeclaim_reconciler.h"
#include "controllers/provisioner/well_known.h"

namespace kt::controllers::provisioner {
namespace {

namespace res = api::resources;
using ctrl::ReconcileResult;

}  // namespace

ReconcileResult NodeClaimReconciler::Terminate(const Json& nodeclaim) {
  if (!api::HasFinalizer(nodeclaim, kTerminationFinalizer)) return ReconcileResult::Done();
  const std::string name = api::Name(nodeclaim);
  const std::string uid = api::Uid(nodeclaim);
  std::optional<TrackedOperation> entry = tracker_.Get(name, uid);
  if (entry && entry->kind != TrackedOperation::Kind::kDelete) {
    tracker_.Forget(name);  // deleted mid-create: the DELETE below cancels the create
    entry.reset();
  }

  bool gone = false;
  if (entry) {
    auto status = cloud_.Poll(entry->op);
    if (!status.ok()) {
      if (status.status().Is(StatusCode::kNotFound)) {
        tracker_.Forget(name);
        return ReconcileResult::Requeue();
      }
      if (status.status().Is(StatusCode::kTooManyRequests)) {
        return ReconcileResult::RequeueAfter(PollDelay(status.status().retry_after_seconds()));
      }
      return status.status().Annotate("polling agent pool delete");
    }
    switch (status->state) {
      case api::OperationStatus::State::kInProgress:
        return ReconcileResult::RequeueAfter(PollDelay(status->retry_after_seconds));
      case api::OperationStatus::State::kSucceeded:
        gone = true;
        break;
      case api::OperationStatus::State::kFailed:
      case api::OperationStatus::State::kCanceled:
        tracker_.Forget(name);
        return Status(status->error.ok() ? StatusCode::kUnavailable : status->error.code(),
                      "agentPool.BeginDelete for \"" + name + "\" failed: " +
                          (status->error.ok() ? std::string("canceled") : status->error.message()));
    }
  } else {
    auto pool = cloud_.Get(name);
    if (!pool.ok() && !IsPoolNotFound(pool.status())) {
      if (pool.status().Is(StatusCode::kTooManyRequests)) {
        return ReconcileResult::RequeueAfter(PollDelay(pool.status().retry_after_seconds()));
      }
      return pool.status().Annotate("reading agent pool before delete");
    }
    if (!pool.ok()) {
      gone = true;
    } else if (GetString(*pool, "properties.provisioningState") == "Deleting") {
      // gpu-provisioner skips the DELETE of a pool already being deleted; wait for it to go.
      return ReconcileResult::RequeueAfter(PollDelay(0));
    } else {
      auto op = cloud_.BeginDelete(name);
      if (!op.ok()) {
        if (!IsPoolNotFound(op.status())) {
          if (op.status().Is(StatusCode::kTooManyRequests)) {
            return ReconcileResult::RequeueAfter(PollDelay(op.status().retry_after_seconds()));
          }
          return op.status().Annotate("agentPool.BeginDelete for \"" + name + "\"");
        }
        gone = true;
      } else if (op->id.empty()) {
        gone = true;
      } else {
        mgr_.env().trace().Record(mgr_.env().Now(), "provisioner.nodeclaim",
                                  {{"nodeclaim", name}, {"action", "delete_pool"}});
        tracker_.Put(name, {TrackedOperation::Kind::kDelete, uid, *op, false, 0});
        return ReconcileResult::RequeueAfter(PollDelay(0));
      }
    }
  }
  KT_CHECK(gone);
  tracker_.Forget(name);
  Status nodes = DeletePoolNodes(nodeclaim);
  if (!nodes.ok()) return nodes;
  Json next = nodeclaim;
  api::RemoveFinalizer(next, kTerminationFinalizer);
  auto updated = mgr_.client().Update(res::kNodeClaims, "", next);
  if (!updated.ok() && !updated.status().Is(StatusCode::kNotFound)) {
    return updated.status().Annotate("removing finalizer");
  }
  mgr_.env().trace().Record(mgr_.env().Now(), "provisioner.nodeclaim",
                            {{"nodeclaim", name}, {"action", "terminated"}});
  return ReconcileResult::Done();
}

Status NodeClaimReconciler::DeletePoolNodes(const Json& nodeclaim) {
  const std::string name = api::Name(nodeclaim);
  KT_ASSIGN_OR_RETURN(auto nodes,
                      mgr_.cache().List(res::kNodes, "", PoolNodeSelector(name)));
  KT_ASSIGN_OR_RETURN(ctrl::ObjectPtr by_id,
                      NodeByProviderId(GetString(nodeclaim, "status.providerID")));
  if (by_id != nullptr) nodes.push_back(by_id);
  for (const auto& node : nodes) {
    auto r = mgr_.client().Delete(res::kNodes, "", api::Name(*node));
    if (!r.ok() && !r.status().Is(StatusCode::kNotFound)) {
      return r.status().Annotate("deleting node " + api::Name(*node));
    }
  }
  return Status::Ok();
}

}  // namespace kt::controllers::provisioner
