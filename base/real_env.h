// RealEnv: the Env of shipped binaries (kaito-controller-manager, kaito-serve,
// kaito-twin up). Time is the steady clock anchored at the wall time of construction and
// optionally sped up (`speed` 60 makes a 6-minute VM boot take 6 s of wall time); timers run
// on an Asio io_context, which the HTTP layers share via io(). Fault points are inert.
//
// Thread-safe except for the Rng returned by Random(): give each thread its own stream name.
#ifndef KT_BASE_REAL_ENV_H_
#define KT_BASE_REAL_ENV_H_

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/env.h"
#include "base/trace.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace kt {

class RealEnv final : public Env {
 public:
  struct Options {
    uint64_t seed = 0;   // 0: draw one from the OS (and print it)
    double speed = 1.0;  // virtual seconds per wall second
  };

  RealEnv() : RealEnv(Options{}) {}
  explicit RealEnv(Options options);
  ~RealEnv() override;  // stops the loop and joins every thread

  Time Now() override;
  TimerId Schedule(Duration delay, std::function<void()> fn) override;
  bool Cancel(TimerId id) override;
  Rng& Random(std::string_view stream) override;
  bool Buggify(std::string_view, double) override { return false; }
  bool IsSimulated() const override { return false; }
  uint64_t seed() const override { return seed_; }
  Trace& trace() override { return trace_; }
  void StartThread(std::string name, std::function<void()> fn) override;
  void SleepFor(Duration d) override;

  double speed() const { return speed_; }
  // Converts a virtual duration to the wall time it takes at this speed.
  std::chrono::steady_clock::duration ToWall(Duration d) const;

  boost::asio::io_context& io();

  // Runs the io_context on the calling thread plus `threads - 1` more until Stop().
  void Run(int threads = 1);
  // Runs the io_context on `threads` background threads and returns.
  void RunInBackground(int threads = 1);
  // Stops the loop; Run() returns. Safe from any thread and from signal-driven handlers.
  void Stop();
  bool stopped() const { return stopped_.load(); }
  // Joins threads started by StartThread/RunInBackground (after Stop()).
  void Join();

 private:
  struct Timers;

  uint64_t seed_;
  double speed_;
  Time wall_start_;
  std::chrono::steady_clock::time_point steady_start_;
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<Timers> timers_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Rng>, std::less<>> streams_;  // guarded by mu_
  std::vector<std::thread> threads_;                                  // guarded by mu_
  std::atomic<bool> stopped_{false};
  Trace trace_;
};

}  // namespace kt

#endif  // KT_BASE_REAL_ENV_H_
