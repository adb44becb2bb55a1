#include "controllers/runtime/manager.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "base/log.h"
#include "base/net/http_server.h"
#include "base/real_env.h"
#include "controllers/runtime/poll.h"

namespace kt::ctrl {

namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Disabled(const std::string& address) { return address.empty() || address == "0"; }

}  // namespace

Result<std::pair<std::string, uint16_t>> ParseBindAddress(std::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) {
    return BadRequest("bind address \"" + std::string(address) + "\" is not host:port");
  }
  std::string host(address.substr(0, colon));
  std::string_view port_text = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  unsigned port = 0;
  if (port_text.empty() || port_text.size() > 5) {
    return BadRequest("bind address \"" + std::string(address) + "\" has no valid port");
  }
  for (char c : port_text) {
    if (c < '0' || c > '9') {
      return BadRequest("bind address \"" + std::string(address) + "\" has no valid port");
    }
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  if (port > 65535) return BadRequest("port out of range in \"" + std::string(address) + "\"");
  return std::make_pair(host, static_cast<uint16_t>(port));
}

Manager::Manager(Env& env, api::KubeClient& client, ManagerOptions options)
    : env_(env), client_(client), options_(std::move(options)), cache_(env, client, options_.cache) {
  if (options_.identity.empty()) {
    char hex[16];
    std::snprintf(hex, sizeof(hex), "%08x",
                  static_cast<unsigned>(env.Random("manager/identity/" + options_.name).Next()));
    options_.identity = options_.name + "_" + hex;
  }
  healthz_.Add("ping", [] { return Status::Ok(); });
  readyz_.Add("ping", [] { return Status::Ok(); });
  healthz_.Add("leader-election", [this] {
    return state() == State::kLostLeadership ? Unavailable("leader election lost") : Status::Ok();
  });
}

Manager::~Manager() { Stop(); }

Controller& Manager::NewController(ControllerOptions options, Reconciler& reconciler) {
  auto owned = std::make_unique<Controller>(env_, cache_, metrics_, reconciler, std::move(options));
  Controller& c = *owned;
  std::lock_guard<std::mutex> lock(mu_);
  controllers_.push_back(std::move(owned));
  return c;
}

void Manager::Complete(Controller& controller) {
  bool start;
  {
    std::lock_guard<std::mutex> lock(mu_);
    start = state_ == State::kRunning && leader_work_started_;
  }
  if (start) controller.Start();
}

void Manager::Add(std::unique_ptr<Runnable> runnable) {
  Runnable* r = runnable.get();
  bool start;
  {
    std::lock_guard<std::mutex> lock(mu_);
    runnables_.push_back(std::move(runnable));
    start = state_ == State::kRunning && (!r->NeedsLeaderElection() || leader_work_started_);
  }
  if (start) {
    Status s = r->Start();
    if (!s.ok()) {
      KT_LOG(ERROR) << "runnable " << r->name() << ": " << s.ToString();
    }
  }
}

EventRecorder& Manager::GetEventRecorderFor(const std::string& component) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = recorders_[component];
  if (!slot) {
    EventRecorderOptions o;
    o.component = component;
    o.instance = options_.identity;
    slot = std::make_unique<EventRecorder>(env_, client_, o);
  }
  return *slot;
}

void Manager::AddWebhook(const std::string& path, WebhookHandler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  webhooks_[path] = std::move(handler);
}

void Manager::AddHealthzCheck(std::string name, HealthCheck check) {
  healthz_.Add(std::move(name), std::move(check));
}

void Manager::AddReadyzCheck(std::string name, HealthCheck check) {
  readyz_.Add(std::move(name), std::move(check));
}

Manager::State Manager::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

bool Manager::IsLeader() const {
  if (!options_.leader_election) return state() == State::kRunning;
  return elector_ && elector_->IsLeader();
}

uint16_t Manager::metrics_port() const { return metrics_server_ ? metrics_server_->port() : 0; }
uint16_t Manager::health_probe_port() const { return probe_server_ ? probe_server_->port() : 0; }
uint16_t Manager::webhook_port() const { return webhook_server_ ? webhook_server_->port() : 0; }

