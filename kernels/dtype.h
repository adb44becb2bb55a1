// Element types of kernel tensors, and the 16-bit and 8-bit float formats as plain value types
// usable on the host and in CUDA device code.
//
// BF16 and F16 convert from float with round-to-nearest-even (ties to even), keep NaN a quiet
// NaN and overflow to infinity, exactly as PyTorch's .to(torch.bfloat16 / torch.float16) does.
// F16 handles subnormals. F8E4M3 is the OCP "e4m3fn" format (bias 7, no infinities, one NaN
// pattern per sign, largest finite 448); float -> e4m3 rounds to nearest even and SATURATES to
// +-448 (NVIDIA's __NV_SATFINITE behaviour), NaN stays NaN.
//
// All functions are pure and thread-safe. The structs are layout-compatible with
// __nv_bfloat16, __half and __nv_fp8_e4m3 (same size, same bits).
#ifndef KT_KERNELS_DTYPE_H_
#define KT_KERNELS_DTYPE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__CUDACC__)
#define KT_HD __host__ __device__ __forceinline__
#else
#define KT_HD inline
#endif

namespace kt::kernels {

enum class DType : uint8_t {
  kF32 = 0,
  kBF16,
  kF16,
  kF8E4M3,  // storage only (weights, KV cache); computed in fp32
  kI32,     // token ids, positions, block tables, offsets
  kI64,     // Philox seeds and counters (bit pattern of a uint64)
};

inline constexpr int kDTypeCount = 6;

std::string_view DTypeName(DType t);  // "f32", "bf16", "f16", "f8e4m3", "i32", "i64"

constexpr size_t DTypeSize(DType t) {
  switch (t) {
    case DType::kF32:
      return 4;
    case DType::kBF16:
      return 2;
    case DType::kF16:
      return 2;
    case DType::kF8E4M3:
      return 1;
    case DType::kI32:
      return 4;
    case DType::kI64:
      return 8;
  }
  return 0;
}

constexpr bool IsFloatType(DType t) {
  return t == DType::kF32 || t == DType::kBF16 || t == DType::kF16 || t == DType::kF8E4M3;
}

KT_HD uint32_t BitsOfFloat(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
#endif
}

KT_HD float FloatOfBits(uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float f;
  std::memcpy(&f, &u, 4);
  return f;
#endif
}

// bfloat16: the top 16 bits of an IEEE float32.
struct BF16 {
  uint16_t bits = 0;

  static KT_HD BF16 FromBits(uint16_t b) {
    BF16 r;
    r.bits = b;
    return r;
  }
  static KT_HD BF16 FromFloat(float f) {
    uint32_t u = BitsOfFloat(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) {  // NaN: keep sign, force quiet
      return FromBits(static_cast<uint16_t>((u >> 16) | 0x0040u));
    }
    uint32_t rounding = 0x7fffu + ((u >> 16) & 1u);  // ties to even
    return FromBits(static_cast<uint16_t>((u + rounding) >> 16));
  }
  KT_HD float ToFloat() const { return FloatOfBits(static_cast<uint32_t>(bits) << 16); }
};

// IEEE 754 binary16.
struct F16 {
  uint16_t bits = 0;

