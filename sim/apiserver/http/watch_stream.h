// HttpWatchSink: writes a watch to an HTTP response as kube-apiserver does: one
// {"type":..,"object":..} JSON document per line, flushed per event, in a chunked response;
// for Table requests (kubectl get -w) each object is a one-row Table. The stream ends when the
// watch closes (timeoutSeconds, 410 after its ERROR event, a dropped watch); when the client
// goes away first the watch is stopped.
#ifndef KT_SIM_APISERVER_HTTP_WATCH_STREAM_H_
#define KT_SIM_APISERVER_HTTP_WATCH_STREAM_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/net/http_server.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/http/metrics.h"

namespace kt::sim {

// Events that arrive before the response stream is attached (the watch is registered first so
// that a bad request can still get an ordinary error reply) are held and written on Attach.
class HttpWatchSink final : public WatchSink {
 public:
  HttpWatchSink(const ApiServer& server, api::GroupVersionResource gvr, bool table,
                std::string include_object, ApiMetrics* metrics);
  void Attach(std::shared_ptr<net::ResponseStream> stream);
  void OnEvent(const WatchEventOut& event) override;
  void OnClosed(const Status& status) override;

  // The line written for one event (exposed for tests).
  static std::string EventLine(std::string_view type, const std::string& object_json);

 private:
  void Write(std::string line);

  const ApiServer& server_;
  std::mutex mu_;
  std::shared_ptr<net::ResponseStream> stream_;  // guarded by mu_
  std::vector<std::string> held_;                // guarded by mu_
  bool closed_ = false;                          // guarded by mu_
  api::GroupVersionResource gvr_;
  bool table_;
  std::string include_object_;
  ApiMetrics* metrics_;
};

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_HTTP_WATCH_STREAM_H_
