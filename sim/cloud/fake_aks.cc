#include "sim/cloud/fake_aks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/json.h"
#include "base/trace.h"
#include "sim/cloud/arm_errors.h"
#include "sim/cloud/vm_identity.h"

namespace kt::sim::cloud {

namespace {

constexpr std::string_view kStateCreating = "Creating";
constexpr std::string_view kStateUpdating = "Updating";
constexpr std::string_view kStateDeleting = "Deleting";
constexpr std::string_view kStateSucceeded = "Succeeded";
constexpr std::string_view kStateFailed = "Failed";

std::string NewGuid(Rng& rng) {
  const uint64_t a = rng.Next();
  const uint64_t b = rng.Next();
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08llx-%04llx-4%03llx-%04llx-%012llx",
                static_cast<unsigned long long>(a >> 32),
                static_cast<unsigned long long>((a >> 16) & 0xffff),
                static_cast<unsigned long long>(a & 0xfff),
                static_cast<unsigned long long>(((b >> 48) & 0x3fff) | 0x8000),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

std::string Csv(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

std::string_view OperationStateName(OperationState s) {
  switch (s) {
    case OperationState::kInProgress:
      return "InProgress";
    case OperationState::kSucceeded:
      return "Succeeded";
    case OperationState::kFailed:
      return "Failed";
    case OperationState::kCanceled:
      return "Canceled";
  }
  return "InProgress";
}

std::string_view OperationKindName(OperationKind k) {
  switch (k) {
    case OperationKind::kCreate:
      return "create";
    case OperationKind::kUpdate:
      return "update";
    case OperationKind::kDelete:
      return "delete";
  }
  return "create";
}

Json OperationView::ToJson(std::string_view id_prefix) const {
  Json j = {{"id", std::string(id_prefix) + id},
            {"name", id},
            {"status", std::string(OperationStateName(state))},
            {"startTime", FormatRfc3339Micro(start_time)}};
  if (end_time) j["endTime"] = FormatRfc3339Micro(*end_time);
  if (!error.ok()) {
    j["error"] = {{"code", std::string(error.reason())}, {"message", error.message()}};
  }
  return j;
}

FakeAks::FakeAks(Env& env, SkuCatalog catalog, CloudConfig config)
    : env_(env),
      catalog_(std::move(catalog)),
      cluster_(config.cluster),
      arm_(config.arm),
      config_(std::move(config)) {}

FakeAks::~FakeAks() {
  std::lock_guard<std::mutex> lock(mu_);
  for (Env::TimerId id : timers_) env_.Cancel(id);
  timers_.clear();
}

// ---------------------------------------------------------------------------------------------
// Plumbing: timers, trace, notifications, admission.

Env::TimerId FakeAks::After(Duration delay, std::function<void()> fn) {
  auto self_id = std::make_shared<Env::TimerId>(Env::kNoTimer);
  // The callback takes the lock first; since After runs under the lock, *self_id is set by
  // the time the callback can look at it.
  Env::TimerId id = env_.Schedule(delay, [this, self_id, fn = std::move(fn)] {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (timers_.erase(*self_id) == 0) return;  // cancelled while it was firing
      fn();
    }
    Deliver();
  });
  *self_id = id;
  timers_.insert(id);
  return id;
}

void FakeAks::CancelTimer(Env::TimerId& id) {
  if (id == Env::kNoTimer) return;
  env_.Cancel(id);
  timers_.erase(id);
  id = Env::kNoTimer;
}

void FakeAks::TraceRecord(std::string_view kind, Json fields) {
  changed_ = true;
  env_.trace().Record(env_.Now(), kind, fields);
}

void FakeAks::Deliver() {
  for (;;) {
    bool expected = false;
    // Another thread (or an outer frame of this one) is delivering; it will see our work.
    if (!delivering_.compare_exchange_strong(expected, true)) return;
    for (;;) {
      Notification n;
      std::vector<VmObserver*> observers;
      std::vector<std::function<void()>> listeners;
      bool have_notification = false;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!pending_.empty()) {
          n = std::move(pending_.front());
          pending_.pop_front();
          observers = observers_;
          have_notification = true;
        } else if (changed_) {
          changed_ = false;
          listeners = change_listeners_;
        } else {
          break;
        }
      }
      if (have_notification) {
        for (VmObserver* o : observers) {
          switch (n.type) {
            case Notification::Type::kBooted:
              o->VmBooted(n.vm);
              break;
            case Notification::Type::kDeleted:
              o->VmDeleted(n.vm);
              break;
            case Notification::Type::kEvicted:
              o->VmEvicted(n.vm);
              break;
          }
        }
      }
      for (const auto& l : listeners) l();
    }
    delivering_.store(false);
    std::lock_guard<std::mutex> lock(mu_);
    if (pending_.empty() && !changed_) return;
  }
}

Status FakeAks::Admit(RequestKind kind, std::string_view op, std::string_view op_type) {
  for (ScriptedError& e : config_.plan.scripted_errors) {
    if (e.remaining <= 0 || (e.op != "any" && e.op != op)) continue;
    --e.remaining;
    if (e.code == "TooManyRequests") return Throttled(op_type, config_.arm.throttle_retry_after_s);
    if (e.code == "GatewayTimeout") return GatewayTimeout();
    return InternalServerError();
  }
  const FaultProbabilities& f = config_.faults;
  if (env_.Buggify("cloud.internal_error", f.internal_error)) return InternalServerError();
  if (env_.Buggify("cloud.throttle", f.throttle)) {
    return Throttled(op_type, config_.arm.throttle_retry_after_s);
  }
  const int k = static_cast<int>(kind);
  const int64_t limits[3] = {config_.arm.reads_per_hour, config_.arm.writes_per_hour,
                             config_.arm.deletes_per_hour};
  if (limits[k] <= 0) return Status::Ok();
  const int64_t now_s = ToUnixNanos(env_.Now()) / 1'000'000'000;
  const int64_t window = now_s / 3600;
  Budget& b = budgets_[k];
  if (b.window != window) b = Budget{window, 0};
  if (b.used >= limits[k]) {
    static constexpr std::string_view kNames[3] = {"read", "write", "delete"};
    const int retry = static_cast<int>(std::max<int64_t>(1, (window + 1) * 3600 - now_s));
    return SubscriptionThrottled(kNames[k], config_.cluster.subscription_id, retry);
  }
  ++b.used;
  return Status::Ok();
}

Status FakeAks::Reject(std::string_view op, std::string_view pool, Status s) {
  if (s.ok()) return s;
  TraceRecord(
      "cloud.reject",
      {{"op", std::string(op)}, {"pool", std::string(pool)}, {"code", std::string(s.reason())}});
  return s;
}

Duration FakeAks::Draw(const DelayDistribution& d, std::string_view stream) {
  double s = d.median_s;
  if (d.sigma > 0 && d.median_s > 0) {
    s = env_.Random(stream).LogNormal(std::log(d.median_s), d.sigma);
  }
  s = std::clamp(s, d.min_s, d.max_s) * config_.timing.delay_scale;
  // Whole milliseconds keep traces free of float noise.
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(s * 1000.0)));
}

