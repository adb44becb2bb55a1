// OpenAI /v1/completions and /v1/chat/completions on the ServingServer (see serving_server.h).
#include "base/json.h"
#include "serving/http/error_responses.h"
#include "serving/http/serving_server.h"
#include "serving/tokenizer/utf8.h"

namespace kt::serving {

namespace {

Json FinishJson(const ChoiceState& c) {
  if (!c.finished) return nullptr;
  return std::string(FinishReasonName(c.reason));
}

std::string TokenText(const Tokenizer& t, int32_t id) {
  return t.Decode(std::vector<int32_t>{id}, false);
}

Json BytesJson(const Tokenizer& t, int32_t id) {
  Json b = Json::array();
  for (unsigned char c : t.DecodeBytes(std::vector<int32_t>{id}, false)) b.push_back(c);
  return b;
}

// Completions logprobs: tokens, token_logprobs, top_logprobs, text_offset.
Json CompletionLogprobs(const Tokenizer& t, const std::vector<SampledToken>& lps, size_t offset0) {
  Json tokens = Json::array(), lp = Json::array(), top = Json::array(), offsets = Json::array();
  size_t offset = offset0;
  for (const SampledToken& s : lps) {
    std::string text = TokenText(t, s.token);
    tokens.push_back(text);
    lp.push_back(s.logprob);
    Json m = Json::object();
    for (const auto& [id, v] : s.top) m[TokenText(t, id)] = v;
    top.push_back(s.top.empty() ? Json(nullptr) : m);
    offsets.push_back(offset);
    offset += text.size();
  }
  return {{"tokens", tokens}, {"token_logprobs", lp}, {"top_logprobs", top}, {"text_offset", offsets}};
}

// Chat logprobs: {"content": [{"token", "logprob", "bytes", "top_logprobs": [...]}]}.
Json ChatLogprobs(const Tokenizer& t, const std::vector<SampledToken>& lps) {
  Json content = Json::array();
  for (const SampledToken& s : lps) {
    Json top = Json::array();
    for (const auto& [id, v] : s.top) {
      top.push_back({{"token", TokenText(t, id)}, {"logprob", v}, {"bytes", BytesJson(t, id)}});
    }
    content.push_back({{"token", TokenText(t, s.token)},
                       {"logprob", s.logprob},
                       {"bytes", BytesJson(t, s.token)},
                       {"top_logprobs", top}});
  }
  return {{"content", content}};
}

// The first choice error, if any (a failed engine step).
const ChoiceState* FirstError(const Call& call) {
  for (const ChoiceState& c : call.choices()) {
    if (c.reason == FinishReason::kError) return &c;
  }
  return nullptr;
}

RequestError ChoiceError(const ChoiceState& c) {
  Status s(c.error_code == StatusCode::kOk ? StatusCode::kInternal : c.error_code, c.error);
  return ToRequestError(s);
}

}  // namespace

void ServingServer::HandleCompletions(const net::HttpRequest& req, std::shared_ptr<net::Exchange> ex) {
  CompletionRequest r;
  if (auto e = ParseCompletionRequest(req.body, &r)) return ex->Respond(OpenAiError(*e));
  std::string adapter;
  if (auto e = ResolveModel(r.model, &adapter)) return ex->Respond(OpenAiError(*e));
  const Engine& engine = loop_.load()->engine();
  const Tokenizer& tok = *engine.tokenizer();
  const std::string model = r.model.empty() ? options_.served_model_name : r.model;

  // Prompts as tokens (and text, for echo).
  std::vector<std::vector<int32_t>> prompts;
  std::vector<std::string> prompt_texts;
  for (const std::string& p : r.prompts) {
    if (p.empty()) return ex->Respond(OpenAiError({400, "prompt must not be empty", {"prompt"}, ""}));
    prompts.push_back(tok.Encode(p, true));
    prompt_texts.push_back(p);
  }
  for (const auto& ids : r.prompt_token_ids) {
    std::vector<int32_t> p;
    for (int64_t id : ids) {
      if (id < 0 || id >= engine.config().vocab_size) {
        return ex->Respond(OpenAiError(
            {400, "prompt token id " + std::to_string(id) + " is outside the vocabulary", {"prompt"}, ""}));
      }
      p.push_back(static_cast<int32_t>(id));
    }
    prompt_texts.push_back(tok.Decode(p, false));
    prompts.push_back(std::move(p));
  }
  const std::string id = NextId("cmpl");
  const int64_t created = NowUnixSeconds();
  std::vector<EngineRequest> requests;
  std::vector<size_t> prompt_of;
  for (size_t pi = 0; pi < prompts.size(); ++pi) {
    for (int64_t j = 0; j < r.n; ++j) {
      EngineRequest er;
      er.request_id = id + "-" + std::to_string(requests.size());
      er.prompt_tokens = prompts[pi];
      er.adapter = adapter;
      if (auto e = MakeParams(r.gen, static_cast<int64_t>(prompts[pi].size()), 16, &er.params)) {
        return ex->Respond(OpenAiError(*e));
      }
      if (er.params.seed && j > 0) er.params.seed = *er.params.seed + static_cast<uint64_t>(j);
      er.params.logprobs = r.logprobs ? static_cast<int32_t>(*r.logprobs) : -1;
      if (auto st = engine.Validate(er); !st.ok()) return ex->Respond(OpenAiError(ToRequestError(st)));
      requests.push_back(std::move(er));
      prompt_of.push_back(pi);
    }
  }
  auto call = std::make_shared<Call>(ex, requests.size(), r.stream);
  int64_t prompt_tokens = 0;
  for (const auto& p : prompts) prompt_tokens += static_cast<int64_t>(p.size());
  const Tokenizer* tp = &tok;
  auto chunk = [id, created, model](Json choices) {
    return "data: " +
           DumpJson(Json{{"id", id}, {"object", "text_completion"}, {"created", created},
                         {"model", model}, {"choices", std::move(choices)}}) +
           "\n\n";
  };
  auto usage = [prompt_tokens](const Call& c) {
    int64_t completion = 0;
    for (const ChoiceState& s : c.choices()) completion += s.completion_tokens;
    return Json{{"prompt_tokens", prompt_tokens},
                {"completion_tokens", completion},
                {"total_tokens", prompt_tokens + completion}};
  };
  if (r.stream) {
    const bool want_logprobs = r.logprobs.has_value();
    call->set_stream_events([chunk, tp, want_logprobs](int choice, const RequestOutput& out,
                                                       const ChoiceState& c) {
      std::vector<std::string> events;
      if (out.text.empty() && out.token_ids.empty() && !out.finished) return events;
      Json ch = {{"index", choice},
                 {"text", out.text},
                 {"logprobs", want_logprobs ? CompletionLogprobs(*tp, out.logprobs, 0) : Json(nullptr)},
                 {"finish_reason", FinishJson(c)},
                 {"stop_reason", nullptr}};
      events.push_back(chunk(Json::array({ch})));
      return events;
    });
    const bool include_usage = r.include_usage;
    call->set_finalize([chunk, usage, include_usage, id, created, model](Call& c) {
      if (const ChoiceState* err = FirstError(c)) {
        c.WriteEvent("data: " + OpenAiErrorJson(ChoiceError(*err)) + "\n\n");
      } else if (include_usage) {
        c.WriteEvent("data: " +
                     DumpJson(Json{{"id", id}, {"object", "text_completion"}, {"created", created},
                                   {"model", model}, {"choices", Json::array()}, {"usage", usage(c)}}) +
                     "\n\n");
      }
      c.WriteEvent("data: [DONE]\n\n");
    });
    if (r.echo) {
      for (size_t k = 0; k < requests.size(); ++k) {
        call->WriteEvent(chunk(Json::array({{{"index", k},
                                             {"text", prompt_texts[prompt_of[k]]},
                                             {"logprobs", nullptr},
                                             {"finish_reason", nullptr}}})));
      }
    }
  } else {
    const bool echo = r.echo;
    const bool want_logprobs = r.logprobs.has_value();
    call->set_finalize([=](Call& c) {
      if (const ChoiceState* err = FirstError(c)) return c.Respond(OpenAiError(ChoiceError(*err)));
      Json choices = Json::array();
      for (size_t k = 0; k < c.choices().size(); ++k) {
        const ChoiceState& s = c.choices()[k];
        std::string prefix = echo ? prompt_texts[prompt_of[k]] : "";
        choices.push_back({{"index", k},
                           {"text", prefix + s.text},
                           {"logprobs", want_logprobs ? CompletionLogprobs(*tp, s.logprobs, prefix.size())
                                                      : Json(nullptr)},
                           {"finish_reason", FinishJson(s)},
                           {"stop_reason", nullptr}});
      }
      c.Respond(net::HttpResponse::Json(
          200, DumpJson(Json{{"id", id}, {"object", "text_completion"}, {"created", created},
                             {"model", model}, {"choices", choices}, {"usage", usage(c)}})));
    });
  }
  if (auto e = SubmitAll(call, std::move(requests))) return ex->Respond(OpenAiError(*e));
  if (r.stream) call->OpenStream();
  ArmTimeout(call, true);
}

void ServingServer::HandleChatCompletions(const net::HttpRequest& req,
                                          std::shared_ptr<net::Exchange> ex) {
  ChatCompletionRequest r;
  if (auto e = ParseChatCompletionRequest(req.body, &r)) return ex->Respond(OpenAiError(*e));
  std::string adapter;
  if (auto e = ResolveModel(r.model, &adapter)) return ex->Respond(OpenAiError(*e));
  const Engine& engine = loop_.load()->engine();
  const Tokenizer& tok = *engine.tokenizer();
  const std::string model = r.model.empty() ? options_.served_model_name : r.model;
  if (chat_format_ == nullptr) {
    return ex->Respond(OpenAiError({400, "this model has no chat format", {}, ""}));
  }
  auto bos = tok.bos_id(), eos = tok.eos_id();
  std::string bos_text = bos ? tok.Decode(std::vector<int32_t>{*bos}, false) : "";
  std::string eos_text = eos ? tok.Decode(std::vector<int32_t>{*eos}, false) : "";
  auto text = RenderChat(*chat_format_, r.messages, r.add_generation_prompt, bos_text, eos_text);
  if (!text.ok()) return ex->Respond(OpenAiError(ToRequestError(text.status())));
  std::vector<int32_t> prompt = tok.Encode(text.value(), false);
  if (prompt.empty()) return ex->Respond(OpenAiError({400, "the rendered prompt is empty", {"messages"}, ""}));
  const int64_t remaining = engine.max_model_len() - static_cast<int64_t>(prompt.size());
  const int64_t default_max = std::max<int64_t>(1, std::min(remaining, options_.max_tokens_limit));
  const std::string id = NextId("chatcmpl");
  const int64_t created = NowUnixSeconds();
  std::vector<EngineRequest> requests;
  for (int64_t j = 0; j < r.n; ++j) {
    EngineRequest er;
    er.request_id = id + "-" + std::to_string(j);
    er.prompt_tokens = prompt;
    er.adapter = adapter;
    if (auto e = MakeParams(r.gen, static_cast<int64_t>(prompt.size()), default_max, &er.params)) {
      return ex->Respond(OpenAiError(*e));
    }
    if (er.params.seed && j > 0) er.params.seed = *er.params.seed + static_cast<uint64_t>(j);
    er.params.logprobs = r.logprobs ? static_cast<int32_t>(r.top_logprobs) : -1;
    if (auto st = engine.Validate(er); !st.ok()) return ex->Respond(OpenAiError(ToRequestError(st)));
    requests.push_back(std::move(er));
  }
  auto call = std::make_shared<Call>(ex, requests.size(), r.stream);
  const int64_t prompt_tokens = static_cast<int64_t>(prompt.size());
  const Tokenizer* tp = &tok;
  const bool want_logprobs = r.logprobs;
  auto usage = [prompt_tokens](const Call& c) {
    int64_t completion = 0;
    for (const ChoiceState& s : c.choices()) completion += s.completion_tokens;
    return Json{{"prompt_tokens", prompt_tokens},
                {"completion_tokens", completion},
                {"total_tokens", prompt_tokens + completion}};
  };
  auto chunk = [id, created, model](Json choices) {
    return "data: " +
           DumpJson(Json{{"id", id}, {"object", "chat.completion.chunk"}, {"created", created},
                         {"model", model}, {"choices", std::move(choices)}}) +
           "\n\n";
  };
  if (r.stream) {
    for (size_t k = 0; k < requests.size(); ++k) {
      call->WriteEvent(chunk(Json::array({{{"index", k},
                                           {"delta", {{"role", "assistant"}, {"content", ""}}},
                                           {"logprobs", nullptr},
                                           {"finish_reason", nullptr}}})));
    }
    call->set_stream_events([chunk, tp, want_logprobs](int choice, const RequestOutput& out,
                                                       const ChoiceState& c) {
      std::vector<std::string> events;
      if (out.text.empty() && !out.finished && (!want_logprobs || out.logprobs.empty())) return events;
      Json delta = Json::object();
      if (!out.text.empty()) delta["content"] = out.text;
      events.push_back(chunk(Json::array(
          {{{"index", choice},
            {"delta", delta},
            {"logprobs", want_logprobs ? ChatLogprobs(*tp, out.logprobs) : Json(nullptr)},
            {"finish_reason", FinishJson(c)}}})));
      return events;
    });
    const bool include_usage = r.include_usage;
    call->set_finalize([usage, include_usage, id, created, model](Call& c) {
      if (const ChoiceState* err = FirstError(c)) {
        c.WriteEvent("data: " + OpenAiErrorJson(ChoiceError(*err)) + "\n\n");
      } else if (include_usage) {
        c.WriteEvent("data: " +
                     DumpJson(Json{{"id", id}, {"object", "chat.completion.chunk"},
                                   {"created", created}, {"model", model},
                                   {"choices", Json::array()}, {"usage", usage(c)}}) +
                     "\n\n");
      }
      c.WriteEvent("data: [DONE]\n\n");
    });
  } else {
    call->set_finalize([=](Call& c) {
      if (const ChoiceState* err = FirstError(c)) return c.Respond(OpenAiError(ChoiceError(*err)));
      Json choices = Json::array();
      for (size_t k = 0; k < c.choices().size(); ++k) {
        const ChoiceState& s = c.choices()[k];
        choices.push_back({{"index", k},
                           {"message", {{"role", "assistant"}, {"content", s.text}}},
                           {"logprobs", want_logprobs ? ChatLogprobs(*tp, s.logprobs) : Json(nullptr)},
                           {"finish_reason", FinishJson(s)},
                           {"stop_reason", nullptr}});
      }
      c.Respond(net::HttpResponse::Json(
          200, DumpJson(Json{{"id", id}, {"object", "chat.completion"}, {"created", created},
                             {"model", model}, {"choices", choices}, {"usage", usage(c)}})));
    });
  }
  if (auto e = SubmitAll(call, std::move(requests))) return ex->Respond(OpenAiError(*e));
  if (r.stream) call->OpenStream();
  ArmTimeout(call, true);
}

}  // namespace kt::serving
