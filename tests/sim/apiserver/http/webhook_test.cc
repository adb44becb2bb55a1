// Proves admission webhooks configured by MutatingWebhookConfiguration and
// ValidatingWebhookConfiguration objects are called over HTTPS with AdmissionReview v1 (trusting
// the caBundle): a mutating webhook's JSONPatch is applied, a validating webhook's denial comes
// back with kube-apiserver's wording, rules/objectSelector/namespaceSelector limit what is sent,
// failurePolicy Ignore/Fail decide what an unreachable webhook does, deleted configurations are
// no longer called, clientConfig.service
// resolves through the override map, and dry-run requests are refused by webhooks with side
// effects.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "api/object.h"
#include "base/json.h"
#include "base/net/http_server.h"
#include "base/net/tls_certs.h"
#include "base/real_env.h"
#include "sim/apiserver/api_server.h"
#include "base/base64.h"
#include "sim/apiserver/in_process_client.h"

namespace kt::sim {
namespace {

namespace res = api::resources;

class Webhooks : public ::testing::Test {
 protected:
  void SetUp() override {
    Time now = env_.Now();
    ca_ = net::GenerateCa("webhook-ca", now - std::chrono::hours(1), std::chrono::hours(48)).value();
    net::CertRequest req;
    req.common_name = "webhook";
    req.ip_addresses = {"127.0.0.1"};
    req.dns_names = {"hooks.default.svc"};
    req.not_before = now - std::chrono::hours(1);
    auto cert = net::IssueCert(ca_, req).value();
    net::HttpServerOptions o;
    o.tls = net::TlsServerConfig{cert.cert_pem, cert.key_pem, ""};
    hook_ = std::make_unique<net::HttpServer>(env_, o, [this](net::HttpRequest& r, std::shared_ptr<net::Exchange> ex) {
      ex->Respond(Answer(r));
    });
    ASSERT_TRUE(hook_->Start().ok());
    env_.RunInBackground(2);
    ApiServerOptions so;
    so.webhook_service_urls["default/hooks:443"] = hook_->base_url();
    server_ = std::make_unique<ApiServer>(env_, so);
    client_ = std::make_unique<InProcessClient>(*server_);
  }
  void TearDown() override {
    hook_->Stop();
    env_.Stop();
    env_.Join();
  }

  // The webhook: /mutate adds a label; /validate denies objects labelled deny=yes.
  net::HttpResponse Answer(const net::HttpRequest& r) {
    calls_++;
    Json review = ParseJson(r.body).value();
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_review_ = review;
    }
    Json resp = {{"uid", review["request"]["uid"]}, {"allowed", true}};
    const Json& obj = review["request"]["object"];
    if (r.path == "/mutate") {
      Json ops = Json::array({{{"op", "add"}, {"path", "/metadata/labels"}, {"value", {{"mutated", "yes"}}}}});
      resp["patchType"] = "JSONPatch";
      resp["patch"] = Base64Encode(DumpJson(ops));
    } else if (r.path == "/validate" && obj.is_object() && api::Label(obj, "deny").value_or("") == "yes") {
      resp["allowed"] = false;
      resp["status"] = {{"code", 403}, {"message", "objects labelled deny=yes are not allowed"}};
    }
    return net::HttpResponse::Json(200, DumpJson({{"apiVersion", "admission.k8s.io/v1"},
                                                  {"kind", "AdmissionReview"},
                                                  {"response", resp}}));
  }

  Json Hook(const std::string& name, const Json& client_config, const std::string& failure = "Fail",
            const std::string& side_effects = "None") {
    Json cc = client_config;
    cc["caBundle"] = Base64Encode(ca_.cert_pem);
    return {{"name", name},
            {"clientConfig", cc},
            {"rules", Json::array({{{"apiGroups", Json::array({""})},
                                    {"apiVersions", Json::array({"v1"})},
                                    {"operations", Json::array({"CREATE", "UPDATE"})},
                                    {"resources", Json::array({"configmaps"})}}})},
            {"failurePolicy", failure},
            {"sideEffects", side_effects},
            {"admissionReviewVersions", Json::array({"v1"})},
            {"timeoutSeconds", 5}};
  }
  void Configure(const api::GroupVersionResource& gvr, const std::string& kind, const Json& hook) {
    Json cfg = {{"apiVersion", "admissionregistration.k8s.io/v1"}, {"kind", kind},
                {"metadata", {{"name", GetString(hook, "name")}}}, {"webhooks", Json::array({hook})}};
    auto r = client_->Create(gvr, "", cfg);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  Json ConfigMap(const std::string& name, const std::string& deny = "") {
    Json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}, {"namespace", "default"}}}};
    if (!deny.empty()) cm["metadata"]["labels"]["deny"] = deny;
    return cm;
  }

  RealEnv env_;
  net::CertKeyPair ca_;
  std::unique_ptr<net::HttpServer> hook_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<InProcessClient> client_;
  std::atomic<int> calls_{0};
  std::mutex mu_;
  Json last_review_;
};

