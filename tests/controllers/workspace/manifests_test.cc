// Proves the objects the controller generates match Kaito v0.4.6 field by field for the
// user's Phi-3 workspaces: the Services (ClusterIP / LoadBalancer / headless for distributed
// presets), the vLLM and transformers command lines, the Deployment (replicas, strategy, GPU
// requests of one node, probes incl. the startup probe, tolerations, affinity, volumes), the
// adapter pullers and strengths, a StatefulSet for a distributed preset, a template
// Deployment, an update of an existing workload, and the tuning Job.
#include <gtest/gtest.h>

#include "controllers/kaito/preset_catalog.h"
#include "controllers/kaito/sku_table.h"
#include "controllers/workspace/inference_command.h"
#include "controllers/workspace/inference_manifest.h"
#include "controllers/workspace/service_manifest.h"
#include "controllers/workspace/tuning_manifest.h"
#include "tests/controllers/workspace/test_util.h"

namespace kt::workspace {
namespace {

constexpr char kRegistry[] = "mcr.microsoft.com/aks/kaito";

struct Built {
  Json ws;
  kaito::Workspace typed;
};

Built Decode(const std::string& yaml) {
  Built b{testing::FromYaml(yaml), {}};
  b.ws["metadata"]["uid"] = "uid-1";
  auto t = kaito::DecodeWorkspace(b.ws);
  KT_CHECK(t.ok()) << t.status().ToString();
  b.typed = *t;
  return b;
}

InferenceParams Params(const Built& b, const kaito::Preset* preset, int64_t gpus,
                       std::optional<int64_t> gib) {
  InferenceParams p;
  p.workspace = &b.ws;
  p.typed = &b.typed;
  p.preset = preset;
  p.runtime = kaito::RuntimeOf(b.typed.annotations);
  p.gpus_per_node = gpus;
  p.gpu_memory_per_gpu_gib = gib;
  p.revision = "1";
  p.registry = kRegistry;
  p.config_map = "inference-params-template";
  return p;
}

const kaito::Preset* Phi3() {
  const kaito::Preset* p = kaito::DefaultPresetCatalog().Find("phi-3-mini-4k-instruct");
  KT_CHECK(p != nullptr);
  return p;
}

TEST(ServiceManifestTest, ClusterIpServiceOnPort80ToTheInferencePort) {
  Built b = Decode(testing::Phi3Yaml());
  Json svc = ServiceManifest(b.ws, false);
  EXPECT_EQ(svc["metadata"]["name"], "workspace-phi-3-mini");
  EXPECT_EQ(svc["metadata"]["namespace"], "default");
  EXPECT_EQ(svc["spec"]["type"], "ClusterIP");
  EXPECT_EQ(svc["spec"]["ports"], Json::parse(
      R"([{"name":"http","protocol":"TCP","port":80,"targetPort":5000}])"));
  EXPECT_EQ(svc["spec"]["selector"], (Json{{"kaito.sh/workspace", "workspace-phi-3-mini"}}));
  EXPECT_EQ(svc["spec"]["publishNotReadyAddresses"], true);
  EXPECT_EQ(api::ControllerOf(svc)->uid, "uid-1");
}

TEST(ServiceManifestTest, EnableLbAnnotationMakesALoadBalancer) {
  Built b = Decode(testing::Phi3Yaml());
  b.ws["metadata"]["annotations"] = {{"kaito.sh/enablelb", "True"}};
  EXPECT_EQ(ServiceManifest(b.ws, false)["spec"]["type"], "LoadBalancer");
  b.ws["metadata"]["annotations"] = {{"kaito.sh/enablelb", "true"}};
  EXPECT_EQ(ServiceManifest(b.ws, false)["spec"]["type"], "ClusterIP") << "only \"True\" counts";
}

TEST(ServiceManifestTest, DistributedPresetsSelectPodZeroAndGetAHeadlessService) {
  Built b = Decode(testing::Phi3Yaml("llama"));
  Json svc = ServiceManifest(b.ws, true);
  EXPECT_EQ(svc["spec"]["selector"]["statefulset.kubernetes.io/pod-name"], "llama-0");
  Json headless = HeadlessServiceManifest(b.ws);
  EXPECT_EQ(headless["metadata"]["name"], "llama-headless");
  EXPECT_EQ(headless["spec"]["clusterIP"], "None");
  EXPECT_EQ(headless["spec"]["selector"], (Json{{"kaito.sh/workspace", "llama"}}));
  EXPECT_EQ(headless["spec"]["publishNotReadyAddresses"], true);
  EXPECT_FALSE(headless["spec"].contains("ports"));
}

TEST(InferenceCommandTest, VllmGpuMemoryUtilizationLeavesOneAndAHalfGibCappedAt95) {
  EXPECT_EQ(VllmGpuMemoryUtilization(16), "0.90");   // V100 16 GB
  EXPECT_EQ(VllmGpuMemoryUtilization(24), "0.93");   // A10
  EXPECT_EQ(VllmGpuMemoryUtilization(80), "0.95");   // A100 80 GB: capped
  EXPECT_EQ(VllmGpuMemoryUtilization(std::nullopt), "0.90");
}

TEST(InferenceCommandTest, Phi3OnVllmAndOnTransformers) {
  CommandParams p{Phi3(), kaito::RuntimeName::kVllm, 1, 16};
  EXPECT_EQ(InferenceCommandLine(p),
            "python3 /workspace/vllm/inference_api.py --served-model-name=phi-3-mini-4k-instruct "
            "--dtype=float16 --tensor-parallel-size=1 --enable-lora "
            "--gpu-memory-utilization=0.90 --kaito-config-file=/mnt/config/inference_config.yaml");
  p.runtime = kaito::RuntimeName::kTransformers;
  EXPECT_EQ(InferenceCommandLine(p),
            "accelerate launch --num_processes=1 --num_machines=1 --machine_rank=0 --gpu_ids=all "
            "/workspace/tfs/inference_api.py --pipeline=text-generation --torch_dtype=auto "
            "--trust_remote_code")
      << "preset arguments in the catalog's order (sorted by name)";
  EXPECT_EQ(InferenceCommand(p)[0], "/bin/sh");
  EXPECT_EQ(InferenceCommand(p)[1], "-c");
}

TEST(InferenceCommandTest, FalconDisallowsLoraAndDownloadPresetsNameTheirModel) {
  const kaito::Preset* falcon = kaito::DefaultPresetCatalog().Find("falcon-7b");
  ASSERT_NE(falcon, nullptr);
  std::string cmd = InferenceCommandLine({falcon, kaito::RuntimeName::kVllm, 2, 24});
  EXPECT_EQ(cmd.find("--enable-lora"), std::string::npos) << cmd;
  const kaito::Preset* llama = kaito::DefaultPresetCatalog().Find("llama-3.1-8b-instruct");
  ASSERT_NE(llama, nullptr);
  cmd = InferenceCommandLine({llama, kaito::RuntimeName::kVllm, 1, 80});
  EXPECT_NE(cmd.find("--model=" + llama->hf_repo), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("--code-revision=" + llama->hf_revision), std::string::npos) << cmd;
  cmd = InferenceCommandLine({llama, kaito::RuntimeName::kTransformers, 1, 80});
  EXPECT_NE(cmd.find("--pretrained_model_name_or_path=" + llama->hf_repo), std::string::npos);
}

TEST(PresetWorkloadTest, Phi3DeploymentFieldByField) {
  Built b = Decode(testing::Phi3Yaml());
  Json d = PresetWorkloadManifest(Params(b, Phi3(), 1, 16));
  EXPECT_EQ(d["apiVersion"], "apps/v1");
  EXPECT_EQ(d["kind"], "Deployment");
  EXPECT_EQ(d["metadata"]["name"], "workspace-phi-3-mini");
  EXPECT_EQ(d["metadata"]["annotations"]["workspace.kaito.io/revision"], "1");
  EXPECT_EQ(api::ControllerOf(d)->name, "workspace-phi-3-mini");
  EXPECT_EQ(d["spec"]["replicas"], 1);
  EXPECT_EQ(d["spec"]["strategy"], Json::parse(
      R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":0,"maxUnavailable":1}})"));
  EXPECT_EQ(d["spec"]["selector"]["matchLabels"], (Json{{"kaito.sh/workspace", "workspace-phi-3-mini"}}));
  const Json& pod = d["spec"]["template"];
  EXPECT_EQ(pod["metadata"]["labels"], (Json{{"kaito.sh/workspace", "workspace-phi-3-mini"}}));
  const Json& spec = pod["spec"];
  EXPECT_EQ(spec["tolerations"], Json::parse(R"([
    {"key":"nvidia.com/gpu","operator":"Exists","effect":"NoSchedule"},
    {"key":"sku","operator":"Equal","value":"gpu","effect":"NoSchedule"}])"));
  EXPECT_EQ(spec["affinity"], Json::parse(R"({"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
    {"nodeSelectorTerms":[{"matchExpressions":[{"key":"apps","operator":"In","values":["phi-3"]}]}]}}})"));
  EXPECT_EQ(spec["volumes"], Json::parse(R"([
    {"name":"config-volume","configMap":{"name":"inference-params-template",
      "items":[{"key":"inference_config.yaml","path":"inference_config.yaml"}]}},
    {"name":"dshm","emptyDir":{"medium":"Memory"}}])"));
  EXPECT_FALSE(spec.contains("initContainers"));
  ASSERT_EQ(spec["containers"].size(), 1u);
  const Json& c = spec["containers"][0];
  EXPECT_EQ(c["name"], "workspace-phi-3-mini");
  EXPECT_EQ(c["image"], "mcr.microsoft.com/aks/kaito/kaito-phi-3-mini-4k-instruct:0.1.1");
  EXPECT_EQ(c["command"][2], InferenceCommandLine({Phi3(), kaito::RuntimeName::kVllm, 1, 16}));
  EXPECT_EQ(c["resources"], Json::parse(
      R"({"requests":{"nvidia.com/gpu":"1"},"limits":{"nvidia.com/gpu":"1"}})"));
  EXPECT_EQ(c["ports"], Json::parse(R"([{"containerPort":5000,"protocol":"TCP"}])"));
  EXPECT_EQ(c["volumeMounts"], Json::parse(R"([{"name":"config-volume","mountPath":"/mnt/config"},
    {"name":"dshm","mountPath":"/dev/shm"}])"));
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"], "/health");
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["port"], 5000);
  EXPECT_EQ(c["livenessProbe"]["periodSeconds"], 10);
  EXPECT_EQ(c["readinessProbe"]["initialDelaySeconds"], 30);
  // Startup window = the preset's ReadinessTimeout (1800 s) in 10 s periods (Kaito PR #1796).
  EXPECT_EQ(c["startupProbe"]["failureThreshold"], 180);
  EXPECT_EQ(c["startupProbe"]["periodSeconds"], 10);
  EXPECT_FALSE(c.contains("env"));
}

