// The HTTP server and client over loopback: keep-alive requests, body limits, chunked
// streams that notice a client hanging up, client cancellation, and TLS with a generated CA.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/net/http_client.h"
#include "base/net/http_server.h"
#include "base/net/tls_certs.h"

namespace kt::net {
namespace {

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpHandler handler, std::optional<TlsServerConfig> tls = std::nullopt,
                   uint64_t body_max = 1024, HttpServerOptions opts = {}) {
    opts.tls = std::move(tls);
    opts.body_bytes_max = body_max;
    server_ = std::make_unique<HttpServer>(env_, opts, std::move(handler));
    ASSERT_TRUE(server_->Start().ok());
    env_.RunInBackground(2);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    env_.Stop();
    env_.Join();
  }

  RealEnv env_;
  std::unique_ptr<HttpServer> server_;
};

HttpHandler Echo() {
  return [](HttpRequest& req, std::shared_ptr<Exchange> ex) {
    HttpResponse r = HttpResponse::Text(200, req.method + " " + req.path + " q=" +
                                                 req.Query("q").value_or("-") + " body=" + req.body);
    ex->Respond(std::move(r));
  };
}

TEST_F(HttpServerTest, KeepAliveRequestsReuseOneConnection) {
  StartServer(Echo());
  auto client = HttpClient::Create(server_->base_url());
  ASSERT_TRUE(client.ok());
  for (int i = 0; i < 3; ++i) {
    auto r = (*client)->Do("POST", "/a%20b?q=x%3Dy", {{"Content-Type", "text/plain"}}, "hi");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "POST /a b q=x=y body=hi");
  }
}

TEST_F(HttpServerTest, OversizedBodyGets413) {
  StartServer(Echo(), std::nullopt, /*body_max=*/16);
  auto client = HttpClient::Create(server_->base_url());
  auto r = (*client)->Do("POST", "/", {}, std::string(1000, 'x'));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("RequestEntityTooLarge"), std::string::npos);
}

TEST_F(HttpServerTest, OversizedBodyAnswerCanBeShapedByPath) {
  HttpServerOptions o;
  o.body_too_large = [](std::string_view path, uint64_t limit) {
    return HttpResponse::Text(413, std::string(path) + " over " + std::to_string(limit));
  };
  StartServer(Echo(), std::nullopt, /*body_max=*/16, o);
  auto client = HttpClient::Create(server_->base_url());
  auto r = (*client)->Do("POST", "/v1/x%20y?a=b", {}, std::string(1000, 'x'));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->body, "/v1/x y over 16");
}

TEST_F(HttpServerTest, HandlerMayAnswerFromAnotherThreadLater) {
  // Regression: the answering thread spun on the mutex; under load it starved the io thread
  // that had to park the exchange, and the request timed out. It now waits on a condition.
  std::shared_ptr<Exchange> parked;
  bool done = false;
  std::mutex mu;
  std::condition_variable cv;
  StartServer([&](HttpRequest&, std::shared_ptr<Exchange> ex) {
    {
      std::lock_guard<std::mutex> lock(mu);
      parked = std::move(ex);
    }
    cv.notify_all();
  });
  env_.StartThread("answer", [&] {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return parked != nullptr || done; });
    std::shared_ptr<Exchange> ex = std::move(parked);
    lock.unlock();
    if (ex) ex->Respond(HttpResponse::Json(201, "{}"));
  });
  auto client = HttpClient::Create(server_->base_url());
  auto r = (*client)->Do("GET", "/later");
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 201);
}

// Do() on a plain connection reads straight from the socket (send, poll, recv): a body far
// larger than one read arrives whole, and the server sees the client's address.
TEST_F(HttpServerTest, PlainClientReadsLargeBodiesAndServerSeesItsAddress) {
  std::string big(4 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + (i / 4096) % 26);
  StartServer([&big](HttpRequest& req, std::shared_ptr<Exchange> ex) {
    ex->Respond(HttpResponse::Text(200, req.path == "/big" ? big : req.remote_address));
  });
  auto client = HttpClient::Create(server_->base_url());
  for (int i = 0; i < 2; ++i) {  // the second reuses the connection
    auto r = (*client)->Do("GET", "/big");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->body.size(), big.size());
    EXPECT_TRUE(r->body == big);
  }
  auto who = (*client)->Do("GET", "/who");
  ASSERT_TRUE(who.ok());
  EXPECT_TRUE(who->body.starts_with("127.0.0.1:")) << who->body;
}

