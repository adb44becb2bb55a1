// kaito-serve's HTTP front end, over real sockets (RealEnv, base/net client) on a tiny random
// model: the Kaito routes (/, /health before and after the model is ready, /chat with prompt or
// messages, Kaito's error shapes), the OpenAI routes (models with adapters, completions and
// chat completions, plain and SSE-streamed with [DONE] and usage, greedy results equal between
// the two), /metrics, and the limits: malformed JSON, unknown model, negative max_tokens,
// over-long prompts, oversized bodies, a full queue (429 with Retry-After), request timeouts
// (504), client disconnects (the engine request is aborted) and graceful shutdown (in-flight
// requests finish, new ones get 503).
#include "serving/http/serving_server.h"

#include <gtest/gtest.h>

#include <thread>

#include "base/json.h"
#include "base/net/http_client.h"
#include "serving/engine/lora_adapter.h"
#include "serving/engine/model_setup.h"
#include "tests/serving/testing/test_models.h"

namespace kt::serving {
namespace {

struct Config {
  int32_t max_waiting = 64;
  Duration timeout = std::chrono::seconds(60);
  uint64_t body_bytes_max = 1 << 20;
  bool adapter = false;
  bool ready = true;
  // false: the engine loop is never started, so requests are accepted and never stepped.
  bool engine_running = true;
};

class Server {
 public:
  explicit Server(Config c = {}) {
    ModelSetupOptions o;
    o.preset = "tiny-phi3";
    o.random_weights = true;
    o.seed = 3;
    o.num_kv_blocks = 512;
    o.block_size = 4;
    o.max_batch_tokens = 256;
    o.max_waiting = c.max_waiting;
    if (c.adapter) {
      auto config = testing::PresetConfig("tiny-phi3");
      RandomLoraOptions lo;
      lo.rank = 4;
      lo.target_modules = {"qkv_proj", "o_proj"};
      auto a = RandomLoraAdapter(config, lo, "x");
      KT_CHECK(a.ok());
      KT_CHECK(SaveLoraAdapter(a.value(), config, dir_.Sub("ad"), "tiny-phi3").ok());
      o.adapters.push_back({"my-adapter", dir_.Sub("ad"), 0.5});
    }
    auto m = SetUpModel(env_, o);
    KT_CHECK(m.ok()) << m.status().ToString();
    kaito_adapter_ = m.value().kaito_adapter;
    loop_ = std::make_unique<EngineLoop>(env_, std::move(m.value().engine));
    ServingOptions so;
    so.served_model_name = "tiny-phi3";
    so.chat_format = "phi3";
    so.max_tokens_limit = 1000;
    so.request_timeout = c.timeout;
    net::HttpServerOptions ho;
    ho.body_bytes_max = c.body_bytes_max;
    server_ = std::make_unique<ServingServer>(env_, so, ho);
    env_.RunInBackground(2);
    KT_CHECK(server_->Start().ok());
    if (c.engine_running) loop_->Start();
    if (c.ready) Ready();
    auto client = net::HttpClient::Create(server_->base_url());
    KT_CHECK(client.ok());
    client_ = std::move(client).value();
  }
  ~Server() {
    server_->Stop();
    loop_->Stop();
    env_.Stop();
    env_.Join();
  }
  void Ready() { server_->SetEngine(loop_.get(), kaito_adapter_); }

  net::HttpResponse Get(const std::string& path) {
    auto r = client_->Do("GET", path);
    KT_CHECK(r.ok()) << r.status().ToString();
    return r.value();
  }
  net::HttpResponse Post(const std::string& path, const std::string& body) {
    auto r = client_->Do("POST", path, {{"Content-Type", "application/json"}}, body);
    KT_CHECK(r.ok()) << r.status().ToString();
    return r.value();
  }
  Json PostJson(const std::string& path, const std::string& body, int want_status = 200) {
    net::HttpResponse r = Post(path, body);
    EXPECT_EQ(r.status, want_status) << path << " " << body << " -> " << r.body;
    auto j = ParseJson(r.body);
    EXPECT_TRUE(j.ok()) << r.body;
    return j.ok() ? j.value() : Json();
  }
  // SSE "data:" payloads of a streamed response.
  std::vector<std::string> Stream(const std::string& path, const std::string& body, int* status) {
    std::string all;
    Status s = client_->Stream(
        "POST", path, {{"Content-Type", "application/json"}}, body,
        [&](const net::HttpResponse& head) {
          *status = head.status;
          return true;
        },
        [&](std::string_view data) {
          all.append(data);
          return true;
        },
        std::chrono::seconds(30));
    EXPECT_TRUE(s.ok()) << s.ToString();
    std::vector<std::string> events;
    size_t i = 0;
    while ((i = all.find("data: ", i)) != std::string::npos) {
      size_t end = all.find("\n\n", i);
      events.push_back(all.substr(i + 6, end - i - 6));
      i = end;
    }
    return events;
  }

