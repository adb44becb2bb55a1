// The provisioner's ARM client against the fake AKS's HTTP endpoint over loopback (RealEnv):
// create / poll / get / list / delete through real HTTP with a bearer token, the ARM errors
// arriving as Statuses with ARM's code as reason() (QuotaExceeded, OperationNotAllowed with
// the in-progress-create text, InvalidParameter, NoRegisteredProviderFound, 401s), 429 with
// retry_after_seconds, async failures on Poll, 204 deletes, Location-header polling, and the
// same Status as the in-process client for the same failure. Waiting uses the fake's change
// notifications (a 10 s guard against hangs, not a timing assertion).
#include "controllers/provisioner/arm_agent_pool_client.h"

#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>

#include "base/json.h"
#include "base/real_env.h"
#include "sim/cloud/arm_endpoint.h"
#include "sim/cloud/fake_aks.h"
#include "sim/cloud/in_process_agent_pool_client.h"

namespace kt::controllers::provisioner {
namespace {

using api::OperationStatus;
using sim::cloud::ArmEndpoint;
using sim::cloud::ArmEndpointOptions;
using sim::cloud::CloudConfig;
using sim::cloud::FakeAks;
using sim::cloud::SkuCatalog;

constexpr const char* kToken = "test-token";

Json PoolBody(std::string_view sku, int count = 1) {
  return Json{{"properties",
               {{"vmSize", std::string(sku)},
                {"count", count},
                {"osType", "Linux"},
                {"osDiskSizeGB", 300},
                {"nodeLabels", {{"kaito.sh/workspace", "ws1"}}},
                {"nodeTaints", Json::array({"sku=gpu:NoSchedule"})}}}};
}

class ArmClientTest : public ::testing::Test {
 protected:
  void Start(std::string_view overlay = "timing: {delay_scale: 0}") {
    auto catalog = SkuCatalog::LoadEmbedded();
    auto config = CloudConfig::LoadDefaultsWithOverlay(overlay);
    ASSERT_TRUE(catalog.ok() && config.ok()) << config.status().ToString();
    aks_ = std::make_unique<FakeAks>(env_, std::move(catalog).value(), std::move(config).value());
    aks_->AddChangeListener([this] {
      std::lock_guard<std::mutex> lock(mu_);
      ++changes_;
      cv_.notify_all();
    });
    ArmEndpointOptions options;
    options.handler.bearer_token = kToken;
    endpoint_ = std::make_unique<ArmEndpoint>(env_, *aks_, options);
    ASSERT_TRUE(endpoint_->Start().ok());
    env_.RunInBackground(2);
    client_ = MakeClient(std::make_shared<StaticTokenProvider>(kToken));
  }

  std::unique_ptr<ArmAgentPoolClient> MakeClient(std::shared_ptr<TokenProvider> tokens,
                                                 std::string api_version = "2024-09-01") {
    ArmAgentPoolClientOptions o;
    o.endpoint = endpoint_->base_url();
    o.subscription_id = "00000000-0000-0000-0000-000000000000";
    o.resource_group = "kaito-rg";
    o.cluster_name = "kaito-twin";
    o.api_version = std::move(api_version);
    auto c = ArmAgentPoolClient::Create(o, std::move(tokens));
    KT_CHECK(c.ok()) << c.status().ToString();
    return std::move(c).value();
  }

  void TearDown() override {
    if (endpoint_) endpoint_->Stop();
    env_.Stop();
    env_.Join();
    client_.reset();
    endpoint_.reset();
    aks_.reset();
  }

  // Polls until the operation leaves InProgress, waiting for fake state changes in between.
  OperationStatus PollUntilDone(const api::LongRunningOperation& op) {
    for (int i = 0; i < 1000; ++i) {
      uint64_t seen;
      {
        std::lock_guard<std::mutex> lock(mu_);
        seen = changes_;
      }
      auto s = client_->Poll(op);
      KT_CHECK(s.ok()) << s.status().ToString();
      if (s->state != OperationStatus::State::kInProgress) return *s;
      std::unique_lock<std::mutex> lock(mu_);
      KT_CHECK(cv_.wait_for(lock, std::chrono::seconds(10), [&] { return changes_ > seen; }))
          << "no progress on operation " << op.id;
    }
    KT_CHECK(false) << "operation never finished";
    return {};
  }

