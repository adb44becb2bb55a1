#include "sim/cluster/node_affinity.h"

#include "base/json.h"

namespace kt::sim::cluster {

Result<NodeAffinity::Term> NodeAffinity::ParseTerm(const Json& term) {
  Term t;
  const Json* exprs = term.is_object() && term.contains("matchExpressions")
                          ? &term["matchExpressions"]
                          : nullptr;
  const Json* fields = term.is_object() && term.contains("matchFields") ? &term["matchFields"]
                                                                         : nullptr;
  if (exprs != nullptr && exprs->is_array() && !exprs->empty()) {
    KT_ASSIGN_OR_RETURN(t.labels, api::LabelSelector::FromNodeSelectorRequirements(*exprs));
    t.empty = false;
  }
  if (fields != nullptr && fields->is_array() && !fields->empty()) {
    KT_ASSIGN_OR_RETURN(auto fs, api::LabelSelector::FromNodeSelectorRequirements(*fields));
    for (const auto& r : fs.requirements()) {
      if (r.key != "metadata.name") {
        return Invalid("matchFields: Invalid value: \"" + r.key +
                       "\": not a valid field selector key (only metadata.name is supported)");
      }
      t.fields.push_back(r);
    }
    t.empty = false;
  }
  return t;
}

bool NodeAffinity::Term::Matches(const std::string& node_name,
                                 const api::Labels& node_labels) const {
  if (empty) return false;
  if (!labels.Matches(node_labels)) return false;
  if (!fields.empty()) {
    api::Labels name_field{{"metadata.name", node_name}};
    for (const auto& r : fields) {
      if (!r.Matches(name_field)) return false;
    }
  }
  return true;
}

Result<NodeAffinity> NodeAffinity::ForPod(const Json& pod) {
  NodeAffinity a;
  if (const Json* sel = FindPath(pod, "spec.nodeSelector"); sel && sel->is_object() && !sel->empty()) {
    api::Labels m;
    for (const auto& [k, v] : sel->items()) m[k] = v.is_string() ? v.get<std::string>() : v.dump();
    a.selector_ = api::LabelSelector::FromMap(m);
    a.has_selector_ = true;
  }
  const Json* na = FindPath(pod, "spec.affinity.nodeAffinity");
  if (na == nullptr || !na->is_object()) return a;
  if (const Json* req = FindPath(*na, "requiredDuringSchedulingIgnoredDuringExecution");
      req && req->is_object()) {
    a.has_required_ = true;
    if (const Json* terms = FindPath(*req, "nodeSelectorTerms"); terms && terms->is_array()) {
      for (const auto& term : *terms) {
        KT_ASSIGN_OR_RETURN(Term t, ParseTerm(term));
        a.required_.push_back(std::move(t));
      }
    }
  }
  if (const Json* pref = FindPath(*na, "preferredDuringSchedulingIgnoredDuringExecution");
      pref && pref->is_array()) {
    for (const auto& p : *pref) {
      int64_t weight = GetInt(p, "weight").value_or(0);
      if (weight == 0 || !p.contains("preference")) continue;
      KT_ASSIGN_OR_RETURN(Term t, ParseTerm(p["preference"]));
      a.preferred_.emplace_back(weight, std::move(t));
    }
  }
  return a;
}

bool NodeAffinity::Matches(const std::string& node_name, const api::Labels& node_labels) const {
  if (has_selector_ && !selector_.Matches(node_labels)) return false;
  if (!has_required_) return true;
  for (const auto& t : required_) {
    if (t.Matches(node_name, node_labels)) return true;
  }
  return false;
}

int64_t NodeAffinity::PreferredScore(const std::string& node_name,
                                     const api::Labels& node_labels) const {
  int64_t score = 0;
  for (const auto& [w, t] : preferred_) {
    if (t.Matches(node_name, node_labels)) score += w;
  }
  return score;
}

}  // namespace kt::sim::cluster
