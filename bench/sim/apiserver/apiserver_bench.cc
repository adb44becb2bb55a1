// API server throughput: in-process writes (create, update) and reads (get, list), HTTP requests
// per second on loopback (GET of one object over keep-alive connections, several client
// threads), and watch fan-out to 1,000 watchers (events delivered per second).
// Targets (issue 2): >= 500k writes/s in-process, >= 50k HTTP requests/s on 2 cores.
#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/json.h"
#include "base/net/http_client.h"
#include "base/real_env.h"
#include "base/sim_env.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/http/api_http_server.h"
#include "sim/apiserver/in_process_client.h"

namespace kt::sim {
namespace {

namespace res = api::resources;

Json ConfigMap(const std::string& name) {
  return {{"apiVersion", "v1"}, {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", "default"}}}, {"data", {{"k", "v"}}}};
}

void BM_InProcessCreate(benchmark::State& state) {
  SimEnv env;
  auto server = std::make_unique<ApiServer>(env);
  ResourceRef ref{res::kConfigMaps, "default", "", ""};
  int64_t i = 0;
  for (auto _ : state) {
    auto r = server->Create(ref, ConfigMap("cm-" + std::to_string(i++)));
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    if (i % 100'000 == 0) {  // keep the store (and memory) bounded
      state.PauseTiming();
      server = std::make_unique<ApiServer>(env);
      env.RunUntilIdle();
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InProcessCreate)->Unit(benchmark::kMicrosecond);

void BM_InProcessUpdate(benchmark::State& state) {
  SimEnv env;
  ApiServer server(env);
  ResourceRef ref{res::kConfigMaps, "default", "", ""};
  Json obj = *server.Create(ref, ConfigMap("cm")).value().object;
  ref.name = "cm";
  int64_t i = 0;
  for (auto _ : state) {
    obj["data"]["k"] = std::to_string(i++);
    obj["metadata"].erase("resourceVersion");
    auto r = server.Update(ref, obj);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InProcessUpdate)->Unit(benchmark::kMicrosecond);

void BM_InProcessGet(benchmark::State& state) {
  SimEnv env;
  ApiServer server(env);
  ResourceRef ref{res::kConfigMaps, "default", "", ""};
  for (int i = 0; i < 1000; ++i) (void)server.Create(ref, ConfigMap("cm-" + std::to_string(i)));
  ref.name = "cm-500";
  for (auto _ : state) {
    auto r = server.Get(ref);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InProcessGet)->Unit(benchmark::kMicrosecond);

void BM_InProcessClientGet(benchmark::State& state) {
  SimEnv env;
  ApiServer server(env);
  InProcessClient client(server);
  (void)client.Create(res::kConfigMaps, "default", ConfigMap("cm"));
  for (auto _ : state) {
    auto r = client.Get(res::kConfigMaps, "default", "cm");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InProcessClientGet)->Unit(benchmark::kMicrosecond);

void BM_InProcessList100(benchmark::State& state) {
  SimEnv env;
  ApiServer server(env);
  ResourceRef ref{res::kConfigMaps, "default", "", ""};
  for (int i = 0; i < 100; ++i) (void)server.Create(ref, ConfigMap("cm-" + std::to_string(i)));
  for (auto _ : state) {
    auto r = server.List(ref);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InProcessList100)->Unit(benchmark::kMicrosecond);

// One write fanned out to N in-process watchers, delivered through the Env loop.
void BM_WatchFanOut(benchmark::State& state) {
  const int watchers = static_cast<int>(state.range(0));
  SimEnv env;
  ApiServer server(env);
  InProcessClient client(server);
  (void)client.Create(res::kConfigMaps, "default", ConfigMap("cm"));
  std::atomic<int64_t> delivered{0};
  std::vector<std::unique_ptr<api::Watch>> ws;
  api::ListOptions o;
  o.resource_version = std::to_string(server.resource_version());
  for (int i = 0; i < watchers; ++i) {
    ws.push_back(client.StartWatch(res::kConfigMaps, "default", o,
                                   [&](const api::WatchEvent&) { delivered++; }, nullptr).value());
  }
  int64_t i = 0;
  for (auto _ : state) {
    (void)client.Patch(res::kConfigMaps, "default", "cm", api::PatchType::kMerge,
                       "{\"data\":{\"k\":\"" + std::to_string(i++) + "\"}}");
    env.RunUntilIdle();
  }
  state.SetItemsProcessed(delivered.load());
  state.counters["events_per_write"] = static_cast<double>(delivered.load()) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_WatchFanOut)->Arg(1000)->Unit(benchmark::kMillisecond);

// HTTP GETs of one object over loopback: `state.range(0)` client threads with keep-alive
// connections against a server running `state.range(1)` io threads.
void BM_HttpGet(benchmark::State& state) {
  const int clients = static_cast<int>(state.range(0));
  const int io_threads = static_cast<int>(state.range(1));
  RealEnv env;
  ApiServer server(env);
  (void)server.Create(ResourceRef{res::kConfigMaps, "default", "", ""}, ConfigMap("cm"));
  ServeOptions so;
  so.insecure = true;
  ApiHttpServer http(env, server, so);
  if (!http.Start().ok()) {
    state.SkipWithError("cannot start the HTTP server");
    return;
  }
  env.RunInBackground(io_threads);
  const int64_t per_round = 2000;
  int64_t total = 0;
  for (auto _ : state) {
    std::atomic<int64_t> errors{0};
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&] {
        auto client = net::HttpClient::Create(http.base_url()).value();
        for (int64_t n = 0; n < per_round / clients; ++n) {
          auto r = client->Do("GET", "/api/v1/namespaces/default/configmaps/cm", {{"Accept", "application/json"}});
          if (!r.ok() || r->status != 200) errors++;
        }
      });
    }
    for (auto& t : threads) t.join();
    total += (per_round / clients) * clients;
    if (errors) state.SkipWithError("HTTP errors");
  }
  state.SetItemsProcessed(total);
  http.Stop();
  env.Stop();
  env.Join();
}
BENCHMARK(BM_HttpGet)->Args({4, 2})->Args({8, 2})->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kt::sim
