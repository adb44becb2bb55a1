// Status and Result carry Kubernetes/ARM error meaning as values.
#include "base/status.h"

#include <gtest/gtest.h>

namespace kt {
namespace {

TEST(StatusTest, OkHasNoMessageAndMapsTo200) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CodesMapToKubernetesReasonsAndHttpCodes) {
  EXPECT_EQ(ReasonOf(StatusCode::kNotFound), "NotFound");
  EXPECT_EQ(HttpCodeOf(StatusCode::kNotFound), 404);
  EXPECT_EQ(ReasonOf(StatusCode::kGone), "Expired");
  EXPECT_EQ(HttpCodeOf(StatusCode::kGone), 410);
  EXPECT_EQ(HttpCodeOf(StatusCode::kInvalid), 422);
  EXPECT_EQ(HttpCodeOf(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(CodeFromHttp(409), StatusCode::kConflict);
  EXPECT_EQ(CodeFromHttp(201), StatusCode::kOk);
}

TEST(StatusTest, ReasonOverrideAndRetryAfterDoNotAliasCopies) {
  Status a = Status(StatusCode::kTooManyRequests, "slow down");
  Status b = a;
  b.WithRetryAfter(7).WithReason("Throttled");
  EXPECT_EQ(a.retry_after_seconds(), 0);
  EXPECT_EQ(a.reason(), "TooManyRequests");
  EXPECT_EQ(b.retry_after_seconds(), 7);
  EXPECT_EQ(b.reason(), "Throttled");
}

TEST(StatusTest, AnnotatePrependsContext) {
  Status s = NotFound("node \"n1\" not found").Annotate("labelling node");
  EXPECT_EQ(s.message(), "labelling node: node \"n1\" not found");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
}

Result<int> Half(int x) {
  if (x % 2 != 0) return Invalid("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  KT_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(StatusTest, ResultPropagatesErrorsThroughAssignOrReturn) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalid);
}

}  // namespace
}  // namespace kt
