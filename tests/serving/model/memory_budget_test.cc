// The memory budget refuses plans that do not fit, naming every term, and accepts those that
// do; the host's available memory is readable.
#include "serving/model/memory_budget.h"

#include <gtest/gtest.h>

#include "serving/model/model_weights.h"
#include "tests/serving/testing/test_models.h"

namespace kt::serving {
namespace {

TEST(MemoryBudgetTest, RefusesPlansThatDoNotFitWithNumbers) {
  MemoryPlan plan{.weight_bytes = 8ull << 30, .kv_cache_bytes = 1ull << 30, .workspace_bytes = 0};
  Status s = CheckMemoryPlan(plan, 4ull << 30, "phi-3-mini-4k-instruct");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("phi-3-mini-4k-instruct needs 9.00 GiB"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("weights 8.00 GiB"), std::string::npos);
  EXPECT_TRUE(CheckMemoryPlan(plan, 16ull << 30, "x").ok());
}

TEST(MemoryBudgetTest, Phi3MediumFloat32DoesNotFitA24GiBMachine) {
  ModelConfig c = testing::PresetConfig("phi-3-medium-4k-instruct");
  MemoryPlan plan{.weight_bytes = WeightBytes(c, DType::kF32)};
  EXPECT_FALSE(CheckMemoryPlan(plan, 24ull << 30, "phi-3-medium").ok());
}

TEST(MemoryBudgetTest, HostMemoryIsReadable) {
  auto m = HostMemoryAvailableBytes();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_GT(m.value(), 0u);
}

}  // namespace
}  // namespace kt::serving
