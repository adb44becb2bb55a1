// ParseJson never crashes or throws on arbitrary bytes; whatever it accepts serializes and
// parses back to the same value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/check.h"
#include "base/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = kt::ParseJson(text);
  if (!parsed.ok()) return 0;
  std::string dumped = kt::DumpJson(*parsed);
  auto again = kt::ParseJson(dumped);
  KT_CHECK(again.ok()) << "DumpJson output did not parse: " << again.status().ToString();
  // Invalid UTF-8 is replaced when dumping, so compare the dumps, not the values.
  KT_CHECK(kt::DumpJson(*again) == dumped) << "round trip changed the document";
  return 0;
}
