// How AKS names and describes the VMs of an agent pool: VMSS and computer names, providerIDs,
// node addresses, the Node label set, taints, capacity and allocatable (AKS's reservations).
// Pure, deterministic functions of their arguments (identifiers that look random, such as
// machine IDs, are hashes of the VM's resource ID); thread-safe.
#ifndef KT_SIM_CLOUD_VM_IDENTITY_H_
#define KT_SIM_CLOUD_VM_IDENTITY_H_

#include <string>
#include <string_view>

#include "sim/cloud/agent_pool_spec.h"
#include "sim/cloud/cloud_config.h"
#include "sim/cloud/vm_observer.h"

namespace kt::sim::cloud {

// The 8 decimal digits AKS derives from the cluster and puts in every VMSS name.
std::string ClusterNameHash(const ClusterIdentity& cluster);
// "aks-<pool>-<hash>-vmss".
std::string ScaleSetName(const ClusterIdentity& cluster, std::string_view pool);
// "<scale set><instance id in base 36, 6 digits>": "aks-gpu1-12345678-vmss00000a".
std::string VmComputerName(std::string_view scale_set, int instance_id);
// "azure:///subscriptions/<sub>/resourceGroups/<node rg, lower case>/providers/
// Microsoft.Compute/virtualMachineScaleSets/<scale set>/virtualMachines/<instance id>".
std::string VmProviderId(const ClusterIdentity& cluster, std::string_view scale_set,
                         int instance_id);
// The `index`-th node address counting from cluster.node_ip_base.
std::string NodeInternalIp(const ClusterIdentity& cluster, int64_t index);

// Everything about one VM of `spec` except the times.
VmInfo DescribeVm(const CloudConfig& config, const AgentPoolSpec& spec, int instance_id,
                  std::string_view zone, int64_t ip_index);

}  // namespace kt::sim::cloud

#endif  // KT_SIM_CLOUD_VM_IDENTITY_H_
