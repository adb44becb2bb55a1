// Rng: a small, portable, seeded generator (xoshiro256**) with the distributions the twin
// needs. Distributions are implemented here rather than with <random>'s, whose outputs differ
// between standard libraries: a seed must give the same trace on every build.
//
// Not thread-safe; every component draws from its own named stream (Env::Random).
#ifndef KT_BASE_RANDOM_H_
#define KT_BASE_RANDOM_H_

#include <cstdint>
#include <string_view>

namespace kt {

// 64-bit FNV-1a, used to derive stream seeds from names.
uint64_t Fnv1a64(std::string_view data);
// SplitMix64 step: a well-mixed 64-bit value from a counter state.
uint64_t SplitMix64(uint64_t& state);

class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t Next();
  // Uniform in [0, 1).
  double Uniform();
  // Uniform integer in [lo, hi] (inclusive). REQUIRES: lo <= hi.
  int64_t UniformInt(int64_t lo, int64_t hi);
  bool Bernoulli(double p);
  // Standard normal via Box-Muller (one draw per call; the pair's partner is discarded so
  // the stream position does not depend on call history).
  double Normal(double mean, double stddev);
  // exp(Normal(mu, sigma)): delays with a long right tail (VM boot, image pulls).
  double LogNormal(double mu, double sigma);
  double Exponential(double mean);

 private:
  uint64_t s_[4];
};

}  // namespace kt

#endif  // KT_BASE_RANDOM_H_
