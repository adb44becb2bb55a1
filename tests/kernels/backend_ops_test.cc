// The backend comparison (llama.cpp's test-backend-ops pattern): every op of the backend under
// test, over shapes and options, against the CPU reference, on the same fresh random inputs
// (never zeros; outputs start as random garbage so an op that skips a write is caught).
//   * float outputs: normalised MSE below a per-case bound, and no NaN/Inf the reference lacks;
//   * integer outputs (sampled tokens): exact;
//   * every operand lives between guard bytes on the backend, checked after the op;
//   * a combination the backend does not implement (Unsupported) skips, it does not fail.
// Built twice: against the CPU backend itself (runs everywhere: proves the cases and the
// harness), and against CUDA (label `gpu`, default and portable-kernel variants; skips cleanly
// without a device). The seed is printed; KT_KERNELS_TEST_SEED=<n> reruns one.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/cpu/cpu_backend.h"
#include "kernels/registry.h"
#include "kernels/rope.h"
#include "tests/kernels/host_tensor.h"

#ifndef KT_BACKEND_UNDER_TEST
#define KT_BACKEND_UNDER_TEST "cpu"
#endif
// Test names must differ between the two binaries (ctest registers them by name).
#ifndef KT_BACKEND_SUITE
#define KT_BACKEND_SUITE CpuOps
#endif
#ifndef KT_BACKEND_SELF_TEST
#define KT_BACKEND_SELF_TEST 0
#endif

namespace kt::kernels {
namespace {

using testing::HostTensor;

constexpr size_t kGuardBytes = 256;
constexpr unsigned char kGuardByte = 0xA7;

uint64_t TestSeed() {
  static const uint64_t seed = []() -> uint64_t {
    if (const char* s = std::getenv("KT_KERNELS_TEST_SEED")) return std::strtoull(s, nullptr, 10);
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }();
  return seed;
}

// One operand of a case: its pristine host contents and whether the op writes it.
struct Operand {
  std::string name;
  HostTensor host;
  bool output = false;
  double nmse_max = 0.0;  // float outputs
};

using Runner = std::function<Status(Backend&, const std::vector<Tensor>&)>;

struct OpCase {
  std::vector<Operand> operands;
  Runner run;
};

class CaseBuilder {
 public:
  explicit CaseBuilder(Rng& rng) : rng_(rng) {}
  // Random normal input.
  int In(const std::string& name, DType d, std::initializer_list<int64_t> shape,
         float stddev = 1.0f) {
    HostTensor t(d, shape);
    t.FillNormal(rng_, stddev);
    return Add(name, std::move(t), false, 0);
  }
  int InStrided(const std::string& name, DType d, std::initializer_list<int64_t> shape,
                std::initializer_list<int64_t> strides) {
    HostTensor t(d, shape, strides);
    t.FillNormal(rng_, 1.0f);
    return Add(name, std::move(t), false, 0);
  }
  int InI32(const std::string& name, std::vector<int32_t> v) {
    HostTensor t(DType::kI32, {static_cast<int64_t>(v.size())});
    t.SetI32(v);
    return Add(name, std::move(t), false, 0);
  }
  int InI32_2d(const std::string& name, std::vector<int32_t> v, int64_t rows, int64_t cols) {
    HostTensor t(DType::kI32, {rows, cols});
    t.SetI32(v);
    return Add(name, std::move(t), false, 0);
  }
  int InF32(const std::string& name, std::vector<float> v) {
    HostTensor t(DType::kF32, {static_cast<int64_t>(v.size())});
    t.Set(v);
    return Add(name, std::move(t), false, 0);
  }
  int InI64(const std::string& name, std::vector<int64_t> v) {
    HostTensor t(DType::kI64, {static_cast<int64_t>(v.size())});
    t.SetI64(v);
    return Add(name, std::move(t), false, 0);
  }
  // Output (or in/out) starting as random garbage.
  int Out(const std::string& name, DType d, std::initializer_list<int64_t> shape, double nmse_max) {
    HostTensor t(d, shape);
    if (d == DType::kI32) {
      std::vector<int32_t> v(t.numel());
      for (auto& x : v) x = static_cast<int32_t>(rng_.UniformInt(-1000, 1000));
      t.SetI32(v);
    } else {
      t.FillNormal(rng_, 1.0f);
    }
    return Add(name, std::move(t), true, nmse_max);
  }
  int OutStrided(const std::string& name, DType d, std::initializer_list<int64_t> shape,
                 std::initializer_list<int64_t> strides, double nmse_max) {
    HostTensor t(d, shape, strides);
    t.FillNormal(rng_, 1.0f);
    return Add(name, std::move(t), true, nmse_max);
  }
  // Marks an existing input as also written (in-place ops).
  void InOut(int index, double nmse_max) {
    c_.operands[index].output = true;
    c_.operands[index].nmse_max = nmse_max;
  }
  HostTensor& host(int index) { return c_.operands[index].host; }
  Rng& rng() { return rng_; }
  OpCase Build(Runner run) {
    c_.run = std::move(run);
    return std::move(c_);
  }

