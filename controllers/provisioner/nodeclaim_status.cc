#include "controllers/provisioner/nodeclaim_status.h"

#include <string>

#include "base/json.h"
#include "controllers/provisioner/well_known.h"

namespace kt::controllers::provisioner {
namespace {

constexpr std::string_view kDependents[] = {kConditionLaunched, kConditionRegistered,
                                            kConditionInitialized};

bool Set(Json& nodeclaim, std::string_view type, std::string_view status, std::string_view reason,
         std::string_view message, Time now) {
  api::Condition c;
  c.type = std::string(type);
  c.status = std::string(status);
  c.reason = std::string(reason);
  c.message = std::string(message);
  c.observed_generation = api::Generation(nodeclaim);
  return api::SetCondition(nodeclaim, c, now);
}

std::string StatusOf(const Json& nodeclaim, std::string_view type) {
  auto c = api::FindCondition(nodeclaim, type);
  return c ? c->status : "Unknown";
}

}  // namespace

bool InitializeConditions(Json& nodeclaim, Time now) {
  bool changed = false;
  for (std::string_view type : {kConditionLaunched, kConditionRegistered, kConditionInitialized,
                                kConditionReady}) {
    if (api::FindCondition(nodeclaim, type)) continue;
    changed |= Set(nodeclaim, type, "Unknown", kReasonAwaitingReconciliation,
                   kMessageAwaitingReconciliation, now);
  }
  return changed;
}

bool SetConditionTrue(Json& nodeclaim, std::string_view type, Time now) {
  return Set(nodeclaim, type, "True", type, "", now);
}

bool SetConditionFalse(Json& nodeclaim, std::string_view type, std::string_view reason,
                       std::string_view message, Time now) {
  return Set(nodeclaim, type, "False", reason, message, now);
}

bool SetConditionUnknown(Json& nodeclaim, std::string_view type, std::string_view reason,
                         std::string_view message, Time now) {
  return Set(nodeclaim, type, "Unknown", reason, message, now);
}

bool UpdateReadyCondition(Json& nodeclaim, Time now) {
  std::string unhealthy;
  bool any_false = false;
  for (std::string_view type : kDependents) {
    const std::string status = StatusOf(nodeclaim, type);
    if (status == "True") continue;
    any_false |= status == "False";
    if (!unhealthy.empty()) unhealthy += ", ";
    unhealthy += std::string(type) + "=" + status;
  }
  if (unhealthy.empty()) return SetConditionTrue(nodeclaim, kConditionReady, now);
  return Set(nodeclaim, kConditionReady, any_false ? "False" : "Unknown",
             kReasonUnhealthyDependents, unhealthy, now);
}

bool IsTrue(const Json& nodeclaim, std::string_view type) {
  return StatusOf(nodeclaim, type) == "True";
}

bool IsFalse(const Json& nodeclaim, std::string_view type) {
  return StatusOf(nodeclaim, type) == "False";
}

std::optional<Time> LastTransition(const Json& nodeclaim, std::string_view type) {
  auto c = api::FindCondition(nodeclaim, type);
  if (!c || c->last_transition_time.empty()) return std::nullopt;
  auto t = ParseRfc3339(c->last_transition_time);
  if (!t.ok()) return std::nullopt;
  return *t;
}

}  // namespace kt::controllers::provisioner
