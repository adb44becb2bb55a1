#include "sim/cloud/sku_catalog.h"

#include <fstream>
#include <sstream>

#include "base/json.h"
#include "base/yaml.h"
#include "sim/cloud/data_fields.h"
#include "sim/cloud/embedded_data.h"

namespace kt::sim::cloud {

namespace {

constexpr int64_t kVcpusMax = 1024;
constexpr int64_t kMemoryGibMax = 32 * 1024;
constexpr int64_t kDiskGibMax = 1024 * 1024;
constexpr int64_t kGpusMax = 64;
constexpr double kPriceUsdMax = 10000;
constexpr double kDelaySecondsMax = 7 * 24 * 3600;
constexpr size_t kSkusMax = 10000;

Result<SkuInfo> ParseSku(const Json& j, size_t index, const DelayDistribution& gpu_default,
                         const DelayDistribution& cpu_default) {
  std::string where = "sku #" + std::to_string(index);
  if (!j.is_object()) return BadRequest(where + ": must be a map");
  SkuInfo s;
  KT_ASSIGN_OR_RETURN(s.name, ReadString(j, "name", where, true));
  where = "sku " + s.name;
  KT_ASSIGN_OR_RETURN(s.family, ReadString(j, "family", where, true));
  KT_ASSIGN_OR_RETURN(int64_t vcpus, ReadInt(j, "vcpus", where, true, 0, 1, kVcpusMax));
  KT_ASSIGN_OR_RETURN(int64_t mem, ReadInt(j, "memory_gib", where, true, 0, 1, kMemoryGibMax));
  KT_ASSIGN_OR_RETURN(int64_t temp, ReadInt(j, "temp_disk_gib", where, false, 0, 0, kDiskGibMax));
  KT_ASSIGN_OR_RETURN(int64_t nvme, ReadInt(j, "nvme_disk_gib", where, false, 0, 0, kDiskGibMax));
  KT_ASSIGN_OR_RETURN(int64_t disks, ReadInt(j, "max_data_disks", where, true, 0, 0, 256));
  KT_ASSIGN_OR_RETURN(int64_t gpus, ReadInt(j, "gpu_count", where, false, 0, 0, kGpusMax));
  KT_ASSIGN_OR_RETURN(int64_t gmem,
                      ReadInt(j, "gpu_memory_gib", where, false, 0, 0, kMemoryGibMax));
  KT_ASSIGN_OR_RETURN(s.gpu_model, ReadString(j, "gpu_model", where, false));
  KT_ASSIGN_OR_RETURN(s.gpu_vendor, ReadString(j, "gpu_vendor", where, false));
  KT_ASSIGN_OR_RETURN(s.price_per_hour_usd,
                      ReadNumber(j, "price_per_hour_usd", where, true, 0, 0, kPriceUsdMax));
  s.vcpus = static_cast<int>(vcpus);
  s.memory_gib = static_cast<int>(mem);
  s.temp_disk_gib = static_cast<int>(temp);
  s.nvme_disk_gib = static_cast<int>(nvme);
  s.max_data_disks = static_cast<int>(disks);
  s.gpu_count = static_cast<int>(gpus);
  s.gpu_memory_gib = static_cast<int>(gmem);
  if (s.gpu_count > 0) {
    if (s.gpu_memory_gib <= 0) return FieldError(where, "gpu_memory_gib", "required for GPU sizes");
    if (s.gpu_vendor != "nvidia" && s.gpu_vendor != "amd") {
      return FieldError(where, "gpu_vendor", "must be nvidia or amd for GPU sizes");
    }
  } else if (s.gpu_memory_gib != 0 || !s.gpu_vendor.empty()) {
    return FieldError(where, "gpu_count", "GPU fields set on a size without GPUs");
  }
  if (auto it = j.find("provision_delay"); it != j.end() && !it->is_null()) {
    KT_ASSIGN_OR_RETURN(s.provision_delay,
                        ParseDelayDistribution(*it, where + ": provision_delay"));
  } else {
    s.provision_delay = s.is_gpu() ? gpu_default : cpu_default;
  }
  return s;
}

}  // namespace

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Result<DelayDistribution> ParseDelayDistribution(const Json& j, std::string_view what) {
  if (!j.is_object()) return BadRequest(std::string(what) + ": must be a map");
  DelayDistribution d;
  KT_ASSIGN_OR_RETURN(d.median_s, ReadNumber(j, "median_s", what, true, 0, 0, kDelaySecondsMax));
  KT_ASSIGN_OR_RETURN(d.sigma, ReadNumber(j, "sigma", what, false, 0, 0, 3));
  KT_ASSIGN_OR_RETURN(d.min_s, ReadNumber(j, "min_s", what, false, 0, 0, kDelaySecondsMax));
  KT_ASSIGN_OR_RETURN(d.max_s,
                      ReadNumber(j, "max_s", what, false, kDelaySecondsMax, 0, kDelaySecondsMax));
  if (d.min_s > d.max_s || d.median_s < d.min_s || d.median_s > d.max_s) {
    return BadRequest(std::string(what) + ": need min_s <= median_s <= max_s");
  }
  return d;
}

Result<SkuCatalog> SkuCatalog::Parse(std::string_view yaml_text) {
  auto doc = ParseYaml(yaml_text);
  if (!doc.ok()) return doc.status().Annotate("sku catalog");
  const Json& root = *doc;
  if (!root.is_object()) return BadRequest("sku catalog: top level must be a map");
  KT_ASSIGN_OR_RETURN(const Json* defaults,
                      ReadObject(root, "provision_delay_defaults", "sku catalog"));
  auto gpu_it = defaults->find("gpu");
  auto cpu_it = defaults->find("cpu");
  if (gpu_it == defaults->end() || cpu_it == defaults->end()) {
    return BadRequest("sku catalog: provision_delay_defaults needs gpu and cpu entries");
  }
  KT_ASSIGN_OR_RETURN(DelayDistribution gpu_default,
                      ParseDelayDistribution(*gpu_it, "provision_delay_defaults.gpu"));
  KT_ASSIGN_OR_RETURN(DelayDistribution cpu_default,
                      ParseDelayDistribution(*cpu_it, "provision_delay_defaults.cpu"));
  auto skus = root.find("skus");
  if (skus == root.end() || !skus->is_array() || skus->empty()) {
    return BadRequest("sku catalog: skus must be a non-empty list");
  }
  if (skus->size() > kSkusMax) return BadRequest("sku catalog: too many skus");
  SkuCatalog catalog;
  for (size_t i = 0; i < skus->size(); ++i) {
    KT_ASSIGN_OR_RETURN(SkuInfo s, ParseSku((*skus)[i], i, gpu_default, cpu_default));
    std::string key = AsciiLower(s.name);
    if (catalog.by_lower_name_.count(key) > 0) {
      return BadRequest("sku catalog: duplicate sku " + s.name);
    }
    catalog.by_lower_name_.emplace(std::move(key), catalog.skus_.size());
    catalog.skus_.push_back(std::move(s));
  }
  return catalog;
}

Result<SkuCatalog> SkuCatalog::LoadEmbedded() { return Parse(EmbeddedSkuCatalogYaml()); }

Result<SkuCatalog> SkuCatalog::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("sku catalog: cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  auto catalog = Parse(text.str());
  if (!catalog.ok()) return catalog.status().Annotate(path);
  return catalog;
}

const SkuInfo* SkuCatalog::Find(std::string_view name) const {
  auto it = by_lower_name_.find(AsciiLower(name));
  return it == by_lower_name_.end() ? nullptr : &skus_[it->second];
}

}  // namespace kt::sim::cloud
