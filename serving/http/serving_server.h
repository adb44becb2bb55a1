// ServingServer: kaito-serve's HTTP front end over an EngineLoop.
//
// Routes (Kaito's transformers runtime v0.4.6 and vLLM's OpenAI server):
//   GET  /                      {"message": "Server is running"}
//   GET  /health, /healthz      {"status": "Healthy"}; 500 {"detail": "Model not initialized"}
//                               until the model is loaded (readiness/liveness probes)
//   POST /chat                  Kaito: prompt or messages, generate_kwargs -> {"Result": ...}
//   GET  /v1/models             the served model and its LoRA adapters
//   POST /v1/completions        OpenAI completions, streaming (SSE) or not, with usage
//   POST /v1/chat/completions   OpenAI chat completions, streaming (SSE) or not, with usage
//   GET  /metrics               Prometheus text, vLLM metric names
//
// Limits: request bodies over the HTTP server's body_bytes_max get 413; max_tokens above
// max_tokens_limit, prompts past the context and unsupported options get 400 with a message;
// a full queue gets 429 with Retry-After; requests running longer than request_timeout are
// aborted (504, or an SSE error event); while shutting down new requests get 503.
//
// Lifecycle: Start() listens at once (probes answer 500 while the model loads);
// SetEngine() makes it ready; BeginShutdown() refuses new work, and the caller drains the
// EngineLoop before Stop().
//
// Thread-safe: handlers run on the Env's io threads, engine outputs on the loop's thread.
#ifndef KT_SERVING_HTTP_SERVING_SERVER_H_
#define KT_SERVING_HTTP_SERVING_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "base/net/http_server.h"
#include "base/real_env.h"
#include "serving/engine/engine_loop.h"
#include "serving/http/api_requests.h"
#include "serving/http/call.h"
#include "serving/http/metrics.h"
#include "serving/tokenizer/chat_format.h"

namespace kt::serving {

struct ServingOptions {
  std::string served_model_name;  // the preset name, as Kaito's vLLM runtime serves it
  std::string chat_format;        // name in chat_formats.yaml
  int64_t max_tokens_limit = 8192;
  Duration request_timeout = std::chrono::seconds(600);
};

class ServingServer {
 public:
  ServingServer(RealEnv& env, ServingOptions options, net::HttpServerOptions http);
  ~ServingServer();

  Status Start();
  // The engine is loaded: requests are served from now on. `loop` must outlive Stop().
  // `kaito_adapter` names the adapter /chat applies ("" = the base model). Call once.
  void SetEngine(EngineLoop* loop, std::string kaito_adapter = "");
  void BeginShutdown();
  void Stop();

  uint16_t port() const { return http_.port(); }
  std::string base_url() const { return http_.base_url(); }
  const ServingMetrics& metrics() const { return metrics_; }

 private:
  void Handle(net::HttpRequest& req, std::shared_ptr<net::Exchange> ex);
  void HandleHealth(std::shared_ptr<net::Exchange> ex);
  void HandleModels(std::shared_ptr<net::Exchange> ex);
  void HandleMetrics(std::shared_ptr<net::Exchange> ex);
  void HandleKaitoChat(const net::HttpRequest& req, std::shared_ptr<net::Exchange> ex);
  void HandleCompletions(const net::HttpRequest& req, std::shared_ptr<net::Exchange> ex);
  void HandleChatCompletions(const net::HttpRequest& req, std::shared_ptr<net::Exchange> ex);

  // Resolves OpenAI's "model" to an adapter name ("" = base); 404 error when unknown.
  std::optional<RequestError> ResolveModel(const std::string& model, std::string* adapter) const;
  // Engine parameters from API options; `default_max_tokens` applies when unset.
  std::optional<RequestError> MakeParams(const GenerationOptions& g, int64_t prompt_len,
                                         int64_t default_max_tokens, SamplingParams* out) const;
  // Submits every request of a call; on the first refusal aborts those already submitted and
  // returns the error.
  std::optional<RequestError> SubmitAll(const std::shared_ptr<Call>& call,
                                        std::vector<EngineRequest> requests);
  void ArmTimeout(const std::shared_ptr<Call>& call, bool openai);
  std::string NextId(const char* prefix);
  int64_t NowUnixSeconds();

  RealEnv& env_;
  ServingOptions options_;
  net::HttpServer http_;
  ServingMetrics metrics_;
  std::string kaito_adapter_;  // written once before loop_ is published
  std::atomic<EngineLoop*> loop_{nullptr};
  std::atomic<bool> shutting_down_{false};
  std::atomic<uint64_t> next_id_{0};
  uint64_t id_salt_ = 0;
  const ChatFormat* chat_format_ = nullptr;
};

}  // namespace kt::serving

#endif  // KT_SERVING_HTTP_SERVING_SERVER_H_
