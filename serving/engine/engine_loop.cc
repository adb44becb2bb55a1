#include "serving/engine/engine_loop.h"

#include "base/log.h"

namespace kt::serving {

EngineLoop::EngineLoop(Env& env, std::unique_ptr<Engine> engine)
    : env_(env), engine_(std::move(engine)) {}

EngineLoop::~EngineLoop() { Stop(); }

void EngineLoop::Start() {
  KT_CHECK(!started_) << "EngineLoop started twice";
  started_ = true;
  if (env_.IsSimulated()) return;  // steps are scheduled as requests arrive
  env_.StartThread("engine", [this] { RunThread(); });
}

Status EngineLoop::Submit(EngineRequest request, OutputCallback on_output) {
  KT_RETURN_IF_ERROR(engine_->Validate(request));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!accepting_ || stop_) return Unavailable("the server is shutting down");
    const int32_t limit = engine_->options_max_waiting();
    if (inbox_.size() + waiting_snapshot_ >= static_cast<size_t>(limit)) {
      return Status(StatusCode::kTooManyRequests,
                    "the server is at capacity: " + std::to_string(inbox_.size() + waiting_snapshot_) +
                        " requests are queued (limit " + std::to_string(limit) + ")")
          .WithRetryAfter(1);
    }
    inbox_.push_back({std::move(request), std::move(on_output)});
    ++in_flight_;
  }
  cv_.notify_one();
  if (env_.IsSimulated()) ScheduleSimStep();
  return Status::Ok();
}

void EngineLoop::Abort(const std::string& request_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    aborts_.push_back(request_id);
  }
  cv_.notify_one();
  if (env_.IsSimulated()) ScheduleSimStep();
}

bool EngineLoop::Iterate() {
  std::deque<Pending> inbox;
  std::vector<std::string> aborts;
  {
    std::lock_guard<std::mutex> lock(mu_);
    inbox.swap(inbox_);
    aborts.swap(aborts_);
  }
  size_t finished = 0;
  for (Pending& p : inbox) {
    std::string id = p.request.request_id;
    Status st = engine_->AddRequest(std::move(p.request));
    if (!st.ok()) {
      RequestOutput out;
      out.request_id = id;
      out.finished = true;
      out.finish_reason = FinishReason::kError;
      out.error = st.message();
      out.error_code = st.code();
      p.callback(out);
      ++finished;
      continue;
    }
    active_[id] = std::move(p.callback);
  }
  for (const std::string& id : aborts) engine_->Abort(id);
  std::vector<RequestOutput> outputs = engine_->Step();
  {
    // Publish the counters before any callback runs: a client that has its response may read
    // /metrics at once and must see the tokens it was sent.
    std::lock_guard<std::mutex> lock(mu_);
    stats_ = engine_->Stats();
    waiting_snapshot_ = static_cast<size_t>(stats_.waiting);
  }
  for (const RequestOutput& out : outputs) {
    auto it = active_.find(out.request_id);
    if (it == active_.end()) continue;
    it->second(out);
    if (out.finished) {
      active_.erase(it);
      ++finished;
    }
  }
  bool more = engine_->HasUnfinished();
  {
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_ -= finished;
    more = more || !inbox_.empty() || !aborts_.empty();
  }
  drained_cv_.notify_all();
  return more;
}

void EngineLoop::RunThread() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] {
        return stop_ || !inbox_.empty() || !aborts_.empty() || engine_->HasUnfinished();
      });
      if (stop_) break;
    }
    Iterate();
  }
  // Abort whatever is left so every callback sees its end.
  for (auto& [id, cb] : active_) {
    RequestOutput out;
    out.request_id = id;
    out.finished = true;
    out.finish_reason = FinishReason::kAbort;
    cb(out);
  }
  active_.clear();
  std::lock_guard<std::mutex> lock(mu_);
  for (Pending& p : inbox_) {
    RequestOutput out;
    out.request_id = p.request.request_id;
    out.finished = true;
    out.finish_reason = FinishReason::kAbort;
    p.callback(out);
  }
  inbox_.clear();
  in_flight_ = 0;
  thread_done_ = true;
  drained_cv_.notify_all();
}

void EngineLoop::ScheduleSimStep() {
  if (!started_ || sim_step_pending_) return;
  sim_step_pending_ = true;
  env_.Post([this] {
    sim_step_pending_ = false;
    if (Iterate()) ScheduleSimStep();
  });
}

void EngineLoop::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  accepting_ = false;
  if (env_.IsSimulated()) return;
  drained_cv_.wait(lock, [this] { return in_flight_ == 0 || thread_done_; });
}

void EngineLoop::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
    accepting_ = false;
  }
  cv_.notify_all();
  if (started_ && !env_.IsSimulated()) {
    std::unique_lock<std::mutex> lock(mu_);
    drained_cv_.wait(lock, [this] { return thread_done_; });
  }
}

EngineStats EngineLoop::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

size_t EngineLoop::in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_;
}

}  // namespace kt::serving
