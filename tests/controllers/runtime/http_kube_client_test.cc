// The HTTP KubeClient against a REST front end (FakeApiServer over FakeKubeClient) on real
// sockets: kubeconfig variants (bearer token + CA, client certificate + CA, token file,
// insecure-skip-tls-verify) and the in-cluster service account; REST paths for core and
// grouped resources; JSON bodies, patch content types and DeleteOptions; Status error replies
// mapped to Status with the server's reason and message; watches with events, bookmarks, 410
// as an ERROR event, Stop, and a dropped connection; an informer running over HTTP.
//
// Waits use condition variables, never sleeps.
#include "controllers/runtime/http_kube_client.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "api/object.h"
#include "base/json.h"
#include "base/net/tls_certs.h"
#include "base/real_env.h"
#include "base/base64.h"
#include "controllers/runtime/informer.h"
#include "tests/controllers/runtime/fake_api_server.h"
#include "tests/controllers/runtime/fake_kube_client.h"
#include "tests/controllers/runtime/temp_dir.h"
#include "tests/controllers/runtime/test_objects.h"

namespace kt::ctrl {
namespace {

using testing::ConfigMap;
using testing::FakeApiServer;
using testing::FakeKubeClient;
using testing::kConfigMaps;
using testing::kWorkspaces;
using testing::TempDir;

struct Pki {
  net::CertKeyPair ca, server, client_ca, client, rogue_ca, rogue_client;
};

Pki MakePki() {
  const Time now = FromUnixSeconds(1767225600);  // fixed: certificates are valid 2026-2027
  Pki p;
  p.ca = *net::GenerateCa("kaito-twin-ca", now - std::chrono::hours(1), std::chrono::hours(24 * 365 * 10));
  net::CertRequest server{.common_name = "kube-apiserver", .dns_names = {"localhost"},
                          .ip_addresses = {"127.0.0.1"}, .server = true,
                          .not_before = now - std::chrono::hours(1),
                          .validity = std::chrono::hours(24 * 365 * 10)};
  p.server = *net::IssueCert(p.ca, server);
  p.client_ca = *net::GenerateCa("client-ca", now - std::chrono::hours(1), std::chrono::hours(24 * 365 * 10));
  net::CertRequest client{.common_name = "system:kaito", .organizations = {"system:masters"},
                          .server = false, .not_before = now - std::chrono::hours(1),
                          .validity = std::chrono::hours(24 * 365 * 10)};
  p.client = *net::IssueCert(p.client_ca, client);
  p.rogue_ca = *net::GenerateCa("rogue", now - std::chrono::hours(1), std::chrono::hours(24 * 365 * 10));
  p.rogue_client = *net::IssueCert(p.rogue_ca, client);
  return p;
}

const Pki& TestPki() {
  static const Pki pki = MakePki();
  return pki;
}

class HttpKubeClientTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.RunInBackground(2); }
  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
    env_.Stop();
    env_.Join();
  }

  void StartServer(const std::string& token, bool require_client_ca) {
    FakeApiServer::Options o;
    net::TlsServerConfig tls;
    tls.cert_chain_pem = TestPki().server.cert_pem;
    tls.private_key_pem = TestPki().server.key_pem;
    if (require_client_ca) tls.client_ca_pem = TestPki().client_ca.cert_pem;
    o.tls = tls;
    o.token = token;
    server_ = std::make_unique<FakeApiServer>(env_, backend_, o);
    ASSERT_TRUE(server_->Start().ok());
  }

  Result<std::unique_ptr<HttpKubeClient>> FromKubeconfig(const std::string& cluster_extra,
                                                         const std::string& user_extra) {
    const std::string yaml = "apiVersion: v1\nkind: Config\ncurrent-context: t\n"
                             "clusters:\n- name: c\n  cluster:\n    server: " + server_->url() +
                             "\n" + cluster_extra +
                             "users:\n- name: u\n  user:\n" + user_extra +
                             "contexts:\n- name: t\n  context: {cluster: c, user: u}\n";
    auto rc = LoadKubeconfig(dir_.Write("kubeconfig", yaml));
    if (!rc.ok()) return rc.status();
    return HttpKubeClient::Create(env_, *rc);
  }
  std::string CaData() { return "    certificate-authority-data: " + Base64Encode(TestPki().ca.cert_pem) + "\n"; }

  RealEnv env_;
  FakeKubeClient backend_{env_};
  TempDir dir_;
  std::unique_ptr<FakeApiServer> server_;
  std::unique_ptr<HttpKubeClient> client_;
};