  RealEnv& env() { return env_; }
  EngineLoop& loop() { return *loop_; }
  ServingServer& server() { return *server_; }
  net::HttpClient& client() { return *client_; }

 private:
  testing::TempDir dir_;
  RealEnv env_;
  std::string kaito_adapter_;
  std::unique_ptr<EngineLoop> loop_;
  std::unique_ptr<ServingServer> server_;
  std::unique_ptr<net::HttpClient> client_;
};

TEST(ServingServerTest, ProbesReportLoadingThenHealthy) {
  Server s({.ready = false});
  EXPECT_EQ(s.Get("/").body, R"({"message":"Server is running"})");
  EXPECT_EQ(s.Get("/health").status, 500);
  EXPECT_EQ(s.Get("/health").body, R"({"detail":"Model not initialized"})");
  EXPECT_EQ(s.Post("/chat", R"({"prompt":"x"})").status, 500);
  EXPECT_EQ(s.Post("/v1/completions", R"({"prompt":"x"})").status, 503);
  s.Ready();
  EXPECT_EQ(s.Get("/health").body, R"({"status":"Healthy"})");
  EXPECT_EQ(s.Get("/healthz").status, 200);
  EXPECT_EQ(s.Get("/nope").status, 404);
  EXPECT_EQ(s.Post("/health", "").status, 405);
}

TEST(ServingServerTest, KaitoChatPromptReturnsFullTextByDefault) {
  Server s;
  // The seed document's request body.
  Json r = s.PostJson("/chat", R"({"prompt":"YOUR QUESTION HERE"})");
  ASSERT_TRUE(r.contains("Result"));
  std::string result = r["Result"].get<std::string>();
  EXPECT_EQ(result.rfind("YOUR QUESTION HERE", 0), 0u);
  Json only = s.PostJson("/chat", R"({"prompt":"abc","return_full_text":false,
                                      "generate_kwargs":{"max_new_tokens":4,"do_sample":false}})");
  Json full = s.PostJson("/chat", R"({"prompt":"abc",
                                      "generate_kwargs":{"max_new_tokens":4,"do_sample":false}})");
  EXPECT_EQ(full["Result"].get<std::string>(), "abc" + only["Result"].get<std::string>());
}

TEST(ServingServerTest, KaitoChatMessagesReturnThePythonReprOfTheMessage) {
  Server s;
  Json r = s.PostJson("/chat", R"({"messages":[{"role":"user","content":"hi"}],
                                   "generate_kwargs":{"max_new_tokens":3,"do_sample":false}})");
  std::string result = r["Result"].get<std::string>();
  EXPECT_EQ(result.rfind("{'role': 'assistant', 'content': ", 0), 0u) << result;
  EXPECT_EQ(result.back(), '}');
}

TEST(ServingServerTest, KaitoErrorsHaveFastApiShapes) {
  Server s;
  Json missing = s.PostJson("/chat", R"({"generate_kwargs":{}})", 400);
  EXPECT_EQ(missing["detail"], "Text generation parameter prompt required");
  Json malformed = s.PostJson("/chat", "{oops", 422);
  ASSERT_TRUE(malformed["detail"].is_array());
  EXPECT_EQ(malformed["detail"][0]["type"], "value_error.jsondecode");
  Json typed = s.PostJson("/chat", R"({"prompt":"x","generate_kwargs":{"max_length":"many"}})", 422);
  EXPECT_EQ(typed["detail"][0]["loc"], Json::array({"body", "generate_kwargs", "max_length"}));
  Json too_long = s.PostJson("/chat", Json{{"prompt", std::string(600, 'a')}}.dump(), 400);
  EXPECT_NE(too_long["detail"].get<std::string>().find("maximum context length"), std::string::npos);
}

