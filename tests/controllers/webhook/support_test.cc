// The helpers behind Kaito's messages: Knative FieldError printing (merge, sort, ViaField),
// apimachinery's DNS-1123 messages, Kaito v0.4's image-reference rule, Go's ParseFloat /
// Quote / filepath.Clean, and the CRD defaults.
#include <gtest/gtest.h>

#include "controllers/webhook/defaulting.h"
#include "controllers/webhook/field_errors.h"
#include "controllers/webhook/go_compat.h"
#include "controllers/webhook/names.h"
#include "test_util.h"

namespace kt::webhook {
namespace {

TEST(FieldErrorsTest, PrintsLikeKnative) {
  FieldErrors errs;
  errs.Also(FieldErrors::Generic("field is immutable", {"instanceType"}));
  errs.Also(FieldErrors::Generic("field is immutable", {"count"}));
  errs.Also(FieldErrors::MissingField({"Input"}));
  errs.Also(FieldErrors::Generic("Preset and Template cannot be set at the same time"));
  EXPECT_EQ(errs.ViaField("resource").ToString(),
            "Preset and Template cannot be set at the same time: \n"
            "field is immutable: resource.count, resource.instanceType\n"
            "missing field(s): resource.Input");
}

TEST(FieldErrorsTest, ViaFieldDropsEmptyPartsAndGluesIndexes) {
  EXPECT_EQ(FieldErrors::Generic("m", {""}).ViaField("spec").ToString(), "m: spec");
  EXPECT_EQ(FieldErrors::Generic("m", {"[0]"}).ViaField("adapters").ToString(), "m: adapters[0]");
  EXPECT_EQ(FieldErrors::Generic("m", {"a.b"}).ViaField("x").ViaField("y").ToString(),
            "m: y.x.a.b");
  FieldErrors with_details;
  with_details.Also(FieldErrors::InvalidValue("v", "p"));
  EXPECT_EQ(with_details.ToString(), "invalid value: v: p");
  EXPECT_TRUE(FieldErrors().empty());
  EXPECT_EQ(FieldErrors().ToString(), "");
}

TEST(NamesTest, Dns1123Messages) {
  EXPECT_TRUE(IsDns1123Label("workspace-phi-3-mini").empty());
  EXPECT_EQ(IsDns1123Label("a.b"), std::vector<std::string>{"must not contain dots"});
  EXPECT_EQ(IsDns1123Label(std::string(64, 'a')),
            std::vector<std::string>{"must be no more than 63 characters"});
  ASSERT_EQ(IsDns1123Label("").size(), 1u);
  EXPECT_TRUE(IsDns1123Subdomain("phi-3-adapter").empty());
  EXPECT_TRUE(IsDns1123Subdomain("a.b-c.d").empty());
  auto errs = IsDns1123Subdomain("Adapter-1");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(
      errs[0],
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
      "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
      "regex used for validation is "
      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
}

TEST(NamesTest, ImageReferencesNeedRegistryRepositoryAndTag) {
  EXPECT_EQ(CheckImageReference("myregistry.azurecr.io/adapter:0.0.1"), ImageCheck::kOk);
  EXPECT_EQ(CheckImageReference("AZURE_ACR.azurecr.io/test:0.0.0"), ImageCheck::kOk);
  EXPECT_EQ(CheckImageReference("localhost:5000/org/repo:v1"), ImageCheck::kOk);
  EXPECT_EQ(CheckImageReference("repo:v1"), ImageCheck::kNotFullReference);
  EXPECT_EQ(CheckImageReference("reg.io/repo"), ImageCheck::kNotFullReference);
  EXPECT_EQ(CheckImageReference("reg.io/repo:"), ImageCheck::kNotFullReference);
  EXPECT_EQ(CheckImageReference("/repo:v1"), ImageCheck::kNotFullReference);
  EXPECT_EQ(CheckImageReference("<YOUR_IMAGE>"), ImageCheck::kNotFullReference);
  EXPECT_EQ(CheckImageReference("reg.io/a:b:c"), ImageCheck::kNotFullReference);
  EXPECT_EQ(CheckImageReference("ACR_REPO_HERE.azurecr.io/IMAGE_NAME_HERE:0.0.1"),
            ImageCheck::kRepositoryNotLowercase);
}

TEST(GoCompatTest, ParseFloatAcceptsWhatGoAccepts) {
  for (const char* ok : {"1", "1.0", "0.5", ".5", "5.", "+0.25", "-1", "1e-1", "1E+2", "0x1p-2",
                         "inf", "-Infinity", "NaN"}) {
    EXPECT_TRUE(ParseGoFloat(ok).ok()) << ok;
  }
  EXPECT_DOUBLE_EQ(*ParseGoFloat("0x1p-2"), 0.25);
  for (const char* bad :
       {"", " 1", "1 ", "one", "1,5", "0x1", "1e", "+nan", "1_0", ".", "nan(1)"}) {
    EXPECT_FALSE(ParseGoFloat(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseGoFloat("abc").status().message(),
            "strconv.ParseFloat: parsing \"abc\": invalid syntax");
  double v = 0;
  auto big = ParseGoFloat("1e999", &v);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().message(), "strconv.ParseFloat: parsing \"1e999\": value out of range");
  EXPECT_TRUE(std::isinf(v));
}

TEST(GoCompatTest, QuoteTypeNamesAndCleanPath) {
  EXPECT_EQ(GoQuote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\x01\"");
  EXPECT_EQ(GoYamlTypeName(Json("s")), "string");
  EXPECT_EQ(GoYamlTypeName(Json(3)), "int");
  EXPECT_EQ(GoYamlTypeName(Json(0.5)), "float64");
  EXPECT_EQ(GoYamlTypeName(Json::object()), "map[interface {}]interface {}");
  EXPECT_EQ(GoCleanPath("/mnt/../etc"), "/etc");
  EXPECT_EQ(GoCleanPath("/mnt//results/./x/"), "/mnt/results/x");
  EXPECT_EQ(GoCleanPath("/.."), "/");
  EXPECT_EQ(GoCleanPath("a/../.."), "..");
  EXPECT_EQ(GoCleanPath(""), ".");
}

TEST(DefaultingTest, AppliesCrdDefaultsOnlyWhereTheParentExists) {
  const kaito::SkuTable& skus = kaito::DefaultSkuTable();
  Json bare = testing::Yaml("apiVersion: kaito.sh/v1beta1\nkind: Workspace\nmetadata: {name: w}\n");
  EXPECT_TRUE(DefaultingPatch(bare, skus).empty());
  Json ws = testing::Yaml("resource: {count: null}\ntuning: {preset: {name: p}}\n");
  Json patch = DefaultingPatch(ws, skus);
  ASSERT_EQ(patch.size(), 3u);
  Json defaulted = WithCrdDefaults(ws, skus);
  EXPECT_EQ(GetInt(defaulted, "resource.count"), 1);
  EXPECT_EQ(GetString(defaulted, "resource.instanceType"), "Standard_NC24ads_A100_v4");
  EXPECT_EQ(GetString(defaulted, "tuning.preset.accessMode"), "public");
  Json explicit_values = testing::Yaml("resource: {count: 3, instanceType: \"\"}\n");
  EXPECT_TRUE(DefaultingPatch(explicit_values, skus).empty());
}

}  // namespace
}  // namespace kt::webhook
