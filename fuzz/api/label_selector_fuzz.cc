// LabelSelector::Parse never crashes on arbitrary text; a selector it accepts prints
// (ToString) to text that parses to a selector printing the same, and matching a few label
// sets never crashes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/label_selector.h"
#include "base/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto sel = kt::api::LabelSelector::Parse(text);
  if (!sel.ok()) return 0;
  std::string printed = sel->ToString();
  auto again = kt::api::LabelSelector::Parse(printed);
  KT_CHECK(again.ok()) << "ToString output did not parse: " << printed << ": "
                       << again.status().ToString();
  KT_CHECK(again->ToString() == printed) << printed << " vs " << again->ToString();
  kt::api::Labels labels{{"app", "x"}, {"tier", "1"}};
  (void)sel->Matches(labels);
  (void)sel->Matches({});
  return 0;
}