TEST_F(HttpKubeClientTest, TokenAndCaKubeconfigDoesCrudOverTls) {
  StartServer("s3cr3t", false);
  auto c = FromKubeconfig(CaData(), "    token: s3cr3t\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  client_ = std::move(c).value();
  HttpKubeClient& k = *client_;

  auto created = k.Create(kConfigMaps, "default", ConfigMap("default", "a"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(api::ResourceVersion(*created), "1");
  auto ws = k.Create(kWorkspaces, "team", testing::Workspace("team", "phi-3"));
  ASSERT_TRUE(ws.ok()) << ws.status().ToString();
  auto got = k.Get(kConfigMaps, "default", "a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(GetString(*got, "data.k"), "v");
  Json upd = *got;
  upd["data"]["k"] = "w";
  ASSERT_TRUE(k.Update(kConfigMaps, "default", upd).ok());
  auto patched = k.Patch(kConfigMaps, "default", "a", api::PatchType::kMerge,
                         R"({"metadata":{"labels":{"app":"x"}}})", {.field_manager = "kaito"});
  ASSERT_TRUE(patched.ok()) << patched.status().ToString();
  EXPECT_EQ(api::Label(*patched, "app"), "x");
  auto list = k.List(kConfigMaps, "", {.label_selector = "app=x", .limit = 10});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)["items"].size(), 1u);
  EXPECT_EQ(GetString(*list, "metadata.resourceVersion"), "4");
  auto deleted = k.Delete(kConfigMaps, "default", "a",
                          {.propagation = api::PropagationPolicy::kForeground,
                           .precondition_uid = api::Uid(*created)});
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_TRUE(backend_.Get(kConfigMaps, "default", "a").status().Is(StatusCode::kNotFound));

  std::vector<std::string> targets;
  for (const auto& r : server_->requests()) {
    targets.push_back(r.method + " " + r.target);
    EXPECT_EQ(r.authorization, "Bearer s3cr3t");
    EXPECT_EQ(r.user_agent, "kaito-twin/controllers");
  }
  EXPECT_EQ(targets, (std::vector<std::string>{
                         "POST /api/v1/namespaces/default/configmaps",
                         "POST /apis/kaito.sh/v1beta1/namespaces/team/workspaces",
                         "GET /api/v1/namespaces/default/configmaps/a",
                         "PUT /api/v1/namespaces/default/configmaps/a",
                         "PATCH /api/v1/namespaces/default/configmaps/a?fieldManager=kaito",
                         "GET /api/v1/configmaps?labelSelector=app%3Dx&limit=10",
                         "DELETE /api/v1/namespaces/default/configmaps/a"}));
  auto reqs = server_->requests();
  EXPECT_EQ(reqs[4].content_type, "application/merge-patch+json");
  EXPECT_EQ(reqs[0].content_type, "application/json");
  Json del = *ParseJson(reqs[6].body);
  EXPECT_EQ(GetString(del, "kind"), "DeleteOptions");
  EXPECT_EQ(GetString(del, "propagationPolicy"), "Foreground");
  EXPECT_EQ(GetString(del, "preconditions.uid"), api::Uid(*created));
}

TEST_F(HttpKubeClientTest, ErrorRepliesBecomeStatusesWithTheServersReasonAndMessage) {
  StartServer("tok", false);
  client_ = std::move(FromKubeconfig(CaData(), "    token: tok\n")).value();
  HttpKubeClient& k = *client_;
  auto missing = k.Get(kConfigMaps, "default", "nope");
  EXPECT_TRUE(missing.status().Is(StatusCode::kNotFound));
  EXPECT_EQ(missing.status().message(), "configmaps \"nope\" not found");
  ASSERT_TRUE(k.Create(kConfigMaps, "default", ConfigMap("default", "a")).ok());
  EXPECT_TRUE(k.Create(kConfigMaps, "default", ConfigMap("default", "a"))
                  .status().Is(StatusCode::kAlreadyExists));
  Json stale = ConfigMap("default", "a");
  stale["metadata"]["resourceVersion"] = "999";
  auto conflict = k.Update(kConfigMaps, "default", stale);
  EXPECT_TRUE(conflict.status().Is(StatusCode::kConflict));
  EXPECT_NE(conflict.status().message().find("the object has been modified"), std::string::npos);
  auto smp = k.Patch(kConfigMaps, "default", "a", api::PatchType::kStrategicMerge, "{}");
  EXPECT_TRUE(smp.status().Is(StatusCode::kUnsupportedMediaType));
  EXPECT_TRUE(k.Patch(kConfigMaps, "default", "a", api::PatchType::kApply, "{}")
                  .status().Is(StatusCode::kBadRequest))
      << "apply needs a field manager";

  auto wrong = FromKubeconfig(CaData(), "    token: wrong\n");
  ASSERT_TRUE(wrong.ok());
  auto denied = (*wrong)->Get(kConfigMaps, "default", "a");
  EXPECT_TRUE(denied.status().Is(StatusCode::kUnauthorized));
}

TEST_F(HttpKubeClientTest, StatusFromHttpKeepsReasonAndRetryAfter) {
  Status s = StatusFromHttp(
      429, R"({"kind":"Status","reason":"TooManyRequests","message":"slow down","details":{"retryAfterSeconds":3}})");
  EXPECT_TRUE(s.Is(StatusCode::kTooManyRequests));
  EXPECT_EQ(s.retry_after_seconds(), 3);
  Status gone = StatusFromHttp(410, R"({"kind":"Status","reason":"Expired","message":"too old"})");
  EXPECT_TRUE(gone.Is(StatusCode::kGone));
  Status custom = StatusFromHttp(409, R"({"kind":"Status","reason":"FieldManagerConflict","message":"m"})");
  EXPECT_TRUE(custom.Is(StatusCode::kConflict));
  EXPECT_EQ(custom.reason(), "FieldManagerConflict");
  Status plain = StatusFromHttp(502, "<html>bad gateway</html>", "7");
  EXPECT_TRUE(plain.Is(StatusCode::kInternal));
  EXPECT_EQ(plain.message(), "the server answered HTTP 502: <html>bad gateway</html>");
  EXPECT_EQ(plain.retry_after_seconds(), 7);
}

TEST_F(HttpKubeClientTest, AServerSignedByAnUntrustedCaIsRefusedUnlessVerificationIsSkipped) {
  StartServer("", false);
  auto untrusted = FromKubeconfig(
      "    certificate-authority-data: " + Base64Encode(TestPki().rogue_ca.cert_pem) + "\n", "");
  ASSERT_TRUE(untrusted.ok());
  EXPECT_TRUE((*untrusted)->Get(kConfigMaps, "default", "x").status().Is(StatusCode::kUnavailable));
  auto insecure = FromKubeconfig("    insecure-skip-tls-verify: true\n", "");
  ASSERT_TRUE(insecure.ok());
  EXPECT_TRUE((*insecure)->Get(kConfigMaps, "default", "x").status().Is(StatusCode::kNotFound));
}

TEST_F(HttpKubeClientTest, ClientCertificateFromTheKubeconfigIsPresentedAndVerified) {
  StartServer("", /*require_client_ca=*/true);
  auto good = FromKubeconfig(CaData(),
                             "    client-certificate-data: " + Base64Encode(TestPki().client.cert_pem) +
                                 "\n    client-key-data: " + Base64Encode(TestPki().client.key_pem) + "\n");
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_TRUE((*good)->Get(kConfigMaps, "default", "x").status().Is(StatusCode::kNotFound));
  // A certificate from a CA the server does not trust fails the handshake: proof that the
  // client really presents the configured certificate.
  auto rogue = FromKubeconfig(CaData(),
                              "    client-certificate-data: " + Base64Encode(TestPki().rogue_client.cert_pem) +
                                  "\n    client-key-data: " + Base64Encode(TestPki().rogue_client.key_pem) + "\n");
  ASSERT_TRUE(rogue.ok());
  EXPECT_TRUE((*rogue)->Get(kConfigMaps, "default", "x").status().Is(StatusCode::kUnavailable));
}

TEST_F(HttpKubeClientTest, TokenFileIsReadAgainAfterAnUnauthorizedReply) {
  StartServer("rotated", false);
  const std::string token_path = dir_.Write("token", "old\n");
  auto c = FromKubeconfig(CaData(), "    tokenFile: " + token_path + "\n");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE((*c)->Get(kConfigMaps, "default", "x").status().Is(StatusCode::kUnauthorized));
  dir_.Write("token", "rotated\n");  // the kubelet rotates the projected token
  EXPECT_TRUE((*c)->Get(kConfigMaps, "default", "x").status().Is(StatusCode::kNotFound));
}

TEST_F(HttpKubeClientTest, InClusterServiceAccountTalksToTheServer) {
  StartServer("sa-token", false);
  TempDir sa;
  sa.Write("token", "sa-token");
  sa.Write("ca.crt", TestPki().ca.cert_pem);
  sa.Write("namespace", "kaito-workspace");
  const std::string url = server_->url();  // https://127.0.0.1:PORT
  const std::string port = url.substr(url.rfind(':') + 1);
  auto rc = InClusterConfig({.host = "127.0.0.1", .port = port, .service_account_dir = sa.path()});
  ASSERT_TRUE(rc.ok()) << rc.status().ToString();
  auto c = HttpKubeClient::Create(env_, *rc);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->Create(kConfigMaps, rc->ns, ConfigMap(rc->ns, "hello")).ok());
  EXPECT_TRUE(backend_.Get(kConfigMaps, "kaito-workspace", "hello").ok());
}

// Collects watch callbacks from the stream thread.
struct WatchLog {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> events;
  std::optional<Status> closed;
  api::WatchHandler OnEvent() {
    return [this](const api::WatchEvent& ev) {
      std::lock_guard<std::mutex> lock(mu);
      events.push_back(std::string(api::WatchEventTypeName(ev.type)) + " " +
                       api::Name(ev.object) + "@" + api::ResourceVersion(ev.object));
      cv.notify_all();
    };
  }
  api::WatchClosed OnClosed() {
    return [this](Status s) {
      std::lock_guard<std::mutex> lock(mu);
      closed = s;
      cv.notify_all();
    };
  }
  void WaitEvents(size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return events.size() >= n; });
  }
  Status WaitClosed() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return closed.has_value(); });
    return *closed;
  }
};

