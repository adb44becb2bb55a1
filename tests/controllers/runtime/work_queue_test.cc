// The work queue between event handlers and reconcile workers: de-duplication, one worker per
// key, per-key exponential back-off with Forget, the overall token bucket, delayed adds, the
// bound on queued keys, and shutdown. Virtual time (SimEnv) makes every delay exact.
#include "controllers/runtime/work_queue.h"

#include <gtest/gtest.h>

#include "base/sim_env.h"
#include "controllers/runtime/metrics.h"
#include "controllers/runtime/rate_limiter.h"

namespace kt::ctrl {
namespace {

RateLimiterOptions ItemOnly() {
  RateLimiterOptions o;
  o.overall_qps = 0;  // isolate the per-item back-off
  return o;
}

// Runs the loop until `key` is ready and returns the virtual time that took.
Duration TimeUntilReady(SimEnv& env, WorkQueue& q) {
  const Time start = env.Now();
  EXPECT_TRUE(env.RunUntil([&] { return q.Len() > 0; }, std::chrono::hours(1)));
  return env.Now() - start;
}

TEST(WorkQueueTest, KeyAddedTwiceBeforeAWorkerTakesItIsProcessedOnce) {
  SimEnv env;
  WorkQueue q(env, {.name = "t"});
  ASSERT_TRUE(q.Add("ns/a").ok());
  ASSERT_TRUE(q.Add("ns/a").ok());
  ASSERT_TRUE(q.Add("ns/b").ok());
  EXPECT_EQ(q.Len(), 2u);
  EXPECT_EQ(q.TryGet(), "ns/a");
  EXPECT_EQ(q.TryGet(), "ns/b");
  EXPECT_EQ(q.TryGet(), std::nullopt);
}

TEST(WorkQueueTest, KeyIsNeverHandedToTwoWorkersAtOnce) {
  SimEnv env;
  WorkQueue q(env, {.name = "t"});
  ASSERT_TRUE(q.Add("a").ok());
  auto first = q.TryGet();
  ASSERT_EQ(first, "a");
  // Added again while a worker holds it: marked dirty, not handed to a second worker.
  ASSERT_TRUE(q.Add("a").ok());
  EXPECT_EQ(q.TryGet(), std::nullopt);
  EXPECT_EQ(q.processing(), 1u);
  // Once the first worker is done, the key comes back exactly once.
  q.Done("a");
  EXPECT_EQ(q.TryGet(), "a");
  EXPECT_EQ(q.TryGet(), std::nullopt);
  q.Done("a");
  EXPECT_EQ(q.TryGet(), std::nullopt);
}

TEST(WorkQueueTest, RateLimitedAddsBackOffExponentiallyFrom5msAndForgetResets) {
  SimEnv env;
  WorkQueue q(env, {.name = "t", .rate_limiter = ItemOnly()});
  const Duration expected[] = {5ms, 10ms, 20ms, 40ms, 80ms};
  for (Duration want : expected) {
    ASSERT_TRUE(q.AddRateLimited("a").ok());
    EXPECT_EQ(TimeUntilReady(env, q), want);
    ASSERT_EQ(q.TryGet(), "a");
    q.Done("a");
  }
  EXPECT_EQ(q.NumRequeues("a"), 5);
  q.Forget("a");
  EXPECT_EQ(q.NumRequeues("a"), 0);
  ASSERT_TRUE(q.AddRateLimited("a").ok());
  EXPECT_EQ(TimeUntilReady(env, q), 5ms);
}

TEST(WorkQueueTest, PerItemBackOffIsCappedAt1000Seconds) {
  ItemBackoff backoff(5ms, std::chrono::seconds(1000));
  Duration last{0};
  for (int i = 0; i < 100; ++i) last = backoff.When("a");
  EXPECT_EQ(last, std::chrono::seconds(1000));
  // Another key has its own streak.
  EXPECT_EQ(backoff.When("b"), 5ms);
}

TEST(WorkQueueTest, OverallBucketAllowsABurstOf100ThenTenPerSecond) {
  SimEnv env;
  TokenBucket bucket(env, 10, 100);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(bucket.Reserve(), Duration(0)) << i;
  EXPECT_EQ(bucket.Reserve(), 100ms);
  EXPECT_EQ(bucket.Reserve(), 200ms);
  env.RunFor(std::chrono::seconds(1));  // refills 10 tokens, 2 of them already promised
  for (int i = 0; i < 8; ++i) EXPECT_EQ(bucket.Reserve(), Duration(0)) << i;
  EXPECT_EQ(bucket.Reserve(), 100ms);
}

TEST(WorkQueueTest, DefaultLimiterTakesTheLongerOfItemBackOffAndBucket) {
  SimEnv env;
  RateLimiter limiter(env, RateLimiterOptions{});
  // Burn the burst on other keys: the next key's first retry waits for the bucket (100 ms),
  // not its own 5 ms.
  for (int i = 0; i < 100; ++i) (void)limiter.When("k" + std::to_string(i));
  EXPECT_EQ(limiter.When("fresh"), 100ms);
}

TEST(WorkQueueTest, AddAfterMakesKeyReadyAfterTheDelayAndTheEarliestPendingAddWins) {
  SimEnv env;
  WorkQueue q(env, {.name = "t"});
  ASSERT_TRUE(q.AddAfter("a", std::chrono::seconds(10)).ok());
  ASSERT_TRUE(q.AddAfter("a", std::chrono::seconds(3)).ok());   // earlier: replaces
  ASSERT_TRUE(q.AddAfter("a", std::chrono::seconds(20)).ok());  // later: ignored
  EXPECT_EQ(q.waiting(), 1u);
  EXPECT_EQ(TimeUntilReady(env, q), std::chrono::seconds(3));
  ASSERT_EQ(q.TryGet(), "a");
  q.Done("a");
  env.RunFor(std::chrono::minutes(1));
  EXPECT_EQ(q.Len(), 0u) << "the superseded delays must not add the key again";
}

TEST(WorkQueueTest, ShutDownStopsHandingOutWorkAndRefusesAdds) {
  SimEnv env;
  WorkQueue q(env, {.name = "t"});
  ASSERT_TRUE(q.Add("a").ok());
  ASSERT_TRUE(q.AddAfter("b", 1s).ok());
  q.ShutDown();
  EXPECT_EQ(q.TryGet(), std::nullopt);
  EXPECT_TRUE(q.Add("c").Is(StatusCode::kCancelled));
  std::string key;
  EXPECT_FALSE(q.Get(&key)) << "a blocking Get returns at once after shutdown";
  EXPECT_EQ(env.pending_events(), 0u) << "pending delays are cancelled";
}

TEST(WorkQueueTest, RefusesNewKeysBeyondItsBoundWithAnError) {
  SimEnv env;
  WorkQueue q(env, {.name = "small", .items_max = 2});
  ASSERT_TRUE(q.Add("a").ok());
  ASSERT_TRUE(q.AddAfter("b", 1s).ok());
  Status s = q.Add("c");
  EXPECT_TRUE(s.Is(StatusCode::kUnavailable));
  EXPECT_NE(s.message().find("work queue small is full"), std::string::npos) << s.message();
  EXPECT_TRUE(q.Add("a").ok()) << "a key already queued is still accepted";
}

TEST(WorkQueueTest, ReadyCallbackFiresWhenAKeyBecomesReady) {
  SimEnv env;
  WorkQueue q(env, {.name = "t"});
  int ready = 0;
  q.SetReadyCallback([&] { ++ready; });
  ASSERT_TRUE(q.Add("a").ok());
  ASSERT_TRUE(q.Add("a").ok());  // dedup: no new readiness
  EXPECT_EQ(ready, 1);
  ASSERT_TRUE(q.AddAfter("b", 1s).ok());
  EXPECT_EQ(ready, 1);
  env.RunFor(1s);
  EXPECT_EQ(ready, 2);
  auto k = q.TryGet();
  ASSERT_TRUE(q.Add(*k).ok());  // dirty while processing: ready again only on Done
  EXPECT_EQ(ready, 2);
  q.Done(*k);
  EXPECT_EQ(ready, 3);
}

TEST(WorkQueueTest, PublishesWorkqueueMetrics) {
  SimEnv env;
  MetricsRegistry metrics;
  WorkQueue q(env, {.name = "workspace"}, &metrics);
  ASSERT_TRUE(q.Add("a").ok());
  ASSERT_TRUE(q.Add("b").ok());
  ASSERT_TRUE(q.AddRateLimited("c").ok());
  env.RunFor(2s);  // "a" and "b" wait 2 s in the queue; "c" becomes ready
  auto a = q.TryGet();
  env.RunFor(3s);  // a worker holds "a" for 3 s
  const MetricLabels labels = {{"name", "workspace"}, {"controller", "workspace"}};
  EXPECT_EQ(metrics.GetCounter("workqueue_adds_total", "", labels).value(), 3);
  EXPECT_EQ(metrics.GetCounter("workqueue_retries_total", "", labels).value(), 1);
  EXPECT_EQ(metrics.GetGauge("workqueue_depth", "", labels).value(), 2);
  std::string text = metrics.Render();
  EXPECT_NE(text.find("workqueue_longest_running_processor_seconds{name=\"workspace\","
                      "controller=\"workspace\"} 3\n"),
            std::string::npos)
      << text;
  q.Done(*a);
  auto h = metrics.GetHistogram("workqueue_work_duration_seconds", "", WorkQueueDurationBuckets(),
                                labels)
               .snapshot();
  EXPECT_EQ(h.count(), 1u);
  EXPECT_DOUBLE_EQ(h.sum(), 3.0);
}

}  // namespace
}  // namespace kt::ctrl
