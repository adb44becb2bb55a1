// The tuning Job of a workspace (Kaito v0.4.6 pkg/workspace/tuning/preset-tuning.go).
//
// Job "<ws>" (label kaito.sh/workspace, annotation workspace.kaito.io/revision, the workspace
// as controller owner); pod: restartPolicy Never, shareProcessNamespace, Kaito's tolerations,
// required node affinity from matchLabels;
//   init container   image input: "puller" (skopeo) extracting the dataset image into
//                    /mnt/data; URL input: "data-downloader" (curlimages/curl) fetching every
//                    URL of env DATA_URLS into /mnt/data, 3 tries each
//   main container   "<ws>": <registry>/kaito-<preset>:<tag>,
//                    cd /workspace/tfs/ && python3 metrics_server.py & accelerate launch
//                    --num_processes=<GPUs> /workspace/tfs/fine_tuning.py;
//                    nvidia.com/gpu = the SKU's GPU count; env PYTORCH_CUDA_ALLOC_CONF
//                    (+ DEFAULT_TARGET_MODULES for phi-3 presets)
//   sidecar          "pusher" (oras) for an image output: waits for
//                    <output_dir>/fine_tuning_completed.txt, then pushes the adapter files as
//                    the output image (annotation sh.kaito.model.name=<preset>) with the
//                    imagePushSecret
//   volumes          dshm, config-volume (training_config.yaml at /mnt/config), results-volume
//                    at the output dir (TrainingArguments.output_dir, default /mnt/output),
//                    data-volume at /mnt/data, docker-config volumes for pull/push secrets.
// Kaito v0.4.6 also ran a pause container; the twin leaves it out (it never exits, so the Job
// could not complete on a cluster that honours restartPolicy Never).
//
// Pure functions.
#ifndef KT_CONTROLLERS_WORKSPACE_TUNING_MANIFEST_H_
#define KT_CONTROLLERS_WORKSPACE_TUNING_MANIFEST_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/json_fwd.h"
#include "base/status.h"
#include "controllers/kaito/preset_catalog.h"
#include "controllers/kaito/workspace.h"

namespace kt::workspace {

inline constexpr std::string_view kDefaultTuningOutputDir = "/mnt/output";
inline constexpr std::string_view kTuningDataDir = "/mnt/data";
inline constexpr std::string_view kPusherImage = "ghcr.io/oras-project/oras:v1.2.2";
inline constexpr std::string_view kDataDownloaderImage = "curlimages/curl";

struct TuningParams {
  const Json* workspace = nullptr;          // REQUIRED
  const kaito::Workspace* typed = nullptr;  // REQUIRED, with tuning
  const kaito::Preset* preset = nullptr;    // REQUIRED
  int64_t gpus_per_node = 1;
  std::string revision;
  std::string registry;
  std::string config_map;  // the training ConfigMap in the workspace's namespace
  std::string output_dir = std::string(kDefaultTuningOutputDir);
};

// TrainingArguments.output_dir of a training_config.yaml text (default /mnt/output).
// BadRequest when the YAML does not parse.
Result<std::string> TuningOutputDir(std::string_view training_config_yaml);

Json TuningJobManifest(const TuningParams& p);

}  // namespace kt::workspace

#endif  // KT_CONTROLLERS_WORKSPACE_TUNING_MANIFEST_H_
