#include "controllers/runtime/leader_elector.h"

#include <mutex>

#include "api/object.h"
#include "base/json.h"
#include "base/log.h"
#include "base/trace.h"
#include "controllers/runtime/metrics.h"
#include "controllers/runtime/serial_executor.h"

namespace kt::ctrl {

namespace {
int64_t Seconds(Duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}
}  // namespace

struct LeaderElector::State {
  Env* env = nullptr;
  std::string lease_name;
  std::string identity;
  LeaderCallbacks callbacks;
  Gauge* master_status = nullptr;

  mutable std::mutex mu;
  bool leading = false;            // guarded by mu
  bool lost = false;               // guarded by mu
  bool stopped = false;            // guarded by mu
  uint64_t renew_generation = 0;   // guarded by mu; bumped per successful renew
  Env::TimerId watchdog = Env::kNoTimer;  // guarded by mu
  std::string observed_holder;     // guarded by mu

  // Executor-only: the last lease spec seen and when (on our clock) it last changed.
  Json observed_spec;
  Time observed_time;

  void Trace(std::string_view event) {
    Json fields = {{"lease", lease_name}, {"identity", identity}, {"event", std::string(event)}};
    env->trace().Record(env->Now(), "leader", fields);
  }

  // Stops leading because the renew deadline passed. Safe from any thread; runs once.
  void Lose() {
    Env::TimerId timer;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!leading) return;
      leading = false;
      lost = true;
      timer = watchdog;
      watchdog = Env::kNoTimer;
    }
    if (timer != Env::kNoTimer) env->Cancel(timer);
    if (master_status) master_status->Set(0);
    KT_LOG(WARNING) << "leader election: " << identity << " lost lease " << lease_name;
    Trace("lost");
    if (callbacks.on_stopped_leading) callbacks.on_stopped_leading();
  }
};

LeaderElector::LeaderElector(Env& env, api::KubeClient& client, LeaderElectionOptions options,
                             LeaderCallbacks callbacks, MetricsRegistry* metrics)
    : env_(env), client_(client), options_(std::move(options)), state_(std::make_shared<State>()) {
  KT_CHECK(!options_.lease_name.empty() && !options_.identity.empty())
      << "leader election needs a lease name and an identity";
  KT_CHECK(options_.lease_duration > options_.renew_deadline &&
           options_.renew_deadline > options_.retry_period)
      << "need lease_duration > renew_deadline > retry_period";
  state_->env = &env;
  state_->lease_name = options_.lease_name;
  state_->identity = options_.identity;
  state_->callbacks = std::move(callbacks);
  if (metrics) {
    state_->master_status = &metrics->GetGauge(
        "leader_election_master_status",
        "1 while this process holds the named lease, 0 while it is a standby",
        {{"name", options_.lease_name}});
    state_->master_status->Set(0);
  }
  executor_ = std::make_unique<SerialExecutor>(env, "leader-" + options_.lease_name);
}

LeaderElector::~LeaderElector() { Stop(); }

void LeaderElector::Start() {
  executor_->Post([this] { TryAcquire(); });
}

bool LeaderElector::IsLeader() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->leading;
}

bool LeaderElector::lost() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->lost;
}

std::string LeaderElector::observed_holder() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->observed_holder;
}

Json LeaderElector::LeaseRecord(const std::string& holder, int64_t duration_s,
                                const std::string& acquire, const std::string& renew,
                                int64_t transitions) const {
  return Json{{"holderIdentity", holder},
              {"leaseDurationSeconds", duration_s},
              {"acquireTime", acquire},
              {"renewTime", renew},
              {"leaseTransitions", transitions}};
}

