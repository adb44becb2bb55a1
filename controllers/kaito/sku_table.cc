#include "controllers/kaito/sku_table.h"

#include <utility>

#include "base/check.h"
#include "base/json.h"
#include "base/yaml.h"
#include "controllers/kaito/data_file.h"
#include "controllers/kaito/embedded_data.h"
#include "controllers/kaito/labels.h"

namespace kt::kaito {
namespace {

using internal::FieldReader;

Status ParseSku(const Json& j, const std::string& context, GpuSku* s) {
  if (!j.is_object()) return Invalid(context + ": expected a mapping");
  FieldReader r(j, context);
  s->name = r.String("name");
  KT_RETURN_IF_ERROR(r.status());
  FieldReader f(j, context + " (" + s->name + ")");
  s->gpu_count = f.Int("gpu_count");
  if (f.status().ok() && s->gpu_count < 1) f.Fail("gpu_count", "must be at least 1");
  s->gpu_memory_total_gib = f.Int("gpu_memory_total_gib");
  if (f.status().ok() && s->gpu_memory_total_gib < 1) {
    f.Fail("gpu_memory_total_gib", "must be at least 1");
  }
  s->gpu_model = f.OptString("gpu_model");
  s->vcpus = f.OptInt("vcpus").value_or(0);
  s->in_v0_4_6 = f.Bool("in_v0_4_6", false);
  if (const Json* versions = f.Array("kaito_versions")) {
    for (const Json& v : *versions) {
      if (v.is_string()) s->kaito_versions.push_back(v.get<std::string>());
    }
  }
  if (f.Has("nvme_disk")) s->nvme_disk = f.Bool("nvme_disk", false);
  s->cuda_compute_capability = f.OptString("cuda_compute_capability");
  return f.status();
}

}  // namespace

Result<SkuTable> SkuTable::Parse(std::string_view yaml_text, std::string_view source) {
  const std::string src(source);
  auto doc = ParseYaml(yaml_text);
  if (!doc.ok()) return Invalid(src + ": " + doc.status().message());
  if (!doc->is_object()) return Invalid(src + ": expected a mapping with a `skus` list");
  SkuTable table;
  FieldReader top(*doc, src);
  table.default_instance_type_ = top.OptString("default_instance_type");
  if (const Json* partial = top.Array("unsupported_partial_gpu_skus")) {
    for (const Json& n : *partial) {
      if (n.is_string()) table.partial_.push_back(n.get<std::string>());
    }
  }
  const Json* skus = top.Array("skus");
  KT_RETURN_IF_ERROR(top.status());
  if (skus == nullptr) return Invalid(src + ": skus: required list is missing");
  for (size_t i = 0; i < skus->size(); ++i) {
    GpuSku s;
    const std::string ctx = src + ": skus[" + std::to_string(i) + "]";
    KT_RETURN_IF_ERROR(ParseSku((*skus)[i], ctx, &s));
    if (table.index_.count(s.name) != 0) {
      return Invalid(ctx + ": duplicate SKU name \"" + s.name + "\"");
    }
    table.index_.emplace(s.name, table.skus_.size());
    table.skus_.push_back(std::move(s));
  }
  return table;
}

Result<SkuTable> SkuTable::LoadFile(const std::string& path) {
  KT_ASSIGN_OR_RETURN(std::string text, internal::ReadDataFile(path));
  return Parse(text, path);
}

const GpuSku* SkuTable::FindAny(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &skus_[it->second];
}

const GpuSku* SkuTable::Find(std::string_view name) const {
  const GpuSku* s = FindAny(name);
  return s != nullptr && s->in_v0_4_6 ? s : nullptr;
}

std::vector<std::string> SkuTable::SupportedSkuNames() const {
  std::vector<std::string> out;
  for (const auto& [name, i] : index_) {  // index_ is ordered: names come out sorted
    if (skus_[i].in_v0_4_6) out.push_back(name);
  }
  return out;
}

const SkuTable& DefaultSkuTable() {
  static const SkuTable* const table = [] {
    auto parsed = SkuTable::Parse(EmbeddedSkusYaml(), "controllers/kaito/data/skus.yaml");
    KT_CHECK(parsed.ok()) << "embedded SKU table: " << parsed.status().ToString();
    return new SkuTable(std::move(parsed).value());
  }();
  return *table;
}

bool IsGpuInstanceType(std::string_view instance_type) {
  return instance_type.find(kAzureNSeriesPrefix) != std::string_view::npos;
}

}  // namespace kt::kaito
