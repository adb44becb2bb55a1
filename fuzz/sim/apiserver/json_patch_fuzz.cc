// ApplyJsonPatch never crashes on arbitrary (document, operations) pairs and fails only with
// BadRequest, Invalid or RequestEntityTooLarge; a failed patch leaves the input untouched.
#include "base/check.h"
#include "fuzz/sim/apiserver/fuzz_input.h"
#include "sim/apiserver/types/patch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = kt::fuzz::Parts(data, size, 2);
  if (parts.size() < 2) return 0;
  auto doc = kt::fuzz::ParsePart(parts[0]);
  auto ops = kt::fuzz::ParsePart(parts[1]);
  if (!doc || !ops) return 0;
  kt::Json before = *doc;
  auto r = kt::sim::ApplyJsonPatch(*doc, *ops);
  KT_CHECK(*doc == before);
  if (!r.ok()) {
    auto c = r.status().code();
    KT_CHECK(c == kt::StatusCode::kBadRequest || c == kt::StatusCode::kInvalid ||
             c == kt::StatusCode::kRequestEntityTooLarge)
        << r.status().ToString();
  }
  return 0;
}
