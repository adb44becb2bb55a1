// Proves that every workspace under examples/ is admitted by the twin's API server exactly as a
// cluster with Kaito installed would admit it: Kaito's webhook (v0.4.6 rules: lower-case output
// image, adapter strength only under kaito.sh/runtime: transformers) and the CRD's structural
// schema (nothing the example sets is pruned), and that examples/kustomization.yaml lists every
// example. Also proves the webhook is really in the chain: the seed's adapter block as written
// (strength under vLLM) is refused with Kaito's message.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "api/object.h"
#include "api/resource.h"
#include "base/json.h"
#include "base/yaml.h"
#include "scenarios/world.h"

namespace kt::scenarios {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> ExampleFiles() {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator("examples")) {
    if (e.path().extension() == ".yaml" && e.path().filename() != "kustomization.yaml") {
      out.push_back(fs::relative(e.path(), "examples").string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

WorldOptions NoManagers() {
  WorldOptions o;
  o.start_managers = false;
  return o;
}

TEST(ExamplesTest, EveryExampleIsAdmittedByTheWebhookAndKeepsEveryFieldUnderTheSchema) {
  const auto files = ExampleFiles();
  ASSERT_EQ(files.size(), 3u);
  for (const auto& f : files) {
    SCOPED_TRACE(f);
    World world(NoManagers());
    const std::string text = Read(fs::path("examples") / f);
    ASSERT_TRUE(world.ApplyYaml(text).ok()) << world.ApplyYaml(text).ToString();
    auto docs = ParseYamlDocuments(text);
    ASSERT_TRUE(docs.ok());
    for (const Json& d : *docs) {
      auto stored = world.Workspace(api::Name(d));
      ASSERT_TRUE(stored.has_value());
      for (const char* part : {"resource", "inference", "tuning"}) {
        if (!d.contains(part)) continue;
        // Every field the example sets survives pruning (the CRD adds defaults only).
        Json merged = (*stored)[part];
        merged.merge_patch(d[part]);
        EXPECT_EQ(merged, (*stored)[part]) << part;
      }
    }
  }
}

TEST(ExamplesTest, KustomizationListsEveryExample) {
  auto k = ParseYaml(Read("examples/kustomization.yaml"));
  ASSERT_TRUE(k.ok());
  std::vector<std::string> listed;
  for (const Json& r : (*k)["resources"]) listed.push_back(r.get<std::string>());
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(listed, ExampleFiles());
}

TEST(ExamplesTest, AdapterStrengthUnderTheDefaultVllmRuntimeIsRefusedWithKaitosMessage) {
  World world(NoManagers());
  auto ws = ParseYaml(Read("examples/inference/kaito_workspace_phi_3_with_adapters.yaml"));
  ASSERT_TRUE(ws.ok());
  (*ws)["metadata"].erase("annotations");
  auto r = world.Create(*ws);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("admission webhook \"validation.workspace.kaito.sh\" denied "
                                      "the request: validation failed:"),
            std::string::npos)
      << r.status().ToString();
  EXPECT_NE(r.status().message().find("vLLM does not support adapter strength"), std::string::npos)
      << r.status().ToString();
}

TEST(ExamplesTest, UpperCaseTuningOutputImageIsRefused) {
  World world(NoManagers());
  auto ws = ParseYaml(Read("examples/tuning/kaito_workspace_tuning_phi_3.yaml"));
  ASSERT_TRUE(ws.ok());
  (*ws)["tuning"]["output"]["image"] = "ACR_REPO_HERE.azurecr.io/IMAGE_NAME_HERE:0.0.1";
  auto r = world.Create(*ws);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("repository name must be lowercase"), std::string::npos)
      << r.status().ToString();
}

}  // namespace
}  // namespace kt::scenarios
