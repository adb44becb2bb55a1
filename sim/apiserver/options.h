// ApiServerOptions: the limits and knobs of the in-memory API server. Every queue and window is
// bounded by one of these; names carry their units.
#ifndef KT_SIM_APISERVER_OPTIONS_H_
#define KT_SIM_APISERVER_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "base/time.h"

namespace kt::sim {

struct ApiServerOptions {
  // Change events kept for watch resume (one window shared by every resource, like etcd's
  // history). A watch from an older resourceVersion gets 410 Gone / ERROR Expired.
  size_t watch_window_events_max = 20'000;
  // Events queued for one watcher that it has not consumed yet. A watcher that falls further
  // behind is closed (kube-apiserver closes unresponsive watchers the same way).
  size_t watch_backlog_events_max = 10'000;
  // Watchers open at once (a further watch is refused with 429).
  size_t watchers_max = 100'000;
  // A watcher that asked for bookmarks gets one this long after the resourceVersion moved past
  // what it was last told (kube-apiserver sends them about once a minute).
  Duration bookmark_interval = std::chrono::seconds(60);
  // A paged list keeps its snapshot this long; a later continue token gets 410 Expired.
  Duration continue_token_ttl = std::chrono::minutes(5);
  size_t list_snapshots_max = 256;
  // Items one list page may hold when the client asks for more (or no limit: unbounded lists
  // are served whole, as kube-apiserver does).
  int64_t list_page_items_max = 10'000;

  // Service ClusterIPs come from a loopback range so the host can reach them.
  std::string service_cluster_ip_cidr = "127.10.0.0/16";
  int node_port_min = 30000;
  int node_port_max = 32767;

  bool create_default_namespaces = true;
  // Pods bound to a node are deleted gracefully (deletionTimestamp + grace period, the kubelet
  // removes them); unbound pods go at once, as on a real cluster.
  bool pod_graceful_deletion = true;

  // Admission webhooks addressed by clientConfig.service: "namespace/name:port" -> base URL
  // ("https://127.0.0.1:9443"). Services not listed resolve to https://<ClusterIP>:<port>.
  std::map<std::string, std::string> webhook_service_urls;
  uint64_t webhook_response_bytes_max = 8ull * 1024 * 1024;

  // GC and namespace-deletion work items waiting at once (a KT_CHECK past this: the queue only
  // grows with objects that exist).
  size_t controller_queue_items_max = 1'000'000;
};

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_OPTIONS_H_
