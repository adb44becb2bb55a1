// Runs the shared KubeClient conformance suite (tests/api/kube_client_conformance.h) through the
// HTTP front end: a RealEnv ApiServer served with TLS and a bearer token by ApiHttpServer, and
// the test HttpKubeClient. It proves the front end carries every semantic the suite checks
// (Status errors, selectors, paging, watch streams with resume, 410, bookmarks, timeouts).
#include "tests/api/kube_client_conformance.h"

#include "base/real_env.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/http/api_http_server.h"
#include "tests/sim/apiserver/http/http_kube_client.h"

namespace kt::sim {

class HttpHarness final : public api::testing::KubeClientHarness {
 public:
  static constexpr size_t kWindow = 200;
  HttpHarness() : server_(env_, Options()), http_(env_, server_, ServeOptions{}) {
    Status s = http_.Start();
    KT_CHECK(s.ok()) << s.ToString();
    env_.RunInBackground(2);
    auto c = testing::HttpKubeClient::Create(http_.base_url(), http_.ca_pem(), http_.token());
    KT_CHECK(c.ok()) << c.status().ToString();
    client_ = std::move(*c);
  }
  ~HttpHarness() override {
    client_.reset();
    http_.Stop();
    env_.Stop();
    env_.Join();
  }
  static ApiServerOptions Options() {
    ApiServerOptions o;
    o.watch_window_events_max = kWindow;
    o.bookmark_interval = std::chrono::milliseconds(300);
    return o;
  }
  api::KubeClient& client() override { return *client_; }
  bool RunUntil(const std::function<bool()>& pred, Duration max) override {
    Time deadline = env_.Now() + max;
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
  ApiServer server_;
  ApiHttpServer http_;
  std::unique_ptr<testing::HttpKubeClient> client_;
};

}  // namespace kt::sim

namespace kt::api::testing {

INSTANTIATE_TEST_SUITE_P(
    Http, KubeClientConformance,
    ::testing::Values(ConformanceParam{"HttpTlsToken",
                                       [] { return std::make_unique<kt::sim::HttpHarness>(); }}),
    ConformanceParamName);

}  // namespace kt::api::testing