TEST_F(HttpServerTest, PlainClientTimesOutWhenNoAnswerComes) {
  std::mutex mu;
  std::vector<std::shared_ptr<Exchange>> parked;  // never answered while the client waits
  StartServer([&](HttpRequest&, std::shared_ptr<Exchange> ex) {
    std::lock_guard<std::mutex> lock(mu);
    parked.push_back(std::move(ex));
  });
  HttpClientOptions o;
  o.timeout = std::chrono::milliseconds(200);
  auto client = HttpClient::Create(server_->base_url(), o);
  const auto start = std::chrono::steady_clock::now();
  auto r = (*client)->Do("GET", "/never");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kTimeout) << r.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(HttpServerTest, PlainClientRefusesAnswersOverItsLimit) {
  StartServer([](HttpRequest&, std::shared_ptr<Exchange> ex) {
    ex->Respond(HttpResponse::Text(200, std::string(5000, 'x')));
  });
  HttpClientOptions o;
  o.response_bytes_max = 1000;
  auto client = HttpClient::Create(server_->base_url(), o);
  auto r = (*client)->Do("GET", "/");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("body limit"), std::string::npos) << r.status().ToString();
}

TEST_F(HttpServerTest, PlainClientRetriesWhenTheServerClosedTheIdleConnection) {
  HttpServerOptions so;
  so.idle_timeout = std::chrono::milliseconds(50);
  StartServer(Echo(), std::nullopt, 1024, so);
  auto client = HttpClient::Create(server_->base_url());
  ASSERT_TRUE((*client)->Do("GET", "/one").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the server closes it
  auto r = (*client)->Do("GET", "/two");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "GET /two q=- body=");
}

TEST_F(HttpServerTest, ChunkedStreamDeliversLinesAndEnds) {
  StartServer([](HttpRequest&, std::shared_ptr<Exchange> ex) {
    auto stream = ex->StartStream(200, {{"Content-Type", "application/json"}});
    for (int i = 0; i < 3; ++i) stream->Write("{\"n\":" + std::to_string(i) + "}\n");
    stream->Close();
  });
  auto client = HttpClient::Create(server_->base_url());
  std::string got;
  int status = 0;
  Status s = (*client)->Stream(
      "GET", "/watch", {}, {},
      [&](const HttpResponse& head) {
        status = head.status;
        return true;
      },
      [&](std::string_view d) {
        got += d;
        return true;
      },
      std::chrono::seconds(10));
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(status, 200);
  EXPECT_EQ(got, "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n");
}

TEST_F(HttpServerTest, StreamNoticesClientHangingUpAndClientCanCancel) {
  std::mutex mu;
  std::condition_variable cv;
  bool server_saw_close = false;
  StartServer([&](HttpRequest&, std::shared_ptr<Exchange> ex) {
    auto stream = ex->StartStream(200, {{"Content-Type", "text/event-stream"}});
    stream->Write("data: first\n\n");
    stream->OnClose([&] {
      std::lock_guard<std::mutex> lock(mu);
      server_saw_close = true;
      cv.notify_all();
    });
  });
  auto client = HttpClient::Create(server_->base_url());
  HttpClient* c = client->get();
  Status s = c->Stream(
      "GET", "/events", {}, {}, [](const HttpResponse&) { return true; },
      [&](std::string_view d) {
        EXPECT_EQ(d, "data: first\n\n");
        c->Cancel();  // the next read sees the cancellation
        return true;
      },
      std::chrono::seconds(10));
  EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.ToString();
  std::unique_lock<std::mutex> lock(mu);
  EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return server_saw_close; }));
}

TEST_F(HttpServerTest, TlsWithGeneratedCaVerifiesAndRejectsWrongCa) {
  auto ca = GenerateCa("kaito-twin-ca", env_.Now(), std::chrono::hours(24));
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  auto leaf = IssueCert(*ca, CertRequest{.common_name = "kube-apiserver",
                                         .dns_names = {"localhost"},
                                         .ip_addresses = {"127.0.0.1"},
                                         .not_before = env_.Now()});
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  StartServer(Echo(), TlsServerConfig{leaf->cert_pem, leaf->key_pem, ""});
  EXPECT_EQ(server_->base_url().substr(0, 8), "https://");

  auto good = HttpClient::Create(server_->base_url(), HttpClientOptions{.ca_pem = ca->cert_pem});
  auto r = (*good)->Do("GET", "/secure");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "GET /secure q=- body=");

  auto other_ca = GenerateCa("someone-else", env_.Now(), std::chrono::hours(24));
  auto bad = HttpClient::Create(server_->base_url(), HttpClientOptions{.ca_pem = other_ca->cert_pem});
  auto r2 = (*bad)->Do("GET", "/secure");
  EXPECT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().code(), StatusCode::kUnavailable);
}

TEST_F(HttpServerTest, ConnectionRefusedIsUnavailable) {
  auto client = HttpClient::Create("http://127.0.0.1:1");
  auto r = (*client)->Do("GET", "/");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace kt::net
