// Table printers of core/v1 kinds, computing cells the way kube-apiserver's printers do
// (kubernetes/pkg/printers/internalversion): pod READY/STATUS/RESTARTS, node STATUS/ROLES,
// service TYPE/CLUSTER-IP/EXTERNAL-IP/PORT(S), endpoints lists, events, and the simple kinds.
#include <map>
#include <set>

#include "api/object.h"
#include "sim/apiserver/types/builtin_printers.h"

namespace kt::sim {
namespace {

bool HasCondition(const Json& conditions, std::string_view type, std::string_view status) {
  for (const Json& c : conditions) {
    if (GetString(c, "type") == type && GetString(c, "status") == status) return true;
  }
  return false;
}

Time LaterOf(Time a, const Json& timestamp) {
  if (!timestamp.is_string()) return a;
  auto t = ParseRfc3339(timestamp.get<std::string>());
  return t.ok() && *t > a ? *t : a;
}

std::string TerminatedReason(const Json& terminated, const char* prefix) {
  std::string reason = GetString(terminated, "reason");
  if (!reason.empty()) return std::string(prefix) + reason;
  int64_t signal = IntAt(terminated, "signal");
  if (signal != 0) return std::string(prefix) + "Signal:" + std::to_string(signal);
  return std::string(prefix) + "ExitCode:" + std::to_string(IntAt(terminated, "exitCode"));
}

bool IsRestartableInit(const Json& container) {
  return GetString(container, "restartPolicy") == "Always";
}

// printPod: READY, STATUS, RESTARTS as kubectl shows them.
Json PodRow(const Json& pod, Time now) {
  const Json& spec_containers = ArrayAt(pod, "spec.containers");
  const Json& init_specs = ArrayAt(pod, "spec.initContainers");
  const Json& conditions = ArrayAt(pod, "status.conditions");
  int64_t total = static_cast<int64_t>(spec_containers.size());
  int64_t ready = 0, restarts = 0, restartable_init_restarts = 0;
  const Time zero{};
  Time last_restart = zero, last_restartable_init_restart = zero;
  std::string phase = StrAt(pod, "status.phase");
  std::string reason = phase;
  if (!StrAt(pod, "status.reason").empty()) reason = StrAt(pod, "status.reason");
  for (const Json& c : conditions) {
    if (GetString(c, "type") == "PodScheduled" && GetString(c, "reason") == "SchedulingGated") {
      reason = "SchedulingGated";
    }
  }
  std::map<std::string, const Json*> inits;
  for (const Json& c : init_specs) {
    inits[GetString(c, "name")] = &c;
    if (IsRestartableInit(c)) ++total;
  }
  bool initializing = false;
  const Json& init_statuses = ArrayAt(pod, "status.initContainerStatuses");
  for (size_t i = 0; i < init_statuses.size(); ++i) {
    const Json& cs = init_statuses[i];
    restarts += IntAt(cs, "restartCount");
    const Json* last_term = FindPath(cs, "lastState.terminated");
    if (last_term != nullptr) last_restart = LaterOf(last_restart, (*last_term).value("finishedAt", Json()));
    auto spec = inits.find(GetString(cs, "name"));
    bool restartable = spec != inits.end() && IsRestartableInit(*spec->second);
    if (restartable) {
      restartable_init_restarts += IntAt(cs, "restartCount");
      if (last_term != nullptr) {
        last_restartable_init_restart =
            LaterOf(last_restartable_init_restart, (*last_term).value("finishedAt", Json()));
      }
    }
    const Json* terminated = FindPath(cs, "state.terminated");
    const Json* waiting = FindPath(cs, "state.waiting");
    if (terminated != nullptr && IntAt(*terminated, "exitCode") == 0) continue;
    if (restartable && GetBool(cs, "started")) {
      if (GetBool(cs, "ready")) ++ready;
      continue;
    }
    if (terminated != nullptr) {
      reason = TerminatedReason(*terminated, "Init:");
    } else if (waiting != nullptr && !GetString(*waiting, "reason").empty() &&
               GetString(*waiting, "reason") != "PodInitializing") {
      reason = "Init:" + GetString(*waiting, "reason");
    } else {
      reason = "Init:" + std::to_string(i) + "/" + std::to_string(init_specs.size());
    }
    initializing = true;
    break;
  }
  if (!initializing || HasCondition(conditions, "Initialized", "True")) {
    restarts = restartable_init_restarts;
    last_restart = last_restartable_init_restart;
    bool has_running = false;
    const Json& statuses = ArrayAt(pod, "status.containerStatuses");
    for (size_t k = statuses.size(); k-- > 0;) {
      const Json& cs = statuses[k];
      restarts += IntAt(cs, "restartCount");
      if (const Json* lt = FindPath(cs, "lastState.terminated")) {
        last_restart = LaterOf(last_restart, lt->value("finishedAt", Json()));
      }
      const Json* waiting = FindPath(cs, "state.waiting");
      const Json* terminated = FindPath(cs, "state.terminated");
      if (waiting != nullptr && !GetString(*waiting, "reason").empty()) {
        reason = GetString(*waiting, "reason");
      } else if (terminated != nullptr) {
        reason = TerminatedReason(*terminated, "");
      } else if (GetBool(cs, "ready") && FindPath(cs, "state.running") != nullptr) {
        has_running = true;
        ++ready;
      }
    }
    if (reason == "Completed" && has_running) {
      reason = HasCondition(conditions, "Ready", "True") ? "Running" : "NotReady";
    }
  }
  bool deleting = FindPath(pod, "metadata.deletionTimestamp") != nullptr &&
                  !FindPath(pod, "metadata.deletionTimestamp")->is_null();
  bool terminal = phase == "Succeeded" || phase == "Failed";
  if (deleting && StrAt(pod, "status.reason") == "NodeLost") {
    reason = "Unknown";
  } else if (deleting && !terminal) {
    reason = "Terminating";
  }
  std::string restarts_text = std::to_string(restarts);
  if (restarts != 0 && last_restart != zero) {
    restarts_text += " (" + HumanDuration(now - last_restart) + " ago)";
  }
  std::string ip;
  const Json& ips = ArrayAt(pod, "status.podIPs");
  if (!ips.empty()) ip = GetString(ips[0], "ip");
  if (ip.empty()) ip = StrAt(pod, "status.podIP");
  if (ip.empty()) ip = "<none>";
  std::string node = StrAt(pod, "spec.nodeName");
  if (node.empty()) node = "<none>";
  std::string nominated = StrAt(pod, "status.nominatedNodeName");
  if (nominated.empty()) nominated = "<none>";
  std::string gates = "<none>";
  const Json& readiness_gates = ArrayAt(pod, "spec.readinessGates");
  if (!readiness_gates.empty()) {
    int true_conditions = 0;
    for (const Json& g : readiness_gates) {
      std::string type = GetString(g, "conditionType");
      for (const Json& c : conditions) {
        if (GetString(c, "type") == type) {
          if (GetString(c, "status") == "True") ++true_conditions;
          break;
        }
      }
    }
    gates = std::to_string(true_conditions) + "/" + std::to_string(readiness_gates.size());
  }
  return Json::array({api::Name(pod), std::to_string(ready) + "/" + std::to_string(total), reason,
                      restarts_text, AgeOf(pod, now), ip, node, nominated, gates});
}

std::string NodeAddress(const Json& node, std::string_view type) {
  for (const Json& a : ArrayAt(node, "status.addresses")) {
    if (GetString(a, "type") == type) return GetString(a, "address");
  }
  return "<none>";
}

Json NodeRow(const Json& node, Time now) {
  std::vector<std::string> status;
  for (const Json& c : ArrayAt(node, "status.conditions")) {
    if (GetString(c, "type") != "Ready") continue;
    status.push_back(GetString(c, "status") == "True" ? "Ready" : "NotReady");
  }
  if (status.empty()) status.push_back("Unknown");
  if (GetBool(node, "spec.unschedulable")) status.push_back("SchedulingDisabled");
  std::string status_text;
  for (const auto& s : status) status_text += (status_text.empty() ? "" : ",") + s;
  std::set<std::string> roles;
  for (const auto& [k, v] : api::GetLabels(node)) {
    constexpr std::string_view kPrefix = "node-role.kubernetes.io/";
    if (k.rfind(kPrefix, 0) == 0 && k.size() > kPrefix.size()) roles.insert(k.substr(kPrefix.size()));
    if (k == "kubernetes.io/role" && !v.empty()) roles.insert(v);
  }
  std::string roles_text;
  for (const auto& r : roles) roles_text += (roles_text.empty() ? "" : ",") + r;
  if (roles_text.empty()) roles_text = "<none>";
  auto or_unknown = [](std::string s) { return s.empty() ? std::string("<unknown>") : s; };
  return Json::array({api::Name(node), status_text, roles_text, AgeOf(node, now),
                      StrAt(node, "status.nodeInfo.kubeletVersion"),
                      NodeAddress(node, "InternalIP"), NodeAddress(node, "ExternalIP"),
                      or_unknown(StrAt(node, "status.nodeInfo.osImage")),
                      or_unknown(StrAt(node, "status.nodeInfo.kernelVersion")),
                      or_unknown(StrAt(node, "status.nodeInfo.containerRuntimeVersion"))});
}

std::string JoinStrings(const Json& list, const char* sep = ",") {
  std::string out;
  for (const Json& v : list) {
    if (!v.is_string()) continue;
    if (!out.empty()) out += sep;
    out += v.get<std::string>();
  }
  return out;
}

std::string ServiceExternalIp(const Json& svc, const std::string& type) {
  const Json& external = ArrayAt(svc, "spec.externalIPs");
  if (type == "ClusterIP" || type == "NodePort") {
    return external.empty() ? "<none>" : JoinStrings(external);
  }
  if (type == "LoadBalancer") {
    std::string lb;
    for (const Json& ing : ArrayAt(svc, "status.loadBalancer.ingress")) {
      std::string v = GetString(ing, "ip");
      if (v.empty()) v = GetString(ing, "hostname");
      if (v.empty()) continue;
      lb += (lb.empty() ? "" : ",") + v;
    }
    if (!external.empty()) {
      std::string ext = JoinStrings(external);
      return lb.empty() ? ext : lb + "," + ext;
    }
    return lb.empty() ? "<pending>" : lb;
  }
  if (type == "ExternalName") return StrAt(svc, "spec.externalName");
  return "<unknown>";
}

Json ServiceRow(const Json& svc, Time now) {
  std::string type = StrAt(svc, "spec.type");
  if (type.empty()) type = "ClusterIP";
  std::string cluster_ip = "<none>";
  const Json& ips = ArrayAt(svc, "spec.clusterIPs");
  if (!ips.empty() && ips[0].is_string()) {
    cluster_ip = ips[0].get<std::string>();
  } else if (!StrAt(svc, "spec.clusterIP").empty()) {
    cluster_ip = StrAt(svc, "spec.clusterIP");
  }
  std::string ports;
  for (const Json& p : ArrayAt(svc, "spec.ports")) {
    std::string protocol = GetString(p, "protocol");
    if (protocol.empty()) protocol = "TCP";
    std::string piece = std::to_string(IntAt(p, "port"));
    if (IntAt(p, "nodePort") > 0) piece += ":" + std::to_string(IntAt(p, "nodePort"));
    piece += "/" + protocol;
    ports += (ports.empty() ? "" : ",") + piece;
  }
  if (ports.empty()) ports = "<none>";
  const Json* selector = FindPath(svc, "spec.selector");
  return Json::array({api::Name(svc), type, cluster_ip, ServiceExternalIp(svc, type), ports,
                      AgeOf(svc, now), FormatLabels(selector ? *selector : Json())});
}

std::string EndpointsText(const Json& ep) {
  const Json& subsets = ArrayAt(ep, "subsets");
  if (subsets.empty()) return "<none>";
  std::vector<std::string> list;
  constexpr size_t kMax = 3;
  bool more = false;
  size_t count = 0;
  for (const Json& ss : subsets) {
    const Json& addresses = ArrayAt(ss, "addresses");
    const Json& ports = ArrayAt(ss, "ports");
    if (ports.empty()) {
      count += addresses.size();
      for (const Json& a : addresses) {
        if (list.size() == kMax) {
          more = true;
          break;
        }
        list.push_back(GetString(a, "ip"));
      }
      continue;
    }
    for (const Json& p : ports) {
      count += addresses.size();
      for (const Json& a : addresses) {
        if (list.size() == kMax) {
          more = true;
          break;
        }
        std::string ip = GetString(a, "ip");
        if (ip.find(':') != std::string::npos) ip = "[" + ip + "]";
        list.push_back(ip + ":" + std::to_string(IntAt(p, "port")));
      }
    }
  }
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ",") + s;
  if (more) out += " + " + std::to_string(count - kMax) + " more...";
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string TrimSpace(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\n\r");
  return s.substr(b, e - b + 1);
}

std::string NonEmpty(const std::string& a, const std::string& b) { return a.empty() ? b : a; }

// printEvent for core/v1 and (with the renamed fields) events.k8s.io/v1 Events.
Json EventRow(const Json& ev, Time now, bool events_v1) {
  std::string involved = events_v1 ? "regarding" : "involvedObject";
  auto ts = [&](const char* core_field, const char* v1_field) {
    const Json* v = FindPath(ev, events_v1 ? v1_field : core_field);
    return v == nullptr || v->is_null() ? std::string() : AgeSince(*v, now);
  };
  std::string first = ts("firstTimestamp", "deprecatedFirstTimestamp");
  if (first.empty()) first = ts("eventTime", "eventTime");
  if (first.empty()) first = "<unknown>";
  std::string last = ts("lastTimestamp", "deprecatedLastTimestamp");
  if (last.empty()) last = first;
  int64_t count = IntAt(ev, events_v1 ? "deprecatedCount" : "count");
  if (FindPath(ev, "series") != nullptr && FindPath(ev, "series")->is_object()) {
    last = AgeSince(FindPath(ev, "series")->value("lastObservedTime", Json()), now);
    count = IntAt(ev, "series.count");
  } else if (count == 0) {
    count = 1;
  }
  std::string kind = Lower(StrAt(ev, involved + ".kind"));
  std::string name = StrAt(ev, involved + ".name");
  std::string target = name.empty() ? kind : kind + "/" + name;
  std::string component =
      NonEmpty(StrAt(ev, events_v1 ? "deprecatedSource.component" : "source.component"),
               StrAt(ev, "reportingController"));
  std::string host = NonEmpty(StrAt(ev, events_v1 ? "deprecatedSource.host" : "source.host"),
                              StrAt(ev, "reportingInstance"));
  std::string source = host.empty() ? component : component + ", " + host;
  std::string message = TrimSpace(StrAt(ev, events_v1 ? "note" : "message"));
  return Json::array({last, StrAt(ev, "type"), StrAt(ev, "reason"), target,
                      StrAt(ev, involved + ".fieldPath"), source, message, first, count,
                      api::Name(ev)});
}

TablePrinter EventPrinter(bool events_v1) {
  PrinterColumn name = NameColumn();
  name.priority = 1;
  return {{Column("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
           Column("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
           Column("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
           Column("Object", "string", "The object that this event is about."),
           Column("Subobject", "string", "The part of the object the event is about (a container).", 1),
           Column("Source", "string", "The component reporting this event.", 1),
           Column("Message", "string", "A human-readable description of the status of this operation."),
           Column("First Seen", "string", "The time at which the event was first recorded.", 1),
           Column("Count", "string", "The number of times this event has occurred.", 1),
           name},
          [events_v1](const Json& ev, Time now) { return EventRow(ev, now, events_v1); }};
}

}  // namespace

// Also used for events.k8s.io/v1 (printers_other.cc).
TablePrinter MakeEventPrinter(bool events_v1) { return EventPrinter(events_v1); }

void RegisterCorePrinters(std::map<std::string, TablePrinter>& out) {
  out["/Pod"] = {
      {NameColumn(),
       Column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
       Column("Status", "string", "The aggregate status of the containers in this pod."),
       Column("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
       AgeColumn(),
       Column("IP", "string", "IP address allocated to the pod. Routable at least within the cluster.", 1),
       Column("Node", "string", "The node the pod is bound to.", 1),
       Column("Nominated Node", "string", "The node the scheduler nominated for the pod after preemption.", 1),
       Column("Readiness Gates", "string", "Pod conditions evaluated for readiness besides the containers'.", 1)},
      PodRow};
  out["/Node"] = {
      {NameColumn(), Column("Status", "string", "The status of the node"),
       Column("Roles", "string", "The roles of the node"), AgeColumn(),
       Column("Version", "string", "Kubelet Version reported by the node."),
       Column("Internal-IP", "string", "List of addresses reachable to the node. Queried from cloud provider, if available.", 1),
       Column("External-IP", "string", "List of addresses reachable to the node. Queried from cloud provider, if available.", 1),
       Column("OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1),
       Column("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
       Column("Container-Runtime", "string", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1)},
      NodeRow};
  out["/Service"] = {
      {NameColumn(),
       Column("Type", "string", "type determines how the Service is exposed."),
       Column("Cluster-IP", "string", "clusterIP is the IP address of the service and is usually assigned randomly."),
       Column("External-IP", "string", "List of IP addresses for which nodes in the cluster will also accept traffic for this service."),
       Column("Port(s)", "string", "The list of ports that are exposed by this service."),
       AgeColumn(),
       Column("Selector", "string", "Route service traffic to pods with label keys and values matching this selector.", 1)},
      ServiceRow};
  out["/Endpoints"] = {
      {NameColumn(), Column("Endpoints", "string", "Endpoints is the list of endpoints of this service."), AgeColumn()},
      [](const Json& o, Time now) { return Json::array({api::Name(o), EndpointsText(o), AgeOf(o, now)}); }};
  out["/Namespace"] = {
      {NameColumn(), Column("Status", "string", "The status of the namespace"), AgeColumn()},
      [](const Json& o, Time now) {
        return Json::array({api::Name(o), StrAt(o, "status.phase"), AgeOf(o, now)});
      }};
  out["/ConfigMap"] = {
      {NameColumn(), Column("Data", "integer", "Number of keys in data and binaryData."), AgeColumn()},
      [](const Json& o, Time now) {
        int64_t n = 0;
        for (const char* f : {"data", "binaryData"}) {
          const Json* d = FindPath(o, f);
          if (d != nullptr && d->is_object()) n += static_cast<int64_t>(d->size());
        }
        return Json::array({api::Name(o), n, AgeOf(o, now)});
      }};
  out["/Secret"] = {
      {NameColumn(), Column("Type", "string", "Used to facilitate programmatic handling of secret data."),
       Column("Data", "integer", "Number of keys in data."), AgeColumn()},
      [](const Json& o, Time now) {
        int64_t n = 0;
        const Json* d = FindPath(o, "data");
        if (d != nullptr && d->is_object()) n = static_cast<int64_t>(d->size());
        std::string type = StrAt(o, "type");
        if (type.empty()) type = "Opaque";
        return Json::array({api::Name(o), type, n, AgeOf(o, now)});
      }};
  out["/ServiceAccount"] = {
      {NameColumn(), Column("Secrets", "integer", "Number of secrets of this service account."), AgeColumn()},
      [](const Json& o, Time now) {
        return Json::array({api::Name(o), static_cast<int64_t>(ArrayAt(o, "secrets").size()),
                            AgeOf(o, now)});
      }};
  out["/Event"] = EventPrinter(false);
}

}  // namespace kt::sim
