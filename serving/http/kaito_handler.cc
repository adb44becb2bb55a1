// Kaito's POST /chat on the ServingServer (see serving_server.h), with the semantics of Kaito's
// transformers runtime (presets/workspace/inference/text-generation/inference_api.py, v0.4.6):
//   * `prompt`: the text-generation pipeline. The prompt is tokenized with the model's special
//     tokens (BOS); generate_kwargs follow transformers' generate(): max_length counts prompt
//     plus new tokens (max_new_tokens wins), min_length likewise, do_sample=false is greedy,
//     top_k defaults to 10. The answer is {"Result": prompt + completion} with
//     return_full_text (the default), else the completion alone.
//   * `messages`: the chat template of the preset; the answer is {"Result": str(message)} with
//     message the generated {'role': 'assistant', 'content': ...}, as Python prints it.
//   * neither: 400 {"detail": "Text generation parameter prompt required"}.
// The adapters of the deployment apply (Kaito merges them weighted by strength).
#include "base/json.h"
#include "serving/http/error_responses.h"
#include "serving/http/py_repr.h"
#include "serving/http/serving_server.h"

namespace kt::serving {

void ServingServer::HandleKaitoChat(const net::HttpRequest& req, std::shared_ptr<net::Exchange> ex) {
  KaitoChatRequest r;
  if (auto e = ParseKaitoChatRequest(req.body, &r)) return ex->Respond(KaitoError(*e));
  const Engine& engine = loop_.load()->engine();
  const Tokenizer& tok = *engine.tokenizer();
  std::vector<int32_t> prompt;
  const bool chat = r.messages.has_value();
  if (chat) {
    if (chat_format_ == nullptr) {
      return ex->Respond(KaitoError({400, "Conversational pipeline is not available for this model", {}, ""}));
    }
    auto bos = tok.bos_id(), eos = tok.eos_id();
    auto text = RenderChat(*chat_format_, *r.messages, true,
                           bos ? tok.Decode(std::vector<int32_t>{*bos}, false) : "",
                           eos ? tok.Decode(std::vector<int32_t>{*eos}, false) : "");
    if (!text.ok()) return ex->Respond(KaitoError(ToRequestError(text.status())));
    prompt = tok.Encode(text.value(), false);
  } else if (r.prompt) {
    prompt = tok.Encode(*r.prompt, true);
  } else {
    return ex->Respond(KaitoError({400, "Text generation parameter prompt required", {}, ""}));
  }
  if (prompt.empty()) return ex->Respond(KaitoError({400, "the prompt is empty", {}, ""}));
  const int64_t prompt_len = static_cast<int64_t>(prompt.size());
  const int64_t max_len = engine.max_model_len();
  if (prompt_len >= max_len) {
    return ex->Respond(KaitoError(
        {400,
         "This model's maximum context length is " + std::to_string(max_len) +
             " tokens. However, your prompt has " + std::to_string(prompt_len) +
             " tokens. Please reduce the length of the prompt.",
         {},
         ""}));
  }
  GenerationOptions g;
  // transformers: max_length bounds prompt + new tokens; at least one token is generated.
  int64_t max_new = r.max_new_tokens ? *r.max_new_tokens : std::max<int64_t>(1, r.max_length - prompt_len);
  max_new = std::min(max_new, max_len - prompt_len);
  g.max_tokens = max_new;
  int64_t min_new = r.min_new_tokens ? *r.min_new_tokens : std::max<int64_t>(0, r.min_length - prompt_len);
  g.min_tokens = std::min(min_new, max_new);
  g.temperature = r.do_sample ? r.temperature : 0.0;
  g.top_k = r.top_k;
  g.top_p = r.top_p;
  g.repetition_penalty = r.repetition_penalty;
  g.seed = r.seed;
  g.stop = r.stop_strings;
  g.stop_token_ids = r.eos_token_ids;
  EngineRequest er;
  er.request_id = NextId("chat");
  er.prompt_tokens = prompt;
  er.adapter = kaito_adapter_;
  if (auto e = MakeParams(g, prompt_len, max_new, &er.params)) return ex->Respond(KaitoError(*e));
  if (auto st = engine.Validate(er); !st.ok()) return ex->Respond(KaitoError(ToRequestError(st)));

  auto call = std::make_shared<Call>(ex, 1, false);
  const std::string prompt_text = r.prompt.value_or("");
  const bool full = r.return_full_text && !chat;
  call->set_finalize([chat, full, prompt_text](Call& c) {
    const ChoiceState& s = c.choices()[0];
    if (s.reason == FinishReason::kError) {
      Status st(s.error_code == StatusCode::kOk ? StatusCode::kInternal : s.error_code, s.error);
      return c.Respond(KaitoError(ToRequestError(st)));
    }
    std::string result = chat ? PyReprMessage("assistant", s.text) : (full ? prompt_text + s.text : s.text);
    c.Respond(net::HttpResponse::Json(200, DumpJson(Json{{"Result", result}})));
  });
  std::vector<EngineRequest> requests;
  requests.push_back(std::move(er));
  if (auto e = SubmitAll(call, std::move(requests))) return ex->Respond(KaitoError(*e));
  ArmTimeout(call, false);
}

}  // namespace kt::serving