TEST_F(HttpKubeClientTest, WatchStreamsEventsAndBookmarksUntilStopped) {
  StartServer("", false);
  client_ = std::move(FromKubeconfig(CaData(), "")).value();
  ASSERT_TRUE(client_->Create(kConfigMaps, "default", ConfigMap("default", "a")).ok());
  WatchLog log;
  auto w = client_->StartWatch(kConfigMaps, "default",
                               {.resource_version = "1", .allow_watch_bookmarks = true,
                                .timeout_seconds = 300},
                               log.OnEvent(), log.OnClosed());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE(client_->Create(kConfigMaps, "default", ConfigMap("default", "b")).ok());
  ASSERT_TRUE(client_->Delete(kConfigMaps, "default", "a").ok());
  log.WaitEvents(2);
  backend_.SendBookmarks(kConfigMaps);
  log.WaitEvents(3);
  (*w)->Stop();
  ASSERT_TRUE(client_->Create(kConfigMaps, "default", ConfigMap("default", "c")).ok());
  // The next watch sees "c"; the stopped one must not.
  WatchLog after;
  auto w2 = client_->StartWatch(kConfigMaps, "default", {.resource_version = "3"},
                                after.OnEvent(), after.OnClosed());
  ASSERT_TRUE(w2.ok());
  after.WaitEvents(1);
  std::lock_guard<std::mutex> lock(log.mu);
  EXPECT_EQ(log.events, (std::vector<std::string>{"ADDED b@2", "DELETED a@3", "BOOKMARK @3"}));
  EXPECT_FALSE(log.closed.has_value()) << "Stop() is not a close";
  const auto reqs = server_->requests();
  bool saw = false;
  for (const auto& r : reqs) {
    saw |= r.target ==
           "/api/v1/namespaces/default/configmaps?resourceVersion=1&watch=true&"
           "allowWatchBookmarks=true&timeoutSeconds=300";
  }
  EXPECT_TRUE(saw);
}

