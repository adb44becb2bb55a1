// base/termination_signals.h: SIGINT and SIGTERM are blocked (so a raised one stays pending
// instead of ending the process) and WaitForSignal returns the one that came.
#include "base/termination_signals.h"

#include <gtest/gtest.h>
#include <pthread.h>

namespace kt {
namespace {

TEST(TerminationSignalsTest, BlockedSignalsArriveThroughWaitForSignal) {
  sigset_t before;
  pthread_sigmask(SIG_BLOCK, nullptr, &before);
  const sigset_t signals = BlockTerminationSignals();
  EXPECT_EQ(sigismember(&signals, SIGINT), 1);
  EXPECT_EQ(sigismember(&signals, SIGTERM), 1);
  sigset_t now;
  pthread_sigmask(SIG_BLOCK, nullptr, &now);
  EXPECT_EQ(sigismember(&now, SIGTERM), 1);
  // Sent to this thread and blocked: pending, not fatal.
  pthread_kill(pthread_self(), SIGTERM);
  EXPECT_EQ(WaitForSignal(signals), SIGTERM);
  pthread_kill(pthread_self(), SIGINT);
  EXPECT_EQ(WaitForSignal(signals), SIGINT);
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

}  // namespace
}  // namespace kt
