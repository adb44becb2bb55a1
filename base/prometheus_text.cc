#include "base/prometheus_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include "base/check.h"

namespace kt::prometheus {

namespace {

void AppendEscaped(std::string& out, std::string_view s, bool quote) {
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (quote && c == '"') out += "\\\"";
    else out += c;
  }
}

}  // namespace

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  AppendLabelValue(out, value);
  return out;
}

void AppendLabelValue(std::string& out, std::string_view value) { AppendEscaped(out, value, true); }

void AppendHeader(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help) {
  out.append("# HELP ").append(name).append(" ");
  AppendEscaped(out, help, false);
  out.append("\n# TYPE ").append(name).append(" ").append(type).append("\n");
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)), counts_(upper_bounds_.size(), 0) {
  KT_CHECK(std::is_sorted(upper_bounds_.begin(), upper_bounds_.end()));
}

void Histogram::Observe(double v) {
  auto it = std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), v);
  if (it != upper_bounds_.end()) ++counts_[it - upper_bounds_.begin()];
  ++count_;
  sum_ += v;
}

uint64_t Histogram::CumulativeCount(size_t i) const {
  uint64_t n = 0;
  for (size_t j = 0; j <= i && j < counts_.size(); ++j) n += counts_[j];
  return n;
}

void Histogram::AppendSamples(std::string& out, std::string_view name,
                              std::string_view labels) const {
  const std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) {
    const bool inf = i == upper_bounds_.size();
    if (!inf) cumulative += counts_[i];
    out.append(name).append("_bucket{").append(labels).append(sep).append("le=\"");
    out.append(inf ? "+Inf" : FormatValue(upper_bounds_[i])).append("\"} ");
    out.append(std::to_string(inf ? count_ : cumulative)).append("\n");
  }
  const std::string braced = labels.empty() ? "" : "{" + std::string(labels) + "}";
  out.append(name).append("_sum").append(braced).append(" ").append(FormatValue(sum_));
  out.append("\n");
  out.append(name).append("_count").append(braced).append(" ");
  out.append(std::to_string(count_)).append("\n");
}

}  // namespace kt::prometheus
