// The manager under SimEnv: starting runs the cache, controllers and runnables (leader-only
// runnables only while leading); periodic runnables run on the virtual clock; Stop() stops
// them all and a stopped manager does no more work; health, readiness, metrics and webhook
// paths answer in-process through Serve(); HTTP endpoints are refused under SimEnv; bind
// addresses parse like controller-runtime's flags.
#include "controllers/runtime/manager.h"

#include <gtest/gtest.h>

#include "base/sim_env.h"
#include "tests/controllers/runtime/fake_kube_client.h"
#include "tests/controllers/runtime/test_objects.h"

namespace kt::ctrl {
namespace {

using testing::FakeKubeClient;

net::HttpRequest Get(const std::string& path, const std::string& query_key = "") {
  net::HttpRequest r;
  r.method = "GET";
  r.path = path;
  if (!query_key.empty()) r.query.emplace_back(query_key, "");
  return r;
}

TEST(ManagerTest, RunsControllersAndRunnablesAndStopsThemAll) {
  SimEnv env;
  FakeKubeClient client(env);
  ASSERT_TRUE(client.Create(testing::kWorkspaces, "default", testing::Workspace("default", "w")).ok());
  Manager mgr(env, client, {});
  int reconciles = 0;
  ReconcilerFunc rec([&](const Request&) {
    ++reconciles;
    return ReconcileResult::Done();
  });
  mgr.NewController({.name = "workspace"}, rec).For({testing::kWorkspaces, "Workspace"});
  int gc_runs = 0;
  mgr.Add(std::make_unique<PeriodicRunnable>(env, "nodeclaim-gc", std::chrono::minutes(2),
                                             [&] { ++gc_runs; }, /*needs_leader_election=*/true,
                                             std::chrono::seconds(30)));
  EXPECT_EQ(mgr.state(), Manager::State::kNew);
  ASSERT_TRUE(mgr.Start().ok());
  EXPECT_FALSE(mgr.Start().ok()) << "a manager starts once";
  env.RunFor(std::chrono::minutes(5));
  EXPECT_EQ(reconciles, 1);
  EXPECT_EQ(gc_runs, 3) << "at 0:30, 2:30 and 4:30";
  EXPECT_TRUE(mgr.IsLeader()) << "without leader election a running manager leads";

  mgr.Stop();
  EXPECT_EQ(mgr.state(), Manager::State::kStopped);
  ASSERT_TRUE(client.Create(testing::kWorkspaces, "default", testing::Workspace("default", "w2")).ok());
  env.RunFor(std::chrono::minutes(10));
  EXPECT_EQ(reconciles, 1);
  EXPECT_EQ(gc_runs, 3);
  EXPECT_EQ(env.pending_events(), 0u) << "nothing of a stopped manager is left on the loop";
}

TEST(ManagerTest, ControllerAddedToARunningManagerStartsOnComplete) {
  SimEnv env;
  FakeKubeClient client(env);
  ASSERT_TRUE(client.Create(testing::kConfigMaps, "default", testing::ConfigMap("default", "c")).ok());
  Manager mgr(env, client, {});
  ASSERT_TRUE(mgr.Start().ok());
  int reconciles = 0;
  ReconcilerFunc rec([&](const Request&) {
    ++reconciles;
    return ReconcileResult::Done();
  });
  Controller& late = mgr.NewController({.name = "late"}, rec);
  late.For({testing::kConfigMaps, "ConfigMap"});
  env.RunFor(std::chrono::seconds(5));
  EXPECT_EQ(reconciles, 0) << "not started until wired and completed";
  mgr.Complete(late);
  env.RunFor(std::chrono::seconds(5));
  EXPECT_EQ(reconciles, 1);
}

TEST(ManagerTest, ProbesMetricsAndWebhooksAnswerInProcess) {
  SimEnv env;
  FakeKubeClient client(env);
  Manager mgr(env, client, {});
  bool ready = false;
  mgr.AddReadyzCheck("informers", [&] { return ready ? Status::Ok() : Unavailable("syncing"); });
  mgr.AddWebhook("/validate-workspace", [](const net::HttpRequest& req) {
    return net::HttpResponse::Json(200, "{\"echo\":" + req.body + "}");
  });
  ASSERT_TRUE(mgr.Start().ok());

  EXPECT_EQ(mgr.Serve(Get("/healthz")).status, 200);
  EXPECT_EQ(mgr.Serve(Get("/healthz")).body, "ok");
  net::HttpResponse notready = mgr.Serve(Get("/readyz"));
  EXPECT_EQ(notready.status, 500);
  EXPECT_EQ(notready.body,
            "[-]informers failed: reason withheld\n[+]ping ok\nreadyz check failed\n");
  ready = true;
  net::HttpResponse verbose = mgr.Serve(Get("/readyz", "verbose"));
  EXPECT_EQ(verbose.status, 200);
  EXPECT_EQ(verbose.body, "[+]informers ok\n[+]ping ok\nreadyz check passed\n");
  EXPECT_EQ(mgr.Serve(Get("/readyz/ping")).status, 200);
  EXPECT_EQ(mgr.Serve(Get("/readyz/nope")).status, 404);

  net::HttpRequest post;
  post.method = "POST";
  post.path = "/validate-workspace";
  post.body = "{\"kind\":\"AdmissionReview\"}";
  net::HttpResponse hook = mgr.Serve(post);
  EXPECT_EQ(hook.status, 200);
  EXPECT_EQ(hook.body, "{\"echo\":{\"kind\":\"AdmissionReview\"}}");
  EXPECT_EQ(mgr.Serve(Get("/validate-workspace")).status, 405);
  post.path = "/nowhere";
  EXPECT_EQ(mgr.Serve(post).status, 404);
  EXPECT_EQ(mgr.Serve(Get("/metrics")).status, 200);
  mgr.Stop();
}

TEST(ManagerTest, HttpEndpointsNeedARealEnvAndLeaderElectionNeedsALease) {
  SimEnv env;
  FakeKubeClient client(env);
  ManagerOptions o;
  o.metrics_bind_address = ":8080";
  Manager with_server(env, client, o);
  Status s = with_server.Start();
  EXPECT_TRUE(s.Is(StatusCode::kBadRequest));
  EXPECT_NE(s.message().find("RealEnv"), std::string::npos);

  ManagerOptions le;
  le.leader_election = true;
  Manager no_lease(env, client, le);
  EXPECT_TRUE(no_lease.Start().Is(StatusCode::kBadRequest));
}

TEST(ManagerTest, IdentityDefaultsToNameAndASeededSuffix) {
  SimEnv env;
  FakeKubeClient client(env);
  Manager a(env, client, {});
  EXPECT_TRUE(a.identity().starts_with("kaito-controller-manager_"));
  EXPECT_EQ(a.identity().size(), std::string("kaito-controller-manager_").size() + 8);
}

TEST(ManagerTest, BindAddressesParseLikeControllerRuntimeFlags) {
  auto any = ParseBindAddress(":8080");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->first, "0.0.0.0");
  EXPECT_EQ(any->second, 8080);
  auto local = ParseBindAddress("127.0.0.1:0");
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->first, "127.0.0.1");
  EXPECT_EQ(local->second, 0);
  auto v6 = ParseBindAddress("[::1]:9443");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->first, "::1");
  EXPECT_FALSE(ParseBindAddress("8080").ok());
  EXPECT_FALSE(ParseBindAddress(":http").ok());
  EXPECT_FALSE(ParseBindAddress(":99999").ok());
}

}  // namespace
}  // namespace kt::ctrl
