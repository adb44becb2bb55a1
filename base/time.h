// Time values used across the twin. Time is wall-clock time (virtual under SimEnv) with
// nanosecond resolution; Duration is std::chrono::nanoseconds so literals like 30s, 250ms
// read naturally. Nothing here reads a clock: clocks come from the Env (base/env.h).
#ifndef KT_BASE_TIME_H_
#define KT_BASE_TIME_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace kt {

using Duration = std::chrono::nanoseconds;
using Time = std::chrono::sys_time<std::chrono::nanoseconds>;

using namespace std::chrono_literals;  // NOLINT: 5s, 100ms read like the domain

inline int64_t ToUnixNanos(Time t) { return t.time_since_epoch().count(); }
inline Time FromUnixNanos(int64_t ns) { return Time(Duration(ns)); }
inline Time FromUnixSeconds(int64_t s) { return Time(std::chrono::seconds(s)); }
inline double ToSeconds(Duration d) { return std::chrono::duration<double>(d).count(); }
inline Duration FromSeconds(double s) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

// "2026-11-27T00:02:19Z" (metav1.Time: second precision, UTC).
std::string FormatRfc3339(Time t);
// "2026-11-27T00:02:19.123456Z" (metav1.MicroTime: Leases, events.k8s.io).
std::string FormatRfc3339Micro(Time t);
// Accepts "...Z" and "+hh:mm" offsets, with or without fractional seconds, and refuses what
// Go's time.Parse (metav1.Time) refuses: a day past its month's end, hour 24, minute or second
// 60, a lower-case "t" or "z". Years outside 1678-2261 do not fit Time and are refused too.
Result<Time> ParseRfc3339(std::string_view text);

// Kubernetes' duration.HumanDuration, which kubectl prints in AGE columns: "8s", "5m3s",
// "72m", "3h12m", "47h", "3d4h", "99d", "2y3d".
std::string HumanDuration(Duration d);

// Go-style duration parsing for flags and data files: "1.5s", "2m", "90m", "250ms", "1h30m".
// Past int64 nanoseconds (about 292 years) a duration is invalid, as in Go.
Result<Duration> ParseDuration(std::string_view text);

}  // namespace kt

#endif  // KT_BASE_TIME_H_
