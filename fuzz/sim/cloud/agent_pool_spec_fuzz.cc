// ParseAgentPoolSpec never crashes on an arbitrary (pool name, PUT body) pair; a refusal is an
// ARM error (a 4xx with a code), and an accepted pool, rendered as GET returns it and PUT back
// unchanged, is accepted again with the same properties (what `az aks nodepool update` does).
// Input: the name, a NUL byte, the body's JSON (no NUL: the name "gpu1" and all of it as body).
#include "base/check.h"
#include "base/json.h"
#include "fuzz/sim/apiserver/fuzz_input.h"
#include "sim/cloud/agent_pool_spec.h"
#include "sim/cloud/cloud_config.h"
#include "sim/cloud/sku_catalog.h"

namespace {

struct Setting {
  kt::sim::cloud::SkuCatalog catalog = kt::sim::cloud::SkuCatalog::LoadEmbedded().value();
  kt::sim::cloud::CloudConfig config =
      kt::sim::cloud::CloudConfig::LoadDefaultsWithOverlay("").value();
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Setting* const setting = new Setting();
  auto parts = kt::fuzz::Parts(data, size, 2);
  const std::string name = parts.size() == 2 ? std::string(parts[0]) : "gpu1";
  auto body = kt::fuzz::ParsePart(parts.back());
  if (!body) return 0;
  auto spec = kt::sim::cloud::ParseAgentPoolSpec(name, *body, setting->catalog, setting->config);
  if (!spec.ok()) {
    const int code = kt::HttpCodeOf(spec.status().code());
    KT_CHECK(code >= 400 && code < 500) << spec.status().ToString();
    KT_CHECK(!spec.status().reason().empty()) << spec.status().ToString();
    return 0;
  }
  KT_CHECK(spec->sku != nullptr);
  KT_CHECK(kt::sim::cloud::ValidateAgentPoolName(spec->name, spec->os_type).ok()) << spec->name;
  kt::Json pool = kt::sim::cloud::RenderAgentPool(setting->config.cluster, *spec, "Succeeded");
  kt::Json again_body = {{"properties", pool["properties"]}};
  auto again =
      kt::sim::cloud::ParseAgentPoolSpec(name, again_body, setting->catalog, setting->config);
  KT_CHECK(again.ok()) << "GET output refused as a PUT body: " << again.status().ToString() << "\n"
                       << kt::DumpJson(again_body);
  KT_CHECK(again->properties_json == spec->properties_json)
      << "properties changed on a round trip:\n" << spec->properties_json << "\n"
      << again->properties_json;
  return 0;
}