  RealEnv env_;
  std::unique_ptr<FakeAks> aks_;
  std::unique_ptr<ArmEndpoint> endpoint_;
  std::unique_ptr<ArmAgentPoolClient> client_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t changes_ = 0;  // guarded by mu_
};

TEST_F(ArmClientTest, CreatePollGetListDeleteOverHttp) {
  Start();
  auto op = client_->BeginCreateOrUpdate("gpu1", PoolBody("Standard_NC24ads_A100_v4"));
  ASSERT_TRUE(op.ok()) << op.status().ToString();
  EXPECT_TRUE(op->id.starts_with(endpoint_->base_url() + "/subscriptions/")) << op->id;
  EXPECT_NE(op->id.find("/operations/"), std::string::npos);
  OperationStatus done = PollUntilDone(*op);
  EXPECT_EQ(done.state, OperationStatus::State::kSucceeded);

  auto pool = client_->Get("gpu1");
  ASSERT_TRUE(pool.ok()) << pool.status().ToString();
  EXPECT_EQ((*pool)["properties"]["provisioningState"], "Succeeded");
  EXPECT_EQ((*pool)["properties"]["vmSize"], "Standard_NC24ads_A100_v4");
  EXPECT_EQ((*pool)["properties"]["nodeLabels"]["kaito.sh/workspace"], "ws1");
  auto list = client_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);

  auto del = client_->BeginDelete("gpu1");
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  EXPECT_FALSE(del->id.empty());
  EXPECT_EQ(PollUntilDone(*del).state, OperationStatus::State::kSucceeded);
  auto gone = client_->Get("gpu1");
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(gone.status().Is(StatusCode::kNotFound));
  EXPECT_EQ(gone.status().reason(), "NotFound");
}

TEST_F(ArmClientTest, DeleteOfAMissingPoolIsDoneAtOnce) {
  Start();
  auto del = client_->BeginDelete("nosuch");
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  EXPECT_EQ(del->id, "");
  auto s = client_->Poll(*del);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->state, OperationStatus::State::kSucceeded);
}

TEST_F(ArmClientTest, QuotaExceededArrivesWithArmCodeAndMessage) {
  Start("quota: {families: {standardNCADSA100v4Family: 0}}");
  auto op = client_->BeginCreateOrUpdate("gpu1", PoolBody("Standard_NC24ads_A100_v4"));
  ASSERT_FALSE(op.ok());
  EXPECT_TRUE(op.status().Is(StatusCode::kQuotaExceeded));
  EXPECT_EQ(op.status().reason(), "QuotaExceeded");
  EXPECT_NE(op.status().message().find("exceeding approved standardNCADSA100v4Family Cores quota"),
            std::string::npos)
      << op.status().message();
}

TEST_F(ArmClientTest, HttpAndInProcessClientsReportTheSameStatus) {
  Start("quota: {families: {standardNCADSA100v4Family: 0}}");
  sim::cloud::InProcessAgentPoolClient in_process(*aks_);
  Status http = client_->BeginCreateOrUpdate("gpu1", PoolBody("Standard_NC24ads_A100_v4")).status();
  Status local =
      in_process.BeginCreateOrUpdate("gpu1", PoolBody("Standard_NC24ads_A100_v4")).status();
  EXPECT_EQ(http.code(), local.code());
  EXPECT_EQ(http.reason(), local.reason());
  EXPECT_EQ(http.message(), local.message());
}

