#include "serving/engine/cpu_model_backend.h"

#include <algorithm>
#include <cstring>

#include "kernels/cpu/cpu_ops.h"

namespace kt::serving {

namespace k = kernels;

namespace {

k::Tensor WeightView(const Tensor& t) {
  void* p = const_cast<void*>(t.data());
  if (t.rank() == 1) return k::MakeTensor(p, t.dtype(), {t.dim(0)});
  return k::MakeTensor(p, t.dtype(), {t.dim(0), t.dim(1)});
}

k::Tensor Rows(float* p, int64_t rows, int64_t cols) {
  return k::MakeTensor(p, k::DType::kF32, {rows, cols});
}

k::Tensor OptionalWeight(const Tensor& t) { return t.empty() ? k::Tensor{} : WeightView(t); }

Status Annotate(Status s, const char* what, int layer) {
  if (s.ok()) return s;
  return s.Annotate(std::string("cpu backend: ") + what + " (layer " + std::to_string(layer) + ")");
}

}  // namespace

uint64_t CpuModelBackend::RuntimeBytes(const ModelConfig& c, const CpuBackendOptions& o) {
  uint64_t kv = static_cast<uint64_t>(o.num_kv_blocks) * o.block_size *
                static_cast<uint64_t>(c.KvBytesPerToken(o.kv_dtype));
  uint64_t t = static_cast<uint64_t>(o.max_batch_tokens);
  uint64_t work = 4 * t * static_cast<uint64_t>(3 * c.hidden_size + c.qkv_size() + c.q_size() +
                                                3 * c.intermediate_size);
  uint64_t lora = 0;
  if (o.adapter_slots > 0) {
    uint64_t r = static_cast<uint64_t>(o.max_lora_rank);
    uint64_t per_layer = 3 * r * static_cast<uint64_t>(c.hidden_size + c.qkv_size()) +
                         r * static_cast<uint64_t>(c.q_size() + c.hidden_size) +
                         2 * r * static_cast<uint64_t>(c.hidden_size + 2 * c.intermediate_size) +
                         r * static_cast<uint64_t>(c.intermediate_size + c.hidden_size);
    lora = 4 * per_layer * static_cast<uint64_t>(c.num_layers) * o.adapter_slots;
  }
  return kv + work + lora;
}

Result<std::unique_ptr<CpuModelBackend>> CpuModelBackend::Create(ModelWeights weights,
                                                                 const CpuBackendOptions& o) {
  const ModelConfig& c = weights.config;
  if (c.rotary_dim() != c.head_dim) {
    return Invalid("partial rotary embeddings (partial_rotary_factor < 1) are not supported by "
                   "the kernels' Rope op");
  }
  if (o.num_kv_blocks < 1 || o.block_size < 1 || o.max_batch_tokens < 1 || o.adapter_slots < 0 ||
      o.max_lora_rank < 1) {
    return Invalid("cpu backend: num_kv_blocks, block_size, max_batch_tokens and max_lora_rank "
                   "must be positive");
  }
  if (o.kv_dtype != DType::kF32 && o.kv_dtype != DType::kBF16) {
    return Invalid("cpu backend: the KV cache dtype must be float32 or bfloat16");
  }
  KT_ASSIGN_OR_RETURN(Rope rope, Rope::Create(c));
  std::unique_ptr<CpuModelBackend> b(new CpuModelBackend(std::move(weights), o, std::move(rope)));
  return b;
}

CpuModelBackend::CpuModelBackend(ModelWeights weights, const CpuBackendOptions& o, Rope rope)
    : weights_(std::move(weights)), options_(o), rope_(std::move(rope)) {
  const ModelConfig& c = weights_.config;
  k::cpu::SetBlasThreads(o.blas_threads);
  const size_t layer_cache = static_cast<size_t>(o.num_kv_blocks) * o.block_size * c.kv_size() *
                             DTypeSize(o.kv_dtype);
  for (int64_t l = 0; l < c.num_layers; ++l) {
    k_cache_.emplace_back(new uint8_t[layer_cache]);
    v_cache_.emplace_back(new uint8_t[layer_cache]);
  }
  const size_t t = static_cast<size_t>(o.max_batch_tokens);
  x_.resize(t * c.hidden_size);
  residual_.resize(t * c.hidden_size);
  h_.resize(t * c.hidden_size);
  qkv_.resize(t * c.qkv_size());
  attn_.resize(t * c.q_size());
  gate_up_.resize(t * 2 * c.intermediate_size);
  mlp_.resize(t * c.intermediate_size);
  token_lora_slot_.resize(t);
  token_lora_scale_.resize(t);
  token_context_lens_.resize(t);
  if (o.adapter_slots > 0) {
    lora_.resize(static_cast<size_t>(c.num_layers));
    const int64_t in[kLoraOpCount] = {c.hidden_size, c.q_size(), c.hidden_size, c.intermediate_size};
    const int64_t out[kLoraOpCount] = {c.qkv_size(), c.hidden_size, 2 * c.intermediate_size,
                                       c.hidden_size};
    for (auto& layer : lora_) {
      for (int op = 0; op < kLoraOpCount; ++op) {
        LoraStack& s = layer[op];
        s.rank = static_cast<int64_t>(o.max_lora_rank) * LoraOpParts(op);
        s.a.assign(static_cast<size_t>(o.adapter_slots * s.rank * in[op]), 0.0f);
        s.b.assign(static_cast<size_t>(o.adapter_slots * out[op] * s.rank), 0.0f);
      }
    }
    lora_scratch_.resize(t * static_cast<size_t>(3 * o.max_lora_rank));
  }
}

Status CpuModelBackend::LoadAdapter(int32_t slot, const LoraAdapter& adapter) {
  const ModelConfig& c = weights_.config;
  if (slot < 0 || slot >= options_.adapter_slots) {
    return Invalid("adapter slot " + std::to_string(slot) + " outside [0, " +
                   std::to_string(options_.adapter_slots) + ")");
  }
  if (adapter.rank > options_.max_lora_rank) {
    return Invalid("adapter " + adapter.name + " has rank " + std::to_string(adapter.rank) +
                   " but the backend was sized for rank " + std::to_string(options_.max_lora_rank));
  }
  if (static_cast<int64_t>(adapter.layers.size()) != c.num_layers) {
    return Invalid("adapter " + adapter.name + " has " + std::to_string(adapter.layers.size()) +
                   " layers, the model " + std::to_string(c.num_layers));
  }
  const int64_t in[kLoraOpCount] = {c.hidden_size, c.q_size(), c.hidden_size, c.intermediate_size};
  const int64_t out[kLoraOpCount] = {c.qkv_size(), c.hidden_size, 2 * c.intermediate_size,
                                     c.hidden_size};
  for (int64_t layer = 0; layer < c.num_layers; ++layer) {
    for (int op = 0; op < kLoraOpCount; ++op) {
      LoraStack& s = lora_[layer][op];
      float* a = s.a.data() + slot * s.rank * in[op];
      float* b = s.b.data() + slot * out[op] * s.rank;
      std::fill(a, a + s.rank * in[op], 0.0f);
      std::fill(b, b + out[op] * s.rank, 0.0f);
      int64_t col = 0;  // next free rank column of the fused op
      for (const LoraSlice& sl : adapter.layers[layer][op]) {
        const int64_t r = sl.a.dim(0), rows = sl.b.dim(0);
        if (sl.a.dim(1) != in[op] || sl.b.dim(1) != r || sl.row_offset + rows > out[op] ||
            col + r > s.rank) {
          return Invalid("adapter " + adapter.name + ": module " + sl.module + " of layer " +
                         std::to_string(layer) + " does not fit the fused projection");
        }
        std::memcpy(a + col * in[op], sl.a.f32(), static_cast<size_t>(r * in[op]) * 4);
        for (int64_t i = 0; i < rows; ++i) {
          std::memcpy(b + (sl.row_offset + i) * s.rank + col, sl.b.f32() + i * r,
                      static_cast<size_t>(r) * 4);
        }
        col += r;
      }
    }
  }
  return Status::Ok();
}

Status CpuModelBackend::ApplyLora(int layer, int op, const float* x, int64_t in, float* y,
                                  int64_t out, int64_t ldy, int32_t tokens) {
  LoraStack& s = lora_[layer][op];
  const int64_t slots = options_.adapter_slots;
  k::LoraBgmvArgs a;
  a.x = Rows(const_cast<float*>(x), tokens, in);
  a.lora_a = k::MakeTensor(s.a.data(), k::DType::kF32, {slots, s.rank, in});
  a.lora_b = k::MakeTensor(s.b.data(), k::DType::kF32, {slots, out, s.rank});
  a.indices = k::MakeTensor(token_lora_slot_.data(), k::DType::kI32, {tokens});
  a.scales = k::MakeTensor(token_lora_scale_.data(), k::DType::kF32, {tokens});
  a.scratch = k::MakeTensor(lora_scratch_.data(), k::DType::kF32, {tokens, s.rank});
  a.y = k::MakeStridedTensor(y, k::DType::kF32, {tokens, out}, {ldy, 1});
  return k::cpu::LoraBgmv(a);
}

Status CpuModelBackend::Layer(int layer, const ForwardBatch& batch, bool any_lora) {
  const ModelConfig& c = weights_.config;
  const LayerWeights& w = weights_.layers[layer];
  const int32_t T = batch.num_tokens;
  const int64_t H = c.hidden_size, D = c.head_dim, Hq = c.num_heads, Hk = c.num_kv_heads;
  const int64_t QKV = c.qkv_size(), I = c.intermediate_size;

  // Residual add (of the previous sub-layer's output in x_) + input norm -> h_.
  k::RmsNormArgs norm;
  norm.x = Rows(x_.data(), T, H);
  norm.residual = Rows(residual_.data(), T, H);
  norm.weight = WeightView(w.input_norm);
  norm.out = Rows(h_.data(), T, H);
  norm.eps = static_cast<float>(c.rms_norm_eps);
  KT_RETURN_IF_ERROR(Annotate(k::cpu::RmsNorm(norm), "input norm", layer));

  k::GemmArgs qkv;
  qkv.x = Rows(h_.data(), T, H);
  qkv.w = WeightView(w.qkv);
  qkv.bias = OptionalWeight(w.qkv_bias);
  qkv.y = Rows(qkv_.data(), T, QKV);
  KT_RETURN_IF_ERROR(Annotate(k::cpu::Gemm(qkv), "qkv projection", layer));
  if (any_lora) {
    KT_RETURN_IF_ERROR(Annotate(ApplyLora(layer, kLoraQkv, h_.data(), H, qkv_.data(), QKV, QKV, T),
                                "qkv lora", layer));
  }

  // RoPE over runs of tokens sharing a frequency table.
  for (int32_t start = 0; start < T;) {
    int32_t end = start + 1;
    while (end < T && batch.rope_variant[end] == batch.rope_variant[start]) ++end;
    const int32_t n = end - start;
    k::RopeArgs rope;
    float* row = qkv_.data() + static_cast<int64_t>(start) * QKV;
    rope.q = k::MakeStridedTensor(row, k::DType::kF32, {n, Hq, D}, {QKV, D, 1});
    rope.k = k::MakeStridedTensor(row + c.q_size(), k::DType::kF32, {n, Hk, D}, {QKV, D, 1});
    rope.positions = k::MakeTensor(const_cast<int32_t*>(batch.positions.data()) + start,
                                   k::DType::kI32, {n});
    const std::vector<float>& inv = rope_.inv_freq(batch.rope_variant[start]);
    rope.inv_freq = k::MakeTensor(const_cast<float*>(inv.data()), k::DType::kF32,
                                  {static_cast<int64_t>(inv.size())});
    rope.mscale = rope_.mscale();
    KT_RETURN_IF_ERROR(Annotate(k::cpu::Rope(rope), "rope", layer));
    start = end;
  }

  const k::DType kv_dtype = options_.kv_dtype;
  const int64_t nb = options_.num_kv_blocks, bs = options_.block_size;
  k::Tensor k_cache = k::MakeTensor(k_cache_[layer].get(), kv_dtype, {nb, bs, Hk, D});
  k::Tensor v_cache = k::MakeTensor(v_cache_[layer].get(), kv_dtype, {nb, bs, Hk, D});
  k::KvAppendArgs append;
  append.k = k::MakeStridedTensor(qkv_.data() + c.q_size(), k::DType::kF32, {T, Hk, D}, {QKV, D, 1});
  append.v = k::MakeStridedTensor(qkv_.data() + c.q_size() + c.kv_size(), k::DType::kF32,
                                  {T, Hk, D}, {QKV, D, 1});
  append.slot_mapping = k::MakeTensor(const_cast<int32_t*>(batch.slot_mapping.data()),
                                      k::DType::kI32, {T});
  append.k_cache = k_cache;
  append.v_cache = v_cache;
  KT_RETURN_IF_ERROR(Annotate(k::cpu::KvAppend(append), "kv append", layer));

  // Every token is one query row over its sequence's cached tokens 0..position.
  k::AttentionDecodeArgs attn;
  attn.q = k::MakeStridedTensor(qkv_.data(), k::DType::kF32, {T, Hq, D}, {QKV, D, 1});
  attn.k_cache = k_cache;
  attn.v_cache = v_cache;
  attn.block_tables = k::MakeTensor(token_block_tables_.data(), k::DType::kI32,
                                    {T, batch.block_table_width});
  attn.context_lens = k::MakeTensor(token_context_lens_.data(), k::DType::kI32, {T});
  attn.out = k::MakeTensor(attn_.data(), k::DType::kF32, {T, Hq, D});
  attn.max_context_len = batch.max_context_len;
  if (c.sliding_window) {
    attn.window_left = static_cast<int>(std::min<int64_t>(*c.sliding_window - 1, 1 << 30));
  }
  KT_RETURN_IF_ERROR(Annotate(k::cpu::AttentionDecode(attn), "attention", layer));

  k::GemmArgs o;
  o.x = Rows(attn_.data(), T, c.q_size());
  o.w = WeightView(w.o);
  o.bias = OptionalWeight(w.o_bias);
  o.y = Rows(x_.data(), T, H);
  KT_RETURN_IF_ERROR(Annotate(k::cpu::Gemm(o), "o projection", layer));
  if (any_lora) {
    KT_RETURN_IF_ERROR(Annotate(ApplyLora(layer, kLoraO, attn_.data(), c.q_size(), x_.data(), H, H, T),
                                "o lora", layer));
  }

  norm.weight = WeightView(w.post_norm);
  KT_RETURN_IF_ERROR(Annotate(k::cpu::RmsNorm(norm), "post-attention norm", layer));

  k::GemmArgs gu;
  gu.x = Rows(h_.data(), T, H);
  gu.w = WeightView(w.gate_up);
  gu.bias = OptionalWeight(w.gate_up_bias);
  gu.y = Rows(gate_up_.data(), T, 2 * I);
  KT_RETURN_IF_ERROR(Annotate(k::cpu::Gemm(gu), "gate_up projection", layer));
  if (any_lora) {
    KT_RETURN_IF_ERROR(Annotate(
        ApplyLora(layer, kLoraGateUp, h_.data(), H, gate_up_.data(), 2 * I, 2 * I, T),
        "gate_up lora", layer));
  }
  k::SiluMulArgs act;
  act.gate_up = Rows(gate_up_.data(), T, 2 * I);
  act.out = Rows(mlp_.data(), T, I);
  KT_RETURN_IF_ERROR(Annotate(k::cpu::SiluMul(act), "silu_mul", layer));

  k::GemmArgs down;
  down.x = Rows(mlp_.data(), T, I);
  down.w = WeightView(w.down);
  down.bias = OptionalWeight(w.down_bias);
  down.y = Rows(x_.data(), T, H);
  KT_RETURN_IF_ERROR(Annotate(k::cpu::Gemm(down), "down projection", layer));
  if (any_lora) {
    KT_RETURN_IF_ERROR(Annotate(ApplyLora(layer, kLoraDown, mlp_.data(), I, x_.data(), H, H, T),
                                "down lora", layer));
  }
  return Status::Ok();
}

Status CpuModelBackend::Forward(const ForwardBatch& batch, std::span<float> logits) {
  const ModelConfig& c = weights_.config;
  const int32_t T = batch.num_tokens;
  const int64_t H = c.hidden_size, V = c.vocab_size;
  if (T < 1 || T > options_.max_batch_tokens) {
    return Invalid("cpu backend: batch of " + std::to_string(T) + " tokens outside [1, " +
                   std::to_string(options_.max_batch_tokens) + "]");
  }
  const size_t rows = batch.logits_tokens.size();
  if (logits.size() < rows * static_cast<size_t>(V)) {
    return Invalid("cpu backend: logits buffer too small");
  }
  // Per-token views of the per-sequence metadata.
  bool any_lora = false;
  token_block_tables_.resize(static_cast<size_t>(T) * batch.block_table_width);
  for (int32_t s = 0; s < batch.num_seqs; ++s) {
    for (int32_t t = batch.seq_start[s]; t < batch.seq_start[s + 1]; ++t) {
      int32_t slot = batch.lora_slot.empty() ? -1 : batch.lora_slot[s];
      if (slot >= options_.adapter_slots) {
        return Invalid("cpu backend: adapter slot " + std::to_string(slot) + " is not loaded");
      }
      token_lora_slot_[t] = slot;
      token_lora_scale_[t] = slot >= 0 ? batch.lora_scale[s] : 0.0f;
      any_lora = any_lora || slot >= 0;
      token_context_lens_[t] = batch.positions[t] + 1;
      std::copy_n(batch.block_tables.begin() + static_cast<int64_t>(s) * batch.block_table_width,
                  batch.block_table_width,
                  token_block_tables_.begin() + static_cast<int64_t>(t) * batch.block_table_width);
    }
  }

  k::EmbeddingArgs emb;
  emb.ids = k::MakeTensor(const_cast<int32_t*>(batch.token_ids.data()), k::DType::kI32, {T});
  emb.table = WeightView(weights_.embed);
  emb.out = Rows(x_.data(), T, H);
  KT_RETURN_IF_ERROR(Annotate(k::cpu::Embedding(emb), "embedding", -1));
  std::fill(residual_.begin(), residual_.begin() + static_cast<int64_t>(T) * H, 0.0f);

  for (int layer = 0; layer < c.num_layers; ++layer) {
    KT_RETURN_IF_ERROR(Layer(layer, batch, any_lora));
  }

  // Final residual add + norm, only for the rows whose logits are needed.
  const int32_t R = static_cast<int32_t>(rows);
  if (R == 0) return Status::Ok();
  std::vector<float> gx(static_cast<size_t>(R) * H), gres(static_cast<size_t>(R) * H),
      gh(static_cast<size_t>(R) * H);
  for (int32_t i = 0; i < R; ++i) {
    int32_t t = batch.logits_tokens[i];
    std::copy_n(x_.begin() + static_cast<int64_t>(t) * H, H, gx.begin() + static_cast<int64_t>(i) * H);
    std::copy_n(residual_.begin() + static_cast<int64_t>(t) * H, H,
                gres.begin() + static_cast<int64_t>(i) * H);
  }
  k::RmsNormArgs norm;
  norm.x = Rows(gx.data(), R, H);
  norm.residual = Rows(gres.data(), R, H);
  norm.weight = WeightView(weights_.final_norm);
  norm.out = Rows(gh.data(), R, H);
  norm.eps = static_cast<float>(c.rms_norm_eps);
  KT_RETURN_IF_ERROR(Annotate(k::cpu::RmsNorm(norm), "final norm", -1));
  k::GemmArgs head;
  head.x = Rows(gh.data(), R, H);
  head.w = WeightView(weights_.output_weight());
  head.y = Rows(logits.data(), R, V);
  return Annotate(k::cpu::Gemm(head), "lm_head", -1);
}

}  // namespace kt::serving
