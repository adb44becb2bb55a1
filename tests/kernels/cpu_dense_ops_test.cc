// Specification of the CPU reference's dense ops against independent, straightforward
// fp64 re-derivations: GEMM (f32 through OpenBLAS, bf16/f16/fp8 weights through widened panels,
// bias/alpha/beta, strided views), RMSNorm (+ fused residual, in place), RoPE (NeoX layout,
// relative-position property), SiLU-mul, embedding gather, LoRA BGMV. Bad inputs are Invalid.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/cpu/cpu_ops.h"
#include "tests/kernels/host_tensor.h"

namespace kt::kernels {
namespace {

using testing::HostTensor;
using testing::Nmse;

constexpr uint64_t kSeed = 1234567;

std::vector<double> NaiveGemm(const std::vector<float>& x, const std::vector<float>& w, int64_t m,
                              int64_t n, int64_t k) {
  std::vector<double> y(m * n, 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t l = 0; l < k; ++l)
        y[i * n + j] += static_cast<double>(x[i * k + l]) * w[j * k + l];
  return y;
}

TEST(CpuGemmTest, F32MatchesNaiveWithBiasAlphaAndBeta) {
  SCOPED_TRACE(::testing::Message() << "seed=" << kSeed);
  Rng rng(kSeed);
  const int64_t m = 5, n = 7, k = 13;
  HostTensor x(DType::kF32, {m, k}), w(DType::kF32, {n, k}), bias(DType::kF32, {n}),
      y(DType::kF32, {m, n});
  x.FillUniform(rng, -1, 1);
  w.FillUniform(rng, -1, 1);
  bias.FillUniform(rng, -1, 1);
  y.FillUniform(rng, -1, 1);
  const auto y0 = y.Floats();
  GemmArgs a{x.t(), w.t(), bias.t(), y.t(), 0.5f, 2.0f};
  ASSERT_TRUE(cpu::Gemm(a).ok());
  auto ref = NaiveGemm(x.Floats(), w.Floats(), m, n, k);
  auto got = y.Floats();
  auto b = bias.Floats();
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      EXPECT_NEAR(got[i * n + j], 0.5 * ref[i * n + j] + b[j] + 2.0 * y0[i * n + j], 1e-5);
}

TEST(CpuGemmTest, Bf16WeightsAcrossSeveralPanelsRoundOutputOnce) {
  Rng rng(kSeed + 1);
  // K = 4096 makes a 1 MiB panel 64 rows; N = 300 needs five panels, the last partial.
  const int64_t m = 3, n = 300, k = 4096;
  HostTensor x(DType::kBF16, {m, k}), w(DType::kBF16, {n, k}), y(DType::kBF16, {m, n});
  x.FillUniform(rng, -1, 1);
  w.FillUniform(rng, -1, 1);
  GemmArgs a{x.t(), w.t(), {}, y.t()};
  ASSERT_TRUE(cpu::Gemm(a).ok());
  auto ref = NaiveGemm(x.Floats(), w.Floats(), m, n, k);
  auto got = y.Floats();
  for (size_t i = 0; i < got.size(); ++i) {
    // One bf16 rounding: relative error <= 2^-8 (plus fp32 summation noise).
    EXPECT_NEAR(got[i], ref[i], std::fabs(ref[i]) * 0.0040 + 1e-3) << i;
  }
}

TEST(CpuGemmTest, Fp8WeightsUseAlphaAsDequantScale) {
  Rng rng(kSeed + 2);
  const int64_t m = 2, n = 9, k = 32;
  HostTensor x(DType::kF32, {m, k}), w(DType::kF8E4M3, {n, k}), y(DType::kF32, {m, n});
  x.FillUniform(rng, -1, 1);
  w.FillUniform(rng, -8, 8);
  GemmArgs a{x.t(), w.t(), {}, y.t(), 0.25f};
  ASSERT_TRUE(cpu::Gemm(a).ok());
  auto ref = NaiveGemm(x.Floats(), w.Floats(), m, n, k);
  auto got = y.Floats();
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], 0.25 * ref[i], 1e-4);
}