TEST_F(ArmClientTest, SecondPutDuringCreateIsTheInProgressCreateConflict) {
  Start("");  // real delays: the create takes minutes
  ASSERT_TRUE(client_->BeginCreateOrUpdate("gpu1", PoolBody("Standard_NC24ads_A100_v4")).ok());
  auto again = client_->BeginCreateOrUpdate("gpu1", PoolBody("Standard_NC24ads_A100_v4"));
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.status().Is(StatusCode::kConflict));
  EXPECT_EQ(again.status().reason(), "OperationNotAllowed");
  EXPECT_NE(again.status().message().find(
                "Operation is not allowed because there's an in progress create node pool "
                "operation"),
            std::string::npos);
  // While creating, Poll reports progress with Retry-After.
  auto pool = client_->Get("gpu1");
  ASSERT_TRUE(pool.ok());
  EXPECT_EQ((*pool)["properties"]["provisioningState"], "Creating");
}

TEST_F(ArmClientTest, InProgressPollCarriesRetryAfter) {
  Start("");
  auto op = client_->BeginCreateOrUpdate("gpu1", PoolBody("Standard_D4s_v3"));
  ASSERT_TRUE(op.ok());
  auto s = client_->Poll(*op);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->state, OperationStatus::State::kInProgress);
  EXPECT_EQ(s->retry_after_seconds, 10);
}

TEST_F(ArmClientTest, ThrottlingIsTooManyRequestsWithRetryAfter) {
  Start("arm: {writes_per_hour: 1}\ntiming: {delay_scale: 0}");
  ASSERT_TRUE(client_->BeginCreateOrUpdate("a", PoolBody("Standard_D4s_v3")).ok());
  auto op = client_->BeginCreateOrUpdate("b", PoolBody("Standard_D4s_v3"));
  ASSERT_FALSE(op.ok());
  EXPECT_TRUE(op.status().Is(StatusCode::kTooManyRequests));
  EXPECT_EQ(op.status().reason(), "SubscriptionRequestsThrottled");
  EXPECT_GT(op.status().retry_after_seconds(), 0);
  EXPECT_LE(op.status().retry_after_seconds(), 3600);
}

TEST_F(ArmClientTest, ServerErrorsAreInternalAndGatewayTimeoutIsTimeout) {
  Start(R"(timing: {delay_scale: 0}
scripted_errors: [{op: put, code: InternalServerError}, {op: put, code: GatewayTimeout}])");
  Status internal = client_->BeginCreateOrUpdate("gpu1", PoolBody("Standard_D4s_v3")).status();
  EXPECT_TRUE(internal.Is(StatusCode::kInternal));
  EXPECT_EQ(internal.reason(), "InternalServerError");
  Status timeout = client_->BeginCreateOrUpdate("gpu1", PoolBody("Standard_D4s_v3")).status();
  EXPECT_TRUE(timeout.Is(StatusCode::kTimeout));
  EXPECT_EQ(timeout.reason(), "GatewayTimeout");
  EXPECT_TRUE(client_->BeginCreateOrUpdate("gpu1", PoolBody("Standard_D4s_v3")).ok());
}

TEST_F(ArmClientTest, AllocationFailureSurfacesOnPoll) {
  Start(R"(timing: {delay_scale: 0}
capacity: {skus: {Standard_NC24ads_A100_v4: {"1": 0, "2": 0, "3": 0}}})");
  auto op = client_->BeginCreateOrUpdate("gpu1", PoolBody("Standard_NC24ads_A100_v4"));
  ASSERT_TRUE(op.ok()) << op.status().ToString();
  OperationStatus s = PollUntilDone(*op);
  EXPECT_EQ(s.state, OperationStatus::State::kFailed);
  EXPECT_EQ(s.error.reason(), "AllocationFailed");
  EXPECT_TRUE(s.error.Is(StatusCode::kUnavailable));
  EXPECT_NE(s.error.message().find("sufficient capacity"), std::string::npos);
}

TEST_F(ArmClientTest, LocationHeaderPollingWorksToo) {
  Start();
  ASSERT_TRUE(
      PollUntilDone(*client_->BeginCreateOrUpdate("gpu1", PoolBody("Standard_D4s_v3"))).state ==
      OperationStatus::State::kSucceeded);
  auto del = client_->BeginDelete("gpu1");
  ASSERT_TRUE(del.ok());
  std::string url = del->id;
  url.replace(url.find("/operations/"), 12, "/operationresults/");
  api::LongRunningOperation by_location{"location:" + url, "gpu1"};
  EXPECT_EQ(PollUntilDone(by_location).state, OperationStatus::State::kSucceeded);
  EXPECT_TRUE(client_->Get("gpu1").status().Is(StatusCode::kNotFound));
}

