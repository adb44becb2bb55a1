// The default ConfigMaps Kaito installs in its release namespace load from the embedded data
// file with Kaito's names and keys, and ParseConfigMaps refuses non-ConfigMaps.
#include "controllers/kaito/default_configmaps.h"

#include <gtest/gtest.h>

#include "base/json.h"
#include "base/yaml.h"
#include "controllers/kaito/labels.h"

namespace kt::kaito {
namespace {

TEST(DefaultConfigMapsTest, ThreeTemplatesInTheReleaseNamespace) {
  std::vector<Json> cms = DefaultConfigMaps("kaito-workspace");
  ASSERT_EQ(cms.size(), 3u);
  EXPECT_EQ(GetString(cms[0], "metadata.name"), kDefaultInferenceConfigTemplate);
  EXPECT_EQ(GetString(cms[1], "metadata.name"), kDefaultLoraConfigTemplate);
  EXPECT_EQ(GetString(cms[2], "metadata.name"), kDefaultQloraConfigTemplate);
  for (const Json& cm : cms) EXPECT_EQ(GetString(cm, "metadata.namespace"), "kaito-workspace");
  auto inference = ParseYaml(cms[0]["data"][std::string(kInferenceConfigKey)].get<std::string>());
  ASSERT_TRUE(inference.ok());
  EXPECT_EQ(GetInt(*inference, "max_probe_steps"), 6);
  EXPECT_EQ(GetInt(*inference, "vllm.swap-space"), 4);
  auto qlora = ParseYaml(cms[2]["data"][std::string(kTrainingConfigKey)].get<std::string>());
  ASSERT_TRUE(qlora.ok());
  EXPECT_TRUE(GetBool(*qlora, "training_config.QuantizationConfig.load_in_4bit"));
  auto lora = ParseYaml(cms[1]["data"][std::string(kTrainingConfigKey)].get<std::string>());
  ASSERT_TRUE(lora.ok());
  EXPECT_FALSE(GetBool(*lora, "training_config.QuantizationConfig.load_in_4bit", true));
  EXPECT_EQ(GetString(*lora, "training_config.TrainingArguments.output_dir"), "/mnt/results");
}

TEST(DefaultConfigMapsTest, ParseRefusesOtherKinds) {
  auto r = ParseConfigMaps("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n", "x.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("x.yaml: document 1: expected a v1 ConfigMap"),
            std::string::npos);
  auto bad_data = ParseConfigMaps(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: {b: 1}}\n", "x.yaml");
  ASSERT_FALSE(bad_data.ok());
  EXPECT_NE(bad_data.status().message().find("data.a must be a string"), std::string::npos);
}

}  // namespace
}  // namespace kt::kaito
