// FakeAks: the agent pools of one AKS managed cluster as Azure Resource Manager serves them,
// simulated: ARM semantics (PUT creates or updates and returns 201/200 with a long-running
// operation; DELETE returns 202, or "nothing to do" for a missing pool; operations go
// InProgress -> Succeeded | Failed | Canceled), VM provisioning with per-SKU seeded delays,
// vCPU quota per VM family, capacity per SKU and zone, Spot eviction, cost accounting, and
// the failures AKS really returns (arm_errors.h) - both configured (CloudConfig's FaultPlan)
// and injected through BUGGIFY fault points, which are inert under RealEnv:
//   cloud.throttle           a request gets 429 TooManyRequests with Retry-After
//   cloud.internal_error     a request gets 500 InternalServerError (nothing applied)
//   cloud.response_lost      a PUT/DELETE is applied but answered 504 GatewayTimeout
//   cloud.allocation_failed  a create/scale-up fails with (Zonal)AllocationFailed
//   cloud.slow_boot          a VM boots slow_boot_factor times slower
//   cloud.spot_evict         a booted Spot VM is evicted after an exponential delay
//
// Two front ends share this core: InProcessAgentPoolClient (api::AgentPoolClient, used by
// scenarios under SimEnv) and ArmEndpoint (HTTP, used by kaito-twin up and by the real ARM
// client of controllers/provisioner). Booted, deleted and evicted VMs are reported to
// VmObservers (vm_observer.h). Every state change is recorded in env.trace() (kinds
// "cloud.pool", "cloud.operation", "cloud.vm", "cloud.reject", "cloud.plan").
//
// Under SimEnv a run is a pure function of (calls, seed): delays come from the Env's named
// streams "cloud/boot", "cloud/delay", "cloud/spot" and ids from "cloud/ids".
//
// Thread-safety: every method may be called from any thread (one internal lock). Observers
// and change listeners are called without the lock held, one at a time, in order.
// REQUIRES: under RealEnv, destroy a FakeAks only after the Env's loop has stopped (its
// timers call into it).
#ifndef KT_SIM_CLOUD_FAKE_AKS_H_
#define KT_SIM_CLOUD_FAKE_AKS_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/json_fwd.h"
#include "base/status.h"
#include "sim/cloud/agent_pool_spec.h"
#include "sim/cloud/cloud_config.h"
#include "sim/cloud/cost_ledger.h"
#include "sim/cloud/resource_ledger.h"
#include "sim/cloud/sku_catalog.h"
#include "sim/cloud/vm_observer.h"

namespace kt::sim::cloud {

enum class OperationState { kInProgress, kSucceeded, kFailed, kCanceled };
// "InProgress", "Succeeded", "Failed", "Canceled" (ARM's spelling).
std::string_view OperationStateName(OperationState s);

enum class OperationKind { kCreate, kUpdate, kDelete };
std::string_view OperationKindName(OperationKind k);  // "create", "update", "delete"

struct OperationView {
  std::string id;  // a GUID
  std::string pool;
  OperationKind kind = OperationKind::kCreate;
  OperationState state = OperationState::kInProgress;
  Time start_time;
  std::optional<Time> end_time;
  Status error;  // kFailed / kCanceled: the ARM error

  // ARM's operation status resource: {"id","name","status","startTime"[,"endTime"]
  // [,"error":{"code","message"}]}. `id_prefix` is the resource path the id is rooted at.
  Json ToJson(std::string_view id_prefix) const;
};

struct PutResult {
  std::string pool_json;  // the agent pool (provisioningState Creating or Updating)
  bool created = false;   // 201 Created (else 200 OK)
  std::string operation_id;
};

struct DeleteResult {
  bool existed = false;  // false: ARM answers 204 No Content and there is no operation
  std::string operation_id;
};

class FakeAks {
 public:
  FakeAks(Env& env, SkuCatalog catalog, CloudConfig config);
  ~FakeAks();
  FakeAks(const FakeAks&) = delete;
  FakeAks& operator=(const FakeAks&) = delete;

  // --- ARM agent-pool API (errors are ARM error Statuses, see arm_errors.h) ---
  Result<PutResult> PutAgentPool(std::string_view name, const Json& body);
  Result<Json> GetAgentPool(std::string_view name);
  Result<std::vector<Json>> ListAgentPools();
  Result<DeleteResult> DeleteAgentPool(std::string_view name);
  Result<OperationView> GetOperation(std::string_view operation_id);
  // Microsoft.Compute usages of the region (read-only, not throttled).
  std::vector<QuotaUsage> QuotaUsages() const;

  // --- World control (scenarios, tests, kaito-twin up) ---
  // REQUIRES: `observer` outlives this FakeAks or is removed first.
  void AddObserver(VmObserver* observer);
  void RemoveObserver(VmObserver* observer);
  // Called (without the lock) after any batch of state changes; RealEnv tests wait on it.
  void AddChangeListener(std::function<void()> listener);
  // Edits the fault plan in place (quota, capacity, availability); applies to later requests.
  void UpdateFaultPlan(const std::function<void(FaultPlan&)>& edit);
  // Evicts a booted Spot VM now (as Azure does when it needs the capacity back).
  Status EvictSpotVm(std::string_view vm_name);

