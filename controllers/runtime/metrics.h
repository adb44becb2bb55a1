// Metrics: counters, gauges and histograms with labels, rendered in the Prometheus text
// exposition format (version 0.0.4) that `promtool check metrics` accepts. One registry per
// Manager (not a process global), so two managers in one test do not share numbers.
//
// Names follow controller-runtime and client-go (controller_runtime_reconcile_total,
// workqueue_depth, leader_election_master_status, ...): dashboards and alerts written for
// Kaito's manager work unchanged.
//
// Ownership: the registry owns every metric; references returned by Get* stay valid for the
// registry's lifetime. Collectors are callbacks run before each rendering to refresh gauges
// computed on demand (workqueue_unfinished_work_seconds); RemoveCollector waits for a running
// collection, so after it returns the callback is never called again.
//
// Thread-safety: all methods may be called from any thread. Asking for an existing name with
// another type, other label names or other buckets is a bug (KT_CHECK).
#ifndef KT_CONTROLLERS_RUNTIME_METRICS_H_
#define KT_CONTROLLERS_RUNTIME_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/prometheus_text.h"

namespace kt::ctrl {

// Label name/value pairs; the names fix the family's label set (order as given).
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(double v = 1) { value_.fetch_add(v); }
  double value() const { return value_.load(); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v); }
  void Inc(double v = 1) { value_.fetch_add(v); }
  void Dec(double v = 1) { value_.fetch_sub(v); }
  double value() const { return value_.load(); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds) : h_(std::move(upper_bounds)) {}
  void Observe(double v);
  // The counts as they are now.
  prometheus::Histogram snapshot() const;

 private:
  mutable std::mutex mu_;
  prometheus::Histogram h_;  // guarded by mu_
};

// client-go's prometheus.ExponentialBuckets(start, factor, count).
std::vector<double> ExponentialBuckets(double start, double factor, int count);
// Buckets of controller_runtime_reconcile_time_seconds (5 ms .. 60 s).
std::vector<double> ReconcileTimeBuckets();
// Buckets of workqueue_{queue,work}_duration_seconds: 10 ns .. 1000 s by powers of ten.
std::vector<double> WorkQueueDurationBuckets();

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();

  Counter& GetCounter(std::string_view name, std::string_view help,
                      const MetricLabels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help,
                          const std::vector<double>& buckets, const MetricLabels& labels = {});

  uint64_t AddCollector(std::function<void()> refresh);
  void RemoveCollector(uint64_t id);

  // Runs the collectors, then renders every family sorted by name, children by label values.
  std::string Render();
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family;
  Family& FamilyFor(std::string_view name, std::string_view help, Type type,
                    const MetricLabels& labels, const std::vector<double>* buckets);

  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;  // guarded by mu_
  std::mutex collectors_mu_;  // held while collectors run
  uint64_t next_collector_ = 1;
  std::map<uint64_t, std::function<void()>> collectors_;  // guarded by collectors_mu_
};

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_METRICS_H_
