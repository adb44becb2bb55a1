// RealEnv: timers fire on the io_context at (scaled) wall time; Cancel works; faults inert.
#include "base/real_env.h"

#include <gtest/gtest.h>

#include <atomic>

namespace kt {
namespace {

TEST(RealEnvTest, TimersFireAndStopEndsRun) {
  RealEnv env;
  std::atomic<int> fired{0};
  env.Schedule(1ms, [&] { ++fired; });
  auto cancelled = env.Schedule(50ms, [&] { fired += 100; });
  EXPECT_TRUE(env.Cancel(cancelled));
  env.Schedule(5ms, [&] {
    ++fired;
    env.Stop();
  });
  env.Run();
  EXPECT_EQ(fired.load(), 2);
  EXPECT_FALSE(env.Buggify("any.site", 1.0));
}

TEST(RealEnvTest, SpeedScalesVirtualTime) {
  RealEnv env(RealEnv::Options{.seed = 5, .speed = 1000});
  Time before = env.Now();
  env.Schedule(2s, [&] { env.Stop(); });  // 2 virtual seconds = 2 ms of wall time
  env.Run();
  EXPECT_GE(env.Now() - before, 2s);
  EXPECT_EQ(env.seed(), 5u);
}

}  // namespace
}  // namespace kt
