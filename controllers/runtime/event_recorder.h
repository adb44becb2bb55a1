// EventRecorder: writes core/v1 Events about objects, as client-go's record.EventRecorder
// does, so `kubectl describe workspace` shows what the controllers did.
//
// An Event carries involvedObject {kind, namespace, name, uid, apiVersion, resourceVersion},
// reason, message, type (Normal | Warning), source {component, host}, firstTimestamp,
// lastTimestamp, count, reportingComponent and reportingInstance; it lives in the involved
// object's namespace ("default" for cluster-scoped objects) and is named
// "<object name>.<hex nanoseconds>" (unique per recorder even when virtual time stands still).
// Repeats are aggregated and rate-limited by the EventCorrelator (event_correlator.h).
//
// Event() never blocks the reconciler: it stamps the event and queues it; the recorder's
// executor correlates and writes (SimEnv: as Env events; RealEnv: on its own thread). The
// queue holds queue_max events; beyond that new events are dropped, counted and logged. A
// failed write is logged and counted (Events are best-effort, as in client-go).
//
// Thread-safety: Event() from any thread (reconcile workers).
#ifndef KT_CONTROLLERS_RUNTIME_EVENT_RECORDER_H_
#define KT_CONTROLLERS_RUNTIME_EVENT_RECORDER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "api/kube_client.h"
#include "base/env.h"
#include "controllers/runtime/event_correlator.h"

namespace kt::ctrl {

class SerialExecutor;

enum class EventType { kNormal, kWarning };
std::string_view EventTypeName(EventType t);  // "Normal" | "Warning"

struct EventRecorderOptions {
  std::string component;  // source.component / reportingComponent, e.g. "workspace-controller"
  std::string instance;   // source.host / reportingInstance (pod or host name)
  size_t queue_max = 1000;
  EventCorrelatorOptions correlator;
};

class EventRecorder {
 public:
  struct Stats {
    uint64_t created = 0;
    uint64_t patched = 0;
    uint64_t spam_filtered = 0;
    uint64_t dropped_queue_full = 0;
    uint64_t write_errors = 0;
  };

  EventRecorder(Env& env, api::KubeClient& client, EventRecorderOptions options);
  ~EventRecorder();  // Stop()

  // `object` needs metadata.name (and uid, kind, apiVersion for a useful reference).
  void Event(const Json& object, EventType type, std::string_view reason, std::string_view message);

  // Returns once every event queued so far has been written (or failed). RealEnv: waits for
  // the recorder thread; SimEnv: writes them inline.
  void Flush();
  void Stop();
  Stats stats() const;

 private:
  void Drain();  // executor

  Env& env_;
  api::KubeClient& client_;
  EventRecorderOptions options_;
  EventCorrelator correlator_;  // executor-only
  mutable std::mutex mu_;
  std::deque<Json> queue_;      // guarded by mu_
  bool drain_posted_ = false;   // guarded by mu_
  int64_t last_name_nanos_ = 0; // guarded by mu_
  Stats stats_;                 // guarded by mu_
  std::unique_ptr<SerialExecutor> executor_;
};

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_EVENT_RECORDER_H_
