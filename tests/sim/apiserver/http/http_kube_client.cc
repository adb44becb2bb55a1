#include "tests/sim/apiserver/http/http_kube_client.h"

#include <atomic>
#include <future>
#include <thread>

#include "base/json.h"

namespace kt::sim::testing {

namespace {

std::string Query(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string q;
  for (const auto& [k, v] : kv) {
    q += q.empty() ? "?" : "&";
    q += k + "=" + net::UrlEncode(v);
  }
  return q;
}

std::vector<std::pair<std::string, std::string>> ListQuery(const api::ListOptions& o, bool watch) {
  std::vector<std::pair<std::string, std::string>> q;
  if (!o.label_selector.empty()) q.emplace_back("labelSelector", o.label_selector);
  if (!o.field_selector.empty()) q.emplace_back("fieldSelector", o.field_selector);
  if (o.limit > 0) q.emplace_back("limit", std::to_string(o.limit));
  if (!o.continue_token.empty()) q.emplace_back("continue", o.continue_token);
  if (!o.resource_version.empty()) q.emplace_back("resourceVersion", o.resource_version);
  if (watch) {
    q.emplace_back("watch", "true");
    if (o.allow_watch_bookmarks) q.emplace_back("allowWatchBookmarks", "true");
    if (o.timeout_seconds) q.emplace_back("timeoutSeconds", std::to_string(*o.timeout_seconds));
    if (o.send_initial_events) {
      q.emplace_back("sendInitialEvents", "true");
      q.emplace_back("resourceVersionMatch", "NotOlderThan");
    }
  }
  return q;
}

std::vector<std::pair<std::string, std::string>> WriteQuery(const api::WriteOptions& o) {
  std::vector<std::pair<std::string, std::string>> q;
  if (!o.field_manager.empty()) q.emplace_back("fieldManager", o.field_manager);
  if (!o.field_validation.empty()) q.emplace_back("fieldValidation", o.field_validation);
  if (o.dry_run) q.emplace_back("dryRun", "All");
  if (o.force) q.emplace_back("force", "true");
  return q;
}

api::WatchEvent::Type TypeOf(const std::string& t) {
  if (t == "ADDED") return api::WatchEvent::Type::kAdded;
  if (t == "MODIFIED") return api::WatchEvent::Type::kModified;
  if (t == "DELETED") return api::WatchEvent::Type::kDeleted;
  if (t == "BOOKMARK") return api::WatchEvent::Type::kBookmark;
  return api::WatchEvent::Type::kError;
}

class HttpWatch final : public api::Watch {
 public:
  HttpWatch(std::unique_ptr<net::HttpClient> client, std::string target,
            std::vector<std::pair<std::string, std::string>> headers, api::WatchHandler on_event,
            api::WatchClosed on_closed)
      : client_(std::move(client)) {
    std::future<void> started_future = started_.get_future();
    thread_ = std::thread([this, target = std::move(target), headers = std::move(headers),
                           on_event = std::move(on_event), on_closed = std::move(on_closed)] {
      std::string buffer;
      int code = 0;
      std::string error_body;
      Status gone;
      Status s = client_->Stream(
          "GET", target, headers, "",
          [&](const net::HttpResponse& head) {
            code = head.status;
            MarkStarted();
            return true;
          },
          [&](std::string_view data) {
            if (stopped_) return false;
            if (code != 200) {
              error_body.append(data);
              return true;
            }
            buffer.append(data);
            size_t nl;
            while ((nl = buffer.find('\n')) != std::string::npos) {
              auto line = ParseJson(std::string_view(buffer).substr(0, nl));
              buffer.erase(0, nl + 1);
              if (!line.ok()) continue;
              api::WatchEvent ev{TypeOf(GetString(*line, "type")), (*line)["object"]};
              if (ev.type == api::WatchEvent::Type::kError && GetInt(ev.object, "code").value_or(0) == 410) {
                gone = Gone(GetString(ev.object, "message"));
              }
              if (!stopped_ && on_event) on_event(ev);
            }
            return !stopped_;
          },
          std::chrono::seconds(0));
      MarkStarted();
      if (stopped_ || !on_closed) return;
      if (code != 0 && code != 200) on_closed(StatusFromReply(code, error_body));
      else if (!gone.ok()) on_closed(gone);
      else if (s.ok()) on_closed(Status::Ok());
      else on_closed(Unavailable(s.message()));
    });
    // Like client-go, the watch counts as started once the server answered with its headers
    // (the server registers the watcher before it sends them): later writes are seen.
    (void)started_future.wait_for(std::chrono::seconds(10));
  }
  ~HttpWatch() override { Stop(); }
  void Stop() override {
    stopped_ = true;
    client_->Cancel();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  }

 private:
  std::unique_ptr<net::HttpClient> client_;
  void MarkStarted() {
    if (!started_set_.exchange(true)) started_.set_value();
  }

