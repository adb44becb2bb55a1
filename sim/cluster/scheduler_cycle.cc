// Scheduler: one scheduling attempt - filter, score, bind or report why not.
#include <algorithm>
#include <map>

#include "base/json.h"
#include "base/trace.h"
#include "sim/cluster/fault_sites.h"
#include "sim/cluster/pod_util.h"
#include "sim/cluster/scheduler.h"

namespace kt::sim::cluster {

namespace {

constexpr char kReasonUnschedulable[] = "node(s) were unschedulable";
constexpr char kReasonAffinity[] = "node(s) didn't match Pod's node affinity/selector";
constexpr char kReasonTooManyPods[] = "Too many pods";
constexpr char kPreemptionNotHelpful[] = "Preemption is not helpful for scheduling";
constexpr char kPreemptionNoVictims[] = "No preemption victims found for incoming pod";

Taint UnschedulableTaint() {
  Taint t;
  t.key = kTaintUnschedulable;
  t.effect = "NoSchedule";
  return t;
}

// kube-scheduler's histogram: "<count> <reason>" strings, sorted as strings.
std::string Histogram(const std::map<std::string, int>& counts) {
  std::vector<std::string> parts;
  parts.reserve(counts.size());
  for (const auto& [reason, n] : counts) parts.push_back(std::to_string(n) + " " + reason);
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ", ";
    out += p;
  }
  return out;
}

bool FitsResource(int64_t req, int64_t alloc, int64_t used) {
  return req <= 0 || req <= alloc - used;
}

}  // namespace

bool Scheduler::Fits(const NodeState& n, const PodEntry& p) const {
  if (n.unschedulable) {
    static const Taint kUnsched = UnschedulableTaint();
    if (!ToleratesAll(p.tolerations, kUnsched)) return false;
  }
  if (!n.taints.empty() && FirstUntoleratedScheduling(n.taints, p.tolerations) != nullptr) {
    return false;
  }
  if (!p.affinity->unconstrained() && !p.affinity->Matches(n.name, n.labels)) return false;
  if (n.requested.pods + 1 > n.alloc.pods) return false;
  if (!FitsResource(p.req.cpu_milli, n.alloc.cpu_milli, n.requested.cpu_milli)) return false;
  if (!FitsResource(p.req.memory, n.alloc.memory, n.requested.memory)) return false;
  if (!FitsResource(p.req.ephemeral, n.alloc.ephemeral, n.requested.ephemeral)) return false;
  if (!FitsResource(p.req.gpu, n.alloc.gpu, n.requested.gpu)) return false;
  for (const auto& [name, v] : p.req.other) {
    if (!FitsResource(v, AmountOf(n.alloc, name), AmountOf(n.requested, name))) return false;
  }
  return true;
}

Scheduler::Diagnosis Scheduler::Diagnose(const NodeState& n, const PodEntry& p) const {
  Diagnosis d;
  // Filter plugins in kube-scheduler's order; the first that rejects decides.
  if (n.unschedulable && !ToleratesAll(p.tolerations, UnschedulableTaint())) {
    d.unresolvable = true;
    d.reasons.push_back(kReasonUnschedulable);
    return d;
  }
  if (const Taint* t = FirstUntoleratedScheduling(n.taints, p.tolerations)) {
    d.unresolvable = true;
    d.reasons.push_back("node(s) had untolerated taint {" + t->key + ": " + t->value + "}");
    return d;
  }
  if (!p.affinity->unconstrained() && !p.affinity->Matches(n.name, n.labels)) {
    d.unresolvable = true;
    d.reasons.push_back(kReasonAffinity);
    return d;
  }
  if (n.requested.pods + 1 > n.alloc.pods) d.reasons.push_back(kReasonTooManyPods);
  for (const auto& r : RequestedResources(p.req)) {
    int64_t alloc = AmountOf(n.alloc, r.name);
    int64_t used = AmountOf(n.requested, r.name);
    if (!FitsResource(r.requested, alloc, used)) {
      d.reasons.push_back("Insufficient " + r.name);
      // Even an empty node could not hold it: evicting pods would not help.
      if (r.requested > alloc) d.unresolvable = true;
    }
  }
  return d;
}

std::string Scheduler::FailureMessage(const PodEntry& p) const {
  const int all = static_cast<int>(nodes_.size());
  if (all == 0) return "no nodes available to schedule pods";
  std::map<std::string, int> filter_counts;
  std::map<std::string, int> preemption_counts;
  for (const auto& n : nodes_) {
    Diagnosis d = Diagnose(n, p);
    for (const auto& r : d.reasons) ++filter_counts[r];
    ++preemption_counts[d.unresolvable ? kPreemptionNotHelpful : kPreemptionNoVictims];
  }
  const std::string head = "0/" + std::to_string(all) + " nodes are available: ";
  std::string msg = head + Histogram(filter_counts) + ".";
  if (p.preemption_never) {
    msg += " preemption: not eligible due to preemptionPolicy=Never.";
  } else {
    msg += " preemption: " + head + Histogram(preemption_counts) + ".";
  }
  return msg;
}

