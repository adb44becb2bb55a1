// Classifies why an inference pod is not serving, from its status as the kubelet and the
// scheduler write it (Kaito HEAD detectInferencePodFailure, the fix for kaito#1493 / #931:
// "InferenceReady True while the pod crash-loops or OOM-restarts").
//
// Checked per pod, most severe first:
//   PodEvicted                 phase Failed with reason Evicted
//   ContainerOOMKilled         a not-ready container whose current or last termination was
//                              OOMKilled (wins over the CrashLoopBackOff it causes)
//   ContainerCrashLoopBackOff  a container waiting in CrashLoopBackOff
//   ImagePullError             a container waiting in ImagePullBackOff / ErrImagePull /
//                              InvalidImageName / ErrImageNeverPull
//   ContainerStartError        CreateContainerConfigError / CreateContainerError /
//                              RunContainerError
//   Unschedulable              PodScheduled=False with reason Unschedulable
// Init containers count like containers. Pods being deleted are ignored (old pods of a
// rollout). Over several pods the most severe failure wins, then the first pod by name.
//
// Pure functions.
#ifndef KT_CONTROLLERS_WORKSPACE_POD_FAILURE_H_
#define KT_CONTROLLERS_WORKSPACE_POD_FAILURE_H_

#include <optional>
#include <string>
#include <vector>

#include "base/json_fwd.h"

namespace kt::workspace {

struct PodFailure {
  std::string reason;   // one of the condition reasons above (controllers/kaito/conditions.h)
  std::string message;  // names the pod (and container) with the kubelet's/scheduler's words
  int severity = 0;     // lower is more severe
};

std::optional<PodFailure> DetectPodFailure(const Json& pod);
std::optional<PodFailure> DetectPodsFailure(const std::vector<const Json*>& pods);

}  // namespace kt::workspace

#endif  // KT_CONTROLLERS_WORKSPACE_POD_FAILURE_H_
