// KubeletOptions: the timings and limits of the simulated kubelets, the NVIDIA device plugin
// and the node heartbeats. Defaults follow the kubelet's (nodeLeaseDurationSeconds 40, lease
// renewal every 10 s, nodeStatusReportFrequency 5 min, crash-loop back-off 10 s doubling to
// 5 min, serialized image pulls) except where noted.
//
// Heartbeat cost trade-off: every node renews its Lease every `lease_renew_interval` (one API
// write each: 5,000 nodes at 10 s = 500 writes per virtual second). Renewals are batched on
// `heartbeat_slots` timers per interval (not one timer per node). A longer interval means fewer
// writes but slower NotReady detection: the node lifecycle controller's grace period must stay
// above it (kube-controller-manager's default grace, 40 s, covers four 10 s renewals).
// `leases_enabled=false` turns Leases off entirely (nodes are then judged by their status
// heartbeats, every `node_status_report_interval`).
#ifndef KT_SIM_CLUSTER_KUBELET_OPTIONS_H_
#define KT_SIM_CLUSTER_KUBELET_OPTIONS_H_

#include <string>

#include "base/time.h"

namespace kt::sim::cluster {

struct KubeletOptions {
  // --- node registration, heartbeats ---
  // From registration (Ready=False, "container runtime network not ready") to Ready=True.
  Duration node_ready_delay = std::chrono::seconds(5);
  bool leases_enabled = true;
  int lease_duration_seconds = 40;
  Duration lease_renew_interval = std::chrono::seconds(10);
  int heartbeat_slots = 10;  // timers per renew interval shared by all nodes
  Duration node_status_report_interval = std::chrono::minutes(5);
  int node_images_max = 50;  // status.images entries (kubelet's nodeStatusMaxImages)

  // --- pod lifecycle ---
  Duration sandbox_create = std::chrono::seconds(1);
  Duration container_create = std::chrono::milliseconds(300);
  // Pulls of an image the node has, with imagePullPolicy Always (a manifest check).
  Duration image_registry_check = std::chrono::milliseconds(500);
  double image_pull_bytes_per_second = 20e6;  // calibrated on kaito#982, see data/images.yaml
  bool serialize_image_pulls = true;
  Duration image_pull_backoff_initial = std::chrono::seconds(10);
  Duration image_pull_backoff_max = std::chrono::minutes(5);
  Duration crash_backoff_initial = std::chrono::seconds(10);
  Duration crash_backoff_max = std::chrono::minutes(5);
  // A container that ran this long has its crash back-off reset.
  Duration crash_backoff_reset = std::chrono::minutes(10);
  // OOMKilled happens this far into the model load (a fraction of load_s).
  double oom_at_load_fraction = 0.6;

  // --- faults ---
  // A stopped kubelet (fault cluster.kubelet_stop) stays down for an exponential time with
  // this mean, then restarts.
  Duration kubelet_down_mean = std::chrono::minutes(10);
  // A crash injected by cluster.container_crash happens uniformly within this after start.
  Duration crash_within = std::chrono::minutes(5);

  // --- NVIDIA device plugin ---
  // Registration delay after the node is Ready: uniform in [min, max].
  Duration device_plugin_delay_min = std::chrono::seconds(15);
  Duration device_plugin_delay_max = std::chrono::seconds(45);
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_KUBELET_OPTIONS_H_
