// EngineLoop under SimEnv: steps run as scheduled events, so a test drives them with the
// simulation clock. Every accepted request's callback sees its outputs in order and exactly
// one final output; invalid requests are refused at Submit; the inbox plus waiting queue is
// bounded (TooManyRequests); aborts end requests; after Drain() new work is refused.
#include "serving/engine/engine_loop.h"

#include <gtest/gtest.h>

#include <vector>

#include "base/sim_env.h"
#include "tests/serving/testing/test_models.h"

namespace kt::serving {
namespace {

class EngineLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteRandomModel(testing::PresetConfig("tiny-mistral"), 8, dir_.path());
    auto e = Engine::Create(env_, testing::LoadBackend(dir_.path(), {}), nullptr,
                            {.max_waiting = 3});
    ASSERT_TRUE(e.ok());
    loop_ = std::make_unique<EngineLoop>(env_, std::move(e).value());
    loop_->Start();
  }

  Status Submit(const std::string& id, int max_tokens) {
    return loop_->Submit({id, {1, 40, 50, 60}, {.temperature = 0, .max_tokens = max_tokens,
                                                .ignore_eos = true}, ""},
                         [this, id](const RequestOutput& o) {
                           EXPECT_FALSE(finished_[id]) << id << " got output after finishing";
                           tokens_[id] += static_cast<int>(o.token_ids.size());
                           if (o.finished) {
                             finished_[id] = true;
                             reasons_[id] = o.finish_reason;
                           }
                         });
  }

  SimEnv env_;
  testing::TempDir dir_;
  std::unique_ptr<EngineLoop> loop_;
  std::map<std::string, int> tokens_;
  std::map<std::string, bool> finished_;
  std::map<std::string, FinishReason> reasons_;
};

TEST_F(EngineLoopTest, RequestsRunAsSimulatedEventsToCompletion) {
  ASSERT_TRUE(Submit("a", 5).ok());
  ASSERT_TRUE(Submit("b", 9).ok());
  EXPECT_TRUE(env_.RunUntilIdle());
  EXPECT_TRUE(finished_["a"] && finished_["b"]);
  EXPECT_EQ(tokens_["a"], 5);
  EXPECT_EQ(tokens_["b"], 9);
  EXPECT_EQ(reasons_["b"], FinishReason::kLength);
  EXPECT_EQ(loop_->in_flight(), 0u);
  EXPECT_EQ(loop_->Stats().generation_tokens_total, 14u);
}

// Regression: the counters were published after the callbacks ran, so a client that had its
// response could read /metrics without its own tokens in it.
TEST_F(EngineLoopTest, StatsCountAnOutputBeforeItsCallbackRuns) {
  int delivered = 0;
  std::vector<uint64_t> seen;
  ASSERT_TRUE(loop_->Submit({"a", {1, 40, 50, 60}, {.temperature = 0, .max_tokens = 4,
                                                    .ignore_eos = true}, ""},
                            [&](const RequestOutput& o) {
                              delivered += static_cast<int>(o.token_ids.size());
                              seen.push_back(loop_->Stats().generation_tokens_total);
                              EXPECT_GE(loop_->Stats().generation_tokens_total,
                                        static_cast<uint64_t>(delivered));
                            })
                  .ok());
  EXPECT_TRUE(env_.RunUntilIdle());
  EXPECT_EQ(delivered, 4);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), 4u);
}

TEST_F(EngineLoopTest, InvalidRequestsAndAFullQueueAreRefusedAtSubmit) {
  Status bad = loop_->Submit({"x", {}, {}, ""}, [](const RequestOutput&) {});
  EXPECT_EQ(bad.code(), StatusCode::kInvalid);
  for (const char* id : {"q1", "q2", "q3"}) ASSERT_TRUE(Submit(id, 3).ok());
  Status full = Submit("q4", 3);
  EXPECT_EQ(full.code(), StatusCode::kTooManyRequests);
  EXPECT_TRUE(env_.RunUntilIdle());
  EXPECT_TRUE(finished_["q1"] && finished_["q2"] && finished_["q3"]);
  EXPECT_FALSE(finished_.count("q4") && finished_["q4"]);
}

TEST_F(EngineLoopTest, AbortAndDrain) {
  ASSERT_TRUE(Submit("long", 200).ok());
  loop_->Abort("long");
  EXPECT_TRUE(env_.RunUntilIdle());
  EXPECT_EQ(reasons_["long"], FinishReason::kAbort);
  EXPECT_LT(tokens_["long"], 200);
  loop_->Drain();
  EXPECT_EQ(Submit("late", 1).code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace kt::serving
