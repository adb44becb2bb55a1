// Controllers: For/Owns/Watches turn changes into requests for the right object; bursts are
// reconciled once; errors retry with the per-key back-off while TerminalError does not;
// RequeueAfter; predicates; workers wait for the caches; Stop stops taking work; cached reads
// answer NotFound/Unavailable like the server would. Under RealEnv with real worker threads: a
// key is never reconciled by two workers at once while other keys proceed in parallel.
#include "controllers/runtime/controller.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

#include "api/object.h"
#include "base/json.h"
#include "base/real_env.h"
#include "base/sim_env.h"
#include "controllers/runtime/cache.h"
#include "controllers/runtime/metrics.h"
#include "controllers/runtime/work_queue.h"
#include "tests/controllers/runtime/fake_kube_client.h"
#include "tests/controllers/runtime/test_objects.h"

namespace kt::ctrl {
namespace {

using testing::ConfigMap;
using testing::FakeKubeClient;
using testing::kConfigMaps;
using testing::kWorkspaces;
using testing::Workspace;

const ForResource kWorkspaceKind{kWorkspaces, "Workspace"};

class ControllerTest : public ::testing::Test {
 protected:
  Controller& Make(std::function<ReconcileResult(const Request&)> fn, int workers = 1) {
    reconciler_ = std::make_unique<ReconcilerFunc>([this, fn](const Request& r) {
      calls_.push_back(r.Key() + "@" + std::to_string((env_.Now() - start_) / 1ms));
      return fn(r);
    });
    controller_ = std::make_unique<Controller>(
        env_, cache_, metrics_, *reconciler_,
        ControllerOptions{.name = "workspace", .max_concurrent_reconciles = workers});
    return *controller_;
  }
  Json Put(const api::GroupVersionResource& gvr, Json obj) {
    auto r = client_.Create(gvr, api::Namespace(obj), obj);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Json();
  }
  double Metric(const char* name, MetricLabels labels) {
    return metrics_.GetCounter(name, "", labels).value();
  }
  std::vector<std::string> Keys() const {
    std::vector<std::string> out;
    for (const auto& c : calls_) out.push_back(c.substr(0, c.find('@')));
    return out;
  }

