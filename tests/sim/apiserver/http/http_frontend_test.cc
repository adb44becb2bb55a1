// Proves the HTTP front end speaks kube-apiserver's protocol as kubectl-protocol.md measured it:
// /version (minor 32, anonymous), bearer-token authentication over TLS (401 Status otherwise),
// the insecure mode, aggregated discovery with the exact Content-Type (and legacy otherwise),
// OpenAPI v3 index and documents (including a CRD created at run time), Tables (list, get, the
// AGE cell formatted by the server), watch streams (JSON lines, Table rows, ERROR 410, close at
// timeoutSeconds, a client leaving), Status bodies for every error (404 path and object, 409,
// 422, 415, 406, 400, 413, 405), DeleteOptions from the body, apply creating with 201,
// Warning headers, health endpoints and Prometheus metrics.
#include <gtest/gtest.h>

#include "api/object.h"
#include "base/json.h"
#include "base/net/http_client.h"
#include "base/real_env.h"
#include "base/yaml.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/http/api_http_server.h"
#include "sim/apiserver/http/content_negotiation.h"

namespace kt::sim {
namespace {

constexpr char kTableAccept[] =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
constexpr char kDiscoveryAccept[] =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

class HttpFrontend : public ::testing::Test {
 protected:
  void SetUp() override { Serve(ServeOptions{}); }
  void Serve(ServeOptions so) {
    server_ = std::make_unique<ApiServer>(env_);
    http_ = std::make_unique<ApiHttpServer>(env_, *server_, so);
    ASSERT_TRUE(http_->Start().ok());
    if (!started_) env_.RunInBackground(2);
    started_ = true;
    net::HttpClientOptions o;
    o.ca_pem = http_->ca_pem();
    client_ = std::move(net::HttpClient::Create(http_->base_url(), o).value());
  }
  void TearDown() override {
    http_->Stop();
    env_.Stop();
    env_.Join();
  }
  net::HttpResponse Do(const std::string& method, const std::string& target,
                       const std::string& body = "", const std::string& content_type = "application/json",
                       const std::string& accept = "application/json", bool auth = true) {
    std::vector<std::pair<std::string, std::string>> h = {{"Accept", accept}};
    if (!content_type.empty() && !body.empty()) h.emplace_back("Content-Type", content_type);
    if (auth && !http_->token().empty()) h.emplace_back("Authorization", "Bearer " + http_->token());
    auto r = client_->Do(method, target, h, body);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : net::HttpResponse{};
  }
  static Json Body(const net::HttpResponse& r) {
    auto j = ParseJson(r.body);
    EXPECT_TRUE(j.ok()) << r.body;
    return j.ok() ? *j : Json();
  }
  // A Widget CRD with printer columns. As on a cluster, explicit columns replace the default Age
  // column, so it lists Age itself.
  void CreateWidgetCrd() {
    Json crd = ParseJson(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
      "metadata":{"name":"widgets.example.com"},
      "spec":{"group":"example.com","scope":"Namespaced",
        "names":{"plural":"widgets","singular":"widget","kind":"Widget","shortNames":["wd"]},
        "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
          "additionalPrinterColumns":[{"name":"Color","type":"string","jsonPath":".spec.color"},
            {"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}],
          "schema":{"openAPIV3Schema":{"type":"object","properties":{
            "spec":{"type":"object","properties":{"color":{"type":"string"}}}}}}}]}})").value();
    auto r = Do("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", DumpJson(crd));
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // Reads a watch stream until it ends or `lines_max` lines arrived.
  std::vector<Json> Watch(const std::string& target, size_t lines_max,
                          const std::string& accept = "application/json", int* code = nullptr) {
    net::HttpClientOptions o;
    o.ca_pem = http_->ca_pem();
    auto c = net::HttpClient::Create(http_->base_url(), o).value();
    std::vector<Json> out;
    std::string buf;
    Status s = c->Stream(
        "GET", target, {{"Accept", accept}, {"Authorization", "Bearer " + http_->token()}}, "",
        [&](const net::HttpResponse& head) {
          if (code) *code = head.status;
          return lines_max > 0;
        },
        [&](std::string_view d) {
          buf.append(d);
          size_t nl;
          while ((nl = buf.find('\n')) != std::string::npos) {
            out.push_back(ParseJson(std::string_view(buf).substr(0, nl)).value());
            buf.erase(0, nl + 1);
          }
          return out.size() < lines_max;
        },
        std::chrono::seconds(20));
    EXPECT_TRUE(s.ok() || s.Is(StatusCode::kCancelled)) << s.ToString();
    return out;
  }