Status Manager::StartServers() {
  const bool any = !Disabled(options_.metrics_bind_address) ||
                   !Disabled(options_.health_probe_bind_address) ||
                   !Disabled(options_.webhook_bind_address);
  if (!any) return Status::Ok();
  auto* real = dynamic_cast<RealEnv*>(&env_);
  if (real == nullptr) {
    return BadRequest("the metrics, probe and webhook endpoints need a RealEnv; use Serve()");
  }
  auto make = [&](const std::string& address, std::optional<net::TlsServerConfig> tls,
                  std::function<net::HttpResponse(const net::HttpRequest&)> serve,
                  std::unique_ptr<net::HttpServer>* out) -> Status {
    if (Disabled(address)) return Status::Ok();
    KT_ASSIGN_OR_RETURN(auto hp, ParseBindAddress(address));
    net::HttpServerOptions so;
    so.bind_address = hp.first;
    so.port = hp.second;
    so.tls = std::move(tls);
    so.server_name = options_.name;
    auto server = std::make_unique<net::HttpServer>(
        *real, so, [serve](net::HttpRequest& req, std::shared_ptr<net::Exchange> ex) {
          ex->Respond(serve(req));
        });
    KT_RETURN_IF_ERROR(server->Start().Annotate("listening on " + address));
    *out = std::move(server);
    return Status::Ok();
  };
  KT_RETURN_IF_ERROR(make(
      options_.metrics_bind_address, std::nullopt,
      [this](const net::HttpRequest& req) {
        if (req.path != "/metrics") return net::HttpResponse::Text(404, "404 page not found\n");
        return Serve(req);
      },
      &metrics_server_));
  KT_RETURN_IF_ERROR(make(
      options_.health_probe_bind_address, std::nullopt,
      [this](const net::HttpRequest& req) { return Serve(req); }, &probe_server_));
  if (!Disabled(options_.webhook_bind_address)) {
    const std::string dir = options_.webhook_cert_dir;
    KT_ASSIGN_OR_RETURN(std::string cert, ReadFile(dir + "/" + options_.webhook_cert_name));
    KT_ASSIGN_OR_RETURN(std::string key, ReadFile(dir + "/" + options_.webhook_key_name));
    net::TlsServerConfig tls;
    tls.cert_chain_pem = std::move(cert);
    tls.private_key_pem = std::move(key);
    KT_RETURN_IF_ERROR(make(
        options_.webhook_bind_address, tls,
        [this](const net::HttpRequest& req) { return ServeWebhook(req); }, &webhook_server_));
    readyz_.Add("webhook", [this] {
      return webhook_server_ ? Status::Ok() : Unavailable("webhook server not started");
    });
  }
  return Status::Ok();
}

Status Manager::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::kNew) return Conflict("manager " + options_.name + " was already started");
    if (options_.leader_election &&
        (options_.leader_election_id.empty() || options_.leader_election_namespace.empty())) {
      return BadRequest("leader election needs leader_election_id and leader_election_namespace");
    }
  }
  KT_RETURN_IF_ERROR(StartServers());
  std::vector<Runnable*> plain;
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = State::kRunning;
    for (auto& r : runnables_) {
      if (!r->NeedsLeaderElection()) plain.push_back(r.get());
    }
  }
  cache_.Start();
  for (Runnable* r : plain) {
    Status s = r->Start();
    if (!s.ok()) {
      KT_LOG(ERROR) << "runnable " << r->name() << ": " << s.ToString();
    }
  }
  if (!options_.leader_election) {
    StartLeaderWork();
    return Status::Ok();
  }
  LeaderElectionOptions lo;
  lo.lease_namespace = options_.leader_election_namespace;
  lo.lease_name = options_.leader_election_id;
  lo.identity = options_.identity;
  lo.lease_duration = options_.lease_duration;
  lo.renew_deadline = options_.renew_deadline;
  lo.retry_period = options_.retry_period;
  LeaderCallbacks cb;
  cb.on_started_leading = [this] { StartLeaderWork(); };
  cb.on_stopped_leading = [this] { OnLostLeadership(); };
  elector_ = std::make_unique<LeaderElector>(env_, client_, lo, cb, &metrics_);
  elector_->Start();
  return Status::Ok();
}

