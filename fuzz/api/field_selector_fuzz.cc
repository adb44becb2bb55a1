// FieldSelector::Parse never crashes on arbitrary text; a selector it accepts can be matched
// against objects without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/field_selector.h"
#include "base/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto sel = kt::api::FieldSelector::Parse(text);
  if (!sel.ok()) return 0;
  static const kt::Json obj = kt::Json::parse(
      R"({"metadata":{"name":"ws","namespace":"default"},"spec":{"nodeName":"n1"},
          "status":{"phase":"Running"},"involvedObject":{"kind":"Pod","uid":"u"}})");
  (void)sel->Matches(obj);
  (void)sel->Matches(kt::Json::object());
  for (const auto& t : sel->terms()) (void)sel->RequiredValue(t.field);
  return 0;
}
