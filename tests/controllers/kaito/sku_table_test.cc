// The SKU table: the embedded data file holds Kaito v0.4.6's Azure GPU table (checked row by
// row against ../shared/reference/azure-gpu-skus.yaml when present), Find() sees only that
// table, and malformed files are refused clearly.
#include "controllers/kaito/sku_table.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "base/json.h"
#include "base/yaml.h"

namespace kt::kaito {
namespace {

const char* const kReferenceSkus = "../shared/reference/azure-gpu-skus.yaml";

TEST(SkuTableTest, EmbeddedTableHasV046Rows) {
  const SkuTable& t = DefaultSkuTable();
  EXPECT_EQ(t.skus().size(), 47u);
  EXPECT_EQ(t.SupportedSkuNames().size(), 27u);
  const GpuSku* v100 = t.Find("Standard_NC6s_v3");
  ASSERT_NE(v100, nullptr);
  EXPECT_EQ(v100->gpu_count, 1);
  EXPECT_EQ(v100->gpu_memory_total_gib, 16);
  EXPECT_EQ(v100->gpu_model, "NVIDIA V100");
  const GpuSku* nc12 = t.Find("Standard_NC12s_v3");
  ASSERT_NE(nc12, nullptr);
  EXPECT_EQ(nc12->gpu_count, 2);
  EXPECT_EQ(nc12->gpu_memory_per_gpu_gib(), 16);
  const GpuSku* h200 = t.Find("Standard_ND96isr_H200_v5");
  ASSERT_NE(h200, nullptr);
  EXPECT_EQ(h200->gpu_memory_total_gib, 1128);
  EXPECT_EQ(h200->gpu_memory_per_gpu_gib(), 141);
  EXPECT_EQ(t.default_instance_type(), "Standard_NC24ads_A100_v4");
  EXPECT_EQ(t.unsupported_partial_gpu_skus().size(), 5u);
}

TEST(SkuTableTest, RowsOfOtherVersionsAreNotKnownAtTheBaseline) {
  const SkuTable& t = DefaultSkuTable();
  // The A10 SKUs were in Kaito v0.1.0 and again from v0.10, but not in v0.4.6's table.
  EXPECT_EQ(t.Find("Standard_NV36ads_A10_v5"), nullptr);
  ASSERT_NE(t.FindAny("Standard_NV36ads_A10_v5"), nullptr);
  EXPECT_EQ(t.FindAny("Standard_NV36ads_A10_v5")->gpu_memory_total_gib, 24);
  EXPECT_EQ(t.Find("Standard_Bad"), nullptr);
}

TEST(SkuTableTest, SupportedNamesAreSorted) {
  auto names = DefaultSkuTable().SupportedSkuNames();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
}

TEST(SkuTableTest, GpuInstanceTypesContainStandardN) {
  EXPECT_TRUE(IsGpuInstanceType("Standard_NC6s_v3"));
  EXPECT_FALSE(IsGpuInstanceType("Standard_D4s_v3"));
}

TEST(SkuTableTest, EveryRowMatchesTheReference) {
  if (!std::filesystem::exists(kReferenceSkus)) GTEST_SKIP() << kReferenceSkus << " absent";
  std::ifstream in(kReferenceSkus);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto ref = ParseYaml(text);
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  size_t rows = 0;
  for (const Json& s : (*ref)["skus"]) {
    ++rows;
    const std::string name = s["sku"].get<std::string>();
    const GpuSku* mine = DefaultSkuTable().FindAny(name);
    ASSERT_NE(mine, nullptr) << name;
    EXPECT_EQ(mine->gpu_count, s["gpu_count"].get<int64_t>()) << name;
    EXPECT_EQ(mine->gpu_memory_total_gib, s["gpu_mem_total_gib"].get<int64_t>()) << name;
    EXPECT_EQ(mine->gpu_model, s["gpu_model"].is_string() ? s["gpu_model"].get<std::string>() : "")
        << name;
    bool in_v046 = false;
    for (const Json& v : s["in_kaito_versions"]) in_v046 = in_v046 || v == "v0.4.6";
    EXPECT_EQ(mine->in_v0_4_6, in_v046) << name;
  }
  EXPECT_EQ(rows, DefaultSkuTable().skus().size());
}

TEST(SkuTableTest, MalformedFilesNameTheProblem) {
  auto missing = SkuTable::Parse("default_instance_type: x\n", "skus.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("skus: required list is missing"), std::string::npos);
  auto zero =
      SkuTable::Parse("skus:\n- {name: S, gpu_count: 0, gpu_memory_total_gib: 16}\n", "skus.yaml");
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.status().message().find("skus.yaml: skus[0] (S): gpu_count: must be at least 1"),
            std::string::npos)
      << zero.status().message();
  auto dup = SkuTable::Parse(
      "skus:\n- {name: S, gpu_count: 1, gpu_memory_total_gib: 16}\n"
      "- {name: S, gpu_count: 1, gpu_memory_total_gib: 16}\n",
      "skus.yaml");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("duplicate SKU name"), std::string::npos);
  auto mem = SkuTable::Parse("skus:\n- {name: S, gpu_count: 1, gpu_memory_total_gib: '16GB'}\n",
                             "skus.yaml");
  ASSERT_FALSE(mem.ok());
  EXPECT_NE(mem.status().message().find("gpu_memory_total_gib: expected an integer"),
            std::string::npos);
  auto bad_yaml = SkuTable::Parse("skus: [\n", "skus.yaml");
  ASSERT_FALSE(bad_yaml.ok());
  EXPECT_EQ(bad_yaml.status().code(), StatusCode::kInvalid);
}

}  // namespace
}  // namespace kt::kaito
