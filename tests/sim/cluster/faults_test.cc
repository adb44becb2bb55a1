// Every fault point of the cluster twin, one test each: the fault fires (seeded), the trace
// records it, and the cluster shows the failure a real one would - and recovers where a real
// one does. A wrapper Env enables exactly one site so a test sees only its own fault; a last
// test shows the sites are inert under RealEnv.
#include <gtest/gtest.h>

#include <set>

#include "base/real_env.h"
#include "cluster_fixture.h"
#include "sim/cluster/fault_sites.h"
#include "sim/cluster/kubelet.h"
#include "sim/cluster/kubelet_fleet.h"

namespace kt::sim::cluster::testing {
namespace {

// A SimEnv whose Buggify fires only for the chosen sites (with the caller's probability, or
// always when `always` is set).
class OneSiteEnv final : public Env {
 public:
  OneSiteEnv(SimEnv& inner, std::set<std::string> sites, bool always)
      : inner_(inner), sites_(std::move(sites)), always_(always) {}
  Time Now() override { return inner_.Now(); }
  TimerId Schedule(Duration d, std::function<void()> fn) override { return inner_.Schedule(d, std::move(fn)); }
  bool Cancel(TimerId id) override { return inner_.Cancel(id); }
  Rng& Random(std::string_view s) override { return inner_.Random(s); }
  bool Buggify(std::string_view site, double p) override {
    if (!sites_.count(std::string(site))) return false;
    ++asked_;
    bool fire = always_ || inner_.Random("test/faults").Bernoulli(p);
    fired_ += fire;
    return fire;
  }
  bool IsSimulated() const override { return true; }
  uint64_t seed() const override { return inner_.seed(); }
  Trace& trace() override { return inner_.trace(); }
  void StartThread(std::string n, std::function<void()> fn) override { inner_.StartThread(std::move(n), std::move(fn)); }
  void SleepFor(Duration d) override { inner_.SleepFor(d); }
  int fired() const { return fired_; }

