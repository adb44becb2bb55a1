// ParseRfc3339 and ParseDuration never crash on arbitrary text. An accepted time formats back
// to text that parses to the same instant (to the microsecond), and a canonical input (UTC "Z",
// no fraction) formats back to itself: nothing out of range is quietly normalized.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/check.h"
#include "base/time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)kt::ParseDuration(text);
  auto t = kt::ParseRfc3339(text);
  if (!t.ok()) return 0;
  const std::string micro = kt::FormatRfc3339Micro(*t);
  auto again = kt::ParseRfc3339(micro);
  KT_CHECK(again.ok()) << text << " -> " << micro << ": " << again.status().ToString();
  const int64_t ns = kt::ToUnixNanos(*t);
  KT_CHECK(kt::ToUnixNanos(*again) == ns - ((ns % 1000) + 1000) % 1000) << text << " -> " << micro;
  if (text.size() == 20 && text.back() == 'Z') {
    KT_CHECK(kt::FormatRfc3339(*t) == text) << text << " -> " << kt::FormatRfc3339(*t);
  }
  return 0;
}
