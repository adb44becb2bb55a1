#include "controllers/workspace/pod_failure.h"

#include <algorithm>

#include "api/object.h"
#include "base/json.h"
#include "controllers/kaito/conditions.h"

namespace kt::workspace {
namespace {

enum Severity { kEvicted = 0, kOom, kCrashLoop, kImagePull, kStartError, kUnschedulable };

bool IsOneOf(const std::string& s, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

std::string Suffix(const std::string& message) {
  return message.empty() ? "" : ": " + message;
}

void Consider(std::optional<PodFailure>& best, PodFailure f) {
  if (!best || f.severity < best->severity) best = std::move(f);
}

void CheckContainer(const std::string& pod, const Json& cs, std::optional<PodFailure>& best) {
  const std::string name = GetString(cs, "name");
  const bool ready = GetBool(cs, "ready");
  const std::string waiting = GetString(cs, "state.waiting.reason");
  const std::string waiting_msg = GetString(cs, "state.waiting.message");
  const int64_t restarts = GetInt(cs, "restartCount").value_or(0);
  const bool oom_now = GetString(cs, "state.terminated.reason") == "OOMKilled";
  const bool oom_last = GetString(cs, "lastState.terminated.reason") == "OOMKilled";
  const std::string prefix = "pod " + pod + " container " + name;
  if (!ready && (oom_now || oom_last)) {
    Consider(best, {std::string(kaito::kReasonContainerOOMKilled),
                    prefix + " was OOMKilled (exit code 137), restarted " +
                        std::to_string(restarts) + " times",
                    kOom});
    return;
  }
  if (waiting == "CrashLoopBackOff") {
    std::string last = GetString(cs, "lastState.terminated.reason");
    auto code = GetInt(cs, "lastState.terminated.exitCode");
    std::string detail = last.empty() ? "" : " (last exit: " + last +
                                                 (code ? ", code " + std::to_string(*code) : "") + ")";
    Consider(best, {std::string(kaito::kReasonContainerCrashLoopBackOff),
                    prefix + " is in CrashLoopBackOff, restarted " + std::to_string(restarts) +
                        " times" + detail + Suffix(waiting_msg),
                    kCrashLoop});
    return;
  }
  if (IsOneOf(waiting, {"ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull"})) {
    Consider(best, {std::string(kaito::kReasonImagePullError),
                    prefix + " cannot pull its image (" + waiting + ")" + Suffix(waiting_msg),
                    kImagePull});
    return;
  }
  if (IsOneOf(waiting, {"CreateContainerConfigError", "CreateContainerError", "RunContainerError"})) {
    Consider(best, {std::string(kaito::kReasonContainerStartError),
                    prefix + " failed to start (" + waiting + ")" + Suffix(waiting_msg),
                    kStartError});
  }
}

}  // namespace

std::optional<PodFailure> DetectPodFailure(const Json& pod) {
  if (api::IsDeleting(pod)) return std::nullopt;
  const std::string name = api::Name(pod);
  if (GetString(pod, "status.phase") == "Failed" && GetString(pod, "status.reason") == "Evicted") {
    return PodFailure{std::string(kaito::kReasonPodEvicted),
                      "pod " + name + " was evicted" + Suffix(GetString(pod, "status.message")),
                      kEvicted};
  }
  std::optional<PodFailure> best;
  for (std::string_view list : {"status.initContainerStatuses", "status.containerStatuses"}) {
    const Json* statuses = FindPath(pod, list);
    if (statuses == nullptr || !statuses->is_array()) continue;
    for (const Json& cs : *statuses) CheckContainer(name, cs, best);
  }
  if (best) return best;
  if (auto sched = api::FindCondition(pod, "PodScheduled")) {
    if (sched->status == "False" && sched->reason == "Unschedulable") {
      return PodFailure{std::string(kaito::kReasonUnschedulable),
                        "pod " + name + " cannot be scheduled" + Suffix(sched->message),
                        kUnschedulable};
    }
  }
  return std::nullopt;
}

std::optional<PodFailure> DetectPodsFailure(const std::vector<const Json*>& pods) {
  std::vector<const Json*> sorted = pods;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Json* a, const Json* b) { return api::Name(*a) < api::Name(*b); });
  std::optional<PodFailure> best;
  for (const Json* p : sorted) {
    if (auto f = DetectPodFailure(*p)) Consider(best, std::move(*f));
  }
  return best;
}

}  // namespace kt::workspace
