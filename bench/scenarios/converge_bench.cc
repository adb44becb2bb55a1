// N workspaces applied at once converge: N copies of the Phi-3 quick-start workspace are
// created in one instant in a fresh World (one controller manager, the cluster twin, the fake
// AKS with room for N pools, quota and ARM budgets raised so the cloud is not the limit), and
// the loop runs until every one is WorkspaceReady. Reports wall time (the iteration time),
// virtual time to converge, reconciles and reconciles per wall second, and the loop's events.
#include <benchmark/benchmark.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "base/json.h"
#include "base/yaml.h"
#include "scenarios/world.h"

namespace kt::scenarios {
namespace {

constexpr char kOverlay[] = R"(
limits: {agent_pools_max: 5000}
quota: {default_family_vcpus: 1000000, low_priority_vcpus: 1000000}
arm: {reads_per_hour: 100000000, writes_per_hour: 100000000, deletes_per_hour: 100000000}
)";

Json Phi3() {
  std::ifstream in("examples/inference/kaito_workspace_phi_3.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  auto ws = ParseYaml(ss.str());
  KT_CHECK(ws.ok()) << ws.status().ToString() << " (run from the source tree)";
  return *ws;
}

void BM_WorkspacesConverge(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const Json base = Phi3();
  for (auto _ : state) {
    WorldOptions o;
    o.seed = 1;
    o.cloud_overlay = kOverlay;
    o.timeline_entries_max = 1000;
    World w(o);
    const Time start = w.env().Now();
    const uint64_t events_before = w.env().events_run();
    for (int i = 0; i < n; ++i) {
      Json ws = base;
      char name[32];
      std::snprintf(name, sizeof name, "ws-%04d", i);
      ws["metadata"]["name"] = name;
      ws["resource"]["labelSelector"]["matchLabels"]["apps"] = name;
      auto r = w.Create(ws);
      KT_CHECK(r.ok()) << r.status().ToString();
    }
    auto ready = [&] {
      api::ListOptions lo;
      auto list = w.List(api::resources::kWorkspacesV1alpha1, "default");
      int count = 0;
      for (const Json& ws : list) count += api::IsConditionTrue(ws, "WorkspaceReady") ? 1 : 0;
      return count == n;
    };
    // Checking all N is O(N): look once per virtual minute.
    bool done = false;
    for (int minute = 0; minute < 600 && !done; ++minute) {
      w.Run(std::chrono::minutes(1));
      done = ready();
    }
    KT_CHECK(done) << "not converged";
    const double virtual_s = std::chrono::duration<double>(w.env().Now() - start).count();
    state.counters["virtual_s"] = virtual_s;
    state.counters["reconciles"] = static_cast<double>(w.reconciles());
    state.counters["reconciles_per_s"] =
        benchmark::Counter(static_cast<double>(w.reconciles()), benchmark::Counter::kIsRate);
    state.counters["events"] = static_cast<double>(w.env().events_run() - events_before);
    state.counters["pools"] = static_cast<double>(w.PoolCount());
  }
}
BENCHMARK(BM_WorkspacesConverge)->Arg(10)->Arg(100)->Arg(1000)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace
}  // namespace kt::scenarios
