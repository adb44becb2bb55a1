// The request bodies of kaito-serve's HTTP APIs, parsed and validated into plain structs
// (no engine types), and the error every bad body gets.
//
//   Kaito  POST /chat                  {"prompt" | "messages", "generate_kwargs", "return_full_text"}
//   OpenAI POST /v1/completions        {"model", "prompt", "max_tokens", "stream", ...}
//   OpenAI POST /v1/chat/completions   {"model", "messages", "max_tokens", "stream", ...}
//
// Parsing never throws and never trusts the body: JSON nesting is bounded (base/json.h), wrong
// types and out-of-range values become a RequestError naming the field (its `loc` path, as
// FastAPI/pydantic reports validation errors for Kaito's /chat), and unsupported options
// (beam search, n with best_of, ...) are refused rather than ignored. Unknown keys are ignored,
// as both servers do. These functions are the libFuzzer target's entry points.
//
// Pure functions; thread-safe.
#ifndef KT_SERVING_HTTP_API_REQUESTS_H_
#define KT_SERVING_HTTP_API_REQUESTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "serving/tokenizer/chat_format.h"

namespace kt::serving {

struct RequestError {
  int http_status = 400;
  std::string message;
  std::vector<std::string> loc;  // field path, e.g. {"generate_kwargs", "max_length"}
  std::string type;              // pydantic-style error type: "type_error.integer", ...
};

// Sampling and stopping options common to both APIs (unset = the API's default).
struct GenerationOptions {
  std::optional<int64_t> max_tokens;  // new tokens
  std::optional<int64_t> min_tokens;
  std::optional<double> temperature;
  std::optional<int64_t> top_k;
  std::optional<double> top_p;
  std::optional<double> min_p;
  std::optional<double> repetition_penalty;
  std::optional<double> presence_penalty;
  std::optional<double> frequency_penalty;
  std::optional<uint64_t> seed;
  std::vector<std::string> stop;
  std::vector<int64_t> stop_token_ids;
  bool ignore_eos = false;
  bool include_stop_str_in_output = false;
  bool skip_special_tokens = true;
};

struct KaitoChatRequest {
  std::optional<std::string> prompt;
  std::optional<std::vector<ChatMessage>> messages;
  bool return_full_text = true;
  // generate_kwargs, transformers semantics
  int64_t max_length = 200;               // prompt + new tokens
  std::optional<int64_t> max_new_tokens;  // wins over max_length
  int64_t min_length = 0;
  std::optional<int64_t> min_new_tokens;
  bool do_sample = true;
  double temperature = 1.0;
  int64_t top_k = 10;
  double top_p = 1.0;
  double repetition_penalty = 1.0;
  std::optional<uint64_t> seed;
  std::vector<int64_t> eos_token_ids;  // generate_kwargs.eos_token_id
  std::vector<std::string> stop_strings;
};

struct CompletionRequest {
  std::string model;  // "" = the served model
  // One entry per prompt: text, or token ids when the client sent ids.
  std::vector<std::string> prompts;
  std::vector<std::vector<int64_t>> prompt_token_ids;
  int64_t n = 1;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  bool echo = false;
  std::optional<int64_t> logprobs;  // 0..20
  GenerationOptions gen;
};

struct ChatCompletionRequest {
  std::string model;
  std::vector<ChatMessage> messages;
  int64_t n = 1;
  bool stream = false;
  bool include_usage = false;
  bool logprobs = false;
  int64_t top_logprobs = 0;
  bool add_generation_prompt = true;
  GenerationOptions gen;
};

// Each returns nullopt and fills `out` on success.
std::optional<RequestError> ParseKaitoChatRequest(std::string_view body, KaitoChatRequest* out);
std::optional<RequestError> ParseCompletionRequest(std::string_view body, CompletionRequest* out);
std::optional<RequestError> ParseChatCompletionRequest(std::string_view body,
                                                       ChatCompletionRequest* out);

// Bounds the parsers enforce (units in the names).
inline constexpr int64_t kPromptsPerRequestMax = 64;
inline constexpr int64_t kChoicesPerRequestMax = 16;  // n
inline constexpr int64_t kMessagesPerRequestMax = 1024;

}  // namespace kt::serving

#endif  // KT_SERVING_HTTP_API_REQUESTS_H_
