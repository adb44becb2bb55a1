#include "sim/apiserver/types/version_priority.h"

#include <cstdint>
#include <tuple>

namespace kt::sim {
namespace {

struct Parsed {
  bool kube = false;
  int stage = 3;  // 0 GA, 1 beta, 2 alpha, 3 other
  int64_t major = 0;
  int64_t minor = 0;
};

// Reads digits at v[i..]; false when none or too many (a 9-digit cap keeps it in range).
bool ReadNumber(std::string_view v, size_t& i, int64_t& out) {
  size_t start = i;
  out = 0;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9' && i - start < 9) {
    out = out * 10 + (v[i] - '0');
    ++i;
  }
  return i > start && (i == v.size() || v[i] < '0' || v[i] > '9') && v[start] != '0';
}

Parsed ParseVersion(std::string_view v) {
  Parsed p;
  if (v.size() < 2 || v[0] != 'v') return p;
  size_t i = 1;
  if (!ReadNumber(v, i, p.major)) return p;
  if (i == v.size()) {
    p.kube = true;
    p.stage = 0;
    return p;
  }
  std::string_view rest = v.substr(i);
  int stage;
  if (rest.substr(0, 4) == "beta") {
    stage = 1;
    i += 4;
  } else if (rest.substr(0, 5) == "alpha") {
    stage = 2;
    i += 5;
  } else {
    return p;
  }
  if (!ReadNumber(v, i, p.minor) || i != v.size()) return p;
  p.kube = true;
  p.stage = stage;
  return p;
}

}  // namespace

bool IsKubeVersion(std::string_view v) { return ParseVersion(v).kube; }

bool KubeVersionLess(std::string_view a, std::string_view b) {
  Parsed pa = ParseVersion(a);
  Parsed pb = ParseVersion(b);
  if (pa.stage != pb.stage) return pa.stage < pb.stage;
  if (!pa.kube) return a < b;
  return std::make_tuple(-pa.major, -pa.minor) < std::make_tuple(-pb.major, -pb.minor);
}

}  // namespace kt::sim
