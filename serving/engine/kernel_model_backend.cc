#include "serving/engine/kernel_model_backend.h"

#include <algorithm>
#include <cstring>

#include "kernels/cpu/cpu_ops.h"

namespace kt::serving {

namespace k = kernels;

namespace {

k::Tensor ViewOf(void* p, DType dtype, const std::vector<int64_t>& shape, k::MemorySpace space) {
  if (shape.size() == 1) return k::MakeTensor(p, dtype, {shape[0]}, space);
  return k::MakeTensor(p, dtype, {shape[0], shape[1]}, space);
}

int64_t Workspace(const ModelConfig& c) {
  return 4 * c.hidden_size + c.qkv_size() + c.q_size() + 3 * c.intermediate_size;
}

}  // namespace

ModelBackendOptions DefaultModelBackendOptions(k::BackendKind device) {
  ModelBackendOptions o;
  o.device = device;
  if (device == k::BackendKind::kCuda) {
    o.activation_dtype = DType::kBF16;
    o.kv_dtype = DType::kBF16;
  }
  return o;
}

uint64_t KernelModelBackend::RuntimeBytes(const ModelConfig& c, const ModelBackendOptions& o) {
  const uint64_t act = DTypeSize(o.activation_dtype);
  const uint64_t kv = static_cast<uint64_t>(o.num_kv_blocks) * o.block_size *
                      static_cast<uint64_t>(c.KvBytesPerToken(o.kv_dtype));
  const uint64_t t = static_cast<uint64_t>(o.max_batch_tokens);
  const uint64_t work = act * t * static_cast<uint64_t>(Workspace(c));
  uint64_t lora = 0;
  if (o.adapter_slots > 0) {
    const uint64_t r = static_cast<uint64_t>(o.max_lora_rank);
    const uint64_t per_layer =
        3 * r * static_cast<uint64_t>(c.hidden_size + c.qkv_size()) +
        r * static_cast<uint64_t>(c.q_size() + c.hidden_size) +
        2 * r * static_cast<uint64_t>(c.hidden_size + 2 * c.intermediate_size) +
        r * static_cast<uint64_t>(c.intermediate_size + c.hidden_size);
    lora = act * per_layer * static_cast<uint64_t>(c.num_layers) * o.adapter_slots +
           4 * t * 3 * r;
  }
  return kv + work + lora;
}

Result<std::unique_ptr<KernelModelBackend>> KernelModelBackend::Create(
    ModelWeights weights, const ModelBackendOptions& o) {
  k::BackendOptions bo;
  bo.cuda_device = o.cuda_device;
  KT_ASSIGN_OR_RETURN(auto kernels, k::CreateBackend(o.device, bo));
  return Create(std::move(kernels), std::move(weights), o);
}

Result<std::unique_ptr<KernelModelBackend>> KernelModelBackend::Create(
    std::unique_ptr<k::Backend> kernels, ModelWeights weights, const ModelBackendOptions& o) {
  const ModelConfig& c = weights.config;
  if (c.rotary_dim() != c.head_dim) {
    return Invalid("partial rotary embeddings (partial_rotary_factor < 1) are not supported by "
                   "the kernels' Rope op");
  }
  if (o.num_kv_blocks < 1 || o.block_size < 1 || o.max_batch_tokens < 1 || o.adapter_slots < 0 ||
      o.max_lora_rank < 1) {
    return Invalid("model backend: num_kv_blocks, block_size, max_batch_tokens and "
                   "max_lora_rank must be positive");
  }
  for (DType d : {o.kv_dtype, o.activation_dtype}) {
    if (d != DType::kF32 && d != DType::kBF16) {
      return Invalid("model backend: the KV cache and activation dtypes must be float32 or "
                     "bfloat16");
    }
  }
  if (kernels->memory_space() == k::MemorySpace::kDevice &&
      (o.activation_dtype != DType::kBF16 || o.kv_dtype != DType::kBF16)) {
    return Invalid(std::string("model backend: ") + std::string(kernels->name()) +
                   " runs bfloat16 activations and a bfloat16 KV cache (--kv-dtype bfloat16)");
  }
  KT_ASSIGN_OR_RETURN(Rope rope, Rope::Create(c));
  std::unique_ptr<KernelModelBackend> b(
      new KernelModelBackend(std::move(kernels), std::move(weights), o, std::move(rope)));
  KT_RETURN_IF_ERROR(b->Init());
  return b;
}

KernelModelBackend::KernelModelBackend(std::unique_ptr<k::Backend> kernels, ModelWeights weights,
                                       const ModelBackendOptions& o, Rope rope)
    : kernels_(std::move(kernels)),
      config_(weights.config),
      host_weights_(std::move(weights)),
      options_(o),
      rope_(std::move(rope)),
      space_(kernels_->memory_space()),
      act_(o.activation_dtype) {}

Result<k::Tensor> KernelModelBackend::Place(const Tensor& t) {
  if (t.empty()) return k::Tensor{};
  if (space_ == k::MemorySpace::kHost && (act_ == DType::kF32 || t.dtype() == act_)) {
    return ViewOf(const_cast<void*>(t.data()), t.dtype(), t.shape(), space_);
  }
  Tensor converted;
  const Tensor* src = &t;
  if (t.dtype() != act_) {
    converted = t.To(act_);
    src = &converted;
  }
  KT_ASSIGN_OR_RETURN(k::Buffer buf, kernels_->Allocate(src->nbytes()));
  KT_RETURN_IF_ERROR(kernels_->CopyToBackend(buf.data(), src->data(), src->nbytes()));
  k::Tensor view = ViewOf(buf.data(), act_, t.shape(), space_);
  weight_buffers_.push_back(std::move(buf));
  return view;
}

Result<k::Buffer> KernelModelBackend::AllocateRows(int64_t rows, int64_t cols, DType dtype) {
  return kernels_->Allocate(static_cast<size_t>(rows * cols) * DTypeSize(dtype));
}

Status KernelModelBackend::Init() {
  const ModelConfig& c = config_;
  const ModelBackendOptions& o = options_;
  if (space_ == k::MemorySpace::kHost) k::cpu::SetBlasThreads(o.blas_threads);

  KT_ASSIGN_OR_RETURN(embed_, Place(host_weights_.embed));
  KT_ASSIGN_OR_RETURN(final_norm_, Place(host_weights_.final_norm));
  if (host_weights_.lm_head.empty()) {
    lm_head_ = embed_;
  } else {
    KT_ASSIGN_OR_RETURN(lm_head_, Place(host_weights_.lm_head));
  }
  for (const LayerWeights& w : host_weights_.layers) {
    LayerViews v;
    KT_ASSIGN_OR_RETURN(v.input_norm, Place(w.input_norm));
    KT_ASSIGN_OR_RETURN(v.qkv, Place(w.qkv));
    KT_ASSIGN_OR_RETURN(v.qkv_bias, Place(w.qkv_bias));
    KT_ASSIGN_OR_RETURN(v.o, Place(w.o));
    KT_ASSIGN_OR_RETURN(v.o_bias, Place(w.o_bias));
    KT_ASSIGN_OR_RETURN(v.post_norm, Place(w.post_norm));
    KT_ASSIGN_OR_RETURN(v.gate_up, Place(w.gate_up));
    KT_ASSIGN_OR_RETURN(v.gate_up_bias, Place(w.gate_up_bias));
    KT_ASSIGN_OR_RETURN(v.down, Place(w.down));
    KT_ASSIGN_OR_RETURN(v.down_bias, Place(w.down_bias));
    layers_.push_back(v);
  }
  // Device copies stand alone: release the host weights.
  if (space_ == k::MemorySpace::kDevice) host_weights_ = ModelWeights{};

  for (int variant : {Rope::kShort, Rope::kLong}) {
    if (variant == Rope::kLong && !rope_.has_long()) break;
    const std::vector<float>& inv = rope_.inv_freq(variant);
    KT_ASSIGN_OR_RETURN(inv_freq_[variant], kernels_->Allocate(inv.size() * sizeof(float)));
    KT_RETURN_IF_ERROR(
        kernels_->CopyToBackend(inv_freq_[variant].data(), inv.data(), inv.size() * sizeof(float)));
  }

  // KV cache: not initialized (every slot is written by KvAppend before attention reads it),
  // so on the host a large cache costs address space, not time, until it fills.
  const int64_t cache_rows = static_cast<int64_t>(o.num_kv_blocks) * o.block_size;
  for (int64_t l = 0; l < c.num_layers; ++l) {
    KT_ASSIGN_OR_RETURN(k::Buffer kc, AllocateRows(cache_rows, c.kv_size(), o.kv_dtype));
    KT_ASSIGN_OR_RETURN(k::Buffer vc, AllocateRows(cache_rows, c.kv_size(), o.kv_dtype));
    k_cache_.push_back(std::move(kc));
    v_cache_.push_back(std::move(vc));
  }

  const int64_t t = o.max_batch_tokens;
  KT_ASSIGN_OR_RETURN(x_, AllocateRows(t, c.hidden_size, act_));
  KT_ASSIGN_OR_RETURN(residual_, AllocateRows(t, c.hidden_size, act_));
  KT_ASSIGN_OR_RETURN(h_, AllocateRows(t, c.hidden_size, act_));
  KT_ASSIGN_OR_RETURN(gathered_, AllocateRows(t, c.hidden_size, act_));
  KT_ASSIGN_OR_RETURN(qkv_, AllocateRows(t, c.qkv_size(), act_));
  KT_ASSIGN_OR_RETURN(attn_, AllocateRows(t, c.q_size(), act_));
  KT_ASSIGN_OR_RETURN(gate_up_, AllocateRows(t, 2 * c.intermediate_size, act_));
  KT_ASSIGN_OR_RETURN(mlp_, AllocateRows(t, c.intermediate_size, act_));

  if (o.adapter_slots > 0) {
    lora_.resize(static_cast<size_t>(c.num_layers));
    const int64_t in[kLoraOpCount] = {c.hidden_size, c.q_size(), c.hidden_size,
                                      c.intermediate_size};
    const int64_t out[kLoraOpCount] = {c.qkv_size(), c.hidden_size, 2 * c.intermediate_size,
                                       c.hidden_size};
    for (auto& layer : lora_) {
      for (int op = 0; op < kLoraOpCount; ++op) {
        LoraStack& s = layer[op];
        s.rank = static_cast<int64_t>(o.max_lora_rank) * LoraOpParts(op);
        s.in = in[op];
        s.out = out[op];
        KT_ASSIGN_OR_RETURN(s.a, AllocateRows(o.adapter_slots * s.rank, s.in, act_));
        KT_ASSIGN_OR_RETURN(s.b, AllocateRows(o.adapter_slots * s.out, s.rank, act_));
        KT_RETURN_IF_ERROR(kernels_->Memset(s.a.data(), 0, s.a.bytes()));
        KT_RETURN_IF_ERROR(kernels_->Memset(s.b.data(), 0, s.b.bytes()));
      }
    }
    KT_ASSIGN_OR_RETURN(lora_scratch_, AllocateRows(t, 3 * o.max_lora_rank, DType::kF32));
  }

  if (space_ == k::MemorySpace::kDevice) {
    // One token through every op, so a device that cannot run this model (a head dim or
    // dtype its kernels lack) fails here, at startup, rather than at the first request.
    ForwardBatch probe;
    probe.num_seqs = 1;
    probe.num_tokens = 1;
    probe.token_ids = {0};
    probe.positions = {0};
    probe.rope_variant = {Rope::kShort};
    probe.slot_mapping = {0};
    probe.seq_start = {0, 1};
    probe.context_lens = {1};
    probe.block_tables = {0};
    probe.block_table_width = 1;
    probe.logits_tokens = {0};
    probe.max_context_len = 1;
    std::vector<float> logits(static_cast<size_t>(c.vocab_size));
    KT_RETURN_IF_ERROR(Forward(probe, logits).Annotate("probing the model on " +
                                                       std::string(kernels_->name())));
  }
  return Status::Ok();
}

k::Tensor KernelModelBackend::Act(const k::Buffer& b, int64_t rows, int64_t cols) const {
  return k::MakeTensor(b.data(), act_, {rows, cols}, space_);
}

k::RmsNormArgs KernelModelBackend::ResidualNorm(int32_t tokens, const k::Tensor& weight) const {
  k::RmsNormArgs norm;
  norm.x = Act(x_, tokens, config_.hidden_size);
  norm.residual = Act(residual_, tokens, config_.hidden_size);
  norm.weight = weight;
  norm.out = Act(h_, tokens, config_.hidden_size);
  norm.eps = static_cast<float>(config_.rms_norm_eps);
  return norm;
}

k::Tensor KernelModelBackend::Strided(const k::Buffer& b, int64_t offset, DType dtype,
                                      std::initializer_list<int64_t> shape,
                                      std::initializer_list<int64_t> strides) const {
  char* p = static_cast<char*>(b.data()) + offset * static_cast<int64_t>(DTypeSize(dtype));
  return k::MakeStridedTensor(p, dtype, shape, strides, space_);
}

k::Tensor KernelModelBackend::Meta(int64_t offset, DType dtype,
                                   std::initializer_list<int64_t> shape) const {
  return k::MakeTensor(static_cast<int32_t*>(meta_.data()) + offset, dtype, shape, space_);
}

Status KernelModelBackend::Annotate(Status s, const char* what, int layer) const {
  if (s.ok()) return s;
  std::string where = std::string(kernels_->name()) + " backend: " + what;
  if (layer >= 0) where += " (layer " + std::to_string(layer) + ")";
  return s.Annotate(where);
}

Status KernelModelBackend::LoadAdapter(int32_t slot, const LoraAdapter& adapter) {
  const ModelConfig& c = config_;
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
  const size_t esize = DTypeSize(act_);
  std::vector<float> a, b;
  std::vector<uint8_t> packed;
  auto upload = [&](const k::Buffer& dst, int64_t offset, const std::vector<float>& v) {
    const void* src = v.data();
    if (act_ != DType::kF32) {
      packed.resize(v.size() * esize);
      ConvertFromF32(act_, v.data(), packed.data(), v.size());
      src = packed.data();
    }
    return kernels_->CopyToBackend(static_cast<char*>(dst.data()) + offset * esize, src,
                                   v.size() * esize);
  };
  for (int64_t layer = 0; layer < c.num_layers; ++layer) {
    for (int op = 0; op < kLoraOpCount; ++op) {
      const LoraStack& s = lora_[layer][op];
      a.assign(static_cast<size_t>(s.rank * s.in), 0.0f);
      b.assign(static_cast<size_t>(s.out * s.rank), 0.0f);
      int64_t col = 0;  // next free rank column of the fused op
      for (const LoraSlice& sl : adapter.layers[layer][op]) {
        const int64_t r = sl.a.dim(0), rows = sl.b.dim(0);
        if (sl.a.dim(1) != s.in || sl.b.dim(1) != r || sl.row_offset + rows > s.out ||
            col + r > s.rank) {
          return Invalid("adapter " + adapter.name + ": module " + sl.module + " of layer " +
                         std::to_string(layer) + " does not fit the fused projection");
        }
        std::memcpy(a.data() + col * s.in, sl.a.f32(), static_cast<size_t>(r * s.in) * 4);
        for (int64_t i = 0; i < rows; ++i) {
          std::memcpy(b.data() + (sl.row_offset + i) * s.rank + col, sl.b.f32() + i * r,
                      static_cast<size_t>(r) * 4);
        }
        col += r;
      }
      KT_RETURN_IF_ERROR(upload(s.a, slot * s.rank * s.in, a));
      KT_RETURN_IF_ERROR(upload(s.b, slot * s.out * s.rank, b));
    }
  }
  return Status::Ok();
}

Status KernelModelBackend::ApplyLora(int layer, int op, const k::Tensor& x, const k::Tensor& y,
                                     int32_t tokens) {
  const LoraStack& s = lora_[layer][op];
  const int64_t slots = options_.adapter_slots;
  k::LoraBgmvArgs a;
  a.x = x;
  a.lora_a = k::MakeTensor(s.a.data(), act_, {slots, s.rank, s.in}, space_);
  a.lora_b = k::MakeTensor(s.b.data(), act_, {slots, s.out, s.rank}, space_);
  a.indices = Meta(layout_.lora_slot, DType::kI32, {tokens});
  a.scales = Meta(layout_.lora_scale, DType::kF32, {tokens});
  a.scratch = k::MakeTensor(lora_scratch_.data(), DType::kF32, {tokens, s.rank}, space_);
  a.y = y;
  return kernels_->LoraBgmv(a);
}

Status KernelModelBackend::Projection(int layer, int lora_op, const char* name,
                                      const k::Tensor& x, const k::Tensor& w,
                                      const k::Tensor& bias, const k::Tensor& y, bool any_lora) {
  k::GemmArgs g;
  g.x = x;
  g.w = w;
  g.bias = bias;
  g.y = y;
  // Names are built only on failure (this runs four times per layer per step).
  if (Status s = kernels_->Gemm(g); !s.ok()) {
    return Annotate(s, (std::string(name) + " projection").c_str(), layer);
  }
  if (!any_lora) return Status::Ok();
  if (Status s = ApplyLora(layer, lora_op, x, y, static_cast<int32_t>(x.dim(0))); !s.ok()) {
    return Annotate(s, (std::string(name) + " lora").c_str(), layer);
  }
  return Status::Ok();
}

Status KernelModelBackend::Layer(int layer, const ForwardBatch& batch, bool any_lora) {
  const ModelConfig& c = config_;
  const LayerViews& w = layers_[layer];
  const int32_t T = batch.num_tokens;
  const int64_t H = c.hidden_size, D = c.head_dim, Hq = c.num_heads, Hk = c.num_kv_heads;
  const int64_t QKV = c.qkv_size(), I = c.intermediate_size;

  // Residual add (of the previous sub-layer's output in x_) + input norm -> h_.
  KT_RETURN_IF_ERROR(
      Annotate(kernels_->RmsNorm(ResidualNorm(T, w.input_norm)), "input norm", layer));

  KT_RETURN_IF_ERROR(Projection(layer, kLoraQkv, "qkv", Act(h_, T, H), w.qkv, w.qkv_bias,
                                Act(qkv_, T, QKV), any_lora));

  // RoPE over runs of tokens sharing a frequency table.
  for (int32_t start = 0; start < T;) {
    int32_t end = start + 1;
    while (end < T && batch.rope_variant[end] == batch.rope_variant[start]) ++end;
    const int32_t n = end - start;
    const int variant = batch.rope_variant[start];
    k::RopeArgs rope;
    const int64_t row = static_cast<int64_t>(start) * QKV;
    rope.q = Strided(qkv_, row, act_, {n, Hq, D}, {QKV, D, 1});
    rope.k = Strided(qkv_, row + c.q_size(), act_, {n, Hk, D}, {QKV, D, 1});
    rope.positions = Meta(layout_.positions + start, DType::kI32, {n});
    rope.inv_freq = k::MakeTensor(inv_freq_[variant].data(), DType::kF32,
                                  {static_cast<int64_t>(rope_.inv_freq(variant).size())}, space_);
    rope.mscale = rope_.mscale();
    KT_RETURN_IF_ERROR(Annotate(kernels_->Rope(rope), "rope", layer));
    start = end;
  }

  const int64_t nb = options_.num_kv_blocks, bs = options_.block_size;
  const DType kv = options_.kv_dtype;
  const k::Tensor k_cache = k::MakeTensor(k_cache_[layer].data(), kv, {nb, bs, Hk, D}, space_);
  const k::Tensor v_cache = k::MakeTensor(v_cache_[layer].data(), kv, {nb, bs, Hk, D}, space_);
  k::KvAppendArgs append;
  append.k = Strided(qkv_, c.q_size(), act_, {T, Hk, D}, {QKV, D, 1});
  append.v = Strided(qkv_, c.q_size() + c.kv_size(), act_, {T, Hk, D}, {QKV, D, 1});
  append.slot_mapping = Meta(layout_.slot_mapping, DType::kI32, {T});
  append.k_cache = k_cache;
  append.v_cache = v_cache;
  KT_RETURN_IF_ERROR(Annotate(kernels_->KvAppend(append), "kv append", layer));

  // Every token is one query row over its sequence's cached tokens 0..position.
  k::AttentionDecodeArgs attn;
  attn.q = Strided(qkv_, 0, act_, {T, Hq, D}, {QKV, D, 1});
  attn.k_cache = k_cache;
  attn.v_cache = v_cache;
  attn.block_tables = Meta(layout_.block_tables, DType::kI32, {T, batch.block_table_width});
  attn.context_lens = Meta(layout_.context_lens, DType::kI32, {T});
  attn.out = k::MakeTensor(attn_.data(), act_, {T, Hq, D}, space_);
  attn.max_context_len = batch.max_context_len;
  if (c.sliding_window) {
    attn.window_left = static_cast<int>(std::min<int64_t>(*c.sliding_window - 1, 1 << 30));
  }
  KT_RETURN_IF_ERROR(Annotate(kernels_->AttentionDecode(attn), "attention", layer));

  KT_RETURN_IF_ERROR(Projection(layer, kLoraO, "o", Act(attn_, T, c.q_size()), w.o, w.o_bias,
                                Act(x_, T, H), any_lora));

  KT_RETURN_IF_ERROR(
      Annotate(kernels_->RmsNorm(ResidualNorm(T, w.post_norm)), "post-attention norm", layer));

  KT_RETURN_IF_ERROR(Projection(layer, kLoraGateUp, "gate_up", Act(h_, T, H), w.gate_up,
                                w.gate_up_bias, Act(gate_up_, T, 2 * I), any_lora));
  k::SiluMulArgs act;
  act.gate_up = Act(gate_up_, T, 2 * I);
  act.out = Act(mlp_, T, I);
  KT_RETURN_IF_ERROR(Annotate(kernels_->SiluMul(act), "silu_mul", layer));

  KT_RETURN_IF_ERROR(Projection(layer, kLoraDown, "down", Act(mlp_, T, I), w.down, w.down_bias,
                                Act(x_, T, H), any_lora));
  return Status::Ok();
}

Result<bool> KernelModelBackend::PackMetadata(const ForwardBatch& batch,
                                              const RowSampling* sampling) {
  const int64_t T = batch.num_tokens, W = batch.block_table_width;
  const int64_t R = static_cast<int64_t>(batch.logits_tokens.size());
  MetaLayout& m = layout_;
  m.token_ids = 0;
  m.positions = T;
  m.slot_mapping = 2 * T;
  m.context_lens = 3 * T;
  m.lora_slot = 4 * T;
  m.lora_scale = 5 * T;
  m.logits_tokens = 6 * T;
  m.block_tables = 6 * T + R;
  const int64_t S = sampling != nullptr ? R : 0;
  m.sample_seed = (m.block_tables + T * W + 1) / 2 * 2;
  m.sample_offset = m.sample_seed + 2 * S;
  m.sample_temperature = m.sample_offset + 2 * S;
  m.sample_top_k = m.sample_temperature + S;
  m.sample_top_p = m.sample_top_k + S;
  m.sample_tokens = m.sample_top_p + S;
  m.total = m.sample_tokens + S;
  meta_host_.resize(static_cast<size_t>(m.total));
  int32_t* h = meta_host_.data();
  if (S > 0) {
    std::memcpy(h + m.sample_seed, sampling->seed.data(), S * sizeof(int64_t));
    std::memcpy(h + m.sample_offset, sampling->offset.data(), S * sizeof(int64_t));
    std::memcpy(h + m.sample_temperature, sampling->temperature.data(), S * sizeof(float));
    std::memcpy(h + m.sample_top_k, sampling->top_k.data(), S * sizeof(int32_t));
    std::memcpy(h + m.sample_top_p, sampling->top_p.data(), S * sizeof(float));
  }
  std::copy_n(batch.token_ids.begin(), T, h + m.token_ids);
  std::copy_n(batch.positions.begin(), T, h + m.positions);
  std::copy_n(batch.slot_mapping.begin(), T, h + m.slot_mapping);
  std::copy_n(batch.logits_tokens.begin(), R, h + m.logits_tokens);
  // Per-token views of the per-sequence metadata.
  bool any_lora = false;
  for (int32_t s = 0; s < batch.num_seqs; ++s) {
    const int32_t slot = batch.lora_slot.empty() ? -1 : batch.lora_slot[s];
    if (slot >= options_.adapter_slots) {
      return Invalid(std::string(kernels_->name()) + " backend: adapter slot " +
                     std::to_string(slot) + " is not loaded");
    }
    const float scale = slot >= 0 ? batch.lora_scale[s] : 0.0f;
    any_lora = any_lora || slot >= 0;
    for (int32_t t = batch.seq_start[s]; t < batch.seq_start[s + 1]; ++t) {
      h[m.lora_slot + t] = slot;
      std::memcpy(h + m.lora_scale + t, &scale, sizeof(float));
      h[m.context_lens + t] = batch.positions[t] + 1;
      std::copy_n(batch.block_tables.begin() + static_cast<int64_t>(s) * W, W,
                  h + m.block_tables + static_cast<int64_t>(t) * W);
    }
  }
  const size_t bytes = static_cast<size_t>(m.total) * sizeof(int32_t);
  if (bytes > meta_.bytes()) {
    meta_ = k::Buffer();
    KT_ASSIGN_OR_RETURN(meta_, kernels_->Allocate(bytes + bytes / 2));
  }
  KT_RETURN_IF_ERROR(kernels_->CopyToBackend(meta_.data(), meta_host_.data(), bytes));
  return any_lora;
}

Status KernelModelBackend::RunLayers(const ForwardBatch& batch, const RowSampling* sampling) {
  const ModelConfig& c = config_;
  const int32_t T = batch.num_tokens;
  const int64_t H = c.hidden_size;
  if (T < 1 || T > options_.max_batch_tokens) {
    return Invalid(std::string(kernels_->name()) + " backend: batch of " + std::to_string(T) +
                   " tokens outside [1, " + std::to_string(options_.max_batch_tokens) + "]");
  }
  KT_ASSIGN_OR_RETURN(bool any_lora, PackMetadata(batch, sampling));

  k::EmbeddingArgs emb;
  emb.ids = Meta(layout_.token_ids, DType::kI32, {T});
  emb.table = embed_;
  emb.out = Act(x_, T, H);
  KT_RETURN_IF_ERROR(Annotate(kernels_->Embedding(emb), "embedding", -1));
  KT_RETURN_IF_ERROR(
      kernels_->Memset(residual_.data(), 0, static_cast<size_t>(T * H) * DTypeSize(act_)));

  for (int layer = 0; layer < c.num_layers; ++layer) {
    KT_RETURN_IF_ERROR(Layer(layer, batch, any_lora));
  }
  return Status::Ok();
}

Status KernelModelBackend::Forward(const ForwardBatch& batch, std::span<float> logits) {
  const size_t rows = batch.logits_tokens.size();
  if (logits.size() < rows * static_cast<size_t>(config_.vocab_size)) {
    return Invalid(std::string(kernels_->name()) + " backend: logits buffer too small");
  }
  KT_RETURN_IF_ERROR(RunLayers(batch, nullptr));
  return Logits(batch.num_tokens, static_cast<int32_t>(rows), logits);
}

Status KernelModelBackend::ForwardSample(const ForwardBatch& batch, const RowSampling& sampling,
                                         std::span<int32_t> tokens) {
  const int32_t R = static_cast<int32_t>(batch.logits_tokens.size());
  const size_t r = static_cast<size_t>(R);
  if (tokens.size() < r || sampling.temperature.size() != r || sampling.top_k.size() != r ||
      sampling.top_p.size() != r || sampling.seed.size() != r || sampling.offset.size() != r) {
    return Invalid(std::string(kernels_->name()) +
                   " backend: sampling inputs and tokens need one entry per logits row");
  }
  KT_RETURN_IF_ERROR(RunLayers(batch, &sampling));
  if (R == 0) return Status::Ok();
  const MetaLayout& m = layout_;
  k::SampleArgs a;
  KT_ASSIGN_OR_RETURN(a.logits, HeadLogits(batch.num_tokens, R));
  a.temperature = Meta(m.sample_temperature, DType::kF32, {R});
  a.top_k = Meta(m.sample_top_k, DType::kI32, {R});
  a.top_p = Meta(m.sample_top_p, DType::kF32, {R});
  a.seed = Meta(m.sample_seed, DType::kI64, {R});
  a.offset = Meta(m.sample_offset, DType::kI64, {R});
  a.out_tokens = Meta(m.sample_tokens, DType::kI32, {R});
  KT_RETURN_IF_ERROR(Annotate(kernels_->Sample(a), "sample", -1));
  return kernels_->CopyToHost(tokens.data(), a.out_tokens.data, r * sizeof(int32_t));
}

Result<k::Tensor> KernelModelBackend::HeadLogits(int32_t T, int32_t R) {
  const ModelConfig& c = config_;
  const int64_t H = c.hidden_size, V = c.vocab_size;
  // Final residual add + norm (row-wise, so normalising every row and then gathering the
  // needed ones equals gathering first), then the rows whose logits are needed.
  KT_RETURN_IF_ERROR(Annotate(kernels_->RmsNorm(ResidualNorm(T, final_norm_)), "final norm", -1));
  k::GemmArgs head;
  head.w = lm_head_;
  bool identity = R == T;
  for (int32_t i = 0; identity && i < R; ++i) {
    identity = meta_host_[layout_.logits_tokens + i] == i;
  }
  if (identity) {
    head.x = Act(h_, R, H);
  } else {
    k::EmbeddingArgs gather;
    gather.ids = Meta(layout_.logits_tokens, DType::kI32, {R});
    gather.table = Act(h_, T, H);
    gather.out = Act(gathered_, R, H);
    KT_RETURN_IF_ERROR(Annotate(kernels_->Embedding(gather), "gathering logits rows", -1));
    head.x = gather.out;
  }
  const size_t bytes = static_cast<size_t>(R) * V * DTypeSize(act_);
  if (bytes > logits_.bytes()) {
    logits_ = k::Buffer();
    KT_ASSIGN_OR_RETURN(logits_, kernels_->Allocate(bytes));
  }
  head.y = Act(logits_, R, V);
  KT_RETURN_IF_ERROR(Annotate(kernels_->Gemm(head), "lm_head", -1));
  return head.y;
}

Status KernelModelBackend::Logits(int32_t T, int32_t R, std::span<float> logits) {
  if (R == 0) return Status::Ok();
  KT_ASSIGN_OR_RETURN(k::Tensor y, HeadLogits(T, R));
  const size_t n = static_cast<size_t>(R) * config_.vocab_size;
  const size_t bytes = n * DTypeSize(act_);
  if (act_ == DType::kF32) return kernels_->CopyToHost(logits.data(), y.data, bytes);
  logits_host_.resize(n);
  KT_RETURN_IF_ERROR(kernels_->CopyToHost(logits_host_.data(), y.data, bytes));
  ConvertToF32(act_, logits_host_.data(), logits.data(), n);
  return Status::Ok();
}

}  // namespace kt::serving