Duration FakeAks::BootDelay(const SkuInfo& sku) {
  Duration d = Draw(sku.provision_delay, "cloud/boot");
  if (env_.Buggify("cloud.slow_boot", config_.faults.slow_boot)) {
    d = std::chrono::duration_cast<Duration>(d * config_.faults.slow_boot_factor);
  }
  return d;
}

// ---------------------------------------------------------------------------------------------
// Operations and pool state.

std::string FakeAks::NewOperation(std::string_view pool, OperationKind kind) {
  Operation op;
  op.view.id = NewGuid(env_.Random("cloud/ids"));
  op.view.pool = std::string(pool);
  op.view.kind = kind;
  op.view.start_time = env_.Now();
  std::string id = op.view.id;
  TraceRecord("cloud.operation", {{"id", id},
                                  {"pool", std::string(pool)},
                                  {"kind", std::string(OperationKindName(kind))},
                                  {"status", "InProgress"}});
  ops_.emplace(id, std::move(op));
  return id;
}

void FakeAks::FinishOperation(const std::string& op_id, OperationState state, Status error) {
  auto it = ops_.find(op_id);
  KT_CHECK(it != ops_.end());
  Operation& op = it->second;
  if (op.view.state != OperationState::kInProgress) return;
  CancelTimer(op.timer);
  op.view.state = state;
  op.view.end_time = env_.Now();
  op.view.error = std::move(error);
  Json fields = {{"id", op_id},
                 {"pool", op.view.pool},
                 {"kind", std::string(OperationKindName(op.view.kind))},
                 {"status", std::string(OperationStateName(state))}};
  if (!op.view.error.ok()) fields["code"] = std::string(op.view.error.reason());
  TraceRecord("cloud.operation", std::move(fields));
  if (auto p = pools_.find(op.view.pool); p != pools_.end() && p->second.active_op == op_id) {
    p->second.active_op.clear();
  }
  finished_ops_.push_back(op_id);
  while (finished_ops_.size() > static_cast<size_t>(config_.limits.operations_retained_max)) {
    ops_.erase(finished_ops_.front());
    finished_ops_.pop_front();
  }
}

