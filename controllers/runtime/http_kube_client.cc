#include "controllers/runtime/http_kube_client.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "api/object.h"
#include "base/json.h"
#include "base/log.h"
#include "base/net/http_client.h"
#include "controllers/runtime/watch_decoder.h"

namespace kt::ctrl {

namespace {

using ThreadId = decltype(std::this_thread::get_id());
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr size_t kErrorBodyBytesMax = 1 << 20;

StatusCode CodeFromReason(std::string_view reason, int http_code) {
  if (reason == "Gone" || reason == "Expired") return StatusCode::kGone;
  if (reason == "ServerTimeout") return StatusCode::kTimeout;
  for (int c = 1; c <= static_cast<int>(StatusCode::kCancelled); ++c) {
    auto code = static_cast<StatusCode>(c);
    if (!reason.empty() && ReasonOf(code) == reason) return code;
  }
  return CodeFromHttp(http_code);
}

std::string_view PropagationName(api::PropagationPolicy p) {
  switch (p) {
    case api::PropagationPolicy::kBackground: return "Background";
    case api::PropagationPolicy::kForeground: return "Foreground";
    case api::PropagationPolicy::kOrphan: return "Orphan";
    case api::PropagationPolicy::kDefault: break;
  }
  return "";
}

void AddParam(std::string& q, std::string_view name, std::string_view value) {
  q += q.empty() ? "?" : "&";
  q += name;
  q += "=";
  q += net::UrlEncode(value);
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Status StatusFromHttp(int http_code, std::string_view body, std::string_view retry_after_header) {
  std::string message;
  std::string reason;
  int retry_after = 0;
  auto parsed = ParseJson(body);
  if (parsed.ok() && parsed->is_object() && GetString(*parsed, "kind") == "Status") {
    message = GetString(*parsed, "message");
    reason = GetString(*parsed, "reason");
    retry_after = static_cast<int>(GetInt(*parsed, "details.retryAfterSeconds").value_or(0));
  }
  if (message.empty()) {
    std::string text(body.substr(0, 256));
    message = "the server answered HTTP " + std::to_string(http_code) +
              (text.empty() ? std::string() : ": " + text);
  }
  StatusCode code = CodeFromReason(reason, http_code);
  if (code == StatusCode::kOk) code = StatusCode::kInternal;
  Status s(code, message);
  if (!reason.empty() && reason != ReasonOf(code)) s.WithReason(reason);
  if (retry_after == 0 && !retry_after_header.empty()) {
    retry_after = std::atoi(std::string(retry_after_header).c_str());
  }
  if (retry_after > 0) s.WithRetryAfter(retry_after);
  return s;
}

std::string ListQuery(const api::ListOptions& o, bool watch) {
  std::string q;
  if (!o.label_selector.empty()) AddParam(q, "labelSelector", o.label_selector);
  if (!o.field_selector.empty()) AddParam(q, "fieldSelector", o.field_selector);
  if (!watch && o.limit > 0) AddParam(q, "limit", std::to_string(o.limit));
  if (!watch && !o.continue_token.empty()) AddParam(q, "continue", o.continue_token);
  if (!o.resource_version.empty()) AddParam(q, "resourceVersion", o.resource_version);
  if (watch) {
    AddParam(q, "watch", "true");
    if (o.allow_watch_bookmarks) AddParam(q, "allowWatchBookmarks", "true");
    if (o.timeout_seconds) AddParam(q, "timeoutSeconds", std::to_string(*o.timeout_seconds));
    if (o.send_initial_events) {
      AddParam(q, "sendInitialEvents", "true");
      AddParam(q, "resourceVersionMatch", "NotOlderThan");
    }
  }
  return q;
}

std::string WriteQuery(const api::WriteOptions& o, bool is_apply) {
  std::string q;
  if (!o.field_manager.empty()) AddParam(q, "fieldManager", o.field_manager);
  if (is_apply && o.force) AddParam(q, "force", "true");
  if (o.dry_run) AddParam(q, "dryRun", "All");
  if (!o.field_validation.empty()) AddParam(q, "fieldValidation", o.field_validation);
  return q;
}

std::string DeleteOptionsBody(const api::DeleteOptions& o) {
  Json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (o.propagation != api::PropagationPolicy::kDefault) {
    body["propagationPolicy"] = std::string(PropagationName(o.propagation));
  }
  if (o.grace_period_seconds) body["gracePeriodSeconds"] = *o.grace_period_seconds;
  if (o.precondition_uid || o.precondition_resource_version) {
    Json pre = Json::object();
    if (o.precondition_uid) pre["uid"] = *o.precondition_uid;
    if (o.precondition_resource_version) pre["resourceVersion"] = *o.precondition_resource_version;
    body["preconditions"] = pre;
  }
  if (o.dry_run) body["dryRun"] = Json::array({"All"});
  return DumpJson(body);
}

// ---------------------------------------------------------------------------------------------
// Watch streams: a pool of threads, one stream per thread at a time.

namespace {

struct WatchPool {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void()>> jobs;  // guarded by mu
  size_t threads = 0;                      // guarded by mu
  size_t idle = 0;                         // guarded by mu
  bool stopping = false;                   // guarded by mu

  static void Loop(const std::shared_ptr<WatchPool>& pool) {
    std::unique_lock<std::mutex> lock(pool->mu);
    for (;;) {
      ++pool->idle;
      pool->cv.wait(lock, [&] { return pool->stopping || !pool->jobs.empty(); });
      --pool->idle;
      if (pool->jobs.empty()) break;  // stopping
      std::function<void()> job = std::move(pool->jobs.front());
      pool->jobs.pop_front();
      lock.unlock();
      job();
      job = nullptr;
      lock.lock();
    }
    --pool->threads;
  }
};

struct WatchState {
  std::unique_ptr<net::HttpClient> http;
  api::WatchHandler on_event;
  api::WatchClosed on_closed;

  std::mutex deliver_mu;  // held while a callback runs
  std::atomic<bool> stopped{false};
  std::atomic<ThreadId> worker{};

  std::mutex head_mu;
  std::condition_variable head_cv;
  bool head_done = false;  // guarded by head_mu
  Status head_status;      // guarded by head_mu

  void SignalHead(Status s) {
    std::lock_guard<std::mutex> lock(head_mu);
    if (head_done) return;
    head_done = true;
    head_status = std::move(s);
    head_cv.notify_all();
  }

  void Stop() {
    if (stopped.exchange(true)) return;
    http->Cancel();
    // Wait for a callback in progress, unless this is that callback's thread.
    if (worker.load() != std::this_thread::get_id()) {
      std::lock_guard<std::mutex> lock(deliver_mu);
    }
  }

  void Deliver(const api::WatchEvent& ev) {
    std::lock_guard<std::mutex> lock(deliver_mu);
    if (!stopped.load()) on_event(ev);
  }

  void Close(const Status& s) {
    std::lock_guard<std::mutex> lock(deliver_mu);
    if (stopped.exchange(true)) return;
    on_closed(s);
  }
};

class HttpWatch final : public api::Watch {
 public:
  explicit HttpWatch(std::shared_ptr<WatchState> state) : state_(std::move(state)) {}
  ~HttpWatch() override { Stop(); }
  void Stop() override { state_->Stop(); }

 private:
  std::shared_ptr<WatchState> state_;
};

}  // namespace

struct HttpKubeClient::Impl {
  Impl(Env& e, RestConfig c, HttpKubeClientOptions o)
      : env(e), config(std::move(c)), options(o), watch_pool(std::make_shared<WatchPool>()) {}

  Env& env;
  RestConfig config;
  HttpKubeClientOptions options;
  net::HttpClientOptions http_options;

  std::mutex token_mu;
  std::string token;           // guarded by token_mu
  bool token_loaded = false;   // guarded by token_mu
  Time token_read_at;          // guarded by token_mu

  std::mutex pool_mu;
  std::condition_variable pool_cv;
  std::vector<std::unique_ptr<net::HttpClient>> idle;  // guarded by pool_mu
  size_t connections = 0;                              // guarded by pool_mu

  std::shared_ptr<WatchPool> watch_pool;
  std::mutex watches_mu;
  std::vector<std::weak_ptr<WatchState>> watches;  // guarded by watches_mu

  std::string Token(bool force_reread) {
    if (config.bearer_token_file.empty()) return config.bearer_token;
    std::lock_guard<std::mutex> lock(token_mu);
    const Time now = env.Now();
    if (force_reread || !token_loaded || now - token_read_at >= options.token_reread_period) {
      auto text = ReadFile(config.bearer_token_file);
      if (text.ok()) {
        std::string t = std::move(text).value();
        while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
        token = t;
        token_loaded = true;
        token_read_at = now;
      } else if (!token_loaded) {
        KT_LOG(WARNING) << "kube client: " << text.status().message();
      }
    }
    return token;
  }

  Headers BaseHeaders(bool force_reread) {
    Headers h = {{"Accept", "application/json"}, {"User-Agent", config.user_agent}};
    std::string t = Token(force_reread);
    if (!t.empty()) h.emplace_back("Authorization", "Bearer " + t);
    return h;
  }

  Result<std::unique_ptr<net::HttpClient>> Acquire() {
    std::unique_lock<std::mutex> lock(pool_mu);
    pool_cv.wait(lock, [&] { return !idle.empty() || connections < options.connections_max; });
    if (!idle.empty()) {
      auto c = std::move(idle.back());
      idle.pop_back();
      return c;
    }
    ++connections;
    lock.unlock();
    auto c = net::HttpClient::Create(config.server, http_options);
    if (!c.ok()) {
      std::lock_guard<std::mutex> relock(pool_mu);
      --connections;
      pool_cv.notify_one();
      return c.status();
    }
    return std::move(c).value();
  }

  void Release(std::unique_ptr<net::HttpClient> c) {
    std::lock_guard<std::mutex> lock(pool_mu);
    idle.push_back(std::move(c));
    pool_cv.notify_one();
  }

  Result<net::HttpResponse> Do(std::string_view method, const std::string& target,
                               std::string_view content_type, std::string_view body) {
    KT_ASSIGN_OR_RETURN(auto http, Acquire());
    Result<net::HttpResponse> r = Unavailable("not sent");
    for (int attempt = 0; attempt < 2; ++attempt) {
      Headers h = BaseHeaders(/*force_reread=*/attempt > 0);
      if (!content_type.empty()) h.emplace_back("Content-Type", std::string(content_type));
      r = http->Do(method, target, h, body);
      // A rotated service-account token: read the file again and retry once.
      if (!r.ok() || r->status != 401 || config.bearer_token_file.empty()) break;
    }
    Release(std::move(http));
    return r;
  }

  Result<Json> Call(std::string_view method, const std::string& target,
                    std::string_view content_type = {}, std::string_view body = {}) {
    KT_ASSIGN_OR_RETURN(net::HttpResponse resp, Do(method, target, content_type, body));
    if (resp.status < 200 || resp.status >= 300) {
      return StatusFromHttp(resp.status, resp.body, resp.Header("Retry-After"));
    }
    auto parsed = ParseJson(resp.body);
    if (!parsed.ok()) {
      return Internal("the server sent a malformed reply to " + std::string(method) + " " +
                      target + ": " + parsed.status().message());
    }
    return std::move(parsed).value();
  }

  // Submits a stream job to the watch pool; false when watches_max streams already run.
  bool Submit(std::function<void()> job) {
    std::shared_ptr<WatchPool> pool = watch_pool;
    bool start_thread = false;
    {
      std::lock_guard<std::mutex> lock(pool->mu);
      if (pool->stopping) return false;
      const size_t busy = pool->threads - pool->idle + pool->jobs.size();
      if (busy >= options.watches_max) return false;
      if (pool->idle <= pool->jobs.size()) {
        ++pool->threads;
        start_thread = true;
      }
      pool->jobs.push_back(std::move(job));
      pool->cv.notify_one();
    }
    if (start_thread) env.StartThread("kube-watch", [pool] { WatchPool::Loop(pool); });
    return true;
  }
};

HttpKubeClient::HttpKubeClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<HttpKubeClient>> HttpKubeClient::Create(Env& env, RestConfig config,
                                                               HttpKubeClientOptions options) {
  if (env.IsSimulated()) {
    return BadRequest("the HTTP kube client needs a RealEnv (use the in-process client in simulations)");
  }
  KT_RETURN_IF_ERROR(net::ParseBaseUrl(config.server).status());
  if (options.connections_max == 0) options.connections_max = 1;
  auto impl = std::make_shared<Impl>(env, std::move(config), options);
  net::HttpClientOptions& h = impl->http_options;
  h.ca_pem = impl->config.ca_pem;
  h.insecure_skip_verify = impl->config.insecure_skip_tls_verify;
  h.client_cert_pem = impl->config.client_cert_pem;
  h.client_key_pem = impl->config.client_key_pem;
  h.server_name = impl->config.tls_server_name;
  h.timeout = impl->config.timeout;
  // Fail early on unusable TLS material rather than on the first request.
  auto probe = net::HttpClient::Create(impl->config.server, h);
  if (!probe.ok()) return probe.status();
  impl->connections = 1;
  impl->idle.push_back(std::move(probe).value());
  return std::unique_ptr<HttpKubeClient>(new HttpKubeClient(std::move(impl)));
}

HttpKubeClient::~HttpKubeClient() {
  std::vector<std::shared_ptr<WatchState>> live;
  {
    std::lock_guard<std::mutex> lock(impl_->watches_mu);
    for (auto& w : impl_->watches) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
    impl_->watches.clear();
  }
  for (auto& s : live) s->Stop();
  std::lock_guard<std::mutex> lock(impl_->watch_pool->mu);
  impl_->watch_pool->stopping = true;
  impl_->watch_pool->cv.notify_all();
}

const RestConfig& HttpKubeClient::config() const { return impl_->config; }

Result<Json> HttpKubeClient::Get(const api::GroupVersionResource& gvr, std::string_view ns,
                                 std::string_view name, const api::GetOptions& options) {
  std::string q;
  if (!options.resource_version.empty()) AddParam(q, "resourceVersion", options.resource_version);
  return impl_->Call("GET", gvr.ObjectPath(ns, name, options.subresource) + q);
}

Result<Json> HttpKubeClient::List(const api::GroupVersionResource& gvr, std::string_view ns,
                                  const api::ListOptions& options) {
  return impl_->Call("GET", gvr.CollectionPath(ns) + ListQuery(options, false));
}

Result<Json> HttpKubeClient::Create(const api::GroupVersionResource& gvr, std::string_view ns,
                                    const Json& object, const api::WriteOptions& options) {
  std::string path = options.subresource.empty()
                         ? gvr.CollectionPath(ns)
                         : gvr.ObjectPath(ns, api::Name(object), options.subresource);
  return impl_->Call("POST", path + WriteQuery(options, false), "application/json",
                     DumpJson(object));
}

Result<Json> HttpKubeClient::Update(const api::GroupVersionResource& gvr, std::string_view ns,
                                    const Json& object, const api::WriteOptions& options) {
  const std::string name = api::Name(object);
  if (name.empty()) return BadRequest("update: the object has no metadata.name");
  return impl_->Call("PUT", gvr.ObjectPath(ns, name, options.subresource) + WriteQuery(options, false),
                     "application/json", DumpJson(object));
}

Result<Json> HttpKubeClient::Patch(const api::GroupVersionResource& gvr, std::string_view ns,
                                   std::string_view name, api::PatchType type,
                                   std::string_view patch, const api::WriteOptions& options) {
  const bool apply = type == api::PatchType::kApply;
  if (apply && options.field_manager.empty()) {
    return BadRequest("PatchOptions.fieldManager is required for apply requests");
  }
  return impl_->Call("PATCH",
                     gvr.ObjectPath(ns, name, options.subresource) + WriteQuery(options, apply),
                     api::ContentTypeOf(type), patch);
}

Result<Json> HttpKubeClient::Delete(const api::GroupVersionResource& gvr, std::string_view ns,
                                    std::string_view name, const api::DeleteOptions& options) {
  return impl_->Call("DELETE", gvr.ObjectPath(ns, name), "application/json",
                     DeleteOptionsBody(options));
}

Result<std::unique_ptr<api::Watch>> HttpKubeClient::StartWatch(
    const api::GroupVersionResource& gvr, std::string_view ns, const api::ListOptions& options,
    api::WatchHandler on_event, api::WatchClosed on_closed) {
  auto http = net::HttpClient::Create(impl_->config.server, impl_->http_options);
  if (!http.ok()) return http.status();
  auto state = std::make_shared<WatchState>();
  state->http = std::move(http).value();
  state->on_event = std::move(on_event);
  state->on_closed = std::move(on_closed);
  const std::string target = gvr.CollectionPath(ns) + ListQuery(options, true);
  Duration idle = impl_->options.watch_idle_timeout;
  if (options.timeout_seconds) idle += std::chrono::seconds(*options.timeout_seconds);
  Headers headers = impl_->BaseHeaders(false);

  auto job = [state, target, idle, headers] {
    state->worker.store(std::this_thread::get_id());
    WatchDecoder decoder;
    int code = 0;
    std::string error_body;
    Status ended;  // an ERROR event or a decoding failure
    std::vector<api::WatchEvent> events;
    Status s = state->http->Stream(
        "GET", target, headers, {},
        [&](const net::HttpResponse& head) {
          code = head.status;
          if (state->stopped.load()) return false;
          if (code == 200) state->SignalHead(Status::Ok());
          return true;
        },
        [&](std::string_view data) {
          if (code != 200) {
            if (error_body.size() < kErrorBodyBytesMax) error_body.append(data);
            return true;
          }
          events.clear();
          Status fed = decoder.Feed(data, &events);
          for (const api::WatchEvent& ev : events) {
            if (ev.type == api::WatchEvent::Type::kError) {
              int c = static_cast<int>(GetInt(ev.object, "code").value_or(500));
              ended = StatusFromHttp(c, DumpJson(ev.object));
              return false;
            }
            state->Deliver(ev);
            if (state->stopped.load()) return false;
          }
          if (!fed.ok()) {
            ended = Internal("watch " + target + ": " + fed.message());
            return false;
          }
          return !state->stopped.load();
        },
        idle);
    if (code != 200) {
      Status head = !s.ok() ? s : StatusFromHttp(code, error_body);
      if (code == 0 && s.ok()) head = Unavailable("watch " + target + ": no response");
      state->SignalHead(head.ok() ? Unavailable("watch " + target + " failed") : head);
      return;
    }
    if (ended.ok() && s.ok()) {
      events.clear();
      Status fin = decoder.Finish(&events);
      for (const api::WatchEvent& ev : events) {
        if (ev.type != api::WatchEvent::Type::kError) state->Deliver(ev);
      }
      if (!fin.ok()) ended = Internal("watch " + target + ": " + fin.message());
    }
    if (!ended.ok()) {
      state->Close(ended);
    } else if (s.ok()) {
      state->Close(Status::Ok());  // the server ended the stream (timeoutSeconds)
    } else if (!s.Is(StatusCode::kCancelled)) {
      state->Close(Unavailable("watch " + target + " dropped: " + s.message()));
    }
    state->SignalHead(Cancelled("watch " + target + " stopped before it started"));
  };
  if (!impl_->Submit(std::move(job))) {
    return Unavailable("too many watches (watches_max " +
                       std::to_string(impl_->options.watches_max) + ")");
  }
  {
    std::unique_lock<std::mutex> lock(state->head_mu);
    state->head_cv.wait(lock, [&] { return state->head_done; });
    if (!state->head_status.ok()) return state->head_status;
  }
  {
    std::lock_guard<std::mutex> lock(impl_->watches_mu);
    auto& w = impl_->watches;
    w.erase(std::remove_if(w.begin(), w.end(), [](const auto& p) { return p.expired(); }), w.end());
    w.push_back(state);
  }
  return std::unique_ptr<api::Watch>(new HttpWatch(std::move(state)));
}

}  // namespace kt::ctrl