TEST(PresetWorkloadTest, GpuRequestIsOneNodesGpusNotTheWorkspaceTotal) {
  Built b = Decode(testing::Phi3Yaml());
  b.typed.resource.count = 2;
  Json d = PresetWorkloadManifest(Params(b, Phi3(), 2, 94));
  EXPECT_EQ(d["spec"]["replicas"], 2);
  EXPECT_EQ(d["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"], "2");
}

std::string AdapterYaml() {
  return testing::Phi3Yaml("workspace-phi-3-mini-adapter") +
         "  adapters:\n"
         "  - source:\n"
         "      name: phi-3-adapter\n"
         "      image: myacr.azurecr.io/adapter:0.0.1\n"
         "      imagePullSecrets: [acr-secret]\n"
         "    strength: \"1.0\"\n"
         "  - source:\n"
         "      name: other\n"
         "      image: myacr.azurecr.io/other:0.0.2\n";
}

TEST(PresetWorkloadTest, AdaptersGetPullerInitContainersStrengthEnvAndPullSecrets) {
  Built b = Decode(AdapterYaml());
  Json d = PresetWorkloadManifest(Params(b, Phi3(), 1, 16));
  const Json& spec = d["spec"]["template"]["spec"];
  ASSERT_EQ(spec["initContainers"].size(), 2u);
  const Json& puller = spec["initContainers"][0];
  EXPECT_EQ(puller["name"], "puller-phi-3-adapter");
  EXPECT_EQ(puller["image"], "quay.io/skopeo/stable:v1.18.0-immutable");
  EXPECT_EQ(puller["env"], Json::parse(R"([{"name":"IMAGE_NAME","value":"myacr.azurecr.io/adapter:0.0.1"},
    {"name":"OUTPUT_DIRECTORY","value":"/mnt/adapter/phi-3-adapter"}])"));
  EXPECT_EQ(puller["volumeMounts"], Json::parse(R"([{"name":"adapter-volume","mountPath":"/mnt/adapter"},
    {"name":"docker-config-phi-3-adapter-inference-adapter",
     "mountPath":"/root/.docker/config.d/phi-3-adapter-inference-adapter"}])"));
  EXPECT_EQ(spec["initContainers"][1]["name"], "puller-other");
  EXPECT_EQ(spec["imagePullSecrets"], Json::parse(R"([{"name":"acr-secret"}])"));
  const Json& c = spec["containers"][0];
  EXPECT_EQ(c["env"], Json::parse(R"([{"name":"phi-3-adapter","value":"1.0"}])"))
      << "only adapters with a strength get an env var";
  EXPECT_EQ(c["volumeMounts"].back(), Json::parse(R"({"name":"adapter-volume","mountPath":"/mnt/adapter"})"));
  bool has_secret_volume = false;
  for (const Json& v : spec["volumes"]) {
    if (v["name"] == "docker-config-phi-3-adapter-inference-adapter") {
      has_secret_volume = true;
      EXPECT_EQ(v["projected"]["sources"][0]["secret"]["name"], "acr-secret");
      EXPECT_EQ(v["projected"]["sources"][0]["secret"]["items"][0]["key"], ".dockerconfigjson");
    }
  }
  EXPECT_TRUE(has_secret_volume);
}

