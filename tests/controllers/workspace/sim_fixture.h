// A deterministic world for the Workspace controller's tests: SimEnv, the twin's in-process
// API server with the Workspace and NodeClaim CRDs (deploy/crds), Kaito's default ConfigMaps
// in the release namespace, and a Manager running the Workspace controller. There is no
// provisioner and no cluster: tests play them by hand (a NodeClaim made Ready with a Node,
// GPU capacity published, a Deployment's status written), then assert the final world.
#ifndef KT_TESTS_CONTROLLERS_WORKSPACE_SIM_FIXTURE_H_
#define KT_TESTS_CONTROLLERS_WORKSPACE_SIM_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/object.h"
#include "base/json.h"
#include "base/sim_env.h"
#include "controllers/kaito/default_configmaps.h"
#include "controllers/runtime/manager.h"
#include "controllers/workspace/setup.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/in_process_client.h"
#include "tests/controllers/workspace/test_util.h"

namespace kt::workspace::testing {

class SimWorld {
 public:
  explicit SimWorld(WorkspaceControllerOptions options = {}, Duration cache_lag = Duration(0),
                    uint64_t seed = 1)
      : env_(SimEnv::Options{.seed = seed}), server_(env_), client_(server_) {
    Status crds = server_.LoadCrds("deploy/crds");
    KT_CHECK(crds.ok()) << crds.ToString();
    KT_CHECK(client_.Create(api::resources::kNamespaces, "",
                            {{"apiVersion", "v1"}, {"kind", "Namespace"},
                             {"metadata", {{"name", options.release_namespace}}}}).ok());
    for (const Json& cm : kaito::DefaultConfigMaps(options.release_namespace)) {
      KT_CHECK(client_.Create(api::resources::kConfigMaps, options.release_namespace, cm).ok());
    }
    ctrl::ManagerOptions mo;
    mo.cache.lag_max = cache_lag;
    mgr_ = std::make_unique<ctrl::Manager>(env_, client_, mo);
    controller_ = WorkspaceController::Setup(*mgr_, options);
    Status s = mgr_->Start();
    KT_CHECK(s.ok()) << s.ToString();
  }
  ~SimWorld() {
    mgr_->Stop();
    env_.RunFor(std::chrono::seconds(1));
  }

  SimEnv& env() { return env_; }
  sim::ApiServer& server() { return server_; }
  sim::InProcessClient& client() { return client_; }
  ctrl::Manager& manager() { return *mgr_; }
  WorkspaceController& controller() { return *controller_; }

  void Run(Duration d) { env_.RunFor(d); }
  bool RunUntil(const std::function<bool()>& pred, Duration max = std::chrono::minutes(10)) {
    return env_.RunUntil(pred, max);
  }

  Json Apply(const Json& ws) {
    auto r = client_.Create(api::resources::kWorkspaces, api::Namespace(ws), ws);
    KT_CHECK(r.ok()) << r.status().ToString();
    return *r;
  }
  std::optional<Json> Get(const api::GroupVersionResource& gvr, const std::string& ns,
                          const std::string& name) {
    auto r = client_.Get(gvr, ns, name);
    if (!r.ok()) return std::nullopt;
    return *r;
  }
  Json Workspace(const std::string& name, const std::string& ns = "default") {
    auto w = Get(api::resources::kWorkspaces, ns, name);
    KT_CHECK(w.has_value()) << "workspace " << name << " not found";
    return *w;
  }
  std::optional<api::Condition> Cond(const std::string& ws, const std::string& type,
                                     const std::string& ns = "default") {
    auto w = Get(api::resources::kWorkspaces, ns, ws);
    if (!w) return std::nullopt;
    return api::FindCondition(*w, type);
  }
  std::string CondStatus(const std::string& ws, const std::string& type) {
    auto c = Cond(ws, type);
    return c ? c->status : "";
  }
  std::vector<Json> List(const api::GroupVersionResource& gvr, const std::string& ns,
                         const std::string& selector = "") {
    api::ListOptions lo;
    lo.label_selector = selector;
    auto r = client_.List(gvr, ns, lo);
    KT_CHECK(r.ok()) << r.status().ToString();
    std::vector<Json> out;
    for (const Json& i : (*r)["items"]) out.push_back(i);
    return out;
  }
  std::vector<Json> NodeClaims(const std::string& ws, const std::string& ns = "default") {
    return List(api::resources::kNodeClaims, "",
                "kaito.sh/workspace=" + ws + ",kaito.sh/workspacenamespace=" + ns);
  }

