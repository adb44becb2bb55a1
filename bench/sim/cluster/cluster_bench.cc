// Benchmarks of the cluster twin (SimEnv, one thread):
//   BM_NodesAndPodsRunning   N nodes with kubelets register and turn Ready, then P pods are
//                            created (in batches, as a client would), scheduled, started by
//                            their kubelets and Running. The Kubernetes scalability limits are
//                            5,000 nodes / 150,000 pods; target <= 60 s wall on 2 cores.
//   BM_SchedulerThroughput   P pending pods onto N nodes (plain Node objects, no kubelets):
//                            pods bound per wall second, binding writes included.
//                            Target >= 20,000 pods/s.
//   BM_VirtualToWallRatio    a typical scenario (the fake AKS boots a GPU node, a Deployment
//                            requesting the GPU pulls a 16 GB model image and becomes Ready,
//                            45 virtual minutes): virtual seconds per wall second.
// Wall times are measured by the benchmark (UseRealTime); counters carry the rates.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "api/object.h"
#include "base/huge_page_heap.h"
#include "base/json.h"
#include "base/log.h"
#include "base/sim_env.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/in_process_client.h"
#include "sim/cloud/cloud_config.h"
#include "sim/cloud/fake_aks.h"
#include "sim/cloud/sku_catalog.h"
#include "sim/cluster/cluster.h"
#include "sim/cluster/kubelet_fleet.h"

namespace kt::sim::cluster {
namespace {

namespace res = api::resources;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

ApiServerOptions BenchServerOptions() {
  ApiServerOptions o;
  // Bursts of 150k objects: keep the backlogs large enough that no watch is dropped (a relist
  // would only add noise to the measurement). Watches are never dropped here (no faults), so
  // the window only serves watch starts; each event in it holds an object version alive, so
  // it stays modest (400k pod versions were ~6 GB).
  o.watch_window_events_max = 20'000;
  o.watch_backlog_events_max = 1'000'000;
  return o;
}

Json BenchPod(int i) {
  return Json{{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "pod-" + std::to_string(i)}, {"namespace", "default"},
                            {"labels", {{"app", "bench"}}}}},
              {"spec",
               {{"containers",
                 Json::array({{{"name", "app"},
                               {"image", "registry.k8s.io/pause:3.9"},
                               {"resources", {{"requests", {{"cpu", "10m"}, {"memory", "16Mi"}}}}}}})}}}};
}

int CountRunning(Informer& pods) {
  int n = 0;
  for (const auto& [key, p] : pods.items()) {
    const Json* phase = FindPath(*p, "status.phase");
    if (phase && phase->is_string() && phase->get_ref<const std::string&>() == "Running") ++n;
  }
  return n;
}

void BM_NodesAndPodsRunning(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0));
  const int pods = static_cast<int>(state.range(1));
  const bool events = state.range(2) != 0;
  SetLogLevel(LogLevel::kWarning);
  for (auto _ : state) {
    SimEnv env(SimEnv::Options{1});
    ApiServer server(env, BenchServerOptions());
    ClusterOptions co;
    co.events.enabled = events;
    Cluster cluster(env, server, co);
    KT_CHECK(cluster.Start().ok());
    auto t0 = Clock::now();
    for (int i = 0; i < nodes; ++i) {
      char name[32];
      std::snprintf(name, sizeof(name), "aks-bench-%05d", i);
      KT_CHECK(cluster.AddNode(Cluster::TestVm(name, 16, 64)).ok());
    }
    env.RunFor(std::chrono::seconds(10));  // every node Ready
    const double t_nodes = Since(t0);
    const Time v0 = env.Now();
    auto t1 = Clock::now();
    constexpr int kBatch = 2000;
    for (int i = 0; i < pods; ++i) {
      auto r = server.Create(ResourceRef{res::kPods, "default", "", ""}, BenchPod(i));
      KT_CHECK(r.ok()) << r.status().ToString();
      if ((i + 1) % kBatch == 0) env.RunFor(std::chrono::milliseconds(1));
    }
    const double t_create = Since(t1);
    int running = 0;
    for (int step = 0; step < 600 && running < pods; ++step) {
      env.RunFor(std::chrono::seconds(1));
      running = CountRunning(cluster.pods());
    }
    const double t_pods = Since(t1);
    KT_CHECK(running == pods) << running << " of " << pods << " running";
    state.SetIterationTime(t_nodes + t_pods);
    state.counters["nodes_ready_s"] = t_nodes;
    state.counters["pods_create_s"] = t_create;
    state.counters["pods_running_s"] = t_pods;
    state.counters["total_wall_s"] = t_nodes + t_pods;
    state.counters["pods_per_s"] = pods / t_pods;
    state.counters["virtual_s"] = ToSeconds(env.Now() - v0);
    state.counters["events_created"] = static_cast<double>(cluster.events().stats().created);
    const HugePageHeapStats heap = GetHugePageHeapStats();
    state.counters["heap_chunks"] = static_cast<double>(heap.chunks);
    state.counters["heap_spares_used"] = static_cast<double>(heap.spares_used);
    std::printf("nodes=%d pods=%d events=%d: nodes Ready in %.2f s wall; pods created %.2f s, "
                "all Running %.2f s wall (%.0f pods/s); total %.2f s; virtual %.1f s; heap: %zu "
                "chunks, %zu MiB, %zu of them prepared ahead\n",
                nodes, pods, events ? 1 : 0, t_nodes, t_create, t_pods, pods / t_pods,
                t_nodes + t_pods, ToSeconds(env.Now() - v0), heap.chunks,
                heap.bytes_mapped >> 20, heap.spares_used);
    cluster.Stop();
  }
}

