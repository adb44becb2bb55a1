#include "serving/http/api_requests.h"

#include <cmath>
#include <limits>

#include "base/json.h"

namespace kt::serving {

namespace {

// Typed, validated access to the fields of one JSON object. The first problem is kept (with
// its field path) and every later read returns nothing.
class Fields {
 public:
  Fields(const Json& obj, std::vector<std::string> path, int error_status)
      : obj_(obj), path_(std::move(path)), status_(error_status) {}

  bool failed() const { return error_.has_value(); }
  std::optional<RequestError> TakeError() { return std::move(error_); }

  void Fail(std::vector<std::string> loc, std::string msg, std::string type, int status = 0) {
    if (error_) return;
    RequestError e;
    e.http_status = status ? status : status_;
    e.loc = std::move(loc);
    std::string where;
    for (const std::string& l : e.loc) where += (where.empty() ? "" : ".") + l;
    e.message = where.empty() ? msg : where + ": " + msg;
    e.type = std::move(type);
    error_ = std::move(e);
  }
  void Fail(const char* key, std::string msg, std::string type, int status = 0) {
    Fail(Loc(key), std::move(msg), std::move(type), status);
  }

  std::vector<std::string> Loc(const char* key) const {
    std::vector<std::string> l = path_;
    l.push_back(key);
    return l;
  }

  // The value at `key`, or null when absent or JSON null.
  const Json* Get(const char* key) const {
    if (error_) return nullptr;
    auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  std::optional<int64_t> Int(const char* key, int64_t lo, int64_t hi) {
    const Json* v = Get(key);
    if (v == nullptr) return std::nullopt;
    int64_t x;
    if (v->is_number_integer()) {
      if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
        Fail(key, "value is too large", "value_error.number.not_le");
        return std::nullopt;
      }
      x = v->get<int64_t>();
    } else if (v->is_number_float() && std::isfinite(v->get<double>()) &&
               std::floor(v->get<double>()) == v->get<double>() &&
               std::abs(v->get<double>()) < 9e15) {
      x = static_cast<int64_t>(v->get<double>());
    } else {
      Fail(key, "value is not a valid integer", "type_error.integer");
      return std::nullopt;
    }
    if (x < lo) {
      Fail(key, "ensure this value is greater than or equal to " + std::to_string(lo) + " (got " +
                    std::to_string(x) + ")",
           "value_error.number.not_ge");
      return std::nullopt;
    }
    if (x > hi) {
      Fail(key, "ensure this value is less than or equal to " + std::to_string(hi) + " (got " +
                    std::to_string(x) + ")",
           "value_error.number.not_le");
      return std::nullopt;
    }
    return x;
  }

  std::optional<double> Number(const char* key, double lo, double hi) {
    const Json* v = Get(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number() || !std::isfinite(v->get<double>())) {
      Fail(key, "value is not a valid float", "type_error.float");
      return std::nullopt;
    }
    double x = v->get<double>();
    if (x < lo || x > hi) {
      char buf[128];
      std::snprintf(buf, sizeof buf, "ensure this value is in [%g, %g] (got %g)", lo, hi, x);
      Fail(key, buf, "value_error.number");
      return std::nullopt;
    }
    return x;
  }

  std::optional<bool> Bool(const char* key) {
    const Json* v = Get(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_boolean()) {
      Fail(key, "value could not be parsed to a boolean", "type_error.bool");
      return std::nullopt;
    }
    return v->get<bool>();
  }

  std::optional<std::string> String(const char* key) {
    const Json* v = Get(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) {
      Fail(key, "str type expected", "type_error.str");
      return std::nullopt;
    }
    return v->get<std::string>();
  }

