#include "sim/cloud/cost_ledger.h"

#include "base/check.h"
#include "base/json.h"

namespace kt::sim::cloud {

namespace {
double Hours(Duration d) { return ToSeconds(d) / 3600.0; }
}  // namespace

void CostLedger::Start(std::string_view vm_name, std::string_view pool, std::string_view sku,
                       bool spot, int gpus_per_vm, double usd_per_vm_hour, Time t) {
  Key key{std::string(pool), std::string(sku), spot};
  Account& a = accounts_[key];
  a.gpus_per_vm = gpus_per_vm;
  a.usd_per_vm_hour = usd_per_vm_hour;
  auto [it, inserted] = running_.emplace(std::string(vm_name), Running{std::move(key), t});
  KT_CHECK(inserted) << "VM " << vm_name << " is billed twice";
}

void CostLedger::Stop(std::string_view vm_name, Time t) {
  auto it = running_.find(vm_name);
  if (it == running_.end()) return;
  Account& a = accounts_[it->second.key];
  if (t > it->second.since) a.closed += t - it->second.since;
  running_.erase(it);
}

CostReport CostLedger::Report(Time now) const {
  std::map<Key, std::pair<Duration, int>> open;  // running time and count per account
  for (const auto& [vm, r] : running_) {
    auto& o = open[r.key];
    if (now > r.since) o.first += now - r.since;
    ++o.second;
  }
  CostReport report;
  for (const auto& [key, a] : accounts_) {
    PoolCost c;
    std::tie(c.pool, c.sku, c.spot) = key;
    c.gpus_per_vm = a.gpus_per_vm;
    c.usd_per_vm_hour = a.usd_per_vm_hour;
    Duration total = a.closed;
    if (auto it = open.find(key); it != open.end()) {
      total += it->second.first;
      c.vms_running = it->second.second;
    }
    c.vm_hours = Hours(total);
    c.gpu_hours = c.vm_hours * a.gpus_per_vm;
    c.usd = c.vm_hours * a.usd_per_vm_hour;
    report.vm_hours += c.vm_hours;
    report.gpu_hours += c.gpu_hours;
    report.usd += c.usd;
    report.pools.push_back(std::move(c));
  }
  return report;
}

Json CostReport::ToJson() const {
  Json pools_json = Json::array();
  for (const PoolCost& c : pools) {
    pools_json.push_back({{"pool", c.pool},
                          {"sku", c.sku},
                          {"spot", c.spot},
                          {"gpusPerVm", c.gpus_per_vm},
                          {"usdPerVmHour", c.usd_per_vm_hour},
                          {"vmsRunning", c.vms_running},
                          {"vmHours", c.vm_hours},
                          {"gpuHours", c.gpu_hours},
                          {"usd", c.usd}});
  }
  return Json{{"pools", std::move(pools_json)},
              {"vmHours", vm_hours},
              {"gpuHours", gpu_hours},
              {"usd", usd}};
}

}  // namespace kt::sim::cloud
