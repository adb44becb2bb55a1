// VmObserver: how the rest of the twin learns that the fake AKS booted, deleted or evicted a
// VM. sim/cluster implements it (a kubelet per node, node heartbeats, the NVIDIA device plugin
// publishing nvidia.com/gpu); until then sim/cloud's NodeRegistrar implements it by writing
// Node objects.
//
// Contract (what FakeAks guarantees to an observer):
//   - VmBooted(vm) fires once per VM, when the VM is running and its kubelet would register
//     the Node: after the SKU's provisioning delay (virtual time) from the PUT that created it.
//     The pool's operation turns Succeeded only after the last VM of the operation booted, so
//     an observer that creates the Node synchronously makes "operation Succeeded => Node
//     exists" hold, as on AKS.
//   - Exactly one of VmDeleted (the pool was deleted or scaled down) or VmEvicted (a Spot VM
//     was evicted) follows a VmBooted for the same vm_name. A VM deleted before it booted
//     produces no notification at all.
//   - Calls come from the Env's loop (a timer), in event order, never concurrently, and never
//     while FakeAks holds its lock: an observer may call back into FakeAks (Get, List, ...).
//   - The VmInfo reference is valid only during the call; copy what you keep.
// An observer must outlive the FakeAks it is registered with (or be removed first).
#ifndef KT_SIM_CLOUD_VM_OBSERVER_H_
#define KT_SIM_CLOUD_VM_OBSERVER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/time.h"
#include "sim/cloud/agent_pool_spec.h"

namespace kt::sim::cloud {

struct VmInfo {
  std::string pool;         // agent pool name, "gpu1"
  std::string vm_name;      // "aks-gpu1-12345678-vmss000000": computer name == Node name
  std::string scale_set;    // "aks-gpu1-12345678-vmss"
  int instance_id = 0;      // VMSS instance id (the /virtualMachines/<n> of providerID)
  std::string sku;          // canonical size name, "Standard_NC24ads_A100_v4"
  std::string region;       // "eastus"
  std::string zone;         // "" when the pool is not zonal, else "1".."3"
  std::string provider_id;  // "azure:///subscriptions/.../virtualMachines/0"
  std::string internal_ip;  // "10.224.0.4"
  bool spot = false;
  std::string mode;  // "System" | "User"

  // The complete Node label set AKS puts on the Node (agentpool,
  // kubernetes.azure.com/agentpool, node.kubernetes.io/instance-type, topology region/zone,
  // kubernetes.io/os/arch/hostname, beta.kubernetes.io/* legacy labels, ...) plus the pool's
  // nodeLabels.
  std::map<std::string, std::string> labels;
  std::vector<NodeTaint> taints;  // the pool's nodeTaints (+ the Spot taint on Spot pools)

  // Node capacity and allocatable as Kubernetes quantities: cpu, memory, ephemeral-storage,
  // pods. No nvidia.com/gpu: the device plugin publishes that after the Node is Ready.
  std::map<std::string, std::string> capacity;
  std::map<std::string, std::string> allocatable;

  // What the device plugin will need.
  int gpu_count = 0;
  std::string gpu_model;
  std::string gpu_vendor;  // "nvidia" | "amd" | ""
  int gpu_memory_gib_per_gpu = 0;

  // Node status.nodeInfo.
  std::string kubelet_version;  // "v1.30.6"
  std::string os_image;         // "Ubuntu 22.04.5 LTS"
  std::string kernel_version;
  std::string container_runtime_version;
  std::string machine_id;   // 32 hex digits, deterministic
  std::string system_uuid;  // UUID, deterministic
  std::string boot_id;      // UUID, deterministic

  Time allocated_at;  // PUT accepted (billing starts)
  Time booted_at;     // running (VmBooted time)
};

class VmObserver {
 public:
  virtual ~VmObserver() = default;
  virtual void VmBooted(const VmInfo& vm) = 0;
  virtual void VmDeleted(const VmInfo& vm) = 0;
  virtual void VmEvicted(const VmInfo& vm) = 0;
};

}  // namespace kt::sim::cloud

#endif  // KT_SIM_CLOUD_VM_OBSERVER_H_
