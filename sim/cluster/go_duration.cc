#include "sim/cluster/go_duration.h"

#include <cstdio>

namespace kt::sim::cluster {

std::string GoDuration(Duration d) {
  int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms == 0) return "0s";
  std::string sign;
  if (ms < 0) {
    sign = "-";
    ms = -ms;
  }
  if (ms < 1000) return sign + std::to_string(ms) + "ms";
  int64_t h = ms / 3'600'000;
  int64_t m = (ms / 60'000) % 60;
  int64_t s = (ms / 1000) % 60;
  int64_t frac = ms % 1000;
  std::string out = sign;
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  out += std::to_string(s);
  if (frac > 0) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), ".%03lld", static_cast<long long>(frac));
    std::string f(buf);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "s";
}

}  // namespace kt::sim::cluster
