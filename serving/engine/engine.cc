#include "serving/engine/engine.h"

#include <algorithm>

#include "base/log.h"
#include "serving/tokenizer/utf8.h"

namespace kt::serving {

std::string_view FinishReasonName(FinishReason r) {
  switch (r) {
    case FinishReason::kNone:
      return "";
    case FinishReason::kStop:
      return "stop";
    case FinishReason::kLength:
      return "length";
    case FinishReason::kAbort:
      return "abort";
    case FinishReason::kError:
      return "error";
  }
  return "";
}

Result<std::unique_ptr<Engine>> Engine::Create(Env& env, std::unique_ptr<ModelBackend> backend,
                                               std::shared_ptr<const Tokenizer> tokenizer,
                                               EngineOptions options) {
  const ModelConfig& c = backend->config();
  if (options.max_model_len <= 0) {
    options.max_model_len = static_cast<int32_t>(c.max_position_embeddings);
  }
  if (options.max_model_len > c.max_position_embeddings) {
    return Invalid("max_model_len " + std::to_string(options.max_model_len) +
                   " exceeds the model's max_position_embeddings " +
                   std::to_string(c.max_position_embeddings));
  }
  if (options.max_num_seqs < 1 || options.max_waiting < 0) {
    return Invalid("max_num_seqs must be positive and max_waiting non-negative");
  }
  if (options.eos_token_ids.empty()) {
    for (int64_t id : c.eos_token_ids) options.eos_token_ids.push_back(static_cast<int32_t>(id));
  }
  KT_ASSIGN_OR_RETURN(Rope rope, Rope::Create(c, options.rope_policy));
  return std::unique_ptr<Engine>(
      new Engine(env, std::move(backend), std::move(tokenizer), std::move(options), std::move(rope)));
}

namespace {
SchedulerOptions MakeSchedulerOptions(const ModelBackend& b, const EngineOptions& o) {
  SchedulerOptions s;
  s.max_batch_tokens = b.max_batch_tokens();
  s.max_num_seqs = o.max_num_seqs;
  s.prefill_chunk_tokens = o.prefill_chunk_tokens;
  s.watermark_blocks = static_cast<int32_t>(o.watermark_fraction * b.num_kv_blocks());
  return s;
}
}  // namespace

Engine::Engine(Env& env, std::unique_ptr<ModelBackend> backend,
               std::shared_ptr<const Tokenizer> tokenizer, EngineOptions options, Rope rope)
    : env_(env),
      backend_(std::move(backend)),
      tokenizer_(std::move(tokenizer)),
      options_(std::move(options)),
      rope_(std::move(rope)),
      max_model_len_(options_.max_model_len),
      blocks_(backend_->num_kv_blocks(), backend_->block_size()),
      scheduler_(&blocks_, MakeSchedulerOptions(*backend_, options_)),
      sampler_(static_cast<int32_t>(backend_->config().vocab_size)) {}

int64_t Engine::kv_capacity_tokens() const {
  return static_cast<int64_t>(blocks_.num_blocks()) * blocks_.block_size();
}

Status Engine::AddAdapter(const std::string& name, const LoraAdapter& adapter, double strength) {
  if (name.empty()) return Invalid("adapter name must not be empty");
  if (adapters_.count(name)) return AlreadyExists("adapter \"" + name + "\" is already loaded");
  int32_t slot = static_cast<int32_t>(adapters_.size());
  if (slot >= backend_->adapter_slots()) {
    return Invalid("no free adapter slot (the backend has " +
                   std::to_string(backend_->adapter_slots()) + ")");
  }
  if (!(strength >= 0.0) || strength > 100.0) return Invalid("adapter strength must be in [0, 100]");
  KT_RETURN_IF_ERROR(backend_->LoadAdapter(slot, adapter));
  adapters_[name] = AdapterInfo{name, slot, strength, adapter.rank};
  // Folded into one scale per request: strength * alpha / r.
  adapters_[name].strength = strength;
  adapter_scaling_[name] = static_cast<float>(strength * adapter.scaling());
  return Status::Ok();
}

Status Engine::Validate(const EngineRequest& r) const {
  const int32_t vocab = static_cast<int32_t>(config().vocab_size);
  const int32_t prompt_len = static_cast<int32_t>(r.prompt_tokens.size());
  if (prompt_len == 0) return Invalid("the prompt must contain at least one token");
  for (int32_t id : r.prompt_tokens) {
    if (id < 0 || id >= vocab) {
      return Invalid("prompt token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                     std::to_string(vocab) + ")");
    }
  }
  KT_RETURN_IF_ERROR(r.params.Validate(vocab));
  if (!r.adapter.empty() && adapters_.count(r.adapter) == 0) {
    return NotFound("adapter \"" + r.adapter + "\" is not loaded");
  }
  const int64_t total = static_cast<int64_t>(prompt_len) + r.params.max_tokens;
  if (prompt_len >= max_model_len_ || total > max_model_len_) {
    return Invalid("This model's maximum context length is " + std::to_string(max_model_len_) +
                   " tokens. However, you requested " + std::to_string(total) + " tokens (" +
                   std::to_string(prompt_len) + " in the prompt, " +
                   std::to_string(r.params.max_tokens) +
                   " in the completion). Please reduce the length of the prompt or completion.");
  }
  if (total > kv_capacity_tokens()) {
    return Invalid("the request needs " + std::to_string(total) +
                   " tokens of KV cache but the cache holds " +
                   std::to_string(kv_capacity_tokens()) + "; reduce the prompt or max_tokens");
  }
  return Status::Ok();
}

Status Engine::AddRequest(EngineRequest r) {
  if (sequences_.count(r.request_id)) {
    return AlreadyExists("request id \"" + r.request_id + "\" is already in use");
  }
  KT_RETURN_IF_ERROR(Validate(r));
  const int32_t prompt_len = static_cast<int32_t>(r.prompt_tokens.size());
  int32_t slot = -1;
  float scale = 0.0f;
  if (!r.adapter.empty()) {
    slot = adapters_.at(r.adapter).slot;
    scale = adapter_scaling_.at(r.adapter);
  }
  if (static_cast<int32_t>(scheduler_.num_waiting()) >= options_.max_waiting) {
    return Status(StatusCode::kTooManyRequests,
                  "the server is at capacity: " + std::to_string(scheduler_.num_waiting()) +
                      " requests are waiting (limit " + std::to_string(options_.max_waiting) + ")")
        .WithRetryAfter(1);
  }
  auto seq = std::make_unique<Sequence>();
  seq->seq_id = next_seq_id_++;
  seq->request_id = r.request_id;
  seq->tokens = std::move(r.prompt_tokens);
  seq->prompt_len = prompt_len;
  seq->params = std::move(r.params);
  seq->seed = seq->params.seed ? *seq->params.seed : env_.Random("serving.engine.seed").Next();
  seq->lora_slot = slot;
  seq->lora_scale = scale;
  seq->arrival = env_.Now();
  if (tokenizer_) {
    seq->detokenizer = std::make_unique<IncrementalDetokenizer>(
        tokenizer_.get(), std::span<const int32_t>(seq->tokens), seq->params.skip_special_tokens);
  }
  stats_.prompt_tokens_total += static_cast<uint64_t>(prompt_len);
  scheduler_.AddWaiting(seq.get());
  sequences_[seq->request_id] = std::move(seq);
  return Status::Ok();
}

void Engine::Abort(const std::string& request_id) { aborted_.push_back(request_id); }

EngineStats Engine::Stats() const {
  EngineStats s = stats_;
  s.running = static_cast<int32_t>(scheduler_.num_running());
  s.waiting = static_cast<int32_t>(scheduler_.num_waiting());
  s.kv_cache_usage = blocks_.usage();
  s.kv_blocks_total = blocks_.num_blocks();
  s.kv_blocks_free = blocks_.free_blocks();
  return s;
}

RequestOutput Engine::OutputFor(const Sequence& seq) const {
  RequestOutput out;
  out.request_id = seq.request_id;
  out.prompt_tokens = seq.prompt_len;
  out.completion_tokens = seq.num_generated();
  out.num_preemptions = seq.num_preemptions;
  out.arrival = seq.arrival;
  out.first_token_time = seq.first_token_time;
  return out;
}

void Engine::BuildBatch(const SchedulerOutput& s) {
  batch_.Clear();
  int32_t width = 1;
  for (const ScheduledSequence& ss : s.scheduled) {
    width = std::max(width, static_cast<int32_t>(ss.seq->blocks.size()));
  }
  batch_.block_table_width = width;
  batch_.seq_start.push_back(0);
  for (const ScheduledSequence& ss : s.scheduled) {
    const Sequence& seq = *ss.seq;
    for (int32_t j = 0; j < ss.num_tokens; ++j) {
      const int32_t pos = seq.num_computed + j;
      batch_.token_ids.push_back(seq.tokens[pos]);
      batch_.positions.push_back(pos);
      batch_.rope_variant.push_back(rope_.VariantFor(pos, seq.prompt_len));
      batch_.slot_mapping.push_back(blocks_.SlotOf(seq.blocks, pos));
    }
    batch_.num_tokens += ss.num_tokens;
    batch_.seq_start.push_back(batch_.num_tokens);
    const int32_t ctx = seq.num_computed + ss.num_tokens;
    batch_.context_lens.push_back(ctx);
    batch_.max_context_len = std::max(batch_.max_context_len, ctx);
    for (int32_t b = 0; b < width; ++b) {
      batch_.block_tables.push_back(b < static_cast<int32_t>(seq.blocks.size()) ? seq.blocks[b] : -1);
    }
    batch_.lora_slot.push_back(seq.lora_slot);
    batch_.lora_scale.push_back(seq.lora_scale);
    if (ss.samples) batch_.logits_tokens.push_back(batch_.num_tokens - 1);
    ++batch_.num_seqs;
  }
}

void Engine::Finish(Sequence& seq, FinishReason reason, RequestOutput& out) {
  if (seq.detokenizer && reason != FinishReason::kError && reason != FinishReason::kAbort) {
    seq.text += seq.detokenizer->Flush();
  }
  if (seq.text_emitted < seq.text.size()) {
    out.text += seq.text.substr(seq.text_emitted);
    seq.text_emitted = seq.text.size();
  }
  out.finished = true;
  out.finish_reason = reason;
  out.completion_tokens = seq.num_generated();
}

bool Engine::Advance(Sequence& seq, const SampledToken& tok, RequestOutput& out) {
  const SamplingParams& p = seq.params;
  seq.tokens.push_back(tok.token);
  ++seq.output_counts[tok.token];
  ++stats_.generation_tokens_total;
  if (!seq.first_token_time) seq.first_token_time = env_.Now();
  out.first_token_time = seq.first_token_time;
  out.completion_tokens = seq.num_generated();
  out.token_ids.push_back(tok.token);
  if (p.logprobs >= 0) out.logprobs.push_back(tok);

  bool stop_token = std::find(p.stop_token_ids.begin(), p.stop_token_ids.end(), tok.token) !=
                    p.stop_token_ids.end();
  if (!p.ignore_eos) {
    stop_token = stop_token || std::find(options_.eos_token_ids.begin(), options_.eos_token_ids.end(),
                                         tok.token) != options_.eos_token_ids.end();
  }
  if (stop_token && seq.num_generated() > p.min_tokens - 1) {
    Finish(seq, FinishReason::kStop, out);
    return true;
  }
  size_t stop_len_max = 0;
  for (const std::string& s : p.stop) stop_len_max = std::max(stop_len_max, s.size());
  if (seq.detokenizer) {
    const size_t before = seq.text.size();
    seq.text += seq.detokenizer->Push(tok.token);
    if (stop_len_max > 0 && seq.text.size() > before) {
      const size_t from = before >= stop_len_max - 1 ? before - (stop_len_max - 1) : 0;
      size_t best = std::string::npos, best_len = 0;
      for (const std::string& s : p.stop) {
        size_t at = seq.text.find(s, from);
        if (at != std::string::npos && at < best) {
          best = at;
          best_len = s.size();
        }
      }
      if (best != std::string::npos) {
        seq.text.resize(p.include_stop_str_in_output ? best + best_len : best);
        if (seq.text_emitted > seq.text.size()) seq.text_emitted = seq.text.size();
        out.text += seq.text.substr(seq.text_emitted);
        seq.text_emitted = seq.text.size();
        out.finished = true;
        out.finish_reason = FinishReason::kStop;
        return true;
      }
    }
  }
  if (seq.num_generated() >= p.max_tokens || seq.num_tokens() >= max_model_len_) {
    Finish(seq, FinishReason::kLength, out);
    return true;
  }
  // Emit text that can no longer become part of a stop string.
  size_t upto = seq.text.size();
  if (stop_len_max > 0) upto = upto >= stop_len_max - 1 ? upto - (stop_len_max - 1) : 0;
  if (upto > seq.text_emitted) {
    upto = seq.text_emitted +
           CompleteUtf8Prefix(std::string_view(seq.text).substr(seq.text_emitted, upto - seq.text_emitted));
    out.text += seq.text.substr(seq.text_emitted, upto - seq.text_emitted);
    seq.text_emitted = upto;
  }
  return false;
}

std::vector<RequestOutput> Engine::Step() {
  std::vector<RequestOutput> outputs;
  for (const std::string& id : aborted_) {
    auto it = sequences_.find(id);
    if (it == sequences_.end()) continue;
    RequestOutput out = OutputFor(*it->second);
    Finish(*it->second, FinishReason::kAbort, out);
    scheduler_.Remove(it->second.get());
    sequences_.erase(it);
    outputs.push_back(std::move(out));
  }
  aborted_.clear();

  SchedulerOutput sched = scheduler_.Schedule();
  stats_.preemptions_total += sched.preempted.size();
  if (sched.empty()) return outputs;
  ++stats_.steps_total;
  stats_.batch_tokens_total += static_cast<uint64_t>(sched.num_tokens);
  BuildBatch(sched);
  std::vector<Sequence*> sampling;
  std::vector<std::vector<int32_t>> stop_ids;
  for (const ScheduledSequence& ss : sched.scheduled) {
    if (!ss.samples) continue;
    sampling.push_back(ss.seq);
    std::vector<int32_t> ids = ss.seq->params.stop_token_ids;
    if (!ss.seq->params.ignore_eos) {
      ids.insert(ids.end(), options_.eos_token_ids.begin(), options_.eos_token_ids.end());
    }
    stop_ids.push_back(std::move(ids));
  }
  // A backend that samples draws plain requests where the logits are; anything that needs the
  // logits themselves (logprobs, penalties, min-p, min_tokens) is drawn here.
  bool on_backend = backend_->samples();
  for (size_t i = 0; on_backend && i < sampling.size(); ++i) {
    on_backend = Sampler::DrawOnly(*sampling[i], stop_ids[i]);
  }
  std::vector<SampledToken> sampled;
  Status st;
  if (on_backend) {
    tokens_.resize(sampling.size());
    st = backend_->ForwardSample(batch_, Sampler::Rows(sampling), tokens_);
    if (st.ok()) {
      sampled.resize(sampling.size());
      for (size_t i = 0; i < sampling.size(); ++i) sampled[i].token = tokens_[i];
    }
  } else {
    logits_.resize(batch_.logits_tokens.size() * static_cast<size_t>(config().vocab_size));
    st = backend_->Forward(batch_, logits_);
  }
  if (st.ok()) {
    for (const ScheduledSequence& ss : sched.scheduled) ss.seq->num_computed += ss.num_tokens;
    if (!on_backend) st = sampler_.Sample(logits_, sampling, stop_ids, sampled);
    if (st.ok()) {
      for (size_t i = 0; i < sampling.size(); ++i) {
        Sequence& seq = *sampling[i];
        RequestOutput out = OutputFor(seq);
        if (Advance(seq, sampled[i], out)) {
          scheduler_.Remove(&seq);
          outputs.push_back(std::move(out));
          std::string id = seq.request_id;
          sequences_.erase(id);
        } else {
          outputs.push_back(std::move(out));
        }
      }
      return outputs;
    }
  }
  // A failed step fails the requests in it (their state is no longer trustworthy); the
  // engine keeps serving the others.
  KT_LOG(ERROR) << "engine step failed: " << st.ToString();
  for (const ScheduledSequence& ss : sched.scheduled) {
    RequestOutput out = OutputFor(*ss.seq);
    out.error = st.message();
    out.error_code = StatusCode::kInternal;
    Finish(*ss.seq, FinishReason::kError, out);
    scheduler_.Remove(ss.seq);
    outputs.push_back(std::move(out));
    std::string id = ss.seq->request_id;
    sequences_.erase(id);
  }
  return outputs;
}

}  // namespace kt::serving
