#include "controllers/runtime/metrics.h"

#include <cmath>

#include "base/check.h"
#include "base/prometheus_text.h"

namespace kt::ctrl {

namespace {

bool ValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string LabelText(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  if (names.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ",";
    out += names[i];
    out += "=\"";
    prometheus::AppendLabelValue(out, values[i]);
    out += "\"";
  }
  out += "}";
  return out;
}

}  // namespace

void Histogram::Observe(double v) {
  std::lock_guard<std::mutex> lock(mu_);
  h_.Observe(v);
}

prometheus::Histogram Histogram::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return h_;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> out;
  double v = start;
  for (int i = 0; i < count; ++i) {
    out.push_back(v);
    v *= factor;
  }
  return out;
}

std::vector<double> ReconcileTimeBuckets() {
  // controller-runtime's bucket layout for reconcile latency: fine below one second, then
  // coarser up to a minute.
  static const std::vector<double> kBuckets = {
      0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6,
      0.7,   0.8,  0.9,   1.0,  1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5,  4.0, 4.5, 5,
      6,     7,    8,     9,    10,  15,  20,  25,  30,  40,  50,  60};
  return kBuckets;
}

std::vector<double> WorkQueueDurationBuckets() {
  // 1e-8, 1e-7, ... 1e3 computed as exact powers of ten so the `le` labels print cleanly.
  std::vector<double> out;
  for (int e = -8; e <= 3; ++e) out.push_back(std::pow(10.0, e));
  return out;
}

struct MetricsRegistry::Family {
  std::string name;
  std::string help;
  Type type;
  std::vector<std::string> label_names;
  std::vector<double> buckets;
  // Children keyed by label values (sorted, so output is deterministic).
  std::map<std::vector<std::string>, std::unique_ptr<Counter>> counters;
  std::map<std::vector<std::string>, std::unique_ptr<Gauge>> gauges;
  std::map<std::vector<std::string>, std::unique_ptr<Histogram>> histograms;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Family& MetricsRegistry::FamilyFor(std::string_view name, std::string_view help,
                                                    Type type, const MetricLabels& labels,
                                                    const std::vector<double>* buckets) {
  KT_CHECK(ValidMetricName(name)) << "invalid metric name " << name;
  std::vector<std::string> names;
  for (const auto& [k, v] : labels) {
    KT_CHECK(ValidMetricName(k) && k.find(':') == std::string::npos && k != "le")
        << "invalid label name " << k << " on " << name;
    names.push_back(k);
  }
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto f = std::make_unique<Family>();
    f->name = std::string(name);
    f->help = std::string(help);
    f->type = type;
    f->label_names = names;
    if (buckets) f->buckets = *buckets;
    it = families_.emplace(f->name, std::move(f)).first;
  }
  Family& f = *it->second;
  KT_CHECK(f.type == type) << "metric " << name << " registered with another type";
  KT_CHECK(f.label_names == names) << "metric " << name << " registered with other labels";
  if (buckets) KT_CHECK(f.buckets == *buckets) << "metric " << name << " has other buckets";
  return f;
}

namespace {
std::vector<std::string> ValuesOf(const MetricLabels& labels) {
  std::vector<std::string> values;
  for (const auto& [k, v] : labels) values.push_back(v);
  return values;
}
}  // namespace

Counter& MetricsRegistry::GetCounter(std::string_view name, std::string_view help,
                                     const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& f = FamilyFor(name, help, Type::kCounter, labels, nullptr);
  auto& child = f.counters[ValuesOf(labels)];
  if (!child) child = std::make_unique<Counter>();
  return *child;
}

Gauge& MetricsRegistry::GetGauge(std::string_view name, std::string_view help,
                                 const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& f = FamilyFor(name, help, Type::kGauge, labels, nullptr);
  auto& child = f.gauges[ValuesOf(labels)];
  if (!child) child = std::make_unique<Gauge>();
  return *child;
}

Histogram& MetricsRegistry::GetHistogram(std::string_view name, std::string_view help,
                                         const std::vector<double>& buckets,
                                         const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& f = FamilyFor(name, help, Type::kHistogram, labels, &buckets);
  auto& child = f.histograms[ValuesOf(labels)];
  if (!child) child = std::make_unique<Histogram>(buckets);
  return *child;
}

uint64_t MetricsRegistry::AddCollector(std::function<void()> refresh) {
  std::lock_guard<std::mutex> lock(collectors_mu_);
  uint64_t id = next_collector_++;
  collectors_.emplace(id, std::move(refresh));
  return id;
}

void MetricsRegistry::RemoveCollector(uint64_t id) {
  std::lock_guard<std::mutex> lock(collectors_mu_);
  collectors_.erase(id);
}

std::string MetricsRegistry::Render() {
  {
    std::lock_guard<std::mutex> lock(collectors_mu_);
    for (auto& [id, fn] : collectors_) fn();
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (f->counters.empty() && f->gauges.empty() && f->histograms.empty()) continue;
    prometheus::AppendHeader(
        out, name,
        f->type == Type::kCounter ? "counter" : f->type == Type::kGauge ? "gauge" : "histogram",
        f->help);
    for (const auto& [values, c] : f->counters) {
      out += name + LabelText(f->label_names, values) + " " + prometheus::FormatValue(c->value()) + "\n";
    }
    for (const auto& [values, g] : f->gauges) {
      out += name + LabelText(f->label_names, values) + " " + prometheus::FormatValue(g->value()) + "\n";
    }
    for (const auto& [values, h] : f->histograms) {
      const std::string braced = LabelText(f->label_names, values);
      h->snapshot().AppendSamples(
          out, name, braced.empty() ? "" : std::string_view(braced).substr(1, braced.size() - 2));
    }
  }
  return out;
}

}  // namespace kt::ctrl
