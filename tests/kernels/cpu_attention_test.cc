// Specification of the CPU reference attention: prefill over packed variable-length sequences
// (causal, bottom-right aligned, GQA, sliding window with "keys [p - W, p]" semantics checked
// at the Phi-3 boundary 2047-2049), KV append into paged blocks, and decode over the paged
// cache agreeing with the last row of prefill whatever the block placement. Bad tables, slots
// and lengths are Invalid.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/cpu/cpu_ops.h"
#include "tests/kernels/host_tensor.h"

namespace kt::kernels {
namespace {

using testing::HostTensor;
using testing::Nmse;

constexpr uint64_t kSeed = 99;

// fp64 attention of one sequence: q [Lq, Hq, D], k/v [Lk, Hk, D] -> [Lq, Hq, D].
std::vector<double> NaiveAttention(const std::vector<float>& q, const std::vector<float>& k,
                                   const std::vector<float>& v, int64_t lq, int64_t lk, int64_t hq,
                                   int64_t hk, int64_t d, bool causal, int window) {
  std::vector<double> out(lq * hq * d, 0.0);
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  for (int64_t h = 0; h < hq; ++h) {
    const int64_t kh = h / (hq / hk);
    for (int64_t i = 0; i < lq; ++i) {
      const int64_t p = lk - lq + i;
      std::vector<double> s(lk, -INFINITY);
      double mx = -INFINITY;
      for (int64_t j = 0; j < lk; ++j) {
        if (causal && j > p) continue;
        if (window >= 0 && j < p - window) continue;
        double dot = 0;
        for (int64_t e = 0; e < d; ++e) dot += q[(i * hq + h) * d + e] * k[(j * hk + kh) * d + e];
        s[j] = dot * scale;
        mx = std::max(mx, s[j]);
      }
      if (mx == -INFINITY) continue;
      double sum = 0;
      for (auto& x : s) sum += (x = std::exp(x - mx));
      for (int64_t j = 0; j < lk; ++j)
        for (int64_t e = 0; e < d; ++e)
          out[(i * hq + h) * d + e] += s[j] / sum * v[(j * hk + kh) * d + e];
    }
  }
  return out;
}

struct PrefillCase {
  std::vector<int> lq, lk;
  int64_t hq, hk, d;
  bool causal;
  int window;
};

void CheckPrefill(const PrefillCase& c, DType dtype, double max_nmse) {
  SCOPED_TRACE(::testing::Message() << "seed=" << kSeed);
  Rng rng(kSeed);
  const int64_t tq = std::accumulate(c.lq.begin(), c.lq.end(), 0);
  const int64_t tk = std::accumulate(c.lk.begin(), c.lk.end(), 0);
  HostTensor q(dtype, {tq, c.hq, c.d}), k(dtype, {tk, c.hk, c.d}), v(dtype, {tk, c.hk, c.d}),
      out(dtype, {tq, c.hq, c.d});
  q.FillNormal(rng, 1);
  k.FillNormal(rng, 1);
  v.FillNormal(rng, 1);
  const int64_t batch = static_cast<int64_t>(c.lq.size());
  HostTensor cq(DType::kI32, {batch + 1}), ck(DType::kI32, {batch + 1});
  std::vector<int32_t> cuq = {0}, cuk = {0};
  for (int64_t b = 0; b < batch; ++b) {
    cuq.push_back(cuq.back() + c.lq[b]);
    cuk.push_back(cuk.back() + c.lk[b]);
  }
  cq.SetI32(cuq);
  ck.SetI32(cuk);
  AttentionPrefillArgs a{q.t(),
                         k.t(),
                         v.t(),
                         cq.t(),
                         ck.t(),
                         out.t(),
                         *std::max_element(c.lq.begin(), c.lq.end()),
                         *std::max_element(c.lk.begin(), c.lk.end()),
                         0.0f,
                         c.causal,
                         c.window};
  Status s = cpu::AttentionPrefill(a);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const auto qv = q.Floats(), kv = k.Floats(), vv = v.Floats(), got = out.Floats();
  for (int64_t b = 0; b < batch; ++b) {
    auto slice = [&](const std::vector<float>& t, int64_t row0, int64_t rows, int64_t heads) {
      return std::vector<float>(t.begin() + row0 * heads * c.d,
                                t.begin() + (row0 + rows) * heads * c.d);
    };
    auto want = NaiveAttention(slice(qv, cuq[b], c.lq[b], c.hq), slice(kv, cuk[b], c.lk[b], c.hk),
                               slice(vv, cuk[b], c.lk[b], c.hk), c.lq[b], c.lk[b], c.hq, c.hk, c.d,
                               c.causal, c.window);
    std::vector<float> wantf(want.begin(), want.end());
    EXPECT_LT(Nmse(slice(got, cuq[b], c.lq[b], c.hq), wantf), max_nmse) << "sequence " << b;
  }
}

TEST(CpuPrefillTest, CausalGqaVarlenMatchesNaive) {
  CheckPrefill({{5, 17, 1}, {5, 17, 1}, 4, 2, 8, true, -1}, DType::kF32, 1e-10);
}

TEST(CpuPrefillTest, BottomRightAlignedWhenKeysOutnumberQueries) {
  CheckPrefill({{3, 4}, {10, 4}, 2, 1, 16, true, -1}, DType::kF32, 1e-10);
}

TEST(CpuPrefillTest, SlidingWindowAndNonCausal) {
  CheckPrefill({{40}, {40}, 2, 2, 8, true, 7}, DType::kF32, 1e-10);
  CheckPrefill({{9, 6}, {9, 6}, 3, 1, 4, false, -1}, DType::kF32, 1e-10);
}

TEST(CpuPrefillTest, Bf16InputsStayWithinRounding) {
  CheckPrefill({{33}, {33}, 4, 1, 96, true, -1}, DType::kBF16, 1e-4);
}

// With q = 0 attention is uniform over the visible keys, so v_j = (1, j) makes out = (1, mean
// of visible positions) and reveals the exact window.
TEST(CpuPrefillTest, WindowOf2047SeesKeysFromPMinus2047ToP) {
  const int64_t len = 2049, d = 2;
  const int window = 2047;
  HostTensor q(DType::kF32, {len, 1, d}), k(DType::kF32, {len, 1, d}), v(DType::kF32, {len, 1, d}),
      out(DType::kF32, {len, 1, d}), cu(DType::kI32, {2});
  q.Set(std::vector<float>(len * d, 0.0f));
  k.Set(std::vector<float>(len * d, 0.5f));
  std::vector<float> vv;
  for (int64_t j = 0; j < len; ++j) {
    vv.push_back(1.0f);
    vv.push_back(static_cast<float>(j));
  }
  v.Set(vv);
  cu.SetI32({0, static_cast<int32_t>(len)});
  AttentionPrefillArgs a{
      q.t(), k.t(), v.t(), cu.t(), cu.t(), out.t(), static_cast<int>(len), static_cast<int>(len),
      0,     true,  window};
  ASSERT_TRUE(cpu::AttentionPrefill(a).ok());
  auto o = out.Floats();
  for (int64_t p : {int64_t{0}, int64_t{1}, int64_t{2046}, int64_t{2047}, int64_t{2048}}) {
    const double lo = std::max<int64_t>(0, p - window);
    EXPECT_NEAR(o[p * d + 1], (lo + p) / 2.0, 1e-2) << "p=" << p;
    EXPECT_NEAR(o[p * d], 1.0, 1e-5);
  }
}

TEST(CpuPrefillTest, QueryWithNoVisibleKeyGetsZeros) {
  // Lq = 3 > Lk = 1: the first two queries sit at negative positions.
  HostTensor q(DType::kF32, {3, 1, 2}), k(DType::kF32, {1, 1, 2}), v(DType::kF32, {1, 1, 2}),
      out(DType::kF32, {3, 1, 2}), cq(DType::kI32, {2}), ck(DType::kI32, {2});
  q.Set({1, 1, 1, 1, 1, 1});
  k.Set({1, 1});
  v.Set({3, 4});
  cq.SetI32({0, 3});
  ck.SetI32({0, 1});
  ASSERT_TRUE(cpu::AttentionPrefill({q.t(), k.t(), v.t(), cq.t(), ck.t(), out.t(), 3, 1}).ok());
  EXPECT_EQ(out.Floats(), (std::vector<float>{0, 0, 0, 0, 3, 4}));
}

TEST(CpuPrefillTest, SeqlensDisagreeingWithTokensAreInvalid) {
  HostTensor q(DType::kF32, {4, 1, 2}), out(DType::kF32, {4, 1, 2}), cu(DType::kI32, {2});
  cu.SetI32({0, 3});
  Status s = cpu::AttentionPrefill({q.t(), q.t(), q.t(), cu.t(), cu.t(), out.t(), 4, 4});
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
  cu.SetI32({0, 4});
  s = cpu::AttentionPrefill({q.t(), q.t(), q.t(), cu.t(), cu.t(), out.t(), 2, 4});
  EXPECT_EQ(s.code(), StatusCode::kInvalid);  // longer than the host bound
  EXPECT_NE(s.message().find("host bound"), std::string::npos);
}

// A paged cache filled through KvAppend with a shuffled block placement.
struct PagedCache {
  HostTensor k, v, tables;
  int64_t block_size;
};

PagedCache FillCache(const HostTensor& keys, const HostTensor& values, int64_t seqs, int64_t len,
                     int64_t block_size, int64_t num_blocks, Rng& rng) {
  const int64_t hk = keys.t().shape[1], d = keys.t().shape[2];
  const int64_t per_seq = (len + block_size - 1) / block_size;
  PagedCache c{HostTensor(keys.t().dtype, {num_blocks, block_size, hk, d}),
               HostTensor(keys.t().dtype, {num_blocks, block_size, hk, d}),
               HostTensor(DType::kI32, {seqs, per_seq + 2}), block_size};
  c.k.Set(std::vector<float>(c.k.numel(), NAN));  // unwritten slots must never be read
  c.v.Set(std::vector<float>(c.v.numel(), NAN));
  std::vector<int32_t> blocks(num_blocks);
  std::iota(blocks.begin(), blocks.end(), 0);
  for (int64_t i = num_blocks - 1; i > 0; --i) std::swap(blocks[i], blocks[rng.UniformInt(0, i)]);
  std::vector<int32_t> table(seqs * (per_seq + 2), -7), slots;
  for (int64_t s = 0; s < seqs; ++s) {
    for (int64_t j = 0; j < per_seq; ++j) table[s * (per_seq + 2) + j] = blocks[s * per_seq + j];
    for (int64_t t = 0; t < len; ++t) {
      slots.push_back(table[s * (per_seq + 2) + t / block_size] * block_size + t % block_size);
    }
  }
  c.tables.SetI32(table);
  HostTensor slot(DType::kI32, {seqs * len});
  slot.SetI32(slots);
  Status st = cpu::KvAppend({keys.t(), values.t(), slot.t(), c.k.t(), c.v.t()});
  EXPECT_TRUE(st.ok()) << st.ToString();
  return c;
}

void CheckDecodeMatchesPrefill(int64_t hq, int64_t hk, int64_t d, int64_t len, int window) {
  SCOPED_TRACE(::testing::Message() << "seed=" << kSeed << " len=" << len << " window=" << window);
  Rng rng(kSeed + 1);
  const int64_t seqs = 2, block_size = 16;
  HostTensor q(DType::kF32, {seqs * len, hq, d}), k(DType::kF32, {seqs * len, hk, d}),
      v(DType::kF32, {seqs * len, hk, d}), ref(DType::kF32, {seqs * len, hq, d}),
      cu(DType::kI32, {seqs + 1});
  q.FillNormal(rng, 1);
  k.FillNormal(rng, 1);
  v.FillNormal(rng, 1);
  cu.SetI32({0, static_cast<int32_t>(len), static_cast<int32_t>(2 * len)});
  ASSERT_TRUE(cpu::AttentionPrefill({q.t(), k.t(), v.t(), cu.t(), cu.t(), ref.t(),
                                     static_cast<int>(len), static_cast<int>(len), 0, true, window})
                  .ok());
  PagedCache cache = FillCache(k, v, seqs, len, block_size, seqs * ((len + 15) / 16) + 3, rng);
  // The last query of each sequence.
  HostTensor qd(DType::kF32, {seqs, hq, d}), out(DType::kF32, {seqs, hq, d}),
      lens(DType::kI32, {seqs});
  auto qv = q.Floats();
  std::vector<float> last;
  for (int64_t s = 0; s < seqs; ++s) {
    last.insert(last.end(), qv.begin() + ((s + 1) * len - 1) * hq * d,
                qv.begin() + (s + 1) * len * hq * d);
  }
  qd.Set(last);
  lens.SetI32({static_cast<int32_t>(len), static_cast<int32_t>(len)});
  AttentionDecodeArgs a{qd.t(),   cache.k.t(), cache.v.t(),           cache.tables.t(),
                        lens.t(), out.t(),     static_cast<int>(len), 0.0f,
                        window};
  Status st = cpu::AttentionDecode(a);
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto rv = ref.Floats(), got = out.Floats();
  for (int64_t s = 0; s < seqs; ++s) {
    std::vector<float> want(rv.begin() + ((s + 1) * len - 1) * hq * d,
                            rv.begin() + (s + 1) * len * hq * d);
    std::vector<float> g(got.begin() + s * hq * d, got.begin() + (s + 1) * hq * d);
    EXPECT_LT(Nmse(g, want), 1e-10) << "sequence " << s;
  }
}

TEST(CpuDecodeTest, PagedDecodeEqualsLastPrefillRow) {
  CheckDecodeMatchesPrefill(4, 4, 32, 37, -1);
  CheckDecodeMatchesPrefill(8, 2, 64, 50, -1);  // GQA
  CheckDecodeMatchesPrefill(2, 1, 16, 70, 20);  // sliding window
  CheckDecodeMatchesPrefill(2, 2, 8, 16, -1);   // exactly one full block
}

TEST(CpuDecodeTest, EmptyContextGivesZeros) {
  HostTensor q(DType::kF32, {1, 1, 4}), kc(DType::kF32, {1, 4, 1, 4}), tables(DType::kI32, {1, 1}),
      lens(DType::kI32, {1}), out(DType::kF32, {1, 1, 4});
  q.Set({1, 2, 3, 4});
  out.Set({9, 9, 9, 9});
  tables.SetI32({0});
  lens.SetI32({0});
  ASSERT_TRUE(cpu::AttentionDecode({q.t(), kc.t(), kc.t(), tables.t(), lens.t(), out.t(), 4}).ok());
  EXPECT_EQ(out.Floats(), (std::vector<float>{0, 0, 0, 0}));
}

TEST(CpuDecodeTest, BadBlockIdAndLengthAreInvalid) {
  HostTensor q(DType::kF32, {1, 1, 4}), kc(DType::kF32, {2, 4, 1, 4}), tables(DType::kI32, {1, 2}),
      lens(DType::kI32, {1}), out(DType::kF32, {1, 1, 4});
  tables.SetI32({0, 5});
  lens.SetI32({6});
  Status s = cpu::AttentionDecode({q.t(), kc.t(), kc.t(), tables.t(), lens.t(), out.t(), 8});
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
  EXPECT_NE(s.message().find("block_tables[0][1] = 5"), std::string::npos) << s.message();
  lens.SetI32({9});
  s = cpu::AttentionDecode({q.t(), kc.t(), kc.t(), tables.t(), lens.t(), out.t(), 8});
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
  s = cpu::AttentionDecode({q.t(), kc.t(), kc.t(), tables.t(), lens.t(), out.t(), 9});
  EXPECT_EQ(s.code(), StatusCode::kInvalid);  // 9 > 2 blocks * 4
}

TEST(CpuKvAppendTest, NegativeSlotsSkipAndCacheDtypeRounds) {
  HostTensor k(DType::kF32, {3, 1, 2}), v(DType::kF32, {3, 1, 2}), slots(DType::kI32, {3}),
      kc(DType::kBF16, {2, 2, 1, 2}), vc(DType::kBF16, {2, 2, 1, 2});
  k.Set({1.001f, 2, 3, 4, 5, 6});
  v.Set({-1, -2, -3, -4, -5, -6});
  kc.Set(std::vector<float>(8, 0));
  vc.Set(std::vector<float>(8, 0));
  slots.SetI32({3, -1, 0});
  ASSERT_TRUE(cpu::KvAppend({k.t(), v.t(), slots.t(), kc.t(), vc.t()}).ok());
  EXPECT_EQ(kc.Floats(), (std::vector<float>{5, 6, 0, 0, 0, 0, 1.0f, 2}));  // 1.001 -> bf16 1.0
  EXPECT_EQ(vc.Floats(), (std::vector<float>{-5, -6, 0, 0, 0, 0, -1, -2}));
  slots.SetI32({4, 0, 0});
  Status s = cpu::KvAppend({k.t(), v.t(), slots.t(), kc.t(), vc.t()});
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
}

}  // namespace
}  // namespace kt::kernels
