// Workspace decoding and accessors: the typed view reads Kaito's top-level resource /
// inference / tuning blocks like Kaito's Go types (absent vs null vs set), reports a mistyped
// field the way encoding/json does, and the JSON accessors and runtime selection match Kaito.
#include "controllers/kaito/workspace.h"

#include <gtest/gtest.h>

#include "base/json.h"
#include "base/yaml.h"
#include "controllers/kaito/labels.h"

namespace kt::kaito {
namespace {

Json Yaml(std::string_view text) {
  auto j = ParseYaml(text);
  EXPECT_TRUE(j.ok()) << j.status().ToString();
  return j.ok() ? *j : Json();
}

TEST(WorkspaceTest, DecodesTheSeedQuickStart) {
  Json obj = Yaml(R"(
apiVersion: kaito.sh/v1alpha1
kind: Workspace
metadata:
  name: workspace-phi-3-mini
  namespace: default
resource:
  instanceType: "Standard_NC6s_v3"
  labelSelector:
    matchLabels:
      apps: phi-3
inference:
  preset:
    name: phi-3-mini-4k-instruct
)");
  auto ws = DecodeWorkspace(obj);
  ASSERT_TRUE(ws.ok()) << ws.status().ToString();
  EXPECT_EQ(ws->version, ApiVersion::kV1alpha1);
  EXPECT_EQ(ws->name, "workspace-phi-3-mini");
  EXPECT_TRUE(ws->has_resource);
  EXPECT_EQ(ws->resource.count, std::nullopt);
  EXPECT_EQ(ws->resource.CountOrDefault(), 1);
  EXPECT_EQ(ws->resource.instance_type, "Standard_NC6s_v3");
  ASSERT_TRUE(ws->resource.label_selector);
  EXPECT_EQ(ws->resource.label_selector->match_labels.at("apps"), "phi-3");
  ASSERT_TRUE(ws->inference);
  ASSERT_TRUE(ws->inference->preset);
  EXPECT_EQ(ws->inference->preset->name, "phi-3-mini-4k-instruct");
  EXPECT_FALSE(ws->inference->has_template);
  EXPECT_FALSE(ws->tuning);
  EXPECT_EQ(PresetOf(*ws)->name, "phi-3-mini-4k-instruct");
}

TEST(WorkspaceTest, DecodesTuningAndAdapters) {
  Json obj = Yaml(R"(
apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata: {name: t, annotations: {kaito.sh/runtime: transformers}}
resource: {count: 1, labelSelector: {matchExpressions: [{key: a, operator: In, values: [b]}]}}
tuning:
  preset: {name: phi-3-mini-128k-instruct, presetOptions: {imagePullSecrets: [s1]}}
  method: qlora
  input: {urls: ["https://example.com/d.parquet"]}
  output: {image: "reg.io/out:1", imagePushSecret: push}
)");
  auto ws = DecodeWorkspace(obj);
  ASSERT_TRUE(ws.ok()) << ws.status().ToString();
  EXPECT_EQ(ws->version, ApiVersion::kV1beta1);
  EXPECT_EQ(ws->resource.count, 1);
  EXPECT_EQ(ws->resource.label_selector->match_expressions.at(0).op, "In");
  ASSERT_TRUE(ws->tuning);
  EXPECT_EQ(ws->tuning->method, "qlora");
  EXPECT_EQ(ws->tuning->preset->image_pull_secrets, std::vector<std::string>{"s1"});
  ASSERT_TRUE(ws->tuning->input);
  EXPECT_EQ(ws->tuning->input->urls.size(), 1u);
  ASSERT_TRUE(ws->tuning->output);
  EXPECT_EQ(ws->tuning->output->image_push_secret, "push");
  EXPECT_EQ(RuntimeOf(ws->annotations), RuntimeName::kTransformers);

  Json adapters = Yaml(R"(
apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata: {name: a}
inference:
  preset: {name: phi-3-mini-128k-instruct}
  adapters:
  - source: {name: one, image: "r.io/a:1"}
    strength: "0.5"
  - source: {name: two, volumeSource: {emptyDir: {}}}
  - strength: "1"
)");
  auto wa = DecodeWorkspace(adapters);
  ASSERT_TRUE(wa.ok()) << wa.status().ToString();
  ASSERT_EQ(wa->inference->adapters.size(), 3u);
  EXPECT_EQ(wa->inference->adapters[0].strength, "0.5");
  EXPECT_TRUE(wa->inference->adapters[1].source->has_volume);
  EXPECT_EQ(wa->inference->adapters[1].strength, std::nullopt);
  EXPECT_FALSE(wa->inference->adapters[2].source);
}

TEST(WorkspaceTest, NullMeansAbsent) {
  Json obj = Yaml(
      "apiVersion: kaito.sh/v1beta1\nkind: Workspace\nmetadata: {name: wsn}\n"
      "inference: null\ntuning: {preset: null, method: lora}\n");
  auto ws = DecodeWorkspace(obj);
  ASSERT_TRUE(ws.ok());
  EXPECT_FALSE(ws->inference);
  ASSERT_TRUE(ws->tuning);
  EXPECT_FALSE(ws->tuning->preset);
  EXPECT_FALSE(ws->has_resource);
}

TEST(WorkspaceTest, MistypedFieldsAreReportedLikeEncodingJson) {
  auto ws =
      DecodeWorkspace(Yaml("apiVersion: kaito.sh/v1beta1\nkind: Workspace\nmetadata: {name: "
                           "wsn}\nresource: {count: two}\n"));
  ASSERT_FALSE(ws.ok());
  EXPECT_EQ(
      ws.status().message(),
      "json: cannot unmarshal string into Go struct field Workspace.resource.count of type int");
  auto frac =
      DecodeWorkspace(Yaml("apiVersion: kaito.sh/v1beta1\nkind: Workspace\nmetadata: {name: "
                           "wsn}\nresource: {count: 1.5}\n"));
  ASSERT_FALSE(frac.ok());
  auto name =
      DecodeWorkspace(Yaml("apiVersion: kaito.sh/v1beta1\nkind: Workspace\nmetadata: {name: wsn}\n"
                           "inference: {preset: {name: [x]}}\n"));
  ASSERT_FALSE(name.ok());
  EXPECT_NE(name.status().message().find("Workspace.inference.preset.name of type string"),
            std::string::npos);
  auto version = DecodeWorkspace(Yaml("apiVersion: kaito.sh/v2\nkind: Workspace\n"));
  ASSERT_FALSE(version.ok());
  EXPECT_NE(version.status().message().find("unsupported Workspace apiVersion"), std::string::npos);
  EXPECT_FALSE(DecodeWorkspace(Json::array()).ok());
}

TEST(WorkspaceTest, RuntimeDefaultsToVllmUnlessAnnotated) {
  EXPECT_EQ(RuntimeOf({}), RuntimeName::kVllm);
  EXPECT_EQ(RuntimeOf({}, /*vllm_feature_gate=*/false), RuntimeName::kTransformers);
  EXPECT_EQ(RuntimeOf({{"kaito.sh/runtime", "transformers"}}), RuntimeName::kTransformers);
  EXPECT_EQ(RuntimeOf({{"kaito.sh/runtime", "vllm"}}, false), RuntimeName::kVllm);
  EXPECT_EQ(RuntimeOf({{"kaito.sh/runtime", "other"}}), RuntimeName::kVllm);
  EXPECT_EQ(RuntimeNameString(RuntimeName::kTransformers), "transformers");
}

TEST(WorkspaceTest, JsonAccessorsTolerateMissingFields) {
  Json empty = Json::object();
  EXPECT_EQ(NodeCount(empty), 1);
  EXPECT_EQ(InstanceType(empty), "");
  EXPECT_TRUE(MatchLabels(empty).empty());
  EXPECT_FALSE(IsInference(empty));
  EXPECT_EQ(InferenceTemplate(empty), nullptr);
  EXPECT_EQ(PresetName(empty), "");
  Json ws = Yaml(R"(
metadata: {annotations: {kaito.sh/enablelb: "True", kaito.sh/bypass-resource-checks: ""}}
resource: {count: 2, instanceType: Standard_NC12s_v3, preferredNodes: [n1], labelSelector: {matchLabels: {a: b}}}
inference: {template: {spec: {containers: []}}}
tuning: {preset: {name: phi-2}, input: {volumeSource: {emptyDir: {}}}}
)");
  EXPECT_EQ(NodeCount(ws), 2);
  EXPECT_EQ(InstanceType(ws), "Standard_NC12s_v3");
  EXPECT_EQ(MatchLabels(ws).at("a"), "b");
  EXPECT_EQ(PreferredNodes(ws), std::vector<std::string>{"n1"});
  EXPECT_TRUE(IsInference(ws));
  EXPECT_TRUE(IsTuning(ws));
  EXPECT_NE(InferenceTemplate(ws), nullptr);
  EXPECT_NE(InputVolumeSource(ws), nullptr);
  EXPECT_EQ(OutputVolumeSource(ws), nullptr);
  EXPECT_EQ(PresetName(ws), "phi-2");
  EXPECT_TRUE(LoadBalancerEnabled(ws));
  EXPECT_TRUE(BypassResourceChecks(ws));
  SetWorkerNodes(ws, {"node-a", "node-b"});
  EXPECT_EQ(WorkerNodes(ws), (std::vector<std::string>{"node-a", "node-b"}));
}

}  // namespace
}  // namespace kt::kaito
