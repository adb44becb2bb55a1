// The inference server's command line for a preset (Kaito v0.4.6
// pkg/model/interface.go GetInferenceCommand), run as ["/bin/sh", "-c", "<command>"].
//
// vLLM (the v0.4 default runtime):
//   python3 /workspace/vllm/inference_api.py [--model=<hf repo> --code-revision=<rev>]
//     --served-model-name=<preset> <preset vLLM args> [--tensor-parallel-size=<GPUs per node>]
//     [--enable-lora] --gpu-memory-utilization=<u> --kaito-config-file=/mnt/config/inference_config.yaml
//   u = floor((1 - 1.5 GiB / per-GPU GiB) * 100) / 100, at most 0.95; 0.90 when the GPU memory
//   is unknown. --tensor-parallel-size unless the preset disables tensor parallelism;
//   --enable-lora unless the preset disallows LoRA; --model/--code-revision for
//   download-at-runtime presets.
// transformers (annotation kaito.sh/runtime: transformers):
//   accelerate launch --num_processes=1 --num_machines=1 --machine_rank=0 --gpu_ids=all
//     /workspace/tfs/inference_api.py [--pretrained_model_name_or_path=<repo> --revision=<rev>]
//     <preset transformers args>
// Flags render as --k=v, or --k for an empty value. Kaito iterates Go maps (random order); the
// twin keeps the order above and the PresetCatalog's order for preset arguments (sorted by
// name), so the command is deterministic.
//
// Pure functions.
#ifndef KT_CONTROLLERS_WORKSPACE_INFERENCE_COMMAND_H_
#define KT_CONTROLLERS_WORKSPACE_INFERENCE_COMMAND_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "controllers/kaito/preset_catalog.h"
#include "controllers/kaito/workspace.h"

namespace kt::workspace {

inline constexpr std::string_view kConfigMountPath = "/mnt/config";

struct CommandParams {
  const kaito::Preset* preset = nullptr;  // REQUIRED
  kaito::RuntimeName runtime = kaito::RuntimeName::kVllm;
  int64_t gpus_per_node = 1;
  std::optional<int64_t> gpu_memory_per_gpu_gib;  // from the SKU table
};

// "0.90": the value of --gpu-memory-utilization.
std::string VllmGpuMemoryUtilization(std::optional<int64_t> gpu_memory_per_gpu_gib);

// The shell command (the third element of the container command).
std::string InferenceCommandLine(const CommandParams& p);
// ["/bin/sh", "-c", InferenceCommandLine(p)]
std::vector<std::string> InferenceCommand(const CommandParams& p);

}  // namespace kt::workspace

#endif  // KT_CONTROLLERS_WORKSPACE_INFERENCE_COMMAND_H_
