// Kaito's end-to-end webhook cases (test/e2e/webhook_test.go @v0.4.6, "Workspace Validation
// Webhook") against whole Workspace objects through Validate(), with the real preset catalog,
// the real SKU table and the default ConfigMaps of the release namespace.
#include <gtest/gtest.h>

#include "test_util.h"

namespace kt::webhook {
namespace {

using testing::Contains;
using testing::Env;
using testing::Yaml;

Json Workspace(const std::string& name, const std::string& instance_type, const std::string& body,
               const std::string& annotations = "{}") {
  return Yaml(
      "apiVersion: kaito.sh/v1beta1\nkind: Workspace\n"
      "metadata: {name: " +
      name + ", namespace: kaito-e2e, annotations: " + annotations +
      "}\n"
      "resource:\n  instanceType: " +
      instance_type +
      "\n  count: 1\n"
      "  labelSelector: {matchLabels: {kaito-workspace: " +
      name + "}}\n" + body);
}

const std::string kFalcon = "inference:\n  preset: {name: falcon-7b}\n";
const std::string kPhi3 = "inference:\n  preset: {name: phi-3-mini-4k-instruct}\n";
const std::string kTuning =
    "tuning:\n  preset: {name: phi-3-mini-128k-instruct}\n  method: qlora\n"
    "  input: {urls: [\"https://example.com/train.parquet\"]}\n"
    "  output: {image: \"myregistry.azurecr.io/adapter:0.0.1\", imagePushSecret: push-secret}\n";

Verdict Create(const Json& ws, Env& env) {
  return Validate(Operation::kCreate, nullptr, ws, env.ctx);
}
Verdict Update(const Json& old, const Json& ws, Env& env) {
  return Validate(Operation::kUpdate, &old, ws, env.ctx);
}

TEST(E2eWebhookTest, RejectsAnUnknownSku) {
  Env env;
  Verdict v = Create(Workspace("webhook-sku", "Standard_Bad", kFalcon), env);
  EXPECT_FALSE(v.allowed);
  EXPECT_TRUE(Contains(v.message,
                       "validation failed: invalid value: Unsupported instance type "
                       "Standard_Bad. Supported SKUs: ["));
}

TEST(E2eWebhookTest, RejectsAnInvalidPresetName) {
  Env env;
  Verdict v = Create(Workspace("webhook-preset", "Standard_NC24ads_A100_v4",
                               "inference:\n  preset: {name: invalid-name}\n"),
                     env);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.message,
            "validation failed: invalid value: Unsupported inference preset name invalid-name: "
            "inference.presetName");
  // Every rule runs and reports: on 2 x 16 GiB GPUs the inference-config rule fires as well.
  Verdict both = Create(Workspace("webhook-preset", "Standard_NC12s_v3",
                                  "inference:\n  preset: {name: invalid-name}\n"),
                        env);
  EXPECT_EQ(both.message,
            "validation failed: invalid value: Unsupported inference preset name invalid-name: "
            "inference.presetName\nmissing field(s): max-model-len is required in the vllm section "
            "of inference_config.yaml when using multi-GPU instances with <20GB of memory per GPU");
}

const std::string kAdapter = "  adapters:\n  - source: {name: a1, image: \"r.io/adapter:1\"}\n";

TEST(E2eWebhookTest, VllmRejectsAdapterStrength) {
  Env env;
  Verdict v = Create(Workspace("webhook-strength", "Standard_NC24ads_A100_v4",
                               kPhi3 + kAdapter + "    strength: \"0.5\"\n"),
                     env);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.message,
            "validation failed: Runtime validation: vLLM does not support adapter "
            "strength: ");
}

TEST(E2eWebhookTest, VllmAcceptsAdaptersWithoutStrength) {
  Env env;
  Verdict v =
      Create(Workspace("webhook-adapter", "Standard_NC24ads_A100_v4", kPhi3 + kAdapter), env);
  EXPECT_TRUE(v.allowed) << v.message;
}

