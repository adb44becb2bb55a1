// ApplyStrategicMergePatch never crashes on arbitrary (original, patch) pairs for any
// built-in kind (the first byte picks the kind), and fails only with BadRequest.
#include "base/check.h"
#include "fuzz/sim/apiserver/fuzz_input.h"
#include "sim/apiserver/types/patch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const kt::sim::TypeRegistry* types = new kt::sim::TypeRegistry();
  static const std::vector<const kt::sim::ResourceType*> all = types->All();
  if (size < 1) return 0;
  const kt::sim::ResourceType* type = all[data[0] % all.size()];
  auto parts = kt::fuzz::Parts(data + 1, size - 1, 2);
  if (parts.size() < 2) return 0;
  auto original = kt::fuzz::ParsePart(parts[0]);
  auto patch = kt::fuzz::ParsePart(parts[1]);
  if (!original || !patch) return 0;
  auto r = kt::sim::ApplyStrategicMergePatch(*types, *type, *original, *patch);
  if (!r.ok()) KT_CHECK(r.status().Is(kt::StatusCode::kBadRequest)) << r.status().ToString();
  return 0;
}
