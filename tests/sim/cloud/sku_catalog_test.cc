// The SKU catalog data file: it loads, agrees with the shared Kaito SKU reference on every GPU
// size, carries a price and a quota family for each size, and a malformed file is a clear
// BadRequest naming the SKU and field instead of a crash.
#include "sim/cloud/sku_catalog.h"

#include <fstream>

#include <gtest/gtest.h>

#include "base/json.h"
#include "base/yaml.h"

namespace kt::sim::cloud {
namespace {

TEST(SkuCatalogTest, EmbeddedCatalogLoadsWithGpuAndCpuSizes) {
  auto catalog = SkuCatalog::LoadEmbedded();
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  const SkuInfo* a100 = catalog->Find("Standard_NC24ads_A100_v4");
  ASSERT_NE(a100, nullptr);
  EXPECT_EQ(a100->gpu_count, 1);
  EXPECT_EQ(a100->gpu_memory_gib, 80);
  EXPECT_EQ(a100->vcpus, 24);
  EXPECT_EQ(a100->memory_gib, 220);
  EXPECT_EQ(a100->family, "standardNCADSA100v4Family");
  EXPECT_EQ(a100->gpu_vendor, "nvidia");
  EXPECT_GT(a100->price_per_hour_usd, 0);
  EXPECT_DOUBLE_EQ(a100->provision_delay.median_s, 360);  // GPU class default: ~6 min
  const SkuInfo* d4 = catalog->Find("Standard_D4s_v3");
  ASSERT_NE(d4, nullptr);
  EXPECT_FALSE(d4->is_gpu());
  EXPECT_DOUBLE_EQ(d4->provision_delay.median_s, 150);
  const SkuInfo* h100x8 = catalog->Find("Standard_ND96isr_H100_v5");
  ASSERT_NE(h100x8, nullptr);
  EXPECT_DOUBLE_EQ(h100x8->provision_delay.median_s, 600);  // per-SKU override
}

TEST(SkuCatalogTest, LookupIgnoresCase) {
  auto catalog = SkuCatalog::LoadEmbedded();
  ASSERT_TRUE(catalog.ok());
  const SkuInfo* s = catalog->Find("standard_nc24ADS_a100_V4");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->name, "Standard_NC24ads_A100_v4");
  EXPECT_EQ(catalog->Find("Standard_Nope"), nullptr);
}

TEST(SkuCatalogTest, EveryGpuSizeOfTheKaitoReferenceIsInTheCatalogWithTheSameFacts) {
  // ctest runs from the source root; a direct run may start anywhere, so also try next to
  // this file's checkout.
  std::string here = __FILE__;
  std::string root = here.substr(0, here.rfind("tests/sim/cloud/"));
  std::ifstream in("../shared/reference/azure-gpu-skus.yaml");
  if (!in) in.open(root + "../shared/reference/azure-gpu-skus.yaml");
  if (!in) GTEST_SKIP() << "../shared/reference/azure-gpu-skus.yaml not found";
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto ref = ParseYaml(text);
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  auto catalog = SkuCatalog::LoadEmbedded();
  ASSERT_TRUE(catalog.ok());
  int checked = 0;
  for (const Json& s : (*ref)["skus"]) {
    const std::string name = s["sku"].get<std::string>();
    const SkuInfo* info = catalog->Find(name);
    ASSERT_NE(info, nullptr) << name;
    EXPECT_EQ(info->gpu_count, s["gpu_count"].get<int>()) << name;
    EXPECT_EQ(info->gpu_memory_gib, s["gpu_mem_total_gib"].get<int>()) << name;
    EXPECT_EQ(info->vcpus, s["vcpus_from_azure_name"].get<int>()) << name;
    ++checked;
  }
  EXPECT_EQ(checked, 47);
}

TEST(SkuCatalogTest, EverySizeHasAFamilyAPriceAndASaneDelay) {
  auto catalog = SkuCatalog::LoadEmbedded();
  ASSERT_TRUE(catalog.ok());
  for (const SkuInfo& s : catalog->skus()) {
    EXPECT_FALSE(s.family.empty()) << s.name;
    EXPECT_GT(s.price_per_hour_usd, 0) << s.name;
    EXPECT_LE(s.provision_delay.min_s, s.provision_delay.median_s) << s.name;
    EXPECT_LE(s.provision_delay.median_s, s.provision_delay.max_s) << s.name;
  }
}

constexpr std::string_view kDefaults = R"(
provision_delay_defaults:
  gpu: {median_s: 360, sigma: 0.25, min_s: 150, max_s: 1800}
  cpu: {median_s: 150, sigma: 0.2, min_s: 60, max_s: 900}
)";