  static KT_HD F16 FromBits(uint16_t b) {
    F16 r;
    r.bits = b;
    return r;
  }
  static KT_HD F16 FromFloat(float f) {
    uint32_t u = BitsOfFloat(f);
    uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
    uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u) return FromBits(sign | 0x7e00u);   // NaN
    if (a >= 0x477ff000u) return FromBits(sign | 0x7c00u);  // rounds to >= 65520: inf
    if (a < 0x38800000u) {  // below the smallest normal half (2^-14): subnormal or zero
      if (a < 0x33000000u) return FromBits(sign);  // < 2^-25 rounds to zero (tie at 2^-25 -> 0)
      uint32_t exp = a >> 23;
      uint32_t mant = (a & 0x7fffffu) | 0x800000u;
      // value = mant * 2^(exp-150); in units of 2^-24 that drops (126 - exp) low bits.
      uint32_t total = 126u - exp;
      uint32_t q = mant >> total;
      uint32_t rem = mant & ((1u << total) - 1u);
      uint32_t half = 1u << (total - 1u);
      if (rem > half || (rem == half && (q & 1u))) ++q;
      return FromBits(static_cast<uint16_t>(sign | q));
    }
    // Normal: rebias exponent (127 -> 15) and round the 23-bit mantissa to 10 bits.
    uint32_t r = a - 0x38000000u;  // exponent - 112 in place
    uint32_t rounding = 0xfffu + ((r >> 13) & 1u);
    r += rounding;
    return FromBits(static_cast<uint16_t>(sign | (r >> 13)));
  }
  KT_HD float ToFloat() const {
    uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
    uint32_t exp = (bits >> 10) & 0x1fu;
    uint32_t mant = bits & 0x3ffu;
    if (exp == 0x1fu) return FloatOfBits(sign | 0x7f800000u | (mant << 13));  // inf / NaN
    if (exp == 0) {
      if (mant == 0) return FloatOfBits(sign);
      // subnormal: mant * 2^-24
      float v = static_cast<float>(mant) * 5.9604644775390625e-08f;
      return sign ? -v : v;
    }
    return FloatOfBits(sign | ((exp + 112u) << 23) | (mant << 13));
  }
};

// OCP FP8 E4M3 ("e4m3fn").
struct F8E4M3 {
  uint8_t bits = 0;

  static KT_HD F8E4M3 FromBits(uint8_t b) {
    F8E4M3 r;
    r.bits = b;
    return r;
  }
  static KT_HD F8E4M3 FromFloat(float f) {
    uint32_t u = BitsOfFloat(f);
    uint8_t sign = static_cast<uint8_t>((u >> 24) & 0x80u);
    uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u) return FromBits(sign | 0x7fu);   // NaN
    if (a >= 0x43e00000u) return FromBits(sign | 0x7eu);  // >= 448 (and inf): saturate
    if (a < 0x3c800000u) {                                // below 2^-6: subnormal, unit 2^-9
      if (a < 0x3a800000u) return FromBits(sign);  // < 2^-10 (half the smallest subnormal): 0
      uint32_t exp = a >> 23;
      uint32_t mant = (a & 0x7fffffu) | 0x800000u;
      uint32_t total = 141u - exp;  // value = mant * 2^(exp-150); unit 2^-9 drops 141-exp bits
      uint32_t q = mant >> total;
      uint32_t rem = mant & ((1u << total) - 1u);
      uint32_t half = 1u << (total - 1u);
      if (rem > half || (rem == half && (q & 1u))) ++q;
      return FromBits(static_cast<uint8_t>(sign | q));
    }
    uint32_t r = a - 0x3c000000u;  // rebias 127 -> 7 (subtract 120 << 23)
    uint32_t rounding = 0x7ffffu + ((r >> 20) & 1u);
    r += rounding;
    uint32_t v = r >> 20;
    if (v > 0x7eu) v = 0x7eu;  // rounding up past 448 saturates
    return FromBits(static_cast<uint8_t>(sign | v));
  }
  KT_HD float ToFloat() const {
    uint32_t sign = static_cast<uint32_t>(bits & 0x80u) << 24;
    uint32_t exp = (bits >> 3) & 0xfu;
    uint32_t mant = bits & 0x7u;
    if (exp == 0xfu && mant == 0x7u) return FloatOfBits(sign | 0x7fc00000u);  // NaN
    if (exp == 0) {
      float v = static_cast<float>(mant) * 0.001953125f;  // 2^-9
      return sign ? -v : v;
    }
    return FloatOfBits(sign | ((exp + 120u) << 23) | (mant << 20));
  }
};

static_assert(sizeof(BF16) == 2 && sizeof(F16) == 2 && sizeof(F8E4M3) == 1);

}  // namespace kt::kernels

#endif  // KT_KERNELS_DTYPE_H_