TEST_F(HttpKubeClientTest, WatchFromACompactedResourceVersionEndsWithGone) {
  StartServer("", false);
  client_ = std::move(FromKubeconfig(CaData(), "")).value();
  ASSERT_TRUE(client_->Create(kConfigMaps, "default", ConfigMap("default", "a")).ok());
  ASSERT_TRUE(client_->Create(kConfigMaps, "default", ConfigMap("default", "b")).ok());
  backend_.CompactHistory();
  WatchLog log;
  auto w = client_->StartWatch(kConfigMaps, "", {.resource_version = "1"}, log.OnEvent(),
                               log.OnClosed());
  ASSERT_TRUE(w.ok());
  Status s = log.WaitClosed();
  EXPECT_TRUE(s.Is(StatusCode::kGone)) << s.ToString();
  EXPECT_NE(s.message().find("too old resource version"), std::string::npos);
}

TEST_F(HttpKubeClientTest, ARefusedWatchFailsStartWatchAndADroppedOneEndsWithUnavailable) {
  StartServer("tok", false);
  auto anon = FromKubeconfig(CaData(), "");
  ASSERT_TRUE(anon.ok());
  WatchLog refused;
  auto denied = (*anon)->StartWatch(kConfigMaps, "", {}, refused.OnEvent(), refused.OnClosed());
  EXPECT_TRUE(denied.status().Is(StatusCode::kUnauthorized)) << denied.status().ToString();

  client_ = std::move(FromKubeconfig(CaData(), "    token: tok\n")).value();
  WatchLog log;
  auto w = client_->StartWatch(kConfigMaps, "", {}, log.OnEvent(), log.OnClosed());
  ASSERT_TRUE(w.ok());
  backend_.DropWatches(kConfigMaps, Unavailable("apiserver restarting"));  // server ends it
  Status s = log.WaitClosed();
  EXPECT_TRUE(s.ok()) << "a stream the server finishes is a clean close: " << s.ToString();

  WatchLog cut;
  auto w2 = client_->StartWatch(kConfigMaps, "", {}, cut.OnEvent(), cut.OnClosed());
  ASSERT_TRUE(w2.ok());
  server_->Stop();  // the connection goes away mid-stream
  Status dropped = cut.WaitClosed();
  EXPECT_FALSE(dropped.ok());
}

