// JobController: kube-controller-manager's job controller (NonIndexed completion mode).
//   - Runs min(parallelism, completions - succeeded) pods at once (parallelism pods until the
//     first success when completions is unset), from the template (generateName "<job>-"),
//     with the batch.kubernetes.io/job-tracking finalizer; replacements for failed pods wait a
//     back-off (10 s doubling, at most 6 min).
//   - Counts finished pods exactly once through status.uncountedTerminatedPods and the
//     finalizer, as the real controller does (so pods deleted afterwards are still counted).
//   - backoffLimit: more failed pods than the limit (with restartPolicy OnFailure, container
//     restarts count too) fails the Job (Failed, BackoffLimitExceeded); activeDeadlineSeconds
//     fails it with DeadlineExceeded; either way its active pods are deleted.
//   - Complete (CompletionsReached) with completionTime when enough pods succeeded;
//     startTime on the first sync; status active, ready, terminating, succeeded, failed.
//   - suspend deletes active pods; ttlSecondsAfterFinished deletes the finished Job.
// Events: SuccessfulCreate "Created pod: <name>", SuccessfulDelete "Deleted pod: <name>",
// Completed "Job completed", BackoffLimitExceeded / DeadlineExceeded warnings.
//
// Thread-safety: under the ClusterLoop's lock. REQUIRES: constructed before informers start.
#ifndef KT_SIM_CLUSTER_JOB_CONTROLLER_H_
#define KT_SIM_CLUSTER_JOB_CONTROLLER_H_

#include <map>
#include <string>

#include "sim/apiserver/api_server.h"
#include "sim/cluster/cluster_loop.h"
#include "sim/cluster/event_recorder.h"
#include "sim/cluster/informer.h"
#include "sim/cluster/owned_pods.h"
#include "sim/cluster/work_queue.h"

namespace kt::sim::cluster {

class JobController {
 public:
  JobController(ClusterLoop& loop, ApiServer& server, Informer& jobs, Informer& pods,
                EventRecorder& events);
  void Stop() {
    queue_.Stop();
    orphans_.Stop();
  }

 private:
  ReconcileResult Reconcile(const std::string& key);
  // A finished or deleted pod whose Job is gone keeps no finalizer.
  ReconcileResult ReconcileOrphan(const std::string& pod_key);
  Status RemoveFinalizer(const Json& pod);
  Status WriteStatus(const Json& job, Json status);
  void DeleteActive(const Json& job, const std::vector<JsonPtr>& active);

  ClusterLoop& loop_;
  ApiServer& server_;
  Informer& jobs_;
  Informer& pods_;
  EventRecorder& events_;
  RequestContext ctx_;
  EventSource source_;
  std::map<std::string, JsonPtr> last_written_;  // job key -> our last status write
  std::map<std::string, Time> last_failure_;      // job key -> when a pod last failed
  OwnedPods owned_;
  WorkQueue queue_;
  WorkQueue orphans_;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_JOB_CONTROLLER_H_