  SimEnv env_;
  Time start_ = env_.Now();
  FakeKubeClient client_{env_};
  MetricsRegistry metrics_;
  Cache cache_{env_, client_, {}};
  std::unique_ptr<ReconcilerFunc> reconciler_;
  std::unique_ptr<Controller> controller_;
  std::vector<std::string> calls_;
};

TEST_F(ControllerTest, ForReconcilesEachObjectAndABurstOfChangesOnce) {
  Put(kWorkspaces, Workspace("default", "w1"));
  Make([](const Request&) { return ReconcileResult::Done(); }).For(kWorkspaceKind);
  cache_.Start();
  controller_->Start();
  env_.RunFor(1s);
  EXPECT_EQ(Keys(), (std::vector<std::string>{"default/w1"}));
  // Three writes land before the workers run: one reconcile sees the final state.
  calls_.clear();
  for (int i = 0; i < 3; ++i) {
    Json w = *client_.Get(kWorkspaces, "default", "w1");
    w["resource"]["count"] = i;
    ASSERT_TRUE(client_.Update(kWorkspaces, "default", w).ok());
  }
  env_.RunFor(1s);
  EXPECT_EQ(Keys(), (std::vector<std::string>{"default/w1"}));
  EXPECT_EQ(Metric("controller_runtime_reconcile_total",
                   {{"controller", "workspace"}, {"result", "success"}}),
            2);
}

TEST_F(ControllerTest, OwnsEnqueuesTheControllingOwnerOfTheForKindOnly) {
  Json w1 = Put(kWorkspaces, Workspace("default", "w1"));
  Make([](const Request&) { return ReconcileResult::Done(); })
      .For(kWorkspaceKind)
      .Owns(kConfigMaps);
  cache_.Start();
  controller_->Start();
  env_.RunFor(1s);
  calls_.clear();
  Json owned = ConfigMap("default", "owned");
  api::SetControllerReference(owned, w1);
  Put(kConfigMaps, owned);
  Json not_controller = ConfigMap("default", "plain-owner");
  not_controller["metadata"]["ownerReferences"] =
      Json::array({{{"apiVersion", "kaito.sh/v1beta1"}, {"kind", "Workspace"}, {"name", "w9"},
                    {"uid", "u9"}}});
  Put(kConfigMaps, not_controller);
  Json other_kind = ConfigMap("default", "other-kind");
  other_kind["metadata"]["ownerReferences"] =
      Json::array({{{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "w1"},
                    {"uid", "u1"}, {"controller", true}}});
  Put(kConfigMaps, other_kind);
  env_.RunFor(1s);
  EXPECT_EQ(Keys(), (std::vector<std::string>{"default/w1"}));
  // Deleting the owned object enqueues the owner again (so it can be recreated).
  calls_.clear();
  ASSERT_TRUE(client_.Delete(kConfigMaps, "default", "owned").ok());
  env_.RunFor(1s);
  EXPECT_EQ(Keys(), (std::vector<std::string>{"default/w1"}));
}

TEST_F(ControllerTest, WatchesMapsObjectsToRequestsIncludingTheOldStateOnUpdates) {
  const api::GroupVersionResource nodeclaims = api::resources::kNodeClaims;
  Make([](const Request&) { return ReconcileResult::Done(); })
      .For(kWorkspaceKind)
      .Watches(nodeclaims, [](const Json& nc) {
        std::vector<Request> out;
        auto ws = api::Label(nc, "kaito.sh/workspace");
        auto ns = api::Label(nc, "kaito.sh/workspacenamespace");
        if (ws && ns) out.push_back(Request{*ns, *ws});
        return out;
      });
  cache_.Start();
  controller_->Start();
  env_.RunFor(1s);
  Json nc = {{"apiVersion", "karpenter.sh/v1"},
             {"kind", "NodeClaim"},
             {"metadata",
              {{"name", "ws0a1b2c3d4"},
               {"labels", {{"kaito.sh/workspace", "w1"}, {"kaito.sh/workspacenamespace", "team"}}}}}};
  nc = Put(nodeclaims, nc);
  env_.RunFor(1s);
  EXPECT_EQ(Keys(), (std::vector<std::string>{"team/w1"}));
  calls_.clear();
  nc["metadata"]["labels"]["kaito.sh/workspace"] = "w2";  // relabelled: both are told
  ASSERT_TRUE(client_.Update(nodeclaims, "", nc).ok());
  env_.RunFor(1s);
  std::vector<std::string> keys = Keys();
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"team/w1", "team/w2"}));
}

TEST_F(ControllerTest, ErrorsRetryWithGrowingBackOffAndSuccessForgetsTheStreak) {
  Put(kWorkspaces, Workspace("default", "w1"));
  int n = 0;
  Make([&](const Request&) -> ReconcileResult {
    if (++n <= 3) return Unavailable("quota check failed");
    return ReconcileResult::Done();
  }).For(kWorkspaceKind);
  cache_.Start();
  controller_->Start();
  env_.RunFor(1s);
  ASSERT_EQ(calls_.size(), 4u);
  auto at = [&](int i) { return std::stoi(calls_[i].substr(calls_[i].find('@') + 1)); };
  EXPECT_EQ(at(1) - at(0), 5);
  EXPECT_EQ(at(2) - at(1), 10);
  EXPECT_EQ(at(3) - at(2), 20);
  EXPECT_EQ(controller_->queue().NumRequeues("default/w1"), 0) << "success forgets the streak";
  const MetricLabels c = {{"controller", "workspace"}};
  EXPECT_EQ(Metric("controller_runtime_reconcile_errors_total", c), 3);
  EXPECT_EQ(Metric("controller_runtime_reconcile_total",
                   {{"controller", "workspace"}, {"result", "error"}}),
            3);
}

