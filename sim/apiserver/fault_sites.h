// The API server's fault points (Env::Buggify sites). They fire only under SimEnv with faults
// enabled; under RealEnv Buggify is always false. Writes made by the server's own controllers
// (garbage collector, namespace and CRD lifecycle) are never faulted.
#ifndef KT_SIM_APISERVER_FAULT_SITES_H_
#define KT_SIM_APISERVER_FAULT_SITES_H_

#include "base/fault_site.h"

namespace kt::sim::faults {

// A write (update, patch, delete) fails with 409 Conflict before it is applied.
inline constexpr FaultSite kWriteConflict{"apiserver.write_conflict", 0.05};
// Any request fails with 503 ServiceUnavailable (or 500) before it is applied.
inline constexpr FaultSite kUnavailable{"apiserver.unavailable", 0.02};
// A write is applied, but the caller is told kTimeout (the result is unknown to it).
inline constexpr FaultSite kSlowResponse{"apiserver.slow_response", 0.02};
// A watch stream ends with Unavailable while events are being delivered.
inline constexpr FaultSite kWatchDrop{"apiserver.watch_drop", 0.01};
// Events reach a watcher after a seeded delay (order is kept).
inline constexpr FaultSite kWatchLag{"apiserver.watch_lag", 0.2};

// The lag drawn for a delayed delivery: uniform in [1, kWatchLagMsMax] ms.
inline constexpr int kWatchLagMsMax = 2000;

}  // namespace kt::sim::faults

#endif  // KT_SIM_APISERVER_FAULT_SITES_H_
