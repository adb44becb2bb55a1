// API server throughput: in-process writes (create, update; updates also from two threads at
// once) and reads (get, list), HTTP requests per second on loopback (GET of one object over
// keep-alive connections: blocking client threads, and an event-loop load generator in the
// manner of wrk, which also POSTs creates), and watch fan-out to 1,000 watchers (events
// delivered per second).
// Creates are of ConfigMaps and of Events as a kubelet writes them. Each in-process write bench
// comes twice: with the client building each body in the timed loop, and "Prebuilt", timing
// the server's part alone (see BodySource).
// Targets (issue 2): >= 500k writes/s in-process, >= 50k HTTP requests/s on 2 cores.
#include <benchmark/benchmark.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
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

// Where a write's body comes from.
// - kInLoop: the client builds each body in the timed loop (a copy of a template and one field
//   set), so the figure is client and server together on one thread.
// - kPrebuilt: the bodies are built beforehand, kBatch at a time with the timer paused, so the
//   figure is the server's part of a write alone: the client builds its request on its own core,
//   as an HTTP client or a controller's worker thread does (and as etcd's and kube-apiserver's
//   write rates are measured, with the load generator in other processes).
enum class Bodies { kInLoop, kPrebuilt };

class BodySource {
 public:
  static constexpr size_t kBatch = 64;

  // `make(i)` builds the i-th body.
  BodySource(benchmark::State& state, Bodies mode, std::function<Json(int64_t)> make)
      : state_(state), mode_(mode), make_(std::move(make)) {}

  Json Next() {
    if (mode_ == Bodies::kInLoop) return make_(built_++);
    if (next_ == batch_.size()) {
      state_.PauseTiming();
      batch_.clear();
      for (size_t k = 0; k < kBatch; ++k) batch_.push_back(make_(built_++));
      next_ = 0;
      state_.ResumeTiming();
    }
    return std::move(batch_[next_++]);
  }

 private:
  benchmark::State& state_;
  const Bodies mode_;
  const std::function<Json(int64_t)> make_;
  std::vector<Json> batch_;
  size_t next_ = 0;
  int64_t built_ = 0;
};

// Creates a copy of `tmpl` named `prefix` + i in `gvr`'s default namespace, one per iteration,
// on a fresh server every 100k objects (keeps the store and memory bounded). The client's part
// is a copy and a name, as a controller stamping out objects from a template does.
void CreateLoop(benchmark::State& state, const api::GroupVersionResource& gvr, const Json& tmpl,
                const std::string& prefix, Bodies bodies) {
  SimEnv env;
  auto server = std::make_unique<ApiServer>(env);
  ResourceRef ref{gvr, "default", "", ""};
  BodySource source(state, bodies, [&](int64_t i) {
    Json obj = tmpl;
    obj["metadata"]["name"] = prefix + std::to_string(i);
    return obj;
  });
  int64_t i = 0;
  for (auto _ : state) {
    auto r = server->Create(ref, source.Next());
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    if (++i % 100'000 == 0) {
      state.PauseTiming();
      server = std::make_unique<ApiServer>(env);
      env.RunUntilIdle();
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_InProcessCreate(benchmark::State& state) {
  CreateLoop(state, res::kConfigMaps, ConfigMap("cm"), "cm-", Bodies::kInLoop);
}
BENCHMARK(BM_InProcessCreate)->Unit(benchmark::kMicrosecond);

void BM_InProcessCreatePrebuilt(benchmark::State& state) {
  CreateLoop(state, res::kConfigMaps, ConfigMap("cm"), "cm-", Bodies::kPrebuilt);
}
BENCHMARK(BM_InProcessCreatePrebuilt)->Unit(benchmark::kMicrosecond);

// An Event as a kubelet's recorder writes it: the most frequent create on a busy cluster
// (about five per pod started).
Json KubeletEvent(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Event"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"involvedObject", {{"apiVersion", "v1"}, {"kind", "Pod"}, {"name", "pod-1"},
                              {"namespace", "default"},
                              {"uid", "0f9a8b7c-1234-5678-9abc-def012345679"},
                              {"resourceVersion", "1234500"},
                              {"fieldPath", "spec.containers{app}"}}},
          {"reason", "Pulled"},
          {"message", "Container image \"registry.k8s.io/pause:3.9\" already present on machine"},
          {"source", {{"component", "kubelet"}, {"host", "aks-bench-00012"}}},
          {"firstTimestamp", "2026-11-27T10:00:00Z"},
          {"lastTimestamp", "2026-11-27T10:00:00Z"},
          {"count", 1},
          {"type", "Normal"},
          {"eventTime", nullptr},
          {"reportingComponent", "kubelet"},
          {"reportingInstance", "aks-bench-00012"}};
}