  // A string or a list of strings (stop).
  std::vector<std::string> Strings(const char* key, size_t max) {
    std::vector<std::string> out;
    const Json* v = Get(key);
    if (v == nullptr) return out;
    if (v->is_string()) {
      out.push_back(v->get<std::string>());
    } else if (v->is_array()) {
      for (const Json& e : *v) {
        if (!e.is_string()) {
          Fail(key, "must be a string or a list of strings", "type_error.str");
          return {};
        }
        out.push_back(e.get<std::string>());
      }
    } else {
      Fail(key, "must be a string or a list of strings", "type_error.str");
      return {};
    }
    if (out.size() > max) {
      Fail(key, "at most " + std::to_string(max) + " entries are allowed", "value_error.list.max_items");
      return {};
    }
    for (const std::string& s : out) {
      if (s.empty()) {
        Fail(key, "entries must not be empty", "value_error");
        return {};
      }
    }
    return out;
  }

  // An integer or a list of integers (eos_token_id, stop_token_ids).
  std::vector<int64_t> Ints(const char* key, size_t max) {
    std::vector<int64_t> out;
    const Json* v = Get(key);
    if (v == nullptr) return out;
    auto one = [&](const Json& e) {
      if (!e.is_number_integer()) {
        Fail(key, "must be an integer or a list of integers", "type_error.integer");
        return false;
      }
      out.push_back(e.get<int64_t>());
      return true;
    };
    if (v->is_array()) {
      if (v->size() > max) {
        Fail(key, "at most " + std::to_string(max) + " entries are allowed", "value_error.list.max_items");
        return {};
      }
      for (const Json& e : *v) {
        if (!one(e)) return {};
      }
    } else if (!one(*v)) {
      return {};
    }
    return out;
  }

  std::optional<uint64_t> Seed(const char* key) {
    const Json* v = Get(key);
    if (v == nullptr) return std::nullopt;
    if (v->is_number_unsigned()) return v->get<uint64_t>();
    if (v->is_number_integer()) return static_cast<uint64_t>(v->get<int64_t>());
    Fail(key, "value is not a valid integer", "type_error.integer");
    return std::nullopt;
  }

