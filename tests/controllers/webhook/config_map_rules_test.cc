// ConfigMap rules: the vLLM inference config (Kaito's InferenceConfigMap cases: missing
// ConfigMap, missing key, unparseable YAML, multi-GPU SKUs with < 20 GiB per GPU need
// vllm.max-model-len while single-GPU or larger-GPU SKUs do not, transformers skips it all) and
// the tuning config (sections, lora/qlora quantization, output_dir under /mnt).
#include <gtest/gtest.h>

#include "controllers/kaito/labels.h"
#include "controllers/webhook/rules.h"
#include "test_util.h"

namespace kt::webhook {
namespace {

using testing::Contains;
using testing::Env;
using testing::Ws;

kaito::Workspace InferenceWs(const std::string& instance_type, const std::string& config = "",
                             const std::string& annotations = "{}") {
  return Ws(
      "apiVersion: kaito.sh/v1beta1\nkind: Workspace\n"
      "metadata: {name: w, namespace: ns, annotations: " +
      annotations +
      "}\n"
      "resource: {instanceType: " +
      instance_type +
      ", labelSelector: {matchLabels: {a: b}}}\n"
      "inference: {preset: {name: phi-3-mini-4k-instruct}" +
      (config.empty() ? "" : ", config: " + config) + "}\n");
}

TEST(InferenceConfigTest, DefaultConfigOnSingleGpuIsFine) {
  Env env;
  EXPECT_TRUE(ValidateInferenceConfig(InferenceWs("Standard_NC6s_v3"), env.ctx).empty());
}

TEST(InferenceConfigTest, MultiGpuSmallMemoryNeedsMaxModelLen) {
  Env env;  // Standard_NC12s_v3: 2 x 16 GiB; the default config has no max-model-len
  EXPECT_EQ(ValidateInferenceConfig(InferenceWs("Standard_NC12s_v3"), env.ctx).ToString(),
            "missing field(s): max-model-len is required in the vllm section of "
            "inference_config.yaml when using multi-GPU instances with <20GB of memory per GPU");
  env.PutConfigMap("ns", "with-len", "inference_config.yaml", "vllm:\n  max-model-len: 4096\n");
  EXPECT_TRUE(
      ValidateInferenceConfig(InferenceWs("Standard_NC12s_v3", "with-len"), env.ctx).empty());
  env.PutConfigMap("ns", "empty-len", "inference_config.yaml", "vllm:\n  max-model-len:\n");
  EXPECT_FALSE(
      ValidateInferenceConfig(InferenceWs("Standard_NC12s_v3", "empty-len"), env.ctx).empty());
}

TEST(InferenceConfigTest, LargeGpusOrSingleGpusDoNotNeedMaxModelLen) {
  Env env;
  EXPECT_TRUE(ValidateInferenceConfig(InferenceWs("Standard_NC48ads_A100_v4"), env.ctx).empty());
  EXPECT_TRUE(ValidateInferenceConfig(InferenceWs("Standard_NC24ads_A100_v4"), env.ctx).empty());
  // Unknown (passed-through) SKUs are not checked.
  EXPECT_TRUE(ValidateInferenceConfig(InferenceWs("Standard_NV72ads_A10_v5"), env.ctx).empty());
}

TEST(InferenceConfigTest, TransformersRuntimeSkipsTheConfig) {
  Env env;
  EXPECT_TRUE(
      ValidateInferenceConfig(
          InferenceWs("Standard_NC12s_v3", "missing", "{kaito.sh/runtime: transformers}"), env.ctx)
          .empty());
  env.ctx.vllm_enabled = false;
  EXPECT_TRUE(
      ValidateInferenceConfig(InferenceWs("Standard_NC12s_v3", "missing"), env.ctx).empty());
}

TEST(InferenceConfigTest, MissingConfigMap) {
  Env env;
  EXPECT_EQ(ValidateInferenceConfig(InferenceWs("Standard_NC6s_v3", "nope"), env.ctx).ToString(),
            "ConfigMap 'nope' specified in 'config' not found in namespace 'ns': config");
  Env no_defaults;
  no_defaults.config_maps = StaticConfigMapReader();
  EXPECT_EQ(ValidateInferenceConfig(InferenceWs("Standard_NC6s_v3"), no_defaults.ctx).ToString(),
            "ConfigMap 'inference-params-template' specified in 'config' not found in namespace "
            "'kaito-workspace': config");
}

TEST(InferenceConfigTest, MissingKeyOrBadYaml) {
  Env env;
  env.PutConfigMap("ns", "wrong-key", "other.yaml", "vllm: {}\n");
  EXPECT_EQ(
      ValidateInferenceConfig(InferenceWs("Standard_NC6s_v3", "wrong-key"), env.ctx).ToString(),
      "missing field(s): inference_config.yaml in ConfigMap");
  env.PutConfigMap("ns", "bad", "inference_config.yaml", "vllm: [unclosed\n");
  EXPECT_TRUE(
      Contains(ValidateInferenceConfig(InferenceWs("Standard_NC6s_v3", "bad"), env.ctx).ToString(),
               "Failed to parse inference_config.yaml: "));
  env.PutConfigMap("ns", "list", "inference_config.yaml", "vllm: [a, b]\n");
  EXPECT_TRUE(
      Contains(ValidateInferenceConfig(InferenceWs("Standard_NC6s_v3", "list"), env.ctx).ToString(),
               "cannot unmarshal !!seq into map[string]string: inference_config.yaml"));
}

TEST(InferenceConfigTest, ReaderFailuresAreReported) {
  class Failing : public ConfigMapReader {
   public:
    Result<Json> GetConfigMap(std::string_view, std::string_view) override {
      return Unavailable("etcd is down");
    }
  } failing;
  Env env;
  env.ctx.config_maps = &failing;
  EXPECT_EQ(ValidateInferenceConfig(InferenceWs("Standard_NC6s_v3"), env.ctx).ToString(),
            "Failed to get ConfigMap 'inference-params-template' in namespace 'kaito-workspace': "
            "etcd is down: config");
  env.ctx.config_maps = nullptr;
  EXPECT_EQ(ValidateInferenceConfig(InferenceWs("Standard_NC6s_v3"), env.ctx).ToString(),
            "Failed to obtain client from context.Context: ");
  env.ctx.release_namespace.clear();
  EXPECT_TRUE(Contains(ValidateInferenceConfig(InferenceWs("Standard_NC6s_v3"), env.ctx).ToString(),
                       "Failed to determine release namespace"));
}

// --- tuning config ---

std::string TuningConfigErrors(Env& env, const std::string& method, const std::string& yaml) {
  env.PutConfigMap("ns", "cfg", "training_config.yaml", yaml);
  return ValidateTuningConfigMap("ns", method, "cfg", env.ctx).ToString();
}

TEST(TuningConfigTest, DefaultTemplatesPass) {
  Env env;
  EXPECT_TRUE(
      ValidateTuningConfigMap("kaito-workspace", "lora", "lora-params-template", env.ctx).empty());
  EXPECT_TRUE(ValidateTuningConfigMap("kaito-workspace", "qlora", "qlora-params-template", env.ctx)
                  .empty());
}

TEST(TuningConfigTest, UnknownSectionsAreRejected) {
  Env env;
  EXPECT_EQ(TuningConfigErrors(env, "lora", "training_config:\n  ModelConfig: {}\n  Bogus: {}\n"),
            "invalid value: Unrecognized section: Bogus: training_config.yaml");
  EXPECT_EQ(
      TuningConfigErrors(env, "lora", "training_config: 7\n"),
      "Failed to parse 'training_config.yaml' in ConfigMap 'cfg' in namespace 'ns': yaml: "
      "unmarshal errors: cannot unmarshal !!int into map[string]interface {}: config, config\n"
      "invalid value: Expected 'training_config' key to contain a map: training_config.yaml");
}

TEST(TuningConfigTest, MissingKey) {
  Env env;
  env.PutConfigMap("ns", "cfg", "other", "x");
  std::string errs = ValidateTuningConfigMap("ns", "lora", "cfg", env.ctx).ToString();
  EXPECT_TRUE(Contains(errs, "missing field(s): training_config.yaml in ConfigMap"));
  EXPECT_TRUE(
      Contains(errs, "ConfigMap 'cfg' does not contain 'training_config.yaml' in namespace 'ns'"));
}

TEST(TuningConfigTest, LoraMustNotQuantize) {
  Env env;
  EXPECT_EQ(TuningConfigErrors(env, "lora",
                               "training_config:\n  QuantizationConfig:\n    load_in_8bit: true\n"),
            "For method 'lora', 'load_in_4bit' or 'load_in_8bit' in ConfigMap 'cfg' must not be "
            "true: QuantizationConfig");
}

TEST(TuningConfigTest, QloraMustQuantize) {
  Env env;
  EXPECT_EQ(TuningConfigErrors(
                env, "qlora", "training_config:\n  QuantizationConfig:\n    load_in_4bit: false\n"),
            "missing field(s): For method 'qlora', either 'load_in_4bit' or 'load_in_8bit' must be "
            "true in ConfigMap 'cfg', QuantizationConfig");
  EXPECT_TRUE(Contains(TuningConfigErrors(env, "qlora", "training_config:\n  ModelConfig: {}\n"),
                       "For method 'qlora', either"));
  EXPECT_EQ(TuningConfigErrors(env, "qlora",
                               "training_config:\n  QuantizationConfig:\n    load_in_8bit: yes\n"),
            "");
}

TEST(TuningConfigTest, QuantizationFlagsMustBeBooleans) {
  Env env;
  EXPECT_EQ(
      TuningConfigErrors(env, "qlora",
                         "training_config:\n  QuantizationConfig:\n    load_in_4bit: \"true\"\n"),
      "invalid value: value must be either nil or a boolean, got type string: load_in_4bit");
  EXPECT_EQ(TuningConfigErrors(env, "qlora",
                               "training_config:\n  QuantizationConfig:\n    load_in_4bit: true\n"
                               "    load_in_8bit: true\n"),
            "Cannot set both 'load_in_4bit' and 'load_in_8bit' to true in ConfigMap 'cfg': "
            "QuantizationConfig");
}

TEST(TuningConfigTest, OutputDirMustBeUnderMnt) {
  Env env;
  const std::string head = "training_config:\n  TrainingArguments:\n    output_dir: ";
  EXPECT_EQ(TuningConfigErrors(env, "lora", head + "\"/mnt/results\"\n"), "");
  EXPECT_EQ(TuningConfigErrors(env, "lora", head + "output\n"), "");
  EXPECT_EQ(TuningConfigErrors(env, "lora", head + "\"\"\n"),
            "invalid value: Invalid output_dir specified: '', must be a directory: output_dir");
  EXPECT_EQ(
      TuningConfigErrors(env, "lora", head + "\"../etc\"\n"),
      "invalid value: Invalid output_dir specified: '../etc', must be a directory: output_dir");
  EXPECT_EQ(TuningConfigErrors(env, "lora", head + "42\n"),
            "invalid value: output_dir is not a string in ConfigMap 'cfg' in namespace 'ns': "
            "output_dir");
}

}  // namespace
}  // namespace kt::webhook