Json RawNode(const std::string& name) {
  Json alloc = {{"cpu", "16"}, {"memory", "64Gi"}, {"ephemeral-storage", "100Gi"}, {"pods", "110"}};
  return Json{{"apiVersion", "v1"},
              {"kind", "Node"},
              {"metadata", {{"name", name}, {"labels", {{"kubernetes.io/hostname", name}}}}},
              {"status", {{"capacity", alloc}, {"allocatable", alloc},
                          {"conditions", Json::array({{{"type", "Ready"}, {"status", "True"}}})}}}};
}

void BM_SchedulerThroughput(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0));
  const int pods = static_cast<int>(state.range(1));
  const bool events = state.range(2) != 0;
  SetLogLevel(LogLevel::kWarning);
  for (auto _ : state) {
    SimEnv env(SimEnv::Options{1});
    ApiServer server(env, BenchServerOptions());
    for (int i = 0; i < nodes; ++i) {
      char name[32];
      std::snprintf(name, sizeof(name), "node-%05d", i);
      KT_CHECK(server.Create(ResourceRef{res::kNodes, "", "", ""}, RawNode(name)).ok());
    }
    ClusterOptions co;
    co.events.enabled = events;
    co.run_controllers = false;
    co.run_node_lifecycle = false;
    co.admission_defaults = false;
    Cluster cluster(env, server, co);
    KT_CHECK(cluster.Start().ok());
    env.RunFor(std::chrono::milliseconds(1));  // the scheduler knows the nodes
    for (int i = 0; i < pods; ++i) {
      KT_CHECK(server.Create(ResourceRef{res::kPods, "default", "", ""}, BenchPod(i)).ok());
    }
    auto t0 = Clock::now();
    env.RunUntil([&] { return cluster.scheduler().stats().scheduled >= static_cast<uint64_t>(pods); },
                 std::chrono::minutes(10));
    const double t = Since(t0);
    KT_CHECK(cluster.scheduler().stats().scheduled == static_cast<uint64_t>(pods));
    state.SetIterationTime(t);
    state.counters["pods_per_s"] = pods / t;
    std::printf("scheduler: %d pods onto %d nodes in %.3f s wall = %.0f pods/s (events %s)\n", pods,
                nodes, t, pods / t, events ? "on" : "off");
    cluster.Stop();
  }
}

void BM_VirtualToWallRatio(benchmark::State& state) {
  SetLogLevel(LogLevel::kWarning);
  for (auto _ : state) {
    SimEnv env(SimEnv::Options{42});
    ApiServer server(env);
    InProcessClient client(server);
    Cluster cluster(env, server);
    KT_CHECK(cluster.Start().ok());
    auto catalog = cloud::SkuCatalog::LoadEmbedded();
    auto config = cloud::CloudConfig::LoadDefaults();
    KT_CHECK(catalog.ok() && config.ok());
    cloud::FakeAks aks(env, std::move(*catalog), std::move(*config));
    aks.AddObserver(&cluster.vm_observer());
    auto t0 = Clock::now();
    Json pool = {{"properties", {{"vmSize", "Standard_NC24ads_A100_v4"}, {"count", 1},
                                 {"osType", "Linux"}, {"mode", "User"}, {"osDiskSizeGB", 300}}}};
    KT_CHECK(aks.PutAgentPool("gpu1", pool).ok());
    Json d = {{"apiVersion", "apps/v1"}, {"kind", "Deployment"},
              {"metadata", {{"name", "phi-3"}, {"namespace", "default"}}},
              {"spec", {{"replicas", 1}, {"selector", {{"matchLabels", {{"app", "phi-3"}}}}},
                        {"template", {{"metadata", {{"labels", {{"app", "phi-3"}}}}},
                                      {"spec", {{"containers", Json::array({{
                                          {"name", "model"},
                                          {"image", "mcr.microsoft.com/aks/kaito/kaito-phi-3-mini-4k-instruct:0.2.0"},
                                          {"resources", {{"limits", {{"nvidia.com/gpu", "1"}}}}},
                                          {"readinessProbe", {{"httpGet", {{"path", "/health"}, {"port", 5000}}},
                                                              {"periodSeconds", 10}}}}})}}}}}}}};
    KT_CHECK(client.Create(res::kDeployments, "default", d).ok());
    const Duration virtual_span = std::chrono::minutes(45);
    env.RunFor(virtual_span);
    const double wall = Since(t0);
    state.SetIterationTime(wall);
    state.counters["virtual_per_wall"] = ToSeconds(virtual_span) / wall;
    std::printf("typical scenario: %.0f virtual s in %.3f s wall = %.0fx (%llu trace lines)\n",
                ToSeconds(virtual_span), wall, ToSeconds(virtual_span) / wall,
                static_cast<unsigned long long>(env.trace().lines()));
    cluster.Stop();
  }
}

BENCHMARK(BM_SchedulerThroughput)
    ->Args({5000, 50000, 0})
    ->Args({5000, 50000, 1})
    ->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK(BM_NodesAndPodsRunning)
    ->Args({500, 15000, 1})
    ->Args({5000, 150000, 0})
    ->Args({5000, 150000, 1})
    ->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK(BM_VirtualToWallRatio)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

}  // namespace
}  // namespace kt::sim::cluster
