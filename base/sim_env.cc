#include "base/sim_env.h"

#include "base/check.h"

namespace kt {

SimEnv::SimEnv(Options options) : options_(options), now_(options.start) {}

SimEnv::~SimEnv() = default;

Env::TimerId SimEnv::Schedule(Duration delay, std::function<void()> fn) {
  KT_CHECK(delay >= Duration(0)) << "negative delay";
  const TimerId id = next_seq_++;
  queue_.push(Event{now_ + delay, id, id});
  callbacks_.emplace(id, std::move(fn));
  return id;
}

bool SimEnv::Cancel(TimerId id) {
  auto it = callbacks_.find(id);
  if (it == callbacks_.end()) return false;
  callbacks_.erase(it);
  cancelled_.insert(id);
  return true;
}

Rng& SimEnv::Random(std::string_view stream) {
  auto it = streams_.find(stream);
  if (it != streams_.end()) return *it->second;
  uint64_t state = options_.seed ^ Fnv1a64(stream);
  auto rng = std::make_unique<Rng>(SplitMix64(state));
  Rng& ref = *rng;
  streams_.emplace(std::string(stream), std::move(rng));
  return ref;
}

bool SimEnv::Buggify(std::string_view site, double probability) {
  // Off, a fault point costs a call: the API server asks three on every write.
  if (!options_.faults_enabled) return false;
  auto it = sites_.find(site);
  if (it == sites_.end()) {
    // Whether a site is enabled depends only on (seed, site), not on the order of asking.
    uint64_t state = options_.seed ^ Fnv1a64(site) ^ 0x5bd1e995ULL;
    Rng decide(SplitMix64(state));
    SiteStats stats;
    stats.enabled = decide.Uniform() < options_.site_enable_probability;
    it = sites_.emplace(std::string(site), stats).first;
  }
  SiteStats& stats = it->second;
  ++stats.asked;
  if (!stats.enabled) return false;
  // Each site draws from its own stream so adding a site elsewhere changes nothing here.
  std::string stream = "buggify/";
  stream += site;
  if (!Random(stream).Bernoulli(probability)) return false;
  ++stats.fired;
  return true;
}

void SimEnv::StartThread(std::string name, std::function<void()>) {
  KT_CHECK(false) << "SimEnv is single-threaded; StartThread(" << name << ") is a bug";
}

void SimEnv::SleepFor(Duration) {
  KT_CHECK(false) << "SimEnv cannot block; schedule a timer instead";
}

bool SimEnv::Step() {
  while (!queue_.empty()) {
    Event ev = queue_.top();
    queue_.pop();
    if (cancelled_.erase(ev.id) > 0) continue;
    auto it = callbacks_.find(ev.id);
    KT_CHECK(it != callbacks_.end());
    std::function<void()> fn = std::move(it->second);
    callbacks_.erase(it);
    if (ev.when > now_) now_ = ev.when;
    ++events_run_;
    fn();
    return true;
  }
  return false;
}

bool SimEnv::RunUntil(const std::function<bool()>& pred, Duration time_max,
                      uint64_t events_max) {
  const Time deadline = now_ + time_max;
  for (uint64_t n = 0; n < events_max; ++n) {
    if (pred()) return true;
    // Skip cancelled heads so the deadline test sees the real next event.
    while (!queue_.empty() && cancelled_.count(queue_.top().id) > 0) {
      cancelled_.erase(queue_.top().id);
      queue_.pop();
    }
    if (queue_.empty() || queue_.top().when > deadline) {
      if (pred()) return true;
      if (now_ < deadline) now_ = deadline;  // nothing happens before the deadline
      return false;
    }
    Step();
  }
  return pred();
}

void SimEnv::RunFor(Duration d) {
  const Time deadline = now_ + d;
  RunUntil([] { return false; }, d);
  if (now_ < deadline) now_ = deadline;
}

bool SimEnv::RunUntilIdle(uint64_t events_max) {
  for (uint64_t n = 0; n < events_max; ++n) {
    if (!Step()) return true;
  }
  return false;
}

}  // namespace kt
