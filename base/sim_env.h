// SimEnv: deterministic simulation Env (see base/env.h).
//
// The clock starts at a fixed epoch and only moves when the loop takes the next event, which
// it does in (time, sequence) order: two events due at the same time run in the order they
// were scheduled. Nothing runs outside Step()/Run*(); a component that schedules work and
// returns simply waits until the test or scenario drives the loop.
//
// Fault points (Buggify) are decided from the seed: each site is enabled with
// `site_enable_probability` the first time it is asked (FoundationDB's BUGGIFY), then fires
// with the caller's probability. SetFaultsEnabled(false) switches every site off, which is how
// a scenario's liveness phase runs after its safety phase.
//
// Not thread-safe: one thread drives a SimEnv.
#ifndef KT_BASE_SIM_ENV_H_
#define KT_BASE_SIM_ENV_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/env.h"
#include "base/trace.h"

namespace kt {

class SimEnv final : public Env {
 public:
  struct Options {
    uint64_t seed = 1;
    // 2026-01-01T00:00:00Z: virtual time starts here so timestamps are stable across runs.
    Time start = FromUnixSeconds(1767225600);
    double site_enable_probability = 0.25;
    bool faults_enabled = false;
  };

  SimEnv() : SimEnv(Options{}) {}
  explicit SimEnv(Options options);
  ~SimEnv() override;

  Time Now() override { return now_; }
  TimerId Schedule(Duration delay, std::function<void()> fn) override;
  bool Cancel(TimerId id) override;
  Rng& Random(std::string_view stream) override;
  bool Buggify(std::string_view site, double probability) override;
  bool IsSimulated() const override { return true; }
  uint64_t seed() const override { return options_.seed; }
  Trace& trace() override { return trace_; }
  void StartThread(std::string name, std::function<void()> fn) override;
  void SleepFor(Duration d) override;

  // Runs the next due event, advancing the clock to its time. False when there is none.
  bool Step();
  // Runs events until pred() holds (checked before each event), the next event lies after
  // Now()+time_max, or `events_max` events ran. Returns pred().
  bool RunUntil(const std::function<bool()>& pred, Duration time_max,
                uint64_t events_max = 50'000'000);
  // Runs every event due within the next `d`, then sets the clock to Now()+d.
  void RunFor(Duration d);
  // Runs until no event is pending (bounded by events_max). Returns false when the bound hit.
  bool RunUntilIdle(uint64_t events_max = 50'000'000);

  size_t pending_events() const { return queue_.size() - cancelled_.size(); }
  uint64_t events_run() const { return events_run_; }

  void SetFaultsEnabled(bool enabled) { options_.faults_enabled = enabled; }
  bool faults_enabled() const { return options_.faults_enabled; }
  // Sites asked while faults were enabled, with whether each is enabled and how often it fired.
  struct SiteStats {
    bool enabled = false;
    uint64_t asked = 0;
    uint64_t fired = 0;
  };
  const std::map<std::string, SiteStats, std::less<>>& fault_sites() const { return sites_; }

 private:
  struct Event {
    Time when;
    uint64_t seq;
    TimerId id;
    // Ordered so the priority queue pops the earliest (time, seq) first.
    bool operator>(const Event& o) const {
      return when != o.when ? when > o.when : seq > o.seq;
    }
  };

  Options options_;
  Time now_;
  uint64_t next_seq_ = 1;
  uint64_t events_run_ = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue_;
  std::unordered_map<TimerId, std::function<void()>> callbacks_;
  std::unordered_set<TimerId> cancelled_;
  std::map<std::string, std::unique_ptr<Rng>, std::less<>> streams_;
  std::map<std::string, SiteStats, std::less<>> sites_;
  Trace trace_;
};

}  // namespace kt

#endif  // KT_BASE_SIM_ENV_H_