 private:
  SimEnv& inner_;
  std::set<std::string> sites_;
  bool always_;
  int asked_ = 0;
  int fired_ = 0;
};

struct World {
  World(const FaultSite& site, bool always, uint64_t seed = 7)
      : sim(SimEnv::Options{seed}), env(sim, {std::string(site.name)}, always), server(env), client(server),
        cluster(env, server) {
    std::cout << "seed=" << seed << " site=" << site.name << "\n";
    KT_CHECK(cluster.Start().ok());
    sim.RunFor(std::chrono::milliseconds(10));
  }
  bool RunUntil(const std::function<bool()>& pred, Duration max) {
    bool ok = sim.RunUntil(pred, max);
    EXPECT_TRUE(ok);
    return ok;
  }
  Json GetOr(const api::GroupVersionResource& gvr, const std::string& ns, const std::string& name) {
    auto r = client.Get(gvr, ns, name);
    return r.ok() ? *r : Json::object();
  }
  SimEnv sim;
  OneSiteEnv env;
  ApiServer server;
  InProcessClient client;
  Cluster cluster;
};

std::string Cond(const Json& obj, const std::string& type, const char* field = "status") {
  const Json* conds = FindPath(obj, "status.conditions");
  if (conds == nullptr || !conds->is_array()) return "";
  for (const auto& c : *conds) {
    if (GetString(c, "type") == type) return GetString(c, field);
  }
  return "";
}

TEST(ClusterFaults, KubeletStopMakesTheNodeUnknownUntilTheKubeletReturns) {
  World w(faults::kKubeletStop, false, 11);
  ASSERT_TRUE(w.cluster.AddNode(Cluster::TestVm("n1", 4, 16)).ok());
  // The stop fires on some heartbeat; the node goes Unknown, then Ready again after the seeded
  // downtime.
  w.RunUntil([&] { return Cond(w.GetOr(res::kNodes, "", "n1"), "Ready") == "Unknown"; }, std::chrono::hours(2));
  EXPECT_GE(w.env.fired(), 1);
  w.RunUntil([&] { return Cond(w.GetOr(res::kNodes, "", "n1"), "Ready") == "True"; }, std::chrono::hours(4));
}

TEST(ClusterFaults, ImagePullFailureShowsErrImagePullWithTheNetworkError) {
  World w(faults::kImagePullFail, true);
  ASSERT_TRUE(w.cluster.AddNode(Cluster::TestVm("n1", 4, 16)).ok());
  ASSERT_TRUE(w.client.Create(res::kPods, "default", Pod("p")).ok());
  w.RunUntil([&] {
    Json p = w.GetOr(res::kPods, "default", "p");
    return GetString(p["status"]["containerStatuses"][0], "state.waiting.reason") == "ErrImagePull";
  }, std::chrono::minutes(1));
  Json p = w.GetOr(res::kPods, "default", "p");
  EXPECT_NE(GetString(p["status"]["containerStatuses"][0], "state.waiting.message").find("connection reset by peer"),
            std::string::npos);
}

TEST(ClusterFaults, ProbeFailureFlipsReadinessBackAndForth) {
  World w(faults::kProbeFail, false, 3);
  ASSERT_TRUE(w.cluster.AddNode(Cluster::TestVm("n1", 4, 16)).ok());
  Json pod = Pod("p");
  Container(pod)["readinessProbe"] = {{"tcpSocket", {{"port", 80}}}, {"periodSeconds", 1},
                                      {"failureThreshold", 1}};
  ASSERT_TRUE(w.client.Create(res::kPods, "default", pod).ok());
  w.RunUntil([&] { return Cond(w.GetOr(res::kPods, "default", "p"), "Ready") == "True"; }, std::chrono::minutes(2));
  w.RunUntil([&] { return Cond(w.GetOr(res::kPods, "default", "p"), "Ready") == "False"; }, std::chrono::minutes(10));
  w.RunUntil([&] { return Cond(w.GetOr(res::kPods, "default", "p"), "Ready") == "True"; }, std::chrono::minutes(2));
  EXPECT_GE(w.env.fired(), 1);
}

TEST(ClusterFaults, ContainerCrashRestartsTheContainer) {
  World w(faults::kContainerCrash, true);
  ASSERT_TRUE(w.cluster.AddNode(Cluster::TestVm("n1", 4, 16)).ok());
  ASSERT_TRUE(w.client.Create(res::kPods, "default", Pod("p")).ok());
  w.RunUntil([&] {
    Json p = w.GetOr(res::kPods, "default", "p");
    return GetInt(p["status"]["containerStatuses"][0], "restartCount").value_or(0) >= 1;
  }, std::chrono::minutes(10));
  Json cs = w.GetOr(res::kPods, "default", "p")["status"]["containerStatuses"][0];
  EXPECT_EQ(GetInt(cs, "lastState.terminated.exitCode").value_or(0), 1);
  EXPECT_EQ(GetString(cs, "lastState.terminated.reason"), "Error");
}

TEST(ClusterFaults, DevicePluginLateDelaysTheGpus) {
  World w(faults::kDevicePluginLate, true);
  ASSERT_TRUE(w.cluster.AddNode(Cluster::TestVm("g1", 24, 220, 1, 80)).ok());
  const Time t0 = w.sim.Now();
  w.RunUntil([&] { return w.GetOr(res::kNodes, "", "g1")["status"]["allocatable"].contains("nvidia.com/gpu"); },
             std::chrono::hours(1));
  // Usually 15-45 s after Ready (5 s); late is at least twice that.
  EXPECT_GE(ToSeconds(w.sim.Now() - t0), 5.0 + 2 * 15.0);
}

TEST(ClusterFaults, DevicePluginNeverLeavesTheNodeWithoutGpus) {
  World w(faults::kDevicePluginNever, true);
  ASSERT_TRUE(w.cluster.AddNode(Cluster::TestVm("g1", 24, 220, 1, 80)).ok());
  w.sim.RunFor(std::chrono::hours(1));
  Json node = w.GetOr(res::kNodes, "", "g1");
  EXPECT_EQ(Cond(node, "Ready"), "True");
  EXPECT_FALSE(node["status"]["allocatable"].contains("nvidia.com/gpu"));
  // A pod asking for a GPU cannot be scheduled there.
  Json p = Pod("llm");
  Container(p)["resources"]["limits"] = {{"nvidia.com/gpu", "1"}};
  ASSERT_TRUE(w.client.Create(res::kPods, "default", p).ok());
  w.sim.RunFor(std::chrono::seconds(5));
  EXPECT_EQ(Cond(w.GetOr(res::kPods, "default", "llm"), "PodScheduled", "message"),
            "0/1 nodes are available: 1 Insufficient nvidia.com/gpu. preemption: 0/1 nodes are "
            "available: 1 Preemption is not helpful for scheduling.");
}

TEST(ClusterFaults, BindFailureIsRetriedAndThePodStillLands) {
  World w(faults::kBindFail, false, 5);
  ASSERT_TRUE(w.cluster.AddNode(Cluster::TestVm("n1", 16, 64)).ok());
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(w.client.Create(res::kPods, "default", Pod("p" + std::to_string(i))).ok());
  }
  w.RunUntil([&] {
    for (int i = 0; i < 40; ++i) {
      if (GetString(w.GetOr(res::kPods, "default", "p" + std::to_string(i)), "spec.nodeName").empty()) return false;
    }
    return true;
  }, std::chrono::minutes(2));
  EXPECT_GE(w.cluster.scheduler().stats().bind_errors, 1u);
}

TEST(ClusterFaults, FaultSitesAreInertUnderRealEnv) {
  RealEnv env;
  for (const FaultSite& site : {faults::kKubeletStop, faults::kImagePullFail, faults::kProbeFail,
                                 faults::kContainerCrash, faults::kDevicePluginLate,
                                 faults::kDevicePluginNever, faults::kBindFail}) {
    for (int i = 0; i < 100; ++i) EXPECT_FALSE(env.Buggify(site.name, 1.0)) << site.name;
  }
}

}  // namespace
}  // namespace kt::sim::cluster::testing
