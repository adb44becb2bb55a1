// Engine: the serving engine. Requests come in as token ids with SamplingParams; Step() runs
// one iteration (schedule, forward, sample, detokenize, check stops) and returns what each
// advanced request produced. There is no HTTP, JSON or thread inside: Step() is a plain call,
// which a RealEnv thread loops over in kaito-serve (engine_loop.h) and a SimEnv schedules as
// events in tests.
//
// Limits, each an expected failure with a message (never a crash): a prompt longer than the
// context (max_model_len) or than the KV cache can hold, prompt + max_tokens past either, more
// waiting requests than max_waiting (TooManyRequests), an unknown adapter (NotFound), a
// duplicate request id (AlreadyExists), invalid sampling parameters (Invalid).
//
// Adapters: AddAdapter loads a LoRA adapter into a backend slot under a name with a strength;
// requests pick it by name.
//
// Not thread-safe: one thread calls everything (EngineLoop serializes access).
#ifndef KT_SERVING_ENGINE_ENGINE_H_
#define KT_SERVING_ENGINE_ENGINE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "serving/engine/block_manager.h"
#include "serving/engine/model_backend.h"
#include "serving/engine/sampler.h"
#include "serving/engine/sampling_params.h"
#include "serving/engine/scheduler.h"
#include "serving/engine/sequence.h"
#include "serving/model/rope.h"
#include "serving/tokenizer/tokenizer.h"

namespace kt::serving {

struct EngineOptions {
  int32_t max_model_len = 0;  // 0: the model's max_position_embeddings
  int32_t max_num_seqs = 64;
  int32_t max_waiting = 256;
  int32_t prefill_chunk_tokens = 0;  // 0: the backend's max_batch_tokens
  double watermark_fraction = 0.01;  // blocks kept free when admitting new requests
  // Token ids that end generation (besides each request's own); default: config eos ids.
  std::vector<int32_t> eos_token_ids;
  LongRopePolicy rope_policy = LongRopePolicy::kTransformers;
};

struct EngineRequest {
  std::string request_id;
  std::vector<int32_t> prompt_tokens;
  SamplingParams params;
  std::string adapter;  // "" for the base model
};

enum class FinishReason { kNone, kStop, kLength, kAbort, kError };
std::string_view FinishReasonName(FinishReason r);  // "stop", "length", "abort", "error"

struct RequestOutput {
  std::string request_id;
  std::vector<int32_t> token_ids;      // generated this step
  std::vector<SampledToken> logprobs;  // parallel to token_ids when requested
  std::string text;                    // text delta this step
  bool finished = false;
  FinishReason finish_reason = FinishReason::kNone;
  std::string error;                   // kError only
  StatusCode error_code = StatusCode::kOk;
  int32_t prompt_tokens = 0;
  int32_t completion_tokens = 0;       // so far
  int32_t num_preemptions = 0;
  Time arrival;
  std::optional<Time> first_token_time;
};

struct EngineStats {
  int32_t running = 0;
  int32_t waiting = 0;
  double kv_cache_usage = 0;  // [0, 1]
  int32_t kv_blocks_total = 0;
  int32_t kv_blocks_free = 0;
  uint64_t preemptions_total = 0;
  uint64_t prompt_tokens_total = 0;      // prompt tokens of admitted requests
  uint64_t generation_tokens_total = 0;  // sampled tokens
  uint64_t steps_total = 0;
  uint64_t batch_tokens_total = 0;       // tokens forwarded (prefill + decode + recompute)
};

struct AdapterInfo {
  std::string name;
  int32_t slot = 0;
  double strength = 1.0;
  int rank = 0;
};

class Engine {
 public:
  // `tokenizer` may be null (no text output, no stop strings).
  static Result<std::unique_ptr<Engine>> Create(Env& env, std::unique_ptr<ModelBackend> backend,
                                                std::shared_ptr<const Tokenizer> tokenizer,
                                                EngineOptions options);

  Status AddAdapter(const std::string& name, const LoraAdapter& adapter, double strength);
  const std::map<std::string, AdapterInfo>& adapters() const { return adapters_; }

  // The checks of AddRequest that depend only on the request and the (immutable after
  // startup) model, adapters and limits: safe to call from another thread while Step() runs,
  // once no more adapters are being added.
  Status Validate(const EngineRequest& request) const;
  Status AddRequest(EngineRequest request);
  // Aborts a request (client gone, timeout): it ends with FinishReason::kAbort in the next
  // Step()'s outputs. Unknown ids are ignored.
  void Abort(const std::string& request_id);
  std::vector<RequestOutput> Step();

  bool HasUnfinished() const { return !sequences_.empty(); }
  EngineStats Stats() const;
  const ModelConfig& config() const { return backend_->config(); }
  const Tokenizer* tokenizer() const { return tokenizer_.get(); }
  int32_t max_model_len() const { return max_model_len_; }
  int32_t options_max_waiting() const { return options_.max_waiting; }
  // Tokens one sequence can ever hold in the cache.
  int64_t kv_capacity_tokens() const;
  ModelBackend& backend() { return *backend_; }

 private:
  Engine(Env& env, std::unique_ptr<ModelBackend> backend, std::shared_ptr<const Tokenizer> tokenizer,
         EngineOptions options, Rope rope);
  void BuildBatch(const SchedulerOutput& s);
  // Appends a sampled token; returns true when the sequence finished.
  bool Advance(Sequence& seq, const SampledToken& tok, RequestOutput& out);
  void Finish(Sequence& seq, FinishReason reason, RequestOutput& out);
  RequestOutput OutputFor(const Sequence& seq) const;

  Env& env_;
  std::unique_ptr<ModelBackend> backend_;
  std::shared_ptr<const Tokenizer> tokenizer_;
  EngineOptions options_;
  Rope rope_;
  int32_t max_model_len_;
  BlockManager blocks_;
  Scheduler scheduler_;
  Sampler sampler_;
  uint64_t next_seq_id_ = 1;
  std::map<std::string, std::unique_ptr<Sequence>> sequences_;  // by request id
  std::vector<std::string> aborted_;
  std::map<std::string, AdapterInfo> adapters_;
  std::map<std::string, float> adapter_scaling_;  // strength * alpha / r
  ForwardBatch batch_;
  std::vector<float> logits_;
  std::vector<int32_t> tokens_;  // drawn by the backend (ForwardSample)
  EngineStats stats_;
};

}  // namespace kt::serving

#endif  // KT_SERVING_ENGINE_ENGINE_H_
