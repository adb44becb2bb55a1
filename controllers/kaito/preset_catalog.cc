#include "controllers/kaito/preset_catalog.h"

#include <algorithm>
#include <utility>

#include "base/check.h"
#include "base/json.h"
#include "base/yaml.h"
#include "controllers/kaito/data_file.h"
#include "controllers/kaito/embedded_data.h"

namespace kt::kaito {
namespace {

using internal::FieldReader;

Status ParseRequirements(const Json& j, const std::string& context, PresetRequirements* out) {
  if (!j.is_object()) return Invalid(context + ": expected a mapping");
  FieldReader r(j, context);
  out->gpu_count = r.Int("gpu_count");
  if (r.status().ok() && out->gpu_count < 1) r.Fail("gpu_count", "must be at least 1");
  out->total_gpu_memory_bytes = r.OptQuantityBytes("total_gpu_memory", &out->total_gpu_memory);
  out->per_gpu_memory_bytes = r.OptQuantityBytes("per_gpu_memory", &out->per_gpu_memory);
  std::optional<int64_t> disk = r.OptQuantityBytes("disk", &out->disk);
  if (r.status().ok() && !disk) r.Fail("disk", "required field is missing");
  out->disk_bytes = disk.value_or(0);
  out->readiness_timeout_s = r.Int("readiness_timeout_s");
  if (r.status().ok() && out->readiness_timeout_s <= 0) {
    r.Fail("readiness_timeout_s", "must be positive");
  }
  out->world_size = r.OptInt("world_size");
  std::string ignored;
  out->qlora_per_gpu_memory_bytes = r.OptQuantityBytes("qlora_per_gpu_memory", &ignored);
  out->model_file_size_bytes = r.OptQuantityBytes("model_file_size", &ignored);
  out->kv_bytes_per_token = r.OptInt("kv_bytes_per_token");
  out->model_token_limit = r.OptInt("model_token_limit");
  return r.status();
}

Status ParseArgs(const Json* args, const std::string& context, std::vector<RuntimeArg>* out) {
  if (args == nullptr) return Status::Ok();
  for (auto it = args->begin(); it != args->end(); ++it) {
    RuntimeArg arg{it.key(), ""};
    if (it->is_string()) {
      arg.value = it->get<std::string>();
    } else if (it->is_number() || it->is_boolean()) {
      arg.value = it->dump();
    } else if (!it->is_null()) {
      return Invalid(context + ": " + it.key() + ": expected a scalar value");
    }
    out->push_back(std::move(arg));
  }
  return Status::Ok();
}

Status ParsePreset(const Json& j, const std::string& context, Preset* p) {
  if (!j.is_object()) return Invalid(context + ": expected a mapping");
  FieldReader r(j, context);
  p->name = r.String("name");
  if (r.status().ok() && p->name.empty()) r.Fail("name", "must not be empty");
  KT_RETURN_IF_ERROR(r.status());
  const std::string ctx = context + " (" + p->name + ")";
  FieldReader f(j, ctx);
  p->family = f.OptString("family");
  p->in_v0_4_6 = f.Bool("in_v0_4_6", false);
  p->values_from = f.OptString("values_from", p->in_v0_4_6 ? "v0.4.6" : "");
  if (const Json* image = f.Object("image")) {
    FieldReader ir(*image, ctx + ": image");
    p->image_name = ir.String("name");
    p->image_tag = ir.OptString("tag");
    KT_RETURN_IF_ERROR(ir.status());
  } else if (f.status().ok()) {
    f.Fail("image", "required field is missing");
  }
  p->image_access_mode = f.OptString("image_access_mode", "public");
  if (f.status().ok() && p->image_access_mode != "public" && p->image_access_mode != "private") {
    f.Fail("image_access_mode", "must be public or private, got \"" + p->image_access_mode + "\"");
  }
  p->download_at_runtime = f.Bool("download_at_runtime", false);
  p->download_auth_required = f.Bool("download_auth_required", false);
  if (const Json* hf = f.Object("huggingface")) {
    FieldReader hr(*hf, ctx + ": huggingface");
    p->hf_repo = hr.String("repo");
    p->hf_revision = hr.OptString("revision");
    KT_RETURN_IF_ERROR(hr.status());
  }
  p->distributed_inference = f.Bool("distributed_inference", false);
  const Json* inference = f.Object("inference");
  if (f.status().ok() && inference == nullptr) f.Fail("inference", "required field is missing");
  const Json* tuning = f.Object("tuning");
  if (const Json* runtimes = f.Array("runtimes")) {
    for (const Json& rt : *runtimes) {
      if (!rt.is_string()) {
        f.Fail("runtimes", "expected a list of names");
        break;
      }
      p->runtimes.push_back(rt.get<std::string>());
    }
  }
  const Json* transformers = f.Object("transformers");
  const Json* vllm = f.Object("vllm");
  p->lifecycle_note = f.OptString("lifecycle_note");
  KT_RETURN_IF_ERROR(f.status());

  KT_RETURN_IF_ERROR(ParseRequirements(*inference, ctx + ": inference", &p->inference));
  if (tuning != nullptr) {
    PresetRequirements t;
    KT_RETURN_IF_ERROR(ParseRequirements(*tuning, ctx + ": tuning", &t));
    p->tuning = std::move(t);
  }
  if (p->in_v0_4_6 &&
      (!p->inference.total_gpu_memory_bytes || !p->inference.per_gpu_memory_bytes)) {
    return Invalid(ctx +
                   ": inference: presets registered at v0.4.6 need total_gpu_memory and "
                   "per_gpu_memory (the webhook's GPU fit rules use them)");
  }
  if (transformers != nullptr) {
    FieldReader tr(*transformers, ctx + ": transformers");
    const Json* args = tr.Object("args");
    KT_RETURN_IF_ERROR(tr.status());
    KT_RETURN_IF_ERROR(ParseArgs(args, ctx + ": transformers.args", &p->transformers_args));
  }
  if (vllm != nullptr) {
    FieldReader vr(*vllm, ctx + ": vllm");
    p->vllm_disallow_lora = vr.Bool("disallow_lora", false);
    p->vllm_disable_tensor_parallelism = vr.Bool("disable_tensor_parallelism", false);
    const Json* args = vr.Object("args");
    KT_RETURN_IF_ERROR(vr.status());
    KT_RETURN_IF_ERROR(ParseArgs(args, ctx + ": vllm.args", &p->vllm_args));
  }
  return Status::Ok();
}

}  // namespace

bool Preset::SupportsRuntime(std::string_view runtime) const {
  return std::find(runtimes.begin(), runtimes.end(), runtime) != runtimes.end();
}

std::string Preset::Image(std::string_view registry) const {
  std::string out;
  if (!registry.empty()) {
    out.append(registry);
    out.push_back('/');
  }
  out += image_name;
  out.push_back(':');
  out += image_tag;
  return out;
}

Result<PresetCatalog> PresetCatalog::Parse(std::string_view yaml_text, std::string_view source) {
  const std::string src(source);
  auto doc = ParseYaml(yaml_text);
  if (!doc.ok()) return Invalid(src + ": " + doc.status().message());
  if (!doc->is_object()) return Invalid(src + ": expected a mapping with a `presets` list");
  auto it = doc->find("presets");
  if (it == doc->end() || !it->is_array()) {
    return Invalid(src + ": presets: required list is missing");
  }
  PresetCatalog catalog;
  for (size_t i = 0; i < it->size(); ++i) {
    Preset p;
    KT_RETURN_IF_ERROR(ParsePreset((*it)[i], src + ": presets[" + std::to_string(i) + "]", &p));
    if (catalog.index_.count(p.name) != 0) {
      return Invalid(src + ": presets[" + std::to_string(i) + "]: duplicate preset name \"" +
                     p.name + "\"");
    }
    catalog.index_.emplace(p.name, catalog.presets_.size());
    catalog.presets_.push_back(std::move(p));
  }
  return catalog;
}

Result<PresetCatalog> PresetCatalog::LoadFile(const std::string& path) {
  KT_ASSIGN_OR_RETURN(std::string text, internal::ReadDataFile(path));
  return Parse(text, path);
}

const Preset* PresetCatalog::Find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &presets_[it->second];
}

const Preset* PresetCatalog::FindRegistered(std::string_view name) const {
  const Preset* p = Find(name);
  return p != nullptr && p->in_v0_4_6 ? p : nullptr;
}

const PresetCatalog& DefaultPresetCatalog() {
  static const PresetCatalog* const catalog = [] {
    auto parsed =
        PresetCatalog::Parse(EmbeddedPresetsYaml(), "controllers/kaito/data/presets.yaml");
    KT_CHECK(parsed.ok()) << "embedded preset catalog: " << parsed.status().ToString();
    return new PresetCatalog(std::move(parsed).value());
  }();
  return *catalog;
}

}  // namespace kt::kaito