TEST(CpuGemmTest, StridedOutputViewLeavesNeighbouringColumnsAlone) {
  Rng rng(kSeed + 3);
  const int64_t m = 4, n = 3, k = 8;
  HostTensor x(DType::kF32, {m, k}), w(DType::kF32, {n, k}), wide(DType::kF32, {m, 10});
  x.FillUniform(rng, -1, 1);
  w.FillUniform(rng, -1, 1);
  wide.Set(std::vector<float>(m * 10, 7.0f));
  Tensor y = MakeStridedTensor(wide.t().at(0, 2), DType::kF32, {m, n}, {10, 1});
  ASSERT_TRUE(cpu::Gemm({x.t(), w.t(), {}, y}).ok());
  auto got = wide.Floats();
  auto ref = NaiveGemm(x.Floats(), w.Floats(), m, n, k);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < 10; ++j) {
      if (j >= 2 && j < 5) {
        EXPECT_NEAR(got[i * 10 + j], ref[i * n + j - 2], 1e-5);
      } else {
        EXPECT_EQ(got[i * 10 + j], 7.0f);
      }
    }
  }
}

TEST(CpuGemmTest, MismatchedInnerDimIsInvalid) {
  HostTensor x(DType::kF32, {2, 3}), w(DType::kF32, {4, 5}), y(DType::kF32, {2, 4});
  Status s = cpu::Gemm({x.t(), w.t(), {}, y.t()});
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
}

TEST(CpuRmsNormTest, NormalisesByRootMeanSquareTimesWeight) {
  Rng rng(kSeed + 4);
  const int64_t t = 3, h = 37;
  HostTensor x(DType::kF32, {t, h}), w(DType::kF32, {h}), out(DType::kF32, {t, h});
  x.FillUniform(rng, -2, 2);
  w.FillUniform(rng, 0.5, 1.5);
  ASSERT_TRUE(cpu::RmsNorm({x.t(), {}, w.t(), out.t(), 1e-5f}).ok());
  auto xv = x.Floats(), wv = w.Floats(), ov = out.Floats();
  for (int64_t i = 0; i < t; ++i) {
    double ss = 0;
    for (int64_t j = 0; j < h; ++j) ss += static_cast<double>(xv[i * h + j]) * xv[i * h + j];
    const double inv = 1.0 / std::sqrt(ss / h + 1e-5);
    for (int64_t j = 0; j < h; ++j) EXPECT_NEAR(ov[i * h + j], xv[i * h + j] * inv * wv[j], 1e-5);
  }
}

TEST(CpuRmsNormTest, FusedResidualStoresRoundedSumAndNormalisesIt) {
  Rng rng(kSeed + 5);
  const int64_t t = 2, h = 64;
  HostTensor x(DType::kBF16, {t, h}), r(DType::kBF16, {t, h}), w(DType::kBF16, {h});
  x.FillUniform(rng, -2, 2);
  r.FillUniform(rng, -2, 2);
  w.FillUniform(rng, 0.5, 1.5);
  const auto xv = x.Floats(), rv = r.Floats(), wv = w.Floats();
  // In place: out aliases x.
  ASSERT_TRUE(cpu::RmsNorm({x.t(), r.t(), w.t(), x.t(), 1e-6f}).ok());
  auto sum = r.Floats(), ov = x.Floats();
  for (int64_t i = 0; i < t; ++i) {
    double ss = 0;
    for (int64_t j = 0; j < h; ++j) {
      const float s = BF16::FromFloat(xv[i * h + j] + rv[i * h + j]).ToFloat();
      ASSERT_EQ(sum[i * h + j], s);
      ss += static_cast<double>(s) * s;
    }
    const double inv = 1.0 / std::sqrt(ss / h + 1e-6);
    for (int64_t j = 0; j < h; ++j) {
      const double want = sum[i * h + j] * inv * wv[j];
      EXPECT_NEAR(ov[i * h + j], want, std::fabs(want) * 0.004 + 1e-6);
    }
  }
}

TEST(CpuRmsNormTest, ResidualAliasingOutIsInvalid) {
  HostTensor x(DType::kF32, {1, 4}), r(DType::kF32, {1, 4}), w(DType::kF32, {4});
  Status s = cpu::RmsNorm({x.t(), r.t(), w.t(), r.t(), 1e-5f});
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
}

