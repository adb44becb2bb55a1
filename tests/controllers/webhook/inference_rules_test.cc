// InferenceSpec and adapter rules, reproducing Kaito's TestInferenceSpecValidateCreate,
// TestAdapterSpecValidateCreateorUpdate and TestInferenceSpecValidateUpdate: preset xor
// template, registered presets, private presets (v1alpha1), runtime limits (vLLM + LoRA on
// falcon, vLLM + adapter strength), modelAccessSecret (v1beta1), at most 10 adapters with unique
// names, per-adapter checks on update (and not on create: Kaito's quirk), preset immutability
// and template set/unset.
#include <gtest/gtest.h>

#include "controllers/webhook/rules.h"
#include "test_util.h"

namespace kt::webhook {
namespace {

using kaito::ApiVersion;
using kaito::RuntimeName;
using testing::Contains;
using testing::Env;
using testing::Inference;
using testing::TestCatalog;

std::string CreateErrors(const std::string& yaml, RuntimeName runtime = RuntimeName::kVllm,
                         ApiVersion version = ApiVersion::kV1beta1) {
  Env env(TestCatalog());
  return ValidateInferenceCreate(Inference(yaml), runtime, version, env.ctx)
      .ViaField("inference")
      .ToString();
}

std::string Adapters(int n, const std::string& name_prefix, bool same_name, bool strength) {
  std::string out = "  adapters:\n";
  for (int i = 1; i <= n; ++i) {
    out += "  - source: {name: " + (same_name ? name_prefix : name_prefix + std::to_string(i)) +
           ", image: fake.kaito.com/kaito-image:0.0." + std::to_string(i) + "}\n";
    if (strength) out += "    strength: \"0.5\"\n";
  }
  return out;
}

TEST(InferenceCreateTest, InvalidPresetName) {
  EXPECT_EQ(CreateErrors("  preset: {name: Invalid-Preset-Name}\n"),
            "invalid value: Unsupported inference preset name Invalid-Preset-Name: "
            "inference.presetName");
}

TEST(InferenceCreateTest, UnregisteredPresetStopsBeforeAdapterChecks) {
  std::string errs = CreateErrors("  preset: {name: nope}\n" + Adapters(11, "a", false, false));
  EXPECT_FALSE(Contains(errs, "Number of Adapters"));
}

TEST(InferenceCreateTest, OnlyTemplateSet) {
  EXPECT_EQ(CreateErrors("  template: {spec: {containers: []}}\n"), "");
}

TEST(InferenceCreateTest, PresetAndTemplateUnset) {
  EXPECT_EQ(CreateErrors("  config: x\n"),
            "missing field(s): inference.Preset or Template must be specified");
}

TEST(InferenceCreateTest, PresetAndTemplateSet) {
  EXPECT_EQ(CreateErrors("  preset: {name: test-validation}\n  template: {spec: {}}\n"),
            "Preset and Template cannot be set at the same time: ");
}

TEST(InferenceCreateTest, PrivatePresetsNeedPrivateAccessModeOnV1alpha1) {
  EXPECT_TRUE(Contains(CreateErrors("  preset: {name: test-validation, accessMode: private}\n",
                                    RuntimeName::kVllm, ApiVersion::kV1alpha1),
                       "When AccessMode is private, an image must be provided in PresetOptions"));
  EXPECT_TRUE(Contains(CreateErrors("  preset: {name: private-test-validation}\n",
                                    RuntimeName::kVllm, ApiVersion::kV1alpha1),
                       "This preset only supports private AccessMode, AccessMode must be private "
                       "to continue"));
  EXPECT_EQ(CreateErrors("  preset:\n    name: private-test-validation\n    accessMode: private\n"
                         "    presetOptions: {image: reg.io/mine:1}\n",
                         RuntimeName::kVllm, ApiVersion::kV1alpha1),
            "");
  // v1beta1 dropped the private-preset checks.
  EXPECT_EQ(CreateErrors("  preset: {name: private-test-validation}\n"), "");
}

TEST(InferenceCreateTest, MoreThanTenAdapters) {
  EXPECT_TRUE(Contains(
      CreateErrors("  preset: {name: test-validation}\n" + Adapters(11, "adapter-", false, false)),
      "Number of Adapters exceeds the maximum limit, maximum of 10 allowed"));
  EXPECT_EQ(
      CreateErrors("  preset: {name: test-validation}\n" + Adapters(10, "adapter-", false, false)),
      "");
}

TEST(InferenceCreateTest, DuplicateAdapterNames) {
  EXPECT_EQ(
      CreateErrors("  preset: {name: test-validation}\n" + Adapters(2, "Adapter", true, false)),
      "Duplicate adapter source name found: Adapter: ");
}

TEST(InferenceCreateTest, AdaptersOnVllmAndTransformers) {
  const std::string plain = "  preset: {name: test-validation}\n" + Adapters(1, "a", false, false);
  EXPECT_EQ(CreateErrors(plain, RuntimeName::kVllm), "");
  EXPECT_EQ(CreateErrors(plain, RuntimeName::kTransformers), "");
}

TEST(InferenceCreateTest, VllmRejectsAdapterStrength) {
  const std::string with_strength =
      "  preset: {name: test-validation}\n" + Adapters(1, "a", false, true);
  EXPECT_EQ(CreateErrors(with_strength, RuntimeName::kVllm),
            "Runtime validation: vLLM does not support adapter strength: ");
  EXPECT_EQ(CreateErrors(with_strength, RuntimeName::kTransformers), "");
}

TEST(InferenceCreateTest, VllmRejectsLoraOnModelsThatDisallowIt) {
  EXPECT_EQ(
      CreateErrors("  preset: {name: test-validation-nolora}\n" + Adapters(1, "a", false, true)),
      "Runtime validation: vLLM does not support LoRA adapters for this model: "
      "test-validation-nolora; vLLM does not support adapter strength: ");
  EXPECT_EQ(
      CreateErrors("  preset: {name: test-validation-nolora}\n" + Adapters(1, "a", false, true),
                   RuntimeName::kTransformers),
      "");
}

TEST(InferenceCreateTest, DownloadAtRuntimeNeedsAModelAccessSecret) {
  EXPECT_EQ(CreateErrors("  preset: {name: test-validation-download}\n"),
            "This preset requires a modelAccessSecret with HF_TOKEN key under presetOptions to "
            "download the model: ");
  EXPECT_EQ(CreateErrors("  preset:\n    name: test-validation-download\n"
                         "    presetOptions: {modelAccessSecret: hf-token}\n"),
            "");
  EXPECT_EQ(CreateErrors("  preset:\n    name: test-validation\n"
                         "    presetOptions: {modelAccessSecret: hf-token}\n"),
            "This preset does not require a modelAccessSecret with HF_TOKEN key under "
            "presetOptions: ");
  // v1alpha1 has no modelAccessSecret field and no such rule.
  EXPECT_EQ(CreateErrors("  preset: {name: test-validation-download}\n", RuntimeName::kVllm,
                         ApiVersion::kV1alpha1),
            "");
}

TEST(InferenceCreateTest, CreateDoesNotValidateEachAdapter) {
  // Kaito's create path only counts adapters and checks name uniqueness: an adapter whose image
  // is not a full reference, or whose strength is out of range on transformers, is admitted.
  EXPECT_EQ(CreateErrors("  preset: {name: test-validation}\n  adapters:\n"
                         "  - source: {name: Not_A_DNS_Name, image: \"<YOUR_IMAGE>\"}\n"
                         "    strength: \"7\"\n",
                         RuntimeName::kTransformers),
            "");
  // A missing source would crash Kaito's webhook; here it is a clear denial.
  EXPECT_EQ(CreateErrors("  preset: {name: test-validation}\n  adapters:\n  - strength: \"1\"\n",
                         RuntimeName::kTransformers),
            "missing field(s): inference.Source");
}

// --- per-adapter validation (update path) ---

kaito::AdapterSpec Adapter(std::optional<kaito::DataSource> source,
                           std::optional<std::string> strength) {
  return kaito::AdapterSpec{std::move(source), std::move(strength)};
}

kaito::DataSource Source(std::string name, std::string image) {
  kaito::DataSource s;
  s.name = std::move(name);
  s.image = std::move(image);
  return s;
}

TEST(AdapterTest, MissingSource) {
  EXPECT_EQ(ValidateAdapter(Adapter(std::nullopt, "0.5")).ToString(), "missing field(s): Source");
}

TEST(AdapterTest, MissingSourceName) {
  EXPECT_TRUE(Contains(
      ValidateAdapter(Adapter(Source("", "fake.kaito.com/kaito-image:0.0.1"), "0.5")).ToString(),
      "Name of Adapter field must be specified"));
}

TEST(AdapterTest, StrengthNotANumber) {
  EXPECT_EQ(
      ValidateAdapter(Adapter(Source("adapter-1", "fake.kaito.com/kaito-image:0.0.1"), "invalid"))
          .ToString(),
      "Invalid strength value for Adapter 'adapter-1': strconv.ParseFloat: parsing \"invalid\": "
      "invalid syntax: adapter");
}

TEST(AdapterTest, StrengthAboveOne) {
  EXPECT_EQ(ValidateAdapter(Adapter(Source("adapter-1", "fake.kaito.com/kaito-image:0.0.1"), "1.5"))
                .ToString(),
            "Strength value for Adapter 'adapter-1' must be between 0 and 1: adapter");
  EXPECT_TRUE(Contains(
      ValidateAdapter(Adapter(Source("adapter-1", "fake.kaito.com/kaito-image:0.0.1"), "-0.1"))
          .ToString(),
      "must be between 0 and 1"));
}

TEST(AdapterTest, SourceNameLongerThan253) {
  std::string long_name;
  for (int i = 0; i < 32; ++i) long_name += "Adapter1";
  std::string errs =
      ValidateAdapter(Adapter(Source(long_name, "fake.kaito.com/kaito-image:0.0.1"), "0.5"))
          .ToString();
  EXPECT_TRUE(Contains(errs,
                       "invalid value: must be no more than 253 characters, a lowercase RFC "
                       "1123 subdomain must consist of"));
  EXPECT_TRUE(Contains(errs, ": adapters.source.name"));
}

TEST(AdapterTest, ValidAdapterDefaultsStrengthToOne) {
  EXPECT_TRUE(ValidateAdapter(
                  Adapter(Source("adapter-1", "fake.kaito.com/kaito-image:0.0.1"), std::nullopt))
                  .empty());
  EXPECT_TRUE(ValidateAdapter(Adapter(Source("a", "r.io/x:1"), "0")).empty());
  EXPECT_TRUE(ValidateAdapter(Adapter(Source("a", "r.io/x:1"), "1e-1")).empty());
}

TEST(AdapterTest, SourceMustBeAFullLowercaseImage) {
  EXPECT_EQ(ValidateAdapter(Adapter(Source("a", "<YOUR_IMAGE>"), std::nullopt)).ToString(),
            "invalid value: Invalid image format, require full input image URL: Adapters.Image");
  EXPECT_EQ(ValidateAdapter(Adapter(Source("a", "ACR.azurecr.io/ADAPTER_HERE:0.0.1"), std::nullopt))
                .ToString(),
            "invalid value: repository name must be lowercase: Adapters.Image");
  kaito::DataSource no_image = Source("a", "");
  no_image.urls = {"https://x"};
  EXPECT_EQ(ValidateAdapter(Adapter(no_image, std::nullopt)).ToString(),
            "missing field(s): Image of Adapter field must be specified");
}

// --- update ---

TEST(InferenceUpdateTest, PresetImmutable) {
  EXPECT_EQ(ValidateInferenceUpdate(Inference("  preset: {name: new-preset}\n"),
                                    Inference("  preset: {name: old-preset}\n"))
                .ViaField("inference")
                .ToString(),
            "field is immutable: inference.preset");
}

TEST(InferenceUpdateTest, TemplateCannotBeSetOrUnset) {
  const auto with_template = Inference("  template: {spec: {}}\n");
  const auto without = Inference("  preset: {name: p}\n");
  EXPECT_TRUE(Contains(ValidateInferenceUpdate(without, with_template).ToString(),
                       "field cannot be unset/set if it was set/unset: template"));
  EXPECT_TRUE(Contains(ValidateInferenceUpdate(with_template, without).ToString(),
                       "field cannot be unset/set if it was set/unset: template"));
  EXPECT_TRUE(ValidateInferenceUpdate(with_template, with_template).empty());
}

TEST(InferenceUpdateTest, TemplateSetWithDuplicateAdapters) {
  const auto next = Inference(
      "  template: {spec: {}}\n  adapters:\n"
      "  - source: {name: adapter-1, image: fake.kaito.com/kaito-image:0.0.1}\n"
      "  - source: {name: adapter-1, image: fake.kaito.com/kaito-image:0.0.6}\n");
  std::string errs = ValidateInferenceUpdate(next, Inference("  preset: {name: p}\n")).ToString();
  EXPECT_TRUE(Contains(errs, "field cannot be unset/set if it was set/unset"));
  EXPECT_TRUE(Contains(errs, "Duplicate adapter source name found: adapter-1"));
}

TEST(InferenceUpdateTest, AdaptersAreRevalidatedOnUpdate) {
  const auto old = Inference("  preset: {name: p}\n");
  const auto next = Inference(
      "  preset: {name: p}\n  adapters:\n  - source: {name: a, image: \"<YOUR_IMAGE>\"}\n");
  EXPECT_TRUE(
      Contains(ValidateInferenceUpdate(next, old).ViaField("inference").ToString(),
               "Invalid image format, require full input image URL: inference.Adapters.Image"));
}

TEST(InferenceUpdateTest, AdapterChangesAreAllowed) {
  const auto old =
      Inference("  preset: {name: p}\n  adapters:\n  - source: {name: a, image: r.io/a:1}\n");
  const auto next = Inference(
      "  preset: {name: p}\n  adapters:\n  - source: {name: b, image: r.io/b:2}\n"
      "    strength: \"0.3\"\n");
  EXPECT_TRUE(ValidateInferenceUpdate(next, old).empty());
}

}  // namespace
}  // namespace kt::webhook
