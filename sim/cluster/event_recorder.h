// EventRecorder: core/v1 Events as Kubernetes components write them (client-go's recorder):
// involvedObject (apiVersion, kind, namespace, name, uid, resourceVersion, fieldPath), reason,
// message, type Normal|Warning, source {component, host}, first/lastTimestamp, count,
// reportingComponent/Instance. Events of cluster-scoped objects (Nodes) go to "default".
//
// Like client-go's EventCorrelator, an identical event (same source, object, field path, type,
// reason and message) within `correlation_window` updates the existing Event's count and
// lastTimestamp instead of creating another object. Events are best effort: a failed write is
// dropped and counted (a real recorder gives up after a few retries too). Events older than
// `ttl` are deleted (kube-apiserver's --event-ttl, 1h).
//
// Thread-safety: every method runs under the ClusterLoop's lock.
#ifndef KT_SIM_CLUSTER_EVENT_RECORDER_H_
#define KT_SIM_CLUSTER_EVENT_RECORDER_H_

#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/json_fwd.h"
#include "sim/apiserver/api_server.h"
#include "sim/cluster/cluster_loop.h"

namespace kt::sim::cluster {

struct EventSource {
  std::string component;  // "default-scheduler", "kubelet", "deployment-controller", ...
  std::string host;       // node name for the kubelet, else ""
};

class EventRecorder {
 public:
  struct Options {
    bool enabled = true;
    Duration correlation_window = std::chrono::minutes(10);
    size_t correlation_entries_max = 4096;
    Duration ttl = std::chrono::hours(1);
    // Events tracked for TTL deletion at once; older ones are forgotten (left in the store).
    size_t ttl_entries_max = 1'000'000;
  };

  EventRecorder(ClusterLoop& loop, ApiServer& server, Options options);
  ~EventRecorder();

  // Records an event about `obj` (any object with apiVersion/kind/metadata).
  // `field_path` is e.g. "spec.containers{app}" for container events.
  void Record(const Json& obj, const EventSource& source, std::string_view type,
              std::string_view reason, std::string message, std::string_view field_path = "");
  void Normal(const Json& obj, const EventSource& source, std::string_view reason,
              std::string message, std::string_view field_path = "") {
    Record(obj, source, "Normal", reason, std::move(message), field_path);
  }
  void Warning(const Json& obj, const EventSource& source, std::string_view reason,
               std::string message, std::string_view field_path = "") {
    Record(obj, source, "Warning", reason, std::move(message), field_path);
  }

  bool enabled() const { return options_.enabled; }
  struct Stats {
    uint64_t created = 0;
    uint64_t aggregated = 0;  // count bumps of an existing Event
    uint64_t dropped = 0;     // failed writes
    uint64_t expired = 0;     // deleted after the TTL
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Recent {
    std::string ns;
    std::string name;
    int64_t count = 0;
    Time last;
    std::list<const std::string*>::iterator lru;
  };
  std::string NewName(const std::string& object_name);
  // Drops a correlation entry with its LRU position and its event's back reference.
  void Forget(std::unordered_map<std::string, Recent>::iterator it);
  void ScheduleSweep();
  void Sweep();

  ClusterLoop& loop_;
  ApiServer& server_;
  const Options options_;
  RequestContext ctx_;
  // Correlation key -> its Event. The other two point at these keys (a node's key does not move).
  std::unordered_map<std::string, Recent> recent_;
  std::unordered_map<std::string, const std::string*> recent_by_event_;  // "ns/name" -> key
  std::list<const std::string*> lru_;                                     // most recent first
  int64_t last_name_nanos_ = 0;
  struct Created {
    Time at;
    std::string ns;
    std::string name;
  };
  std::deque<Created> created_;  // in creation order, for the TTL
  ClusterLoop::TimerId sweep_timer_ = ClusterLoop::kNoTimer;
  Stats stats_;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_EVENT_RECORDER_H_
