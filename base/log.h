// Logging: KT_LOG(INFO) << "message"; one line per statement on stderr:
//   I 2026-01-01T00:00:05.000000Z apiserver.cc:120] created workspace default/ws1
// The time comes from the installed log clock (SimEnv time in simulations), so logs of a
// simulation are reproducible too. Thread-safe.
#ifndef KT_BASE_LOG_H_
#define KT_BASE_LOG_H_

#include <functional>
#include <sstream>

#include "base/time.h"

namespace kt {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kOff = 4 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Parses "debug|info|warning|error|off".
Result<LogLevel> ParseLogLevel(std::string_view name);
// The clock printed on each line; null prints no time.
void SetLogClock(std::function<Time()> clock);

namespace internal {
class LogMessage {
 public:
  LogMessage(LogLevel level, const char* file, int line);
  ~LogMessage();
  std::ostream& stream() { return stream_; }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};
}  // namespace internal

}  // namespace kt

#define KT_LOG_LEVEL_DEBUG ::kt::LogLevel::kDebug
#define KT_LOG_LEVEL_INFO ::kt::LogLevel::kInfo
#define KT_LOG_LEVEL_WARNING ::kt::LogLevel::kWarning
#define KT_LOG_LEVEL_ERROR ::kt::LogLevel::kError

#define KT_LOG(level)                                       \
  if (KT_LOG_LEVEL_##level < ::kt::GetLogLevel()) {         \
  } else                                                    \
    ::kt::internal::LogMessage(KT_LOG_LEVEL_##level, __FILE__, __LINE__).stream()

#endif  // KT_BASE_LOG_H_
