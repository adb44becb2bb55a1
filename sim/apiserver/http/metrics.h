// ApiMetrics: the API server's Prometheus metrics, in the text exposition format (version
// 0.0.4) that /metrics serves, named as kube-apiserver names them:
//   apiserver_request_total{verb,group,version,resource,subresource,scope,component,code}
//   apiserver_request_duration_seconds (histogram){verb,group,version,resource,...}
//   apiserver_longrunning_requests{verb="WATCH",...} (gauge: open watches)
//   apiserver_watch_events_total{group,version,resource}
// Label sets are bounded by the served resources x verbs x codes.
//
// Thread-safety: every method is safe from any thread.
#ifndef KT_SIM_APISERVER_HTTP_METRICS_H_
#define KT_SIM_APISERVER_HTTP_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "base/prometheus_text.h"

namespace kt::sim {

struct RequestLabels {
  std::string verb;  // GET LIST WATCH POST PUT PATCH DELETE DELETECOLLECTION APPLY
  std::string group;
  std::string version;
  std::string resource;
  std::string subresource;
  std::string scope;  // resource | namespace | cluster | "" for non-resource paths
  auto operator<=>(const RequestLabels&) const = default;
};

class ApiMetrics {
 public:
  void ObserveRequest(const RequestLabels& labels, int code, double seconds);
  void WatchOpened(const RequestLabels& labels);
  void WatchClosed(const RequestLabels& labels);
  void WatchEvent(const std::string& group, const std::string& version, const std::string& resource);
  std::string Render() const;

  static constexpr std::array<double, 14> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4,
                                                      0.6, 0.8, 1.0, 2.0, 5.0, 10.0, 30.0};

 private:
  mutable std::mutex mu_;
  std::map<std::pair<RequestLabels, int>, uint64_t> requests_;  // guarded by mu_
  std::map<RequestLabels, prometheus::Histogram> durations_;     // guarded by mu_
  std::map<RequestLabels, int64_t> watches_;                     // guarded by mu_
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> watch_events_;
};

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_HTTP_METRICS_H_
