// Leader election on a coordination.k8s.io/v1 Lease: of two candidates only one leads at any
// moment; the lease record has Kubernetes' fields and formats; a leader that cannot renew
// stops leading after the renew deadline, before the standby takes over, and the standby
// takes over within the lease duration (plus one retry) of the last renewal; a leader that
// stops releases the lease so the standby takes over at its next retry; a manager that loses
// the lease stops its controllers, and the standby manager's controllers start.
#include "controllers/runtime/leader_elector.h"

#include <gtest/gtest.h>

#include <iostream>
#include <regex>

#include "api/object.h"
#include "base/json.h"
#include "base/sim_env.h"
#include "controllers/runtime/manager.h"
#include "tests/controllers/runtime/fake_kube_client.h"
#include "tests/controllers/runtime/partitioned_client.h"
#include "tests/controllers/runtime/test_objects.h"

namespace kt::ctrl {
namespace {

using testing::FakeKubeClient;
using testing::PartitionedClient;

const api::GroupVersionResource kLeases = api::resources::kLeases;

LeaderElectionOptions Lease(const std::string& identity) {
  LeaderElectionOptions o;
  o.lease_namespace = "kaito-workspace";
  o.lease_name = "kaito-controller-manager";
  o.identity = identity;
  return o;
}

// Two candidates on one lease, each with its own (partitionable) client.
class LeaderElectionTest : public ::testing::Test {
 protected:
  void SetUp() override { std::cout << "seed=" << env_.seed() << "\n"; }

  struct Candidate {
    explicit Candidate(FakeKubeClient& fake) : client(fake) {}
    PartitionedClient client;
    std::unique_ptr<LeaderElector> elector;
    int started = 0, stopped = 0;
    Time started_at, stopped_at;
  };

  void Make(Candidate& c, const std::string& id, SimEnv& env) {
    LeaderCallbacks cb;
    cb.on_started_leading = [&c, &env] { ++c.started; c.started_at = env.Now(); };
    cb.on_stopped_leading = [&c, &env] { ++c.stopped; c.stopped_at = env.Now(); };
    c.elector = std::make_unique<LeaderElector>(env, c.client, Lease(id), cb);
  }

  // Runs the loop for `d`, failing the test if both ever lead at once.
  void RunChecked(Duration d) {
    env_.RunUntil(
        [&] {
          if (a_.elector->IsLeader() && b_.elector->IsLeader()) both_led_ = true;
          return false;
        },
        d);
    EXPECT_FALSE(both_led_) << "two leaders at once";
  }

  Json LeaseObject() { return *fake_.Get(kLeases, "kaito-workspace", "kaito-controller-manager"); }