TEST(CpuRopeTest, RotatesHalvesByPositionTimesFrequency) {
  Rng rng(kSeed + 6);
  const int64_t t = 3, hq = 2, hk = 1, d = 8;
  HostTensor q(DType::kF32, {t, hq, d}), k(DType::kF32, {t, hk, d}), pos(DType::kI32, {t}),
      inv(DType::kF32, {d / 2});
  q.FillUniform(rng, -1, 1);
  k.FillUniform(rng, -1, 1);
  pos.SetI32({0, 5, 1000});
  inv.Set({1.0f, 0.1f, 0.01f, 0.001f});
  const auto q0 = q.Floats(), k0 = k.Floats();
  ASSERT_TRUE(cpu::Rope({q.t(), k.t(), pos.t(), inv.t(), 1.25f}).ok());
  const auto q1 = q.Floats(), k1 = k.Floats();
  const std::vector<int> positions = {0, 5, 1000};
  const std::vector<double> f = {1.0, 0.1, 0.01, 0.001};
  auto check = [&](const std::vector<float>& before, const std::vector<float>& after,
                   int64_t heads) {
    for (int64_t i = 0; i < t; ++i)
      for (int64_t h = 0; h < heads; ++h)
        for (int64_t j = 0; j < d / 2; ++j) {
          const double ang = static_cast<float>(positions[i]) * static_cast<float>(f[j]);
          const double c = std::cos(ang) * 1.25, s = std::sin(ang) * 1.25;
          const int64_t base = (i * heads + h) * d;
          const double x1 = before[base + j], x2 = before[base + j + d / 2];
          EXPECT_NEAR(after[base + j], x1 * c - x2 * s, 2e-5);
          EXPECT_NEAR(after[base + j + d / 2], x2 * c + x1 * s, 2e-5);
        }
  };
  check(q0, q1, hq);
  check(k0, k1, hk);
}

TEST(CpuRopeTest, ScoresDependOnlyOnRelativePosition) {
  Rng rng(kSeed + 7);
  const int64_t d = 16;
  HostTensor q(DType::kF32, {2, 1, d}), k(DType::kF32, {2, 1, d}), pos(DType::kI32, {2}),
      inv(DType::kF32, {d / 2});
  std::vector<float> qv(d), kv(d);
  for (auto& v : qv) v = static_cast<float>(rng.Uniform() - 0.5);
  for (auto& v : kv) v = static_cast<float>(rng.Uniform() - 0.5);
  std::vector<float> f(d / 2);
  for (int64_t i = 0; i < d / 2; ++i) f[i] = static_cast<float>(std::pow(10000.0, -2.0 * i / d));
  inv.Set(f);
  std::vector<float> qq(qv), kk(kv);
  qq.insert(qq.end(), qv.begin(), qv.end());
  kk.insert(kk.end(), kv.begin(), kv.end());
  q.Set(qq);
  k.Set(kk);
  // Row 0: q at 10, k at 7. Row 1: q at 110, k at 107 (same distance).
  pos.SetI32({10, 110});
  ASSERT_TRUE(cpu::Rope({q.t(), {}, pos.t(), inv.t()}).ok());
  pos.SetI32({7, 107});
  ASSERT_TRUE(cpu::Rope({k.t(), {}, pos.t(), inv.t()}).ok());
  auto qr = q.Floats(), kr = k.Floats();
  double s0 = 0, s1 = 0;
  for (int64_t i = 0; i < d; ++i) {
    s0 += qr[i] * kr[i];
    s1 += qr[d + i] * kr[d + i];
  }
  EXPECT_NEAR(s0, s1, 1e-4);
}

TEST(CpuRopeTest, NegativePositionIsInvalid) {
  HostTensor q(DType::kF32, {1, 1, 4}), pos(DType::kI32, {1}), inv(DType::kF32, {2});
  pos.SetI32({-1});
  Status s = cpu::Rope({q.t(), {}, pos.t(), inv.t()});
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
  EXPECT_NE(s.message().find("negative"), std::string::npos);
}