 private:
  const Json& obj_;
  std::vector<std::string> path_;
  int status_;
  std::optional<RequestError> error_;
};

std::optional<RequestError> ParseBody(std::string_view body, Json* out, int status) {
  auto j = ParseJson(body);
  if (!j.ok()) {
    return RequestError{status, j.status().message(), {"body"}, "value_error.jsondecode"};
  }
  if (!j.value().is_object()) {
    return RequestError{status, "the request body must be a JSON object", {"body"}, "type_error.dict"};
  }
  *out = std::move(j).value();
  return std::nullopt;
}

// [{"role": ..., "content": "..." | [{"type": "text", "text": ...}] | null}]
std::optional<RequestError> ParseMessages(const Json& list, std::vector<ChatMessage>* out,
                                          int status, std::vector<std::string> loc) {
  if (!list.is_array()) return RequestError{status, loc.back() + ": value is not a valid list", loc, "type_error.list"};
  if (list.empty()) return RequestError{status, loc.back() + ": must not be empty", loc, "value_error"};
  if (static_cast<int64_t>(list.size()) > kMessagesPerRequestMax) {
    return RequestError{status, loc.back() + ": at most " + std::to_string(kMessagesPerRequestMax) + " messages", loc,
                        "value_error.list.max_items"};
  }
  for (size_t i = 0; i < list.size(); ++i) {
    std::vector<std::string> at = loc;
    at.push_back(std::to_string(i));
    const Json& m = list[i];
    if (!m.is_object()) {
      return RequestError{status, "messages[" + std::to_string(i) + "] is not an object", at, "type_error.dict"};
    }
    Fields f(m, at, status);
    ChatMessage msg;
    auto role = f.String("role");
    if (f.failed()) return f.TakeError();
    if (!role) {
      f.Fail("role", "field required", "value_error.missing");
      return f.TakeError();
    }
    if (*role != "system" && *role != "user" && *role != "assistant") {
      f.Fail("role", "role \"" + *role + "\" is not one of system, user, assistant", "value_error");
      return f.TakeError();
    }
    msg.role = *role;
    const Json* content = f.Get("content");
    if (content != nullptr) {
      if (content->is_string()) {
        msg.content = content->get<std::string>();
      } else if (content->is_array()) {
        for (const Json& part : *content) {
          if (!part.is_object() || GetString(part, "type") != "text" || !part.contains("text") ||
              !part["text"].is_string()) {
            f.Fail("content", "only text content parts ({\"type\": \"text\", \"text\": ...}) are supported",
                   "value_error");
            return f.TakeError();
          }
          msg.content += part["text"].get<std::string>();
        }
      } else {
        f.Fail("content", "str type expected", "type_error.str");
        return f.TakeError();
      }
    }
    out->push_back(std::move(msg));
  }
  return std::nullopt;
}

// OpenAI sampling fields shared by completions and chat completions.
void ParseOpenAiGeneration(Fields& f, GenerationOptions& g) {
  g.temperature = f.Number("temperature", 0, 2);
  g.top_p = f.Number("top_p", 0, 1);
  if (g.top_p && *g.top_p <= 0) f.Fail("top_p", "must be in (0, 1]", "value_error");
  g.top_k = f.Int("top_k", -1, 1 << 24);
  g.min_p = f.Number("min_p", 0, 1);
  g.presence_penalty = f.Number("presence_penalty", -2, 2);
  g.frequency_penalty = f.Number("frequency_penalty", -2, 2);
  g.repetition_penalty = f.Number("repetition_penalty", 0, 1e6);
  if (g.repetition_penalty && *g.repetition_penalty <= 0) {
    f.Fail("repetition_penalty", "must be greater than 0", "value_error");
  }
  g.seed = f.Seed("seed");
  g.stop = f.Strings("stop", 16);
  g.stop_token_ids = f.Ints("stop_token_ids", 64);
  g.min_tokens = f.Int("min_tokens", 0, 1 << 30);
  g.ignore_eos = f.Bool("ignore_eos").value_or(false);
  g.include_stop_str_in_output = f.Bool("include_stop_str_in_output").value_or(false);
  g.skip_special_tokens = f.Bool("skip_special_tokens").value_or(true);
  if (const Json* lb = f.Get("logit_bias"); lb != nullptr && !(lb->is_object() && lb->empty())) {
    f.Fail("logit_bias", "logit_bias is not supported", "value_error", 400);
  }
  for (const char* key : {"tools", "functions", "tool_choice", "function_call"}) {
    const Json* v = f.Get(key);
    if (v != nullptr && !(v->is_string() && v->get<std::string>() == "none") &&
        !(v->is_array() && v->empty())) {
      f.Fail(key, std::string(key) + " is not supported", "value_error", 400);
    }
  }
  if (const Json* rf = f.Get("response_format"); rf != nullptr && GetString(*rf, "type") != "text") {
    f.Fail("response_format", "only {\"type\": \"text\"} is supported", "value_error", 400);
  }
  if (auto best_of = f.Int("best_of", 1, kChoicesPerRequestMax); best_of && *best_of > 1) {
    f.Fail("best_of", "best_of > 1 is not supported", "value_error", 400);
  }
  if (f.Bool("use_beam_search").value_or(false)) {
    f.Fail("use_beam_search", "beam search is not supported", "value_error", 400);
  }
}

void ParseStreamOptions(Fields& f, bool stream, bool* include_usage) {
  const Json* so = f.Get("stream_options");
  if (so == nullptr) return;
  if (!so->is_object()) {
    f.Fail("stream_options", "value is not a valid dict", "type_error.dict");
    return;
  }
  if (!stream) {
    f.Fail("stream_options", "stream_options requires stream to be true", "value_error");
    return;
  }
  *include_usage = GetBool(*so, "include_usage", false);
}

}  // namespace

std::optional<RequestError> ParseKaitoChatRequest(std::string_view body, KaitoChatRequest* out) {
  constexpr int kStatus = 422;  // FastAPI's validation status
  Json j;
  if (auto e = ParseBody(body, &j, kStatus)) return e;
  Fields f(j, {"body"}, kStatus);
  out->prompt = f.String("prompt");
  if (const Json* m = f.Get("messages")) {
    out->messages.emplace();
    if (auto e = ParseMessages(*m, &*out->messages, kStatus, {"body", "messages"})) return e;
  }
  out->return_full_text = f.Bool("return_full_text").value_or(true);
  if (f.failed()) return f.TakeError();
  const Json* gk = f.Get("generate_kwargs");
  if (gk != nullptr) {
    if (!gk->is_object()) {
      f.Fail("generate_kwargs", "value is not a valid dict", "type_error.dict");
      return f.TakeError();
    }
    Fields g(*gk, {"body", "generate_kwargs"}, kStatus);
    out->max_length = g.Int("max_length", 1, 1 << 30).value_or(200);
    out->max_new_tokens = g.Int("max_new_tokens", 1, 1 << 30);
    out->min_length = g.Int("min_length", 0, 1 << 30).value_or(0);
    out->min_new_tokens = g.Int("min_new_tokens", 0, 1 << 30);
    out->do_sample = g.Bool("do_sample").value_or(true);
    out->temperature = g.Number("temperature", 0, 100).value_or(1.0);
    out->top_k = g.Int("top_k", 0, 1 << 24).value_or(10);
    out->top_p = g.Number("top_p", 0, 1).value_or(1.0);
    out->repetition_penalty = g.Number("repetition_penalty", 1e-6, 1e6).value_or(1.0);
    out->seed = g.Seed("seed");
    out->eos_token_ids = g.Ints("eos_token_id", 64);
    out->stop_strings = g.Strings("stop_strings", 16);
    if (out->top_p <= 0 && !g.failed()) g.Fail("top_p", "must be in (0, 1]", "value_error");
    if (auto beams = g.Int("num_beams", 1, 64); beams && *beams > 1) {
      g.Fail("num_beams", "beam search (num_beams > 1) is not supported", "value_error", 400);
    }
    if (auto n = g.Int("num_return_sequences", 1, 64); n && *n > 1) {
      g.Fail("num_return_sequences", "num_return_sequences > 1 is not supported", "value_error", 400);
    }
    if (auto tp = g.Number("typical_p", 0, 1); tp && *tp != 1.0) {
      g.Fail("typical_p", "typical_p is not supported", "value_error", 400);
    }
    for (const char* key : {"penalty_alpha", "diversity_penalty", "no_repeat_ngram_size",
                            "encoder_no_repeat_ngram_size", "bad_words_ids", "num_beam_groups"}) {
      const Json* v = g.Get(key);
      if (v != nullptr && !(v->is_number() && v->get<double>() == 0)) {
        g.Fail(key, std::string(key) + " is not supported", "value_error", 400);
      }
    }
    if (g.failed()) return g.TakeError();
  }
  return std::nullopt;
}

std::optional<RequestError> ParseCompletionRequest(std::string_view body, CompletionRequest* out) {
  Json j;
  if (auto e = ParseBody(body, &j, 400)) return e;
  Fields f(j, {}, 400);
  out->model = f.String("model").value_or("");
  const Json* p = f.Get("prompt");
  if (p == nullptr && !f.failed()) {
    f.Fail("prompt", "field required", "value_error.missing");
    return f.TakeError();
  }
  if (p != nullptr) {
    auto token_list = [&](const Json& a) -> std::optional<std::vector<int64_t>> {
      std::vector<int64_t> ids;
      for (const Json& t : a) {
        if (!t.is_number_integer()) return std::nullopt;
        ids.push_back(t.get<int64_t>());
      }
      return ids;
    };
    if (p->is_string()) {
      out->prompts.push_back(p->get<std::string>());
    } else if (p->is_array() && !p->empty() && (*p)[0].is_number_integer()) {
      auto ids = token_list(*p);
      if (!ids) {
        f.Fail("prompt", "a token-id prompt must hold only integers", "type_error.integer");
      } else {
        out->prompt_token_ids.push_back(std::move(*ids));
      }
    } else if (p->is_array() && !p->empty()) {
      for (const Json& e : *p) {
        if (e.is_string()) {
          out->prompts.push_back(e.get<std::string>());
        } else if (e.is_array() && !e.empty()) {
          auto ids = token_list(e);
          if (!ids) {
            f.Fail("prompt", "a token-id prompt must hold only integers", "type_error.integer");
            break;
          }
          out->prompt_token_ids.push_back(std::move(*ids));
        } else {
          f.Fail("prompt", "prompt entries must be strings or lists of token ids", "type_error");
          break;
        }
      }
      if (!out->prompts.empty() && !out->prompt_token_ids.empty()) {
        f.Fail("prompt", "mixing text and token-id prompts is not supported", "value_error");
      }
    } else {
      f.Fail("prompt", "prompt must be a string, a list of strings or a list of token ids",
             "type_error");
    }
    size_t count = out->prompts.size() + out->prompt_token_ids.size();
    if (!f.failed() && static_cast<int64_t>(count) > kPromptsPerRequestMax) {
      f.Fail("prompt", "at most " + std::to_string(kPromptsPerRequestMax) + " prompts per request",
             "value_error");
    }
  }
  out->gen.max_tokens = f.Int("max_tokens", std::numeric_limits<int64_t>::min(), 1ll << 40);
  if (out->gen.max_tokens && *out->gen.max_tokens < 1) {
    f.Fail("max_tokens", "max_tokens must be at least 1, got " + std::to_string(*out->gen.max_tokens),
           "value_error");
  }
  out->n = f.Int("n", 1, kChoicesPerRequestMax).value_or(1);
  out->stream = f.Bool("stream").value_or(false);
  ParseStreamOptions(f, out->stream, &out->include_usage);
  out->echo = f.Bool("echo").value_or(false);
  out->logprobs = f.Int("logprobs", 0, 20);
  if (const Json* s = f.Get("suffix"); s != nullptr) f.Fail("suffix", "suffix is not supported", "value_error");
  ParseOpenAiGeneration(f, out->gen);
  if (f.failed()) return f.TakeError();
  return std::nullopt;
}

std::optional<RequestError> ParseChatCompletionRequest(std::string_view body,
                                                       ChatCompletionRequest* out) {
  Json j;
  if (auto e = ParseBody(body, &j, 400)) return e;
  Fields f(j, {}, 400);
  out->model = f.String("model").value_or("");
  const Json* m = f.Get("messages");
  if (m == nullptr && !f.failed()) {
    f.Fail("messages", "field required", "value_error.missing");
    return f.TakeError();
  }
  if (f.failed()) return f.TakeError();
  if (auto e = ParseMessages(*m, &out->messages, 400, {"messages"})) return e;
  auto max_tokens = f.Int("max_completion_tokens", std::numeric_limits<int64_t>::min(), 1ll << 40);
  if (!max_tokens) max_tokens = f.Int("max_tokens", std::numeric_limits<int64_t>::min(), 1ll << 40);
  if (max_tokens && *max_tokens < 1) {
    f.Fail("max_tokens", "max_tokens must be at least 1, got " + std::to_string(*max_tokens), "value_error");
  }
  out->gen.max_tokens = max_tokens;
  out->n = f.Int("n", 1, kChoicesPerRequestMax).value_or(1);
  out->stream = f.Bool("stream").value_or(false);
  ParseStreamOptions(f, out->stream, &out->include_usage);
  out->logprobs = f.Bool("logprobs").value_or(false);
  out->top_logprobs = f.Int("top_logprobs", 0, 20).value_or(0);
  if (out->top_logprobs > 0 && !out->logprobs) {
    f.Fail("top_logprobs", "top_logprobs requires logprobs to be true", "value_error");
  }
  out->add_generation_prompt = f.Bool("add_generation_prompt").value_or(true);
  ParseOpenAiGeneration(f, out->gen);
  if (f.failed()) return f.TakeError();
  return std::nullopt;
}

}  // namespace kt::serving
