// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the
// counter-based generator cuRAND and PyTorch use, on the host and in CUDA device code.
// Sampling draws one 32-bit value per (request seed, counter): the same seed and counter give
// the same number on every backend, batch composition and thread count.
//
// Pure functions; thread-safe.
#ifndef KT_KERNELS_PHILOX_H_
#define KT_KERNELS_PHILOX_H_

#include <cstdint>

#include "kernels/dtype.h"  // KT_HD

namespace kt::kernels {

struct PhiloxBlock {
  uint32_t v[4];
};

KT_HD uint32_t PhiloxMulHi(uint32_t a, uint32_t b) {
#if defined(__CUDA_ARCH__)
  return __umulhi(a, b);
#else
  return static_cast<uint32_t>((static_cast<uint64_t>(a) * b) >> 32);
#endif
}

// counter = (c0, c1, c2, c3), key = (k0, k1); returns the 4 output words.
KT_HD PhiloxBlock Philox4x32x10(PhiloxBlock ctr, uint32_t k0, uint32_t k1) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += kW0;
      k1 += kW1;
    }
    uint32_t hi0 = PhiloxMulHi(kM0, ctr.v[0]);
    uint32_t lo0 = kM0 * ctr.v[0];
    uint32_t hi1 = PhiloxMulHi(kM1, ctr.v[2]);
    uint32_t lo1 = kM1 * ctr.v[2];
    PhiloxBlock next;
    next.v[0] = hi1 ^ ctr.v[1] ^ k0;
    next.v[1] = lo1;
    next.v[2] = hi0 ^ ctr.v[3] ^ k1;
    next.v[3] = lo0;
    ctr = next;
  }
  return ctr;
}

// The sampling draw: word 0 of Philox(counter = (offset lo, offset hi, 0, 0),
// key = (seed lo, seed hi)).
KT_HD uint32_t PhiloxDraw(uint64_t seed, uint64_t offset) {
  PhiloxBlock ctr;
  ctr.v[0] = static_cast<uint32_t>(offset);
  ctr.v[1] = static_cast<uint32_t>(offset >> 32);
  ctr.v[2] = 0;
  ctr.v[3] = 0;
  return Philox4x32x10(ctr, static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)).v[0];
}

}  // namespace kt::kernels

#endif  // KT_KERNELS_PHILOX_H_
