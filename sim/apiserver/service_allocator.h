// ServiceAllocator: ClusterIPs and NodePorts for Services, as kube-apiserver's allocators hand
// them out. ClusterIPs come from a loopback CIDR (default 127.10.0.0/16) so the host can reach
// a service address; the network and broadcast addresses are never used. Allocation is
// sequential from the last allocation (deterministic), skipping addresses in use; explicit
// requests are honoured when free and in range.
//
// Thread-safety: none; the ApiServer core's mutex guards it.
#ifndef KT_SIM_APISERVER_SERVICE_ALLOCATOR_H_
#define KT_SIM_APISERVER_SERVICE_ALLOCATOR_H_

#include <cstdint>
#include <set>
#include <string>

#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::sim {

class ServiceAllocator {
 public:
  // `cidr` like "127.10.0.0/16" (prefix 8..30). Invalid input is a KT_CHECK: options are code.
  ServiceAllocator(const std::string& cidr, int node_port_min, int node_port_max);

  // Fills spec.clusterIP(s), ipFamilies, ipFamilyPolicy and nodePorts of a Service being
  // created (or updated: `old` is the stored Service, whose allocations carry over).
  // Allocations are only reserved by Commit(); field errors come back as Invalid field errors.
  Status Assign(Json& service, const Json* old);
  // Reserves what `service` uses (after the write is committed) and frees what `old` used
  // and `service` no longer does. Either may be null.
  void Commit(const Json* old, const Json* service);

  bool InRange(const std::string& ip) const;
  size_t cluster_ips_in_use() const { return ips_.size(); }
  size_t node_ports_in_use() const { return node_ports_.size(); }

 private:
  Result<std::string> NextIp(const std::set<uint32_t>& taken_now);
  Result<int> NextNodePort(const std::set<int>& taken_now);

  uint32_t base_ = 0;   // network address
  uint32_t size_ = 0;   // addresses in the range
  uint32_t next_ip_offset_ = 1;
  int node_port_min_, node_port_max_;
  int next_node_port_;
  std::set<uint32_t> ips_;
  std::set<int> node_ports_;
};

// "a.b.c.d" <-> uint32; nullopt-like: returns false when malformed.
bool ParseIpv4(const std::string& text, uint32_t* out);
std::string FormatIpv4(uint32_t ip);

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_SERVICE_ALLOCATOR_H_
