// NodeClaimReconciler, step 2: launching the agent pool (see nodeclaim_reconciler.h).
#include "api/object.h"
#include "base/json.h"
#include "base/log.h"
#include "base/trace.h"
#include "controllers/provisioner/agent_pool_body.h"
#include "controllers/provisioner/cloud_errors.h"
#include "controllers/provisioner/node_match.h"
#include "controllers/provisioner/nodeclaim_reconciler.h"
#include "controllers/provisioner/nodeclaim_status.h"
#include "controllers/provisioner/well_known.h"

namespace kt::controllers::provisioner {
namespace {

using ctrl::ReconcileResult;

Status Retriable(const Status& cause, std::string message) {
  return Status(cause.ok() ? StatusCode::kUnavailable : cause.code(), std::move(message));
}

}  // namespace

bool NodeClaimReconciler::Launch(const Json& current, Json& next, ReconcileResult& result) {
  const std::string name = api::Name(current);
  if (IsTrue(current, kConditionLaunched)) {
    tracker_.Forget(name);
    return true;
  }
  if (IsFalse(current, kConditionLaunched) &&
      api::FindCondition(current, kConditionLaunched)->reason == kReasonInsufficientCapacity) {
    return false;  // terminal: Karpenter would have deleted it; Kaito reads it and gives up
  }
  auto body = AgentPoolBody(current);
  if (!body.ok()) {
    SetConditionFalse(next, kConditionLaunched, kReasonInvalidNodeClaim, body.status().message(),
                      mgr_.env().Now());
    events_.Event(current, ctrl::EventType::kWarning, "LaunchFailed", body.status().message());
    result = ctrl::TerminalError(body.status());
    return false;
  }
  std::optional<TrackedOperation> entry = tracker_.Get(name, api::Uid(current));
  if (entry && entry->kind != TrackedOperation::Kind::kCreate) {
    tracker_.Forget(name);  // a delete of an earlier life of this name; start over
    entry.reset();
  }
  if (!entry) return BeginCreate(current, *body, next, result);
  if (!entry->provider_id.empty()) {  // launched; the cache has not caught up yet
    next["status"]["providerID"] = entry->provider_id;
    SetConditionTrue(next, kConditionLaunched, mgr_.env().Now());
    return true;
  }
  if (!entry->pool_succeeded) {
    const bool done = entry->op.id.empty() ? WatchAdoptedCreate(current, *entry, next, result)
                                           : PollCreate(current, *entry, next, result);
    if (!done) return false;
  }
  return DetectJoin(current, *entry, next, result);
}

bool NodeClaimReconciler::BeginCreate(const Json& current, const Json& body, Json& next,
                                      ReconcileResult& result) {
  const std::string name = api::Name(current);
  const std::string vm_size = GetString(body, "properties.vmSize");
  auto op = cloud_.BeginCreateOrUpdate(name, body);
  if (!op.ok()) {
    if (ClassifyCreateError(op.status()) == CreateErrorKind::kCreateInProgress) {
      // PR #186: the create is already running (ours, from before a restart): wait for it.
      KT_LOG(INFO) << "nodeclaim " << name << ": create of agent pool already in progress, waiting";
      tracker_.Put(name, {TrackedOperation::Kind::kCreate, api::Uid(current), {}, false, 0});
      MarkCreating(next, vm_size);
      result = ReconcileResult::RequeueAfter(PollDelay(0));
      return false;
    }
    RecordLaunchFailure(current, op.status(), next, result);
    return false;
  }
  mgr_.env().trace().Record(mgr_.env().Now(), "provisioner.nodeclaim",
                            {{"nodeclaim", name}, {"action", "create_pool"}, {"vmSize", vm_size}});
  TrackedOperation entry{TrackedOperation::Kind::kCreate, api::Uid(current), *op, false, 0};
  if (op->id.empty()) {  // ARM said it is done already
    entry.pool_succeeded = true;
    tracker_.Put(name, entry);
    return DetectJoin(current, entry, next, result);
  }
  tracker_.Put(name, entry);
  MarkCreating(next, vm_size);
  result = ReconcileResult::RequeueAfter(PollDelay(0));
  return false;
}

bool NodeClaimReconciler::PollCreate(const Json& current, TrackedOperation& entry, Json& next,
                                     ReconcileResult& result) {
  const std::string name = api::Name(current);
  auto status = cloud_.Poll(entry.op);
  if (!status.ok()) {
    if (status.status().Is(StatusCode::kNotFound)) {
      tracker_.Forget(name);  // ARM forgot the operation: look at the pool afresh
      result = ReconcileResult::Requeue();
    } else if (status.status().Is(StatusCode::kTooManyRequests)) {
      result = ReconcileResult::RequeueAfter(PollDelay(status.status().retry_after_seconds()));
    } else {
      result = status.status().Annotate("polling agent pool create");
    }
    return false;
  }
  switch (status->state) {
    case api::OperationStatus::State::kInProgress:
      result = ReconcileResult::RequeueAfter(PollDelay(status->retry_after_seconds));
      return false;
    case api::OperationStatus::State::kSucceeded:
      entry.pool_succeeded = true;
      entry.join_attempts = 0;
      tracker_.Put(name, entry);
      return true;
    case api::OperationStatus::State::kFailed:
    case api::OperationStatus::State::kCanceled:
      break;
  }
  tracker_.Forget(name);
  Status error = status->error.ok() ? Unavailable("the agent pool operation was canceled")
                                    : status->error;
  RecordLaunchFailure(current, error, next, result);
  return false;
}

bool NodeClaimReconciler::WatchAdoptedCreate(const Json& current, TrackedOperation& entry,
                                             Json& next, ReconcileResult& result) {
  const std::string name = api::Name(current);
  auto pool = cloud_.Get(name);
  if (!pool.ok()) {
    if (IsPoolNotFound(pool.status())) {
      tracker_.Forget(name);  // it went away: create it ourselves next time
      result = ReconcileResult::Requeue();
    } else if (pool.status().Is(StatusCode::kTooManyRequests)) {
      result = ReconcileResult::RequeueAfter(PollDelay(pool.status().retry_after_seconds()));
    } else {
      result = pool.status().Annotate("reading agent pool");
    }
    return false;
  }
  const std::string state = GetString(*pool, "properties.provisioningState");
  if (state == "Succeeded") {
    entry.pool_succeeded = true;
    entry.join_attempts = 0;
    tracker_.Put(name, entry);
    return true;
  }
  if (state == "Failed") {
    tracker_.Forget(name);
    RecordLaunchFailure(current,
                        Unavailable("agent pool \"" + name + "\" is in provisioningState Failed")
                            .WithReason("ProvisioningFailed"),
                        next, result);
    return false;
  }
  MarkCreating(next, GetString(*pool, "properties.vmSize"));
  result = ReconcileResult::RequeueAfter(PollDelay(0));
  return false;
}

bool NodeClaimReconciler::DetectJoin(const Json& current, TrackedOperation& entry, Json& next,
                                     ReconcileResult& result) {
  const std::string name = api::Name(current);
  auto nodes = mgr_.cache().List(api::resources::kNodes, "", PoolNodeSelector(name));
  if (!nodes.ok()) {
    result = nodes.status();
    return false;
  }
  std::vector<const Json*> pool_nodes;
  for (const auto& n : *nodes) pool_nodes.push_back(n.get());
  std::string why;
  const Json* node = FindJoinedNode(pool_nodes, &why);
  if (node == nullptr) {
    ++entry.join_attempts;
    if (entry.join_attempts < options_.join_attempts_max) {
      tracker_.Put(name, entry);
      result = ReconcileResult::RequeueAfter(options_.join_retry_interval);
      return false;
    }
    tracker_.Forget(name);
    RecordLaunchFailure(current,
                        Unavailable("agent pool \"" + name + "\" succeeded but its node did not " +
                                    "join after " + std::to_string(entry.join_attempts) +
                                    " attempts: " + why)
                            .WithReason("NodeNotJoined"),
                        next, result);
    return false;
  }
  const std::string provider_id = GetString(*node, "spec.providerID");
  entry.provider_id = provider_id;
  tracker_.Put(name, entry);
  next["status"]["providerID"] = provider_id;
  SetConditionTrue(next, kConditionLaunched, mgr_.env().Now());
  mgr_.env().trace().Record(
      mgr_.env().Now(), "provisioner.nodeclaim",
      {{"nodeclaim", name}, {"action", "launched"}, {"providerID", provider_id}});
  return true;
}

void NodeClaimReconciler::RecordLaunchFailure(const Json& current, const Status& error,
                                              Json& next, ReconcileResult& result) {
  const std::string name = api::Name(current);
  const Time now = mgr_.env().Now();
  mgr_.env().trace().Record(now, "provisioner.nodeclaim",
                            {{"nodeclaim", name},
                             {"action", "launch_failed"},
                             {"code", std::string(error.reason())}});
  switch (ClassifyCreateError(error)) {
    case CreateErrorKind::kInsufficientCapacity: {
      const std::string message = InsufficientCapacityMessage(name, error);
      SetConditionFalse(next, kConditionLaunched, kReasonInsufficientCapacity, message, now);
      events_.Event(current, ctrl::EventType::kWarning, "InsufficientCapacityError", message);
      result = ctrl::TerminalError(Status(error.code(), message));
      return;
    }
    case CreateErrorKind::kThrottled: {
      const std::string message = CreateFailedMessage(name, error);
      SetConditionFalse(next, kConditionLaunched, kReasonLaunchFailed, message, now);
      result = ReconcileResult::RequeueAfter(
          std::max<Duration>(std::chrono::seconds(error.retry_after_seconds()),
                             options_.join_retry_interval));
      return;
    }
    case CreateErrorKind::kCreateInProgress:
    case CreateErrorKind::kRetriable:
      break;
  }
  const std::string message = CreateFailedMessage(name, error);
  SetConditionFalse(next, kConditionLaunched, kReasonLaunchFailed, message, now);
  events_.Event(current, ctrl::EventType::kWarning, "LaunchFailed", message);
  result = Retriable(error, message);
}

void NodeClaimReconciler::MarkCreating(Json& next, std::string_view vm_size) {
  SetConditionUnknown(next, kConditionLaunched, "AgentPoolCreating",
                      "creating agent pool \"" + api::Name(next) + "\" (" + std::string(vm_size) +
                          ")",
                      mgr_.env().Now());
}

}  // namespace kt::controllers::provisioner
