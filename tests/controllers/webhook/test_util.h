// Shared fixtures for the webhook tests: YAML -> workspace helpers, a preset catalog with the
// test models Kaito's own webhook tests register (test-validation with adjustable requirements,
// a static one, a private one, a download-at-runtime one), and a ValidationContext backed by
// an in-memory ConfigMap set holding the release namespace's default ConfigMaps.
#ifndef KT_TESTS_CONTROLLERS_WEBHOOK_TEST_UTIL_H_
#define KT_TESTS_CONTROLLERS_WEBHOOK_TEST_UTIL_H_

#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "base/json.h"
#include "base/yaml.h"
#include "controllers/kaito/default_configmaps.h"
#include "controllers/kaito/preset_catalog.h"
#include "controllers/kaito/workspace.h"
#include "controllers/webhook/config_map_reader.h"
#include "controllers/webhook/defaulting.h"
#include "controllers/webhook/validation.h"

namespace kt::webhook::testing {

inline constexpr std::string_view kReleaseNamespace = "kaito-workspace";

inline Json Yaml(std::string_view text) {
  auto j = ParseYaml(text);
  EXPECT_TRUE(j.ok()) << j.status().ToString();
  return j.ok() ? *j : Json();
}

// Decodes a workspace (with the CRD defaults applied, as the API server would).
inline kaito::Workspace Ws(std::string_view yaml) {
  auto ws = kaito::DecodeWorkspace(WithCrdDefaults(Yaml(yaml), kaito::DefaultSkuTable()));
  EXPECT_TRUE(ws.ok()) << ws.status().ToString();
  return ws.ok() ? *ws : kaito::Workspace{};
}

inline kaito::InferenceSpec Inference(std::string_view yaml) {
  return Ws("apiVersion: kaito.sh/v1beta1\nkind: Workspace\nmetadata: {name: w}\ninference:\n" +
            std::string(yaml))
      .inference.value_or(kaito::InferenceSpec{});
}

inline kaito::TuningSpec Tuning(std::string_view yaml) {
  return Ws("apiVersion: kaito.sh/v1beta1\nkind: Workspace\nmetadata: {name: w}\ntuning:\n" +
            std::string(yaml))
      .tuning.value_or(kaito::TuningSpec{});
}

// Kaito's test models. test-validation's requirements are the arguments.
inline std::unique_ptr<kaito::PresetCatalog> TestCatalog(int gpu_count = 1,
                                                         std::string_view total = "16Gi",
                                                         std::string_view per_gpu = "0Gi") {
  std::string yaml = "presets:\n";
  auto entry = [&](std::string_view name, int gpus, std::string_view tot, std::string_view per,
                   std::string_view extra) {
    yaml += "- name: " + std::string(name) + "\n  in_v0_4_6: true\n  image: {name: kaito-" +
            std::string(name) +
            ", tag: '0.0.1'}\n  inference: {gpu_count: " + std::to_string(gpus) +
            ", total_gpu_memory: " + std::string(tot) + ", per_gpu_memory: " + std::string(per) +
            ", disk: 100Gi, readiness_timeout_s: 1800}\n" +
            "  tuning: {gpu_count: 1, total_gpu_memory: 16Gi, per_gpu_memory: 16Gi, disk: 100Gi, "
            "readiness_timeout_s: 1800}\n  runtimes: [transformers, vllm]\n" +
            std::string(extra);
  };
  entry("test-validation", gpu_count, total, per_gpu, "");
  entry("test-validation-static", 1, "16Gi", "16Gi", "");
  entry("private-test-validation", 1, "16Gi", "0Gi", "  image_access_mode: private\n");
  entry("test-validation-download", 1, "16Gi", "0Gi", "  download_at_runtime: true\n");
  entry("test-validation-nolora", 1, "16Gi", "0Gi", "  vllm: {disallow_lora: true}\n");
  auto c = kaito::PresetCatalog::Parse(yaml, "test catalog");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::make_unique<kaito::PresetCatalog>(std::move(c).value());
}

// A context whose ConfigMap reader holds the default ConfigMaps of the release namespace.
struct Env {
  std::unique_ptr<kaito::PresetCatalog> own_presets;
  StaticConfigMapReader config_maps;
  ValidationContext ctx;

  explicit Env(const kaito::PresetCatalog* presets = &kaito::DefaultPresetCatalog()) {
    for (const Json& cm : kaito::DefaultConfigMaps(kReleaseNamespace)) config_maps.Put(cm);
    ctx.presets = presets;
    ctx.config_maps = &config_maps;
    ctx.release_namespace = std::string(kReleaseNamespace);
  }
  explicit Env(std::unique_ptr<kaito::PresetCatalog> presets) : Env(presets.get()) {
    own_presets = std::move(presets);
  }
  void PutConfigMap(std::string_view ns, std::string_view name, std::string_view key,
                    std::string_view value) {
    config_maps.Put({{"apiVersion", "v1"},
                     {"kind", "ConfigMap"},
                     {"metadata", {{"name", std::string(name)}, {"namespace", std::string(ns)}}},
                     {"data", {{std::string(key), std::string(value)}}}});
  }
};

// True when `text` contains `needle` (with a readable failure message).
inline ::testing::AssertionResult Contains(const std::string& text, std::string_view needle) {
  if (text.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "\"" << text << "\" does not contain \"" << needle << "\"";
}

}  // namespace kt::webhook::testing

#endif  // KT_TESTS_CONTROLLERS_WEBHOOK_TEST_UTIL_H_
