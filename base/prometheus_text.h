// Primitives of the Prometheus text exposition format (0.0.4) shared by the twin's /metrics
// endpoints: the API server's, the controller manager's and the serving engine's, and the one
// histogram they all keep.
#ifndef KT_BASE_PROMETHEUS_TEXT_H_
#define KT_BASE_PROMETHEUS_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kt::prometheus {

// A sample value: the shortest text that reads back as the same double (Go's
// strconv.FormatFloat(v, 'g', -1, 64), which Prometheus' clients use), "NaN", "+Inf", "-Inf".
std::string FormatValue(double v);

// A label value with backslash, double quote and newline escaped.
std::string EscapeLabelValue(std::string_view value);
void AppendLabelValue(std::string& out, std::string_view value);

// "# HELP <name> <help>\n# TYPE <name> <type>\n", the help text with backslash and newline
// escaped.
void AppendHeader(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help);

// A histogram's counts. An observation counts in every bucket whose upper bound is >= it
// (Prometheus' "le"), and in +Inf. Not synchronized: the owner guards it.
class Histogram {
 public:
  // REQUIRES: `upper_bounds` sorted ascending (without +Inf).
  explicit Histogram(std::vector<double> upper_bounds);

  void Observe(double v);

  const std::vector<double>& upper_bounds() const { return upper_bounds_; }
  // Observations <= upper_bounds()[i].
  uint64_t CumulativeCount(size_t i) const;
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }

  // Appends <name>_bucket{<labels>,le="<bound>"} for each bound and +Inf, <name>_sum{<labels>}
  // and <name>_count{<labels>}. `labels` is the rendered label list without braces
  // (a="x",b="y"; empty: none).
  void AppendSamples(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  std::vector<double> upper_bounds_;
  std::vector<uint64_t> counts_;  // per bound, not cumulative (above the last: only count_)
  uint64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace kt::prometheus

#endif  // KT_BASE_PROMETHEUS_TEXT_H_