TEST_F(HttpKubeClientTest, AnInformerOverHttpListsWatchesAndFollowsChanges) {
  StartServer("tok", false);
  client_ = std::move(FromKubeconfig(CaData(), "    token: tok\n")).value();
  ASSERT_TRUE(client_->Create(kConfigMaps, "default", ConfigMap("default", "a")).ok());
  InformerOptions o;
  o.gvr = kConfigMaps;
  Informer inf(env_, *client_, o);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> seen;
  EventHandler h;
  h.on_add = [&](const ObjectPtr& obj) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back("add " + api::Name(*obj));
    cv.notify_all();
  };
  h.on_delete = [&](const ObjectPtr& obj) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back("delete " + api::Name(*obj));
    cv.notify_all();
  };
  inf.AddEventHandler(h);
  inf.Start();
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return !seen.empty(); });  // listed
  }
  ASSERT_TRUE(client_->Create(kConfigMaps, "default", ConfigMap("default", "b")).ok());
  ASSERT_TRUE(client_->Delete(kConfigMaps, "default", "a").ok());
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return seen.size() >= 3; });
    EXPECT_EQ(seen, (std::vector<std::string>{"add a", "add b", "delete a"}));
  }
  EXPECT_TRUE(inf.HasSynced());
  EXPECT_EQ(inf.store().Keys(), (std::vector<std::string>{"default/b"}));
  inf.Stop();
}

}  // namespace
}  // namespace kt::ctrl
