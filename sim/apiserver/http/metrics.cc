#include "sim/apiserver/http/metrics.h"

#include <sstream>
#include <utility>

namespace kt::sim {

namespace {

// component="apiserver" and the request's labels, in kube-apiserver's (sorted) order.
std::string Labels(const RequestLabels& l) {
  std::string out = "component=\"apiserver\"";
  const std::pair<const char*, const std::string*> labels[] = {
      {"group", &l.group}, {"resource", &l.resource}, {"scope", &l.scope},
      {"subresource", &l.subresource}, {"verb", &l.verb}, {"version", &l.version}};
  for (const auto& [name, value] : labels) {
    out.append(",").append(name).append("=\"");
    prometheus::AppendLabelValue(out, *value);
    out += '"';
  }
  return out;
}

}  // namespace

void ApiMetrics::ObserveRequest(const RequestLabels& labels, int code, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{labels, code}];
  auto it = durations_.find(labels);
  if (it == durations_.end()) {
    it = durations_
             .try_emplace(labels, std::vector<double>(kBuckets.begin(), kBuckets.end()))
             .first;
  }
  it->second.Observe(seconds);
}

void ApiMetrics::WatchOpened(const RequestLabels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  ++watches_[labels];
}

void ApiMetrics::WatchClosed(const RequestLabels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  --watches_[labels];
}

void ApiMetrics::WatchEvent(const std::string& group, const std::string& version,
                            const std::string& resource) {
  std::lock_guard<std::mutex> lock(mu_);
  ++watch_events_[{group, version, resource}];
}

std::string ApiMetrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::ostringstream out;
  out << "# HELP apiserver_request_total Counter of apiserver requests broken out for each verb, "
         "dry run value, group, version, resource, scope, component, and HTTP response code.\n"
      << "# TYPE apiserver_request_total counter\n";
  for (const auto& [key, n] : requests_) {
    out << "apiserver_request_total{code=\"" << key.second << "\"," << Labels(key.first) << "} " << n
        << "\n";
  }
  out << "# HELP apiserver_request_duration_seconds Response latency distribution in seconds for "
         "each verb, dry run value, group, version, resource, subresource, scope and component.\n"
      << "# TYPE apiserver_request_duration_seconds histogram\n";
  for (const auto& [labels, h] : durations_) {
    std::string samples;
    h.AppendSamples(samples, "apiserver_request_duration_seconds", Labels(labels));
    out << samples;
  }
  out << "# HELP apiserver_longrunning_requests Gauge of all active long-running apiserver "
         "requests broken out by verb, group, version, resource, scope and component.\n"
      << "# TYPE apiserver_longrunning_requests gauge\n";
  for (const auto& [labels, n] : watches_) {
    out << "apiserver_longrunning_requests{" << Labels(labels) << "} " << n << "\n";
  }
  out << "# HELP apiserver_watch_events_total Number of events sent in watch clients\n"
      << "# TYPE apiserver_watch_events_total counter\n";
  for (const auto& [key, n] : watch_events_) {
    out << "apiserver_watch_events_total{group=\"" << prometheus::EscapeLabelValue(std::get<0>(key))
        << "\",resource=\"" << prometheus::EscapeLabelValue(std::get<2>(key)) << "\",version=\""
        << prometheus::EscapeLabelValue(std::get<1>(key)) << "\"} " << n << "\n";
  }
  return out.str();
}

}  // namespace kt::sim
