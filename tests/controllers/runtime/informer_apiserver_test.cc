// Informers and controllers against the twin's real in-process API server (sim/apiserver)
// under SimEnv, with the server's fault points on (dropped and lagging watches, 503s, write
// conflicts) and a tiny watch window (so resuming watches also meet 410 Gone and relist):
// after a random workload and a quiet phase with faults off, every informer's
// cache equals the server's state, each object's changes reached the handlers in
// resourceVersion order, a controller has reconciled the final state of every object, and
// label-selector lists from the cache (served from label indexes kept through watch events
// and relists) equal the server's.
// A seed sweep; each seed prints itself and the failure names it.
#include <gtest/gtest.h>

#include <iostream>
#include <map>

#include "api/object.h"
#include "base/json.h"
#include "base/sim_env.h"
#include "controllers/runtime/cache.h"
#include "controllers/runtime/controller.h"
#include "controllers/runtime/informer.h"
#include "controllers/runtime/metrics.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/in_process_client.h"
#include "tests/controllers/runtime/test_objects.h"

namespace kt::ctrl {
namespace {

using testing::ConfigMap;
using testing::kConfigMaps;

struct SeedResult {
  uint64_t relists = 0;
  uint64_t drops = 0;
};

SeedResult RunSeed(uint64_t seed) {
  SCOPED_TRACE("seed=" + std::to_string(seed));
  SimEnv env(SimEnv::Options{.seed = seed, .site_enable_probability = 0.5, .faults_enabled = true});
  sim::ApiServerOptions so;
  so.watch_window_events_max = 8;  // tiny: a watch resuming after its back-off often finds its rv compacted
  so.bookmark_interval = std::chrono::seconds(5);
  sim::ApiServer server(env, so);
  sim::InProcessClient client(server);
  CacheOptions co;
  co.lag_max = std::chrono::milliseconds(500);
  Cache cache(env, client, co);
  MetricsRegistry metrics;
  // The controller records the resourceVersion it last saw for each key, read from the cache.
  std::map<std::string, std::string> reconciled;
  ReconcilerFunc rec([&](const Request& r) -> ReconcileResult {
    auto obj = cache.Get(kConfigMaps, r.ns, r.name);
    if (!obj.ok() && obj.status().Is(StatusCode::kNotFound)) {
      reconciled.erase(r.Key());
      return ReconcileResult::Done();
    }
    if (!obj.ok()) return obj.status();
    reconciled[r.Key()] = api::ResourceVersion(**obj);
    return ReconcileResult::Done();
  });
  Controller ctl(env, cache, metrics, rec, {.name = "cm", .max_concurrent_reconciles = 3});
  ctl.For({kConfigMaps, "ConfigMap"});
  std::map<std::string, int64_t> last_rv_seen;  // per key: handler order must follow rv order
  bool out_of_order = false;
  EventHandler order;
  auto check = [&](const ObjectPtr& o) {
    int64_t rv = std::stoll(api::ResourceVersion(*o));
    int64_t& last = last_rv_seen[api::KeyOf(*o)];
    if (rv < last) out_of_order = true;
    last = rv;
  };
  order.on_add = check;
  order.on_update = [&](const ObjectPtr&, const ObjectPtr& o) { check(o); };
  order.on_delete = check;
  cache.InformerFor(kConfigMaps).AddEventHandler(order);
  cache.Start();
  ctl.Start();

  Rng& rng = env.Random("test/workload");
  for (int step = 0; step < 400; ++step) {
    env.RunFor(std::chrono::milliseconds(rng.UniformInt(1, 200)));
    const std::string name = "cm" + std::to_string(rng.UniformInt(0, 14));
    const int64_t op = rng.UniformInt(0, 2);
    const std::string app = step % 3 == 0 ? "a" : "b";
    if (step % 50 == 49) (void)cache.List(kConfigMaps, "default", "app=a");  // the index exists early
    if (op == 0) {
      (void)client.Create(kConfigMaps, "default", ConfigMap("default", name, {{"app", app}}));
    } else if (op == 1) {
      (void)client.Patch(kConfigMaps, "default", name, api::PatchType::kMerge,
                         "{\"metadata\":{\"labels\":{\"app\":\"" + app + "\"}},\"data\":{\"k\":\"" +
                             std::to_string(step) + "\"}}");
    } else {
      (void)client.Delete(kConfigMaps, "default", name);
    }
  }
  env.SetFaultsEnabled(false);
  env.RunFor(std::chrono::minutes(3));  // liveness: faults off, let everything settle

  auto truth = client.List(kConfigMaps, "default");
  EXPECT_TRUE(truth.ok()) << truth.status().ToString();
  std::map<std::string, std::string> want;
  for (const Json& item : (*truth)["items"]) want[api::KeyOf(item)] = api::ResourceVersion(item);
  std::map<std::string, std::string> cached;
  for (const ObjectPtr& o : cache.InformerFor(kConfigMaps).store().List()) {
    cached[api::KeyOf(*o)] = api::ResourceVersion(*o);
  }
  EXPECT_EQ(cached, want) << "the cache did not converge on the server's state";
  EXPECT_EQ(reconciled, want) << "the controller did not reconcile every final state";
  EXPECT_FALSE(out_of_order) << "a handler saw an object's changes out of order";
  for (const char* selector : {"app=a", "app in (b)", "app=a,app!=b", "app!=a"}) {
    api::ListOptions lo;
    lo.label_selector = selector;
    auto server_list = client.List(kConfigMaps, "default", lo);
    auto cache_list = cache.List(kConfigMaps, "default", selector);
    EXPECT_TRUE(server_list.ok() && cache_list.ok()) << selector;
    if (!server_list.ok() || !cache_list.ok()) continue;
    std::vector<std::string> a, b;
    for (const Json& item : (*server_list)["items"]) a.push_back(api::KeyOf(item));
    for (const ObjectPtr& o : *cache_list) b.push_back(api::KeyOf(*o));
    EXPECT_EQ(b, a) << selector;
  }
  Informer::Stats st = cache.InformerFor(kConfigMaps).stats();
  ctl.Stop();
  cache.Stop();
  return SeedResult{st.relists_after_gone, st.watch_drops};
}

TEST(InformerAgainstApiServerTest, CachesConvergeOnTheServersStateUnderFaultsForEverySeed) {
  uint64_t relists = 0, drops = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    std::cout << "seed=" << seed << "\n";
    SeedResult r = RunSeed(seed);
    relists += r.relists;
    drops += r.drops;
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "reproduce with seed=" << seed;
      break;
    }
  }
  std::cout << "watch drops=" << drops << " relists after 410=" << relists << "\n";
  EXPECT_GT(drops, 0u) << "the sweep should exercise dropped watches";
  EXPECT_GT(relists, 0u) << "the sweep should exercise relists after 410 Gone";
}

}  // namespace
}  // namespace kt::ctrl