TEST(ServingServerTest, OpenAiCompletionsPlainAndStreamedAgree) {
  Server s;
  Json plain = s.PostJson("/v1/completions",
                          R"({"model":"tiny-phi3","prompt":"Hello","max_tokens":6,"temperature":0})");
  EXPECT_EQ(plain["object"], "text_completion");
  EXPECT_EQ(plain["usage"]["completion_tokens"], 6);
  EXPECT_EQ(plain["usage"]["total_tokens"],
            plain["usage"]["prompt_tokens"].get<int>() + 6);
  EXPECT_EQ(plain["choices"][0]["finish_reason"], "length");
  int status = 0;
  auto events = s.Stream("/v1/completions",
                         R"({"prompt":"Hello","max_tokens":6,"temperature":0,"stream":true,
                             "stream_options":{"include_usage":true}})",
                         &status);
  EXPECT_EQ(status, 200);
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.back(), "[DONE]");
  std::string text;
  Json usage;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    Json e = ParseJson(events[i]).value();
    if (e["choices"].empty()) {
      usage = e["usage"];
      continue;
    }
    text += e["choices"][0]["text"].get<std::string>();
  }
  EXPECT_EQ(text, plain["choices"][0]["text"].get<std::string>());
  EXPECT_EQ(usage["completion_tokens"], 6);
}

TEST(ServingServerTest, OpenAiChatCompletionsWithLogprobsAndStreaming) {
  Server s;
  Json r = s.PostJson("/v1/chat/completions",
                      R"({"model":"tiny-phi3","messages":[{"role":"user","content":"hi"}],
                          "max_tokens":4,"temperature":0,"logprobs":true,"top_logprobs":2})");
  EXPECT_EQ(r["object"], "chat.completion");
  EXPECT_EQ(r["choices"][0]["message"]["role"], "assistant");
  ASSERT_EQ(r["choices"][0]["logprobs"]["content"].size(), 4u);
  EXPECT_EQ(r["choices"][0]["logprobs"]["content"][0]["top_logprobs"].size(), 2u);
  int status = 0;
  auto events = s.Stream("/v1/chat/completions",
                         R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":4,
                             "temperature":0,"stream":true})",
                         &status);
  ASSERT_GE(events.size(), 2u);
  Json first = ParseJson(events[0]).value();
  EXPECT_EQ(first["choices"][0]["delta"]["role"], "assistant");
  std::string text, finish;
  for (size_t i = 1; i + 1 < events.size(); ++i) {
    Json e = ParseJson(events[i]).value();
    if (e["choices"][0]["delta"].contains("content")) {
      text += e["choices"][0]["delta"]["content"].get<std::string>();
    }
    if (!e["choices"][0]["finish_reason"].is_null()) finish = e["choices"][0]["finish_reason"];
  }
  EXPECT_EQ(text, r["choices"][0]["message"]["content"].get<std::string>());
  EXPECT_EQ(finish, "length");
  EXPECT_EQ(events.back(), "[DONE]");
}

TEST(ServingServerTest, ModelsListsAdaptersAndRequestsCanPickThem) {
  Server s({.adapter = true});
  Json models = ParseJson(s.Get("/v1/models").body).value();
  ASSERT_EQ(models["data"].size(), 2u);
  EXPECT_EQ(models["data"][0]["id"], "tiny-phi3");
  EXPECT_EQ(models["data"][1]["id"], "my-adapter");
  EXPECT_EQ(models["data"][1]["parent"], "tiny-phi3");
  auto ask = [&](const char* model) {
    return s.PostJson("/v1/completions", std::string(R"({"prompt":"Hello world","max_tokens":8,)") +
                                             R"("temperature":0,"model":")" + model + R"("})")["choices"][0]["text"];
  };
  EXPECT_NE(ask("tiny-phi3"), ask("my-adapter")) << "the adapter changes the output";
  Json unknown = s.PostJson("/v1/completions", R"({"model":"nope","prompt":"x"})", 404);
  EXPECT_EQ(unknown["error"]["message"], "The model `nope` does not exist.");
}

TEST(ServingServerTest, OpenAiBadRequestsGet4xxWithMessages) {
  Server s({.body_bytes_max = 4096});
  Json neg = s.PostJson("/v1/completions", R"({"prompt":"x","max_tokens":-1})", 400);
  EXPECT_NE(neg["error"]["message"].get<std::string>().find("max_tokens"), std::string::npos);
  EXPECT_EQ(neg["error"]["type"], "invalid_request_error");
  Json bad = s.PostJson("/v1/chat/completions", "{\"messages\": [", 400);
  EXPECT_NE(bad["error"]["message"].get<std::string>().find("JSON"), std::string::npos);
  Json over = s.PostJson("/v1/completions", R"({"prompt":"x","max_tokens":5000})", 400);
  EXPECT_NE(over["error"]["message"].get<std::string>().find("at most 1000"), std::string::npos);
  Json ctx = s.PostJson("/v1/completions",
                        Json{{"prompt", std::string(300, 'a')}, {"max_tokens", 300}}.dump(), 400);
  EXPECT_NE(ctx["error"]["message"].get<std::string>().find("maximum context length is 512"),
            std::string::npos);
  // Refused before any handler runs, yet in each API's own error shape.
  net::HttpResponse big = s.Post("/v1/completions", std::string(10000, ' '));
  EXPECT_EQ(big.status, 413);
  Json big_openai = ParseJson(big.body).value();
  EXPECT_EQ(big_openai["error"]["code"], 413) << big.body;
  EXPECT_NE(big_openai["error"]["message"].get<std::string>().find("exceeds 4096 bytes"),
            std::string::npos);
  net::HttpResponse big_chat = s.Post("/chat", std::string(10000, ' '));
  EXPECT_EQ(big_chat.status, 413);
  EXPECT_NE(ParseJson(big_chat.body).value()["detail"].dump().find("exceeds 4096 bytes"),
            std::string::npos)
      << big_chat.body;
}

