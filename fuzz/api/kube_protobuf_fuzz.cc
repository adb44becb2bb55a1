// DecodeKubeProtobuf never crashes, hangs or overflows on arbitrary bytes: every input decodes
// or returns an error Status, and a decoded object serializes (DumpJson) to JSON that parses
// back. Inputs are tried twice: as a whole body (envelope parsing), and as the raw object
// bytes of a kind the first byte picks, wrapped in a valid envelope (so the fuzzer reaches the
// schema-driven decoding of every kind without having to discover the envelope first).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/kube_protobuf.h"
#include "base/check.h"
#include "base/json.h"

namespace {

constexpr std::string_view kKinds[][2] = {
    {"v1", "Namespace"},  {"v1", "ConfigMap"},   {"v1", "Secret"},        {"v1", "ServiceAccount"},
    {"v1", "Pod"},        {"v1", "Service"},     {"v1", "ResourceQuota"}, {"apps/v1", "Deployment"},
    {"batch/v1", "Job"},  {"batch/v1", "CronJob"}, {"rbac.authorization.k8s.io/v1", "ClusterRole"},
    {"rbac.authorization.k8s.io/v1", "RoleBinding"}, {"policy/v1", "PodDisruptionBudget"},
    {"networking.k8s.io/v1", "Ingress"}, {"scheduling.k8s.io/v1", "PriorityClass"}, {"v1", "Widget"},
};

std::string Len(int field, std::string_view bytes) {
  std::string out(1, static_cast<char>((field << 3) | 2));
  uint64_t n = bytes.size();
  while (n >= 0x80) {
    out += static_cast<char>((n & 0x7f) | 0x80);
    n >>= 7;
  }
  out += static_cast<char>(n);
  return out + std::string(bytes);
}

void Check(std::string_view body) {
  auto r = kt::api::DecodeKubeProtobuf(body);
  if (!r.ok()) {
    KT_CHECK(!r.status().message().empty());
    return;
  }
  KT_CHECK(r->is_object());
  KT_CHECK((*r)["apiVersion"].is_string() && (*r)["kind"].is_string());
  std::string dumped = kt::DumpJson(*r);
  KT_CHECK(kt::ParseJson(dumped).ok()) << dumped;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Check(bytes);
  if (!bytes.empty()) {
    const auto& kind = kKinds[static_cast<uint8_t>(bytes[0]) % (sizeof(kKinds) / sizeof(kKinds[0]))];
    Check(std::string("k8s\0", 4) + Len(1, Len(1, kind[0]) + Len(2, kind[1])) + Len(2, bytes.substr(1)));
  }
  return 0;
}
