#include "serving/model/memory_budget.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace kt::serving {

namespace {
std::optional<uint64_t> ReadUint(const char* path) {
  std::ifstream in(path);
  std::string s;
  if (!(in >> s) || s == "max") return std::nullopt;
  try {
    return std::stoull(s);
  } catch (...) {
    return std::nullopt;
  }
}
}  // namespace

Result<uint64_t> HostMemoryAvailableBytes() {
  std::ifstream in("/proc/meminfo");
  if (!in) return Unavailable("cannot read /proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  std::optional<uint64_t> available;
  while (in >> key >> kib) {
    std::getline(in, unit);
    if (key == "MemAvailable:") available = kib * 1024;
  }
  if (!available) return Unavailable("/proc/meminfo has no MemAvailable");
  auto max = ReadUint("/sys/fs/cgroup/memory.max");
  auto cur = ReadUint("/sys/fs/cgroup/memory.current");
  if (max && cur && *max > *cur) available = std::min(*available, *max - *cur);
  return *available;
}

std::string FormatBytes(uint64_t bytes) {
  char buf[64];
  double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.2f GiB", b / (1024.0 * 1024 * 1024));
  } else if (b >= 1024.0 * 1024) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", b / (1024.0 * 1024));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024.0);
  }
  return buf;
}

Status CheckMemoryPlan(const MemoryPlan& plan, uint64_t available, std::string_view what,
                       double reserve_fraction) {
  double usable = static_cast<double>(available) * (1.0 - reserve_fraction);
  if (static_cast<double>(plan.total()) <= usable) return Status::Ok();
  return Invalid(std::string(what) + " needs " + FormatBytes(plan.total()) + " (weights " +
                 FormatBytes(plan.weight_bytes) + ", KV cache " + FormatBytes(plan.kv_cache_bytes) +
                 ", workspace " + FormatBytes(plan.workspace_bytes) + ") but only " +
                 FormatBytes(available) + " of memory is available (keeping " +
                 std::to_string(static_cast<int>(reserve_fraction * 100)) +
                 "% in reserve); use a smaller preset, --dtype bfloat16, or a smaller "
                 "--kv-cache-bytes");
}

}  // namespace kt::serving
