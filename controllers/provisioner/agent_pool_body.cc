#include "controllers/provisioner/agent_pool_body.h"

#include <cctype>

#include "api/object.h"
#include "api/quantity.h"
#include "base/json.h"
#include "controllers/provisioner/well_known.h"

namespace kt::controllers::provisioner {
namespace {

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool IsValidAgentPoolName(std::string_view name) {
  if (name.empty() || name.size() > kAgentPoolNameLengthMax) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

Status ValidateAgentPoolName(std::string_view nodeclaim_name) {
  if (IsValidAgentPoolName(nodeclaim_name)) return Status::Ok();
  return Invalid("nodeClaim " + Quoted(nodeclaim_name) +
                 " cannot name an AKS agent pool: the name must match ^[a-z][a-z0-9]{0,11}$ "
                 "(a lowercase letter, then at most 11 lowercase letters or digits)");
}

Status ValidateKaitoOwner(const Json& nodeclaim) {
  if (api::Label(nodeclaim, kLabelWorkspace) || api::Label(nodeclaim, kLabelRagEngine)) {
    return Status::Ok();
  }
  return Invalid("nodeClaim " + Quoted(api::Name(nodeclaim)) + " has neither label " +
                 std::string(kLabelWorkspace) + " nor " + std::string(kLabelRagEngine) +
                 ": the GPU provisioner only creates nodes for Kaito workspaces and RAG engines");
}

Result<std::string> InstanceTypeOf(const Json& nodeclaim) {
  const Json* reqs = FindPath(nodeclaim, "spec.requirements");
  if (reqs != nullptr && reqs->is_array()) {
    for (const Json& r : *reqs) {
      if (!r.is_object() || GetString(r, "key") != kLabelInstanceType) continue;
      if (GetString(r, "operator") != "In") continue;
      auto values = r.find("values");
      if (values == r.end() || !values->is_array()) continue;
      for (const Json& v : *values) {
        if (v.is_string() && !v.get<std::string>().empty()) return v.get<std::string>();
      }
    }
  }
  return Invalid("nodeClaim " + Quoted(api::Name(nodeclaim)) +
                 " has no requirement for instance type (" + std::string(kLabelInstanceType) +
                 " In [...])");
}

Result<int64_t> OsDiskSizeGib(const Json& nodeclaim) {
  const std::string name = api::Name(nodeclaim);
  const Json* storage = FindPath(nodeclaim, "spec.resources.requests");
  if (storage != nullptr && storage->is_object()) {
    auto it = storage->find("storage");
    storage = it == storage->end() ? nullptr : &*it;
  } else {
    storage = nullptr;
  }
  api::Quantity q;
  if (storage != nullptr && storage->is_string()) {
    auto parsed = api::Quantity::Parse(storage->get<std::string>());
    if (!parsed.ok()) {
      return Invalid("nodeClaim " + Quoted(name) + " has an invalid storage request: " +
                     parsed.status().message());
    }
    q = *parsed;
  } else if (storage != nullptr && storage->is_number_integer()) {
    q = api::Quantity::FromUnits(storage->get<int64_t>());
  } else if (storage != nullptr) {
    return Invalid("nodeClaim " + Quoted(name) + " has an invalid storage request");
  }
  const int64_t bytes = q.units();
  if (bytes <= 0) {
    return Invalid("storage request of nodeClaim " + Quoted(name) +
                   " should be more than 0 (spec.resources.requests.storage sizes the OS disk)");
  }
  return bytes >> 30;
}

Result<std::string> OsSkuOf(const Json& nodeclaim) {
  auto family = api::Annotation(nodeclaim, kAnnotationNodeImageFamily);
  if (!family || family->empty()) return std::string("Ubuntu");
  const std::string lower = AsciiLower(*family);
  if (lower == "ubuntu") return std::string("Ubuntu");
  if (lower == "azurelinux") return std::string("AzureLinux");
  return Invalid("nodeClaim " + Quoted(api::Name(nodeclaim)) + " asks for node image family " +
                 Quoted(*family) + " (annotation " + std::string(kAnnotationNodeImageFamily) +
                 "); supported: Ubuntu, AzureLinux");
}

std::string MachineTypeOf(std::string_view vm_size) {
  return vm_size.find("Standard_N") != std::string_view::npos ? "gpu" : "cpu";
}

std::string FormatCreationLabel(Time t) {
  std::string s = FormatRfc3339(std::chrono::floor<std::chrono::seconds>(t));
  for (char& c : s) {
    if (c == ':') c = '-';
  }
  return s;
}

Result<Time> ParseCreationLabel(std::string_view text) {
  // 2006-01-02T15-04-05Z: the dashes at 13 and 16 stand for colons.
  if (text.size() != 20 || text[10] != 'T' || text[13] != '-' || text[16] != '-' ||
      text[19] != 'Z') {
    return BadRequest("creation timestamp label " + Quoted(text) +
                      " is not in the form 2006-01-02T15-04-05Z");
  }
  std::string rfc(text);
  rfc[13] = ':';
  rfc[16] = ':';
  auto t = ParseRfc3339(rfc);
  if (!t.ok()) {
    return BadRequest("creation timestamp label " + Quoted(text) + ": " + t.status().message());
  }
  return *t;
}

Result<Json> AgentPoolBody(const Json& nodeclaim) {
  const std::string name = api::Name(nodeclaim);
  KT_RETURN_IF_ERROR(ValidateAgentPoolName(name));
  KT_RETURN_IF_ERROR(ValidateKaitoOwner(nodeclaim));
  KT_ASSIGN_OR_RETURN(std::string vm_size, InstanceTypeOf(nodeclaim));
  KT_ASSIGN_OR_RETURN(int64_t disk_gib, OsDiskSizeGib(nodeclaim));
  KT_ASSIGN_OR_RETURN(std::string os_sku, OsSkuOf(nodeclaim));

  Json labels = Json::object();
  labels[std::string(kLabelNodePool)] = std::string(kNodePoolKaito);
  for (const auto& [k, v] : api::GetLabels(nodeclaim)) labels[k] = v;
  labels[std::string(kLabelMachineType)] = MachineTypeOf(vm_size);
  const auto created = api::CreationTimestamp(nodeclaim);
  if (!created) {
    return Invalid("nodeClaim " + Quoted(name) + " has no creationTimestamp");
  }
  labels[std::string(kLabelCreationTimestamp)] = FormatCreationLabel(*created);

  Json taints = Json::array();
  const Json* spec_taints = FindPath(nodeclaim, "spec.taints");
  if (spec_taints != nullptr && spec_taints->is_array()) {
    for (const Json& t : *spec_taints) {
      taints.push_back(GetString(t, "key") + "=" + GetString(t, "value") + ":" +
                       GetString(t, "effect"));
    }
  }
  return Json{{"properties",
               {{"type", "VirtualMachineScaleSets"},
                {"count", 1},
                {"vmSize", vm_size},
                {"osType", "Linux"},
                {"osSKU", os_sku},
                {"osDiskSizeGB", disk_gib},
                {"nodeLabels", std::move(labels)},
                {"nodeTaints", std::move(taints)}}}};
}

}  // namespace kt::controllers::provisioner
