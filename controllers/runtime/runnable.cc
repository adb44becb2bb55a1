#include "controllers/runtime/runnable.h"

#include "controllers/runtime/serial_executor.h"

namespace kt::ctrl {

PeriodicRunnable::PeriodicRunnable(Env& env, std::string name, Duration period,
                                   std::function<void()> fn, bool needs_leader_election,
                                   Duration initial_delay)
    : env_(env),
      name_(std::move(name)),
      period_(period),
      fn_(std::move(fn)),
      needs_leader_(needs_leader_election),
      initial_delay_(initial_delay) {
  KT_CHECK(period_ > Duration(0)) << "periodic runnable " << name_ << " needs a period";
}

PeriodicRunnable::~PeriodicRunnable() { Stop(); }

Status PeriodicRunnable::Start() {
  if (executor_) return Status::Ok();
  executor_ = std::make_unique<SerialExecutor>(env_, name_);
  executor_->PostAfter(initial_delay_, [this] { RunOnce(); });
  return Status::Ok();
}

void PeriodicRunnable::Stop() {
  if (executor_) executor_->Stop();
}

void PeriodicRunnable::RunOnce() {
  ++runs_;
  fn_();
  executor_->PostAfter(period_, [this] { RunOnce(); });
}

}  // namespace kt::ctrl