void FakeAks::SetPoolState(Pool& pool, std::string_view state) {
  if (pool.state == state) return;
  pool.state = std::string(state);
  TraceRecord("cloud.pool", {{"pool", pool.spec.name},
                             {"state", pool.state},
                             {"vms", pool.vms.size()},
                             {"count", pool.spec.count}});
}

void FakeAks::CompleteAfter(const std::string& op_id, Duration delay, std::string_view pool_state) {
  Operation& op = ops_.at(op_id);
  std::string pool = op.view.pool;
  std::string state(pool_state);
  op.timer = After(delay, [this, op_id, pool, state] {
    ops_.at(op_id).timer = Env::kNoTimer;
    if (auto p = pools_.find(pool); p != pools_.end()) SetPoolState(p->second, state);
    FinishOperation(op_id, OperationState::kSucceeded, Status::Ok());
  });
}

void FakeAks::CancelActiveOperation(Pool& pool, const std::string& by_op_id) {
  if (pool.active_op.empty()) return;
  const std::string old = pool.active_op;
  // VMs of the cancelled operation that have not booted yet are dropped silently.
  std::vector<int> unbooted;
  for (auto& [instance, vm] : pool.vms) {
    if (!vm.booted) unbooted.push_back(instance);
    vm.leaving = false;
  }
  for (int instance : unbooted) RemoveVm(pool, instance, Notification::Type::kDeleted);
  FinishOperation(old, OperationState::kCanceled, OperationCanceled(by_op_id));
}

// ---------------------------------------------------------------------------------------------
// VMs.

void FakeAks::StartAllocation(Pool& pool, const std::string& op_id, int vms) {
  const AgentPoolSpec& spec = pool.spec;
  const SkuInfo& sku = *spec.sku;
  std::optional<std::vector<std::string>> placement;
  if (!env_.Buggify("cloud.allocation_failed", config_.faults.allocation_failed)) {
    placement = resources_.Place(config_.plan, sku, spec.zones, config_.cluster.zones, vms,
                                 pool.next_instance);
  }
  if (!placement) {
    Status error = spec.zones.empty() ? AllocationFailed() : ZonalAllocationFailed();
    const std::string name = spec.name;
    Operation& op = ops_.at(op_id);
    op.timer = After(Draw(config_.timing.allocation_failure_delay, "cloud/delay"),
                     [this, op_id, name, error] {
                       ops_.at(op_id).timer = Env::kNoTimer;
                       if (auto p = pools_.find(name); p != pools_.end()) {
                         SetPoolState(p->second, kStateFailed);
                       }
                       FinishOperation(op_id, OperationState::kFailed, error);
                     });
    return;
  }
  const Time now = env_.Now();
  const double price = sku.price_per_hour_usd * (spec.spot ? config_.spot_price_fraction : 1.0);
  Operation& op = ops_.at(op_id);
  for (int i = 0; i < vms; ++i) {
    const int instance = pool.next_instance++;
    const std::string& capacity_zone = (*placement)[i];
    const std::string zone = spec.zones.empty() ? std::string() : capacity_zone;
    Vm vm;
    vm.info = DescribeVm(config_, spec, instance, zone, next_ip_index_++);
    vm.info.allocated_at = now;
    vm.capacity_zone = capacity_zone;
    vm.op_id = op_id;
    resources_.Allocate(sku, spec.spot, capacity_zone);
    costs_.Start(vm.info.vm_name, spec.name, sku.name, spec.spot, sku.gpu_count, price, now);
    const std::string name = spec.name;
    vm.boot_timer = After(BootDelay(sku), [this, name, instance] { OnVmBooted(name, instance); });
    vm_index_[vm.info.vm_name] = {spec.name, instance};
    TraceRecord("cloud.vm", {{"vm", vm.info.vm_name},
                             {"pool", spec.name},
                             {"event", "allocated"},
                             {"sku", sku.name},
                             {"zone", zone},
                             {"capacityZone", capacity_zone}});
    pool.vms.emplace(instance, std::move(vm));
    ++op.pending_vms;
  }
}

