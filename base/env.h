// Env: the one door to time, timers, randomness, threads and fault injection.
//
// Every component takes an Env& and nothing else reads a clock, sleeps, starts a thread or
// draws a random number. Two implementations:
//   SimEnv  (base/sim_env.h)  one thread, a virtual clock that jumps to the next timer,
//                             events ordered by (time, sequence), seeded named streams and
//                             BUGGIFY-style fault points. A run is a pure function of
//                             (scenario, seed, build).
//   RealEnv (base/real_env.h) steady clock (optionally sped up), timers on an Asio
//                             io_context, real threads; fault points are inert.
//
// Thread-safety: SimEnv is single-threaded by contract. RealEnv's Now/Schedule/Cancel/Post/
// Buggify are safe from any thread; a Rng returned by Random() is not, so each component
// uses a stream of its own name.
#ifndef KT_BASE_ENV_H_
#define KT_BASE_ENV_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/random.h"
#include "base/time.h"

namespace kt {

class Trace;

class Env {
 public:
  using TimerId = uint64_t;
  static constexpr TimerId kNoTimer = 0;

  virtual ~Env() = default;

  // Current wall-clock time (virtual under SimEnv). Monotonic non-decreasing.
  virtual Time Now() = 0;

  // Runs fn on the Env's loop after `delay` (>= 0). Returns an id for Cancel.
  virtual TimerId Schedule(Duration delay, std::function<void()> fn) = 0;
  // Returns true if the timer had not yet fired and will not fire.
  virtual bool Cancel(TimerId id) = 0;
  // Runs fn on the loop as soon as possible, after already-due events.
  TimerId Post(std::function<void()> fn) { return Schedule(Duration(0), std::move(fn)); }

  // A named, seeded random stream. The same (seed, name) gives the same sequence. The
  // reference stays valid for the Env's lifetime.
  virtual Rng& Random(std::string_view stream) = 0;

  // BUGGIFY: true when the fault site `site` should misbehave now. Under SimEnv each site is
  // switched on or off once per seed, and an enabled site fires with `probability` per call;
  // under RealEnv always false. Sites are named "<component>.<what>", e.g.
  // "apiserver.write_conflict".
  virtual bool Buggify(std::string_view site, double probability = 0.05) = 0;

  virtual bool IsSimulated() const = 0;
  virtual uint64_t seed() const = 0;

  // Every state change worth replaying goes here (see base/trace.h).
  virtual Trace& trace() = 0;

  // Starts a named thread. RealEnv only; under SimEnv this is a bug (KT_CHECK).
  virtual void StartThread(std::string name, std::function<void()> fn) = 0;
  // Blocks the calling thread. RealEnv only; simulated code uses Schedule.
  virtual void SleepFor(Duration d) = 0;
};

}  // namespace kt

#endif  // KT_BASE_ENV_H_
