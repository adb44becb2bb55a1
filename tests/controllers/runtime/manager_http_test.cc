// The manager's endpoints on real sockets: Prometheus metrics and health probes over HTTP,
// the webhook server over HTTPS with tls.crt/tls.key from a cert dir (and a clear error when
// they are missing), and graceful shutdown that waits for the reconcile in flight.
#include "controllers/runtime/manager.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "base/net/http_client.h"
#include "base/net/tls_certs.h"
#include "base/real_env.h"
#include "tests/controllers/runtime/fake_kube_client.h"
#include "tests/controllers/runtime/temp_dir.h"
#include "tests/controllers/runtime/test_objects.h"

namespace kt::ctrl {
namespace {

using testing::FakeKubeClient;
using testing::TempDir;

class ManagerHttpTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.RunInBackground(2); }
  void TearDown() override {
    env_.Stop();
    env_.Join();
  }
  RealEnv env_;
  FakeKubeClient client_{env_};
};

TEST_F(ManagerHttpTest, ServesMetricsAndHealthProbesOverHttp) {
  ManagerOptions o;
  o.metrics_bind_address = "127.0.0.1:0";
  o.health_probe_bind_address = "127.0.0.1:0";
  Manager mgr(env_, client_, o);
  ReconcilerFunc rec([](const Request&) { return ReconcileResult::Done(); });
  mgr.NewController({.name = "workspace"}, rec).For({testing::kWorkspaces, "Workspace"});
  ASSERT_TRUE(mgr.Start().ok());
  ASSERT_NE(mgr.metrics_port(), 0);
  ASSERT_NE(mgr.health_probe_port(), 0);

  auto metrics = net::HttpClient::Create("http://127.0.0.1:" + std::to_string(mgr.metrics_port()));
  auto m = (*metrics)->Do("GET", "/metrics");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->status, 200);
  EXPECT_EQ(m->Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(m->body.find("controller_runtime_max_concurrent_reconciles{controller=\"workspace\"} 1"),
            std::string::npos);
  EXPECT_EQ((*metrics)->Do("GET", "/healthz")->status, 404) << "probes live on their own port";

  auto probes = net::HttpClient::Create("http://127.0.0.1:" + std::to_string(mgr.health_probe_port()));
  auto h = (*probes)->Do("GET", "/healthz");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(h->body, "ok");
  EXPECT_EQ((*probes)->Do("GET", "/readyz?verbose")->body, "[+]ping ok\nreadyz check passed\n");
  mgr.Stop();
}

TEST_F(ManagerHttpTest, ServesWebhooksOverHttpsWithTheCertificateFromTheCertDir) {
  const Time now = FromUnixSeconds(1767225600);
  auto ca = net::GenerateCa("webhook-ca", now - std::chrono::hours(1), std::chrono::hours(24 * 3650));
  ASSERT_TRUE(ca.ok());
  auto cert = net::IssueCert(*ca, {.common_name = "kaito-webhook", .dns_names = {"localhost"},
                                   .ip_addresses = {"127.0.0.1"}, .server = true,
                                   .not_before = now - std::chrono::hours(1),
                                   .validity = std::chrono::hours(24 * 3650)});
  ASSERT_TRUE(cert.ok());
  TempDir certs;
  certs.Write("tls.crt", cert->cert_pem);
  certs.Write("tls.key", cert->key_pem);
  ManagerOptions o;
  o.webhook_bind_address = "127.0.0.1:0";
  o.webhook_cert_dir = certs.path();
  Manager mgr(env_, client_, o);
  mgr.AddWebhook("/validate-kaito-sh-v1beta1-workspace", [](const net::HttpRequest& req) {
    return net::HttpResponse::Json(200, R"({"kind":"AdmissionReview","response":{"allowed":true}})");
  });
  ASSERT_TRUE(mgr.Start().ok());
  net::HttpClientOptions co;
  co.ca_pem = ca->cert_pem;
  auto https = net::HttpClient::Create("https://127.0.0.1:" + std::to_string(mgr.webhook_port()), co);
  ASSERT_TRUE(https.ok());
  auto r = (*https)->Do("POST", "/validate-kaito-sh-v1beta1-workspace",
                        {{"Content-Type", "application/json"}}, R"({"kind":"AdmissionReview"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("\"allowed\":true"), std::string::npos);
  EXPECT_EQ((*https)->Do("POST", "/mutate-nothing", {}, "{}")->status, 404);
  net::HttpRequest ready;
  ready.method = "GET";
  ready.path = "/readyz/webhook";
  EXPECT_EQ(mgr.Serve(ready).status, 200);
  mgr.Stop();

  ManagerOptions missing;
  missing.webhook_bind_address = "127.0.0.1:0";
  missing.webhook_cert_dir = certs.path() + "/nope";
  Manager broken(env_, client_, missing);
  Status s = broken.Start();
  EXPECT_TRUE(s.Is(StatusCode::kNotFound));
  EXPECT_NE(s.message().find("nope/tls.crt"), std::string::npos) << s.message();
}

// A runnable that reports when the manager stops it.
class StopSignal final : public Runnable {
 public:
  explicit StopSignal(std::function<void()> on_stop) : on_stop_(std::move(on_stop)) {}
  std::string name() const override { return "stop-signal"; }
  Status Start() override { return Status::Ok(); }
  void Stop() override {
    if (on_stop_) on_stop_();
    on_stop_ = nullptr;
  }

 private:
  std::function<void()> on_stop_;
};

TEST_F(ManagerHttpTest, GracefulShutdownWaitsForTheReconcileInFlight) {
  ASSERT_TRUE(client_.Create(testing::kWorkspaces, "default", testing::Workspace("default", "w")).ok());
  Manager mgr(env_, client_, {});
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false, release = false, finished = false;
  ReconcilerFunc rec([&](const Request&) {
    std::unique_lock<std::mutex> lock(mu);
    entered = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    finished = true;
    return ReconcileResult::Done();
  });
  mgr.NewController({.name = "workspace"}, rec).For({testing::kWorkspaces, "Workspace"});
  bool stopping = false;
  mgr.Add(std::make_unique<StopSignal>([&] {
    std::lock_guard<std::mutex> lock(mu);
    stopping = true;
    cv.notify_all();
  }));
  ASSERT_TRUE(mgr.Start().ok());
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return entered; });
  }
  std::atomic<bool> stop_returned{false};
  bool finished_when_stop_returned = false;
  env_.StartThread("stopper", [&] {
    mgr.Stop();
    std::lock_guard<std::mutex> lock(mu);
    finished_when_stop_returned = finished;
    stop_returned = true;
    cv.notify_all();
  });
  // Stop() has begun (it stops the runnables before waiting) while the reconcile is blocked.
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return stopping; });
  }
  EXPECT_FALSE(stop_returned.load());
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
    cv.notify_all();
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return stop_returned.load(); });
  }
  EXPECT_TRUE(finished_when_stop_returned) << "Stop() returned before the reconcile finished";
  EXPECT_EQ(mgr.state(), Manager::State::kStopped);
}

}  // namespace
}  // namespace kt::ctrl