void FakeAks::OnVmBooted(const std::string& pool_name, int instance) {
  auto p = pools_.find(pool_name);
  if (p == pools_.end()) return;
  Pool& pool = p->second;
  auto v = pool.vms.find(instance);
  if (v == pool.vms.end() || v->second.booted) return;
  Vm& vm = v->second;
  vm.boot_timer = Env::kNoTimer;
  vm.booted = true;
  vm.info.booted_at = env_.Now();
  TraceRecord("cloud.vm", {{"vm", vm.info.vm_name}, {"pool", pool_name}, {"event", "running"}});
  pending_.push_back({Notification::Type::kBooted, vm.info});
  if (vm.info.spot) {
    Duration evict_in = Duration::max();
    if (config_.timing.spot_eviction_mean_s > 0) {
      evict_in =
          FromSeconds(env_.Random("cloud/spot").Exponential(config_.timing.spot_eviction_mean_s));
    }
    if (env_.Buggify("cloud.spot_evict", config_.faults.spot_evict)) {
      evict_in = std::min(
          evict_in,
          FromSeconds(env_.Random("cloud/spot").Exponential(config_.faults.spot_evict_mean_s)));
    }
    if (evict_in != Duration::max()) {
      evict_in = std::chrono::duration_cast<std::chrono::milliseconds>(evict_in);
      vm.evict_timer = After(evict_in, [this, pool_name, instance] {
        auto pp = pools_.find(pool_name);
        if (pp == pools_.end()) return;
        auto vv = pp->second.vms.find(instance);
        if (vv == pp->second.vms.end()) return;
        vv->second.evict_timer = Env::kNoTimer;
        EvictLocked(pp->second, instance);
      });
    }
  }
  auto o = ops_.find(vm.op_id);
  if (o == ops_.end() || o->second.view.state != OperationState::kInProgress ||
      pool.active_op != vm.op_id) {
    return;
  }
  if (--o->second.pending_vms == 0) {
    SetPoolState(pool, kStateSucceeded);
    FinishOperation(vm.op_id, OperationState::kSucceeded, Status::Ok());
  }
}

void FakeAks::RemoveVm(Pool& pool, int instance, Notification::Type type) {
  auto it = pool.vms.find(instance);
  if (it == pool.vms.end()) return;
  Vm& vm = it->second;
  CancelTimer(vm.boot_timer);
  CancelTimer(vm.evict_timer);
  resources_.Release(*pool.spec.sku, vm.info.spot, vm.capacity_zone);
  costs_.Stop(vm.info.vm_name, env_.Now());
  vm_index_.erase(vm.info.vm_name);
  const char* event = type == Notification::Type::kEvicted ? "evicted" : "deleted";
  TraceRecord("cloud.vm", {{"vm", vm.info.vm_name},
                           {"pool", pool.spec.name},
                           {"event", vm.booted ? event : "released"}});
  if (vm.booted) pending_.push_back({type, std::move(vm.info)});
  pool.vms.erase(it);
}

void FakeAks::EvictLocked(Pool& pool, int instance) {
  RemoveVm(pool, instance, Notification::Type::kEvicted);
}

