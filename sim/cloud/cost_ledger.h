// CostLedger: what the simulated VMs cost. A VM is billed from allocation (the PUT that
// created it was accepted) until it is deleted or evicted, at its SKU's hourly list price
// (Spot VMs at the configured fraction of it), in virtual time. GPU-hours are VM-hours times
// the SKU's GPU count. Reports group by pool name and SKU, include pools already deleted, and
// count running VMs up to `now`.
//
// Not thread-safe: FakeAks calls it under its lock.
#ifndef KT_SIM_CLOUD_COST_LEDGER_H_
#define KT_SIM_CLOUD_COST_LEDGER_H_

#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "base/json_fwd.h"
#include "base/time.h"

namespace kt::sim::cloud {

struct PoolCost {
  std::string pool;
  std::string sku;
  bool spot = false;
  int gpus_per_vm = 0;
  double usd_per_vm_hour = 0;
  int vms_running = 0;  // billed right now
  double vm_hours = 0;
  double gpu_hours = 0;
  double usd = 0;
};

struct CostReport {
  std::vector<PoolCost> pools;  // ordered by (pool, sku, spot)
  double vm_hours = 0;
  double gpu_hours = 0;
  double usd = 0;

  // {"pools":[{"pool","sku","spot","vmHours","gpuHours","usd",...}],"vmHours","gpuHours","usd"}
  Json ToJson() const;
};

class CostLedger {
 public:
  // REQUIRES: vm_name is not being billed already.
  void Start(std::string_view vm_name, std::string_view pool, std::string_view sku, bool spot,
             int gpus_per_vm, double usd_per_vm_hour, Time t);
  // Stops billing vm_name (no-op when it is not billed).
  void Stop(std::string_view vm_name, Time t);
  CostReport Report(Time now) const;

 private:
  using Key = std::tuple<std::string, std::string, bool>;  // pool, sku, spot
  struct Account {
    int gpus_per_vm = 0;
    double usd_per_vm_hour = 0;
    Duration closed{0};  // VM time of VMs no longer billed
  };
  struct Running {
    Key key;
    Time since;
  };
  std::map<Key, Account> accounts_;
  std::map<std::string, Running, std::less<>> running_;  // vm_name -> billing
};

}  // namespace kt::sim::cloud

#endif  // KT_SIM_CLOUD_COST_LEDGER_H_
