#include "sim/apiserver/http/watch_stream.h"

#include "api/object.h"
#include "base/json.h"

namespace kt::sim {

HttpWatchSink::HttpWatchSink(const ApiServer& server, api::GroupVersionResource gvr, bool table,
                             std::string include_object, ApiMetrics* metrics)
    : server_(server),
      gvr_(std::move(gvr)),
      table_(table),
      include_object_(std::move(include_object)),
      metrics_(metrics) {}

std::string HttpWatchSink::EventLine(std::string_view type, const std::string& object_json) {
  std::string line = "{\"type\":\"";
  line += type;
  line += "\",\"object\":";
  line += object_json;
  line += "}\n";
  return line;
}

void HttpWatchSink::OnEvent(const WatchEventOut& e) {
  using Type = api::WatchEvent::Type;
  std::string body;
  if (table_ && (e.type == Type::kAdded || e.type == Type::kModified || e.type == Type::kDeleted)) {
    auto t = server_.RenderTable(gvr_, {e.object.get()}, include_object_);
    if (!t.ok()) {
      body = DumpJson(*e.object);
    } else {
      (*t)["metadata"]["resourceVersion"] = api::ResourceVersion(*e.object);
      body = DumpJson(*t);
    }
  } else {
    body = DumpJson(*e.object);
  }
  if (metrics_) metrics_->WatchEvent(gvr_.group, gvr_.version, gvr_.resource);
  Write(EventLine(api::WatchEventTypeName(e.type), body));
}

void HttpWatchSink::Write(std::string line) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stream_) stream_->Write(std::move(line));
  else held_.push_back(std::move(line));
}

void HttpWatchSink::Attach(std::shared_ptr<net::ResponseStream> stream) {
  std::lock_guard<std::mutex> lock(mu_);
  stream_ = std::move(stream);
  for (auto& line : held_) stream_->Write(std::move(line));
  held_.clear();
  if (closed_) stream_->Close();
}

void HttpWatchSink::OnClosed(const Status&) {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  if (stream_) stream_->Close();
}

}  // namespace kt::sim
