// LeaderElector: leader election on a coordination.k8s.io/v1 Lease (client-go's
// leaderelection with the LeaseLock), so that of several manager replicas only one runs the
// controllers.
//
// The lease: spec.holderIdentity, leaseDurationSeconds (15), acquireTime and renewTime
// (MicroTime, "2026-01-01T00:00:05.000000Z"), leaseTransitions (+1 whenever the holder
// changes). Writes are optimistic (Update with the resourceVersion read), so two candidates
// cannot both win one round.
//
// A candidate tries every retry_period * (1 + jitter_factor * U[0,1)) (2 s, 1.2). It takes the
// lease when nobody holds it, when it is released (holderIdentity ""), or when the record has
// not changed for leaseDurationSeconds *as observed by this candidate's own clock* (never by
// comparing the holder's timestamps, so clock skew between replicas does not matter). The
// leader renews every retry_period; if no renewal has succeeded for renew_deadline (10 s) it
// stops leading at once - even while a renewal call still hangs, by an Env timer - which is
// before any standby can take over (lease_duration 15 s > renew_deadline).
//
// Losing the lease is final, as in controller-runtime (whose process then exits): the elector
// calls on_stopped_leading and does not campaign again. Stop() ends campaigning; a leader
// releases the lease first (holderIdentity "", leaseDurationSeconds 1) when release_on_cancel,
// so a standby takes over at its next retry instead of after the lease duration. Stop() is not
// a loss: on_stopped_leading is not called.
//
// Metric: leader_election_master_status{name=<lease name>} 1 while leading, else 0.
// Transitions are recorded in the Env trace ("leader" lines).
//
// Threading: callbacks run on the elector's executor (or the Env timer that notices a missed
// renew deadline); they must not block. Start/Stop/IsLeader from any thread.
#ifndef KT_CONTROLLERS_RUNTIME_LEADER_ELECTOR_H_
#define KT_CONTROLLERS_RUNTIME_LEADER_ELECTOR_H_

#include <functional>
#include <memory>
#include <string>

#include "api/kube_client.h"
#include "base/env.h"
#include "base/json_fwd.h"

namespace kt::ctrl {

class MetricsRegistry;
class SerialExecutor;

struct LeaderElectionOptions {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;
  Duration lease_duration = std::chrono::seconds(15);
  Duration renew_deadline = std::chrono::seconds(10);
  Duration retry_period = std::chrono::seconds(2);
  double jitter_factor = 1.2;
  bool release_on_cancel = true;
};

struct LeaderCallbacks {
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
  std::function<void(const std::string& holder)> on_new_leader;  // holder seen changing
};

class LeaderElector {
 public:
  LeaderElector(Env& env, api::KubeClient& client, LeaderElectionOptions options,
                LeaderCallbacks callbacks, MetricsRegistry* metrics = nullptr);
  ~LeaderElector();  // Stop()
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  void Start();
  void Stop();

  bool IsLeader() const;
  bool lost() const;              // was leader, then missed the renew deadline
  std::string observed_holder() const;
  const LeaderElectionOptions& options() const { return options_; }

 private:
  struct State;
  void TryAcquire();   // executor
  void Renew();        // executor
  bool TryAcquireOrRenew();
  void Release();
  void BecomeLeader();
  void ArmWatchdog();
  Json LeaseRecord(const std::string& holder, int64_t duration_s, const std::string& acquire,
                   const std::string& renew, int64_t transitions) const;

  Env& env_;
  api::KubeClient& client_;
  LeaderElectionOptions options_;
  std::shared_ptr<State> state_;
  std::unique_ptr<SerialExecutor> executor_;
};

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_LEADER_ELECTOR_H_
