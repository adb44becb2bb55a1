// Metrics: the Prometheus text format (HELP/TYPE, escaped label values, cumulative histogram
// buckets with +Inf, _sum and _count), controller-runtime's metric names from a running
// manager, and `promtool check metrics` accepting the whole text (skipped when promtool is
// not installed).
#include "controllers/runtime/metrics.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "base/sim_env.h"
#include "controllers/runtime/manager.h"
#include "tests/controllers/runtime/fake_kube_client.h"
#include "tests/controllers/runtime/test_objects.h"

namespace kt::ctrl {
namespace {

TEST(MetricsTest, RendersCountersGaugesAndHistogramsInTextFormat) {
  MetricsRegistry m;
  m.GetCounter("demo_requests_total", "Requests served", {{"code", "200"}}).Inc(3);
  m.GetCounter("demo_requests_total", "Requests served", {{"code", "500"}}).Inc();
  m.GetGauge("demo_temperature", "Line one\nline \\two", {{"room", "a\"b\\c\nd"}}).Set(21.5);
  Histogram& h = m.GetHistogram("demo_latency_seconds", "Latency", {0.1, 1}, {{"op", "get"}});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(7);
  EXPECT_EQ(m.Render(),
            "# HELP demo_latency_seconds Latency\n"
            "# TYPE demo_latency_seconds histogram\n"
            "demo_latency_seconds_bucket{op=\"get\",le=\"0.1\"} 1\n"
            "demo_latency_seconds_bucket{op=\"get\",le=\"1\"} 2\n"
            "demo_latency_seconds_bucket{op=\"get\",le=\"+Inf\"} 3\n"
            "demo_latency_seconds_sum{op=\"get\"} 7.55\n"
            "demo_latency_seconds_count{op=\"get\"} 3\n"
            "# HELP demo_requests_total Requests served\n"
            "# TYPE demo_requests_total counter\n"
            "demo_requests_total{code=\"200\"} 3\n"
            "demo_requests_total{code=\"500\"} 1\n"
            "# HELP demo_temperature Line one\\nline \\\\two\n"
            "# TYPE demo_temperature gauge\n"
            "demo_temperature{room=\"a\\\"b\\\\c\\nd\"} 21.5\n");
}

TEST(MetricsTest, BucketLayoutsMatchControllerRuntime) {
  auto r = ReconcileTimeBuckets();
  EXPECT_EQ(r.size(), 40u);
  EXPECT_EQ(r.front(), 0.005);
  EXPECT_EQ(r.back(), 60);
  auto w = WorkQueueDurationBuckets();
  ASSERT_EQ(w.size(), 12u);
  EXPECT_DOUBLE_EQ(w.front(), 1e-8);
  EXPECT_DOUBLE_EQ(w.back(), 1e3);
  EXPECT_EQ(ExponentialBuckets(1, 2, 4), (std::vector<double>{1, 2, 4, 8}));
}

TEST(MetricsDeathTest, ReRegisteringANameWithAnotherTypeIsABug) {
  MetricsRegistry m;
  m.GetCounter("x_total", "x");
  EXPECT_DEATH(m.GetGauge("x_total", "x"), "another type");
}

// A manager with leader election and a controller that has succeeded, failed and requeued.
std::string ManagerMetricsText() {
  SimEnv env;
  testing::FakeKubeClient client(env);
  EXPECT_TRUE(client.Create(testing::kWorkspaces, "default", testing::Workspace("default", "w1")).ok());
  EXPECT_TRUE(client.Create(testing::kWorkspaces, "default", testing::Workspace("default", "w2")).ok());
  ManagerOptions o;
  o.leader_election = true;
  o.leader_election_id = "kaito";
  o.leader_election_namespace = "kaito-workspace";
  Manager mgr(env, client, o);
  int n = 0;
  ReconcilerFunc rec([&](const Request& r) -> ReconcileResult {
    if (r.name == "w1" && ++n < 3) return Unavailable("not yet");
    return ReconcileResult::RequeueAfter(std::chrono::seconds(5));
  });
  mgr.NewController({.name = "workspace", .max_concurrent_reconciles = 5}, rec)
      .For({testing::kWorkspaces, "Workspace"});
  EXPECT_TRUE(mgr.Start().ok());
  env.RunFor(std::chrono::seconds(30));
  net::HttpRequest req;
  req.method = "GET";
  req.path = "/metrics";
  net::HttpResponse resp = mgr.Serve(req);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  mgr.Stop();
  return resp.body;
}

TEST(MetricsTest, ManagerExportsControllerRuntimeMetricNames) {
  const std::string text = ManagerMetricsText();
  for (const char* name :
       {"controller_runtime_reconcile_total{controller=\"workspace\",result=\"error\"} 2",
        "controller_runtime_reconcile_total{controller=\"workspace\",result=\"success\"} 0",
        "controller_runtime_reconcile_errors_total{controller=\"workspace\"} 2",
        "controller_runtime_terminal_reconcile_errors_total{controller=\"workspace\"} 0",
        "controller_runtime_reconcile_time_seconds_bucket{controller=\"workspace\",le=\"0.005\"}",
        "controller_runtime_max_concurrent_reconciles{controller=\"workspace\"} 5",
        "controller_runtime_active_workers{controller=\"workspace\"} 0",
        "workqueue_depth{name=\"workspace\",controller=\"workspace\"}",
        "workqueue_adds_total{name=\"workspace\",controller=\"workspace\"}",
        "workqueue_retries_total{name=\"workspace\",controller=\"workspace\"}",
        "workqueue_queue_duration_seconds_bucket{name=\"workspace\",controller=\"workspace\",le=\"1e-08\"}",
        "workqueue_work_duration_seconds_count{name=\"workspace\",controller=\"workspace\"}",
        "workqueue_unfinished_work_seconds{name=\"workspace\",controller=\"workspace\"} 0",
        "workqueue_longest_running_processor_seconds{name=\"workspace\",controller=\"workspace\"} 0",
        "leader_election_master_status{name=\"kaito\"} 1"}) {
    EXPECT_NE(text.find(name), std::string::npos) << "missing: " << name << "\n" << text;
  }
}

TEST(MetricsTest, PromtoolAcceptsTheManagersMetrics) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool is not installed (apt-get install prometheus); skipping the check";
  }
  const std::string text = ManagerMetricsText();
  char path[] = "/tmp/kt-metrics-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  { std::ofstream(path) << text; }
  const std::string out_path = std::string(path) + ".out";
  const std::string cmd = "promtool check metrics < " + std::string(path) + " > " + out_path + " 2>&1";
  int rc = std::system(cmd.c_str());
  std::ifstream out(out_path);
  std::string report((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  std::remove(path);
  std::remove(out_path.c_str());
  EXPECT_EQ(rc, 0) << "promtool rejected the metrics:\n" << report << "\n--- text ---\n" << text;
  EXPECT_EQ(report, "") << "promtool lint findings:\n" << report;
}

}  // namespace
}  // namespace kt::ctrl
