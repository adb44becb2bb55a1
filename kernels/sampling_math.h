// The integer arithmetic both sampling backends share (kernels/cpu/sampling.cc and
// kernels/cuda/sampling.cu), so that the same inputs and draw pick the same token:
//   * OrderedKey maps a float to a uint32 whose unsigned order is the float order, so
//     thresholds (top-k, top-p) are exact radix selections on integers;
//   * every candidate's weight is a fixed-point integer q = trunc(exp(z - zmax) * 2^31), so
//     masses are exact integer sums, independent of summation order;
//   * the draw picks the first token (in vocabulary order) whose inclusive prefix mass exceeds
//     target = floor(mass * draw / 2^32).
// Tokens with exp(z - zmax) < 2^-31 get weight 0 and are never sampled.
//
// Pure functions; thread-safe.
#ifndef KT_KERNELS_SAMPLING_MATH_H_
#define KT_KERNELS_SAMPLING_MATH_H_

#include <cstdint>

#include "kernels/dtype.h"

namespace kt::kernels {

KT_HD uint32_t OrderedKey(float f) {
  uint32_t u = BitsOfFloat(f);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

KT_HD float FloatOfOrderedKey(uint32_t key) {
  return FloatOfBits((key & 0x80000000u) ? (key & 0x7fffffffu) : ~key);
}

// e in [0, 1] -> [0, 2^31].
KT_HD uint32_t SampleWeight(float e) { return static_cast<uint32_t>(e * 2147483648.0f); }

// floor(mass * draw / 2^32) < mass.
KT_HD uint64_t SampleTarget(uint64_t mass, uint32_t draw) {
#if defined(__CUDA_ARCH__)
  return __umul64hi(mass, static_cast<uint64_t>(draw) << 32);
#else
  return static_cast<uint64_t>((static_cast<unsigned __int128>(mass) * draw) >> 32);
#endif
}

// The mass top-p must reach: ceil(mass * top_p), in [1, mass].
KT_HD uint64_t TopPNeed(uint64_t mass, float top_p) {
  double need = static_cast<double>(mass) * static_cast<double>(top_p);
  uint64_t n = static_cast<uint64_t>(need);
  if (static_cast<double>(n) < need) ++n;
  if (n < 1) n = 1;
  if (n > mass) n = mass;
  return n;
}

}  // namespace kt::kernels

#endif  // KT_KERNELS_SAMPLING_MATH_H_
