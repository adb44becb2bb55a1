#include "controllers/workspace/inference_command.h"

#include <cmath>
#include <cstdio>

#include "controllers/kaito/labels.h"

namespace kt::workspace {
namespace {

constexpr std::string_view kVllmMain = "python3 /workspace/vllm/inference_api.py";
constexpr std::string_view kAccelerateLaunch = "accelerate launch";
constexpr std::string_view kTransformersMain = "/workspace/tfs/inference_api.py";
constexpr double kVllmReservedGib = 1.5;  // headroom vLLM needs beyond its KV cache (#977)
constexpr double kVllmUtilizationMax = 0.95;

void AppendFlag(std::string& cmd, std::string_view key, std::string_view value) {
  cmd += " --";
  cmd += key;
  if (!value.empty()) {
    cmd += "=";
    cmd += value;
  }
}

}  // namespace

std::string VllmGpuMemoryUtilization(std::optional<int64_t> gpu_memory_per_gpu_gib) {
  double u = 0.9;
  if (gpu_memory_per_gpu_gib && *gpu_memory_per_gpu_gib > 0) {
    u = std::floor((1.0 - kVllmReservedGib / static_cast<double>(*gpu_memory_per_gpu_gib)) * 100.0) /
        100.0;
    if (u > kVllmUtilizationMax) u = kVllmUtilizationMax;
    if (u < 0) u = 0;
  }
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%.2f", u);
  return buf;
}

std::string InferenceCommandLine(const CommandParams& p) {
  KT_CHECK(p.preset != nullptr);
  const kaito::Preset& preset = *p.preset;
  std::string cmd;
  if (p.runtime == kaito::RuntimeName::kVllm) {
    cmd = std::string(kVllmMain);
    if (preset.download_at_runtime) {
      AppendFlag(cmd, "model", preset.hf_repo);
      if (!preset.hf_revision.empty()) AppendFlag(cmd, "code-revision", preset.hf_revision);
    }
    AppendFlag(cmd, "served-model-name", preset.name);
    for (const kaito::RuntimeArg& a : preset.vllm_args) AppendFlag(cmd, a.name, a.value);
    if (!preset.vllm_disable_tensor_parallelism) {
      AppendFlag(cmd, "tensor-parallel-size", std::to_string(p.gpus_per_node));
    }
    if (!preset.vllm_disallow_lora) AppendFlag(cmd, "enable-lora", "");
    AppendFlag(cmd, "gpu-memory-utilization", VllmGpuMemoryUtilization(p.gpu_memory_per_gpu_gib));
    AppendFlag(cmd, "kaito-config-file",
               std::string(kConfigMountPath) + "/" + std::string(kaito::kInferenceConfigKey));
    return cmd;
  }
  cmd = std::string(kAccelerateLaunch);
  AppendFlag(cmd, "num_processes", "1");
  AppendFlag(cmd, "num_machines", "1");
  AppendFlag(cmd, "machine_rank", "0");
  AppendFlag(cmd, "gpu_ids", "all");
  cmd += " ";
  cmd += kTransformersMain;
  if (preset.download_at_runtime) {
    AppendFlag(cmd, "pretrained_model_name_or_path", preset.hf_repo);
    if (!preset.hf_revision.empty()) AppendFlag(cmd, "revision", preset.hf_revision);
  }
  for (const kaito::RuntimeArg& a : preset.transformers_args) AppendFlag(cmd, a.name, a.value);
  return cmd;
}

std::vector<std::string> InferenceCommand(const CommandParams& p) {
  return {"/bin/sh", "-c", InferenceCommandLine(p)};
}

}  // namespace kt::workspace
