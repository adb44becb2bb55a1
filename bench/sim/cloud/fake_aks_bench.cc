// Throughput of the fake AKS under SimEnv: full agent-pool lifecycles (PUT, boot, DELETE) per
// VM, and single ARM requests through the REST handler (no sockets).
#include <benchmark/benchmark.h>

#include "base/json.h"
#include "base/sim_env.h"
#include "sim/cloud/arm_http_handler.h"
#include "sim/cloud/fake_aks.h"

namespace kt::sim::cloud {
namespace {

constexpr std::string_view kRoomy =
    "quota: {default_family_vcpus: 100000000}\n"
    "capacity: {default_vms_per_zone: 100000000}\n"
    "limits: {agent_pools_max: 10000}\n";

Json Body(int count) {
  return Json{{"properties",
               {{"vmSize", "Standard_NC24ads_A100_v4"},
                {"count", count},
                {"nodeLabels", {{"kaito.sh/workspace", "ws"}}}}}};
}

// Creates `pools` pools of `vms` VMs, boots them, deletes them; items = VMs.
void BM_PoolLifecycle(benchmark::State& state) {
  const int pools = static_cast<int>(state.range(0));
  const int vms = static_cast<int>(state.range(1));
  for (auto _ : state) {
    SimEnv env;
    auto catalog = SkuCatalog::LoadEmbedded();
    auto config = CloudConfig::LoadDefaultsWithOverlay(kRoomy);
    FakeAks aks(env, std::move(catalog).value(), std::move(config).value());
    for (int p = 0; p < pools; ++p) {
      KT_CHECK(aks.PutAgentPool("p" + std::to_string(p), Body(vms)).ok());
    }
    env.RunUntilIdle();
    for (int p = 0; p < pools; ++p) KT_CHECK(aks.DeleteAgentPool("p" + std::to_string(p)).ok());
    env.RunUntilIdle();
    benchmark::DoNotOptimize(aks.Costs());
  }
  state.SetItemsProcessed(state.iterations() * pools * vms);
}
BENCHMARK(BM_PoolLifecycle)->Args({100, 10})->Args({1000, 5})->Unit(benchmark::kMillisecond);

net::HttpRequest GetRequest(const FakeAks& aks, std::string_view name) {
  net::HttpRequest r;
  r.method = "GET";
  r.path = AgentPoolsPath(aks.cluster()) + "/" + std::string(name);
  r.query.emplace_back("api-version", "2024-09-01");
  r.headers["host"] = "127.0.0.1:8443";
  return r;
}

void BM_ArmGetAgentPool(benchmark::State& state) {
  SimEnv env;
  auto catalog = SkuCatalog::LoadEmbedded();
  auto config = CloudConfig::LoadDefaultsWithOverlay(
      "quota: {default_family_vcpus: 100000000}\narm: {reads_per_hour: 0}");
  FakeAks aks(env, std::move(catalog).value(), std::move(config).value());
  KT_CHECK(aks.PutAgentPool("gpu1", Body(1)).ok());
  env.RunUntilIdle();
  const net::HttpRequest req = GetRequest(aks, "gpu1");
  ArmHandlerOptions options;
  for (auto _ : state) {
    net::HttpResponse r = HandleArmRequest(aks, options, req);
    benchmark::DoNotOptimize(r.body.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ArmGetAgentPool);

}  // namespace
}  // namespace kt::sim::cloud