Status ParseError(std::string_view skus_yaml) {
  auto c = SkuCatalog::Parse(std::string(kDefaults) + std::string(skus_yaml));
  return c.ok() ? Status::Ok() : c.status();
}

TEST(SkuCatalogTest, MissingRequiredFieldNamesSkuAndField) {
  Status s = ParseError(
      "skus:\n- {name: Standard_X, family: f, memory_gib: 8, max_data_disks: 4, "
      "price_per_hour_usd: 1}\n");
  EXPECT_TRUE(s.Is(StatusCode::kBadRequest));
  EXPECT_NE(s.message().find("sku Standard_X: field vcpus: is required"), std::string::npos)
      << s.message();
}

TEST(SkuCatalogTest, OutOfRangeAndWronglyTypedFieldsAreRejected) {
  Status negative = ParseError(
      "skus:\n- {name: S, family: f, vcpus: -2, memory_gib: 8, "
      "max_data_disks: 4, price_per_hour_usd: 1}\n");
  EXPECT_NE(negative.message().find("field vcpus: must be in"), std::string::npos)
      << negative.message();
  Status text = ParseError(
      "skus:\n- {name: S, family: f, vcpus: four, memory_gib: 8, "
      "max_data_disks: 4, price_per_hour_usd: 1}\n");
  EXPECT_NE(text.message().find("field vcpus: must be an integer"), std::string::npos)
      << text.message();
}

TEST(SkuCatalogTest, GpuSizeWithoutGpuMemoryIsRejected) {
  Status s = ParseError(
      "skus:\n- {name: S, family: f, vcpus: 4, memory_gib: 8, max_data_disks: 4, "
      "gpu_count: 1, gpu_vendor: nvidia, price_per_hour_usd: 1}\n");
  EXPECT_NE(s.message().find("gpu_memory_gib"), std::string::npos) << s.message();
}

TEST(SkuCatalogTest, DuplicateSizesAreRejectedIgnoringCase) {
  Status s = ParseError(
      "skus:\n"
      "- {name: Standard_A, family: f, vcpus: 4, memory_gib: 8, max_data_disks: 4, "
      "price_per_hour_usd: 1}\n"
      "- {name: standard_a, family: f, vcpus: 4, memory_gib: 8, max_data_disks: 4, "
      "price_per_hour_usd: 1}\n");
  EXPECT_NE(s.message().find("duplicate sku"), std::string::npos) << s.message();
}

TEST(SkuCatalogTest, BadDelayDistributionIsRejected) {
  Status s = ParseError(
      "skus:\n- {name: S, family: f, vcpus: 4, memory_gib: 8, max_data_disks: 4, "
      "price_per_hour_usd: 1, provision_delay: {median_s: 10, min_s: 20, "
      "max_s: 30}}\n");
  EXPECT_NE(s.message().find("min_s <= median_s <= max_s"), std::string::npos) << s.message();
}

TEST(SkuCatalogTest, MalformedYamlAndMissingListAreBadRequests) {
  auto broken = SkuCatalog::Parse("skus: [unclosed");
  ASSERT_FALSE(broken.ok());
  EXPECT_TRUE(broken.status().Is(StatusCode::kBadRequest));
  EXPECT_NE(broken.status().message().find("sku catalog"), std::string::npos);
  Status empty = ParseError("skus: []\n");
  EXPECT_NE(empty.message().find("non-empty list"), std::string::npos) << empty.message();
  auto no_defaults = SkuCatalog::Parse("skus: []\n");
  EXPECT_FALSE(no_defaults.ok());
}

TEST(SkuCatalogTest, LoadFileReportsAMissingFile) {
  auto c = SkuCatalog::LoadFile("/nonexistent/sku_catalog.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(c.status().Is(StatusCode::kNotFound));
}

}  // namespace
}  // namespace kt::sim::cloud