void FakeAks::StartScaleDown(Pool& pool, const std::string& op_id, int vms) {
  int picked = 0;
  for (auto it = pool.vms.rbegin(); it != pool.vms.rend() && picked < vms; ++it, ++picked) {
    it->second.leaving = true;
  }
  const std::string name = pool.spec.name;
  ops_.at(op_id).timer = After(Draw(config_.timing.scale_down_delay, "cloud/delay"),
                               [this, name, op_id] { OnScaleDownDone(name, op_id); });
}

void FakeAks::OnScaleDownDone(const std::string& pool_name, const std::string& op_id) {
  ops_.at(op_id).timer = Env::kNoTimer;
  auto p = pools_.find(pool_name);
  if (p != pools_.end()) {
    std::vector<int> leaving;
    for (const auto& [instance, vm] : p->second.vms) {
      if (vm.leaving) leaving.push_back(instance);
    }
    for (int instance : leaving) RemoveVm(p->second, instance, Notification::Type::kDeleted);
    SetPoolState(p->second, kStateSucceeded);
  }
  FinishOperation(op_id, OperationState::kSucceeded, Status::Ok());
}

void FakeAks::OnPoolDeleted(const std::string& pool_name, const std::string& op_id) {
  ops_.at(op_id).timer = Env::kNoTimer;
  auto p = pools_.find(pool_name);
  if (p != pools_.end()) {
    std::vector<int> instances;
    for (const auto& [instance, vm] : p->second.vms) instances.push_back(instance);
    for (int instance : instances) RemoveVm(p->second, instance, Notification::Type::kDeleted);
    TraceRecord("cloud.pool", {{"pool", pool_name}, {"state", "Deleted"}});
    pools_.erase(p);
  }
  FinishOperation(op_id, OperationState::kSucceeded, Status::Ok());
}

// ---------------------------------------------------------------------------------------------
// ARM API.

Status FakeAks::CheckUpdateAllowed(const Pool& pool, const AgentPoolSpec& spec) const {
  const AgentPoolSpec& cur = pool.spec;
  if (AsciiLower(cur.sku->name) != AsciiLower(spec.sku->name)) {
    return PropertyChangeNotAllowed("vmSize");
  }
  if (cur.spot != spec.spot) return PropertyChangeNotAllowed("scaleSetPriority");
  if (cur.zones != spec.zones) return PropertyChangeNotAllowed("availabilityZones");
  if (cur.os_disk_gib != spec.os_disk_gib) return PropertyChangeNotAllowed("osDiskSizeGB");
  if (cur.max_pods != spec.max_pods) return PropertyChangeNotAllowed("maxPods");
  if (cur.os_sku != spec.os_sku) return PropertyChangeNotAllowed("osSKU");
  return Status::Ok();
}

Status FakeAks::CheckAvailability(const AgentPoolSpec& spec) const {
  const FaultPlan& plan = config_.plan;
  const std::string& sku = spec.sku->name;
  if (!plan.SkuAvailable(sku)) {
    return SkuNotAvailable(sku, config_.cluster.region, Csv(spec.zones));
  }
  std::vector<std::string> bad;
  for (const std::string& z : spec.zones) {
    if (!plan.SkuAvailableInZone(sku, z)) bad.push_back(z);
  }
  if (!bad.empty()) return SkuNotAvailable(sku, config_.cluster.region, Csv(bad));
  if (spec.zones.empty() && !config_.cluster.zones.empty()) {
    bool any = false;
    for (const std::string& z : config_.cluster.zones) any = any || plan.SkuAvailableInZone(sku, z);
    if (!any) return SkuNotAvailable(sku, config_.cluster.region, Csv(config_.cluster.zones));
  }
  return Status::Ok();
}

