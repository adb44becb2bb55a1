// Tuning rules, reproducing Kaito's TestTuningSpecValidateCreate / ValidateUpdate and
// TestDataSource* / TestDataDestination* cases at v0.4: method lora|qlora (any case), the
// default or named config ConfigMap, input exactly one of URLs/volume/image (volumes "not
// implemented yet"), output image with a push secret, registered preset, immutable preset and
// method, and the input name fixed once set.
#include <gtest/gtest.h>

#include "controllers/kaito/labels.h"
#include "controllers/webhook/rules.h"
#include "test_util.h"

namespace kt::webhook {
namespace {

using testing::Contains;
using testing::Env;
using testing::TestCatalog;
using testing::Tuning;

// A tuning spec built from fragments, defaulting to a valid one.
std::string Spec(
    std::string input = "{name: valid-input, image: \"azure-acr.azurecr.io/test:0.0.0\"}",
    std::string output = "{image: \"azure-acr.azurecr.io/test:0.0.0\", imagePushSecret: secret}",
    std::string preset = "{name: test-validation}", std::string method = "lora") {
  std::string s;
  if (!input.empty()) s += "  input: " + input + "\n";
  if (!output.empty()) s += "  output: " + output + "\n";
  if (!preset.empty()) s += "  preset: " + preset + "\n";
  s += "  method: " + method + "\n";
  return s;
}

std::string CreateErrors(const std::string& spec, Env* env = nullptr) {
  Env local(TestCatalog());
  Env& e = env != nullptr ? *env : local;
  return ValidateTuningCreate(Tuning(spec), "workspace-namespace", e.ctx)
      .ViaField("tuning")
      .ToString();
}

TEST(TuningCreateTest, AllFieldsValid) { EXPECT_EQ(CreateErrors(Spec()), ""); }

TEST(TuningCreateTest, QloraUsesTheQloraDefaultConfig) {
  EXPECT_EQ(
      CreateErrors(Spec("{urls: [\"https://x/d\"]}", "{image: \"r.io/o:1\", imagePushSecret: s}",
                        "{name: test-validation}", "qlora")),
      "");
}

TEST(TuningCreateTest, MethodIsCaseInsensitive) {
  EXPECT_EQ(CreateErrors(Spec("{urls: [u]}", "{image: \"r.io/o:1\", imagePushSecret: s}",
                              "{name: test-validation}", "QLoRA")),
            "");
}

TEST(TuningCreateTest, MissingInput) {
  EXPECT_TRUE(Contains(CreateErrors(Spec("")), "missing field(s): tuning.Input"));
}

TEST(TuningCreateTest, MissingOutput) {
  EXPECT_TRUE(Contains(CreateErrors(Spec("{urls: [u]}", "")), "missing field(s): tuning.Output"));
}

TEST(TuningCreateTest, MissingPreset) {
  EXPECT_TRUE(
      Contains(CreateErrors(Spec("{urls: [u]}", "{image: \"r.io/o:1\", imagePushSecret: s}", "")),
               "missing field(s): tuning.Preset"));
}

TEST(TuningCreateTest, InvalidPreset) {
  EXPECT_TRUE(
      Contains(CreateErrors(Spec("{urls: [u]}", "{image: \"r.io/o:1\", imagePushSecret: s}",
                                 "{name: invalid-preset}")),
               "invalid value: Unsupported tuning preset name invalid-preset: tuning.presetName"));
}

TEST(TuningCreateTest, InvalidMethod) {
  std::string errs = CreateErrors(Spec("{urls: [u]}", "{image: \"r.io/o:1\", imagePushSecret: s}",
                                       "{name: test-validation}", "invalid-method"));
  EXPECT_TRUE(Contains(errs, "invalid value: invalid-method: tuning.Method"));
  // No default ConfigMap for an unknown method.
  EXPECT_TRUE(Contains(errs,
                       "Failed to evaluate validateConfigMap: ConfigMap '' specified in "
                       "'config' not found in namespace 'kaito-workspace'"));
}

TEST(TuningCreateTest, InputImageRepositoryMustBeLowercase) {
  EXPECT_EQ(CreateErrors(Spec("{name: valid-input, image: \"azure-acr.azurecr.io/INPUT:0.0.0\"}")),
            "invalid value: repository name must be lowercase: tuning.Input.Image");
}

TEST(TuningCreateTest, OutputImageRepositoryMustBeLowercase) {
  EXPECT_EQ(CreateErrors(Spec("{urls: [u]}", "{image: \"r.io/OUTPUT:0.0.0\", imagePushSecret: s}")),
            "invalid value: repository name must be lowercase: tuning.Output.Image");
}

TEST(TuningCreateTest, OutputImageNeedsAPushSecret) {
  EXPECT_EQ(CreateErrors(Spec("{urls: [u]}", "{image: \"r.io/out:1\"}")),
            "missing field(s): tuning.Output.Must specify imagePushSecret with destination image");
}

TEST(TuningCreateTest, NamedConfigMapMustExistInTheWorkspaceNamespace) {
  std::string errs = CreateErrors("  config: my-qlora-params\n" + Spec());
  EXPECT_EQ(
      errs,
      "Failed to evaluate validateConfigMap: ConfigMap 'my-qlora-params' specified in 'config' "
      "not found in namespace 'workspace-namespace': config: tuning.Config");
}

TEST(TuningCreateTest, NoReleaseNamespaceOrClient) {
  Env env(TestCatalog());
  env.ctx.release_namespace.clear();
  EXPECT_TRUE(Contains(CreateErrors(Spec(), &env), "Failed to determine release namespace"));
  Env no_client(TestCatalog());
  no_client.ctx.config_maps = nullptr;
  EXPECT_TRUE(Contains(CreateErrors(Spec(), &no_client),
                       "Failed to evaluate validateConfigMap: Failed to obtain client from "
                       "context.Context"));
}

// --- update ---

TEST(TuningUpdateTest, NoChanges) {
  auto t = Tuning(
      "  input: {name: input1}\n  output: {image: r.io/test:0.0.0}\n"
      "  preset: {name: test-validation}\n  method: lora\n");
  EXPECT_TRUE(ValidateTuningUpdate(t, t).empty());
}

TEST(TuningUpdateTest, PresetChanged) {
  auto old = Tuning("  input: {}\n  output: {}\n  preset: {name: test-validation}\n");
  auto next = Tuning("  input: {}\n  output: {}\n  preset: {name: invalid-preset}\n");
  EXPECT_EQ(ValidateTuningUpdate(next, old).ViaField("tuning").ToString(),
            "Preset cannot be changed: tuning.Preset");
}

TEST(TuningUpdateTest, MethodChanged) {
  auto old = Tuning("  input: {}\n  output: {}\n  method: lora\n");
  auto next = Tuning("  input: {}\n  output: {}\n  method: qlora\n");
  EXPECT_EQ(ValidateTuningUpdate(next, old).ToString(), "Method cannot be changed: Method");
  auto recased = Tuning("  input: {}\n  output: {}\n  method: LoRA\n");
  EXPECT_TRUE(ValidateTuningUpdate(recased, old).empty());
}

TEST(TuningUpdateTest, InputAndOutputAreRequired) {
  auto old = Tuning("  input: {}\n  output: {}\n");
  auto next = Tuning("  config: cfg\n");
  EXPECT_EQ(ValidateTuningUpdate(next, old).ToString(), "missing field(s): Input, Output");
}

TEST(TuningUpdateTest, NewDatasetAndOutputImageAreAllowed) {
  auto old = Tuning(
      "  input: {name: d, urls: [a]}\n  output: {image: r.io/o:1, imagePushSecret: s}\n"
      "  preset: {name: p}\n  method: qlora\n");
  auto next = Tuning(
      "  input: {name: d, urls: [b]}\n  output: {image: r.io/o:2, imagePushSecret: s}\n"
      "  preset: {name: p}\n  method: qlora\n");
  EXPECT_TRUE(ValidateTuningUpdate(next, old).empty());
}

// --- data sources and destinations ---

kaito::DataSource Source(std::vector<std::string> urls, std::string image, bool volume = false) {
  kaito::DataSource s;
  s.urls = std::move(urls);
  s.image = std::move(image);
  s.has_volume = volume;
  return s;
}

TEST(DataSourceTest, ExactlyOneOfUrlsVolumeOrImage) {
  EXPECT_TRUE(ValidateDataSourceCreate(Source({"http://example.com/data"}, "")).empty());
  EXPECT_TRUE(
      ValidateDataSourceCreate(Source({}, "aimodels.azurecr.io/data-image:latest")).empty());
  EXPECT_EQ(ValidateDataSourceCreate(Source({}, "")).ToString(),
            "Exactly one of URLs, Volume, or Image must be specified: Image, URLs, Volume");
  EXPECT_TRUE(Contains(
      ValidateDataSourceCreate(Source({"http://example.com/data"}, "aimodels.azurecr.io/d:1"))
          .ToString(),
      "Exactly one of URLs, Volume, or Image must be specified"));
}

TEST(DataSourceTest, VolumesAreNotImplementedYet) {
  EXPECT_EQ(ValidateDataSourceCreate(Source({}, "", true)).ToString(),
            "invalid value: Volume support is not implemented yet: Volume");
}

TEST(DataSourceTest, ImagesNeedRegistryAndTag) {
  EXPECT_EQ(ValidateDataSourceCreate(Source({}, "data-image:latest")).ToString(),
            "invalid value: Invalid image format, require full input image URL: Image");
  EXPECT_EQ(ValidateDataSourceCreate(Source({}, "aimodels.azurecr.io/data-image")).ToString(),
            "invalid value: Invalid image format, require full input image URL: Image");
  EXPECT_TRUE(ValidateDataSourceCreate(Source({}, "registry:5000/org/data:v1")).empty());
}

TEST(DataSourceTest, UpdateKeepsTheTuningInputName) {
  kaito::DataSource old_s = Source({"http://example.com/data1", "http://example.com/data2"}, "");
  kaito::DataSource new_s = Source({"http://example.com/data2", "http://example.com/data1"}, "");
  EXPECT_TRUE(ValidateDataSourceUpdate(new_s, &old_s, true).empty());
  old_s.name = "original-dataset";
  new_s.name = "new-dataset";
  EXPECT_EQ(ValidateDataSourceUpdate(new_s, &old_s, true).ToString(),
            "invalid value: During tuning Name field cannot be changed once set: Name");
  EXPECT_TRUE(ValidateDataSourceUpdate(new_s, &old_s, false).empty());
}

kaito::DataDestination Dest(std::string image, std::string secret, bool volume = false) {
  kaito::DataDestination d;
  d.image = std::move(image);
  d.image_push_secret = std::move(secret);
  d.has_volume = volume;
  return d;
}

TEST(DataDestinationTest, CreateRules) {
  EXPECT_EQ(ValidateDataDestinationCreate(Dest("", "")).ToString(),
            "missing field(s): At least one of Volume or Image must be specified");
  EXPECT_TRUE(ValidateDataDestinationCreate(
                  Dest("aimodels.azurecr.io/data-image:latest", "imagePushSecret"))
                  .empty());
  EXPECT_TRUE(Contains(ValidateDataDestinationCreate(Dest("data-image:latest", "s")).ToString(),
                       "Invalid image format, require full output image URL"));
  EXPECT_TRUE(Contains(
      ValidateDataDestinationCreate(Dest("aimodels.azurecr.io/data-image", "s")).ToString(),
      "Invalid image format, require full output image URL"));
  EXPECT_EQ(ValidateDataDestinationCreate(Dest("", "", true)).ToString(),
            "invalid value: Volume support is not implemented yet: Volume");
}

TEST(DataDestinationTest, UpdateRules) {
  EXPECT_TRUE(ValidateDataDestinationUpdate(Dest("old-image:latest", "old-secret")).empty());
  EXPECT_TRUE(Contains(ValidateDataDestinationUpdate(Dest("", "", true)).ToString(),
                       "Volume support is not implemented yet"));
}

}  // namespace
}  // namespace kt::webhook
