// ApplyMergePatch never crashes on arbitrary (original, patch) pairs; an object patch always
// succeeds, applying it twice gives the same result (RFC 7386 patches are idempotent), and a
// non-object patch is BadRequest.
#include "base/check.h"
#include "fuzz/sim/apiserver/fuzz_input.h"
#include "sim/apiserver/types/patch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = kt::fuzz::Parts(data, size, 2);
  if (parts.size() < 2) return 0;
  auto original = kt::fuzz::ParsePart(parts[0]);
  auto patch = kt::fuzz::ParsePart(parts[1]);
  if (!original || !patch) return 0;
  auto once = kt::sim::ApplyMergePatch(*original, *patch);
  if (!patch->is_object()) {
    KT_CHECK(once.status().Is(kt::StatusCode::kBadRequest));
    return 0;
  }
  KT_CHECK(once.ok()) << once.status().ToString();
  auto twice = kt::sim::ApplyMergePatch(*once, *patch);
  KT_CHECK(twice.ok());
  KT_CHECK(*twice == *once) << "merge patch not idempotent";
  return 0;
}