TEST(CpuSiluMulTest, GateIsTheFirstHalf) {
  HostTensor gu(DType::kF32, {1, 4}), out(DType::kF32, {1, 2});
  gu.Set({1.0f, -2.0f, 3.0f, 5.0f});
  ASSERT_TRUE(cpu::SiluMul({gu.t(), out.t()}).ok());
  auto o = out.Floats();
  EXPECT_NEAR(o[0], 1.0 / (1.0 + std::exp(-1.0)) * 3.0, 1e-6);
  EXPECT_NEAR(o[1], -2.0 / (1.0 + std::exp(2.0)) * 5.0, 1e-6);
}

TEST(CpuEmbeddingTest, GathersRowsAndConvertsDtype) {
  HostTensor ids(DType::kI32, {3}), table(DType::kBF16, {4, 2}), out(DType::kF32, {3, 2});
  table.Set({0, 1, 10, 11, 20, 21, 30, 31});
  ids.SetI32({3, 0, 3});
  ASSERT_TRUE(cpu::Embedding({ids.t(), table.t(), out.t()}).ok());
  EXPECT_EQ(out.Floats(), (std::vector<float>{30, 31, 0, 1, 30, 31}));
}

TEST(CpuEmbeddingTest, OutOfVocabularyIdIsInvalid) {
  HostTensor ids(DType::kI32, {2}), table(DType::kF32, {4, 2}), out(DType::kF32, {2, 2});
  ids.SetI32({1, 4});
  Status s = cpu::Embedding({ids.t(), table.t(), out.t()});
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
  EXPECT_NE(s.message().find("ids[1] = 4 is outside the vocabulary [0, 4)"), std::string::npos)
      << s.message();
}

TEST(CpuLoraTest, EachRowUsesItsAdapterAndStrength) {
  Rng rng(kSeed + 8);
  const int64_t b = 3, k = 16, r = 4, n = 6, adapters = 2;
  HostTensor x(DType::kF32, {b, k}), la(DType::kF32, {adapters, r, k}),
      lb(DType::kF32, {adapters, n, r}), idx(DType::kI32, {b}), sc(DType::kF32, {b}),
      scratch(DType::kF32, {b, r}), y(DType::kF32, {b, n});
  x.FillUniform(rng, -1, 1);
  la.FillUniform(rng, -1, 1);
  lb.FillUniform(rng, -1, 1);
  y.FillUniform(rng, -1, 1);
  idx.SetI32({1, -1, 0});
  sc.Set({0.5f, 9.0f, 2.0f});
  const auto y0 = y.Floats(), xv = x.Floats(), av = la.Floats(), bv = lb.Floats();
  ASSERT_TRUE(cpu::LoraBgmv({x.t(), la.t(), lb.t(), idx.t(), sc.t(), scratch.t(), y.t()}).ok());
  const auto got = y.Floats();
  const std::vector<int> ad = {1, -1, 0};
  const std::vector<double> s = {0.5, 9.0, 2.0};
  for (int64_t row = 0; row < b; ++row) {
    for (int64_t j = 0; j < n; ++j) {
      double want = y0[row * n + j];
      if (ad[row] >= 0) {
        for (int64_t q = 0; q < r; ++q) {
          double t = 0;
          for (int64_t l = 0; l < k; ++l) t += xv[row * k + l] * av[(ad[row] * r + q) * k + l];
          want += s[row] * t * bv[(ad[row] * n + j) * r + q];
        }
      }
      EXPECT_NEAR(got[row * n + j], want, 1e-4) << row << "," << j;
    }
  }
}

TEST(CpuLoraTest, AdapterIndexPastTheStackIsInvalid) {
  HostTensor x(DType::kF32, {1, 4}), la(DType::kF32, {1, 2, 4}), lb(DType::kF32, {1, 3, 2}),
      idx(DType::kI32, {1}), sc(DType::kF32, {1}), scratch(DType::kF32, {1, 2}),
      y(DType::kF32, {1, 3});
  idx.SetI32({1});
  Status s = cpu::LoraBgmv({x.t(), la.t(), lb.t(), idx.t(), sc.t(), scratch.t(), y.t()});
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
}

}  // namespace
}  // namespace kt::kernels
