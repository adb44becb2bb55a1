// Kaito's preset model catalog (presets/workspace/models/*/model.go + supported_models.yaml),
// loaded from a data file.
//
// The default catalog is controllers/kaito/data/presets.yaml, compiled into the library at
// build time (see embedded_data.h), so binaries need no runtime path; LoadFile / Parse read
// another file (a test's, or one named by a flag). A malformed file is an Invalid Status that
// names the file, the entry and the field.
//
// Kaito v0.4.6 is the baseline: presets marked in_v0_4_6 are "registered" (FindRegistered;
// Kaito's plugin.IsValidPreset) and carry v0.4.6 requirements. The others (llama-2, dropped
// before v0.4; gemma-3, gpt-oss, ... added later) stay in the catalog for reference.
//
// A PresetCatalog is immutable after loading: share it freely between threads.
#ifndef KT_CONTROLLERS_KAITO_PRESET_CATALOG_H_
#define KT_CONTROLLERS_KAITO_PRESET_CATALOG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace kt::kaito {

// GPU, disk and time requirements of a preset for inference or tuning.
struct PresetRequirements {
  int64_t gpu_count = 1;  // GPUCountRequirement
  // TotalGPUMemoryRequirement / PerGPUMemoryRequirement (<= v0.4 rules); quantity text as
  // written ("16.5Gi") and its value in bytes. Absent for entries with later-era values.
  std::string total_gpu_memory;
  std::optional<int64_t> total_gpu_memory_bytes;
  std::string per_gpu_memory;
  std::optional<int64_t> per_gpu_memory_bytes;  // 0 = no per-GPU requirement
  std::string disk;                             // DiskStorageRequirement ("80Gi")
  int64_t disk_bytes = 0;
  int64_t readiness_timeout_s = 1800;
  std::optional<int64_t> world_size;                  // llama-2 torchrun only
  std::optional<int64_t> qlora_per_gpu_memory_bytes;  // TuningPerGPUMemoryRequirement[qlora]
  // Later-era values (TotalSafeTensorFileSize, BytesPerToken, ModelTokenLimit).
  std::optional<int64_t> model_file_size_bytes;
  std::optional<int64_t> kv_bytes_per_token;
  std::optional<int64_t> model_token_limit;
};

struct RuntimeArg {
  std::string name;   // "torch_dtype", "chat-template", ...
  std::string value;  // "" renders as a bare flag (--trust_remote_code)
};

struct Preset {
  std::string name;
  std::string family;
  bool in_v0_4_6 = false;                    // registered at the baseline
  std::string values_from;                   // "v0.4.6" | "v0.3.2" | "v0.8.0"
  std::string image_name;                    // "kaito-phi-3-mini-4k-instruct" or "kaito-base"
  std::string image_tag;                     // "0.1.1"
  std::string image_access_mode = "public";  // "private": user supplies presetOptions.image
  bool download_at_runtime = false;          // weights come from Hugging Face at start
  bool download_auth_required = false;       // ... and need an HF_TOKEN secret
  std::string hf_repo;                       // "microsoft/Phi-3-mini-4k-instruct"
  std::string hf_revision;
  bool distributed_inference = false;  // StatefulSet + headless Service
  PresetRequirements inference;
  std::optional<PresetRequirements> tuning;  // set iff the preset supports tuning
  std::vector<std::string> runtimes;         // "transformers", "vllm", "llama2_torchrun_custom"
  std::vector<RuntimeArg> transformers_args;
  std::vector<RuntimeArg> vllm_args;
  bool vllm_disallow_lora = false;
  bool vllm_disable_tensor_parallelism = false;
  std::string lifecycle_note;

  bool SupportsTuning() const { return tuning.has_value(); }
  bool SupportsRuntime(std::string_view runtime) const;
  // "<registry>/<image_name>:<image_tag>" (registry "" gives "<image_name>:<image_tag>").
  std::string Image(std::string_view registry) const;
};

class PresetCatalog {
 public:
  PresetCatalog() = default;

  // Parses the YAML text of a presets file; `source` names it in errors.
  static Result<PresetCatalog> Parse(std::string_view yaml_text, std::string_view source);
  static Result<PresetCatalog> LoadFile(const std::string& path);

  // Any entry, registered or not; null when unknown. Names are case-sensitive.
  const Preset* Find(std::string_view name) const;
  // Only presets registered at the baseline (Kaito's IsValidPreset); null otherwise.
  const Preset* FindRegistered(std::string_view name) const;
  const std::vector<Preset>& presets() const { return presets_; }

 private:
  std::vector<Preset> presets_;  // file order
  std::map<std::string, size_t, std::less<>> index_;
};

// The catalog compiled from controllers/kaito/data/presets.yaml. The embedded file is checked
// by the tests; failing to parse it is a build bug (KT_CHECK).
const PresetCatalog& DefaultPresetCatalog();

}  // namespace kt::kaito

#endif  // KT_CONTROLLERS_KAITO_PRESET_CATALOG_H_
