// NodeAffinity: which nodes a pod may land on by its labels - spec.nodeSelector (every pair
// must match) AND spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution
// (nodeSelectorTerms are ORed; within a term matchExpressions and matchFields are ANDed;
// operators In, NotIn, Exists, DoesNotExist, Gt, Lt; matchFields supports metadata.name; an
// empty term list or an empty term matches nothing) - plus the preferred terms' weights the
// scheduler scores with. Built once per pod; matching is cheap.
// Values; thread-safe.
#ifndef KT_SIM_CLUSTER_NODE_AFFINITY_H_
#define KT_SIM_CLUSTER_NODE_AFFINITY_H_

#include <string>
#include <vector>

#include "api/label_selector.h"
#include "api/object.h"
#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::sim::cluster {

class NodeAffinity {
 public:
  // Matches every node.
  NodeAffinity() = default;
  // A malformed selector is an error (the pod can never be scheduled; the scheduler reports
  // the parse error as it would a rejected plugin argument).
  static Result<NodeAffinity> ForPod(const Json& pod);

  // nodeSelector AND required node affinity.
  bool Matches(const std::string& node_name, const api::Labels& node_labels) const;
  // Sum of the weights of the preferred terms the node matches.
  int64_t PreferredScore(const std::string& node_name, const api::Labels& node_labels) const;
  bool has_preferred() const { return !preferred_.empty(); }
  bool unconstrained() const { return !has_selector_ && !has_required_; }

 private:
  struct Term {
    api::LabelSelector labels;
    std::vector<api::Requirement> fields;  // on metadata.name
    bool empty = true;
    bool Matches(const std::string& node_name, const api::Labels& node_labels) const;
  };
  static Result<Term> ParseTerm(const Json& term);

  bool has_selector_ = false;
  api::LabelSelector selector_;
  bool has_required_ = false;
  std::vector<Term> required_;  // ORed
  std::vector<std::pair<int64_t, Term>> preferred_;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_NODE_AFFINITY_H_