Result<PutResult> FakeAks::PutLocked(std::string_view name, const Json& body) {
  KT_RETURN_IF_ERROR(Reject("put", name, Admit(RequestKind::kWrite, "put", "PutAgentPool")));
  auto parsed = ParseAgentPoolSpec(name, body, catalog_, config_);
  if (!parsed.ok()) return Reject("put", name, parsed.status());
  AgentPoolSpec spec = std::move(parsed).value();
  const std::string key(name);

  auto it = pools_.find(key);
  if (it != pools_.end()) {
    const Pool& pool = it->second;
    if (!pool.active_op.empty()) {
      if (pool.state == kStateCreating) {
        return Reject("put", name, CreateInProgress(name, ops_.at(pool.active_op).view.start_time));
      }
      return Reject("put", name, AnotherOperationInProgress(name, pool.state));
    }
    KT_RETURN_IF_ERROR(Reject("put", name, CheckUpdateAllowed(pool, spec)));
  } else if (pools_.size() >= static_cast<size_t>(config_.limits.agent_pools_max)) {
    return Reject("put", name, TooManyAgentPools(config_.limits.agent_pools_max));
  }
  KT_RETURN_IF_ERROR(Reject("put", name, CheckAvailability(spec)));
  const int existing = it == pools_.end() ? 0 : static_cast<int>(it->second.vms.size());
  const int delta = spec.count - existing;
  if (delta > 0) {
    if (auto shortfall = resources_.CheckQuota(config_.plan, *spec.sku, spec.spot, delta)) {
      return Reject("put", name,
                    QuotaExceeded(config_.cluster.name, config_.cluster.NodeResourceGroup(),
                                  shortfall->display_name, config_.cluster.region, shortfall->limit,
                                  shortfall->usage, shortfall->required));
    }
  }

  const bool created = it == pools_.end();
  Pool& pool = created ? pools_[key] : it->second;
  pool.spec = std::move(spec);
  const std::string op_id =
      NewOperation(key, created ? OperationKind::kCreate : OperationKind::kUpdate);
  pool.active_op = op_id;
  SetPoolState(pool, created ? kStateCreating : kStateUpdating);
  if (delta > 0) {
    StartAllocation(pool, op_id, delta);
  } else if (delta < 0) {
    StartScaleDown(pool, op_id, -delta);
  } else {
    CompleteAfter(op_id, Draw(config_.timing.update_delay, "cloud/delay"), kStateSucceeded);
  }
  PutResult result{DumpJson(RenderAgentPool(config_.cluster, pool.spec, pool.state)), created,
                   op_id};
  if (env_.Buggify("cloud.response_lost", config_.faults.response_lost)) {
    return Reject("put", name, GatewayTimeout());
  }
  return result;
}

Result<PutResult> FakeAks::PutAgentPool(std::string_view name, const Json& body) {
  std::optional<Result<PutResult>> result;
  {
    std::lock_guard<std::mutex> lock(mu_);
    result.emplace(PutLocked(name, body));
  }
  Deliver();
  return std::move(*result);
}

Result<Json> FakeAks::GetAgentPool(std::string_view name) {
  std::optional<Result<Json>> result;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Status admit = Reject("get", name, Admit(RequestKind::kRead, "get", "GetAgentPool"));
    if (!admit.ok()) {
      result.emplace(admit);
    } else if (auto it = pools_.find(AsciiLower(name)); it == pools_.end()) {
      result.emplace(AgentPoolNotFound(name, config_.cluster.name));
    } else {
      result.emplace(RenderAgentPool(config_.cluster, it->second.spec, it->second.state));
    }
  }
  Deliver();
  return std::move(*result);
}

Result<std::vector<Json>> FakeAks::ListAgentPools() {
  std::optional<Result<std::vector<Json>>> result;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Status admit = Reject("list", "", Admit(RequestKind::kRead, "list", "ListAgentPools"));
    if (!admit.ok()) {
      result.emplace(admit);
    } else {
      std::vector<Json> pools;
      for (const auto& [name, pool] : pools_) {
        pools.push_back(RenderAgentPool(config_.cluster, pool.spec, pool.state));
      }
      result.emplace(std::move(pools));
    }
  }
  Deliver();
  return std::move(*result);
}

