#include "serving/http/serving_server.h"

#include "base/json.h"
#include "base/log.h"
#include "serving/http/error_responses.h"

namespace kt::serving {

namespace {

// A body over the limit is refused before any handler runs; answer it in the API's own error
// shape (Kaito's FastAPI detail for /chat, an OpenAI error object elsewhere).
net::HttpServerOptions WithApiShaped413(net::HttpServerOptions http) {
  if (!http.body_too_large) {
    http.body_too_large = [](std::string_view path, uint64_t limit) {
      RequestError e{413, "the request body exceeds " + std::to_string(limit) + " bytes",
                     {"body"}, "value_error"};
      return path == "/chat" ? KaitoError(e) : OpenAiError(e);
    };
  }
  return http;
}

}  // namespace

ServingServer::ServingServer(RealEnv& env, ServingOptions options, net::HttpServerOptions http)
    : env_(env),
      options_(std::move(options)),
      http_(env, WithApiShaped413(std::move(http)),
            [this](net::HttpRequest& req, std::shared_ptr<net::Exchange> ex) { Handle(req, std::move(ex)); }),
      metrics_(options_.served_model_name) {
  id_salt_ = env.Random("serving.http.ids").Next();
  auto f = FindChatFormat(options_.chat_format);
  chat_format_ = f.ok() ? f.value() : nullptr;
}

ServingServer::~ServingServer() { Stop(); }

Status ServingServer::Start() { return http_.Start(); }

void ServingServer::SetEngine(EngineLoop* loop, std::string kaito_adapter) {
  kaito_adapter_ = std::move(kaito_adapter);
  loop_.store(loop);  // publishes kaito_adapter_ too (seq_cst store / load)
}

void ServingServer::BeginShutdown() { shutting_down_.store(true); }

void ServingServer::Stop() { http_.Stop(); }

std::string ServingServer::NextId(const char* prefix) {
  uint64_t n = next_id_.fetch_add(1);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s-%016llx%08llx", prefix,
                static_cast<unsigned long long>(id_salt_),
                static_cast<unsigned long long>(n));
  return buf;
}

int64_t ServingServer::NowUnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(env_.Now().time_since_epoch()).count();
}

void ServingServer::Handle(net::HttpRequest& req, std::shared_ptr<net::Exchange> ex) {
  const std::string& p = req.path;
  auto method_not_allowed = [&] {
    ex->Respond(net::HttpResponse::Json(405, R"({"detail":"Method Not Allowed"})"));
  };
  if (p == "/" ) {
    if (req.method != "GET") return method_not_allowed();
    return ex->Respond(net::HttpResponse::Json(200, R"({"message":"Server is running"})"));
  }
  if (p == "/health" || p == "/healthz") {
    if (req.method != "GET") return method_not_allowed();
    return HandleHealth(std::move(ex));
  }
  if (p == "/metrics") {
    if (req.method != "GET") return method_not_allowed();
    return HandleMetrics(std::move(ex));
  }
  if (p == "/v1/models") {
    if (req.method != "GET") return method_not_allowed();
    return HandleModels(std::move(ex));
  }
  if (p == "/chat" || p == "/v1/completions" || p == "/v1/chat/completions") {
    if (req.method != "POST") return method_not_allowed();
    const bool kaito = p == "/chat";
    auto refuse = [&](int status, const std::string& msg) {
      RequestError e{status, msg, {}, ""};
      ex->Respond(kaito ? KaitoError(e) : OpenAiError(e));
    };
    if (loop_.load() == nullptr) {
      return refuse(kaito ? 500 : 503, kaito ? "Model not initialized" : "the model is still loading");
    }
    if (shutting_down_.load()) return refuse(503, "the server is shutting down");
    if (kaito) return HandleKaitoChat(req, std::move(ex));
    if (p == "/v1/completions") return HandleCompletions(req, std::move(ex));
    return HandleChatCompletions(req, std::move(ex));
  }
  ex->Respond(net::HttpResponse::Json(404, R"({"detail":"Not Found"})"));
}

void ServingServer::HandleHealth(std::shared_ptr<net::Exchange> ex) {
  if (loop_.load() == nullptr) {
    return ex->Respond(net::HttpResponse::Json(500, R"({"detail":"Model not initialized"})"));
  }
  ex->Respond(net::HttpResponse::Json(200, R"({"status":"Healthy"})"));
}

void ServingServer::HandleMetrics(std::shared_ptr<net::Exchange> ex) {
  EngineLoop* loop = loop_.load();
  EngineStats stats = loop ? loop->Stats() : EngineStats{};
  net::HttpResponse r = net::HttpResponse::Text(200, metrics_.Render(stats));
  r.SetHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  ex->Respond(std::move(r));
}

void ServingServer::HandleModels(std::shared_ptr<net::Exchange> ex) {
  EngineLoop* loop = loop_.load();
  const int64_t created = NowUnixSeconds();
  Json data = Json::array();
  Json base = {{"id", options_.served_model_name},
               {"object", "model"},
               {"created", created},
               {"owned_by", "kaito"},
               {"root", options_.served_model_name},
               {"parent", nullptr}};
  if (loop) base["max_model_len"] = loop->engine().max_model_len();
  data.push_back(base);
  if (loop) {
    for (const auto& [name, info] : loop->engine().adapters()) {
      if (name == kaito_adapter_) continue;  // internal: the merge /chat uses
      data.push_back({{"id", name},
                      {"object", "model"},
                      {"created", created},
                      {"owned_by", "kaito"},
                      {"root", name},
                      {"parent", options_.served_model_name}});
    }
  }
  ex->Respond(net::HttpResponse::Json(200, DumpJson(Json{{"object", "list"}, {"data", data}})));
}