  RealEnv env_;
  bool started_ = false;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<ApiHttpServer> http_;
  std::unique_ptr<net::HttpClient> client_;
};

TEST_F(HttpFrontend, VersionReportsMinor32WithoutAuthentication) {
  auto r = Do("GET", "/version?timeout=5s", "", "", "application/json, */*", /*auth=*/false);
  ASSERT_EQ(r.status, 200);
  Json v = Body(r);
  EXPECT_EQ(v["major"], "1");
  EXPECT_EQ(v["minor"], "32");
  EXPECT_EQ(v["gitVersion"], "v1.32.0");
  EXPECT_EQ(Do("GET", "/healthz", "", "", "*/*", false).body, "ok");
  EXPECT_EQ(Do("GET", "/readyz", "", "", "*/*", false).status, 200);
  EXPECT_EQ(Do("GET", "/livez", "", "", "*/*", false).status, 200);
}

TEST_F(HttpFrontend, MissingOrWrongTokenIsUnauthorized) {
  auto r = Do("GET", "/api/v1/namespaces", "", "", "application/json", /*auth=*/false);
  EXPECT_EQ(r.status, 401);
  Json s = Body(r);
  EXPECT_EQ(s["kind"], "Status");
  EXPECT_EQ(s["reason"], "Unauthorized");
  EXPECT_EQ(s["code"], 401);
  auto wrong = client_->Do("GET", "/api/v1/namespaces", {{"Authorization", "Bearer nope"}});
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 401);
}

TEST_F(HttpFrontend, InsecureModeServesPlainHttpWithoutAuthentication) {
  http_->Stop();
  ServeOptions so;
  so.insecure = true;
  so.version_minor = 28;
  Serve(so);
  EXPECT_EQ(http_->base_url().rfind("http://", 0), 0u);
  auto r = client_->Do("GET", "/api/v1/namespaces/default");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  auto v = client_->Do("GET", "/version");
  EXPECT_EQ(Body(*v)["minor"], "28");
  EXPECT_EQ(http_->Kubeconfig().find("token"), std::string::npos);
}

TEST_F(HttpFrontend, AggregatedDiscoveryHasTheExactContentType) {
  auto r = Do("GET", "/apis?timeout=32s", "", "", kDiscoveryAccept);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), kAggregatedDiscoveryV2);
  Json d = Body(r);
  EXPECT_EQ(d["kind"], "APIGroupDiscoveryList");
  EXPECT_EQ(d["apiVersion"], "apidiscovery.k8s.io/v2");
  auto core = Do("GET", "/api", "", "", kDiscoveryAccept);
  EXPECT_EQ(core.Header("Content-Type"), kAggregatedDiscoveryV2);
  EXPECT_EQ(Body(core)["items"][0]["metadata"]["name"], "");
  // kubectl 1.28 asks for v2beta1 only.
  auto beta = Do("GET", "/apis", "", "", kAggregatedDiscoveryV2Beta1 + std::string(",application/json"));
  EXPECT_EQ(beta.Header("Content-Type"), kAggregatedDiscoveryV2Beta1);
  EXPECT_EQ(Body(beta)["apiVersion"], "apidiscovery.k8s.io/v2beta1");
}

TEST_F(HttpFrontend, LegacyDiscoveryWithoutTheAggregatedAccept) {
  Json api = Body(Do("GET", "/api"));
  EXPECT_EQ(api["kind"], "APIVersions");
  Json apis = Body(Do("GET", "/apis"));
  EXPECT_EQ(apis["kind"], "APIGroupList");
  Json v1 = Body(Do("GET", "/api/v1"));
  EXPECT_EQ(v1["kind"], "APIResourceList");
  EXPECT_EQ(v1["groupVersion"], "v1");
  Json apps = Body(Do("GET", "/apis/apps"));
  EXPECT_EQ(apps["kind"], "APIGroup");
  EXPECT_EQ(Do("GET", "/apis/nope.io/v1").status, 404);
}