Result<DeleteResult> FakeAks::DeleteLocked(std::string_view name) {
  KT_RETURN_IF_ERROR(
      Reject("delete", name, Admit(RequestKind::kDelete, "delete", "DeleteAgentPool")));
  auto it = pools_.find(AsciiLower(name));
  if (it == pools_.end()) return DeleteResult{false, ""};
  Pool& pool = it->second;
  // DELETE is idempotent in ARM: a second DELETE reports the running delete.
  if (pool.state == kStateDeleting && !pool.active_op.empty()) {
    return DeleteResult{true, pool.active_op};
  }
  const std::string op_id = NewOperation(pool.spec.name, OperationKind::kDelete);
  CancelActiveOperation(pool, op_id);
  pool.active_op = op_id;
  SetPoolState(pool, kStateDeleting);
  const std::string pool_name = pool.spec.name;
  ops_.at(op_id).timer = After(Draw(config_.timing.delete_delay, "cloud/delay"),
                               [this, pool_name, op_id] { OnPoolDeleted(pool_name, op_id); });
  if (env_.Buggify("cloud.response_lost", config_.faults.response_lost)) {
    return Reject("delete", name, GatewayTimeout());
  }
  return DeleteResult{true, op_id};
}

Result<DeleteResult> FakeAks::DeleteAgentPool(std::string_view name) {
  std::optional<Result<DeleteResult>> result;
  {
    std::lock_guard<std::mutex> lock(mu_);
    result.emplace(DeleteLocked(name));
  }
  Deliver();
  return std::move(*result);
}

Result<OperationView> FakeAks::GetOperation(std::string_view operation_id) {
  std::optional<Result<OperationView>> result;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Status admit = Reject("poll", "", Admit(RequestKind::kRead, "poll", "GetOperation"));
    if (!admit.ok()) {
      result.emplace(admit);
    } else if (auto it = ops_.find(std::string(operation_id)); it == ops_.end()) {
      result.emplace(OperationNotFound(operation_id));
    } else {
      result.emplace(it->second.view);
    }
  }
  Deliver();
  return std::move(*result);
}

std::vector<QuotaUsage> FakeAks::QuotaUsages() const {
  std::lock_guard<std::mutex> lock(mu_);
  return resources_.Usages(config_.plan);
}

// ---------------------------------------------------------------------------------------------
// World control and queries.

void FakeAks::AddObserver(VmObserver* observer) {
  std::lock_guard<std::mutex> lock(mu_);
  observers_.push_back(observer);
}

void FakeAks::RemoveObserver(VmObserver* observer) {
  std::lock_guard<std::mutex> lock(mu_);
  observers_.erase(std::remove(observers_.begin(), observers_.end(), observer), observers_.end());
}

void FakeAks::AddChangeListener(std::function<void()> listener) {
  std::lock_guard<std::mutex> lock(mu_);
  change_listeners_.push_back(std::move(listener));
}

void FakeAks::UpdateFaultPlan(const std::function<void(FaultPlan&)>& edit) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    edit(config_.plan);
    TraceRecord("cloud.plan", {{"defaultFamilyVcpus", config_.plan.default_family_vcpus},
                               {"families", config_.plan.family_vcpus.size()},
                               {"unavailableSkus", config_.plan.unavailable_skus.size()}});
  }
  Deliver();
}

Status FakeAks::EvictSpotVm(std::string_view vm_name) {
  Status result;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = vm_index_.find(vm_name);
    if (it == vm_index_.end()) {
      result = NotFound("VM " + std::string(vm_name) + " not found");
    } else {
      Pool& pool = pools_.at(it->second.first);
      const Vm& vm = pool.vms.at(it->second.second);
      if (!vm.info.spot) {
        result = BadRequest("VM " + std::string(vm_name) + " is not a Spot VM");
      } else if (!vm.booted) {
        result = BadRequest("VM " + std::string(vm_name) + " has not booted yet");
      } else {
        EvictLocked(pool, it->second.second);
      }
    }
  }
  Deliver();
  return result;
}

CostReport FakeAks::Costs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return costs_.Report(env_.Now());
}

std::vector<VmInfo> FakeAks::Vms() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<VmInfo> out;
  for (const auto& [name, where] : vm_index_) {
    out.push_back(pools_.at(where.first).vms.at(where.second).info);
  }
  return out;
}

size_t FakeAks::pool_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pools_.size();
}

CloudConfig FakeAks::config() const {
  std::lock_guard<std::mutex> lock(mu_);
  return config_;
}

}  // namespace kt::sim::cloud
