#include "base/time.h"

#include <cctype>
#include <cstdio>
#include <limits>
#include <optional>

namespace kt {

namespace {

// Civil date from days since 1970-01-01 (proleptic Gregorian; Howard Hinnant's algorithm).
void CivilFromDays(int64_t z, int& year, int& mon, int& day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  mon = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  year = static_cast<int>(yoe + era * 400 + (mon <= 2 ? 1 : 0));
}

// Days since 1970-01-01 of a civil date (the inverse of CivilFromDays).
int64_t DaysFromCivil(int64_t year, int mon, int day) {
  year -= mon <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t yoe = year - era * 400;
  const int64_t doy = (153 * (mon > 2 ? mon - 3 : mon + 9) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysInMonth(int year, int mon) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return mon == 2 && leap ? 29 : kDays[mon - 1];
}

// Writes `v` as exactly `width` decimal digits ending just before `end`.
void PutDigits(char* end, int64_t v, int width) {
  for (int i = 0; i < width; ++i) {
    *--end = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

// Formatted by hand: timestamps are written on every object write and trace line.
std::string FormatWithFraction(Time t, int fraction_digits) {
  const int64_t ns = ToUnixNanos(t);
  int64_t secs = ns / 1'000'000'000;
  int64_t frac = ns % 1'000'000'000;
  if (frac < 0) {
    frac += 1'000'000'000;
    secs -= 1;
  }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    days -= 1;
  }
  int year, mon, day;
  CivilFromDays(days, year, mon, day);
  char buf[32] = "0000-00-00T00:00:00";
  PutDigits(buf + 4, year, 4);
  PutDigits(buf + 7, mon, 2);
  PutDigits(buf + 10, day, 2);
  PutDigits(buf + 13, sod / 3600, 2);
  PutDigits(buf + 16, sod / 60 % 60, 2);
  PutDigits(buf + 19, sod % 60, 2);
  size_t n = 19;
  if (fraction_digits > 0) {
    int64_t scaled = frac;
    for (int i = fraction_digits; i < 9; ++i) scaled /= 10;
    buf[n++] = '.';
    PutDigits(buf + n + fraction_digits, scaled, fraction_digits);
    n += static_cast<size_t>(fraction_digits);
  }
  buf[n++] = 'Z';
  return std::string(buf, n);
}

bool ReadDigits(std::string_view s, size_t& pos, size_t count, int& out) {
  if (pos + count > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < count; ++i) {
    char c = s[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  pos += count;
  out = v;
  return true;
}

bool Expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;  // Go's layout is case-sensitive
  ++pos;
  return true;
}

}  // namespace

std::string FormatRfc3339(Time t) {
  // Kept for the last second formatted, per thread: every create stamps creationTimestamp and
  // managedFields times, and under a virtual clock most writes share their second.
  thread_local std::optional<Time> second;
  thread_local std::string text;
  const Time s = std::chrono::floor<std::chrono::seconds>(t);
  if (second != s) {
    text = FormatWithFraction(s, 0);
    second = s;
  }
  return text;
}
std::string FormatRfc3339Micro(Time t) { return FormatWithFraction(t, 6); }

Result<Time> ParseRfc3339(std::string_view s) {
  size_t pos = 0;
  int year, mon, day, hour, min, sec;
  auto bad = [&] { return BadRequest("invalid RFC3339 time \"" + std::string(s) + "\""); };
  if (!ReadDigits(s, pos, 4, year) || !Expect(s, pos, '-') || !ReadDigits(s, pos, 2, mon) ||
      !Expect(s, pos, '-') || !ReadDigits(s, pos, 2, day) || !Expect(s, pos, 'T') ||
      !ReadDigits(s, pos, 2, hour) || !Expect(s, pos, ':') || !ReadDigits(s, pos, 2, min) ||
      !Expect(s, pos, ':') || !ReadDigits(s, pos, 2, sec)) {
    return bad();
  }
  // Go's time.Parse, which metav1.Time uses, refuses a day past the month's end, hour 24,
  // minute 60 and second 60 (no leap seconds).
  if (mon < 1 || mon > 12 || day < 1 || day > DaysInMonth(year, mon) || hour > 23 || min > 59 ||
      sec > 59) {
    return bad();
  }
  int64_t frac_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      if (digits < 9) {
        frac_ns = frac_ns * 10 + (s[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return bad();
    for (int i = digits; i < 9; ++i) frac_ns *= 10;
  }
  int offset_sec = 0;
  if (pos < s.size() && s[pos] == 'Z') {  // Go's layout matches "Z" only, not "z"
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om;
    if (!ReadDigits(s, pos, 2, oh) || !Expect(s, pos, ':') || !ReadDigits(s, pos, 2, om) ||
        oh > 24 || om > 60) {  // Go's bounds on an offset
      return bad();
    }
    offset_sec = sign * (oh * 3600 + om * 60);
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  const int64_t secs =
      DaysFromCivil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec - offset_sec;
  // Time counts nanoseconds in 64 bits: 1677-09-21 to 2262-04-11. Outside that it is refused
  // (computing it would overflow).
  constexpr int64_t kSecondsMax = std::numeric_limits<int64_t>::max() / 1'000'000'000 - 1;
  if (secs < -kSecondsMax || secs > kSecondsMax) {
    return BadRequest("RFC3339 time \"" + std::string(s) +
                      "\" is outside the range this clock holds (years 1678 to 2261)");
  }
  return FromUnixNanos(secs * 1'000'000'000 + frac_ns);
}

std::string HumanDuration(Duration d) {
  using std::to_string;
  int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return to_string(seconds) + "s";
  int64_t minutes = seconds / 60;
  if (minutes < 10) {
    int64_t s = seconds % 60;
    if (s == 0) return to_string(minutes) + "m";
    return to_string(minutes) + "m" + to_string(s) + "s";
  }
  if (minutes < 60 * 3) return to_string(minutes) + "m";
  int64_t hours = minutes / 60;
  if (hours < 8) {
    int64_t m = minutes % 60;
    if (m == 0) return to_string(hours) + "h";
    return to_string(hours) + "h" + to_string(m) + "m";
  }
  if (hours < 48) return to_string(hours) + "h";
  if (hours < 24 * 8) {
    int64_t h = hours % 24;
    if (h == 0) return to_string(hours / 24) + "d";
    return to_string(hours / 24) + "d" + to_string(h) + "h";
  }
  if (hours < 24 * 365 * 2) return to_string(hours / 24) + "d";
  if (hours < 24 * 365 * 8) {
    int64_t dy = (hours / 24) % 365;
    if (dy == 0) return to_string(hours / 24 / 365) + "y";
    return to_string(hours / 24 / 365) + "y" + to_string(dy) + "d";
  }
  return to_string(hours / 24 / 365) + "y";
}

Result<Duration> ParseDuration(std::string_view s) {
  auto bad = [&] { return BadRequest("invalid duration \"" + std::string(s) + "\""); };
  if (s.empty()) return bad();
  if (s == "0") return Duration(0);
  size_t pos = 0;
  bool negative = false;
  if (s[0] == '-' || s[0] == '+') {
    negative = s[0] == '-';
    ++pos;
  }
  double total_ns = 0;
  bool any = false;
  while (pos < s.size()) {
    size_t start = pos;
    while (pos < s.size() && (std::isdigit(static_cast<unsigned char>(s[pos])) || s[pos] == '.')) {
      ++pos;
    }
    if (start == pos) return bad();
    double value = 0;
    try {
      value = std::stod(std::string(s.substr(start, pos - start)));
    } catch (...) {
      return bad();
    }
    size_t ustart = pos;
    while (pos < s.size() && std::isalpha(static_cast<unsigned char>(s[pos]))) ++pos;
    std::string_view unit = s.substr(ustart, pos - ustart);
    double scale;
    if (unit == "ns") scale = 1;
    else if (unit == "us") scale = 1e3;
    else if (unit == "ms") scale = 1e6;
    else if (unit == "s") scale = 1e9;
    else if (unit == "m") scale = 60e9;
    else if (unit == "h") scale = 3600e9;
    else return bad();
    total_ns += value * scale;
    any = true;
  }
  if (!any) return bad();
  // Go refuses a duration past int64 nanoseconds (about 292 years) as invalid.
  if (!(total_ns < 9.2e18)) return bad();
  auto ns = Duration(static_cast<int64_t>(total_ns));
  return negative ? -ns : ns;
}

}  // namespace kt
