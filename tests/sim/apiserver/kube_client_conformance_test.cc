// Instantiates the shared KubeClient conformance suite (tests/api/kube_client_conformance.h)
// for the in-process client under SimEnv: deterministic, virtual time. (The HTTP front end
// runs the same suite with the production HTTP client in
// tests/controllers/runtime/http_client_conformance_test.cc.)
#include "tests/api/kube_client_conformance.h"

#include "base/sim_env.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/in_process_client.h"

namespace kt::sim {

class InProcessHarness final : public api::testing::KubeClientHarness {
 public:
  static constexpr size_t kWindow = 200;
  InProcessHarness() : env_(SimEnv::Options{7}), server_(env_, Options()), client_(server_) {}
  static ApiServerOptions Options() {
    ApiServerOptions o;
    o.watch_window_events_max = kWindow;
    o.bookmark_interval = std::chrono::seconds(60);
    return o;
  }
  api::KubeClient& client() override { return client_; }
  bool RunUntil(const std::function<bool()>& pred, Duration max) override {
    return env_.RunUntil(pred, max);
  }
  void Advance(Duration d) override { env_.RunFor(d); }
  int64_t WatchWindowEvents() const override { return kWindow; }
  Duration BookmarkInterval() const override { return std::chrono::seconds(60); }

 private:
  SimEnv env_;
  ApiServer server_;
  InProcessClient client_;
};

}  // namespace kt::sim

namespace kt::api::testing {

INSTANTIATE_TEST_SUITE_P(
    InProcess, KubeClientConformance,
    ::testing::Values(ConformanceParam{
        "InProcessSimEnv", [] { return std::make_unique<kt::sim::InProcessHarness>(); }}),
    ConformanceParamName);

}  // namespace kt::api::testing