int64_t Scheduler::Score(const NodeState& n, const PodEntry& p, int64_t taint_count,
                         int64_t max_taints, int64_t affinity, int64_t max_affinity) const {
  // NodeResourcesFit (LeastAllocated) and NodeResourcesBalancedAllocation over cpu and memory,
  // each 0..100 with weight 1.
  const double cpu_alloc = static_cast<double>(n.alloc.cpu_milli);
  const double mem_alloc = static_cast<double>(n.alloc.memory);
  const double cpu_used = static_cast<double>(n.nonzero_cpu + p.nonzero_cpu);
  const double mem_used = static_cast<double>(n.nonzero_memory + p.nonzero_memory);
  double cpu_frac = cpu_alloc > 0 ? std::min(1.0, cpu_used / cpu_alloc) : 1.0;
  double mem_frac = mem_alloc > 0 ? std::min(1.0, mem_used / mem_alloc) : 1.0;
  int64_t least = static_cast<int64_t>(((1.0 - cpu_frac) * 100.0 + (1.0 - mem_frac) * 100.0) / 2.0);
  int64_t balanced = static_cast<int64_t>((1.0 - std::abs(cpu_frac - mem_frac) / 2.0) * 100.0);
  int64_t score = least + balanced;
  // TaintToleration (weight 3): fewer intolerable PreferNoSchedule taints is better.
  if (max_taints > 0) score += 3 * (100 - taint_count * 100 / max_taints);
  // NodeAffinity preferred terms (weight 2), normalized to the best node.
  if (max_affinity > 0) score += 2 * (affinity * 100 / max_affinity);
  return score;
}

void Scheduler::ScheduleOne(const std::string& key) {
  JsonPtr pod = pods_.Get(key);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  PodEntry& e = it->second;
  if (!pod || api::Uid(*pod) != e.uid || !PodNodeName(*pod).empty() || IsPodDeleting(*pod)) {
    Forget(key);
    return;
  }
  ++stats_.attempts;
  ++e.attempts;
  e.last_attempt = loop_.Now();
  if (!e.affinity.ok()) {
    Fail(key, e, *pod, "0/" + std::to_string(nodes_.size()) + " nodes are available: " +
                           std::to_string(nodes_.size()) + " " + kReasonAffinity + ".");
    return;
  }
  const int all = static_cast<int>(nodes_.size());
  if (all == 0) {
    Fail(key, e, *pod, "no nodes available to schedule pods");
    return;
  }
  const int want = NumFeasibleNodesToFind(options_.percentage_of_nodes_to_score, all);
  // Scratch buffers kept across attempts: no allocation per pod on the hot path.
  std::vector<size_t>& feasible = scratch_feasible_;
  feasible.clear();
  int processed = 0;
  for (int i = 0; i < all; ++i) {
    size_t idx = (next_start_ + static_cast<size_t>(i)) % static_cast<size_t>(all);
    ++processed;
    if (Fits(nodes_[idx], e)) {
      feasible.push_back(idx);
      if (static_cast<int>(feasible.size()) >= want) break;
    }
  }
  next_start_ = (next_start_ + static_cast<size_t>(processed)) % static_cast<size_t>(all);
  if (feasible.empty()) {
    Fail(key, e, *pod, FailureMessage(e));
    return;
  }
  size_t chosen = feasible[0];
  if (feasible.size() > 1) {
    // Only the plugins whose scores vary are computed.
    std::vector<int64_t>& taints = scratch_taints_;
    std::vector<int64_t>& affinity = scratch_affinity_;
    const bool preferred = e.affinity->has_preferred();
    bool any_prefer_no_schedule = false;
    for (size_t idx : feasible) any_prefer_no_schedule |= nodes_[idx].has_prefer_no_schedule;
    taints.assign(any_prefer_no_schedule ? feasible.size() : 0, 0);
    affinity.assign(preferred ? feasible.size() : 0, 0);
    int64_t max_taints = 0, max_affinity = 0;
    for (size_t i = 0; i < feasible.size() && (any_prefer_no_schedule || preferred); ++i) {
      const NodeState& n = nodes_[feasible[i]];
      if (n.has_prefer_no_schedule) {
        for (const auto& t : n.taints) {
          if (t.effect == "PreferNoSchedule" && !ToleratesAll(e.tolerations, t)) ++taints[i];
        }
        max_taints = std::max(max_taints, taints[i]);
      }
      if (preferred) {
        affinity[i] = e.affinity->PreferredScore(n.name, n.labels);
        max_affinity = std::max(max_affinity, affinity[i]);
      }
    }
    int64_t best = -1;
    int ties = 0;
    for (size_t i = 0; i < feasible.size(); ++i) {
      int64_t s = Score(nodes_[feasible[i]], e, any_prefer_no_schedule ? taints[i] : 0, max_taints,
                        preferred ? affinity[i] : 0, max_affinity);
      if (s > best) {
        best = s;
        chosen = feasible[i];
        ties = 1;
      } else if (s == best) {
        // Reservoir sampling among equal scores, as kube-scheduler's selectHost.
        ++ties;
        if (rng_->UniformInt(0, ties - 1) == 0) chosen = feasible[i];
      }
    }
  }
  Bind(key, e, *pod, chosen);
}