 private:
  int Add(const std::string& name, HostTensor t, bool out, double nmse) {
    c_.operands.push_back(Operand{name, std::move(t), out, nmse});
    return static_cast<int>(c_.operands.size()) - 1;
  }
  Rng& rng_;
  OpCase c_;
};

// Bounds on normalised MSE per output dtype (one rounding of each side, fp32 sums).
double Tol(DType d) {
  switch (d) {
    case DType::kBF16:
      return 2e-5;
    case DType::kF16:
      return 1e-6;
    default:
      return 1e-9;
  }
}

// ---- the cases --------------------------------------------------------------------------

OpCase Gemm(Rng& rng, int64_t m, int64_t n, int64_t k, DType d, bool bias, float alpha, float beta,
            bool strided_x) {
  CaseBuilder b(rng);
  const int x = strided_x ? b.InStrided("x", d, {m, k}, {k + 24, 1}) : b.In("x", d, {m, k});
  const int w = b.In("w", d, {n, k}, 0.05f);
  const int bi = bias ? b.In("bias", d, {n}) : -1;
  const int y = b.Out("y", d, {m, n}, Tol(d));
  return b.Build([=](Backend& be, const std::vector<Tensor>& v) {
    return be.Gemm({v[x], v[w], bi >= 0 ? v[bi] : Tensor{}, v[y], alpha, beta});
  });
}

OpCase RmsNorm(Rng& rng, int64_t t, int64_t h, DType d, bool residual, bool in_place) {
  CaseBuilder b(rng);
  const int x = b.In("x", d, {t, h});
  const int r = residual ? b.In("residual", d, {t, h}) : -1;
  const int w = b.In("weight", d, {h});
  const int out = in_place ? x : b.Out("out", d, {t, h}, Tol(d));
  if (in_place) b.InOut(x, Tol(d));
  if (residual) b.InOut(r, Tol(d));
  return b.Build([=](Backend& be, const std::vector<Tensor>& v) {
    return be.RmsNorm({v[x], r >= 0 ? v[r] : Tensor{}, v[w], v[out], 1e-5f});
  });
}

OpCase Rope(Rng& rng, int64_t t, int64_t hq, int64_t hk, int64_t d, DType dt, bool fused_qkv,
            bool long_rope) {
  CaseBuilder b(rng);
  const int64_t width = (hq + 2 * hk) * d;
  int q, k;
  if (fused_qkv) {  // q and k as strided views into one fused projection row
    q = b.InStrided("q", dt, {t, hq, d}, {width, d, 1});
    k = b.InStrided("k", dt, {t, hk, d}, {width, d, 1});
  } else {
    q = b.In("q", dt, {t, hq, d});
    k = b.In("k", dt, {t, hk, d});
  }
  b.InOut(q, Tol(dt) * 4);
  b.InOut(k, Tol(dt) * 4);
  std::vector<int32_t> pos(t);
  for (auto& p : pos) p = static_cast<int32_t>(b.rng().UniformInt(0, long_rope ? 131071 : 4095));
  const int positions = b.InI32("positions", pos);
  RopeConfig cfg;
  cfg.head_dim = static_cast<int>(d);
  if (long_rope) {
    cfg.scaling = RopeScaling::kLongRope;
    cfg.original_max_position = 4096;
    cfg.max_position = 131072;
    for (int64_t i = 0; i < d / 2; ++i) {
      cfg.short_factor.push_back(1.0 + 0.03 * i);
      cfg.long_factor.push_back(1.0 + 1.3 * i);
    }
  }
  const int inv = b.InF32("inv_freq", *RopeInvFreq(cfg, long_rope));
  const float mscale = *RopeMscale(cfg);
  return b.Build([=](Backend& be, const std::vector<Tensor>& v) {
    return be.Rope({v[q], v[k], v[positions], v[inv], mscale});
  });
}

OpCase SiluMul(Rng& rng, int64_t t, int64_t inter, DType d) {
  CaseBuilder b(rng);
  const int gu = b.In("gate_up", d, {t, 2 * inter}, 2.0f);
  const int out = b.Out("out", d, {t, inter}, Tol(d));
  return b.Build([=](Backend& be, const std::vector<Tensor>& v) {
    return be.SiluMul({v[gu], v[out]});
  });
}

OpCase Embedding(Rng& rng, int64_t vocab, int64_t h, int64_t t, DType d) {
  CaseBuilder b(rng);
  std::vector<int32_t> ids(t);
  for (auto& i : ids) i = static_cast<int32_t>(b.rng().UniformInt(0, vocab - 1));
  const int id = b.InI32("ids", ids);
  const int table = b.In("table", d, {vocab, h});
  const int out = b.Out("out", d, {t, h}, 0.0);
  return b.Build([=](Backend& be, const std::vector<Tensor>& v) {
    return be.Embedding({v[id], v[table], v[out]});
  });
}

OpCase KvAppend(Rng& rng, int64_t t, int64_t hk, int64_t d, DType dt) {
  CaseBuilder b(rng);
  const int64_t block_size = 16, blocks = (t + block_size - 1) / block_size + 3;
  const int k = b.In("k", dt, {t, hk, d});
  const int v = b.In("v", dt, {t, hk, d});
  std::vector<int32_t> slots(blocks * block_size);
  std::iota(slots.begin(), slots.end(), 0);
  for (int64_t i = static_cast<int64_t>(slots.size()) - 1; i > 0; --i) {
    std::swap(slots[i], slots[b.rng().UniformInt(0, i)]);
  }
  slots.resize(t);
  if (t > 2) slots[1] = -1;  // padding token
  const int sm = b.InI32("slot_mapping", slots);
  const int kc = b.Out("k_cache", dt, {blocks, block_size, hk, d}, 0.0);
  const int vc = b.Out("v_cache", dt, {blocks, block_size, hk, d}, 0.0);
  return b.Build([=](Backend& be, const std::vector<Tensor>& x) {
    return be.KvAppend({x[k], x[v], x[sm], x[kc], x[vc]});
  });
}

OpCase Prefill(Rng& rng, std::vector<int> lq, std::vector<int> lk, int64_t hq, int64_t hk,
               int64_t d, bool causal, int window, DType dt) {
  CaseBuilder b(rng);
  const int64_t tq = std::accumulate(lq.begin(), lq.end(), 0);
  const int64_t tk = std::accumulate(lk.begin(), lk.end(), 0);
  const int q = b.In("q", dt, {tq, hq, d});
  const int k = b.In("k", dt, {tk, hk, d});
  const int v = b.In("v", dt, {tk, hk, d});
  std::vector<int32_t> cq = {0}, ck = {0};
  for (size_t i = 0; i < lq.size(); ++i) {
    cq.push_back(cq.back() + lq[i]);
    ck.push_back(ck.back() + lk[i]);
  }
  const int cuq = b.InI32("cu_seqlens_q", cq), cuk = b.InI32("cu_seqlens_k", ck);
  const int out = b.Out("out", dt, {tq, hq, d}, dt == DType::kF32 ? 1e-9 : 1e-4);
  const int mq = *std::max_element(lq.begin(), lq.end()),
            mk = *std::max_element(lk.begin(), lk.end());
  return b.Build([=](Backend& be, const std::vector<Tensor>& x) {
    return be.AttentionPrefill(
        {x[q], x[k], x[v], x[cuq], x[cuk], x[out], mq, mk, 0.0f, causal, window});
  });
}

OpCase Decode(Rng& rng, std::vector<int> lens, int64_t hq, int64_t hk, int64_t d, int window,
              DType dt) {
  CaseBuilder b(rng);
  const int64_t batch = static_cast<int64_t>(lens.size()), block_size = 16;
  const int max_len = *std::max_element(lens.begin(), lens.end());
  const int64_t per_seq = (max_len + block_size - 1) / block_size + 1;
  const int64_t blocks = batch * per_seq + 2;
  const int q = b.In("q", dt, {batch, hq, d});
  const int kc = b.In("k_cache", dt, {blocks, block_size, hk, d});
  const int vc = b.In("v_cache", dt, {blocks, block_size, hk, d});
  std::vector<int32_t> ids(blocks);
  std::iota(ids.begin(), ids.end(), 0);
  for (int64_t i = blocks - 1; i > 0; --i) std::swap(ids[i], ids[b.rng().UniformInt(0, i)]);
  std::vector<int32_t> table(batch * per_seq);
  for (int64_t i = 0; i < batch * per_seq; ++i) table[i] = ids[i];
  const int bt = b.InI32_2d("block_tables", table, batch, per_seq);
  const int cl = b.InI32("context_lens", std::vector<int32_t>(lens.begin(), lens.end()));
  const int out = b.Out("out", dt, {batch, hq, d}, dt == DType::kF32 ? 1e-9 : 1e-4);
  return b.Build([=](Backend& be, const std::vector<Tensor>& x) {
    return be.AttentionDecode({x[q], x[kc], x[vc], x[bt], x[cl], x[out], max_len, 0.0f, window});
  });
}

OpCase Penalties(Rng& rng, int64_t batch, int64_t vocab, DType dt) {
  CaseBuilder b(rng);
  const int logits = b.In("logits", dt, {batch, vocab}, 3.0f);
  b.InOut(logits, Tol(dt));
  std::vector<int32_t> offsets = {0}, ids, counts;
  std::vector<float> rep, freq, pres;
  for (int64_t r = 0; r < batch; ++r) {
    std::vector<int32_t> all(vocab);
    std::iota(all.begin(), all.end(), 0);
    const int64_t n = b.rng().UniformInt(0, 60);
    for (int64_t i = 0; i < n; ++i) {
      std::swap(all[i], all[b.rng().UniformInt(i, vocab - 1)]);
      ids.push_back(all[i]);
      counts.push_back(static_cast<int32_t>(b.rng().UniformInt(0, 5)));
    }
    offsets.push_back(static_cast<int32_t>(ids.size()));
    rep.push_back(static_cast<float>(1.0 + b.rng().Uniform()));
    freq.push_back(static_cast<float>(b.rng().Uniform()));
    pres.push_back(static_cast<float>(b.rng().Uniform()));
  }
  if (ids.empty()) {
    ids.push_back(0);
    counts.push_back(1);
    offsets.back() = 1;
  }
  const int off = b.InI32("token_offsets", offsets), id = b.InI32("token_ids", ids);
  const int cnt = b.InI32("token_counts", counts);
  const int r = b.InF32("repetition", rep), f = b.InF32("frequency", freq),
            p = b.InF32("presence", pres);
  return b.Build([=](Backend& be, const std::vector<Tensor>& x) {
    return be.Penalties({x[logits], x[off], x[id], x[cnt], x[r], x[f], x[p]});
  });
}

OpCase Sample(Rng& rng, int64_t vocab, DType dt, int top_n) {
  CaseBuilder b(rng);
  // One row per sampling mode.
  const std::vector<float> temp = {0.0f, 1.0f, 0.7f, 1.0f, 0.8f, 1.3f, 0.5f, 1.0f};
  const std::vector<int32_t> top_k = {0, 0, 0, 50, 40, 0, 1, 5};
  const std::vector<float> top_p = {1.0f, 1.0f, 1.0f, 1.0f, 0.9f, 0.5f, 1.0f, 0.95f};
  const int64_t batch = static_cast<int64_t>(temp.size());
  const int logits = b.In("logits", dt, {batch, vocab}, 3.0f);
  const int t = b.InF32("temperature", temp), k = b.InI32("top_k", top_k),
            p = b.InF32("top_p", top_p);
  std::vector<int64_t> seeds(batch), offsets(batch);
  for (auto& s : seeds) s = static_cast<int64_t>(b.rng().Next());
  for (auto& o : offsets) o = b.rng().UniformInt(0, 1000);
  const int sd = b.InI64("seed", seeds), of = b.InI64("offset", offsets);
  const int tok = b.Out("out_tokens", DType::kI32, {batch}, 0);
  const int lp = b.Out("out_logprobs", DType::kF32, {batch}, 1e-9);
  const int tt = top_n > 0 ? b.Out("out_top_tokens", DType::kI32, {batch, top_n}, 0) : -1;
  const int tl = top_n > 0 ? b.Out("out_top_logprobs", DType::kF32, {batch, top_n}, 1e-9) : -1;
  return b.Build([=](Backend& be, const std::vector<Tensor>& x) {
    SampleArgs a;
    a.logits = x[logits];
    a.temperature = x[t];
    a.top_k = x[k];
    a.top_p = x[p];
    a.seed = x[sd];
    a.offset = x[of];
    a.out_tokens = x[tok];
    a.out_logprobs = x[lp];
    a.top_logprobs = top_n;
    if (top_n > 0) {
      a.out_top_tokens = x[tt];
      a.out_top_logprobs = x[tl];
    }
    return be.Sample(a);
  });
}

OpCase Lora(Rng& rng, int64_t batch, int64_t k, int64_t n, int64_t rank, int64_t adapters,
            DType dt) {
  CaseBuilder b(rng);
  const int x = b.In("x", dt, {batch, k});
  const int la = b.In("lora_a", dt, {adapters, rank, k}, 0.05f);
  const int lb = b.In("lora_b", dt, {adapters, n, rank}, 0.05f);
  std::vector<int32_t> idx(batch);
  for (auto& i : idx) i = static_cast<int32_t>(b.rng().UniformInt(-1, adapters - 1));
  idx[0] = -1;
  if (batch > 1) idx[1] = static_cast<int32_t>(adapters - 1);
  const int ix = b.InI32("indices", idx);
  std::vector<float> sc(batch);
  for (auto& s : sc) s = static_cast<float>(0.5 + b.rng().Uniform());
  const int scales = b.InF32("scales", sc);
  const int scratch = b.Out("scratch", DType::kF32, {batch, rank}, -1.0);  // not compared
  const int y = b.Out("y", dt, {batch, n}, Tol(dt));
  return b.Build([=](Backend& be, const std::vector<Tensor>& v) {
    return be.LoraBgmv({v[x], v[la], v[lb], v[ix], v[scales], v[scratch], v[y]});
  });
}

using CaseFactory = std::function<OpCase(Rng&)>;

const std::map<std::string, CaseFactory>& Cases() {
  static const auto* cases = new std::map<std::string, CaseFactory>{
      // GEMM: batch 1..8 (GEMV path on CUDA), larger batches (cuBLASLt), dtypes, bias/beta.
      {"gemm_b1_n3072_k3072_bf16",
       [](Rng& r) { return Gemm(r, 1, 3072, 3072, DType::kBF16, false, 1, 0, false); }},
      {"gemm_b2_n1000_k3072_bf16_bias",
       [](Rng& r) { return Gemm(r, 2, 1000, 3072, DType::kBF16, true, 1, 0, false); }},
      {"gemm_b2_n3000_k1024_bf16_beta",
       [](Rng& r) { return Gemm(r, 2, 3000, 1024, DType::kBF16, false, 0.5f, 1.0f, false); }},
      {"gemm_b3_n1000_k512_bf16_bias",
       [](Rng& r) { return Gemm(r, 3, 1000, 512, DType::kBF16, true, 1, 0, false); }},
      {"gemm_b8_n2048_k1024_bf16_beta",
       [](Rng& r) { return Gemm(r, 8, 2048, 1024, DType::kBF16, false, 0.5f, 1.0f, false); }},
      {"gemm_b5_n384_k256_bf16_strided_x",
       [](Rng& r) { return Gemm(r, 5, 384, 256, DType::kBF16, true, 1, 0, true); }},
      {"gemm_b1_n100_k12_bf16_odd",
       [](Rng& r) { return Gemm(r, 1, 100, 12, DType::kBF16, false, 1, 0, false); }},
      {"gemm_b64_n1536_k1024_bf16_bias",
       [](Rng& r) { return Gemm(r, 64, 1536, 1024, DType::kBF16, true, 1, 0, false); }},
      {"gemm_b300_n512_k768_bf16",
       [](Rng& r) { return Gemm(r, 300, 512, 768, DType::kBF16, false, 1, 0, false); }},
      {"gemm_b17_n256_k384_f16_bias",
       [](Rng& r) { return Gemm(r, 17, 256, 384, DType::kF16, true, 1, 0, false); }},
      {"gemm_b9_n200_k300_f32_beta",
       [](Rng& r) { return Gemm(r, 9, 200, 300, DType::kF32, false, 1, 2.0f, false); }},
      // RMSNorm: vector path widths (1 and 2 chunks per thread), scalar path, residual, in place.
      {"rms_norm_t7_h3072_bf16_residual",
       [](Rng& r) { return RmsNorm(r, 7, 3072, DType::kBF16, true, false); }},
      {"rms_norm_t1_h4096_bf16",
       [](Rng& r) { return RmsNorm(r, 1, 4096, DType::kBF16, false, false); }},
      {"rms_norm_t3_h16384_bf16_in_place",
       [](Rng& r) { return RmsNorm(r, 3, 16384, DType::kBF16, true, true); }},
      {"rms_norm_t5_h1000_f32_residual",
       [](Rng& r) { return RmsNorm(r, 5, 1000, DType::kF32, true, false); }},
      {"rms_norm_t4_h3000_f16",
       [](Rng& r) { return RmsNorm(r, 4, 3000, DType::kF16, false, false); }},
      // RoPE: head dims 64/96/128, GQA, fused-qkv strided views, LongRoPE positions past 4k.
      {"rope_t9_h32_d96_bf16_fused",
       [](Rng& r) { return Rope(r, 9, 32, 32, 96, DType::kBF16, true, false); }},
      {"rope_t5_h32x8_d128_bf16_longrope",
       [](Rng& r) { return Rope(r, 5, 32, 8, 128, DType::kBF16, false, true); }},
      {"rope_t4_h8x2_d36_bf16",  // half 18: one pair per thread
       [](Rng& r) { return Rope(r, 4, 8, 2, 36, DType::kBF16, false, false); }},
      {"rope_t3_h4_d64_f32",
       [](Rng& r) { return Rope(r, 3, 4, 2, 64, DType::kF32, false, false); }},
      // SiLU-mul, embedding.
      {"silu_mul_t3_i8192_bf16", [](Rng& r) { return SiluMul(r, 3, 8192, DType::kBF16); }},
      {"silu_mul_t2_i100_f32", [](Rng& r) { return SiluMul(r, 2, 100, DType::kF32); }},
      {"embedding_v1000_h3072_bf16",
       [](Rng& r) { return Embedding(r, 1000, 3072, 7, DType::kBF16); }},
      {"embedding_v50_h12_f32", [](Rng& r) { return Embedding(r, 50, 12, 4, DType::kF32); }},
      // KV append.
      {"kv_append_t37_h8_d128_bf16", [](Rng& r) { return KvAppend(r, 37, 8, 128, DType::kBF16); }},
      {"kv_append_t1_h32_d96_bf16", [](Rng& r) { return KvAppend(r, 1, 32, 96, DType::kBF16); }},
      // Prefill attention.
      {"prefill_l256_h4_d128_bf16",
       [](Rng& r) { return Prefill(r, {256}, {256}, 4, 4, 128, true, -1, DType::kBF16); }},
      {"prefill_varlen_gqa8x2_d128_bf16",
       [](Rng& r) {
         return Prefill(r, {1, 77, 130}, {1, 77, 130}, 8, 2, 128, true, -1, DType::kBF16);
       }},
      {"prefill_l200_h4_d96_bf16",
       [](Rng& r) { return Prefill(r, {200}, {200}, 4, 4, 96, true, -1, DType::kBF16); }},
      {"prefill_l150_h2_d64_window31_bf16",
       [](Rng& r) { return Prefill(r, {150}, {150}, 2, 2, 64, true, 31, DType::kBF16); }},
      {"prefill_q64_k200_h2_d128_bf16",
       [](Rng& r) { return Prefill(r, {64}, {200}, 2, 2, 128, true, -1, DType::kBF16); }},
      {"prefill_noncausal_l70_h2_d128_bf16",
       [](Rng& r) { return Prefill(r, {70}, {70}, 2, 1, 128, false, -1, DType::kBF16); }},
      {"prefill_l40_h2_d80_f32",
       [](Rng& r) {
         return Prefill(r, {40, 9}, {40, 9}, 2, 1, 80, true, -1, DType::kF32);
       }},
      {"prefill_l33_h2_d96_f16",
       [](Rng& r) { return Prefill(r, {33}, {33}, 2, 2, 96, true, -1, DType::kF16); }},
      // Paged decode.
      {"decode_b2_h32_d96_bf16",
       [](Rng& r) {
         return Decode(r, {700, 1}, 32, 32, 96, -1, DType::kBF16);
       }},
      {"decode_b3_gqa32x8_d128_bf16",
       [](Rng& r) {
         return Decode(r, {4096, 513, 17}, 32, 8, 128, -1, DType::kBF16);
       }},
      {"decode_b1_h32_d96_ctx3000_bf16",  // one sequence: ~24 splits
       [](Rng& r) {
         return Decode(r, {3000}, 32, 32, 96, -1, DType::kBF16);
       }},
      {"decode_b2_gqa28x4_d128_bf16",
       [](Rng& r) {
         return Decode(r, {300, 64}, 28, 4, 128, -1, DType::kBF16);
       }},
      {"decode_b2_h8_d64_window100_bf16",
       [](Rng& r) {
         return Decode(r, {1000, 50}, 8, 8, 64, 100, DType::kBF16);
       }},
      {"decode_b2_h4_d128_empty_bf16",
       [](Rng& r) {
         return Decode(r, {0, 33}, 4, 2, 128, -1, DType::kBF16);
       }},
      // Penalties and sampling.
      {"penalties_b4_v32064_f32", [](Rng& r) { return Penalties(r, 4, 32064, DType::kF32); }},
      {"penalties_b3_v1000_bf16", [](Rng& r) { return Penalties(r, 3, 1000, DType::kBF16); }},
      {"sample_v32064_f32_top5", [](Rng& r) { return Sample(r, 32064, DType::kF32, 5); }},
      {"sample_v1000_bf16", [](Rng& r) { return Sample(r, 1000, DType::kBF16, 0); }},
      // LoRA.
      {"lora_b6_k3072_n1024_r16_bf16",
       [](Rng& r) { return Lora(r, 6, 3072, 1024, 16, 3, DType::kBF16); }},
      {"lora_b3_k64_n40_r8_f32", [](Rng& r) { return Lora(r, 3, 64, 40, 8, 2, DType::kF32); }},
  };
  return *cases;
}

// ---- the harness --------------------------------------------------------------------------

// An operand copied onto a backend between guard regions.
struct Placed {
  Buffer buffer;
  Tensor view;
  size_t span;
};

Result<Placed> Place(Backend& be, const Operand& op) {
  const size_t span = op.host.span_bytes();
  KT_ASSIGN_OR_RETURN(Buffer buf, be.Allocate(span + 2 * kGuardBytes));
  std::vector<unsigned char> staging(span + 2 * kGuardBytes, kGuardByte);
  std::memcpy(staging.data() + kGuardBytes, op.host.t().data, span);
  KT_RETURN_IF_ERROR(be.CopyToBackend(buf.data(), staging.data(), staging.size()));
  Placed p{std::move(buf), op.host.t(), span};
  p.view.data = static_cast<char*>(p.buffer.data()) + kGuardBytes;
  p.view.space = be.memory_space();
  return p;
}

struct Outcome {
  Status status;
  std::vector<std::vector<unsigned char>> bytes;  // per operand: guard + span + guard
};

Outcome Execute(Backend& be, const OpCase& c) {
  Outcome o;
  std::vector<Placed> placed;
  std::vector<Tensor> views;
  for (const auto& op : c.operands) {
    auto p = Place(be, op);
    if (!p.ok()) {
      o.status = p.status();
      return o;
    }
    views.push_back(p->view);
    placed.push_back(std::move(*p));
  }
  o.status = c.run(be, views);
  if (!o.status.ok()) return o;
  o.status = be.Synchronize();
  if (!o.status.ok()) return o;
  for (auto& p : placed) {
    std::vector<unsigned char> bytes(p.span + 2 * kGuardBytes);
    o.status = be.CopyToHost(bytes.data(), p.buffer.data(), bytes.size());
    if (!o.status.ok()) return o;
    o.bytes.push_back(std::move(bytes));
  }
  return o;
}

// Elements of a view (logical order) read from a copy of its bytes.
std::vector<double> Elements(const Tensor& layout, const unsigned char* base) {
  Tensor t = layout;
  t.data = const_cast<unsigned char*>(base);
  std::vector<double> out;
  out.reserve(t.numel());
  int64_t idx[kMaxRank] = {0, 0, 0, 0};
  const int64_t n = t.numel();
  for (int64_t e = 0; e < n; ++e) {
    const char* p = t.at(idx[0], idx[1], idx[2], idx[3]);
    switch (t.dtype) {
      case DType::kI32:
        out.push_back(*reinterpret_cast<const int32_t*>(p));
        break;
      case DType::kI64:
        out.push_back(static_cast<double>(*reinterpret_cast<const int64_t*>(p)));
        break;
      default:
        out.push_back(cpu::LoadF32(p, t.dtype));
    }
    for (int d = t.rank - 1; d >= 0; --d) {
      if (++idx[d] < t.shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

// Compares a backend's outcome with the reference's: guard bytes intact around every operand,
// integer outputs exact, float outputs within the case's normalised MSE and finite wherever the
// reference is.
::testing::AssertionResult SameOutcome(const OpCase& c, const Outcome& want, const Outcome& got) {
  for (size_t i = 0; i < c.operands.size(); ++i) {
    const Operand& op = c.operands[i];
    const auto& g = got.bytes[i];
    const size_t span = op.host.span_bytes();
    for (size_t j = 0; j < kGuardBytes; ++j) {
      if (g[j] != kGuardByte || g[kGuardBytes + span + j] != kGuardByte) {
        return ::testing::AssertionFailure()
               << op.name << ": guard bytes " << (g[j] != kGuardByte ? "before" : "after")
               << " the operand were overwritten (byte " << j << ")";
      }
    }
    if (!op.output || op.nmse_max < 0) continue;
    const auto gv = Elements(op.host.t(), g.data() + kGuardBytes);
    const auto wv = Elements(op.host.t(), want.bytes[i].data() + kGuardBytes);
    if (!IsFloatType(op.host.t().dtype)) {
      for (size_t e = 0; e < gv.size(); ++e) {
        if (gv[e] != wv[e]) {
          return ::testing::AssertionFailure()
                 << op.name << "[" << e << "] = " << gv[e] << ", want " << wv[e];
        }
      }
      continue;
    }
    double num = 0, den = 0;
    for (size_t e = 0; e < gv.size(); ++e) {
      if (std::isfinite(wv[e]) && !std::isfinite(gv[e])) {
        return ::testing::AssertionFailure()
               << op.name << "[" << e << "] is " << gv[e] << ", want " << wv[e];
      }
      num += (gv[e] - wv[e]) * (gv[e] - wv[e]);
      den += wv[e] * wv[e];
    }
    const double nmse = den > 0 ? num / den : num;
    if (nmse > op.nmse_max) {
      return ::testing::AssertionFailure()
             << op.name << ": normalised MSE " << nmse << " above " << op.nmse_max;
    }
  }
  return ::testing::AssertionSuccess();
}

class BackendOpsTest : public ::testing::TestWithParam<std::tuple<std::string, bool>> {};

TEST_P(BackendOpsTest, MatchesCpuReference) {
  const auto& [name, portable] = GetParam();
  const uint64_t seed = TestSeed() ^ Fnv1a64(name);
  std::cout << "[ seed     ] KT_KERNELS_TEST_SEED=" << TestSeed() << " (case seed " << seed
            << ")\n";
  RecordProperty("seed", std::to_string(TestSeed()));

  auto kind = ParseBackendKind(KT_BACKEND_UNDER_TEST);
  ASSERT_TRUE(kind.ok());
  BackendOptions options;
  options.force_portable_kernels = portable;
  auto backend = CreateBackend(*kind, options);
  if (!backend.ok()) {
    GTEST_SKIP() << "no " << KT_BACKEND_UNDER_TEST << " backend: " << backend.status().ToString();
  }
  Rng rng(seed);
  const OpCase c = Cases().at(name)(rng);

  cpu::CpuBackend reference;
  const Outcome want = Execute(reference, c);
  ASSERT_TRUE(want.status.ok()) << "reference failed: " << want.status.ToString();
  const Outcome got = Execute(**backend, c);
  if (IsUnsupported(got.status)) GTEST_SKIP() << got.status.ToString();
  ASSERT_TRUE(got.status.ok()) << got.status.ToString();
  EXPECT_TRUE(SameOutcome(c, want, got));
}

#if KT_BACKEND_SELF_TEST
// A backend that is the CPU reference except for one planted bug in GEMM, to prove the
// comparison catches each kind of fault.
class FaultyBackend final : public Backend {
 public:
  enum class Fault { kNone, kOverrun, kWrongValue, kNan };
  explicit FaultyBackend(Fault f) : fault_(f) {}
  std::string_view name() const override { return "faulty"; }
  MemorySpace memory_space() const override { return MemorySpace::kHost; }
  Status CopyToBackend(void* d, const void* s, size_t n) override {
    return cpu_.CopyToBackend(d, s, n);
  }
  Status CopyToHost(void* d, const void* s, size_t n) override { return cpu_.CopyToHost(d, s, n); }
  Status Memset(void* d, int v, size_t n) override { return cpu_.Memset(d, v, n); }
  Status Synchronize() override { return Status::Ok(); }
  Status Gemm(const GemmArgs& a) override {
    KT_RETURN_IF_ERROR(cpu_.Gemm(a));
    char* end = a.y.at(a.y.shape[0] - 1, a.y.shape[1] - 1);
    switch (fault_) {
      case Fault::kOverrun:
        std::memset(end + DTypeSize(a.y.dtype), 0, 2);
        break;
      case Fault::kWrongValue:
        cpu::StoreF32(cpu::LoadF32(end, a.y.dtype) + 10.0f, a.y.dtype, end);
        break;
      case Fault::kNan:
        cpu::StoreF32(NAN, a.y.dtype, a.y.at(0, 0));
        break;
      case Fault::kNone:
        break;
    }
    return Status::Ok();
  }
  Status RmsNorm(const RmsNormArgs& a) override { return cpu_.RmsNorm(a); }
  Status Rope(const RopeArgs& a) override { return cpu_.Rope(a); }
  Status SiluMul(const SiluMulArgs& a) override { return cpu_.SiluMul(a); }
  Status Embedding(const EmbeddingArgs& a) override { return cpu_.Embedding(a); }
  Status AttentionPrefill(const AttentionPrefillArgs& a) override {
    return cpu_.AttentionPrefill(a);
  }
  Status AttentionDecode(const AttentionDecodeArgs& a) override { return cpu_.AttentionDecode(a); }
  Status KvAppend(const KvAppendArgs& a) override { return cpu_.KvAppend(a); }
  Status Penalties(const PenaltiesArgs& a) override { return cpu_.Penalties(a); }
  Status Sample(const SampleArgs& a) override { return cpu_.Sample(a); }
  Status LoraBgmv(const LoraBgmvArgs& a) override { return cpu_.LoraBgmv(a); }

 protected:
  Result<void*> AllocateRaw(size_t bytes) override {
    void* p = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
    if (!p) return Unavailable("out of memory");
    return p;
  }
  void FreeRaw(void* p) override { std::free(p); }

 private:
  Fault fault_;
  cpu::CpuBackend cpu_;
};

::testing::AssertionResult RunFaulty(FaultyBackend::Fault fault) {
  Rng rng(5);
  const OpCase c = Cases().at("gemm_b3_n1000_k512_bf16_bias")(rng);
  cpu::CpuBackend reference;
  FaultyBackend faulty(fault);
  const Outcome want = Execute(reference, c);
  const Outcome got = Execute(faulty, c);
  if (!want.status.ok() || !got.status.ok()) return ::testing::AssertionFailure() << "op failed";
  return SameOutcome(c, want, got);
}

TEST(BackendOpsHarnessTest, AgreesWithAnIdenticalBackend) {
  EXPECT_TRUE(RunFaulty(FaultyBackend::Fault::kNone));
}

TEST(BackendOpsHarnessTest, CatchesAWriteOneElementPastTheOutput) {
  auto r = RunFaulty(FaultyBackend::Fault::kOverrun);
  ASSERT_FALSE(r);
  EXPECT_NE(std::string(r.message()).find("guard bytes after"), std::string::npos) << r.message();
}

TEST(BackendOpsHarnessTest, CatchesOneWrongValue) {
  auto r = RunFaulty(FaultyBackend::Fault::kWrongValue);
  ASSERT_FALSE(r);
  EXPECT_NE(std::string(r.message()).find("normalised MSE"), std::string::npos) << r.message();
}

TEST(BackendOpsHarnessTest, CatchesANanWhereTheReferenceIsFinite) {
  auto r = RunFaulty(FaultyBackend::Fault::kNan);
  ASSERT_FALSE(r);
  EXPECT_NE(std::string(r.message()).find("nan"), std::string::npos) << r.message();
}

#endif  // KT_BACKEND_SELF_TEST

std::vector<std::tuple<std::string, bool>> AllCases() {
  std::vector<std::tuple<std::string, bool>> v;
  for (const auto& [name, factory] : Cases()) {
    v.emplace_back(name, false);
    if (std::string(KT_BACKEND_UNDER_TEST) == "cuda") v.emplace_back(name, true);
  }
  return v;
}

INSTANTIATE_TEST_SUITE_P(KT_BACKEND_SUITE, BackendOpsTest, ::testing::ValuesIn(AllCases()),
                         [](const auto& info) {
                           return std::get<0>(info.param) +
                                  (std::get<1>(info.param) ? "_portable" : "");
                         });

}  // namespace
}  // namespace kt::kernels
