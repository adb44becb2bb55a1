// Table printers of the remaining built-in kinds: events.k8s.io Events, Leases,
// EndpointSlices, CRDs, webhook configurations and RBAC kinds.
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
}

}  // namespace kt::sim