bool LeaderElector::TryAcquireOrRenew() {
  const Time now = env_.Now();
  const std::string now_text = FormatRfc3339Micro(now);
  const int64_t duration_s = Seconds(options_.lease_duration);
  auto got = client_.Get(api::resources::kLeases, options_.lease_namespace, options_.lease_name);
  if (!got.ok() && got.status().Is(StatusCode::kNotFound)) {
    Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", options_.lease_name},
                                {"namespace", options_.lease_namespace}}},
                  {"spec", LeaseRecord(options_.identity, duration_s, now_text, now_text, 0)}};
    auto created = client_.Create(api::resources::kLeases, options_.lease_namespace, lease);
    if (!created.ok()) return false;
    state_->observed_spec = (*created)["spec"];
    state_->observed_time = now;
    return true;
  }
  if (!got.ok()) {
    KT_LOG(INFO) << "leader election: reading lease " << options_.lease_name << ": "
                 << got.status().ToString();
    return false;
  }
  Json lease = std::move(got).value();
  const Json spec = lease.contains("spec") ? lease["spec"] : Json::object();
  const std::string holder = GetString(spec, "holderIdentity");
  if (spec != state_->observed_spec) {
    state_->observed_spec = spec;
    state_->observed_time = now;
    bool changed;
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      changed = state_->observed_holder != holder;
      state_->observed_holder = holder;
    }
    if (changed && state_->callbacks.on_new_leader) state_->callbacks.on_new_leader(holder);
  }
  const bool i_lead = IsLeader();
  const int64_t held_for_s = GetInt(spec, "leaseDurationSeconds").value_or(duration_s);
  if (!holder.empty() && holder != options_.identity &&
      state_->observed_time + std::chrono::seconds(held_for_s) > now) {
    return false;  // somebody else holds a lease that has not expired on our clock
  }
  const int64_t transitions = GetInt(spec, "leaseTransitions").value_or(0);
  std::string acquire = now_text;
  int64_t next_transitions = transitions + 1;
  if (i_lead || holder == options_.identity) {
    acquire = GetString(spec, "acquireTime", now_text);
    next_transitions = transitions;
  }
  lease["spec"] = LeaseRecord(options_.identity, duration_s, acquire, now_text, next_transitions);
  auto updated = client_.Update(api::resources::kLeases, options_.lease_namespace, lease);
  if (!updated.ok()) {
    KT_LOG(INFO) << "leader election: writing lease " << options_.lease_name << ": "
                 << updated.status().ToString();
    return false;
  }
  state_->observed_spec = (*updated)["spec"];
  state_->observed_time = now;
  return true;
}

void LeaderElector::TryAcquire() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->stopped || state_->lost) return;
  }
  if (TryAcquireOrRenew()) {
    BecomeLeader();
    executor_->PostAfter(options_.retry_period, [this] { Renew(); });
    return;
  }
  const double jitter = env_.Random("leaderelection/" + options_.identity).Uniform();
  const Duration wait = FromSeconds(ToSeconds(options_.retry_period) *
                                    (1.0 + options_.jitter_factor * jitter));
  executor_->PostAfter(wait, [this] { TryAcquire(); });
}

void LeaderElector::BecomeLeader() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->leading = true;
    state_->observed_holder = options_.identity;
  }
  ArmWatchdog();
  if (state_->master_status) state_->master_status->Set(1);
  KT_LOG(INFO) << "leader election: " << options_.identity << " acquired lease "
               << options_.lease_namespace << "/" << options_.lease_name;
  state_->Trace("acquired");
  if (state_->callbacks.on_started_leading) state_->callbacks.on_started_leading();
}

void LeaderElector::ArmWatchdog() {
  Env::TimerId old;
  uint64_t gen;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    old = state_->watchdog;
    state_->watchdog = Env::kNoTimer;
    gen = ++state_->renew_generation;
  }
  if (old != Env::kNoTimer) env_.Cancel(old);
  std::weak_ptr<State> weak = state_;
  Env::TimerId id = env_.Schedule(options_.renew_deadline, [weak, gen] {
    auto state = weak.lock();
    if (!state) return;
    {
      std::lock_guard<std::mutex> lock(state->mu);
      if (state->renew_generation != gen || state->stopped) return;
    }
    state->Lose();
  });
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->renew_generation == gen && state_->leading) {
    state_->watchdog = id;
  } else {
    env_.Cancel(id);
  }
}

void LeaderElector::Renew() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->stopped || !state_->leading) return;
  }
  if (TryAcquireOrRenew()) {
    bool still_leading;
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      still_leading = state_->leading;
    }
    if (!still_leading) return;  // the deadline passed while the call hung
    ArmWatchdog();
  }
  executor_->PostAfter(options_.retry_period, [this] { Renew(); });
}

void LeaderElector::Release() {
  auto got = client_.Get(api::resources::kLeases, options_.lease_namespace, options_.lease_name);
  if (!got.ok()) return;
  Json lease = std::move(got).value();
  if (GetString(lease, "spec.holderIdentity") != options_.identity) return;
  const std::string now_text = FormatRfc3339Micro(env_.Now());
  const int64_t transitions = GetInt(lease, "spec.leaseTransitions").value_or(0);
  lease["spec"] = LeaseRecord("", 1, now_text, now_text, transitions);
  auto updated = client_.Update(api::resources::kLeases, options_.lease_namespace, lease);
  if (!updated.ok()) {
    KT_LOG(WARNING) << "leader election: releasing lease " << options_.lease_name << ": "
                    << updated.status().ToString();
    return;
  }
  state_->Trace("released");
}

void LeaderElector::Stop() {
  bool was_leading;
  Env::TimerId timer;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->stopped) return;
    state_->stopped = true;
    was_leading = state_->leading;
    state_->leading = false;
    timer = state_->watchdog;
    state_->watchdog = Env::kNoTimer;
  }
  if (timer != Env::kNoTimer) env_.Cancel(timer);
  if (was_leading && options_.release_on_cancel) executor_->RunSync([this] { Release(); });
  executor_->Stop();
  if (state_->master_status) state_->master_status->Set(0);
}

}  // namespace kt::ctrl