TEST(E2eWebhookTest, TransformersAcceptsAdapterStrength) {
  Env env;
  Verdict v = Create(
      Workspace("webhook-tfs", "Standard_NC24ads_A100_v4",
                kPhi3 + kAdapter + "    strength: \"0.5\"\n", "{kaito.sh/runtime: transformers}"),
      env);
  EXPECT_TRUE(v.allowed) << v.message;
}

TEST(E2eWebhookTest, TwoSmallGpusOnVllmNeedAConfigWithMaxModelLen) {
  Env env;
  Verdict v = Create(Workspace("webhook-cfg", "Standard_NC12s_v3", kPhi3), env);
  EXPECT_FALSE(v.allowed);
  EXPECT_TRUE(Contains(v.message, "max-model-len is required"));
  Verdict tfs = Create(
      Workspace("webhook-cfg", "Standard_NC12s_v3", kPhi3, "{kaito.sh/runtime: transformers}"),
      env);
  EXPECT_TRUE(tfs.allowed) << tfs.message;
  env.PutConfigMap("kaito-e2e", "phi3-config", "inference_config.yaml",
                   "vllm:\n  max-model-len: 1024\n  gpu-memory-utilization: 0.9\n");
  Verdict with_config = Create(
      Workspace("webhook-cfg", "Standard_NC12s_v3",
                "inference:\n  preset: {name: phi-3-mini-4k-instruct}\n  config: phi3-config\n"),
      env);
  EXPECT_TRUE(with_config.allowed) << with_config.message;
}

TEST(E2eWebhookTest, TuningNeedsInputOutputAndPreset) {
  Env env;
  Verdict no_input =
      Create(Workspace("webhook-tuning", "Standard_NC24ads_A100_v4",
                       "tuning:\n  preset: {name: phi-3-mini-128k-instruct}\n"
                       "  method: qlora\n  output: {image: \"r.io/a:1\", imagePushSecret: s}\n"),
             env);
  EXPECT_FALSE(no_input.allowed);
  EXPECT_TRUE(Contains(no_input.message, "missing field(s): tuning.Input"));
  Verdict no_output = Create(Workspace("webhook-tuning", "Standard_NC24ads_A100_v4",
                                       "tuning:\n  preset: {name: phi-3-mini-128k-instruct}\n"
                                       "  method: qlora\n  input: {urls: [u]}\n"),
                             env);
  EXPECT_FALSE(no_output.allowed);
  EXPECT_TRUE(Contains(no_output.message, "missing field(s): tuning.Output"));
  Verdict no_preset = Create(Workspace("webhook-tuning", "Standard_NC24ads_A100_v4",
                                       "tuning:\n  method: qlora\n  input: {urls: [u]}\n"
                                       "  output: {image: \"r.io/a:1\", imagePushSecret: s}\n"),
                             env);
  EXPECT_FALSE(no_preset.allowed);
  EXPECT_TRUE(Contains(no_preset.message, "missing field(s): tuning.Preset"));
  EXPECT_TRUE(
      Create(Workspace("webhook-tuning", "Standard_NC24ads_A100_v4", kTuning), env).allowed);
}

TEST(E2eWebhookTest, UpdateRejectsLabelSelectorChange) {
  Env env;
  Json old = Workspace("webhook-update", "Standard_NC24ads_A100_v4", kPhi3);
  Json next = old;
  next["resource"]["labelSelector"]["matchLabels"]["kaito-workspace"] = "other";
  Verdict v = Update(old, next, env);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.message, "validation failed: field is immutable: resource.labelSelector");
}

TEST(E2eWebhookTest, UpdateRejectsInstanceTypeChange) {
  Env env;
  Json old = Workspace("webhook-update", "Standard_NC24ads_A100_v4", kPhi3);
  Json next = old;
  next["resource"]["instanceType"] = "Standard_NC12s_v3";
  Verdict v = Update(old, next, env);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.message, "validation failed: field is immutable: resource.instanceType");
}