  std::atomic<bool> stopped_{false};
  std::promise<void> started_;
  std::atomic<bool> started_set_{false};
  std::thread thread_;
};

}  // namespace

Status StatusFromReply(int http_code, const std::string& body) {
  auto j = ParseJson(body);
  std::string reason = j.ok() ? GetString(*j, "reason") : "";
  std::string message = j.ok() ? GetString(*j, "message", body) : body;
  StatusCode code = CodeFromHttp(http_code);
  if (reason == "AlreadyExists") code = StatusCode::kAlreadyExists;
  if (reason == "Conflict") code = StatusCode::kConflict;
  if (reason == "Expired" || reason == "Gone") code = StatusCode::kGone;
  if (reason == "Invalid") code = StatusCode::kInvalid;
  return Status(code == StatusCode::kOk ? StatusCode::kInternal : code, message);
}

Result<std::unique_ptr<HttpKubeClient>> HttpKubeClient::Create(const std::string& base_url,
                                                               const std::string& ca_pem,
                                                               const std::string& token) {
  net::HttpClientOptions o;
  o.ca_pem = ca_pem;
  o.timeout = std::chrono::seconds(30);
  KT_ASSIGN_OR_RETURN(auto client, net::HttpClient::Create(base_url, o));
  return std::unique_ptr<HttpKubeClient>(new HttpKubeClient(base_url, o, token, std::move(client)));
}

HttpKubeClient::HttpKubeClient(std::string base_url, net::HttpClientOptions options,
                               std::string token, std::unique_ptr<net::HttpClient> client)
    : base_url_(std::move(base_url)), options_(std::move(options)), token_(std::move(token)),
      client_(std::move(client)) {}

Result<Json> HttpKubeClient::Call(const std::string& method, const std::string& target,
                                  const std::string& body, const std::string& content_type) {
  std::vector<std::pair<std::string, std::string>> headers = {{"Accept", "application/json"}};
  if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
  if (!token_.empty()) headers.emplace_back("Authorization", "Bearer " + token_);
  KT_ASSIGN_OR_RETURN(net::HttpResponse r, client_->Do(method, target, headers, body));
  if (r.status >= 300) return StatusFromReply(r.status, r.body);
  return ParseJson(r.body);
}

Result<Json> HttpKubeClient::Get(const api::GroupVersionResource& gvr, std::string_view ns,
                                 std::string_view name, const api::GetOptions& o) {
  return Call("GET", gvr.ObjectPath(ns, name, o.subresource), "", "");
}

Result<Json> HttpKubeClient::List(const api::GroupVersionResource& gvr, std::string_view ns,
                                  const api::ListOptions& o) {
  return Call("GET", gvr.CollectionPath(ns) + Query(ListQuery(o, false)), "", "");
}

Result<Json> HttpKubeClient::Create(const api::GroupVersionResource& gvr, std::string_view ns,
                                    const Json& object, const api::WriteOptions& o) {
  std::string path = o.subresource.empty()
                         ? gvr.CollectionPath(ns)
                         : gvr.ObjectPath(ns, GetString(object, "metadata.name"), o.subresource);
  return Call("POST", path + Query(WriteQuery(o)), DumpJson(object), "application/json");
}

Result<Json> HttpKubeClient::Update(const api::GroupVersionResource& gvr, std::string_view ns,
                                    const Json& object, const api::WriteOptions& o) {
  return Call("PUT", gvr.ObjectPath(ns, GetString(object, "metadata.name"), o.subresource) +
                         Query(WriteQuery(o)),
              DumpJson(object), "application/json");
}

Result<Json> HttpKubeClient::Patch(const api::GroupVersionResource& gvr, std::string_view ns,
                                   std::string_view name, api::PatchType type,
                                   std::string_view patch, const api::WriteOptions& o) {
  return Call("PATCH", gvr.ObjectPath(ns, name, o.subresource) + Query(WriteQuery(o)),
              std::string(patch), std::string(api::ContentTypeOf(type)));
}

Result<Json> HttpKubeClient::Delete(const api::GroupVersionResource& gvr, std::string_view ns,
                                    std::string_view name, const api::DeleteOptions& o) {
  Json body = {{"apiVersion", "v1"}, {"kind", "DeleteOptions"}};
  switch (o.propagation) {
    case api::PropagationPolicy::kBackground: body["propagationPolicy"] = "Background"; break;
    case api::PropagationPolicy::kForeground: body["propagationPolicy"] = "Foreground"; break;
    case api::PropagationPolicy::kOrphan: body["propagationPolicy"] = "Orphan"; break;
    case api::PropagationPolicy::kDefault: break;
  }
  if (o.grace_period_seconds) body["gracePeriodSeconds"] = *o.grace_period_seconds;
  if (o.precondition_uid) body["preconditions"]["uid"] = *o.precondition_uid;
  if (o.precondition_resource_version) body["preconditions"]["resourceVersion"] = *o.precondition_resource_version;
  if (o.dry_run) body["dryRun"] = Json::array({"All"});
  return Call("DELETE", gvr.ObjectPath(ns, name), DumpJson(body), "application/json");
}

Result<std::unique_ptr<api::Watch>> HttpKubeClient::StartWatch(
    const api::GroupVersionResource& gvr, std::string_view ns, const api::ListOptions& o,
    api::WatchHandler on_event, api::WatchClosed on_closed) {
  KT_ASSIGN_OR_RETURN(auto client, net::HttpClient::Create(base_url_, options_));
  std::vector<std::pair<std::string, std::string>> headers = {{"Accept", "application/json"}};
  if (!token_.empty()) headers.emplace_back("Authorization", "Bearer " + token_);
  return std::unique_ptr<api::Watch>(std::make_unique<HttpWatch>(
      std::move(client), gvr.CollectionPath(ns) + Query(ListQuery(o, true)), std::move(headers),
      std::move(on_event), std::move(on_closed)));
}

}  // namespace kt::sim::testing
