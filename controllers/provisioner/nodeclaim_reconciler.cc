#include "controllers/provisioner/nodeclaim_reconciler.h"

#include <algorithm>

#include "api/object.h"
#include "base/json.h"
#include "base/log.h"
#include "base/trace.h"
#include "controllers/kaito/sku_table.h"
#include "controllers/provisioner/agent_pool_body.h"
#include "controllers/provisioner/nodeclaim_status.h"
#include "controllers/provisioner/well_known.h"

namespace kt::controllers::provisioner {
namespace {

namespace res = api::resources;

// `result` made to come back no later than `d` (errors and immediate requeues already do).
void RequeueNoLaterThan(ctrl::ReconcileResult& result, Duration d) {
  if (!result.ok() || result.requeue()) return;
  if (result.requeue_after() > Duration(0) && result.requeue_after() <= d) return;
  result = ctrl::ReconcileResult::RequeueAfter(d);
}

// A launch that failed for good keeps its NodeClaim (Kaito reads the reason from it).
bool LaunchFailedTerminally(const Json& nodeclaim) {
  auto c = api::FindCondition(nodeclaim, kConditionLaunched);
  return c && c->status == "False" &&
         (c->reason == kReasonInsufficientCapacity || c->reason == kReasonInvalidNodeClaim);
}

}  // namespace

NodeClaimReconciler::NodeClaimReconciler(ctrl::Manager& mgr, api::AgentPoolClient& cloud,
                                         ProvisionerOptions options)
    : mgr_(mgr),
      cloud_(cloud),
      options_(std::move(options)),
      skus_(options_.skus != nullptr ? *options_.skus : kaito::DefaultSkuTable()),
      events_(mgr.GetEventRecorderFor(std::string(kEventComponent))),
      tracker_(options_.tracked_operations_max) {}

bool NodeClaimReconciler::IsManaged(const Json& nodeclaim) const {
  return options_.node_class_groups.count(GetString(nodeclaim, "spec.nodeClassRef.group")) > 0;
}

Duration NodeClaimReconciler::PollDelay(int retry_after_seconds) const {
  return std::max<Duration>(options_.operation_poll_interval,
                            std::chrono::seconds(std::max(retry_after_seconds, 0)));
}

ctrl::ReconcileResult NodeClaimReconciler::Reconcile(const ctrl::Request& request) {
  auto cached = mgr_.cache().Get(res::kNodeClaims, "", request.name);
  if (!cached.ok()) {
    if (!cached.status().Is(StatusCode::kNotFound)) return cached.status();
    tracker_.Forget(request.name);
    return ctrl::ReconcileResult::Done();
  }
  const Json& nodeclaim = **cached;
  if (!IsManaged(nodeclaim)) return ctrl::ReconcileResult::Done();
  if (api::IsDeleting(nodeclaim)) return Terminate(nodeclaim);

  if (!api::HasFinalizer(nodeclaim, kTerminationFinalizer)) {
    // One write per pass: the update's watch event brings the NodeClaim back.
    Json with = nodeclaim;
    api::AddFinalizer(with, kTerminationFinalizer);
    auto updated = mgr_.client().Update(res::kNodeClaims, "", with);
    if (!updated.ok()) return updated.status().Annotate("adding finalizer");
    return ctrl::ReconcileResult::Done();
  }

  const Json& current = nodeclaim;
  Json next = current;
  InitializeConditions(next, mgr_.env().Now());
  ctrl::ReconcileResult result;
  if (Launch(current, next, result) && Register(current, next, result)) {
    Initialize(current, next, result);
  }
  UpdateReadyCondition(next, mgr_.env().Now());
  if (CheckLiveness(next, result)) return ctrl::ReconcileResult::Done();
  Status written = WriteStatus(current, next);
  if (!written.ok()) {
    // The cache was behind our own last write: look again (with back-off), not an error
    // (Karpenter's lifecycle controller does the same). Cloud calls above are idempotent.
    if (written.Is(StatusCode::kConflict)) return ctrl::ReconcileResult::Requeue();
    return written;
  }
  return result;
}

bool NodeClaimReconciler::CheckLiveness(const Json& next, ctrl::ReconcileResult& result) {
  if (IsTrue(next, kConditionRegistered) || LaunchFailedTerminally(next)) return false;
  const Time since = LastTransition(next, kConditionRegistered)
                         .value_or(api::CreationTimestamp(next).value_or(mgr_.env().Now()));
  const Duration left = since + options_.registration_ttl - mgr_.env().Now();
  if (left > Duration(0)) {
    RequeueNoLaterThan(result, left);
    return false;
  }
  const std::string name = api::Name(next);
  auto deleted = mgr_.client().Delete(res::kNodeClaims, "", name);
  if (!deleted.ok() && !deleted.status().Is(StatusCode::kNotFound)) {
    result = deleted.status().Annotate("deleting nodeclaim after registration ttl");
    return false;
  }
  const std::string ttl = HumanDuration(options_.registration_ttl);
  events_.Event(next, ctrl::EventType::kWarning, "RegistrationTimeout",
                "NodeClaim did not register a node within " + ttl + "; deleting it");
  KT_LOG(INFO) << "nodeclaim " << name << ": not registered within " << ttl << ", deleted";
  mgr_.env().trace().Record(mgr_.env().Now(), "provisioner.nodeclaim",
                            {{"nodeclaim", name}, {"action", "registration_ttl"}});
  return true;
}

Status NodeClaimReconciler::WriteStatus(const Json& current, const Json& next) {
  const Json* before = FindPath(current, "status");
  const Json* after = FindPath(next, "status");
  if ((before == nullptr && after == nullptr) || (before && after && *before == *after)) {
    return Status::Ok();
  }
  auto written = mgr_.client().Update(res::kNodeClaims, "", next, {.subresource = "status"});
  if (!written.ok()) return written.status().Annotate("writing nodeclaim status");
  return Status::Ok();
}

}  // namespace kt::controllers::provisioner