void BM_InProcessCreateEvent(benchmark::State& state) {
  CreateLoop(state, res::kEvents, KubeletEvent("pod-1"), "pod-1.", Bodies::kInLoop);
}
BENCHMARK(BM_InProcessCreateEvent)->Unit(benchmark::kMicrosecond);

void BM_InProcessCreateEventPrebuilt(benchmark::State& state) {
  CreateLoop(state, res::kEvents, KubeletEvent("pod-1"), "pod-1.", Bodies::kPrebuilt);
}
BENCHMARK(BM_InProcessCreateEventPrebuilt)->Unit(benchmark::kMicrosecond);

// Updates ConfigMap `ref` (stored as `obj`) once per iteration, a new data value each time and
// no resourceVersion (an unconditional PUT).
void UpdateLoop(benchmark::State& state, ApiServer& server, const ResourceRef& ref, Json obj,
                Bodies bodies) {
  obj["metadata"].erase("resourceVersion");
  BodySource source(state, bodies, [&](int64_t i) {
    Json body = obj;
    body["data"]["k"] = std::to_string(i);
    return body;
  });
  for (auto _ : state) {
    auto r = server.Update(ref, source.Next());
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}

void UpdateBench(benchmark::State& state, Bodies bodies) {
  SimEnv env;
  ApiServer server(env);
  ResourceRef ref{res::kConfigMaps, "default", "", ""};
  Json obj = *server.Create(ref, ConfigMap("cm")).value().object;
  ref.name = "cm";
  UpdateLoop(state, server, ref, std::move(obj), bodies);
}

void BM_InProcessUpdate(benchmark::State& state) { UpdateBench(state, Bodies::kInLoop); }
BENCHMARK(BM_InProcessUpdate)->Unit(benchmark::kMicrosecond);

void BM_InProcessUpdatePrebuilt(benchmark::State& state) { UpdateBench(state, Bodies::kPrebuilt); }
BENCHMARK(BM_InProcessUpdatePrebuilt)->Unit(benchmark::kMicrosecond);

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

// The API server on a loopback port (plain HTTP) with one ConfigMap, default/cm, to GET;
// `io_threads` serve it until the object goes away.
class LoopbackServer {
 public:
  explicit LoopbackServer(int io_threads) {
    (void)server_.Create(ResourceRef{res::kConfigMaps, "default", "", ""}, ConfigMap("cm"));
    started_ = http_.Start().ok();
    if (started_) env_.RunInBackground(io_threads);
  }
  ~LoopbackServer() {
    if (started_) http_.Stop();
    env_.Stop();
    env_.Join();
  }
  bool started() const { return started_; }
  ApiHttpServer& http() { return http_; }

 private:
  static ServeOptions Insecure() {
    ServeOptions so;
    so.insecure = true;
    return so;
  }
  RealEnv env_;
  ApiServer server_{env_};
  ApiHttpServer http_{env_, server_, Insecure()};
  bool started_ = false;
};

// HTTP GETs of one object over loopback: `state.range(0)` client threads with keep-alive
// connections against a server running `state.range(1)` io threads.
void BM_HttpGet(benchmark::State& state) {
  const int clients = static_cast<int>(state.range(0));
  LoopbackServer served(static_cast<int>(state.range(1)));
  if (!served.started()) {
    state.SkipWithError("cannot start the HTTP server");
    return;
  }
  ApiHttpServer& http = served.http();
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
}
BENCHMARK(BM_HttpGet)->Args({4, 2})->Args({8, 2})->UseRealTime()->Unit(benchmark::kMillisecond);

// A load generator in the manner of wrk: `connections` keep-alive connections driven by one
// event-loop thread, each with one request in flight (no pipelining). Unlike a blocking thread
// per connection, one wake-up of the loop serves every response that has arrived.
class LoadGenerator {
 public:
  // `request(n)`: the bytes of the n-th request (n counts from 0 over the generator's life).
  // `expected`: the status every response must have (others count as failed).
  using RequestFn = std::function<std::string(int64_t)>;
  LoadGenerator(uint16_t port, RequestFn request, int connections, unsigned expected)
      : request_(std::move(request)), expected_(expected) {
    boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), port);
    for (int i = 0; i < connections; ++i) {
      auto c = std::make_unique<Conn>(io_);
      c->socket.connect(ep);
      c->socket.set_option(boost::asio::ip::tcp::no_delay(true));
      conns_.push_back(std::move(c));
    }
  }

  // Sends `total` requests and waits for every response; returns how many failed.
  int64_t Run(int64_t total) {
    remaining_ = total;
    failed_ = 0;
    for (auto& c : conns_) Next(*c);
    io_.restart();
    io_.run();
    return failed_;
  }

 private:
  struct Conn {
    explicit Conn(boost::asio::io_context& io) : socket(io) {}
    boost::asio::ip::tcp::socket socket;
    boost::beast::flat_buffer buffer;
    boost::beast::http::response<boost::beast::http::string_body> response;
    std::string request;
  };

  void Next(Conn& c) {
    if (remaining_ == 0) return;
    --remaining_;
    c.request = request_(sent_++);
    boost::asio::async_write(c.socket, boost::asio::buffer(c.request),
                             [this, &c](boost::system::error_code ec, size_t) {
                               if (ec) return Fail();
                               c.response = {};
                               boost::beast::http::async_read(
                                   c.socket, c.buffer, c.response,
                                   [this, &c](boost::system::error_code ec2, size_t) {
                                     if (ec2) return Fail();
                                     if (c.response.result_int() != expected_) ++failed_;
                                     Next(c);
                                   });
                             });
  }

  // A broken connection ends the run: its requests count as failed.
  void Fail() {
    failed_ += remaining_ + 1;
    remaining_ = 0;
    io_.stop();
  }

  boost::asio::io_context io_{1};
  RequestFn request_;
  unsigned expected_;
  int64_t sent_ = 0;
  std::vector<std::unique_ptr<Conn>> conns_;
  int64_t remaining_ = 0;
  int64_t failed_ = 0;
};

