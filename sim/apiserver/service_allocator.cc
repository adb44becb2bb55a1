#include "sim/apiserver/service_allocator.h"

#include <cstdio>

#include "base/check.h"
#include "base/json.h"

namespace kt::sim {

bool ParseIpv4(const std::string& text, uint32_t* out) {
  unsigned a, b, c, d;
  char tail;
  if (std::sscanf(text.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4) return false;
  if (a > 255 || b > 255 || c > 255 || d > 255) return false;
  *out = (a << 24) | (b << 16) | (c << 8) | d;
  return true;
}

std::string FormatIpv4(uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." +
         std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
}

ServiceAllocator::ServiceAllocator(const std::string& cidr, int node_port_min, int node_port_max)
    : node_port_min_(node_port_min), node_port_max_(node_port_max), next_node_port_(node_port_min) {
  size_t slash = cidr.find('/');
  KT_CHECK(slash != std::string::npos) << "bad service CIDR " << cidr;
  uint32_t ip = 0;
  KT_CHECK(ParseIpv4(cidr.substr(0, slash), &ip)) << "bad service CIDR " << cidr;
  int prefix = std::stoi(cidr.substr(slash + 1));
  KT_CHECK(prefix >= 8 && prefix <= 30) << "service CIDR prefix must be 8..30: " << cidr;
  size_ = 1u << (32 - prefix);
  base_ = ip & ~(size_ - 1);
  KT_CHECK(node_port_min > 0 && node_port_min <= node_port_max && node_port_max < 65536);
}

bool ServiceAllocator::InRange(const std::string& text) const {
  uint32_t ip = 0;
  if (!ParseIpv4(text, &ip)) return false;
  return ip > base_ && ip < base_ + size_ - 1;
}

Result<std::string> ServiceAllocator::NextIp(const std::set<uint32_t>& taken_now) {
  for (uint32_t i = 0; i < size_ - 2; ++i) {
    uint32_t off = next_ip_offset_;
    next_ip_offset_ = next_ip_offset_ + 1 >= size_ - 1 ? 1 : next_ip_offset_ + 1;
    uint32_t ip = base_ + off;
    if (ips_.count(ip) || taken_now.count(ip)) continue;
    return FormatIpv4(ip);
  }
  return Internal("failed to allocate a serviceIP: range is full");
}

Result<int> ServiceAllocator::NextNodePort(const std::set<int>& taken_now) {
  int span = node_port_max_ - node_port_min_ + 1;
  for (int i = 0; i < span; ++i) {
    int p = next_node_port_;
    next_node_port_ = p + 1 > node_port_max_ ? node_port_min_ : p + 1;
    if (node_ports_.count(p) || taken_now.count(p)) continue;
    return p;
  }
  return Internal("failed to allocate a nodePort: range is full");
}

namespace {
bool NeedsClusterIp(const Json& svc) {
  return GetString(svc, "spec.type", "ClusterIP") != "ExternalName";
}
bool NeedsNodePorts(const Json& svc) {
  std::string t = GetString(svc, "spec.type", "ClusterIP");
  return t == "NodePort" || t == "LoadBalancer";
}
}  // namespace

Status ServiceAllocator::Assign(Json& svc, const Json* old) {
  Json& spec = svc["spec"];
  if (!spec.is_object()) spec = Json::object();
  if (!spec.contains("type")) spec["type"] = "ClusterIP";
  // Allocated values carry over on update when the client did not send them.
  if (old != nullptr && NeedsClusterIp(*old) && NeedsClusterIp(svc)) {
    std::string old_ip = GetString(*old, "spec.clusterIP");
    std::string new_ip = GetString(spec, "clusterIP");
    if (new_ip.empty()) {
      spec["clusterIP"] = old_ip;
      if (const Json* ips = FindPath(*old, "spec.clusterIPs")) spec["clusterIPs"] = *ips;
    } else if (new_ip != old_ip) {
      return Invalid("spec.clusterIPs[0]: Invalid value: []string{\"" + new_ip +
                     "\"}: may not change once set");
    }
  }
  if (!NeedsClusterIp(svc)) {
    spec.erase("clusterIP");
    spec.erase("clusterIPs");
  } else {
    std::string ip = GetString(spec, "clusterIP");
    if (ip.empty() && spec.contains("clusterIPs") && spec["clusterIPs"].is_array() &&
        !spec["clusterIPs"].empty() && spec["clusterIPs"][0].is_string()) {
      ip = spec["clusterIPs"][0].get<std::string>();
    }
    if (ip.empty()) {
      KT_ASSIGN_OR_RETURN(ip, NextIp({}));
    } else if (ip != "None") {
      bool same_as_old = old != nullptr && GetString(*old, "spec.clusterIP") == ip;
      uint32_t v = 0;
      if (!ParseIpv4(ip, &v)) {
        return Invalid("spec.clusterIPs[0]: Invalid value: \"" + ip +
                       "\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
      }
      if (!same_as_old) {
        if (!InRange(ip)) {
          return Invalid("spec.clusterIPs: Invalid value: []string{\"" + ip +
                         "\"}: failed to allocate IP " + ip +
                         ": the provided IP (" + ip + ") is not in the valid range. The range of valid IPs is " +
                         FormatIpv4(base_) + "/" + std::to_string(32 - __builtin_ctz(size_)));
        }
        if (ips_.count(v)) {
          return Invalid("spec.clusterIPs: Invalid value: []string{\"" + ip +
                         "\"}: failed to allocate IP " + ip + ": provided IP is already allocated");
        }
      }
    }
    spec["clusterIP"] = ip;
    spec["clusterIPs"] = Json::array({ip});
    if (ip != "None" || !spec.contains("ipFamilies")) spec["ipFamilies"] = Json::array({"IPv4"});
    if (!spec.contains("ipFamilyPolicy")) spec["ipFamilyPolicy"] = "SingleStack";
    if (!spec.contains("sessionAffinity")) spec["sessionAffinity"] = "None";
    if (!spec.contains("internalTrafficPolicy")) spec["internalTrafficPolicy"] = "Cluster";
  }
  // Ports: default protocol and targetPort; node ports for NodePort/LoadBalancer.
  if (spec.contains("ports") && spec["ports"].is_array()) {
    std::set<int> taken_now;
    std::set<int> old_ports;
    if (old != nullptr) {
      if (const Json* ops = FindPath(*old, "spec.ports"); ops && ops->is_array()) {
        for (const auto& p : *ops) {
          if (auto np = GetInt(p, "nodePort")) old_ports.insert(static_cast<int>(*np));
        }
      }
    }
    for (size_t i = 0; i < spec["ports"].size(); ++i) {
      Json& p = spec["ports"][i];
      if (!p.is_object()) continue;
      if (!p.contains("protocol")) p["protocol"] = "TCP";
      if (!p.contains("targetPort") && p.contains("port")) p["targetPort"] = p["port"];
      if (!NeedsNodePorts(svc)) {
        p.erase("nodePort");
        continue;
      }
      auto np = GetInt(p, "nodePort");
      if (!np || *np == 0) {
        // Carry over the old allocation for the same port when the client omitted it.
        if (old != nullptr) {
          if (const Json* ops = FindPath(*old, "spec.ports"); ops && ops->is_array()) {
            for (const auto& op : *ops) {
              if (op.value("port", Json()) == p.value("port", Json()) && op.contains("nodePort") &&
                  !taken_now.count(static_cast<int>(GetInt(op, "nodePort").value_or(0)))) {
                np = GetInt(op, "nodePort");
                break;
              }
            }
          }
        }
        if (!np || *np == 0) {
          KT_ASSIGN_OR_RETURN(int port, NextNodePort(taken_now));
          np = port;
        }
      } else {
        int v = static_cast<int>(*np);
        std::string field = "spec.ports[" + std::to_string(i) + "].nodePort";
        if (v < node_port_min_ || v > node_port_max_) {
          return Invalid(field + ": Invalid value: " + std::to_string(v) +
                         ": provided port is not in the valid range. The range of valid ports is " +
                         std::to_string(node_port_min_) + "-" + std::to_string(node_port_max_));
        }
        if ((node_ports_.count(v) && !old_ports.count(v)) || taken_now.count(v)) {
          return Invalid(field + ": Invalid value: " + std::to_string(v) +
                         ": provided port is already allocated");
        }
      }
      taken_now.insert(static_cast<int>(*np));
      p["nodePort"] = *np;
    }
  }
  return Status::Ok();
}

namespace {
void Collect(const Json* svc, std::set<uint32_t>* ips, std::set<int>* ports) {
  if (svc == nullptr) return;
  uint32_t v = 0;
  std::string ip = GetString(*svc, "spec.clusterIP");
  if (!ip.empty() && ip != "None" && ParseIpv4(ip, &v)) ips->insert(v);
  if (const Json* ps = FindPath(*svc, "spec.ports"); ps && ps->is_array()) {
    for (const auto& p : *ps) {
      if (auto np = GetInt(p, "nodePort"); np && *np > 0) ports->insert(static_cast<int>(*np));
    }
  }
}
}  // namespace

void ServiceAllocator::Commit(const Json* old, const Json* svc) {
  std::set<uint32_t> old_ips, new_ips;
  std::set<int> old_ports, new_ports;
  Collect(old, &old_ips, &old_ports);
  Collect(svc, &new_ips, &new_ports);
  for (uint32_t ip : old_ips) if (!new_ips.count(ip)) ips_.erase(ip);
  for (int p : old_ports) if (!new_ports.count(p)) node_ports_.erase(p);
  for (uint32_t ip : new_ips) if (ip > base_ && ip < base_ + size_ - 1) ips_.insert(ip);
  for (int p : new_ports) node_ports_.insert(p);
}

}  // namespace kt::sim