void Scheduler::Bind(const std::string& key, PodEntry& e, const Json& pod, size_t node_index) {
  const std::string node = nodes_[node_index].name;
  const std::string ns = api::Namespace(pod);
  const std::string name = api::Name(pod);
  Env& env = loop_.env();
  Status status;
  if (Buggify(env, faults::kBindFail)) {
    env.trace().Record(env.Now(), "cluster.fault",
                       Json{{"site", std::string(faults::kBindFail.name)}, {"pod", key}});
    status = Unavailable("binding failed (fault cluster.bind_fail)");
  } else {
    // Assume: the node's cache counts the pod before the bind's watch event arrives.
    Account(key, pod, node);
    Json binding = {{"apiVersion", "v1"},
                    {"kind", "Binding"},
                    {"metadata", {{"name", name}, {"namespace", ns}, {"uid", e.uid}}},
                    {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}};
    auto r = server_.Create(ResourceRef{api::resources::kPods, ns, name, "binding"},
                            std::move(binding), {}, ctx_);
    status = r.ok() ? Status::Ok() : r.status();
  }
  if (status.ok()) {
    ++stats_.scheduled;
    env.trace().Record(env.Now(), "cluster.scheduler", Json{{"pod", key}, {"node", node}});
    events_.Normal(pod, source_, "Scheduled",
                   "Successfully assigned " + ns + "/" + name + " to " + node);
    Forget(key);
    return;
  }
  ++stats_.bind_errors;
  Unaccount(key);
  env.trace().Record(env.Now(), "cluster.scheduler",
                     Json{{"pod", key}, {"bind_error", std::string(status.reason())}});
  if (status.Is(StatusCode::kNotFound) || status.Is(StatusCode::kConflict)) {
    // Gone, already bound or being deleted: the informer will tell.
    Forget(key);
    return;
  }
  events_.Warning(pod, source_, "FailedScheduling",
                  "Binding rejected: " + status.message());
  PushBackoff(key, e);
}

void Scheduler::Fail(const std::string& key, PodEntry& e, const Json& pod,
                     const std::string& message) {
  ++stats_.unschedulable;
  Env& env = loop_.env();
  env.trace().Record(env.Now(), "cluster.scheduler",
                     Json{{"pod", key}, {"unschedulable", message}});
  events_.Warning(pod, source_, "FailedScheduling", message);
  // The PodScheduled condition, written when it changes.
  const Json* conds = FindPath(pod, "status.conditions");
  bool same = false;
  if (conds != nullptr && conds->is_array()) {
    for (const auto& c : *conds) {
      if (GetString(c, "type") == "PodScheduled") {
        same = GetString(c, "status") == "False" && GetString(c, "reason") == "Unschedulable" &&
               GetString(c, "message") == message;
      }
    }
  }
  if (!same) {
    Json patch = {{"status",
                   {{"conditions",
                     Json::array({{{"type", "PodScheduled"},
                                   {"status", "False"},
                                   {"lastProbeTime", nullptr},
                                   {"lastTransitionTime", FormatRfc3339(env.Now())},
                                   {"reason", "Unschedulable"},
                                   {"message", message}}})}}}};
    api::WriteOptions wo;
    wo.subresource = "status";
    auto r = server_.Patch(ResourceRef{api::resources::kPods, api::Namespace(pod), api::Name(pod),
                                       "status"},
                           api::PatchType::kStrategicMerge, DumpJson(patch), wo, ctx_);
    (void)r;  // best effort: the next attempt writes it again
  }
  e.last_message = message;
  RemoveFromQueues(key, e);
  e.where = Where::kUnschedulable;
  e.unschedulable_since = env.Now();
  unschedulable_.insert(key);
}

}  // namespace kt::sim::cluster
