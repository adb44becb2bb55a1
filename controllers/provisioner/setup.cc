#include "controllers/provisioner/setup.h"

#include "api/object.h"
#include "base/json.h"
#include "controllers/provisioner/node_match.h"

namespace kt::controllers::provisioner {
namespace {

namespace res = api::resources;

bool SameField(const Json& a, const Json& b, std::string_view path) {
  const Json* x = FindPath(a, path);
  const Json* y = FindPath(b, path);
  if (x == nullptr || y == nullptr) return x == y;
  return *x == *y;
}

}  // namespace

ctrl::Predicate NodeChangedPredicate() {
  ctrl::Predicate p;
  p.update = [](const Json& old_node, const Json& new_node) {
    if (IsNodeReady(old_node) != IsNodeReady(new_node)) return true;
    for (std::string_view path :
         {"metadata.labels", "spec.taints", "spec.providerID", "status.allocatable"}) {
      if (!SameField(old_node, new_node, path)) return true;
    }
    return false;
  };
  return p;
}

ctrl::Predicate NodeClaimChangedPredicate() {
  ctrl::Predicate p;
  p.update = [](const Json& old_nc, const Json& new_nc) {
    for (std::string_view path : {"metadata.labels", "metadata.annotations", "metadata.finalizers",
                                  "metadata.deletionTimestamp", "metadata.uid", "spec"}) {
      if (!SameField(old_nc, new_nc, path)) return true;
    }
    return false;
  };
  return p;
}

Result<std::unique_ptr<Provisioner>> Provisioner::Setup(ctrl::Manager& mgr,
                                                        api::AgentPoolClient& cloud,
                                                        ProvisionerOptions options) {
  KT_RETURN_IF_ERROR(mgr.cache().AddIndex(res::kNodes, std::string(kProviderIdIndex),
                                          [](const Json& node) {
                                            std::string id = GetString(node, "spec.providerID");
                                            if (id.empty()) return std::vector<std::string>{};
                                            return std::vector<std::string>{id};
                                          }));
  std::unique_ptr<Provisioner> p(new Provisioner());
  p->reconciler_ = std::make_unique<NodeClaimReconciler>(mgr, cloud, options);
  ctrl::ControllerOptions co;
  co.name = std::string(kControllerName);
  co.max_concurrent_reconciles = options.max_concurrent_reconciles;
  co.rate_limiter = options.rate_limiter;
  p->controller_ = &mgr.NewController(co, *p->reconciler_);
  p->controller_->For({res::kNodeClaims, "NodeClaim", /*namespaced=*/false},
                      NodeClaimChangedPredicate())
      .Watches(
          res::kNodes,
          [](const Json& node) {
            std::vector<ctrl::Request> out;
            if (auto name = NodeClaimNameOfNode(node)) out.push_back({"", *name});
            return out;
          },
          NodeChangedPredicate());

  p->gc_ = std::make_unique<PoolGarbageCollector>(mgr.env(), mgr.client(), mgr.cache(), cloud,
                                                  options.gc);
  PoolGarbageCollector* gc = p->gc_.get();
  mgr.Add(std::make_unique<ctrl::PeriodicRunnable>(
      mgr.env(), std::string(kGcRunnableName), options.gc_period, [gc] { (void)gc->RunOnce(); },
      /*needs_leader_election=*/true, options.gc_initial_delay));
  return p;
}

}  // namespace kt::controllers::provisioner
