// ResourceSpec rules, reproducing Kaito's TestResourceSpecValidateCreate /
// TestResourceSpecValidateUpdate cases (api/v1beta1/workspace_validation_test.go @v0.4.x):
// GPU count, per-GPU and total memory against the preset times `count`, unknown SKUs and the
// Azure N/D pass-through, tuning's single node, the bypass annotation, label selectors, and
// immutability of count / instanceType / labelSelector.
#include <gtest/gtest.h>

#include "controllers/webhook/rules.h"
#include "test_util.h"

namespace kt::webhook {
namespace {

using testing::Contains;
using testing::Env;
using testing::TestCatalog;

kaito::ResourceSpec Resource(std::string instance_type, int64_t count) {
  kaito::ResourceSpec r;
  r.instance_type = std::move(instance_type);
  r.count = count;
  return r;
}

kaito::InferenceSpec PresetInference(std::string name = "test-validation") {
  kaito::InferenceSpec i;
  i.preset = kaito::PresetSpec{name, "public", "", {}, ""};
  return i;
}

kaito::InferenceSpec TemplateInference() {
  kaito::InferenceSpec i;
  i.has_template = true;
  return i;
}

struct CreateCase {
  const char* name;
  const char* instance_type;
  int64_t count;
  int model_gpus;
  const char* model_total;
  const char* model_per_gpu;
  bool preset;
  const char* err_content;  // "" = expect no error
};

void PrintTo(const CreateCase& c, std::ostream* os) { *os << c.name; }

class ResourceCreateTest : public ::testing::TestWithParam<CreateCase> {};

TEST_P(ResourceCreateTest, MatchesKaito) {
  const CreateCase& c = GetParam();
  Env env(TestCatalog(c.model_gpus, c.model_total, c.model_per_gpu));
  FieldErrors errs = ValidateResourceCreateWithInference(
      Resource(c.instance_type, c.count), c.preset ? PresetInference() : TemplateInference(),
      /*bypass=*/false, env.ctx, nullptr);
  if (std::string(c.err_content).empty()) {
    EXPECT_TRUE(errs.empty()) << errs.ToString();
  } else {
    EXPECT_TRUE(Contains(errs.ToString(), c.err_content));
  }
}

INSTANTIATE_TEST_SUITE_P(
    KaitoCases, ResourceCreateTest,
    ::testing::Values(
        // Not in v0.4.6's table: passes through on Azure without GPU checks.
        CreateCase{"ValidResource", "Standard_ND96asr_v4", 1, 8, "152Gi", "19Gi", true, ""},
        CreateCase{"ValidResourceKnownSku", "Standard_ND96asr_A100_v4", 1, 8, "152Gi", "19Gi", true,
                   ""},
        CreateCase{"SkuCapacityEqualsModelRequirement", "Standard_NC12s_v3", 1, 1, "16Gi", "16Gi",
                   true, ""},
        CreateCase{"InsufficientTotalGpuMemory", "Standard_NV6", 1, 1, "14Gi", "0", true,
                   "Insufficient total GPU memory"},
        CreateCase{"InsufficientNumberOfGpus", "Standard_NC24ads_A100_v4", 1, 2, "30Gi", "15Gi",
                   true, "Insufficient number of GPUs"},
        CreateCase{"InsufficientPerGpuMemory", "Standard_NV6", 2, 1, "15Gi", "15Gi", true,
                   "Insufficient per GPU memory"},
        CreateCase{"InvalidSku", "Standard_invalid_sku", 1, 1, "16Gi", "0Gi", true,
                   "Unsupported instance"},
        CreateCase{"OnlyTemplateSet", "Standard_NV12s_v3", 1, 1, "16Gi", "0Gi", false, ""},
        CreateCase{"NPrefixSku", "Standard_Nsku", 1, 1, "16Gi", "0Gi", true, ""},
        CreateCase{"DPrefixSku", "Standard_Dsku", 1, 1, "16Gi", "0Gi", true, ""},
        CreateCase{"CountMultipliesCapacity", "Standard_NC6s_v3", 2, 2, "32Gi", "0Gi", true, ""},
        CreateCase{"TemplateStillNeedsAKnownSku", "g5.4xlarge", 1, 1, "16Gi", "0Gi", false,
                   "Unsupported instance type g5.4xlarge"}),
    [](const ::testing::TestParamInfo<CreateCase>& info) { return std::string(info.param.name); });

TEST(ResourceRulesTest, GpuFitMessagesReadLikeKaitos) {
  Env env(TestCatalog(2, "30Gi", "15Gi"));
  FieldErrors errs = ValidateResourceCreateWithInference(Resource("Standard_NV6", 1),
                                                         PresetInference(), false, env.ctx, nullptr)
                         .ViaField("resource");
  EXPECT_EQ(
      errs.ToString(),
      "invalid value: Insufficient number of GPUs: Instance type Standard_NV6 provides 1, but "
      "preset test-validation requires at least 2: resource.instanceType\n"
      "invalid value: Insufficient per GPU memory: Instance type Standard_NV6 provides 8Gi per "
      "GPU, but preset test-validation requires at least 15Gi per GPU: resource.instanceType\n"
      "invalid value: Insufficient total GPU memory: Instance type Standard_NV6 has a total of "
      "8Gi, but preset test-validation requires at least 30Gi: resource.instanceType");
}

TEST(ResourceRulesTest, FractionalRequirementPrintsAsQuantity) {
  Env env;  // real catalog: deepseek-r1-distill-llama-8b needs 16.5Gi
  FieldErrors errs = ValidateResourceCreateWithInference(
      Resource("Standard_NC6s_v3", 1), PresetInference("deepseek-r1-distill-llama-8b"), false,
      env.ctx, nullptr);
  EXPECT_TRUE(Contains(errs.ToString(),
                       "has a total of 16Gi, but preset "
                       "deepseek-r1-distill-llama-8b requires at least 16896Mi"));
}

TEST(ResourceRulesTest, UnknownSkuListsTheSupportedOnes) {
  Env env;
  FieldErrors errs = ValidateResourceCreateWithInference(Resource("Standard_Bad", 1),
                                                         PresetInference("phi-3-mini-4k-instruct"),
                                                         false, env.ctx, nullptr);
  // "Standard_Bad" starts with neither Standard_N nor Standard_D.
  EXPECT_TRUE(Contains(errs.ToString(),
                       "invalid value: Unsupported instance type Standard_Bad. Supported SKUs: "
                       "[Standard_NC12s_v3 Standard_NC16as_T4_v3 "));
  EXPECT_TRUE(Contains(errs.ToString(), "Standard_NV6]: instanceType"));
}

TEST(ResourceRulesTest, PassThroughOnlyOnAzure) {
  Env env;
  env.ctx.cloud_provider = "aws";
  FieldErrors errs = ValidateResourceCreateWithInference(Resource("Standard_Nsku", 1),
                                                         PresetInference("phi-3-mini-4k-instruct"),
                                                         false, env.ctx, nullptr);
  EXPECT_TRUE(Contains(errs.ToString(), "Unsupported instance type Standard_Nsku"));
}

TEST(ResourceRulesTest, UnregisteredPresetSkipsResourceChecks) {
  Env env(TestCatalog());
  FieldErrors errs = ValidateResourceCreateWithInference(Resource("Standard_invalid_sku", 2),
                                                         PresetInference("Invalid-Preset-Name"),
                                                         false, env.ctx, nullptr);
  EXPECT_TRUE(errs.empty()) << errs.ToString();
}

TEST(ResourceRulesTest, PresetNameIsLowercasedForTheResourceCheck) {
  Env env(TestCatalog(1, "64Gi", "0Gi"));
  FieldErrors errs = ValidateResourceCreateWithInference(
      Resource("Standard_NC6s_v3", 1), PresetInference("Test-Validation"), false, env.ctx, nullptr);
  EXPECT_TRUE(Contains(errs.ToString(), "preset test-validation requires at least 64Gi"));
}

TEST(ResourceRulesTest, BypassAnnotationTurnsFitFailuresIntoWarnings) {
  Env env(TestCatalog(2, "30Gi", "15Gi"));
  std::vector<std::string> warnings;
  FieldErrors errs = ValidateResourceCreateWithInference(
      Resource("Standard_NV6", 1), PresetInference(), true, env.ctx, &warnings);
  EXPECT_TRUE(errs.empty()) << errs.ToString();
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_TRUE(Contains(warnings[0], "Bypassing resource check: Insufficient number of GPUs"));
  EXPECT_TRUE(Contains(warnings[2], "Insufficient total GPU memory detected but continuing"));
}

TEST(ResourceRulesTest, BypassDoesNotExcuseAnUnknownSku) {
  Env env(TestCatalog());
  FieldErrors errs = ValidateResourceCreateWithInference(Resource("bad", 1), PresetInference(),
                                                         true, env.ctx, nullptr);
  EXPECT_TRUE(Contains(errs.ToString(), "Unsupported instance type bad"));
}

TEST(ResourceRulesTest, LabelSelectorMustConvertToAMap) {
  Env env(TestCatalog());
  kaito::ResourceSpec r = Resource("Standard_NC6s_v3", 1);
  r.label_selector = kaito::LabelSelectorSpec{{{"a", "b"}}, {{"c", "NotIn", {"x"}}}};
  FieldErrors errs =
      ValidateResourceCreateWithInference(r, PresetInference(), false, env.ctx, nullptr)
          .ViaField("resource");
  EXPECT_EQ(errs.ToString(),
            "invalid value: operator \"NotIn\" cannot be converted into the old label selector "
            "format: resource.labelSelector");
  r.label_selector->match_expressions = {{"c", "In", {"x", "y"}}};
  EXPECT_TRUE(Contains(
      ValidateResourceCreateWithInference(r, PresetInference(), false, env.ctx, nullptr).ToString(),
      "operator \"In\" without a single value"));
  r.label_selector->match_expressions = {{"c", "In", {"x"}}};
  EXPECT_TRUE(
      ValidateResourceCreateWithInference(r, PresetInference(), false, env.ctx, nullptr).empty());
}

TEST(ResourceRulesTest, TuningRunsOnOneNode) {
  EXPECT_TRUE(ValidateResourceCreateWithTuning(Resource("Standard_NC6s_v3", 1)).empty());
  EXPECT_TRUE(Contains(ValidateResourceCreateWithTuning(Resource("Standard_NC6s_v3", 2)).ToString(),
                       "Tuning does not currently support multinode configurations"));
}

TEST(ResourceRulesTest, UpdateKeepsCountInstanceTypeAndSelector) {
  kaito::ResourceSpec old_r, new_r;
  old_r.count = 5;
  new_r.count = 10;
  EXPECT_EQ(ValidateResourceUpdate(new_r, old_r).ViaField("resource").ToString(),
            "field is immutable: resource.count");
  old_r = {};
  new_r = {};
  old_r.instance_type = "old_type";
  new_r.instance_type = "new_type";
  EXPECT_EQ(ValidateResourceUpdate(new_r, old_r).ToString(), "field is immutable: instanceType");
  old_r = {};
  new_r = {};
  old_r.label_selector = kaito::LabelSelectorSpec{{{"key2", "value2"}}, {}};
  new_r.label_selector = kaito::LabelSelectorSpec{{{"key1", "value1"}}, {}};
  EXPECT_EQ(ValidateResourceUpdate(new_r, old_r).ToString(), "field is immutable: labelSelector");
  // Equivalent forms of the same selector are the same map.
  new_r.label_selector = kaito::LabelSelectorSpec{{}, {{"key2", "In", {"value2"}}}};
  EXPECT_TRUE(ValidateResourceUpdate(new_r, old_r).empty());
  new_r.label_selector = kaito::LabelSelectorSpec{{}, {{"key2", "Exists", {}}}};
  EXPECT_EQ(ValidateResourceUpdate(new_r, old_r).ToString(),
            "Only allow matchLabels or 'IN' matchExpression: labelSelector");
}

TEST(ResourceRulesTest, ValidUpdateAndMergedImmutableErrors) {
  kaito::ResourceSpec r = Resource("same_type", 5);
  r.label_selector = kaito::LabelSelectorSpec{{{"key", "value"}}, {}};
  EXPECT_TRUE(ValidateResourceUpdate(r, r).empty());
  kaito::ResourceSpec changed = Resource("other", 6);
  changed.label_selector = r.label_selector;
  EXPECT_EQ(ValidateResourceUpdate(changed, r).ViaField("resource").ToString(),
            "field is immutable: resource.count, resource.instanceType");
}

}  // namespace
}  // namespace kt::webhook
