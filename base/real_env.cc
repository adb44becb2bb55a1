// The only place outside tests that reads the system clocks, draws OS entropy and starts
// threads: RealEnv is the Env of real processes.
#include "base/real_env.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <random>
#include <unordered_map>

#include "base/check.h"
#include "base/log.h"

namespace kt {

struct RealEnv::Timers {
  std::mutex mu;
  TimerId next_id = 1;
  std::unordered_map<TimerId, std::shared_ptr<boost::asio::steady_timer>> live;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard;
};

RealEnv::RealEnv(Options options)
    : seed_(options.seed),
      speed_(options.speed > 0 ? options.speed : 1.0),
      wall_start_(std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now())),
      steady_start_(std::chrono::steady_clock::now()),
      io_(std::make_unique<boost::asio::io_context>()),
      timers_(std::make_unique<Timers>()) {
  if (seed_ == 0) {
    std::random_device rd;
    seed_ = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    if (seed_ == 0) seed_ = 1;
  }
  timers_->guard = std::make_unique<
      boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
      io_->get_executor());
}

RealEnv::~RealEnv() {
  Stop();
  Join();
}

Time RealEnv::Now() {
  auto elapsed = std::chrono::steady_clock::now() - steady_start_;
  auto scaled = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double, std::nano>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count() * speed_));
  return wall_start_ + scaled;
}

std::chrono::steady_clock::duration RealEnv::ToWall(Duration d) const {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double, std::nano>(static_cast<double>(d.count()) / speed_));
}

Env::TimerId RealEnv::Schedule(Duration delay, std::function<void()> fn) {
  if (delay < Duration(0)) delay = Duration(0);
  auto timer = std::make_shared<boost::asio::steady_timer>(*io_, ToWall(delay));
  TimerId id;
  {
    std::lock_guard<std::mutex> lock(timers_->mu);
    id = timers_->next_id++;
    timers_->live.emplace(id, timer);
  }
  Timers* timers = timers_.get();
  timer->async_wait([timers, id, fn = std::move(fn)](const boost::system::error_code& ec) {
    {
      std::lock_guard<std::mutex> lock(timers->mu);
      timers->live.erase(id);
    }
    if (!ec) fn();
  });
  return id;
}

bool RealEnv::Cancel(TimerId id) {
  std::shared_ptr<boost::asio::steady_timer> timer;
  {
    std::lock_guard<std::mutex> lock(timers_->mu);
    auto it = timers_->live.find(id);
    if (it == timers_->live.end()) return false;
    timer = it->second;
    timers_->live.erase(it);
  }
  return timer->cancel() > 0;
}

Rng& RealEnv::Random(std::string_view stream) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streams_.find(stream);
  if (it != streams_.end()) return *it->second;
  uint64_t state = seed_ ^ Fnv1a64(stream);
  auto rng = std::make_unique<Rng>(SplitMix64(state));
  Rng& ref = *rng;
  streams_.emplace(std::string(stream), std::move(rng));
  return ref;
}

void RealEnv::StartThread(std::string name, std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  threads_.emplace_back([name = std::move(name), fn = std::move(fn)] {
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    fn();
  });
}

void RealEnv::SleepFor(Duration d) { std::this_thread::sleep_for(ToWall(d)); }

boost::asio::io_context& RealEnv::io() { return *io_; }

void RealEnv::Run(int threads) {
  for (int i = 1; i < threads; ++i) {
    StartThread("env-io-" + std::to_string(i), [this] { io_->run(); });
  }
  io_->run();
}

void RealEnv::RunInBackground(int threads) {
  for (int i = 0; i < threads; ++i) {
    StartThread("env-io-" + std::to_string(i), [this] { io_->run(); });
  }
}

void RealEnv::Stop() {
  stopped_.store(true);
  timers_->guard.reset();
  io_->stop();
}

void RealEnv::Join() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    threads.swap(threads_);
  }
  for (auto& t : threads) {
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
    else if (t.joinable()) t.detach();
  }
}

}  // namespace kt
