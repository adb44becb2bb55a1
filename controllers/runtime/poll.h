// PollUntil: waits for a condition with a deadline measured on the Env's clock (graceful
// shutdown: "finish in-flight reconciles within 30 s"). Under RealEnv the calling thread
// sleeps through Env::SleepFor between checks; under SimEnv nothing runs concurrently, so the
// condition is checked once. Returns whether the condition held.
#ifndef KT_CONTROLLERS_RUNTIME_POLL_H_
#define KT_CONTROLLERS_RUNTIME_POLL_H_

#include <functional>

#include "base/env.h"

namespace kt::ctrl {

bool PollUntil(Env& env, const std::function<bool()>& done, Duration timeout,
               Duration interval = std::chrono::milliseconds(10));

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_POLL_H_
