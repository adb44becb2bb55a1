// ParseYamlDocuments never crashes, hangs or throws on arbitrary bytes; every document it
// accepts converts back with ToYaml to YAML that parses to the same JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/check.h"
#include "base/json.h"
#include "base/yaml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto docs = kt::ParseYamlDocuments(text);
  if (!docs.ok()) return 0;
  for (const kt::Json& doc : *docs) {
    std::string yaml = kt::ToYaml(doc);
    auto again = kt::ParseYaml(yaml);
    KT_CHECK(again.ok()) << "ToYaml output did not parse: " << again.status().ToString() << "\n"
                         << yaml;
    KT_CHECK(kt::DumpJson(*again) == kt::DumpJson(doc))
        << "YAML round trip changed the document:\n" << kt::DumpJson(doc) << "\n" << yaml;
  }
  return 0;
}