// Requests over loopback from the load generator: `request` on `state.range(0)` connections
// against a server (starting with default/cm) running `state.range(1)` io threads; every
// response must have status `expected`.
void LoadLoop(benchmark::State& state, LoadGenerator::RequestFn request, unsigned expected) {
  LoopbackServer served(static_cast<int>(state.range(1)));
  if (!served.started()) {
    state.SkipWithError("cannot start the HTTP server");
    return;
  }
  LoadGenerator load(served.http().port(), std::move(request), static_cast<int>(state.range(0)),
                     expected);
  const int64_t per_round = 5000;
  for (auto _ : state) {
    if (load.Run(per_round) != 0) state.SkipWithError("HTTP errors");
  }
  state.SetItemsProcessed(state.iterations() * per_round);
}

// GETs of one object.
void BM_HttpGetLoad(benchmark::State& state) {
  const std::string get =
      "GET /api/v1/namespaces/default/configmaps/cm HTTP/1.1\r\n"
      "Host: 127.0.0.1\r\nAccept: application/json\r\n\r\n";
  LoadLoop(state, [get](int64_t) { return get; }, 200);
}
BENCHMARK(BM_HttpGetLoad)
    ->Args({16, 1})
    ->Args({64, 1})
    ->Args({64, 2})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Creates: POSTs of ConfigMaps, each with its own name (objects accumulate in the server).
void BM_HttpCreateLoad(benchmark::State& state) {
  LoadLoop(
      state,
      [](int64_t n) {
        const std::string body =
            R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-)" +
            std::to_string(n) + R"("},"data":{"k":"v"}})";
        return "POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\n"
               "Host: 127.0.0.1\r\nAccept: application/json\r\n"
               "Content-Type: application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
      },
      201);
}
BENCHMARK(BM_HttpCreateLoad)
    ->Args({64, 1})
    ->Args({64, 2})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// In-process updates from `state.threads()` threads at once, each to its own ConfigMap, on one
// server under RealEnv (as `kaito-twin up` serves concurrent clients): how the server's lock
// and shared state scale across cores. The server lives for the whole process.
void BM_InProcessUpdateConcurrent(benchmark::State& state) {
  static RealEnv env(RealEnv::Options{1, 1.0});
  static ApiServer server(env);
  ResourceRef ref{res::kConfigMaps, "default", "", ""};
  ref.name = "cm-" + std::to_string(state.threads()) + "-" + std::to_string(state.thread_index());
  if (!server.Get(ref).ok()) {
    ResourceRef create = ref;
    create.name.clear();
    (void)server.Create(create, ConfigMap(ref.name));
  }
  UpdateLoop(state, server, ref, *server.Get(ref).value(), Bodies::kInLoop);
}
BENCHMARK(BM_InProcessUpdateConcurrent)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace kt::sim