  // --- Queries ---
  CostReport Costs() const;
  // Every allocated VM (booted_at is the epoch for VMs still provisioning), by name.
  std::vector<VmInfo> Vms() const;
  size_t pool_count() const;
  CloudConfig config() const;  // a copy: the fault plan may change concurrently
  // Fixed at construction (not part of the fault plan), so readable without the lock.
  const ClusterIdentity& cluster() const { return cluster_; }
  const ArmSettings& arm() const { return arm_; }
  const SkuCatalog& catalog() const { return catalog_; }
  Env& env() { return env_; }

 private:
  enum class RequestKind { kRead, kWrite, kDelete };
  struct Vm {
    VmInfo info;
    std::string capacity_zone;  // where capacity was booked (regional pools too)
    std::string op_id;          // the operation that created it
    bool booted = false;
    bool leaving = false;  // picked for scale-down
    Env::TimerId boot_timer = Env::kNoTimer;
    Env::TimerId evict_timer = Env::kNoTimer;
  };
  struct Pool {
    AgentPoolSpec spec;
    std::string state;      // provisioningState
    std::map<int, Vm> vms;  // by VMSS instance id
    int next_instance = 0;
    std::string active_op;  // "" when no operation runs
  };
  struct Operation {
    OperationView view;
    int pending_vms = 0;
    Env::TimerId timer = Env::kNoTimer;
  };
  struct Notification {
    enum class Type { kBooted, kDeleted, kEvicted } type;
    VmInfo vm;
  };
  // The ARM hourly request budget of one kind.
  struct Budget {
    int64_t window = -1;  // hour index since the epoch
    int64_t used = 0;
  };

  // Scripted errors, BUGGIFY request faults and ARM's hourly budgets, in that order. `op` is
  // the short name scripted errors match ("put", "get", "list", "delete", "poll").
  Status Admit(RequestKind kind, std::string_view op, std::string_view op_type);
  Status Reject(std::string_view op, std::string_view pool, Status s);
  Result<PutResult> PutLocked(std::string_view name, const Json& body);
  Result<DeleteResult> DeleteLocked(std::string_view name);
  Status CheckUpdateAllowed(const Pool& pool, const AgentPoolSpec& spec) const;
  Status CheckAvailability(const AgentPoolSpec& spec) const;

  std::string NewOperation(std::string_view pool, OperationKind kind);
  void FinishOperation(const std::string& op_id, OperationState state, Status error);
  void SetPoolState(Pool& pool, std::string_view state);
  void StartAllocation(Pool& pool, const std::string& op_id, int vms);
  void StartScaleDown(Pool& pool, const std::string& op_id, int vms);
  void CompleteAfter(const std::string& op_id, Duration delay, std::string_view pool_state);
  void CancelActiveOperation(Pool& pool, const std::string& by_op_id);

  void OnVmBooted(const std::string& pool, int instance);
  void OnPoolDeleted(const std::string& pool, const std::string& op_id);
  void OnScaleDownDone(const std::string& pool, const std::string& op_id);
  void EvictLocked(Pool& pool, int instance);
  // Removes a VM: releases quota/capacity, stops billing, cancels its timers, notifies
  // `type` when it had booted.
  void RemoveVm(Pool& pool, int instance, Notification::Type type);

  Duration BootDelay(const SkuInfo& sku);
  Duration Draw(const DelayDistribution& d, std::string_view stream);
  // Schedules fn to run under the lock (notifications delivered after it). A timer cancelled
  // with CancelTimer never runs fn, even if it already fired on another thread.
  Env::TimerId After(Duration delay, std::function<void()> fn);
  void CancelTimer(Env::TimerId& id);
  void TraceRecord(std::string_view kind, Json fields);
  void Deliver();

  Env& env_;
  const SkuCatalog catalog_;
  const ClusterIdentity cluster_;
  const ArmSettings arm_;

  mutable std::mutex mu_;
  CloudConfig config_;                    // guarded by mu_
  std::map<std::string, Pool> pools_;     // guarded by mu_
  std::map<std::string, Operation> ops_;  // guarded by mu_
  std::deque<std::string> finished_ops_;  // guarded by mu_; retention order
  std::map<std::string, std::pair<std::string, int>, std::less<>> vm_index_;  // guarded by mu_
  ResourceLedger resources_;                                                  // guarded by mu_
  CostLedger costs_;                                                          // guarded by mu_
  Budget budgets_[3];                                    // guarded by mu_; by RequestKind
  int64_t next_ip_index_ = 0;                            // guarded by mu_
  std::deque<Notification> pending_;                     // guarded by mu_
  std::vector<VmObserver*> observers_;                   // guarded by mu_
  std::vector<std::function<void()>> change_listeners_;  // guarded by mu_
  bool changed_ = false;                                 // guarded by mu_
  std::set<Env::TimerId> timers_;  // guarded by mu_; live timers (cancelled on exit)
  std::atomic<bool> delivering_{false};
};

}  // namespace kt::sim::cloud

#endif  // KT_SIM_CLOUD_FAKE_AKS_H_
