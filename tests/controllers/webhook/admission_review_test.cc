// AdmissionReview round trips: the response echoes the review's apiVersion and the request uid;
// denials carry Kaito's Knative status (400 BadRequest, "validation failed: ...") or, when
// asked, controller-runtime's (403 Forbidden); warnings ride along; the defaulting webhook
// returns a base64 JSONPatch; malformed reviews and HTTP misuse get clear HTTP errors.
#include "controllers/webhook/admission_review.h"

#include <gtest/gtest.h>

#include "base/base64.h"
#include "test_util.h"

namespace kt::webhook {
namespace {

using testing::Contains;
using testing::Env;
using testing::Yaml;

Json PhiWorkspace(const std::string& instance_type) {
  return Yaml(
      "apiVersion: kaito.sh/v1beta1\nkind: Workspace\n"
      "metadata: {name: workspace-phi-3-mini, namespace: default}\n"
      "resource: {count: 1, instanceType: " +
      instance_type +
      ", labelSelector: {matchLabels: {apps: phi-3}}}\n"
      "inference: {preset: {name: phi-3-mini-4k-instruct, accessMode: public}}\n");
}

Json Review(const std::string& operation, const Json& object, const Json* old = nullptr,
            const std::string& api_version = "admission.k8s.io/v1") {
  Json request = {
      {"uid", "705ab4f5-6393-11e8-b7cc-42010a800002"},
      {"kind", {{"group", "kaito.sh"}, {"version", "v1beta1"}, {"kind", "Workspace"}}},
      {"resource", {{"group", "kaito.sh"}, {"version", "v1beta1"}, {"resource", "workspaces"}}},
      {"name", GetString(object, "metadata.name")},
      {"namespace", "default"},
      {"operation", operation},
      {"userInfo", {{"username", "admin"}}},
      {"object", object}};
  if (old != nullptr) request["oldObject"] = *old;
  return {{"apiVersion", api_version}, {"kind", "AdmissionReview"}, {"request", request}};
}

TEST(AdmissionReviewTest, AllowedCreateEchoesUid) {
  Env env;
  auto r = ReviewAdmission(WebhookKind::kValidating,
                           Review("CREATE", PhiWorkspace("Standard_NC6s_v3")), env.ctx);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(GetString(*r, "apiVersion"), "admission.k8s.io/v1");
  EXPECT_EQ(GetString(*r, "kind"), "AdmissionReview");
  EXPECT_EQ(GetString(*r, "response.uid"), "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_TRUE(GetBool(*r, "response.allowed"));
  EXPECT_EQ(FindPath(*r, "response.status"), nullptr);
}

TEST(AdmissionReviewTest, DenialLooksLikeKaitosKnativeWebhook) {
  Env env;
  auto r = ReviewAdmission(WebhookKind::kValidating, Review("CREATE", PhiWorkspace("Standard_Bad")),
                           env.ctx);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(GetBool(*r, "response.allowed", true));
  EXPECT_EQ(GetInt(*r, "response.status.code"), 400);
  EXPECT_EQ(GetString(*r, "response.status.reason"), "BadRequest");
  EXPECT_EQ(GetString(*r, "response.status.status"), "Failure");
  EXPECT_TRUE(
      Contains(GetString(*r, "response.status.message"),
               "validation failed: invalid value: Unsupported instance type Standard_Bad."));
}

TEST(AdmissionReviewTest, ControllerRuntimeStyleDenialIs403) {
  Env env;
  AdmissionOptions options;
  options.denial_style = DenialStyle::kControllerRuntime;
  auto r = ReviewAdmission(WebhookKind::kValidating, Review("CREATE", PhiWorkspace("Standard_Bad")),
                           env.ctx, options);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(GetBool(*r, "response.allowed", true));
  EXPECT_EQ(GetInt(*r, "response.status.code"), 403);
  EXPECT_EQ(GetString(*r, "response.status.reason"), "Forbidden");
  EXPECT_TRUE(Contains(GetString(*r, "response.status.message"),
                       "invalid value: Unsupported instance type Standard_Bad."));
  EXPECT_FALSE(Contains(GetString(*r, "response.status.message"), "validation failed"));
  auto ok = ReviewAdmission(WebhookKind::kValidating,
                            Review("CREATE", PhiWorkspace("Standard_NC6s_v3")), env.ctx, options);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(GetBool(*ok, "response.allowed"));
  EXPECT_EQ(GetInt(*ok, "response.status.code"), 200);
}

TEST(AdmissionReviewTest, UpdateUsesTheOldObject) {
  Env env;
  Json old = PhiWorkspace("Standard_NC6s_v3");
  Json next = PhiWorkspace("Standard_NC12s_v3");
  auto r = ReviewAdmission(WebhookKind::kValidating, Review("UPDATE", next, &old), env.ctx);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(GetBool(*r, "response.allowed", true));
  EXPECT_EQ(GetString(*r, "response.status.message"),
            "validation failed: field is immutable: resource.instanceType");
  auto no_old = ReviewAdmission(WebhookKind::kValidating, Review("UPDATE", next), env.ctx);
  ASSERT_TRUE(no_old.ok());
  EXPECT_TRUE(Contains(GetString(*no_old, "response.status.message"), "old object may not be nil"));
}

TEST(AdmissionReviewTest, DeleteAndConnectAreAllowed) {
  Env env;
  Json review = Review("DELETE", PhiWorkspace("Standard_Bad"));
  review["request"].erase("object");
  auto r = ReviewAdmission(WebhookKind::kValidating, review, env.ctx);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(GetBool(*r, "response.allowed"));
}

TEST(AdmissionReviewTest, WarningsAreReturned) {
  Env env;
  Json ws = PhiWorkspace("Standard_NC6s_v3");
  ws["inference"]["preset"]["name"] = "phi-4";
  ws["metadata"]["annotations"] = {{"kaito.sh/bypass-resource-checks", ""}};
  auto r = ReviewAdmission(WebhookKind::kValidating, Review("CREATE", ws), env.ctx);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(GetBool(*r, "response.allowed"));
  ASSERT_TRUE((*r)["response"]["warnings"].is_array());
  EXPECT_EQ((*r)["response"]["warnings"].size(), 1u);
}

TEST(AdmissionReviewTest, UnknownKindIsDenied) {
  Env env;
  Json review = Review("CREATE", PhiWorkspace("Standard_NC6s_v3"));
  review["request"]["kind"] = {{"group", "apps"}, {"version", "v1"}, {"kind", "Deployment"}};
  auto r = ReviewAdmission(WebhookKind::kValidating, review, env.ctx);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(GetBool(*r, "response.allowed", true));
  EXPECT_EQ(GetString(*r, "response.status.message"),
            "decoding request failed: unhandled kind: apps/v1, Kind=Deployment");
}

TEST(AdmissionReviewTest, V1beta1ReviewsAreAnsweredInKind) {
  Env env;
  auto r = ReviewAdmission(
      WebhookKind::kValidating,
      Review("CREATE", PhiWorkspace("Standard_NC6s_v3"), nullptr, "admission.k8s.io/v1beta1"),
      env.ctx);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(GetString(*r, "apiVersion"), "admission.k8s.io/v1beta1");
}

TEST(AdmissionReviewTest, MalformedReviewsAreBadRequests) {
  Env env;
  EXPECT_EQ(ReviewAdmission(WebhookKind::kValidating, Json::array(), env.ctx).status().code(),
            StatusCode::kBadRequest);
  Json no_request = {{"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}};
  EXPECT_TRUE(
      Contains(ReviewAdmission(WebhookKind::kValidating, no_request, env.ctx).status().message(),
               "no request"));
  Json review = Review("CREATE", PhiWorkspace("Standard_NC6s_v3"));
  review["request"].erase("uid");
  EXPECT_TRUE(Contains(
      ReviewAdmission(WebhookKind::kValidating, review, env.ctx).status().message(), "uid"));
  review = Review("CREATE", PhiWorkspace("Standard_NC6s_v3"));
  review["apiVersion"] = "admission.k8s.io/v2";
  EXPECT_FALSE(ReviewAdmission(WebhookKind::kValidating, review, env.ctx).ok());
}

TEST(AdmissionReviewTest, DefaultingReturnsABase64JsonPatch) {
  Env env;
  Json ws = Yaml(
      "apiVersion: kaito.sh/v1alpha1\nkind: Workspace\nmetadata: {name: w}\n"
      "resource: {labelSelector: {matchLabels: {a: b}}}\n"
      "inference: {preset: {name: phi-3-mini-4k-instruct}}\n");
  auto r = ReviewAdmission(WebhookKind::kDefaulting, Review("CREATE", ws), env.ctx);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(GetBool(*r, "response.allowed"));
  EXPECT_EQ(GetString(*r, "response.patchType"), "JSONPatch");
  const std::string want =
      R"([{"op":"add","path":"/resource/count","value":1},)"
      R"({"op":"add","path":"/resource/instanceType","value":"Standard_NC24ads_A100_v4"},)"
      R"({"op":"add","path":"/inference/preset/accessMode","value":"public"}])";
  EXPECT_EQ(GetString(*r, "response.patch"), Base64Encode(want));
  // Fully defaulted objects get no patch.
  auto none = ReviewAdmission(WebhookKind::kDefaulting,
                              Review("CREATE", PhiWorkspace("Standard_NC6s_v3")), env.ctx);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(FindPath(*none, "response.patch"), nullptr);
}

net::HttpRequest Post(const std::string& path, const std::string& body,
                      const std::string& content_type = "application/json") {
  net::HttpRequest req;
  req.method = "POST";
  req.path = path;
  req.target = path;
  req.headers["content-type"] = content_type;
  req.body = body;
  return req;
}

TEST(AdmissionReviewTest, HttpRoundTrip) {
  Env env;
  net::HttpResponse ok =
      ServeAdmissionHttp(Post("/validate/workspace.kaito.sh",
                              DumpJson(Review("CREATE", PhiWorkspace("Standard_NC6s_v3")))),
                         env.ctx);
  EXPECT_EQ(ok.status, 200);
  EXPECT_TRUE(Contains(ok.Header("content-type"), "application/json"));
  auto body = ParseJson(ok.body);
  ASSERT_TRUE(body.ok());
  EXPECT_TRUE(GetBool(*body, "response.allowed"));
  net::HttpResponse patched =
      ServeAdmissionHttp(Post("/default/workspace.kaito.sh",
                              DumpJson(Review("CREATE", PhiWorkspace("Standard_NC6s_v3")))),
                         env.ctx);
  EXPECT_EQ(patched.status, 200);
}

TEST(AdmissionReviewTest, HttpMisuseGetsClearErrors) {
  Env env;
  EXPECT_EQ(ServeAdmissionHttp(Post("/mutate", "{}"), env.ctx).status, 404);
  net::HttpRequest get = Post("/validate/workspace.kaito.sh", "");
  get.method = "GET";
  EXPECT_EQ(ServeAdmissionHttp(get, env.ctx).status, 405);
  EXPECT_EQ(
      ServeAdmissionHttp(Post("/validate/workspace.kaito.sh", "{}", "text/plain"), env.ctx).status,
      415);
  net::HttpResponse bad =
      ServeAdmissionHttp(Post("/validate/workspace.kaito.sh", "{not json"), env.ctx);
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(Contains(bad.body, "could not decode body"));
  EXPECT_EQ(ServeAdmissionHttp(Post("/validate/workspace.kaito.sh", "{}"), env.ctx).status, 400);
  std::string huge(kAdmissionReviewBytesMax + 1, ' ');
  EXPECT_EQ(ServeAdmissionHttp(Post("/validate/workspace.kaito.sh", huge), env.ctx).status, 413);
}

}  // namespace
}  // namespace kt::webhook
