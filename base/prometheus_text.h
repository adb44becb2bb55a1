// Primitives of the Prometheus text exposition format (0.0.4) shared by the twin's /metrics
// endpoints: the API server's, the controller manager's and the serving engine's.
#ifndef KT_BASE_PROMETHEUS_TEXT_H_
#define KT_BASE_PROMETHEUS_TEXT_H_

#include <string>
#include <string_view>

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

}  // namespace kt::prometheus

#endif  // KT_BASE_PROMETHEUS_TEXT_H_
