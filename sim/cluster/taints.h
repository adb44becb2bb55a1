// Taints and tolerations as the scheduler, the taint-eviction controller and the node
// lifecycle controller read them (k8s.io/api/core/v1 ToleratesTaint semantics):
//   - a toleration with an effect matches only taints of that effect; an empty effect matches
//     all effects;
//   - an empty key with operator Exists matches every taint; otherwise keys must be equal;
//   - operator Exists ignores the value; Equal (or empty) requires equal values.
// Pure functions; thread-safe.
#ifndef KT_SIM_CLUSTER_TAINTS_H_
#define KT_SIM_CLUSTER_TAINTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/json_fwd.h"
#include "base/time.h"

namespace kt::sim::cluster {

struct Taint {
  std::string key;
  std::string value;
  std::string effect;  // NoSchedule | PreferNoSchedule | NoExecute
  std::optional<Time> time_added;
  Json ToJson() const;
};

struct Toleration {
  std::string key;
  std::string op = "Equal";  // Equal | Exists
  std::string value;
  std::string effect;  // "" = all effects
  std::optional<int64_t> toleration_seconds;

  bool Tolerates(const Taint& t) const;
};

std::vector<Taint> NodeTaints(const Json& node);        // spec.taints
std::vector<Toleration> PodTolerations(const Json& pod);  // spec.tolerations

// The first taint with effect NoSchedule or NoExecute that no toleration tolerates, or null.
const Taint* FirstUntoleratedScheduling(const std::vector<Taint>& taints,
                                        const std::vector<Toleration>& tolerations);
bool ToleratesAll(const std::vector<Toleration>& tolerations, const Taint& taint);

// Well-known taint keys.
inline constexpr char kTaintNotReady[] = "node.kubernetes.io/not-ready";
inline constexpr char kTaintUnreachable[] = "node.kubernetes.io/unreachable";
inline constexpr char kTaintUnschedulable[] = "node.kubernetes.io/unschedulable";

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_TAINTS_H_
