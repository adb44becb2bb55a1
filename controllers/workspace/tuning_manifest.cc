#include "controllers/workspace/tuning_manifest.h"

#include "api/object.h"
#include "base/json.h"
#include "base/yaml.h"
#include "controllers/kaito/labels.h"
#include "controllers/workspace/pod_parts.h"

namespace kt::workspace {
namespace {

constexpr std::string_view kDownloadScript =
    "set -e; mkdir -p \"$OUTPUT_DIRECTORY\"; "
    "for url in $DATA_URLS; do "
    "name=$(basename \"${url%%\\?*}\"); ok=0; "
    "for try in 1 2 3; do "
    "if curl -sSfL -o \"$OUTPUT_DIRECTORY/$name\" \"$url\"; then ok=1; break; fi; sleep 1; done; "
    "[ \"$ok\" = 1 ] || { echo \"failed to download $url\"; exit 1; }; done";

std::string PusherScript(std::string_view output_dir) {
  const std::string dir(output_dir);
  return "while [ ! -f " + dir + "/fine_tuning_completed.txt ]; do sleep 10; done; " +
         "for f in /root/.docker/config.d/*/*.json; do [ -f \"$f\" ] && " +
         "export DOCKER_CONFIG_FILE=\"$f\"; done; cd " + dir + " && " +
         "oras push \"$OUTPUT_IMAGE\" --registry-config \"$DOCKER_CONFIG_FILE\" " +
         "--annotation \"sh.kaito.model.name=$MODEL_NAME\" " +
         "adapter_config.json adapter_model.safetensors";
}

}  // namespace

Result<std::string> TuningOutputDir(std::string_view training_config_yaml) {
  KT_ASSIGN_OR_RETURN(Json cfg, ParseYaml(training_config_yaml));
  std::string dir = GetString(cfg, "training_config.TrainingArguments.output_dir");
  if (dir.empty()) return std::string(kDefaultTuningOutputDir);
  return dir;
}

Json TuningJobManifest(const TuningParams& p) {
  KT_CHECK(p.workspace && p.typed && p.preset && p.typed->tuning);
  const Json& ws = *p.workspace;
  const kaito::TuningSpec& tuning = *p.typed->tuning;
  const std::string name = api::Name(ws);
  Json labels = {{std::string(kaito::kLabelWorkspace), name}};

  Json volumes = Json::array();
  Json mounts = Json::array();
  VolumeAndMount shm = ShmVolume();
  VolumeAndMount cfg = ConfigVolume(p.config_map, kaito::kTrainingConfigKey);
  VolumeAndMount results = EmptyDirVolume("results-volume", p.output_dir);
  VolumeAndMount data = EmptyDirVolume("data-volume", kTuningDataDir);
  for (const VolumeAndMount* v : {&shm, &cfg, &results, &data}) {
    volumes.push_back(v->volume);
    mounts.push_back(v->mount);
  }

  Json init = Json::array();
  Json pull_secrets = Json::array();
  if (tuning.input) {
    const kaito::DataSource& in = *tuning.input;
    if (!in.image.empty()) {
      Json puller = PullerContainer("puller", in.image, kTuningDataDir);
      puller["volumeMounts"] = Json::array({data.mount});
      if (!in.image_pull_secrets.empty()) {
        VolumeAndMount sec = PullSecretVolume("tuning-input", in.image_pull_secrets);
        volumes.push_back(sec.volume);
        puller["volumeMounts"].push_back(sec.mount);
      }
      for (const std::string& s : in.image_pull_secrets) pull_secrets.push_back({{"name", s}});
      init.push_back(std::move(puller));
    } else if (!in.urls.empty()) {
      std::string urls;
      for (const std::string& u : in.urls) urls += (urls.empty() ? "" : " ") + u;
      init.push_back({{"name", "data-downloader"},
                      {"image", kDataDownloaderImage},
                      {"command", Json::array({"/bin/sh", "-c", kDownloadScript})},
                      {"env", Json::array({{{"name", "DATA_URLS"}, {"value", urls}},
                                           {{"name", "OUTPUT_DIRECTORY"}, {"value", kTuningDataDir}}})},
                      {"volumeMounts", Json::array({data.mount})}});
    }
  }

  const std::string gpus = std::to_string(p.gpus_per_node);
  Json env = Json::array({{{"name", "PYTORCH_CUDA_ALLOC_CONF"}, {"value", "expandable_segments:True"}}});
  if (p.preset->name.rfind("phi-3", 0) == 0) {
    env.push_back({{"name", "DEFAULT_TARGET_MODULES"},
                   {"value", "k_proj,q_proj,v_proj,o_proj,gate_proj,down_proj,up_proj"}});
  }
  Json main = {
      {"name", name},
      {"image", p.preset->Image(p.registry)},
      {"command", Json::array({"/bin/sh", "-c",
                               "cd /workspace/tfs/ && python3 metrics_server.py & accelerate launch "
                               "--num_processes=" + gpus + " /workspace/tfs/fine_tuning.py"})},
      {"env", env},
      {"resources",
       {{"requests", {{std::string(kaito::kResourceNvidiaGpu), gpus}}},
        {"limits", {{std::string(kaito::kResourceNvidiaGpu), gpus}}}}},
      {"volumeMounts", mounts}};
  Json containers = Json::array({main});
  if (tuning.output && !tuning.output->image.empty()) {
    Json pusher = {{"name", "pusher"},
                   {"image", kPusherImage},
                   {"command", Json::array({"/bin/sh", "-c", PusherScript(p.output_dir)})},
                   {"env", Json::array({{{"name", "OUTPUT_IMAGE"}, {"value", tuning.output->image}},
                                        {{"name", "MODEL_NAME"}, {"value", p.preset->name}}})},
                   {"volumeMounts", Json::array({results.mount})}};
    if (!tuning.output->image_push_secret.empty()) {
      VolumeAndMount sec = PullSecretVolume("tuning-output", {tuning.output->image_push_secret});
      volumes.push_back(sec.volume);
      pusher["volumeMounts"].push_back(sec.mount);
    }
    containers.push_back(std::move(pusher));
  }

  Json pod_spec = {{"restartPolicy", "Never"},
                   {"containers", containers},
                   {"tolerations", Tolerations()},
                   {"volumes", volumes}};
  if (containers.size() > 1) pod_spec["shareProcessNamespace"] = true;
  if (!init.empty()) pod_spec["initContainers"] = init;
  if (!pull_secrets.empty()) pod_spec["imagePullSecrets"] = pull_secrets;
  Json affinity = RequiredNodeAffinity(kaito::MatchLabels(ws));
  if (!affinity.is_null()) pod_spec["affinity"] = affinity;

  Json job = {{"apiVersion", "batch/v1"},
              {"kind", "Job"},
              {"metadata",
               {{"name", name},
                {"namespace", api::Namespace(ws)},
                {"labels", labels},
                {"annotations", {{std::string(kaito::kAnnotationRevision), p.revision}}}}},
              {"spec", {{"template", {{"metadata", {{"labels", labels}}}, {"spec", pod_spec}}}}}};
  api::SetControllerReference(job, ws);
  return job;
}

}  // namespace kt::workspace
