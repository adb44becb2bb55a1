// Helpers shared by the sim/cloud tests: a SimEnv world with a FakeAks built from the
// compiled-in data plus a YAML overlay, agent-pool bodies, and an observer that records VM
// events with their virtual times.
#ifndef KT_TESTS_SIM_CLOUD_CLOUD_TEST_UTIL_H_
#define KT_TESTS_SIM_CLOUD_CLOUD_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/json.h"
#include "base/sim_env.h"
#include "sim/cloud/cloud_config.h"
#include "sim/cloud/fake_aks.h"
#include "sim/cloud/sku_catalog.h"
#include "sim/cloud/vm_observer.h"

namespace kt::sim::cloud::testing {

inline SkuCatalog TestCatalog() {
  auto c = SkuCatalog::LoadEmbedded();
  KT_CHECK(c.ok()) << c.status().ToString();
  return std::move(c).value();
}

inline CloudConfig TestConfig(std::string_view overlay = "") {
  auto c = CloudConfig::LoadDefaultsWithOverlay(overlay);
  KT_CHECK(c.ok()) << c.status().ToString();
  return std::move(c).value();
}

// {"properties":{"vmSize":sku,"count":count,"osDiskSizeGB":...,"nodeLabels":{...}}}
inline Json PoolBody(std::string_view sku, int count = 1) {
  return Json{{"properties",
               {{"vmSize", std::string(sku)},
                {"count", count},
                {"osType", "Linux"},
                {"mode", "User"},
                {"type", "VirtualMachineScaleSets"},
                {"osDiskSizeGB", 300},
                {"nodeLabels", {{"kaito.sh/workspace", "ws1"}, {"karpenter.sh/nodepool", "kaito"}}},
                {"nodeTaints", Json::array({"sku=gpu:NoSchedule"})}}}};
}

class RecordingObserver : public VmObserver {
 public:
  explicit RecordingObserver(Env& env) : env_(env) {}
  void VmBooted(const VmInfo& vm) override { Add("booted", vm); }
  void VmDeleted(const VmInfo& vm) override { Add("deleted", vm); }
  void VmEvicted(const VmInfo& vm) override { Add("evicted", vm); }

  struct Event {
    std::string what;
    VmInfo vm;
    Time at;
  };
  std::vector<Event> events;
  int Count(std::string_view what) const {
    int n = 0;
    for (const Event& e : events) n += e.what == what;
    return n;
  }

 private:
  void Add(const char* what, const VmInfo& vm) { events.push_back({what, vm, env_.Now()}); }
  Env& env_;
};

// A deterministic world: SimEnv (faults off unless asked) + FakeAks + recording observer.
struct World {
  explicit World(std::string_view overlay = "", SimEnv::Options options = {})
      : env(options), aks(env, TestCatalog(), TestConfig(overlay)), observer(env) {
    aks.AddObserver(&observer);
  }
  // Runs the loop until `op_id` leaves InProgress (bounded by `time_max` virtual time).
  OperationState RunUntilDone(const std::string& op_id, Duration time_max = std::chrono::hours(2)) {
    OperationState state = OperationState::kInProgress;
    env.RunUntil(
        [&] {
          auto op = aks.GetOperation(op_id);
          KT_CHECK(op.ok()) << op.status().ToString();
          state = op->state;
          return state != OperationState::kInProgress;
        },
        time_max);
    return state;
  }
  SimEnv env;
  FakeAks aks;
  RecordingObserver observer;
};

}  // namespace kt::sim::cloud::testing

#endif  // KT_TESTS_SIM_CLOUD_CLOUD_TEST_UTIL_H_
