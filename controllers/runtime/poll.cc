#include "controllers/runtime/poll.h"

#include <algorithm>

namespace kt::ctrl {

bool PollUntil(Env& env, const std::function<bool()>& done, Duration timeout, Duration interval) {
  if (done()) return true;
  if (env.IsSimulated()) return false;
  const Time deadline = env.Now() + timeout;
  for (;;) {
    const Time now = env.Now();
    if (now >= deadline) return done();
    env.SleepFor(std::min(interval, deadline - now));
    if (done()) return true;
  }
}

}  // namespace kt::ctrl
