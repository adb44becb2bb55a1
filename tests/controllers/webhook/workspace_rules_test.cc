// Workspace-level rules, reproducing Kaito's TestWorkspaceValidateCreate,
// TestWorkspaceValidateName and TestWorkspaceValidateUpdate: exactly one of inference/tuning,
// DNS-1123 names, and no toggling of inference/tuning on update.
#include <gtest/gtest.h>

#include "controllers/webhook/rules.h"
#include "test_util.h"

namespace kt::webhook {
namespace {

using testing::Contains;
using testing::Env;
using testing::TestCatalog;
using testing::Ws;

const char* const kHeader = "apiVersion: kaito.sh/v1beta1\nkind: Workspace\nmetadata: {name: w}\n";

TEST(WorkspaceCreateTest, NeitherInferenceNorTuning) {
  EXPECT_EQ(ValidateWorkspaceCreate(Ws(kHeader)).ViaField("spec").ToString(),
            "Either Inference or Tuning must be specified, not neither: spec");
}

TEST(WorkspaceCreateTest, BothInferenceAndTuning) {
  EXPECT_EQ(ValidateWorkspaceCreate(Ws(std::string(kHeader) + "inference: {}\ntuning: {}\n"))
                .ViaField("spec")
                .ToString(),
            "Either Inference or Tuning must be specified, but not both: spec");
}

TEST(WorkspaceCreateTest, OnlyInferenceOrOnlyTuning) {
  EXPECT_TRUE(ValidateWorkspaceCreate(Ws(std::string(kHeader) + "inference: {}\n")).empty());
  EXPECT_TRUE(ValidateWorkspaceCreate(Ws(std::string(kHeader) + "tuning: {input: {}}\n")).empty());
}

std::string NameErrors(const std::string& name) {
  Env env(TestCatalog());
  kaito::Workspace ws =
      Ws("apiVersion: kaito.sh/v1beta1\nkind: Workspace\n"
         "resource: {instanceType: Standard_NC12s_v3, count: 1, labelSelector: {matchLabels: {a: "
         "b}}}\n"
         "inference: {preset: {name: test-validation-static}, config: cfg}\n"
         "metadata: {name: \"" +
         name + "\", namespace: kaito, annotations: {kaito.sh/runtime: transformers}}\n");
  return ValidateWorkspace(Operation::kCreate, nullptr, ws, env.ctx, nullptr).ToString();
}

TEST(WorkspaceNameTest, ValidName) { EXPECT_EQ(NameErrors("valid-name"), ""); }

TEST(WorkspaceNameTest, NameWithDots) {
  EXPECT_EQ(NameErrors("phi-3.5-mini"), "invalid value: must not contain dots: name");
}

TEST(WorkspaceNameTest, NameStartingWithInvalidCharacter) {
  EXPECT_EQ(NameErrors("-mini"),
            "invalid value: a lowercase RFC 1123 label must consist of lower case alphanumeric "
            "characters or '-', and must start and end with an alphanumeric character (e.g. "
            "'my-name',  or '123-abc', regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?'): name");
}

TEST(WorkspaceNameTest, UppercaseAndOverlongNames) {
  EXPECT_TRUE(Contains(NameErrors("testWorkspace"), "a lowercase RFC 1123 label"));
  EXPECT_TRUE(Contains(NameErrors(std::string(64, 'a')),
                       "invalid value: must be no more than 63 characters: name"));
}

TEST(WorkspaceUpdateTest, InferenceCannotBeToggled) {
  EXPECT_EQ(ValidateWorkspaceUpdate(Ws(std::string(kHeader) + "inference: {}\n"), Ws(kHeader))
                .ViaField("spec")
                .ToString(),
            "Inference field cannot be toggled once set: spec.inference");
  EXPECT_EQ(ValidateWorkspaceUpdate(Ws(kHeader),
                                    Ws(std::string(kHeader) + "inference: {preset: {name: p}}\n"))
                .ViaField("spec")
                .ToString(),
            "Inference field cannot be toggled once set: spec.inference");
}

TEST(WorkspaceUpdateTest, TuningCannotBeToggled) {
  EXPECT_EQ(ValidateWorkspaceUpdate(Ws(std::string(kHeader) + "tuning: {input: {}}\n"), Ws(kHeader))
                .ViaField("spec")
                .ToString(),
            "Tuning field cannot be toggled once set: spec.tuning");
  EXPECT_EQ(ValidateWorkspaceUpdate(Ws(kHeader), Ws(std::string(kHeader) + "tuning: {input: {}}\n"))
                .ToString(),
            "Tuning field cannot be toggled once set: tuning");
}

TEST(WorkspaceUpdateTest, NoToggling) {
  auto tuning = Ws(std::string(kHeader) + "tuning: {input: {}}\n");
  EXPECT_TRUE(ValidateWorkspaceUpdate(tuning, tuning).empty());
}

TEST(WorkspaceUpdateTest, SwitchingInferenceToTuningReportsBoth) {
  Env env;
  auto inference = Ws(std::string(kHeader) + "inference: {preset: {name: phi-2}}\n");
  auto tuning = Ws(std::string(kHeader) +
                   "tuning: {preset: {name: phi-2}, method: lora, input: {urls: [u]}, "
                   "output: {image: r.io/o:1, imagePushSecret: s}}\n");
  EXPECT_EQ(ValidateWorkspace(Operation::kUpdate, &inference, tuning, env.ctx, nullptr).ToString(),
            "Inference field cannot be toggled once set: spec.inference\n"
            "Tuning field cannot be toggled once set: spec.tuning");
}

}  // namespace
}  // namespace kt::webhook