TEST_F(ControllerTest, TerminalErrorIsNotRetriedButANewEventStillReconciles) {
  Put(kWorkspaces, Workspace("default", "w1"));
  Make([](const Request&) {
    return TerminalError(Invalid("all requested instance types were unavailable during launch"));
  }).For(kWorkspaceKind);
  cache_.Start();
  controller_->Start();
  env_.RunFor(std::chrono::hours(1));
  EXPECT_EQ(calls_.size(), 1u);
  EXPECT_EQ(Metric("controller_runtime_terminal_reconcile_errors_total",
                   {{"controller", "workspace"}}),
            1);
  Json w = *client_.Get(kWorkspaces, "default", "w1");
  w["resource"]["instanceType"] = "Standard_NC24ads_A100_v4";
  ASSERT_TRUE(client_.Update(kWorkspaces, "default", w).ok());
  env_.RunFor(1s);
  EXPECT_EQ(calls_.size(), 2u);
}

TEST_F(ControllerTest, RequeueAfterReconcilesAgainAfterTheDelay) {
  Put(kWorkspaces, Workspace("default", "w1"));
  int n = 0;
  Make([&](const Request&) {
    return ++n < 3 ? ReconcileResult::RequeueAfter(2s) : ReconcileResult::Done();
  }).For(kWorkspaceKind);
  cache_.Start();
  controller_->Start();
  env_.RunFor(std::chrono::minutes(1));
  ASSERT_EQ(calls_.size(), 3u);
  EXPECT_EQ(std::stoi(calls_[2].substr(calls_[2].find('@') + 1)) -
                std::stoi(calls_[1].substr(calls_[1].find('@') + 1)),
            2000);
  EXPECT_EQ(Metric("controller_runtime_reconcile_total",
                   {{"controller", "workspace"}, {"result", "requeue_after"}}),
            2);
}

TEST_F(ControllerTest, GenerationChangedPredicateIgnoresStatusOnlyWrites) {
  Put(kWorkspaces, Workspace("default", "w1"));
  Make([](const Request&) { return ReconcileResult::Done(); })
      .For(kWorkspaceKind, GenerationChangedPredicate());
  cache_.Start();
  controller_->Start();
  env_.RunFor(1s);
  Json w = *client_.Get(kWorkspaces, "default", "w1");
  w["status"]["conditions"] = Json::array({{{"type", "ResourceReady"}, {"status", "True"}}});
  ASSERT_TRUE(client_.Update(kWorkspaces, "default", w, {.subresource = "status"}).ok());
  env_.RunFor(1s);
  EXPECT_EQ(calls_.size(), 1u);
  w = *client_.Get(kWorkspaces, "default", "w1");
  w["resource"]["count"] = 2;
  ASSERT_TRUE(client_.Update(kWorkspaces, "default", w).ok());
  env_.RunFor(1s);
  EXPECT_EQ(calls_.size(), 2u);
}

TEST_F(ControllerTest, WorkersWaitForTheCachesAndReadsBeforeSyncAreUnavailable) {
  Put(kWorkspaces, Workspace("default", "w1"));
  client_.FailNext("list", kConfigMaps, Unavailable("apiserver starting"), 3);
  Make([&](const Request& r) {
    EXPECT_TRUE(cache_.HasSynced(kConfigMaps)) << "reconciled before the caches synced";
    return ReconcileResult::Done();
  })
      .For(kWorkspaceKind)
      .Owns(kConfigMaps);
  cache_.Start();
  controller_->Start();
  env_.RunFor(100ms);
  EXPECT_TRUE(calls_.empty());
  EXPECT_TRUE(cache_.Get(kConfigMaps, "default", "x").status().Is(StatusCode::kUnavailable));
  env_.RunFor(std::chrono::minutes(1));
  EXPECT_EQ(Keys(), (std::vector<std::string>{"default/w1"}));
  auto missing = cache_.Get(kWorkspaces, "default", "nope");
  EXPECT_TRUE(missing.status().Is(StatusCode::kNotFound));
  EXPECT_EQ(missing.status().message(), "workspaces.kaito.sh \"nope\" not found");
}

