#include "base/log.h"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace kt {

namespace {
std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::mutex g_mu;
std::function<Time()> g_clock;  // guarded by g_mu
}  // namespace

void SetLogLevel(LogLevel level) { g_level.store(level); }
LogLevel GetLogLevel() { return g_level.load(); }

Result<LogLevel> ParseLogLevel(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warning" || name == "warn") return LogLevel::kWarning;
  if (name == "error") return LogLevel::kError;
  if (name == "off") return LogLevel::kOff;
  return BadRequest("unknown log level \"" + std::string(name) + "\"");
}

void SetLogClock(std::function<Time()> clock) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_clock = std::move(clock);
}

namespace internal {

LogMessage::LogMessage(LogLevel level, const char* file, int line) : level_(level) {
  static const char kLetters[] = "DIWE";
  stream_ << kLetters[static_cast<int>(level)] << ' ';
  {
    std::lock_guard<std::mutex> lock(g_mu);
    if (g_clock) stream_ << FormatRfc3339Micro(g_clock()) << ' ';
  }
  const char* base = std::strrchr(file, '/');
  stream_ << (base ? base + 1 : file) << ':' << line << "] ";
}

LogMessage::~LogMessage() {
  stream_ << '\n';
  std::string s = stream_.str();
  std::lock_guard<std::mutex> lock(g_mu);
  std::fwrite(s.data(), 1, s.size(), stderr);
  if (level_ >= LogLevel::kWarning) std::fflush(stderr);
}

}  // namespace internal
}  // namespace kt
