// The fake AKS's ARM REST surface, request by request under SimEnv (no sockets): status codes,
// long-running-operation headers (Azure-AsyncOperation, Location, Retry-After), operation
// status and operation-result resources, and every ARM error body - bad api-version, missing
// or malformed body, invalid names, wrong subscription/resource group/cluster, missing or bad
// token, throttling, unsupported methods.
#include "sim/cloud/arm_http_handler.h"

#include <gtest/gtest.h>

#include "base/json.h"
#include "cloud_test_util.h"

namespace kt::sim::cloud {
namespace {

using testing::PoolBody;
using testing::World;

constexpr const char* kCluster =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/kaito-rg/providers/"
    "Microsoft.ContainerService/managedClusters/kaito-twin";
constexpr const char* kOps =
    "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.ContainerService/"
    "locations/eastus/";

net::HttpRequest Req(std::string method, std::string path, std::string body = "",
                     std::string api_version = "2024-09-01") {
  net::HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  if (!api_version.empty()) {
    r.query.emplace_back("api-version", api_version);
    r.target += "?api-version=" + api_version;
  }
  r.headers["host"] = "arm.test:8443";
  r.body = std::move(body);
  return r;
}

struct HandlerTest : ::testing::Test {
  explicit HandlerTest(std::string_view overlay = "timing: {delay_scale: 0}") : w(overlay) {}
  net::HttpResponse Do(const net::HttpRequest& r) { return HandleArmRequest(w.aks, options, r); }
  Json Body(const net::HttpResponse& r) {
    auto j = ParseJson(r.body);
    KT_CHECK(j.ok()) << r.body;
    return *j;
  }
  // The error code and message of an ARM error reply.
  std::pair<std::string, std::string> Error(const net::HttpResponse& r) {
    Json j = Body(r);
    return {j["error"]["code"].get<std::string>(), j["error"]["message"].get<std::string>()};
  }
  std::string PoolPath(std::string_view name) {
    return std::string(kCluster) + "/agentPools/" + std::string(name);
  }
  // The operation id (last path segment) of an operation URL.
  static std::string OpId(const std::string& url) {
    std::string path = url.substr(0, url.find('?'));
    return path.substr(path.rfind('/') + 1);
  }