TEST_F(ControllerTest, CachedListFiltersByNamespaceAndSelectors) {
  Put(kConfigMaps, ConfigMap("a", "one", {{"app", "x"}}));
  Put(kConfigMaps, ConfigMap("a", "two", {{"app", "y"}}));
  Put(kConfigMaps, ConfigMap("b", "three", {{"app", "x"}}));
  cache_.InformerFor(kConfigMaps);
  cache_.Start();
  env_.RunFor(1s);
  EXPECT_EQ(cache_.List(kConfigMaps, "")->size(), 3u);
  EXPECT_EQ(cache_.List(kConfigMaps, "a")->size(), 2u);
  auto x = cache_.List(kConfigMaps, "", "app=x");
  ASSERT_EQ(x->size(), 2u);
  EXPECT_EQ(api::KeyOf(*(*x)[0]), "a/one");
  EXPECT_EQ(cache_.List(kConfigMaps, "", "", "metadata.name=two")->size(), 1u);
  EXPECT_TRUE(cache_.List(kConfigMaps, "", "app in (").status().Is(StatusCode::kBadRequest));
}

TEST_F(ControllerTest, StopStopsTakingWork) {
  Put(kWorkspaces, Workspace("default", "w1"));
  Make([](const Request&) { return ReconcileResult::RequeueAfter(1s); }).For(kWorkspaceKind);
  cache_.Start();
  controller_->Start();
  env_.RunFor(3500ms);
  const size_t before = calls_.size();
  EXPECT_EQ(before, 4u);
  controller_->Stop();
  Put(kWorkspaces, Workspace("default", "w2"));
  env_.RunFor(std::chrono::minutes(1));
  EXPECT_EQ(calls_.size(), before);
  EXPECT_TRUE(controller_->WaitForIdle(1s));
}

// RealEnv: worker threads. "a" blocks inside Reconcile until released; meanwhile "a" is added
// again and "b" arrives. "b" must be reconciled by another worker while "a" is still held, and
// "a" must not be entered twice; after release, "a" runs once more for the change it missed.
TEST(ControllerThreadsTest, OneKeyNeverRunsInTwoWorkersWhileOtherKeysProceed) {
  RealEnv env;
  env.RunInBackground(2);
  FakeKubeClient client(env);
  MetricsRegistry metrics;
  Cache cache(env, client, {});
  std::mutex mu;
  std::condition_variable cv;
  bool release_a = false;
  bool a_blocked = false;
  int a_in_flight = 0, a_max_in_flight = 0, a_runs = 0, b_runs = 0;
  ReconcilerFunc rec([&](const Request& r) {
    std::unique_lock<std::mutex> lock(mu);
    if (r.name == "a") {
      ++a_runs;
      a_max_in_flight = std::max(a_max_in_flight, ++a_in_flight);
      if (a_runs == 1) {
        a_blocked = true;
        cv.notify_all();
        cv.wait(lock, [&] { return release_a; });
      }
      --a_in_flight;
    } else {
      ++b_runs;
    }
    cv.notify_all();
    return ReconcileResult::Done();
  });
  Controller c(env, cache, metrics, rec,
               ControllerOptions{.name = "threads", .max_concurrent_reconciles = 4});
  c.For({kConfigMaps, "ConfigMap"});
  ASSERT_TRUE(client.Create(kConfigMaps, "default", ConfigMap("default", "a")).ok());
  cache.Start();
  c.Start();
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return a_blocked; });
  }
  for (int i = 0; i < 3; ++i) {
    Json a = *client.Get(kConfigMaps, "default", "a");
    a["data"]["k"] = std::to_string(i);
    ASSERT_TRUE(client.Update(kConfigMaps, "default", a).ok());
  }
  ASSERT_TRUE(client.Create(kConfigMaps, "default", ConfigMap("default", "b")).ok());
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return b_runs == 1; });  // proceeds while "a" is held
    EXPECT_EQ(a_runs, 1);
    release_a = true;
    cv.notify_all();
    cv.wait(lock, [&] { return a_runs == 2 && a_in_flight == 0; });
  }
  c.Stop();
  EXPECT_TRUE(c.WaitForIdle(std::chrono::seconds(30)));
  EXPECT_EQ(a_max_in_flight, 1);
  cache.Stop();
  env.Stop();
  env.Join();
}

}  // namespace
}  // namespace kt::ctrl
