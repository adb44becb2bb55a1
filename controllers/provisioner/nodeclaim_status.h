// The NodeClaim's status conditions as Karpenter v1 keeps them: Launched, Registered and
// Initialized, and the root condition Ready computed from them.
//
//   - A new NodeClaim gets every condition Unknown / AwaitingReconciliation ("object is awaiting
//     reconciliation"), as Karpenter's status library initializes them; Kaito HEAD skips that
//     reason as benign.
//   - A condition set True carries its own type as reason and an empty message (Karpenter's
//     SetTrue); False/Unknown carry the reason and message given (the cloud's error for
//     Launched=False).
//   - Ready: True when all three are True; else False when any is False, otherwise Unknown,
//     with reason UnhealthyDependents and a message listing the dependents that are not True
//     ("Launched=False, Registered=Unknown").
//   - lastTransitionTime moves only when the status changes; observedGeneration is the
//     NodeClaim's metadata.generation.
//
// Functions over a NodeClaim JSON the caller owns (a copy of the cached object); each returns
// whether it changed anything. Thread-compatible.
#ifndef KT_CONTROLLERS_PROVISIONER_NODECLAIM_STATUS_H_
#define KT_CONTROLLERS_PROVISIONER_NODECLAIM_STATUS_H_

#include <optional>
#include <string_view>

#include "api/object.h"
#include "base/json_fwd.h"
#include "base/time.h"

namespace kt::controllers::provisioner {

bool InitializeConditions(Json& nodeclaim, Time now);
bool SetConditionTrue(Json& nodeclaim, std::string_view type, Time now);
bool SetConditionFalse(Json& nodeclaim, std::string_view type, std::string_view reason,
                       std::string_view message, Time now);
bool SetConditionUnknown(Json& nodeclaim, std::string_view type, std::string_view reason,
                         std::string_view message, Time now);
// Recomputes Ready from Launched, Registered and Initialized.
bool UpdateReadyCondition(Json& nodeclaim, Time now);

bool IsTrue(const Json& nodeclaim, std::string_view type);
bool IsFalse(const Json& nodeclaim, std::string_view type);
// When `type` last changed status (its lastTransitionTime), if it is set and parses.
std::optional<Time> LastTransition(const Json& nodeclaim, std::string_view type);

}  // namespace kt::controllers::provisioner

#endif  // KT_CONTROLLERS_PROVISIONER_NODECLAIM_STATUS_H_
