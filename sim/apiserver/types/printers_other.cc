// Table printers of the remaining built-in kinds: events.k8s.io Events, Leases,
// EndpointSlices, CRDs, webhook configurations, RBAC kinds, CronJobs, ResourceQuotas,
// PodDisruptionBudgets, Ingresses and PriorityClasses.
#include <map>

#include "api/object.h"
#include "sim/apiserver/types/builtin_printers.h"

namespace kt::sim {

TablePrinter MakeEventPrinter(bool events_v1);  // printers_core.cc

namespace {

std::string ListWithMore(const std::vector<std::string>& list, bool more, size_t count, size_t max) {
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ",") + s;
  if (more) return out + " + " + std::to_string(count - max) + " more...";
  return out.empty() ? "<unset>" : out;
}

std::string SlicePorts(const Json& slice) {
  std::vector<std::string> list;
  constexpr size_t kMax = 3;
  bool more = false;
  size_t count = 0;
  for (const Json& p : ArrayAt(slice, "ports")) {
    if (list.size() < kMax) {
      const Json* port = FindPath(p, "port");
      const Json* name = FindPath(p, "name");
      if (port != nullptr && port->is_number()) {
        list.push_back(std::to_string(IntAt(p, "port")));
      } else if (name != nullptr && name->is_string()) {
        list.push_back(name->get<std::string>());
      } else {
        list.push_back("*");
      }
    } else {
      more = true;
    }
    ++count;
  }
  return ListWithMore(list, more, count, kMax);
}

std::string SliceEndpoints(const Json& slice) {
  std::vector<std::string> list;
  constexpr size_t kMax = 3;
  bool more = false;
  size_t count = 0;
  for (const Json& e : ArrayAt(slice, "endpoints")) {
    for (const Json& a : ArrayAt(e, "addresses")) {
      if (list.size() < kMax) {
        list.push_back(a.is_string() ? a.get<std::string>() : "");
      } else {
        more = true;
      }
      ++count;
    }
  }
  return ListWithMore(list, more, count, kMax);
}

std::string Subjects(const Json& binding, std::string_view kind) {
  std::string out;
  for (const Json& s : ArrayAt(binding, "subjects")) {
    if (GetString(s, "kind") != kind) continue;
    std::string name = GetString(s, "name");
    if (kind == "ServiceAccount") name = GetString(s, "namespace") + "/" + name;
    out += (out.empty() ? "" : ", ") + name;
  }
  return out;
}

TablePrinter BindingPrinter() {
  return {{NameColumn(), Column("Role", "string", "RoleRef is the reference to the role."),
           AgeColumn(), Column("Users", "string", "Users in the binding", 1),
           Column("Groups", "string", "Groups in the binding", 1),
           Column("ServiceAccounts", "string", "ServiceAccounts in the binding", 1)},
          [](const Json& o, Time now) {
            return Json::array({api::Name(o),
                                StrAt(o, "roleRef.kind") + "/" + StrAt(o, "roleRef.name"),
                                AgeOf(o, now), Subjects(o, "User"), Subjects(o, "Group"),
                                Subjects(o, "ServiceAccount")});
          }};
}

TablePrinter CreatedAtPrinter() {
  PrinterColumn created = Column("Created At", "date", "CreationTimestamp is a timestamp representing the server time when this object was created.");
  return {{NameColumn(), created},
          [](const Json& o, Time) { return Json::array({api::Name(o), CreatedAt(o)}); }};
}

TablePrinter WebhookPrinter() {
  return {{NameColumn(), Column("Webhooks", "integer", "Webhooks is a list of webhooks and the affected resources and operations."),
           AgeColumn()},
          [](const Json& o, Time now) {
            return Json::array({api::Name(o), static_cast<int64_t>(ArrayAt(o, "webhooks").size()),
                                AgeOf(o, now)});
          }};
}

// "True"/"False" for a set boolean, "<unset>" otherwise (kubectl's printBoolPtr).
std::string BoolPtr(const Json& obj, std::string_view path) {
  const Json* v = FindPath(obj, path);
  if (v == nullptr || !v->is_boolean()) return "<unset>";
  return v->get<bool>() ? "True" : "False";
}

// An int-or-string field as printed, or `absent`.
std::string IntOrStringAt(const Json& obj, std::string_view path, const char* absent) {
  const Json* v = FindPath(obj, path);
  if (v == nullptr || v->is_null()) return absent;
  if (v->is_number_integer()) return std::to_string(v->get<int64_t>());
  return v->is_string() ? v->get<std::string>() : absent;
}

TablePrinter CronJobPrinter() {
  return {{NameColumn(), Column("Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
           Column("Timezone", "string", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."),
           Column("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions."),
           Column("Active", "integer", "A list of pointers to currently running jobs."),
           Column("Last Schedule", "string", "Information when was the last time the job was successfully scheduled."),
           AgeColumn()},
          [](const Json& o, Time now) {
            const Json* last = FindPath(o, "status.lastScheduleTime");
            std::string tz = StrAt(o, "spec.timeZone");
            return Json::array({api::Name(o), StrAt(o, "spec.schedule"), tz.empty() ? "<none>" : tz,
                                BoolPtr(o, "spec.suspend"),
                                static_cast<int64_t>(ArrayAt(o, "status.active").size()),
                                last == nullptr || last->is_null() ? "<none>" : AgeSince(*last, now),
                                AgeOf(o, now)});
          }};
}

// "pods: 0/10, cpu: 0/2": the hard limits of the status with their use, requests and limits
// apart ("limits.*").
std::string QuotaUsage(const Json& quota, bool limits) {
  const Json* hard = FindPath(quota, "status.hard");
  if (hard == nullptr || !hard->is_object()) return "";
  std::string out;
  for (const auto& [name, value] : hard->items()) {  // sorted keys
    if ((name.rfind("limits.", 0) == 0) != limits) continue;
    const Json* used = FindPath(quota, "status.used");
    std::string u = "0";
    if (used != nullptr && used->is_object() && used->contains(name) && (*used)[name].is_string()) {
      u = (*used)[name].get<std::string>();
    }
    out += (out.empty() ? "" : ", ") + name + ": " + u + "/" +
           (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return out;
}

// kubectl's formatHosts: up to three hosts; "+ N more..." counts the rules past the third
// once a fourth rule is seen after three hosts; "*" when no rule names a host.
std::string IngressHosts(const Json& ingress) {
  constexpr size_t kMax = 3;
  const Json& rules = ArrayAt(ingress, "spec.rules");
  std::vector<std::string> list;
  bool more = false;
  for (const Json& r : rules) {
    if (list.size() == kMax) more = true;
    std::string host = StrAt(r, "host");
    if (!more && !host.empty()) list.push_back(host);
  }
  if (list.empty()) return "*";
  return ListWithMore(list, more, rules.size(), kMax);
}

std::string LoadBalancerAddresses(const Json& obj) {
  std::string out;
  for (const Json& i : ArrayAt(obj, "status.loadBalancer.ingress")) {
    std::string a = StrAt(i, "ip");
    if (a.empty()) a = StrAt(i, "hostname");
    if (!a.empty()) out += (out.empty() ? "" : ",") + a;
  }
  return out;
}

}  // namespace

void RegisterOtherPrinters(std::map<std::string, TablePrinter>& out) {
  out["events.k8s.io/Event"] = MakeEventPrinter(true);
  out["coordination.k8s.io/Lease"] = {
      {NameColumn(), Column("Holder", "string", "holderIdentity contains the identity of the holder of a current lease."),
       AgeColumn()},
      [](const Json& o, Time now) {
        return Json::array({api::Name(o), StrAt(o, "spec.holderIdentity"), AgeOf(o, now)});
      }};
  out["discovery.k8s.io/EndpointSlice"] = {
      {NameColumn(), Column("AddressType", "string", "addressType specifies the type of address carried by this EndpointSlice."),
       Column("Ports", "string", "ports specifies the list of network ports exposed by each endpoint in this slice."),
       Column("Endpoints", "string", "endpoints is a list of unique endpoints in this slice."),
       AgeColumn()},
      [](const Json& o, Time now) {
        return Json::array({api::Name(o), StrAt(o, "addressType"), SlicePorts(o), SliceEndpoints(o),
                            AgeOf(o, now)});
      }};
  out["apiextensions.k8s.io/CustomResourceDefinition"] = CreatedAtPrinter();
  out["rbac.authorization.k8s.io/ClusterRole"] = CreatedAtPrinter();
  out["rbac.authorization.k8s.io/Role"] = CreatedAtPrinter();
  out["rbac.authorization.k8s.io/ClusterRoleBinding"] = BindingPrinter();
  out["rbac.authorization.k8s.io/RoleBinding"] = BindingPrinter();
  out["admissionregistration.k8s.io/ValidatingWebhookConfiguration"] = WebhookPrinter();
  out["admissionregistration.k8s.io/MutatingWebhookConfiguration"] = WebhookPrinter();
  out["batch/CronJob"] = CronJobPrinter();
  out["/ResourceQuota"] = {
      {NameColumn(), AgeColumn(), Column("Request", "string", "Request represents a minimum amount of cpu/memory that a container may consume."),
       Column("Limit", "string", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.")},
      [](const Json& o, Time now) {
        return Json::array({api::Name(o), AgeOf(o, now), QuotaUsage(o, false), QuotaUsage(o, true)});
      }};
  out["policy/PodDisruptionBudget"] = {
      {NameColumn(), Column("Min Available", "string", "The minimum number of pods that must be available simultaneously. This can be either an integer or a string specifying a percentage, e.g. \"28%\"."),
       Column("Max Unavailable", "string", "The maximum number of pods that may be unavailable. This can be either an integer or a string specifying a percentage, e.g. \"33%\"."),
       Column("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
       AgeColumn()},
      [](const Json& o, Time now) {
        return Json::array({api::Name(o), IntOrStringAt(o, "spec.minAvailable", "N/A"),
                            IntOrStringAt(o, "spec.maxUnavailable", "N/A"),
                            IntAt(o, "status.disruptionsAllowed"), AgeOf(o, now)});
      }};
  out["networking.k8s.io/Ingress"] = {
      {NameColumn(), Column("Class", "string", "The name of the IngressClass resource that should be used for ingress."),
       Column("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
       Column("Address", "string", "Address is a list containing ingress points for the load-balancer"),
       Column("Ports", "string", "Ports of TLS configurations that open"), AgeColumn()},
      [](const Json& o, Time now) {
        std::string cls = StrAt(o, "spec.ingressClassName");
        return Json::array({api::Name(o), cls.empty() ? "<none>" : cls, IngressHosts(o),
                            LoadBalancerAddresses(o),
                            ArrayAt(o, "spec.tls").empty() ? "80" : "80, 443", AgeOf(o, now)});
      }};
  out["scheduling.k8s.io/PriorityClass"] = {
      {NameColumn(), Column("Value", "integer", "The value of this priority class."),
       Column("Global-Default", "boolean", "globalDefault specifies whether this PriorityClass should be considered as the default priority."),
       AgeColumn(),
       Column("PreemptionPolicy", "string", "PreemptionPolicy is the Policy for preempting pods with lower priority.")},
      [](const Json& o, Time now) {
        const Json* policy = FindPath(o, "preemptionPolicy");
        return Json::array({api::Name(o), IntAt(o, "value"), GetBool(o, "globalDefault"),
                            AgeOf(o, now),
                            policy != nullptr && policy->is_string() ? policy->get<std::string>()
                                                                     : std::string("<unset>")});
      }};
}

}  // namespace kt::sim