  World w;
  ArmHandlerOptions options;
};

TEST_F(HandlerTest, PutCreatesWith201AndAnAbsoluteAzureAsyncOperationUrl) {
  auto r = Do(Req("PUT", PoolPath("gpu1"), PoolBody("Standard_NC24ads_A100_v4").dump()));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  Json pool = Body(r);
  EXPECT_EQ(pool["name"], "gpu1");
  EXPECT_EQ(pool["properties"]["provisioningState"], "Creating");
  const std::string async = r.Header("Azure-AsyncOperation");
  EXPECT_TRUE(async.starts_with(std::string("http://arm.test:8443") + kOps + "operations/"))
      << async;
  EXPECT_TRUE(async.ends_with("?api-version=2017-08-31")) << async;
}

TEST_F(HandlerTest, OperationStatusResourceGoesInProgressToSucceeded) {
  World slow;  // real delays
  auto put = HandleArmRequest(slow.aks, options,
                              Req("PUT", PoolPath("gpu1"), PoolBody("Standard_D4s_v3").dump()));
  ASSERT_EQ(put.status, 201);
  const std::string id = OpId(put.Header("Azure-AsyncOperation"));
  auto running = HandleArmRequest(
      slow.aks, options, Req("GET", std::string(kOps) + "operations/" + id, "", "2017-08-31"));
  ASSERT_EQ(running.status, 200);
  Json j = Body(running);
  EXPECT_EQ(j["status"], "InProgress");
  EXPECT_EQ(j["name"], id);
  EXPECT_EQ(j["id"], std::string(kOps) + "operations/" + id);
  EXPECT_EQ(j["startTime"], "2026-01-01T00:00:00.000000Z");
  EXPECT_FALSE(j.contains("endTime"));
  EXPECT_EQ(running.Header("Retry-After"), "10");
  slow.RunUntilDone(id);
  auto done = HandleArmRequest(
      slow.aks, options, Req("GET", std::string(kOps) + "operations/" + id, "", "2017-08-31"));
  Json d = Body(done);
  EXPECT_EQ(d["status"], "Succeeded");
  EXPECT_TRUE(d.contains("endTime"));
  EXPECT_EQ(done.Header("Retry-After"), "");
}

TEST_F(HandlerTest, PutOnAnExistingPoolIs200Updating) {
  ASSERT_EQ(Do(Req("PUT", PoolPath("gpu1"), PoolBody("Standard_D4s_v3").dump())).status, 201);
  w.env.RunUntilIdle();
  auto r = Do(Req("PUT", PoolPath("gpu1"), PoolBody("Standard_D4s_v3", 2).dump()));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["properties"]["provisioningState"], "Updating");
  EXPECT_FALSE(r.Header("Azure-AsyncOperation").empty());
}

TEST_F(HandlerTest, GetAndListReturnArmResources) {
  ASSERT_EQ(Do(Req("PUT", PoolPath("gpu1"), PoolBody("Standard_D4s_v3").dump())).status, 201);
  ASSERT_EQ(Do(Req("PUT", PoolPath("gpu2"), PoolBody("Standard_D4s_v3").dump())).status, 201);
  w.env.RunUntilIdle();
  auto get = Do(Req("GET", PoolPath("gpu1")));
  ASSERT_EQ(get.status, 200);
  EXPECT_EQ(Body(get)["properties"]["provisioningState"], "Succeeded");
  auto list = Do(Req("GET", std::string(kCluster) + "/agentPools"));
  ASSERT_EQ(list.status, 200);
  Json l = Body(list);
  ASSERT_EQ(l["value"].size(), 2u);
  EXPECT_EQ(l["value"][0]["name"], "gpu1");
  EXPECT_EQ(l["value"][1]["name"], "gpu2");
  auto cluster = Do(Req("GET", kCluster));
  ASSERT_EQ(cluster.status, 200);
  EXPECT_EQ(Body(cluster)["properties"]["agentPoolProfiles"].size(), 2u);
  EXPECT_EQ(Body(cluster)["properties"]["nodeResourceGroup"], "MC_kaito-rg_kaito-twin_eastus");
}

TEST_F(HandlerTest, PathSegmentsAreMatchedCaseInsensitively) {
  ASSERT_EQ(Do(Req("PUT", PoolPath("gpu1"), PoolBody("Standard_D4s_v3").dump())).status, 201);
  auto r =
      Do(Req("GET",
             "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/resourcegroups/KAITO-RG/"
             "providers/microsoft.containerservice/managedclusters/Kaito-Twin/agentpools/gpu1"));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(HandlerTest, GetOfAMissingPoolIs404NotFound) {
  auto r = Do(Req("GET", PoolPath("nosuch")));
  ASSERT_EQ(r.status, 404);
  auto [code, message] = Error(r);
  EXPECT_EQ(code, "NotFound");
  EXPECT_NE(message.find("'nosuch'"), std::string::npos);
}

TEST_F(HandlerTest, DeleteIs202WithLocationAzureAsyncOperationAndRetryAfter) {
  World slow;
  ASSERT_EQ(HandleArmRequest(slow.aks, options,
                             Req("PUT", PoolPath("gpu1"), PoolBody("Standard_D4s_v3").dump()))
                .status,
            201);
  slow.env.RunUntilIdle();
  auto r = HandleArmRequest(slow.aks, options, Req("DELETE", PoolPath("gpu1")));
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string location = r.Header("Location");
  const std::string async = r.Header("Azure-AsyncOperation");
  EXPECT_NE(location.find("/operationresults/"), std::string::npos) << location;
  EXPECT_NE(async.find("/operations/"), std::string::npos) << async;
  EXPECT_EQ(OpId(location), OpId(async));
  EXPECT_EQ(r.Header("Retry-After"), "10");
  // The operation-result resource: 202 while running, 204 once the pool is gone.
  const std::string results = std::string(kOps) + "operationresults/" + OpId(location);
  auto running = HandleArmRequest(slow.aks, options, Req("GET", results, "", "2017-08-31"));
  EXPECT_EQ(running.status, 202);
  EXPECT_FALSE(running.Header("Location").empty());
  slow.RunUntilDone(OpId(async));
  auto done = HandleArmRequest(slow.aks, options, Req("GET", results, "", "2017-08-31"));
  EXPECT_EQ(done.status, 204);
}

TEST_F(HandlerTest, DeleteOfAMissingPoolIs204) {
  auto r = Do(Req("DELETE", PoolPath("nosuch")));
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.Header("Azure-AsyncOperation"), "");
}

TEST_F(HandlerTest, OperationResultOfACreateIsThePoolAndOfAFailureItsError) {
  auto ok = Do(Req("PUT", PoolPath("gpu1"), PoolBody("Standard_D4s_v3").dump()));
  w.env.RunUntilIdle();
  auto result = Do(
      Req("GET", std::string(kOps) + "operationresults/" + OpId(ok.Header("Azure-AsyncOperation")),
          "", "2017-08-31"));
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(Body(result)["properties"]["provisioningState"], "Succeeded");

  w.aks.UpdateFaultPlan([](FaultPlan& p) {
    p.capacity["standard_d8s_v3"] = {{"1", 0}, {"2", 0}, {"3", 0}};
  });
  auto bad = Do(Req("PUT", PoolPath("gpu2"), PoolBody("Standard_D8s_v3").dump()));
  ASSERT_EQ(bad.status, 201);
  w.env.RunUntilIdle();
  const std::string id = OpId(bad.Header("Azure-AsyncOperation"));
  auto status = Do(Req("GET", std::string(kOps) + "operations/" + id, "", "2017-08-31"));
  ASSERT_EQ(status.status, 200);
  Json s = Body(status);
  EXPECT_EQ(s["status"], "Failed");
  EXPECT_EQ(s["error"]["code"], "AllocationFailed");
  auto failed = Do(Req("GET", std::string(kOps) + "operationresults/" + id, "", "2017-08-31"));
  EXPECT_EQ(failed.status, 409);
  EXPECT_EQ(Error(failed).first, "AllocationFailed");
}

TEST_F(HandlerTest, UnknownOperationIs404) {
  auto r = Do(Req("GET", std::string(kOps) + "operations/nope", "", "2017-08-31"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Error(r).first, "NotFound");
}

TEST_F(HandlerTest, MissingApiVersionIs400MissingApiVersionParameter) {
  auto r = Do(Req("GET", PoolPath("gpu1"), "", ""));
  ASSERT_EQ(r.status, 400);
  auto [code, message] = Error(r);
  EXPECT_EQ(code, "MissingApiVersionParameter");
  EXPECT_EQ(message,
            "The api-version query parameter (?api-version=) is required for all requests.");
  EXPECT_EQ(Do(Req("GET", std::string(kOps) + "operations/x", "", "")).status, 400);
}

TEST_F(HandlerTest, UnsupportedApiVersionIs400NoRegisteredProviderFound) {
  auto r = Do(Req("GET", PoolPath("gpu1"), "", "2099-01-01"));
  ASSERT_EQ(r.status, 400);
  auto [code, message] = Error(r);
  EXPECT_EQ(code, "NoRegisteredProviderFound");
  EXPECT_NE(message.find("API version '2099-01-01'"), std::string::npos);
  EXPECT_NE(message.find("2024-09-01"), std::string::npos) << "lists the supported versions";
}

TEST_F(HandlerTest, EmptyOrMalformedBodyIs400InvalidRequestContent) {
  auto empty = Do(Req("PUT", PoolPath("gpu1"), ""));
  ASSERT_EQ(empty.status, 400);
  EXPECT_EQ(Error(empty).first, "InvalidRequestContent");
  auto broken = Do(Req("PUT", PoolPath("gpu1"), "{\"properties\": {"));
  ASSERT_EQ(broken.status, 400);
  auto [code, message] = Error(broken);
  EXPECT_EQ(code, "InvalidRequestContent");
  EXPECT_NE(message.find("could not be deserialized"), std::string::npos);
  auto no_props = Do(Req("PUT", PoolPath("gpu1"), "{\"name\":\"gpu1\"}"));
  EXPECT_EQ(Error(no_props).first, "InvalidRequestContent");
}

TEST_F(HandlerTest, InvalidPoolNameIs400InvalidParameterWithTarget) {
  for (const char* name : {"GPU1", "1gpu", "averyverylongname"}) {
    auto r = Do(Req("PUT", PoolPath(name), PoolBody("Standard_D4s_v3").dump()));
    ASSERT_EQ(r.status, 400) << name;
    auto [code, message] = Error(r);
    EXPECT_EQ(code, "InvalidParameter") << name;
    EXPECT_NE(message.find("agentPoolProfile.name"), std::string::npos) << name;
  }
}

TEST_F(HandlerTest, WrongSubscriptionResourceGroupOrClusterIs404WithArmCodes) {
  auto sub = Do(Req("GET",
                    "/subscriptions/11111111-0000-0000-0000-000000000000/resourceGroups/kaito-rg/"
                    "providers/Microsoft.ContainerService/managedClusters/kaito-twin/agentPools"));
  EXPECT_EQ(sub.status, 404);
  EXPECT_EQ(Error(sub).first, "SubscriptionNotFound");
  auto rg = Do(Req("GET",
                   "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/other/"
                   "providers/Microsoft.ContainerService/managedClusters/kaito-twin/agentPools"));
  EXPECT_EQ(rg.status, 404);
  EXPECT_EQ(Error(rg).first, "ResourceGroupNotFound");
  auto cluster = Do(Req("GET",
                        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
                        "kaito-rg/providers/Microsoft.ContainerService/managedClusters/other/"
                        "agentPools"));
  EXPECT_EQ(cluster.status, 404);
  auto [code, message] = Error(cluster);
  EXPECT_EQ(code, "ResourceNotFound");
  EXPECT_NE(message.find("Microsoft.ContainerService/managedClusters/other"), std::string::npos);
  auto unknown = Do(Req("GET", "/healthz"));
  EXPECT_EQ(unknown.status, 404);
}

TEST_F(HandlerTest, UnsupportedMethodIs405) {
  auto r = Do(Req("POST", PoolPath("gpu1"), "{}"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(Error(r).first, "MethodNotAllowed");
  EXPECT_EQ(Do(Req("PATCH", std::string(kCluster) + "/agentPools")).status, 405);
}

TEST_F(HandlerTest, BearerTokenIsRequiredWhenConfigured) {
  options.bearer_token = "s3cret";
  auto none = Do(Req("GET", PoolPath("gpu1")));
  ASSERT_EQ(none.status, 401);
  EXPECT_EQ(Error(none).first, "AuthenticationFailed");
  auto wrong = Req("GET", PoolPath("gpu1"));
  wrong.headers["authorization"] = "Bearer nope";
  EXPECT_EQ(Error(Do(wrong)).first, "InvalidAuthenticationToken");
  auto right = Req("GET", PoolPath("gpu1"));
  right.headers["authorization"] = "Bearer s3cret";
  EXPECT_EQ(Do(right).status, 404);  // authenticated; the pool just does not exist
}

TEST_F(HandlerTest, ThrottledRequestsGet429WithRetryAfterHeader) {
  World limited("arm: {reads_per_hour: 1}");
  EXPECT_EQ(HandleArmRequest(limited.aks, options, Req("GET", PoolPath("a"))).status, 404);
  auto r = HandleArmRequest(limited.aks, options, Req("GET", PoolPath("a")));
  ASSERT_EQ(r.status, 429);
  EXPECT_EQ(r.Header("Retry-After"), "3600");
  EXPECT_EQ(Error(r).first, "SubscriptionRequestsThrottled");
}

TEST_F(HandlerTest, QuotaAndConflictErrorsKeepTheirArmStatus) {
  World tight("quota: {families: {standardNCADSA100v4Family: 0}}");
  auto quota =
      HandleArmRequest(tight.aks, options,
                       Req("PUT", PoolPath("gpu1"), PoolBody("Standard_NC24ads_A100_v4").dump()));
  ASSERT_EQ(quota.status, 400);
  EXPECT_EQ(Error(quota).first, "QuotaExceeded");
  World slow;
  ASSERT_EQ(HandleArmRequest(slow.aks, options,
                             Req("PUT", PoolPath("gpu1"), PoolBody("Standard_D4s_v3").dump()))
                .status,
            201);
  auto conflict = HandleArmRequest(
      slow.aks, options, Req("PUT", PoolPath("gpu1"), PoolBody("Standard_D4s_v3").dump()));
  ASSERT_EQ(conflict.status, 409);
  EXPECT_EQ(Error(conflict).first, "OperationNotAllowed");
}

TEST_F(HandlerTest, UsagesReportVcpuQuotaLikeMicrosoftCompute) {
  ASSERT_EQ(Do(Req("PUT", PoolPath("gpu1"), PoolBody("Standard_NC24ads_A100_v4").dump())).status,
            201);
  auto r = Do(Req("GET",
                  "/subscriptions/00000000-0000-0000-0000-000000000000/providers/"
                  "Microsoft.Compute/locations/eastus/usages",
                  "", "2023-07-01"));
  ASSERT_EQ(r.status, 200) << r.body;
  bool found = false;
  const Json usages = Body(r);
  for (const Json& u : usages["value"]) {
    if (u["name"]["value"] == "standardNCADSA100v4Family") {
      found = true;
      EXPECT_EQ(u["currentValue"], 24);
      EXPECT_EQ(u["limit"], 1000);
      EXPECT_EQ(u["unit"], "Count");
    }
  }
  EXPECT_TRUE(found) << r.body;
}

}  // namespace
}  // namespace kt::sim::cloud