  // Plays the provisioner: the NodeClaim's node joins (labels from the NodeClaim, the
  // instance type), is Ready, with `gpus` nvidia.com/gpu (0: the device plugin has not run),
  // and the NodeClaim turns Ready.
  std::string MakeNodeClaimReady(const Json& nc, int gpus) {
    const std::string node = "aks-" + api::Name(nc) + "-12345678-vmss000000";
    api::Labels labels = api::GetLabels(nc);
    for (const Json& r : nc["spec"]["requirements"]) {
      if (r["key"] == "node.kubernetes.io/instance-type") {
        labels["node.kubernetes.io/instance-type"] = r["values"][0];
      }
    }
    labels["kaito.sh/machine-type"] = "gpu";
    labels["agentpool"] = api::Name(nc);
    AddNode(node, labels, gpus);
    Json status = {{"status",
                    {{"nodeName", node},
                     {"providerID", "azure:///vm/" + node},
                     {"conditions", Json::array({CondJson("Launched", "True", "Launched"),
                                                 CondJson("Registered", "True", "Registered"),
                                                 CondJson("Initialized", "True", "Initialized"),
                                                 CondJson("Ready", "True", "Ready")})}}}};
    auto r = client_.Patch(api::resources::kNodeClaims, "", api::Name(nc), api::PatchType::kMerge,
                           DumpJson(status), {.subresource = "status"});
    KT_CHECK(r.ok()) << r.status().ToString();
    return node;
  }
  void SetNodeClaimLaunchFailure(const Json& nc, const std::string& message) {
    Json status = {{"status",
                    {{"conditions", Json::array({CondJson("Launched", "False", "LaunchFailed", message),
                                                 CondJson("Ready", "False", "NotLaunched", "")})}}}};
    auto r = client_.Patch(api::resources::kNodeClaims, "", api::Name(nc), api::PatchType::kMerge,
                           DumpJson(status), {.subresource = "status"});
    KT_CHECK(r.ok()) << r.status().ToString();
  }
  void AddNode(const std::string& name, const api::Labels& labels, int gpus, bool ready = true) {
    Json node = MakeNode(name, labels, ready, gpus);
    Json status = node["status"];
    status["conditions"][0]["lastTransitionTime"] = FormatRfc3339(env_.Now());
    auto r = client_.Create(api::resources::kNodes, "", node);
    KT_CHECK(r.ok()) << r.status().ToString();
    Json next = *r;
    next["status"] = status;
    auto u = client_.Update(api::resources::kNodes, "", next, {.subresource = "status"});
    KT_CHECK(u.ok()) << u.status().ToString();
  }
  void SetGpuCapacity(const std::string& node, int gpus) {
    Json patch = {{"status", {{"capacity", {{"nvidia.com/gpu", std::to_string(gpus)}}},
                              {"allocatable", {{"nvidia.com/gpu", std::to_string(gpus)}}}}}};
    auto r = client_.Patch(api::resources::kNodes, "", node, api::PatchType::kMerge, DumpJson(patch),
                           {.subresource = "status"});
    KT_CHECK(r.ok()) << r.status().ToString();
  }
  // Plays the Deployment/StatefulSet controller: every replica of the current template ready.
  void MarkWorkloadReady(const api::GroupVersionResource& gvr, const std::string& name,
                         const std::string& ns = "default") {
    auto d = Get(gvr, ns, name);
    KT_CHECK(d.has_value()) << name;
    const int64_t replicas = GetInt(*d, "spec.replicas").value_or(1);
    Json patch = {{"status", {{"observedGeneration", api::Generation(*d)},
                              {"replicas", replicas},
                              {"updatedReplicas", replicas},
                              {"readyReplicas", replicas},
                              {"availableReplicas", replicas}}}};
    auto r = client_.Patch(gvr, ns, name, api::PatchType::kMerge, DumpJson(patch),
                           {.subresource = "status"});
    KT_CHECK(r.ok()) << r.status().ToString();
  }
  // A pod of the workspace with the given container status.
  void AddPod(const std::string& ws, const std::string& name, const Json& container_status,
              const std::string& ns = "default") {
    Json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", name}, {"namespace", ns},
                              {"labels", {{"kaito.sh/workspace", ws}}}}},
                {"spec", {{"containers", Json::array({{{"name", ws}, {"image", "x:1"}}})}}}};
    auto r = client_.Create(api::resources::kPods, ns, pod);
    KT_CHECK(r.ok()) << r.status().ToString();
    SetPodContainerStatus(name, container_status, ns);
  }
  void SetPodContainerStatus(const std::string& name, const Json& container_status,
                             const std::string& ns = "default") {
    auto p = Get(api::resources::kPods, ns, name);
    KT_CHECK(p.has_value());
    Json next = *p;
    next["status"]["phase"] = "Running";
    next["status"]["containerStatuses"] = Json::array({container_status});
    auto u = client_.Update(api::resources::kPods, ns, next, {.subresource = "status"});
    KT_CHECK(u.ok()) << u.status().ToString();
  }

  static Json CondJson(const std::string& type, const std::string& status,
                       const std::string& reason, const std::string& message = "") {
    return {{"type", type}, {"status", status}, {"reason", reason}, {"message", message},
            {"lastTransitionTime", "2026-01-01T00:00:00Z"}};
  }

 private:
  SimEnv env_;
  sim::ApiServer server_;
  sim::InProcessClient client_;
  std::unique_ptr<ctrl::Manager> mgr_;
  std::unique_ptr<WorkspaceController> controller_;
};

}  // namespace kt::workspace::testing

#endif  // KT_TESTS_CONTROLLERS_WORKSPACE_SIM_FIXTURE_H_
