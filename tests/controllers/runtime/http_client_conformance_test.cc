// Runs the shared KubeClient conformance suite (tests/api/kube_client_conformance.h) for the
// runtime's production HTTP client: the sim API server behind its HTTP front end (TLS with a
// generated CA, bearer token), reached through the kubeconfig the front end writes, loaded by
// LoadKubeconfig. The same suite runs for the in-process client in tests/sim/apiserver, so
// both clients are held to one contract.
#include "tests/api/kube_client_conformance.h"

#include "base/real_env.h"
#include "controllers/runtime/http_kube_client.h"
#include "controllers/runtime/rest_config.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/http/api_http_server.h"
#include "tests/controllers/runtime/temp_dir.h"

namespace kt::ctrl {
namespace {

class RuntimeHttpHarness final : public api::testing::KubeClientHarness {
 public:
  static constexpr size_t kWindow = 200;
  RuntimeHttpHarness() : server_(env_, Options()), http_(env_, server_, sim::ServeOptions{}) {
    Status s = http_.Start();
    KT_CHECK(s.ok()) << s.ToString();
    env_.RunInBackground(2);
    auto rc = LoadKubeconfig(dir_.Write("kubeconfig", http_.Kubeconfig()));
    KT_CHECK(rc.ok()) << rc.status().ToString();
    auto c = HttpKubeClient::Create(env_, *rc);
    KT_CHECK(c.ok()) << c.status().ToString();
    client_ = std::move(c).value();
  }
  ~RuntimeHttpHarness() override {
    client_.reset();
    http_.Stop();
    env_.Stop();
    env_.Join();
  }
  static sim::ApiServerOptions Options() {
    sim::ApiServerOptions o;
    o.watch_window_events_max = kWindow;
    o.bookmark_interval = std::chrono::milliseconds(300);
    return o;
  }
  api::KubeClient& client() override { return *client_; }
  // Real time: wait for the server's threads, checking every 2 ms.
  bool RunUntil(const std::function<bool()>& pred, Duration max) override {
    const Time deadline = env_.Now() + max;
    while (!pred()) {
      if (env_.Now() > deadline) return pred();
      env_.SleepFor(std::chrono::milliseconds(2));
    }
    return true;
  }
  void Advance(Duration d) override { env_.SleepFor(d); }
  int64_t WatchWindowEvents() const override { return kWindow; }
  Duration BookmarkInterval() const override { return std::chrono::milliseconds(300); }

 private:
  RealEnv env_;
  testing::TempDir dir_;
  sim::ApiServer server_;
  sim::ApiHttpServer http_;
  std::unique_ptr<HttpKubeClient> client_;
};

}  // namespace
}  // namespace kt::ctrl

namespace kt::api::testing {

INSTANTIATE_TEST_SUITE_P(
    RuntimeHttpClient, KubeClientConformance,
    ::testing::Values(ConformanceParam{
        "KubeconfigTlsToken", [] { return std::make_unique<kt::ctrl::RuntimeHttpHarness>(); }}),
    ConformanceParamName);

}  // namespace kt::api::testing
