// How far a workspace's workload has come, read from the status the cluster's controllers
// write (Kaito v0.4.6 resources.CheckResourceStatus, evaluated once per reconcile instead of
// polled).
//
//   Deployment   ready when the controller has observed the latest generation, every replica
//                runs the current template (updatedReplicas) and is ready; failed when
//                Progressing=False (ProgressDeadlineExceeded)
//   StatefulSet  ready when the latest generation is observed and readyReplicas >= replicas
//   Job          started when a pod is ready or one succeeded; succeeded when succeeded > 0 or
//                Complete=True; failed when Failed=True (Kaito v0.4.6 gave up at the first
//                failed pod although the Job itself retries up to its backoffLimit)
//
// Pure functions.
#ifndef KT_CONTROLLERS_WORKSPACE_WORKLOAD_STATUS_H_
#define KT_CONTROLLERS_WORKSPACE_WORKLOAD_STATUS_H_

#include <cstdint>
#include <string>

#include "base/json_fwd.h"

namespace kt::workspace {

struct WorkloadReadiness {
  bool ready = false;
  bool failed = false;
  std::string message;  // "1/2 replicas ready" or the failure
};
WorkloadReadiness ReadWorkload(const Json& deployment_or_statefulset);

struct JobProgress {
  int64_t active = 0;
  int64_t ready = 0;
  int64_t succeeded = 0;
  int64_t failed = 0;
  bool started = false;
  bool complete = false;
  bool failed_terminally = false;
  std::string message;  // the Failed condition's reason: message
};
JobProgress ReadJob(const Json& job);

}  // namespace kt::workspace

#endif  // KT_CONTROLLERS_WORKSPACE_WORKLOAD_STATUS_H_