TEST(ServingServerTest, FullQueueAnswers429WithRetryAfter) {
  Server s({.max_waiting = 0});
  net::HttpResponse r = s.Post("/v1/completions", R"({"prompt":"x"})");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Header("Retry-After"), "1");
  EXPECT_EQ(ParseJson(r.body).value()["error"]["type"], "rate_limit_error");
  EXPECT_EQ(s.Post("/chat", R"({"prompt":"x"})").status, 429);
}

// The engine never steps, so the requests cannot finish before the timeout: with it running,
// the tiny model could finish 400 tokens before the timer thread ran on a loaded machine.
TEST(ServingServerTest, RequestsPastTheTimeoutGet504) {
  Server s({.timeout = Duration(0), .engine_running = false});
  Json r = s.PostJson("/v1/completions", R"({"prompt":"x","max_tokens":400,"ignore_eos":true})", 504);
  EXPECT_NE(r["error"]["message"].get<std::string>().find("timeout"), std::string::npos);
  Json k = s.PostJson("/chat", R"({"prompt":"x","generate_kwargs":{"max_new_tokens":400}})", 504);
  EXPECT_TRUE(k["detail"].is_string());
}

// Polls /metrics (each poll is a real request, so no sleeping) until `want` appears.
bool MetricsEventually(Server& s, const std::string& want) {
  for (int i = 0; i < 5000; ++i) {
    if (s.Get("/metrics").body.find(want) != std::string::npos) return true;
  }
  return false;
}

TEST(ServingServerTest, ClientDisconnectAbortsTheStream) {
  Server s;
  int chunks = 0;
  Status st = s.client().Stream(
      "POST", "/v1/completions", {{"Content-Type", "application/json"}},
      R"({"prompt":"x","max_tokens":500,"ignore_eos":true,"stream":true})",
      [](const net::HttpResponse& h) { return h.status == 200; },
      [&](std::string_view) { return ++chunks < 2; },  // hang up after the first chunk
      std::chrono::seconds(30));
  EXPECT_TRUE(MetricsEventually(s, "finished_reason=\"abort\"} 1"));
}

TEST(ServingServerTest, GracefulShutdownFinishesInFlightRequests) {
  Server s;
  Json result;
  std::thread t([&] {
    auto c = net::HttpClient::Create(s.server().base_url());
    auto r = c.value()->Do("POST", "/v1/completions", {},
                           R"({"prompt":"x","max_tokens":300,"ignore_eos":true,"temperature":0})");
    result = ParseJson(r.value().body).value();
  });
  for (int i = 0; i < 1000000 && s.loop().in_flight() == 0; ++i) std::this_thread::yield();
  s.server().BeginShutdown();
  EXPECT_EQ(s.Post("/v1/completions", R"({"prompt":"y"})").status, 503);
  s.loop().Drain();
  t.join();
  EXPECT_EQ(result["usage"]["completion_tokens"], 300);
  EXPECT_EQ(result["choices"][0]["finish_reason"], "length");
}

TEST(ServingServerTest, MetricsCountFinishedRequests) {
  Server s;
  // ignore_eos: unseeded sampling from random weights may draw EOS within two tokens, which
  // would finish the request with "stop" (this test flaked about once in 50 runs without it).
  s.PostJson("/v1/completions", R"({"prompt":"x","max_tokens":2,"ignore_eos":true})");
  std::string m = s.Get("/metrics").body;
  EXPECT_NE(m.find("vllm:request_success_total{model_name=\"tiny-phi3\",finished_reason=\"length\"} 1"),
            std::string::npos) << m;
  EXPECT_NE(m.find("vllm:generation_tokens_total{model_name=\"tiny-phi3\"} 2"), std::string::npos);
  EXPECT_NE(m.find("vllm:time_to_first_token_seconds_count{model_name=\"tiny-phi3\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace kt::serving