TEST_F(HttpFrontend, OpenApiIndexAndDocumentsFollowCrds) {
  CreateWidgetCrd();
  Json index = Body(Do("GET", "/openapi/v3"));
  ASSERT_TRUE(index["paths"].contains("apis/example.com/v1")) << index.dump();
  ASSERT_TRUE(index["paths"].contains("api/v1"));
  std::string url = index["paths"]["apis/example.com/v1"]["serverRelativeURL"];
  auto doc = Do("GET", url + "&timeout=32s");
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(Body(doc)["openapi"].get<std::string>().substr(0, 2), "3.");
  EXPECT_EQ(Do("GET", "/openapi/v3/apis/nope.io/v1").status, 404);
  EXPECT_EQ(Do("GET", "/openapi/v2").status, 200);
  EXPECT_EQ(Do("GET", "/openapi/v2/extra").status, 404);
}

TEST_F(HttpFrontend, TablesCarryPrinterColumnsAndServerFormattedAge) {
  CreateWidgetCrd();
  ASSERT_EQ(Do("POST", "/apis/example.com/v1/namespaces/default/widgets",
               R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"color":"blue"}})")
                .status,
            201);
  auto r = Do("GET", "/apis/example.com/v1/namespaces/default/widgets?limit=500", "", "", kTableAccept);
  ASSERT_EQ(r.status, 200);
  Json t = Body(r);
  EXPECT_EQ(t["kind"], "Table");
  EXPECT_FALSE(GetString(t, "metadata.resourceVersion").empty());
  std::vector<std::string> cols;
  for (const auto& c : t["columnDefinitions"]) cols.push_back(c["name"]);
  EXPECT_EQ(cols, (std::vector<std::string>{"Name", "Color", "Age"}));
  ASSERT_EQ(t["rows"].size(), 1u);
  EXPECT_EQ(t["rows"][0]["cells"][0], "w");
  EXPECT_EQ(t["rows"][0]["cells"][1], "blue");
  std::string age = t["rows"][0]["cells"][2];
  EXPECT_EQ(age.back(), 's') << "AGE is formatted by the server: " << age;
  EXPECT_EQ(t["rows"][0]["object"]["metadata"]["namespace"], "default");
  auto one = Do("GET", "/apis/example.com/v1/namespaces/default/widgets/w", "", "", kTableAccept);
  EXPECT_EQ(Body(one)["rows"].size(), 1u);
}

TEST_F(HttpFrontend, ErrorsAreStatusBodiesWithTheRealCodesAndMessages) {
  Json nf = Body(Do("GET", "/api/v1/namespaces/default/configmaps/nope"));
  EXPECT_EQ(nf["code"], 404);
  EXPECT_EQ(nf["reason"], "NotFound");
  EXPECT_EQ(nf["message"], "configmaps \"nope\" not found");
  EXPECT_EQ(nf["details"]["name"], "nope");
  EXPECT_EQ(nf["details"]["kind"], "configmaps");
  Json path = Body(Do("GET", "/no/such/path"));
  EXPECT_EQ(path["message"], "the server could not find the requested resource");
  std::string cm = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}})";
  EXPECT_EQ(Do("POST", "/api/v1/namespaces/default/configmaps", cm).status, 201);
  Json exists = Body(Do("POST", "/api/v1/namespaces/default/configmaps", cm));
  EXPECT_EQ(exists["code"], 409);
  EXPECT_EQ(exists["reason"], "AlreadyExists");
  EXPECT_EQ(exists["message"], "configmaps \"a\" already exists");
  Json invalid = Body(Do("POST", "/api/v1/namespaces/default/configmaps",
                         R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}})"));
  EXPECT_EQ(invalid["code"], 422);
  EXPECT_EQ(invalid["reason"], "Invalid");
  auto bad_json = Do("POST", "/api/v1/namespaces/default/configmaps", "{nope");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(Body(bad_json)["reason"], "BadRequest");
  // The message names the kind of the resource (looked up only when the body does not parse).
  EXPECT_EQ(Body(bad_json)["message"].get<std::string>().rfind(
                "the object provided is unrecognized (must be of type ConfigMap): couldn't get "
                "version/kind; json parse error: ", 0),
            0u)
      << Body(bad_json)["message"];
  Json bad_unknown = Body(Do("PUT", "/apis/example.com/v1/namespaces/default/things/a", "{nope"));
  EXPECT_EQ(bad_unknown["code"], 400);
  EXPECT_NE(bad_unknown["message"].get<std::string>().find("(must be of type things)"),
            std::string::npos)
      << bad_unknown["message"];
  auto proto = Do("POST", "/api/v1/namespaces/default/configmaps", cm, "application/vnd.kubernetes.protobuf");
  EXPECT_EQ(proto.status, 400);  // JSON bytes are no protobuf body (no "k8s\0" magic)
  EXPECT_EQ(Do("POST", "/api/v1/namespaces/default/configmaps", cm, "text/plain").status, 415);
  auto proto_only = Do("GET", "/api/v1/namespaces", "", "", "application/vnd.kubernetes.protobuf");
  EXPECT_EQ(proto_only.status, 406);
  auto proto_or_json = Do("GET", "/api/v1/namespaces/default/events", "", "",
                          "application/vnd.kubernetes.protobuf,application/json");
  EXPECT_EQ(proto_or_json.status, 200);
  EXPECT_EQ(Do("PUT", "/api/v1/namespaces/default/configmaps", cm).status, 405);
  auto bad_selector = Do("GET", "/api/v1/namespaces/default/configmaps?labelSelector=a%20in%20(");
  EXPECT_EQ(bad_selector.status, 400);
  auto bad_field = Do("GET", "/api/v1/namespaces/default/configmaps?fieldSelector=spec.x%3D1");
  EXPECT_EQ(Body(bad_field)["message"], "field label not supported: spec.x");
}

