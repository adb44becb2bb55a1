// The API server's fault points (Env::Buggify sites). They fire only under SimEnv with faults
// enabled; under RealEnv Buggify is always false. Writes made by the server's own controllers
// (garbage collector, namespace and CRD lifecycle) are never faulted.
#ifndef KT_SIM_APISERVER_FAULT_SITES_H_
#define KT_SIM_APISERVER_FAULT_SITES_H_

namespace kt::sim::faults {

// A write (update, patch, delete) fails with 409 Conflict before it is applied.
inline constexpr char kWriteConflict[] = "apiserver.write_conflict";
// Any request fails with 503 ServiceUnavailable (or 500) before it is applied.
inline constexpr char kUnavailable[] = "apiserver.unavailable";
// A write is applied, but the caller is told kTimeout (the result is unknown to it).
inline constexpr char kSlowResponse[] = "apiserver.slow_response";
// A watch stream ends with Unavailable while events are being delivered.
inline constexpr char kWatchDrop[] = "apiserver.watch_drop";
// Events reach a watcher after a seeded delay (order is kept).
inline constexpr char kWatchLag[] = "apiserver.watch_lag";

// Per-call probabilities once a site is enabled for the seed.
inline constexpr double kWriteConflictProbability = 0.05;
inline constexpr double kUnavailableProbability = 0.02;
inline constexpr double kSlowResponseProbability = 0.02;
inline constexpr double kWatchDropProbability = 0.01;
inline constexpr double kWatchLagProbability = 0.2;
// The lag drawn for a delayed delivery: uniform in [1, kWatchLagMsMax] ms.
inline constexpr int kWatchLagMsMax = 2000;

}  // namespace kt::sim::faults

#endif  // KT_SIM_APISERVER_FAULT_SITES_H_