  SimEnv env_{SimEnv::Options{.seed = 11}};
  FakeKubeClient fake_{env_};
  Candidate a_{fake_}, b_{fake_};
  bool both_led_ = false;
};

TEST_F(LeaderElectionTest, OnlyOneOfTwoCandidatesLeadsAndTheLeaseHasKubernetesFields) {
  Make(a_, "manager-a", env_);
  Make(b_, "manager-b", env_);
  a_.elector->Start();
  b_.elector->Start();
  RunChecked(std::chrono::minutes(2));
  EXPECT_NE(a_.elector->IsLeader(), b_.elector->IsLeader());
  EXPECT_EQ(a_.started + b_.started, 1);
  Json lease = LeaseObject();
  const std::string holder = GetString(lease, "spec.holderIdentity");
  EXPECT_EQ(holder, a_.elector->IsLeader() ? "manager-a" : "manager-b");
  EXPECT_EQ(GetInt(lease, "spec.leaseDurationSeconds"), 15);
  EXPECT_EQ(GetInt(lease, "spec.leaseTransitions"), 0);
  const std::regex micro(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
  EXPECT_TRUE(std::regex_match(GetString(lease, "spec.acquireTime"), micro));
  EXPECT_TRUE(std::regex_match(GetString(lease, "spec.renewTime"), micro));
  // The leader renews every 2 s: renewTime is recent, acquireTime stays put.
  EXPECT_GT(GetString(lease, "spec.renewTime"), GetString(lease, "spec.acquireTime"));
  EXPECT_EQ(a_.elector->observed_holder(), holder);
  EXPECT_EQ(b_.elector->observed_holder(), holder);
}

TEST_F(LeaderElectionTest, LeaderThatCannotRenewStepsDownBeforeTheStandbyTakesOver) {
  Make(a_, "manager-a", env_);
  Make(b_, "manager-b", env_);
  a_.elector->Start();
  RunChecked(std::chrono::seconds(1));
  ASSERT_TRUE(a_.elector->IsLeader());
  b_.elector->Start();
  RunChecked(std::chrono::seconds(30));
  ASSERT_TRUE(a_.elector->IsLeader());
  ASSERT_FALSE(b_.elector->IsLeader());

  a_.client.set_partitioned(true);  // a can no longer reach the API server
  const Time last_renew = *ParseRfc3339(GetString(LeaseObject(), "spec.renewTime"));
  RunChecked(std::chrono::minutes(1));
  ASSERT_EQ(a_.stopped, 1);
  EXPECT_TRUE(a_.elector->lost());
  EXPECT_LE(a_.stopped_at - last_renew, std::chrono::seconds(10)) << "renew deadline";
  ASSERT_TRUE(b_.elector->IsLeader());
  EXPECT_LT(a_.stopped_at, b_.started_at) << "the old leader must stop first";
  // The standby notices within one jittered retry (<= 2 s * 2.2) that the record stopped
  // changing, then waits the lease duration on its own clock, then needs one more retry.
  EXPECT_LE(b_.started_at - last_renew, std::chrono::seconds(15) + 2 * 4400ms);
  Json lease = LeaseObject();
  EXPECT_EQ(GetString(lease, "spec.holderIdentity"), "manager-b");
  EXPECT_EQ(GetInt(lease, "spec.leaseTransitions"), 1);
  // Losing is final: reconnected, the old leader does not campaign again.
  a_.client.set_partitioned(false);
  RunChecked(std::chrono::minutes(1));
  EXPECT_FALSE(a_.elector->IsLeader());
  EXPECT_EQ(a_.started, 1);
}

TEST_F(LeaderElectionTest, StoppedLeaderReleasesTheLeaseAndTheStandbyTakesOverAtItsNextRetry) {
  Make(a_, "manager-a", env_);
  Make(b_, "manager-b", env_);
  a_.elector->Start();
  RunChecked(std::chrono::seconds(1));
  b_.elector->Start();
  RunChecked(std::chrono::seconds(30));
  ASSERT_TRUE(a_.elector->IsLeader());
  const Time stop = env_.Now();
  a_.elector->Stop();
  EXPECT_EQ(a_.stopped, 0) << "stopping is not losing";
  Json released = LeaseObject();
  EXPECT_EQ(GetString(released, "spec.holderIdentity"), "");
  EXPECT_EQ(GetInt(released, "spec.leaseDurationSeconds"), 1);
  RunChecked(std::chrono::seconds(10));
  ASSERT_TRUE(b_.elector->IsLeader());
  EXPECT_LE(b_.started_at - stop, 4400ms);
}

// Manager level: the controllers follow the lease.
class CountingReconciler : public Reconciler {
 public:
  ReconcileResult Reconcile(const Request&) override {
    ++calls;
    return ReconcileResult::RequeueAfter(std::chrono::seconds(1));
  }
  int calls = 0;
};

TEST(ManagerLeaderElectionTest, ManagerThatLosesTheLeaseStopsItsControllersAndTheStandbyStarts) {
  SimEnv env(SimEnv::Options{.seed = 5});
  std::cout << "seed=" << env.seed() << "\n";
  FakeKubeClient fake(env);
  ASSERT_TRUE(fake.Create(testing::kWorkspaces, "default", testing::Workspace("default", "w1")).ok());
  PartitionedClient client_a(fake), client_b(fake);
  auto options = [](const std::string& id) {
    ManagerOptions o;
    o.identity = id;
    o.leader_election = true;
    o.leader_election_id = "kaito-controller-manager";
    o.leader_election_namespace = "kaito-workspace";
    return o;
  };
  Manager a(env, client_a, options("manager-a"));
  Manager b(env, client_b, options("manager-b"));
  CountingReconciler rec_a, rec_b;
  a.NewController({.name = "workspace"}, rec_a).For({testing::kWorkspaces, "Workspace"});
  b.NewController({.name = "workspace"}, rec_b).For({testing::kWorkspaces, "Workspace"});
  ASSERT_TRUE(a.Start().ok());
  env.RunFor(std::chrono::seconds(1));
  ASSERT_TRUE(b.Start().ok());
  env.RunFor(std::chrono::seconds(30));
  ASSERT_TRUE(a.IsLeader());
  EXPECT_FALSE(b.IsLeader());
  EXPECT_GT(rec_a.calls, 20);
  EXPECT_EQ(rec_b.calls, 0) << "a standby runs no controllers";
  EXPECT_NE(b.metrics().Render().find("leader_election_master_status{name=\"kaito-controller-manager\"} 0"),
            std::string::npos);

  client_a.set_partitioned(true);
  env.RunFor(std::chrono::minutes(1));
  EXPECT_EQ(a.state(), Manager::State::kLostLeadership);
  const int a_calls = rec_a.calls;
  env.RunFor(std::chrono::minutes(1));
  EXPECT_EQ(rec_a.calls, a_calls) << "the old leader's controllers stopped";
  EXPECT_TRUE(b.IsLeader());
  EXPECT_GT(rec_b.calls, 20);
  net::HttpRequest healthz;
  healthz.method = "GET";
  healthz.path = "/healthz";
  EXPECT_EQ(a.Serve(healthz).status, 500) << "a manager that lost the lease reports unhealthy";
  EXPECT_EQ(b.Serve(healthz).status, 200);
  EXPECT_NE(b.metrics().Render().find("leader_election_master_status{name=\"kaito-controller-manager\"} 1"),
            std::string::npos);
  b.Stop();
  a.Stop();
}

}  // namespace
}  // namespace kt::ctrl
