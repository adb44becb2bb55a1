// Helpers the workload controllers share, with kube-controller-manager's meanings:
// pod-template hashing (FNV-32a + rand.SafeEncodeString, as pod-template-hash and
// controller-revision-hash look), pods built from a template with a controller reference,
// intstr (int or percent) resolution, expectations (creations/deletions a controller made that
// its informer has not shown yet), and deployment-style conditions.
// Pure functions and small values; thread-safety: as their callers (the ClusterLoop's lock).
#ifndef KT_SIM_CLUSTER_CONTROLLER_UTIL_H_
#define KT_SIM_CLUSTER_CONTROLLER_UTIL_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "base/json_fwd.h"
#include "base/time.h"
#include "sim/cluster/json_ptr.h"

namespace kt::sim::cluster {

// The hash of a pod template (plus a collision count), encoded like Kubernetes' hashes:
// "7c5ddbdf54".
std::string TemplateHash(const Json& pod_template, int64_t collision_count = 0);
// rand.SafeEncodeString: maps each byte onto "bcdfghjklmnpqrstvwxz2456789".
std::string SafeEncodeString(std::string_view s);

// A pod from `pod_template` (metadata labels/annotations/finalizers and spec) owned by
// `owner` (controller reference). `name` set: that name; else generateName "<prefix>".
Json PodFromTemplate(const Json& owner, const Json& pod_template, const std::string& name,
                     const std::string& generate_name);

// An intstr value ("25%" or 3) against `total`: percentages round up or down as asked.
// Malformed values count as `fallback`.
int64_t ResolveIntOrPercent(const Json* value, int64_t total, bool round_up, int64_t fallback);

// Expectations of one controller, keyed by owner key. Satisfied when every expected creation
// and deletion was observed, or `ttl` passed since they were set (a lost event must not wedge
// the controller; kube-controller-manager uses 5 minutes).
class Expectations {
 public:
  explicit Expectations(Duration ttl = std::chrono::minutes(5)) : ttl_(ttl) {}
  void ExpectCreate(const std::string& owner, const std::string& pod_name, Time now);
  void ExpectDelete(const std::string& owner, const std::string& pod_name, Time now);
  void Created(const std::string& owner, const std::string& pod_name);
  void Deleted(const std::string& owner, const std::string& pod_name);
  bool Satisfied(const std::string& owner, Time now) const;
  void Forget(const std::string& owner) { by_owner_.erase(owner); }

 private:
  struct Entry {
    std::set<std::string> adds, dels;
    Time set_at;
  };
  Duration ttl_;
  std::map<std::string, Entry> by_owner_;
};

// Sets condition `type` in status.conditions the way the deployment controller's
// SetDeploymentCondition does: unchanged when status and reason are the same; the transition
// time kept when only the reason/message change; the condition moved to the end otherwise.
// Conditions carry lastUpdateTime (and lastTransitionTime). Returns true when changed.
bool SetWorkloadCondition(Json& status, const std::string& type, const std::string& cond_status,
                          const std::string& reason, const std::string& message, Time now,
                          bool force_update = false);
const Json* FindWorkloadCondition(const Json& status, const std::string& type);

// The newer of two versions of one object (by resourceVersion; either may be null): a
// controller's own last write can be newer than its informer's view.
JsonPtr NewerOf(const JsonPtr& a, const JsonPtr& b);

// The ordinal of a StatefulSet pod ("web-3" of "web" -> 3), or -1.
int64_t PodOrdinal(const std::string& set_name, const std::string& pod_name);

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_CONTROLLER_UTIL_H_