TEST(E2eWebhookTest, UpdateRejectsTuningPresetAndMethodChanges) {
  Env env;
  Json old = Workspace("webhook-update", "Standard_NC24ads_A100_v4", kTuning);
  Json preset = old;
  preset["tuning"]["preset"]["name"] = "phi-3-mini-4k-instruct";
  Verdict v = Update(old, preset, env);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.message, "validation failed: Preset cannot be changed: tuning.Preset");
  Json method = old;
  method["tuning"]["method"] = "lora";
  Verdict m = Update(old, method, env);
  EXPECT_FALSE(m.allowed);
  EXPECT_EQ(m.message, "validation failed: Method cannot be changed: tuning.Method");
}

TEST(E2eWebhookTest, UpdateRejectsInferencePresetChange) {
  Env env;
  Json old = Workspace("webhook-update", "Standard_NC24ads_A100_v4", kPhi3);
  Json next = old;
  next["inference"]["preset"]["name"] = "phi-3-mini-128k-instruct";
  Verdict v = Update(old, next, env);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.message, "validation failed: field is immutable: inference.preset");
}

TEST(E2eWebhookTest, MetadataOnlyUpdatesPass) {
  // The controller's finalizer and revision-annotation updates go through the webhook too.
  Env env;
  Json old = Workspace("webhook-update", "Standard_NC24ads_A100_v4", kPhi3);
  Json next = old;
  next["metadata"]["finalizers"] = {"workspace.finalizer.kaito.sh"};
  next["metadata"]["annotations"]["workspace.kaito.io/revision"] = "1";
  EXPECT_TRUE(Update(old, next, env).allowed);
}

TEST(E2eWebhookTest, UpdateAcceptsANewTuningDataset) {
  Env env;
  Json old = Workspace("webhook-update", "Standard_NC24ads_A100_v4", kTuning);
  Json next = old;
  next["tuning"]["input"]["urls"] = {"https://example.com/other.parquet"};
  next["tuning"]["output"]["image"] = "myregistry.azurecr.io/adapter:0.0.2";
  EXPECT_TRUE(Update(old, next, env).allowed);
}

TEST(E2eWebhookTest, DecodeFailuresAreDenials) {
  Env env;
  Json bad = Workspace("webhook-bad", "Standard_NC24ads_A100_v4", kPhi3);
  bad["resource"]["count"] = "two";
  Verdict v = Create(bad, env);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.message,
            "decoding request failed: cannot decode incoming new object: json: cannot unmarshal "
            "string into Go struct field Workspace.resource.count of type int");
  Json good = Workspace("webhook-bad", "Standard_NC24ads_A100_v4", kPhi3);
  Verdict old_bad = Update(bad, good, env);
  EXPECT_FALSE(old_bad.allowed);
  EXPECT_TRUE(Contains(old_bad.message, "cannot decode incoming old object"));
}

TEST(E2eWebhookTest, BypassAnnotationAdmitsWithWarnings) {
  Env env;
  Json ws = Workspace("webhook-bypass", "Standard_NC6s_v3", "inference:\n  preset: {name: phi-4}\n",
                      "{kaito.sh/bypass-resource-checks: \"true\"}");
  Verdict v = Create(ws, env);
  EXPECT_TRUE(v.allowed) << v.message;
  ASSERT_EQ(v.warnings.size(), 1u);
  EXPECT_TRUE(Contains(v.warnings[0], "Insufficient total GPU memory detected but continuing"));
  ws["metadata"]["annotations"].erase("kaito.sh/bypass-resource-checks");
  Verdict denied = Create(ws, env);
  EXPECT_FALSE(denied.allowed);
  EXPECT_TRUE(
      Contains(denied.message, "has a total of 16Gi, but preset phi-4 requires at least 40Gi"));
}

TEST(E2eWebhookTest, CountDefaultsToOneAndInstanceTypeToTheCrdDefault) {
  Env env;
  Json ws = Yaml(
      "apiVersion: kaito.sh/v1beta1\nkind: Workspace\nmetadata: {name: d, namespace: ns1}\n"
      "resource: {labelSelector: {matchLabels: {a: b}}}\n"
      "inference: {preset: {name: phi-4}}\n");
  EXPECT_TRUE(Create(ws, env).allowed);  // Standard_NC24ads_A100_v4 x1 fits phi-4 (40Gi)
}

}  // namespace
}  // namespace kt::webhook
