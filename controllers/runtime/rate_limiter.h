// Rate limiters of the work queue, with client-go's defaults
// (workqueue.DefaultTypedControllerRateLimiter):
//   ItemBackoff  - per item: base * 2^failures, capped (5 ms .. 1000 s). Forget() resets it.
//   TokenBucket  - overall: qps tokens per second with a burst (10 qps, burst 100); a caller
//                  that finds the bucket empty gets the wait until its token is due (the
//                  reservation semantics of golang.org/x/time/rate).
//   RateLimiter  - the controller default: the longer wait of the two.
// Time comes from the Env. Thread-safe.
#ifndef KT_CONTROLLERS_RUNTIME_RATE_LIMITER_H_
#define KT_CONTROLLERS_RUNTIME_RATE_LIMITER_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "base/env.h"

namespace kt::ctrl {

struct RateLimiterOptions {
  Duration item_base_delay = std::chrono::milliseconds(5);
  Duration item_max_delay = std::chrono::seconds(1000);
  double overall_qps = 10;   // <= 0 disables the overall bucket
  int64_t overall_burst = 100;
};

class ItemBackoff {
 public:
  ItemBackoff(Duration base, Duration max) : base_(base), max_(max) {}
  // The delay before `key` may be retried; each call counts one more failure.
  Duration When(const std::string& key);
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const;
  size_t tracked_items() const;

 private:
  Duration base_;
  Duration max_;
  mutable std::mutex mu_;
  std::map<std::string, int> failures_;  // guarded by mu_; one entry per failing key
};

class TokenBucket {
 public:
  TokenBucket(Env& env, double qps, int64_t burst);
  // Takes one token and returns how long the caller must wait for it (0 when one was there).
  Duration Reserve();

 private:
  Env& env_;
  double qps_;
  double burst_;
  std::mutex mu_;
  double tokens_;  // guarded by mu_; negative while reservations are outstanding
  Time last_;      // guarded by mu_
};

class RateLimiter {
 public:
  RateLimiter(Env& env, const RateLimiterOptions& options);
  Duration When(const std::string& key);
  void Forget(const std::string& key) { items_.Forget(key); }
  int NumRequeues(const std::string& key) const { return items_.NumRequeues(key); }

 private:
  ItemBackoff items_;
  bool overall_enabled_;
  TokenBucket overall_;
};

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_RATE_LIMITER_H_
