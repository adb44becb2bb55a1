// DefaultsAdmission: the defaulting and admission behaviour kube-apiserver applies to the
// workload kinds the cluster twin runs, which the in-memory API server leaves to this layer
// (registered into its AdmissionChain by the Cluster):
//   - Pod (and every pod template): restartPolicy Always, enableServiceLinks, priority 0 /
//     preemptionPolicy, serviceAccountName "default", securityContext {}; per container
//     imagePullPolicy (Always for ":latest" or untagged, else IfNotPresent),
//     terminationMessagePath/Policy, requests copied from limits where missing, probe defaults
//     (timeoutSeconds 1, periodSeconds 10, successThreshold 1, failureThreshold 3, scheme HTTP);
//   - DefaultTolerationSeconds (pod CREATE): node.kubernetes.io/not-ready and
//     node.kubernetes.io/unreachable NoExecute tolerations for 300 s unless already tolerated;
//   - Deployment: strategy RollingUpdate 25%/25%; StatefulSet: updateStrategy RollingUpdate
//     (partition 0), persistentVolumeClaimRetentionPolicy Retain/Retain;
//   - Job (CREATE): parallelism/completions 1 when unset, completionMode NonIndexed, suspend
//     false, podReplacementPolicy TerminatingOrFailed, and the generated selector
//     (batch.kubernetes.io/controller-uid) with the pod template labels controller-uid,
//     batch.kubernetes.io/controller-uid, job-name, batch.kubernetes.io/job-name.
// Idempotent: defaults never overwrite what a client set.
// Thread-safety: stateless; safe from any thread.
#ifndef KT_SIM_CLUSTER_DEFAULTS_ADMISSION_H_
#define KT_SIM_CLUSTER_DEFAULTS_ADMISSION_H_

#include <string>

#include "sim/apiserver/admission.h"

namespace kt::sim::cluster {

class DefaultsAdmission final : public MutatingAdmissionPlugin {
 public:
  static constexpr char kName[] = "kaito-twin-cluster-defaults";
  // Seconds of the default not-ready/unreachable tolerations.
  explicit DefaultsAdmission(int64_t default_toleration_seconds = 300)
      : toleration_seconds_(default_toleration_seconds) {}
  std::string name() const override { return kName; }
  Status Admit(const AdmissionRequest& request, Json& object) override;
  // Only creates and updates of the main resource of pods (create), Deployments, ReplicaSets,
  // StatefulSets and Jobs are defaulted; status and other subresources never are.
  bool MayChange(const AdmissionRequest& request) const override;

  // Exposed for tests: defaults of a pod spec (pod.spec or template.spec).
  static void DefaultPodSpec(Json& spec);

 private:
  void DefaultTolerations(Json& spec) const;
  const int64_t toleration_seconds_;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_DEFAULTS_ADMISSION_H_
