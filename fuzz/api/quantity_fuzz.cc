// Quantity::Parse never crashes (no overflow UB under UBSan) on arbitrary text; a quantity it
// accepts prints to text that parses back to the same quantity.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/quantity.h"
#include "base/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto q = kt::api::Quantity::Parse(text);
  if (!q.ok()) return 0;
  std::string printed = q->ToString();
  auto again = kt::api::Quantity::Parse(printed);
  KT_CHECK(again.ok()) << "ToString output did not parse: " << printed;
  KT_CHECK(again->milli() == q->milli()) << text << " -> " << printed;
  (void)q->units();
  return 0;
}