TEST_F(ArmClientTest, BadRequestsAreArmErrors) {
  Start();
  auto name = client_->BeginCreateOrUpdate("GPU_1", PoolBody("Standard_D4s_v3"));
  EXPECT_TRUE(name.status().Is(StatusCode::kBadRequest));
  EXPECT_EQ(name.status().reason(), "InvalidParameter");
  auto body = client_->BeginCreateOrUpdate("gpu1", Json{{"name", "gpu1"}});
  EXPECT_EQ(body.status().reason(), "InvalidRequestContent");
  auto old = MakeClient(std::make_shared<StaticTokenProvider>(kToken), "2015-01-01");
  auto version = old->Get("gpu1");
  EXPECT_TRUE(version.status().Is(StatusCode::kBadRequest));
  EXPECT_EQ(version.status().reason(), "NoRegisteredProviderFound");
}

TEST_F(ArmClientTest, MissingOrWrongTokenIsUnauthorized) {
  Start();
  auto anonymous = MakeClient(nullptr);
  auto none = anonymous->List();
  EXPECT_TRUE(none.status().Is(StatusCode::kUnauthorized));
  EXPECT_EQ(none.status().reason(), "AuthenticationFailed");
  auto wrong = MakeClient(std::make_shared<StaticTokenProvider>("nope"))->List();
  EXPECT_EQ(wrong.status().reason(), "InvalidAuthenticationToken");
}

TEST_F(ArmClientTest, TokenProviderFailureStopsTheRequest) {
  Start();
  struct Failing : TokenProvider {
    Result<std::string> Token() override { return Unauthorized("federated token expired"); }
  };
  auto s = MakeClient(std::make_shared<Failing>())->List().status();
  EXPECT_TRUE(s.Is(StatusCode::kUnauthorized));
  EXPECT_NE(s.message().find("getting an ARM access token: federated token expired"),
            std::string::npos);
}

TEST_F(ArmClientTest, OperationUrlsOnAnotherOriginAreRefused) {
  Start();
  auto s = client_->Poll(api::LongRunningOperation{"https://evil.example/ops/1", "gpu1"});
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.status().Is(StatusCode::kBadRequest));
}

TEST(ArmStatusMappingTest, BareAndWrappedErrorBodiesAndRetryAfter) {
  net::HttpResponse wrapped =
      net::HttpResponse::Json(409, R"({"error":{"code":"OperationNotAllowed","message":"busy"}})");
  Status a = ArmAgentPoolClient::StatusFromArmReply(wrapped);
  EXPECT_TRUE(a.Is(StatusCode::kConflict));
  EXPECT_EQ(a.reason(), "OperationNotAllowed");
  EXPECT_EQ(a.message(), "busy");
  net::HttpResponse bare = net::HttpResponse::Json(
      400, R"({"code":"QuotaExceeded","message":"over","subcode":"","target":null})");
  Status b = ArmAgentPoolClient::StatusFromArmReply(bare);
  EXPECT_TRUE(b.Is(StatusCode::kQuotaExceeded));
  EXPECT_EQ(b.reason(), "QuotaExceeded");
  net::HttpResponse throttled =
      net::HttpResponse::Json(429, R"({"error":{"code":"TooManyRequests","message":"slow down"}})");
  throttled.SetHeader("Retry-After", "23");
  EXPECT_EQ(ArmAgentPoolClient::StatusFromArmReply(throttled).retry_after_seconds(), 23);
  net::HttpResponse html = net::HttpResponse::Text(502, "<html>bad gateway</html>");
  Status c = ArmAgentPoolClient::StatusFromArmReply(html);
  EXPECT_TRUE(c.Is(StatusCode::kInternal));
  EXPECT_EQ(c.message(), "HTTP 502 Bad Gateway: <html>bad gateway</html>");
}

}  // namespace
}  // namespace kt::controllers::provisioner