std::optional<RequestError> ServingServer::ResolveModel(const std::string& model,
                                                        std::string* adapter) const {
  adapter->clear();
  if (model.empty() || model == options_.served_model_name) return std::nullopt;
  const auto& adapters = loop_.load()->engine().adapters();
  if (adapters.count(model) && model != kaito_adapter_) {
    *adapter = model;
    return std::nullopt;
  }
  return RequestError{404, "The model `" + model + "` does not exist.", {"model"}, ""};
}

std::optional<RequestError> ServingServer::MakeParams(const GenerationOptions& g, int64_t prompt_len,
                                                      int64_t default_max_tokens,
                                                      SamplingParams* p) const {
  const Engine& engine = loop_.load()->engine();
  const int64_t max_len = engine.max_model_len();
  if (prompt_len >= max_len) {
    return RequestError{400,
                        "This model's maximum context length is " + std::to_string(max_len) +
                            " tokens. However, your prompt has " + std::to_string(prompt_len) +
                            " tokens. Please reduce the length of the prompt.",
                        {},
                        ""};
  }
  int64_t max_tokens = g.max_tokens.value_or(default_max_tokens);
  if (max_tokens > options_.max_tokens_limit) {
    return RequestError{400,
                        "max_tokens must be at most " + std::to_string(options_.max_tokens_limit) +
                            " (the server's limit), got " + std::to_string(max_tokens),
                        {"max_tokens"},
                        ""};
  }
  p->max_tokens = static_cast<int32_t>(max_tokens);
  p->min_tokens = static_cast<int32_t>(g.min_tokens.value_or(0));
  p->temperature = static_cast<float>(g.temperature.value_or(1.0));
  p->top_p = static_cast<float>(g.top_p.value_or(1.0));
  p->top_k = static_cast<int32_t>(g.top_k.value_or(0));
  p->min_p = static_cast<float>(g.min_p.value_or(0.0));
  p->repetition_penalty = static_cast<float>(g.repetition_penalty.value_or(1.0));
  p->presence_penalty = static_cast<float>(g.presence_penalty.value_or(0.0));
  p->frequency_penalty = static_cast<float>(g.frequency_penalty.value_or(0.0));
  p->seed = g.seed;
  p->stop = g.stop;
  for (int64_t id : g.stop_token_ids) p->stop_token_ids.push_back(static_cast<int32_t>(id));
  p->ignore_eos = g.ignore_eos;
  p->include_stop_str_in_output = g.include_stop_str_in_output;
  p->skip_special_tokens = g.skip_special_tokens;
  return std::nullopt;
}

std::optional<RequestError> ServingServer::SubmitAll(const std::shared_ptr<Call>& call,
                                                     std::vector<EngineRequest> requests) {
  EngineLoop* loop = loop_.load();
  std::vector<std::string> ids;
  for (const EngineRequest& r : requests) ids.push_back(r.request_id);
  call->set_on_abort([loop, ids] {
    for (const std::string& id : ids) loop->Abort(id);
  });
  for (size_t i = 0; i < requests.size(); ++i) {
    struct TokenClock {
      bool first_seen = false;
      Time last;
    };
    auto clock = std::make_shared<TokenClock>();
    Status s = loop->Submit(std::move(requests[i]), [this, call, i, clock](const RequestOutput& out) {
      const Time now = env_.Now();
      if (!out.token_ids.empty()) {
        if (!clock->first_seen && out.first_token_time) {
          metrics_.ObserveFirstToken(ToSeconds(*out.first_token_time - out.arrival));
          clock->first_seen = true;
        } else if (clock->first_seen) {
          metrics_.ObserveInterToken(ToSeconds(now - clock->last));
        }
        clock->last = now;
      }
      if (out.finished && out.finish_reason != FinishReason::kError) {
        metrics_.ObserveFinished(out.finish_reason, ToSeconds(now - out.arrival), out.prompt_tokens,
                                 out.completion_tokens);
      }
      call->Deliver(i, out);
    });
    if (!s.ok()) {
      for (size_t k = 0; k < i; ++k) loop->Abort(ids[k]);
      return ToRequestError(s);
    }
  }
  return std::nullopt;
}

void ServingServer::ArmTimeout(const std::shared_ptr<Call>& call, bool openai) {
  std::weak_ptr<Call> weak = call;
  const Duration timeout = options_.request_timeout;
  Env::TimerId id = env_.Schedule(timeout, [weak, openai, timeout] {
    auto c = weak.lock();
    if (!c) return;
    RequestError e{504, "the request did not finish within the server's timeout of " +
                            std::to_string(static_cast<int64_t>(ToSeconds(timeout))) + " s",
                   {}, ""};
    c->Fail(504, e.message, [&] { return openai ? OpenAiError(e) : KaitoError(e); },
            [&] { return "data: " + OpenAiErrorJson(e) + "\n\n"; });
  });
  (void)id;  // the timer holds only a weak reference; it is harmless once the call is gone
}

}  // namespace kt::serving
