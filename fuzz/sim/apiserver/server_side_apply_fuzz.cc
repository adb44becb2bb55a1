// ServerSideApply and UpdateManagedFields (untyped and typed) never crash on arbitrary (live,
// config) pairs, including malformed managedFields in the live object; apply fails only with
// BadRequest, Conflict or Internal (a non-object live object).
#include "base/check.h"
#include "fuzz/sim/apiserver/fuzz_input.h"
#include "sim/apiserver/types/patch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const kt::sim::TypeRegistry* types = new kt::sim::TypeRegistry();
  static const std::vector<const kt::sim::ResourceType*> all = types->All();
  if (size < 2) return 0;
  const kt::sim::ResourceType* type = all[data[0] % all.size()];
  bool force = data[1] & 1;
  std::string subresource = (data[1] & 2) ? "status" : "";
  auto parts = kt::fuzz::Parts(data + 2, size - 2, 2);
  if (parts.size() < 2) return 0;
  auto live = kt::fuzz::ParsePart(parts[0]);
  auto config = kt::fuzz::ParsePart(parts[1]);
  if (!live || !config) return 0;
  kt::sim::ApplyRequest req{"fuzzer", force, kt::FromUnixSeconds(1767225600), subresource};
  auto r = kt::sim::ServerSideApply(*types, *type, *live, *config, req);
  if (!r.ok()) {
    auto c = r.status().code();
    KT_CHECK(c == kt::StatusCode::kBadRequest || c == kt::StatusCode::kConflict ||
             c == kt::StatusCode::kInternal)
        << r.status().ToString();
  } else {
    // A second apply of the same configuration by the same manager never conflicts.
    auto again = kt::sim::ServerSideApply(*types, *type, *r, *config, req);
    KT_CHECK(again.ok()) << again.status().ToString();
  }
  kt::Json updated = *config;
  kt::sim::UpdateManagedFields(*types, *type, *live, updated, "writer", subresource, req.now);
  return 0;
}
