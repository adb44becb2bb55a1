// A deterministic world for the cluster twin's tests: SimEnv + ApiServer + Cluster +
// InProcessClient, object builders (pods, deployments, nodes) and helpers that run virtual
// time until a condition on the API holds. Every test prints its seed.
#ifndef KT_TESTS_SIM_CLUSTER_CLUSTER_FIXTURE_H_
#define KT_TESTS_SIM_CLUSTER_CLUSTER_FIXTURE_H_

#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "api/object.h"
#include "base/json.h"
#include "base/sim_env.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/in_process_client.h"
#include "sim/cluster/cluster.h"

namespace kt::sim::cluster::testing {

namespace res = api::resources;

inline Json Pod(const std::string& name, const std::string& image = "nginx:1.25",
                const std::string& ns = "default") {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"app", name}}}}},
          {"spec", {{"containers", Json::array({{{"name", "app"}, {"image", image}}})}}}};
}

inline Json& Container(Json& pod, size_t i = 0) { return pod["spec"]["containers"][i]; }

inline void Requests(Json& container, const Json& requests) {
  container["resources"]["requests"] = requests;
}

inline Json Deployment(const std::string& name, int replicas, const std::string& image = "nginx:1.25",
                       const std::string& ns = "default") {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec",
           {{"replicas", replicas},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", name}}}}},
              {"spec", {{"containers", Json::array({{{"name", "app"}, {"image", image}}})}}}}}}}};
}

// A node object without a kubelet (scheduler tests): Ready, with allocatable.
inline Json RawNode(const std::string& name, const std::string& cpu, const std::string& memory,
                    int gpus = 0, int pods = 110) {
  Json alloc = {{"cpu", cpu}, {"memory", memory}, {"ephemeral-storage", "100Gi"},
                {"pods", std::to_string(pods)}};
  if (gpus > 0) alloc["nvidia.com/gpu"] = std::to_string(gpus);
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", name}, {"labels", {{"kubernetes.io/hostname", name}}}}},
          {"spec", Json::object()},
          {"status",
           {{"capacity", alloc},
            {"allocatable", alloc},
            {"conditions", Json::array({{{"type", "Ready"}, {"status", "True"}}})}}}};
}

class ClusterTest : public ::testing::Test {
 protected:
  explicit ClusterTest(uint64_t seed = 1, ClusterOptions options = DefaultOptions())
      : env_(SimEnv::Options{seed}),
        server_(std::make_unique<ApiServer>(env_)),
        client_(*server_),
        cluster_(std::make_unique<Cluster>(env_, *server_, std::move(options))) {
    std::cout << "seed=" << seed << "\n";
    Status s = cluster_->Start();
    KT_CHECK(s.ok()) << s.ToString();
    Settle();
  }
  ~ClusterTest() override { cluster_->Stop(); }

  static ClusterOptions DefaultOptions() { return ClusterOptions{}; }

  // Runs the loop (virtual time passes) until pred holds; fails the test after `max`.
  bool RunUntil(const std::function<bool()>& pred, Duration max = std::chrono::minutes(10)) {
    bool ok = env_.RunUntil(pred, max);
    EXPECT_TRUE(ok) << "condition not reached within " << ToSeconds(max) << "s of virtual time";
    return ok;
  }
  void Settle(Duration d = std::chrono::milliseconds(10)) { env_.RunFor(d); }

  Json MustCreate(const api::GroupVersionResource& gvr, const Json& obj) {
    auto r = client_.Create(gvr, api::Namespace(obj), obj);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Json();
  }
  std::optional<Json> Get(const api::GroupVersionResource& gvr, const std::string& ns,
                          const std::string& name) {
    auto r = client_.Get(gvr, ns, name);
    if (!r.ok()) return std::nullopt;
    return *r;
  }
  Json MustGet(const api::GroupVersionResource& gvr, const std::string& ns, const std::string& name) {
    auto r = Get(gvr, ns, name);
    EXPECT_TRUE(r.has_value()) << gvr.resource << " " << ns << "/" << name << " not found";
    return r.value_or(Json::object());
  }
  std::vector<Json> List(const api::GroupVersionResource& gvr, const std::string& ns = "",
                         const std::string& labels = "") {
    api::ListOptions lo;
    lo.label_selector = labels;
    auto r = client_.List(gvr, ns, lo);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<Json> out;
    if (r.ok()) {
      for (const auto& i : (*r)["items"]) out.push_back(i);
    }
    return out;
  }
  std::string Phase(const std::string& pod, const std::string& ns = "default") {
    auto p = Get(res::kPods, ns, pod);
    return p ? GetString(*p, "status.phase") : "<gone>";
  }
  std::string Condition(const Json& obj, const std::string& type, const char* field = "status") {
    const Json* conds = FindPath(obj, "status.conditions");
    if (conds == nullptr || !conds->is_array()) return "";
    for (const auto& c : *conds) {
      if (GetString(c, "type") == type) return GetString(c, field);
    }
    return "";
  }
  // Events about `name` (any kind) with `reason`, their messages in order.
  std::vector<std::string> Events(const std::string& name, const std::string& reason,
                                  const std::string& ns = "default") {
    std::vector<std::string> out;
    for (const auto& e : List(res::kEvents, ns)) {
      if (GetString(e, "involvedObject.name") == name && GetString(e, "reason") == reason) {
        out.push_back(GetString(e, "message"));
      }
    }
    return out;
  }
  Status AddNode(const std::string& name, int cpu = 16, int memory_gib = 64, int gpus = 0,
                 int gpu_memory_gib = 0) {
    return cluster_->AddNode(Cluster::TestVm(name, cpu, memory_gib, gpus, gpu_memory_gib));
  }
  // Adds a node and runs until it is Ready.
  void AddReadyNode(const std::string& name, int cpu = 16, int memory_gib = 64, int gpus = 0,
                    int gpu_memory_gib = 0) {
    ASSERT_TRUE(AddNode(name, cpu, memory_gib, gpus, gpu_memory_gib).ok());
    RunUntil([&] {
      auto n = Get(res::kNodes, "", name);
      return n && Condition(*n, "Ready") == "True" && !FindPath(*n, "spec.taints");
    });
  }

  SimEnv env_;
  std::unique_ptr<ApiServer> server_;
  InProcessClient client_;
  std::unique_ptr<Cluster> cluster_;
};

}  // namespace kt::sim::cluster::testing

#endif  // KT_TESTS_SIM_CLUSTER_CLUSTER_FIXTURE_H_