TEST_F(HttpFrontend, StrategicMergePatchOnACustomResourceIs415) {
  CreateWidgetCrd();
  Do("POST", "/apis/example.com/v1/namespaces/default/widgets",
     R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"color":"blue"}})");
  auto r = Do("PATCH", "/apis/example.com/v1/namespaces/default/widgets/w", R"({"spec":{"color":"red"}})",
              "application/strategic-merge-patch+json");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(Body(r)["reason"], "UnsupportedMediaType");
  auto unknown = Do("PATCH", "/apis/example.com/v1/namespaces/default/widgets/w", "{}", "text/plain");
  EXPECT_EQ(unknown.status, 415);
}

TEST_F(HttpFrontend, HugeBodiesAre413AndChangeNothing) {
  http_->Stop();
  ServeOptions so;
  so.body_bytes_max = 4096;
  Serve(so);
  uint64_t rv = server_->resource_version();
  std::string big = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"x":")" +
                    std::string(10000, 'x') + "\"}}";
  auto r = Do("POST", "/api/v1/namespaces/default/configmaps", big);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(server_->resource_version(), rv);
}

TEST_F(HttpFrontend, ApplyCreatesWith201AndUpdatesWith200) {
  std::string cfg = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ssa"},"data":{"a":"1"}})";
  auto created = Do("PATCH", "/api/v1/namespaces/default/configmaps/ssa?fieldManager=kubectl&fieldValidation=Strict&force=false",
                    cfg, "application/apply-patch+yaml");
  EXPECT_EQ(created.status, 201) << created.body;
  auto again = Do("PATCH", "/api/v1/namespaces/default/configmaps/ssa?fieldManager=kubectl", cfg,
                  "application/apply-patch+yaml");
  EXPECT_EQ(again.status, 200) << again.body;
}

TEST_F(HttpFrontend, DeleteOptionsComeFromTheBody) {
  Do("POST", "/api/v1/namespaces/default/configmaps",
     R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","finalizers":["example.com/x"]}})");
  auto r = Do("DELETE", "/api/v1/namespaces/default/configmaps/held", R"({"propagationPolicy":"Foreground"})");
  EXPECT_EQ(r.status, 202) << "held by finalizers: accepted, not done";
  Json obj = Body(r);
  EXPECT_TRUE(api::HasFinalizer(obj, "foregroundDeletion"));
  auto bad = Do("DELETE", "/api/v1/namespaces/default/configmaps/held", R"({"propagationPolicy":"Sideways"})");
  EXPECT_EQ(bad.status, 422);
}

