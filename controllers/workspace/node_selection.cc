#include "controllers/workspace/node_selection.h"

#include <algorithm>

#include "api/quantity.h"
#include "base/json.h"
#include "controllers/kaito/labels.h"
#include "controllers/kaito/workspace.h"

namespace kt::workspace {
namespace {

bool Contains(const std::vector<std::string>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

bool CreatedByProvisioner(const Json& node) {
  return api::Label(node, kaito::kLabelMachineType).has_value() ||
         api::Label(node, kaito::kLabelNodePool).has_value();
}

}  // namespace

NodeRequirements NodeRequirementsOf(const Json& workspace) {
  NodeRequirements r;
  r.match_labels = kaito::MatchLabels(workspace);
  r.instance_type = kaito::InstanceType(workspace);
  r.preferred_nodes = kaito::PreferredNodes(workspace);
  return r;
}

bool IsNodeReady(const Json& node) { return api::IsConditionTrue(node, "Ready"); }

int64_t NodeCapacity(const Json& node, std::string_view resource) {
  const Json* cap = FindPath(node, "status.capacity");
  if (cap == nullptr || !cap->is_object()) return 0;
  auto it = cap->find(std::string(resource));
  if (it == cap->end()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (!it->is_string()) return 0;
  auto q = api::Quantity::Parse(it->get<std::string>());
  return q.ok() ? q->units() : 0;
}

std::vector<const Json*> QualifiedNodes(const std::vector<const Json*>& nodes,
                                        const NodeRequirements& req) {
  std::vector<const Json*> out;
  for (const Json* node : nodes) {
    if (node == nullptr || api::IsDeleting(*node) || !IsNodeReady(*node)) continue;
    api::Labels labels = api::GetLabels(*node);
    bool matches = true;
    for (const auto& [k, v] : req.match_labels) {
      auto it = labels.find(k);
      if (it == labels.end() || it->second != v) {
        matches = false;
        break;
      }
    }
    if (!matches) continue;
    const std::string name = api::Name(*node);
    auto it = labels.find(std::string(kaito::kLabelInstanceType));
    const bool type_matches = it != labels.end() && it->second == req.instance_type;
    if (Contains(req.preferred_nodes, name) || type_matches) out.push_back(node);
  }
  return out;
}

std::vector<const Json*> SelectNodes(std::vector<const Json*> qualified,
                                     const std::vector<std::string>& preferred,
                                     const std::vector<std::string>& previous, int64_t count) {
  auto rank = [&](const Json* n) {
    const std::string name = api::Name(*n);
    return std::make_tuple(!Contains(preferred, name), !Contains(previous, name),
                           !CreatedByProvisioner(*n), name);
  };
  std::stable_sort(qualified.begin(), qualified.end(),
                   [&](const Json* a, const Json* b) { return rank(a) < rank(b); });
  if (count < 0) count = 0;
  if (static_cast<int64_t>(qualified.size()) > count) qualified.resize(static_cast<size_t>(count));
  return qualified;
}

}  // namespace kt::workspace
