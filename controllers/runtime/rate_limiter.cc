#include "controllers/runtime/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace kt::ctrl {

Duration ItemBackoff::When(const std::string& key) {
  int failures;
  {
    std::lock_guard<std::mutex> lock(mu_);
    failures = failures_[key]++;
  }
  // base * 2^failures in floating point, so a long failure streak saturates instead of
  // overflowing.
  const double delay_ns = static_cast<double>(base_.count()) * std::pow(2.0, failures);
  if (delay_ns >= static_cast<double>(max_.count())) return max_;
  return Duration(static_cast<int64_t>(delay_ns));
}

void ItemBackoff::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.erase(key);
}

int ItemBackoff::NumRequeues(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

size_t ItemBackoff::tracked_items() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failures_.size();
}

TokenBucket::TokenBucket(Env& env, double qps, int64_t burst)
    : env_(env),
      qps_(qps),
      burst_(static_cast<double>(std::max<int64_t>(burst, 1))),
      tokens_(burst_),
      last_(env.Now()) {}

Duration TokenBucket::Reserve() {
  std::lock_guard<std::mutex> lock(mu_);
  const Time now = env_.Now();
  if (now > last_) {
    tokens_ = std::min(burst_, tokens_ + ToSeconds(now - last_) * qps_);
    last_ = now;
  }
  tokens_ -= 1;
  if (tokens_ >= 0) return Duration(0);
  return FromSeconds(-tokens_ / qps_);
}

RateLimiter::RateLimiter(Env& env, const RateLimiterOptions& options)
    : items_(options.item_base_delay, options.item_max_delay),
      overall_enabled_(options.overall_qps > 0),
      overall_(env, options.overall_qps > 0 ? options.overall_qps : 1, options.overall_burst) {}

Duration RateLimiter::When(const std::string& key) {
  Duration item = items_.When(key);
  if (!overall_enabled_) return item;
  return std::max(item, overall_.Reserve());
}

}  // namespace kt::ctrl