TEST_F(HttpFrontend, WatchStreamsJsonLinesAndEndsAtTimeoutSeconds) {
  Do("POST", "/api/v1/namespaces/default/configmaps", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}})");
  auto lines = Watch("/api/v1/namespaces/default/configmaps?watch=True&timeoutSeconds=1", 100);
  ASSERT_EQ(lines.size(), 1u) << "the initial ADDED, then the server closes at timeoutSeconds";
  EXPECT_EQ(lines[0]["type"], "ADDED");
  EXPECT_EQ(lines[0]["object"]["metadata"]["name"], "a");
}

TEST_F(HttpFrontend, TableWatchesStreamOneRowTables) {
  Do("POST", "/api/v1/namespaces/default/configmaps", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}})");
  auto lines = Watch("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1", 100, kTableAccept);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["object"]["kind"], "Table");
  EXPECT_EQ(lines[0]["object"]["rows"].size(), 1u);
  EXPECT_FALSE(GetString(lines[0]["object"], "metadata.resourceVersion").empty());
}

TEST_F(HttpFrontend, WatchFromATooOldVersionGetsAnErrorEvent) {
  http_->Stop();  // a server with a tiny window
  http_.reset();
  server_.reset();
  ApiServerOptions o;
  o.watch_window_events_max = 3;
  server_ = std::make_unique<ApiServer>(env_, o);
  http_ = std::make_unique<ApiHttpServer>(env_, *server_, ServeOptions{});
  ASSERT_TRUE(http_->Start().ok());
  net::HttpClientOptions co;
  co.ca_pem = http_->ca_pem();
  client_ = std::move(net::HttpClient::Create(http_->base_url(), co).value());
  for (int i = 0; i < 6; ++i) {
    Do("POST", "/api/v1/namespaces/default/configmaps",
       R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c)" + std::to_string(i) + R"("}})");
  }
  int code = 0;
  auto lines = Watch("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=2", 10, "application/json", &code);
  EXPECT_EQ(code, 200);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["type"], "ERROR");
  EXPECT_EQ(lines[0]["object"]["code"], 410);
  EXPECT_EQ(lines[0]["object"]["reason"], "Expired");
}

TEST_F(HttpFrontend, AClientLeavingAWatchRemovesTheWatcher) {
  auto lines = Watch("/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true", 0);
  (void)lines;
  bool gone = false;
  for (int i = 0; i < 2000 && !gone; ++i) {
    gone = server_->stats().watchers == 0;
    if (!gone) env_.SleepFor(std::chrono::milliseconds(2));
  }
  EXPECT_TRUE(gone);
}

TEST_F(HttpFrontend, MetricsAreServedInPrometheusTextFormat) {
  Do("GET", "/api/v1/namespaces/default/configmaps");
  Do("GET", "/api/v1/namespaces/default/configmaps/nope");
  auto r = Do("GET", "/metrics", "", "", "text/plain");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.Header("Content-Type").find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(r.body.find("# TYPE apiserver_request_total counter"), std::string::npos);
  EXPECT_NE(r.body.find("apiserver_request_total{code=\"404\""), std::string::npos);
  EXPECT_NE(r.body.find("verb=\"LIST\""), std::string::npos);
  EXPECT_NE(r.body.find("apiserver_request_duration_seconds_bucket"), std::string::npos);
}

TEST_F(HttpFrontend, KubeconfigPointsAtTheServerWithCaAndToken) {
  Json cfg = ParseYaml(http_->Kubeconfig()).value();
  EXPECT_EQ(cfg["current-context"], "kaito-twin");
  EXPECT_EQ(cfg["clusters"][0]["cluster"]["server"], http_->base_url());
  EXPECT_FALSE(GetString(cfg["clusters"][0]["cluster"], "certificate-authority-data").empty());
  EXPECT_EQ(cfg["users"][0]["user"]["token"], http_->token());
}

TEST_F(HttpFrontend, WarningsComeBackAsWarningHeaders) {
  CreateWidgetCrd();
  auto r = Do("POST", "/apis/example.com/v1/namespaces/default/widgets?fieldValidation=Warn",
              R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"colour":"x"}})");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_NE(r.Header("Warning").find("unknown field"), std::string::npos) << r.Header("Warning");
}

}  // namespace
}  // namespace kt::sim
