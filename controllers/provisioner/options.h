// ProvisionerOptions: how the GPU provisioner is configured. Defaults are gpu-provisioner's and
// Karpenter core's numbers; the twin's tests shorten none of them (virtual time is free).
//
// A plain value; copy freely. `skus` must outlive the provisioner (the default is the
// process-wide compiled-in table).
#ifndef KT_CONTROLLERS_PROVISIONER_OPTIONS_H_
#define KT_CONTROLLERS_PROVISIONER_OPTIONS_H_

#include <cstddef>
#include <set>
#include <string>

#include "base/time.h"
#include "controllers/provisioner/pool_gc.h"
#include "controllers/runtime/rate_limiter.h"

namespace kt::kaito {
class SkuTable;
}  // namespace kt::kaito

namespace kt::controllers::provisioner {

struct ProvisionerOptions {
  // NodeClaims whose spec.nodeClassRef.group is one of these are ours (gpu-provisioner serves
  // AKSNodeClass; NodeClaims of Kaito < 0.6 have an empty group). Others are left alone.
  std::set<std::string> node_class_groups = {"karpenter.azure.com", ""};

  // Parallel reconciles (RealEnv: worker threads).
  int max_concurrent_reconciles = 10;
  // Back-off of failed reconciles (LaunchFailed, API conflicts, ...): Karpenter's lifecycle
  // controller uses 1 s doubling to 5 min, so a quota freed up is noticed within 5 minutes.
  ctrl::RateLimiterOptions rate_limiter{std::chrono::seconds(1), std::chrono::minutes(5), 10, 100};

  // While a create or delete runs in ARM, poll it this often (at least: ARM's Retry-After wins
  // when longer). The pool's Node appearing wakes the NodeClaim up earlier through the Node
  // watch, so this mostly bounds how late an asynchronous failure (AllocationFailed) is seen.
  Duration operation_poll_interval = std::chrono::seconds(30);
  // After the create succeeded, gpu-provisioner looks for the pool's Node 30 times, ~1 s apart
  // (the Node watch usually finds it first); then the launch counts as failed and is retried.
  Duration join_retry_interval = std::chrono::seconds(1);
  int join_attempts_max = 30;
  // Karpenter's registrationTTL: a NodeClaim whose Node has not registered this long after the
  // Registered condition was initialized is deleted (its pool with it).
  Duration registration_ttl = std::chrono::minutes(15);

  // The GC loop (pool_gc.h): period and first run after start.
  Duration gc_period = std::chrono::minutes(2);
  Duration gc_initial_delay = std::chrono::seconds(10);
  PoolGcOptions gc;

  // NodeClaims whose cloud operation is remembered in memory (operation_tracker.h).
  size_t tracked_operations_max = 100'000;

  // Null: controllers/kaito's compiled-in SKU table (GPU resources each size registers).
  const kaito::SkuTable* skus = nullptr;
};

}  // namespace kt::controllers::provisioner

#endif  // KT_CONTROLLERS_PROVISIONER_OPTIONS_H_
