// EngineLoop: drives an Engine from other threads (HTTP handlers) without sharing it.
//
// Callers Submit() requests and Abort() them from any thread; the loop owns the Engine and is
// the only one that calls Step(). Each request's outputs reach its callback on the loop's
// thread, in order, ending with one whose `finished` is true (exactly once per accepted
// request, including aborts and errors).
//
// Under RealEnv the loop is a thread started with Env::StartThread that sleeps on a condition
// variable while idle; under SimEnv each step is an event scheduled on the Env, so tests run
// it deterministically. Submit validates against the engine's immutable limits right away
// (400-class errors) and answers TooManyRequests when requests in the inbox plus the waiting
// queue reach max_waiting.
//
// Shutdown: Drain() stops accepting (Submit answers Unavailable) and returns once every
// in-flight request finished; Stop() ends the loop (outstanding requests are aborted).
//
// Thread-safe except the constructor/destructor.
#ifndef KT_SERVING_ENGINE_ENGINE_LOOP_H_
#define KT_SERVING_ENGINE_ENGINE_LOOP_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/env.h"
#include "serving/engine/engine.h"

namespace kt::serving {

// Step timing, for the scheduler-overhead benchmark and the /metrics histograms.
struct StepTiming {
  Duration step;        // whole Engine::Step
  int32_t batch_tokens = 0;
};

class EngineLoop {
 public:
  using OutputCallback = std::function<void(const RequestOutput&)>;

  EngineLoop(Env& env, std::unique_ptr<Engine> engine);
  ~EngineLoop();  // Stop()s

  // Starts stepping (RealEnv: a thread named "engine"; SimEnv: events).
  void Start();
  Status Submit(EngineRequest request, OutputCallback on_output);
  void Abort(const std::string& request_id);
  // Stops admitting and blocks until no request is in flight (RealEnv only).
  void Drain();
  void Stop();

  EngineStats Stats() const;
  // Read-only access to immutable engine facts (config, tokenizer, adapters, limits).
  const Engine& engine() const { return *engine_; }
  size_t in_flight() const;

 private:
  void RunThread();
  void ScheduleSimStep();
  // One iteration: drain the inbox into the engine, step, deliver. Returns whether work remains.
  bool Iterate();

  Env& env_;
  std::unique_ptr<Engine> engine_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable drained_cv_;
  struct Pending {
    EngineRequest request;
    OutputCallback callback;
  };
  std::deque<Pending> inbox_;                     // guarded by mu_
  std::vector<std::string> aborts_;               // guarded by mu_
  std::map<std::string, OutputCallback> active_;  // owned by the loop thread
  size_t in_flight_ = 0;                          // guarded by mu_: inbox + active
  size_t waiting_snapshot_ = 0;                   // guarded by mu_
  EngineStats stats_;                             // guarded by mu_
  bool accepting_ = true;                         // guarded by mu_
  bool stop_ = false;                             // guarded by mu_
  bool started_ = false;
  bool sim_step_pending_ = false;                 // SimEnv only
  bool thread_done_ = false;                      // guarded by mu_
};

}  // namespace kt::serving

#endif  // KT_SERVING_ENGINE_ENGINE_LOOP_H_