TEST_F(Webhooks, MutatingWebhookPatchIsApplied) {
  Configure(res::kMutatingWebhookConfigurations, "MutatingWebhookConfiguration",
            Hook("mutate.example.com", {{"url", hook_->base_url() + "/mutate"}}));
  auto r = client_->Create(res::kConfigMaps, "default", ConfigMap("a"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(api::Label(*r, "mutated").value_or(""), "yes");
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(last_review_["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(last_review_["request"]["operation"], "CREATE");
  EXPECT_EQ(last_review_["request"]["resource"]["resource"], "configmaps");
  EXPECT_EQ(last_review_["request"]["namespace"], "default");
}

TEST_F(Webhooks, ValidatingWebhookDenialIsReturned) {
  Configure(res::kValidatingWebhookConfigurations, "ValidatingWebhookConfiguration",
            Hook("validate.example.com", {{"url", hook_->base_url() + "/validate"}}));
  EXPECT_TRUE(client_->Create(res::kConfigMaps, "default", ConfigMap("ok")).ok());
  auto r = client_->Create(res::kConfigMaps, "default", ConfigMap("bad", "yes"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kForbidden));
  EXPECT_EQ(r.status().message(), "admission webhook \"validate.example.com\" denied the request: "
                                  "objects labelled deny=yes are not allowed");
  EXPECT_FALSE(client_->Get(res::kConfigMaps, "default", "bad").ok());
}

TEST_F(Webhooks, RulesAndSelectorsLimitWhatIsSent) {
  Json hook = Hook("validate.example.com", {{"url", hook_->base_url() + "/validate"}});
  hook["objectSelector"] = {{"matchExpressions", Json::array({{{"key", "skip"}, {"operator", "DoesNotExist"}}})}};
  hook["namespaceSelector"] = {{"matchLabels", {{"kubernetes.io/metadata.name", "default"}}}};
  Configure(res::kValidatingWebhookConfigurations, "ValidatingWebhookConfiguration", hook);
  int before = calls_;
  Json skipped = ConfigMap("skipped", "yes");
  skipped["metadata"]["labels"]["skip"] = "1";
  EXPECT_TRUE(client_->Create(res::kConfigMaps, "default", skipped).ok()) << "objectSelector excludes it";
  Json other_ns = ConfigMap("elsewhere", "yes");
  other_ns["metadata"]["namespace"] = "kube-system";
  EXPECT_TRUE(client_->Create(res::kConfigMaps, "kube-system", other_ns).ok()) << "namespaceSelector excludes it";
  Json secret = {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "s"}, {"namespace", "default"},
                                                                         {"labels", {{"deny", "yes"}}}}}};
  EXPECT_TRUE(client_->Create(res::kSecrets, "default", secret).ok()) << "rules cover configmaps only";
  EXPECT_EQ(calls_, before);
}

TEST_F(Webhooks, FailurePolicyDecidesWhatAnUnreachableWebhookDoes) {
  Configure(res::kValidatingWebhookConfigurations, "ValidatingWebhookConfiguration",
            Hook("ignore.example.com", {{"url", "https://127.0.0.1:1/validate"}}, "Ignore"));
  EXPECT_TRUE(client_->Create(res::kConfigMaps, "default", ConfigMap("a")).ok());
  Configure(res::kValidatingWebhookConfigurations, "ValidatingWebhookConfiguration",
            Hook("fail.example.com", {{"url", "https://127.0.0.1:1/validate"}}, "Fail"));
  auto r = client_->Create(res::kConfigMaps, "default", ConfigMap("b"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kInternal));
  EXPECT_EQ(r.status().message().rfind("Internal error occurred: failed calling webhook \"fail.example.com\"", 0), 0u)
      << r.status().message();
}

// Writes are admitted through webhooks only while a configuration exists: deleting one of two
// keeps the other in force; deleting the last lets writes commit without admission again.
TEST_F(Webhooks, DeletedConfigurationsAreNoLongerCalled) {
  Configure(res::kValidatingWebhookConfigurations, "ValidatingWebhookConfiguration",
            Hook("fail.example.com", {{"url", "https://127.0.0.1:1/validate"}}, "Fail"));
  Configure(res::kMutatingWebhookConfigurations, "MutatingWebhookConfiguration",
            Hook("mutate.example.com", {{"url", hook_->base_url() + "/mutate"}}));
  EXPECT_FALSE(client_->Create(res::kConfigMaps, "default", ConfigMap("a")).ok());
  ASSERT_TRUE(client_->Delete(res::kValidatingWebhookConfigurations, "", "fail.example.com").ok());
  auto mutated = client_->Create(res::kConfigMaps, "default", ConfigMap("b"));
  ASSERT_TRUE(mutated.ok()) << mutated.status().ToString();
  EXPECT_EQ(api::Label(*mutated, "mutated").value_or(""), "yes");
  ASSERT_TRUE(client_->Delete(res::kMutatingWebhookConfigurations, "", "mutate.example.com").ok());
  const int before = calls_;
  auto plain = client_->Create(res::kConfigMaps, "default", ConfigMap("c"));
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_FALSE(api::Label(*plain, "mutated").has_value());
  EXPECT_EQ(calls_, before);
}

TEST_F(Webhooks, ServiceReferencesResolveThroughTheOverrideMap) {
  Configure(res::kMutatingWebhookConfigurations, "MutatingWebhookConfiguration",
            Hook("svc.example.com", {{"service", {{"namespace", "default"}, {"name", "hooks"}, {"path", "/mutate"}}}}));
  auto r = client_->Create(res::kConfigMaps, "default", ConfigMap("a"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(api::Label(*r, "mutated").value_or(""), "yes");
}

TEST_F(Webhooks, DryRunIsRefusedByWebhooksWithSideEffects) {
  Configure(res::kValidatingWebhookConfigurations, "ValidatingWebhookConfiguration",
            Hook("effects.example.com", {{"url", hook_->base_url() + "/validate"}}, "Fail", "Some"));
  api::WriteOptions dry;
  dry.dry_run = true;
  auto r = client_->Create(res::kConfigMaps, "default", ConfigMap("a"), dry);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kBadRequest));
  EXPECT_EQ(r.status().message(), "admission webhook \"effects.example.com\" does not support dry run");
}

}  // namespace
}  // namespace kt::sim
