// SerialExecutor: tasks run one at a time in the order posted; delayed tasks at their virtual
// time; Stop() discards queued and delayed work and leaves nothing on the Env's loop; under
// RealEnv tasks run on the executor's own thread and RunSync waits for them.
#include "controllers/runtime/serial_executor.h"

#include <gtest/gtest.h>

#include <atomic>

#include "base/real_env.h"
#include "base/sim_env.h"

namespace kt::ctrl {
namespace {

TEST(SerialExecutorTest, RunsTasksInPostOrderAndDelayedTasksAtTheirTime) {
  SimEnv env;
  SerialExecutor ex(env, "t");
  std::vector<std::string> log;
  ex.PostAfter(2s, [&] { log.push_back("late@" + std::to_string((env.Now() - SimEnv::Options{}.start) / 1s)); });
  ex.Post([&] { log.push_back("a"); });
  ex.Post([&] {
    log.push_back("b");
    EXPECT_TRUE(ex.InExecutor());
    ex.Post([&] { log.push_back("c"); });
  });
  EXPECT_FALSE(ex.InExecutor());
  env.RunFor(5s);
  EXPECT_EQ(log, (std::vector<std::string>{"a", "b", "c", "late@2"}));
}

TEST(SerialExecutorTest, StopDiscardsQueuedAndDelayedWork) {
  SimEnv env;
  int runs = 0;
  {
    SerialExecutor ex(env, "t");
    ex.Post([&] { ++runs; });
    ex.PostAfter(1s, [&] { ++runs; });
    ex.Stop();
    ex.Post([&] { ++runs; });
    EXPECT_FALSE(ex.RunSync([&] { ++runs; }));
  }
  env.RunFor(10s);
  EXPECT_EQ(runs, 0);
}

TEST(SerialExecutorTest, RealEnvRunsTasksOnItsOwnThreadAndRunSyncWaits) {
  RealEnv env;
  env.RunInBackground(1);
  std::atomic<int> sum{0};
  {
    SerialExecutor ex(env, "t");
    for (int i = 1; i <= 100; ++i) ex.Post([&sum, i] { sum += i; });
    bool on_executor = false;
    ASSERT_TRUE(ex.RunSync([&] { on_executor = ex.InExecutor(); }));
    EXPECT_TRUE(on_executor);
    EXPECT_EQ(sum.load(), 5050) << "RunSync runs after everything posted before it";
    ex.Stop();
    EXPECT_FALSE(ex.RunSync([] {}));
  }
  env.Stop();
  env.Join();
}

}  // namespace
}  // namespace kt::ctrl