void Manager::StartLeaderWork() {
  std::vector<Controller*> controllers;
  std::vector<Runnable*> runnables;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::kRunning || leader_work_started_) return;
    leader_work_started_ = true;
    for (auto& c : controllers_) controllers.push_back(c.get());
    for (auto& r : runnables_) {
      if (r->NeedsLeaderElection()) runnables.push_back(r.get());
    }
  }
  for (Controller* c : controllers) c->Start();
  for (Runnable* r : runnables) {
    Status s = r->Start();
    if (!s.ok()) {
      KT_LOG(ERROR) << "runnable " << r->name() << ": " << s.ToString();
    }
  }
}

void Manager::StopLeaderWork() {
  std::vector<Controller*> controllers;
  std::vector<Runnable*> runnables;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& c : controllers_) controllers.push_back(c.get());
    for (auto& r : runnables_) {
      if (r->NeedsLeaderElection()) runnables.push_back(r.get());
    }
  }
  for (Controller* c : controllers) c->Stop();
  for (Runnable* r : runnables) r->Stop();
}

void Manager::OnLostLeadership() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::kRunning) return;
    state_ = State::kLostLeadership;
  }
  KT_LOG(ERROR) << "manager " << options_.name << " (" << options_.identity
                << "): leader election lost; controllers stopped";
  StopLeaderWork();
  cv_.notify_all();
}

void Manager::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == State::kStopped) return;
    if (state_ == State::kNew) {
      state_ = State::kStopped;
      cv_.notify_all();
      return;
    }
    if (state_ == State::kRunning) state_ = State::kStopped;
  }
  // 1. Stop taking work.
  StopLeaderWork();
  // 2. Let reconciles in flight finish, within the deadline.
  std::vector<Controller*> controllers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& c : controllers_) controllers.push_back(c.get());
  }
  const bool idle = PollUntil(
      env_,
      [&] {
        for (Controller* c : controllers) {
          if (c->active_workers() > 0) return false;
        }
        return true;
      },
      options_.graceful_shutdown_timeout);
  if (!idle) {
    KT_LOG(WARNING) << "manager " << options_.name << ": reconciles still running after "
                    << ToSeconds(options_.graceful_shutdown_timeout) << " s of graceful shutdown";
  }
  // 3. Hand the lease over.
  if (elector_) elector_->Stop();
  // 4. Everything else.
  std::vector<Runnable*> plain;
  std::vector<EventRecorder*> recorders;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& r : runnables_) {
      if (!r->NeedsLeaderElection()) plain.push_back(r.get());
    }
    for (auto& [name, r] : recorders_) recorders.push_back(r.get());
  }
  for (Runnable* r : plain) r->Stop();
  for (EventRecorder* r : recorders) r->Stop();
  cache_.Stop();
  if (webhook_server_) webhook_server_->Stop();
  if (probe_server_) probe_server_->Stop();
  if (metrics_server_) metrics_server_->Stop();
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = State::kStopped;
  }
  cv_.notify_all();
}

Status Manager::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return state_ == State::kStopped || state_ == State::kLostLeadership; });
  if (state_ == State::kLostLeadership || (elector_ && elector_->lost())) {
    return Unavailable("leader election lost");
  }
  return Status::Ok();
}

net::HttpResponse Manager::ServeWebhook(const net::HttpRequest& request) {
  WebhookHandler handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = webhooks_.find(request.path);
    if (it != webhooks_.end()) handler = it->second;
  }
  if (!handler) return net::HttpResponse::Text(404, "no webhook at " + request.path + "\n");
  if (request.method != "POST") return net::HttpResponse::Text(405, "webhooks take POST\n");
  return handler(request);
}

net::HttpResponse Manager::Serve(const net::HttpRequest& request) {
  net::HttpResponse response;
  if (request.path == "/metrics") {
    response = net::HttpResponse::Text(200, metrics_.Render());
    response.headers.clear();
    response.SetHeader("Content-Type", std::string(MetricsRegistry::kContentType));
    return response;
  }
  if (healthz_.Serve(request, &response) || readyz_.Serve(request, &response)) return response;
  return ServeWebhook(request);
}

}  // namespace kt::ctrl