TEST(PresetWorkloadTest, DownloadAtRuntimePresetGetsHfTokenFromTheModelAccessSecret) {
  Built b = Decode(
      "apiVersion: kaito.sh/v1beta1\nkind: Workspace\nmetadata: {name: llama, namespace: default}\n"
      "resource: {instanceType: Standard_NC24ads_A100_v4, labelSelector: {matchLabels: {a: b}}}\n"
      "inference:\n  preset:\n    name: llama-3.1-8b-instruct\n"
      "    presetOptions: {modelAccessSecret: hf-token}\n");
  const kaito::Preset* llama = kaito::DefaultPresetCatalog().Find("llama-3.1-8b-instruct");
  Json d = PresetWorkloadManifest(Params(b, llama, 1, 80));
  const Json& c = d["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["image"], "mcr.microsoft.com/aks/kaito/kaito-base:" + llama->image_tag);
  EXPECT_EQ(c["env"], Json::parse(R"([{"name":"HF_TOKEN","valueFrom":{"secretKeyRef":{"name":"hf-token","key":"HF_TOKEN"}}}])"));
}

TEST(PresetWorkloadTest, DistributedPresetRunsAsAParallelStatefulSetBehindTheHeadlessService) {
  auto catalog = kaito::PresetCatalog::Parse(R"(presets:
- name: big-model
  family: test
  in_v0_4_6: true
  values_from: v0.4.6
  image: {name: kaito-big-model, tag: 0.0.9}
  distributed_inference: true
  inference: {gpu_count: 2, total_gpu_memory: 100Gi, per_gpu_memory: 0Gi, disk: 300Gi, readiness_timeout_s: 1200}
  runtimes: [vllm]
  vllm: {args: {dtype: float16}}
)", "test");
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  Built b = Decode(testing::Phi3Yaml("big"));
  b.typed.resource.count = 2;
  Json s = PresetWorkloadManifest(Params(b, catalog->Find("big-model"), 4, 80));
  EXPECT_EQ(s["kind"], "StatefulSet");
  EXPECT_EQ(s["spec"]["replicas"], 2);
  EXPECT_EQ(s["spec"]["podManagementPolicy"], "Parallel");
  EXPECT_EQ(s["spec"]["serviceName"], "big-headless");
  EXPECT_EQ(s["metadata"]["annotations"]["workspace.kaito.io/revision"], "1");
  EXPECT_EQ(s["spec"]["template"]["spec"]["containers"][0]["startupProbe"]["failureThreshold"], 120);
}

TEST(TemplateDeploymentTest, KeepsTheUserPodAddsLabelAffinityAndTolerations) {
  Built b = Decode(
      "apiVersion: kaito.sh/v1beta1\nkind: Workspace\nmetadata: {name: custom, namespace: default}\n"
      "resource: {count: 2, instanceType: Standard_NC12s_v3, labelSelector: {matchLabels: {apps: custom}}}\n"
      "inference:\n  template:\n    metadata: {labels: {app: mine}}\n    spec:\n"
      "      affinity: {podAntiAffinity: {}}\n"
      "      tolerations: [{key: mine, operator: Exists}]\n"
      "      containers: [{name: server, image: myimage:1, ports: [{containerPort: 5000}]}]\n");
  Json d = TemplateDeploymentManifest(b.ws, "1");
  EXPECT_EQ(d["kind"], "Deployment");
  EXPECT_EQ(d["spec"]["replicas"], 2);
  const Json& pod = d["spec"]["template"];
  EXPECT_EQ(pod["metadata"]["labels"], (Json{{"app", "mine"}, {"kaito.sh/workspace", "custom"}}));
  EXPECT_EQ(pod["spec"]["containers"][0]["image"], "myimage:1");
  EXPECT_FALSE(pod["spec"]["containers"][0].contains("resources")) << "no GPU request injected";
  EXPECT_EQ(pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
                ["nodeSelectorTerms"][0]["matchExpressions"][0]["key"], "apps");
  EXPECT_FALSE(pod["spec"]["affinity"].contains("podAntiAffinity")) << "affinity is replaced";
  ASSERT_EQ(pod["spec"]["tolerations"].size(), 3u);
  EXPECT_EQ(pod["spec"]["tolerations"][0]["key"], "mine");
  EXPECT_EQ(pod["spec"]["tolerations"][2]["key"], "sku");
}

TEST(WorkloadUpdateTest, AdapterChangeReplacesEnvMountsInitContainersVolumesAndRevision) {
  Built before = Decode(testing::Phi3Yaml("workspace-phi-3-mini-adapter"));
  Json existing = PresetWorkloadManifest(Params(before, Phi3(), 1, 16));
  existing["status"] = {{"readyReplicas", 1}};
  Built after = Decode(AdapterYaml());
  InferenceParams p = Params(after, Phi3(), 1, 16);
  p.revision = "2";
  Json desired = PresetWorkloadManifest(p);
  EXPECT_TRUE(ApplyWorkloadUpdate(existing, desired));
  const Json& spec = existing["spec"]["template"]["spec"];
  EXPECT_EQ(spec["initContainers"], desired["spec"]["template"]["spec"]["initContainers"]);
  EXPECT_EQ(spec["volumes"], desired["spec"]["template"]["spec"]["volumes"]);
  EXPECT_EQ(spec["containers"][0]["env"], desired["spec"]["template"]["spec"]["containers"][0]["env"]);
  EXPECT_EQ(existing["metadata"]["annotations"]["workspace.kaito.io/revision"], "2");
  EXPECT_EQ(existing["status"]["readyReplicas"], 1) << "only the pod template and annotation change";
  EXPECT_FALSE(ApplyWorkloadUpdate(existing, desired)) << "a second apply changes nothing";
}

std::string TuningYaml(const std::string& input) {
  return "apiVersion: kaito.sh/v1beta1\nkind: Workspace\nmetadata: {name: tune, namespace: default}\n"
         "resource: {instanceType: Standard_NC24ads_A100_v4, labelSelector: {matchLabels: {app: tuning}}}\n"
         "tuning:\n  preset: {name: phi-3-mini-4k-instruct}\n  method: qlora\n" + input +
         "  output: {image: myacr.azurecr.io/out:0.0.1, imagePushSecret: push-secret}\n";
}

TEST(TuningJobTest, UrlInputJobFieldByField) {
  Built b = Decode(TuningYaml("  input: {urls: [\"https://example.com/data/train.parquet?download=true\"]}\n"));
  TuningParams p;
  p.workspace = &b.ws;
  p.typed = &b.typed;
  p.preset = Phi3();
  p.gpus_per_node = 1;
  p.revision = "1";
  p.registry = kRegistry;
  p.config_map = "qlora-params-template";
  p.output_dir = "/mnt/results";
  Json job = TuningJobManifest(p);
  EXPECT_EQ(job["kind"], "Job");
  EXPECT_EQ(job["metadata"]["name"], "tune");
  EXPECT_EQ(job["metadata"]["labels"]["kaito.sh/workspace"], "tune");
  EXPECT_EQ(job["metadata"]["annotations"]["workspace.kaito.io/revision"], "1");
  const Json& spec = job["spec"]["template"]["spec"];
  EXPECT_EQ(spec["restartPolicy"], "Never");
  EXPECT_EQ(spec["shareProcessNamespace"], true);
  ASSERT_EQ(spec["initContainers"].size(), 1u);
  EXPECT_EQ(spec["initContainers"][0]["name"], "data-downloader");
  EXPECT_EQ(spec["initContainers"][0]["image"], "curlimages/curl");
  EXPECT_EQ(spec["initContainers"][0]["env"][0]["value"],
            "https://example.com/data/train.parquet?download=true");
  ASSERT_EQ(spec["containers"].size(), 2u);
  const Json& main = spec["containers"][0];
  EXPECT_EQ(main["name"], "tune");
  EXPECT_EQ(main["image"], "mcr.microsoft.com/aks/kaito/kaito-phi-3-mini-4k-instruct:0.1.1");
  EXPECT_EQ(main["command"][2],
            "cd /workspace/tfs/ && python3 metrics_server.py & accelerate launch --num_processes=1 "
            "/workspace/tfs/fine_tuning.py");
  EXPECT_EQ(main["resources"]["limits"]["nvidia.com/gpu"], "1");
  EXPECT_EQ(main["env"][1]["name"], "DEFAULT_TARGET_MODULES");
  bool results_mounted = false;
  for (const Json& m : main["volumeMounts"]) {
    if (m["name"] == "results-volume") results_mounted = m["mountPath"] == "/mnt/results";
  }
  EXPECT_TRUE(results_mounted);
  const Json& pusher = spec["containers"][1];
  EXPECT_EQ(pusher["name"], "pusher");
  EXPECT_EQ(pusher["image"], "ghcr.io/oras-project/oras:v1.2.2");
  EXPECT_EQ(pusher["env"][0]["value"], "myacr.azurecr.io/out:0.0.1");
  EXPECT_EQ(pusher["volumeMounts"][1]["mountPath"], "/root/.docker/config.d/tuning-output");
  EXPECT_EQ(spec["tolerations"].size(), 2u);
}

TEST(TuningJobTest, ImageInputUsesAPullerIntoTheDataVolume) {
  Built b = Decode(TuningYaml("  input: {image: myacr.azurecr.io/data:1, imagePullSecrets: [pull]}\n"));
  TuningParams p;
  p.workspace = &b.ws;
  p.typed = &b.typed;
  p.preset = Phi3();
  p.config_map = "qlora-params-template";
  Json job = TuningJobManifest(p);
  const Json& init = job["spec"]["template"]["spec"]["initContainers"][0];
  EXPECT_EQ(init["name"], "puller");
  EXPECT_EQ(init["env"][1]["value"], "/mnt/data");
  EXPECT_EQ(job["spec"]["template"]["spec"]["imagePullSecrets"], Json::parse(R"([{"name":"pull"}])"));
}

TEST(TuningOutputDirTest, ReadsTrainingArgumentsOutputDirWithADefault) {
  EXPECT_EQ(*TuningOutputDir("training_config:\n  TrainingArguments:\n    output_dir: /mnt/results\n"),
            "/mnt/results");
  EXPECT_EQ(*TuningOutputDir("training_config:\n  ModelConfig: {}\n"), "/mnt/output");
  EXPECT_FALSE(TuningOutputDir("training_config: [unclosed").ok());
}

}  // namespace
}  // namespace kt::workspace
