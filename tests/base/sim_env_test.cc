// SimEnv: virtual time, (time, sequence) ordering, bounded runs, seeded streams and faults.
#include "base/sim_env.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kt {
namespace {

TEST(SimEnvTest, ClockJumpsToNextTimerAndRunsInTimeThenSequenceOrder) {
  SimEnv env;
  std::vector<std::string> order;
  Time start = env.Now();
  env.Schedule(10s, [&] { order.push_back("b@10"); });
  env.Schedule(5s, [&] { order.push_back("a@5"); });
  env.Schedule(10s, [&] { order.push_back("c@10"); });
  env.Post([&] { order.push_back("now"); });
  EXPECT_TRUE(env.RunUntilIdle());
  EXPECT_EQ(order, (std::vector<std::string>{"now", "a@5", "b@10", "c@10"}));
  EXPECT_EQ(env.Now() - start, 10s);
}

TEST(SimEnvTest, CancelledTimerNeverRuns) {
  SimEnv env;
  bool ran = false;
  auto id = env.Schedule(1s, [&] { ran = true; });
  EXPECT_TRUE(env.Cancel(id));
  EXPECT_FALSE(env.Cancel(id));
  env.RunUntilIdle();
  EXPECT_FALSE(ran);
}

TEST(SimEnvTest, RunUntilStopsAtPredicateOrDeadline) {
  SimEnv env;
  int ticks = 0;
  std::function<void()> tick = [&] {
    ++ticks;
    env.Schedule(1s, tick);
  };
  env.Post(tick);
  Time start = env.Now();
  EXPECT_TRUE(env.RunUntil([&] { return ticks == 5; }, 1h));
  EXPECT_EQ(env.Now() - start, 4s);
  EXPECT_FALSE(env.RunUntil([] { return false; }, 10s));
  EXPECT_EQ(env.Now() - start, 14s);
}

TEST(SimEnvTest, NamedStreamsDependOnSeedAndNameOnly) {
  SimEnv a(SimEnv::Options{.seed = 9});
  SimEnv b(SimEnv::Options{.seed = 9});
  b.Random("other").Next();  // touching another stream first changes nothing
  EXPECT_EQ(a.Random("cloud").Next(), b.Random("cloud").Next());
  SimEnv c(SimEnv::Options{.seed = 10});
  SimEnv d(SimEnv::Options{.seed = 9});
  EXPECT_NE(c.Random("cloud").Next(), d.Random("cloud").Next());
}

TEST(SimEnvTest, BuggifySitesAreEnabledPerSeedAndInertWhenFaultsOff) {
  int enabled_seeds = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    SimEnv env(SimEnv::Options{.seed = seed, .faults_enabled = true});
    bool fired = false;
    for (int i = 0; i < 200; ++i) fired |= env.Buggify("test.site", 0.5);
    if (fired) ++enabled_seeds;
    EXPECT_EQ(fired, env.fault_sites().at("test.site").enabled);
  }
  // About a quarter of seeds enable a given site.
  EXPECT_GT(enabled_seeds, 20);
  EXPECT_LT(enabled_seeds, 90);

  SimEnv off(SimEnv::Options{.seed = 3, .faults_enabled = false});
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(off.Buggify("test.site", 1.0));
  EXPECT_TRUE(off.fault_sites().empty());  // asked while off: not even looked up
  // Switched on later, a site decides as it would have from the start.
  off.SetFaultsEnabled(true);
  SimEnv on(SimEnv::Options{.seed = 3, .faults_enabled = true});
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(off.Buggify("test.site", 0.5), on.Buggify("test.site", 0.5));
  }
  EXPECT_EQ(off.fault_sites().at("test.site").asked, 20u);
}

TEST(SimEnvTest, StartThreadIsABug) {
  SimEnv env;
  EXPECT_DEATH(env.StartThread("x", [] {}), "single-threaded");
}

}  // namespace
}  // namespace kt
