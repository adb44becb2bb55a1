#include "tests/controllers/runtime/fake_api_server.h"

#include "base/json.h"

namespace kt::ctrl::testing {

namespace {

net::HttpResponse StatusReply(const Status& s) {
  Json body = {{"kind", "Status"},
               {"apiVersion", "v1"},
               {"metadata", Json::object()},
               {"status", "Failure"},
               {"message", s.message()},
               {"reason", std::string(s.reason())},
               {"code", HttpCodeOf(s.code())}};
  if (s.retry_after_seconds() > 0) body["details"]["retryAfterSeconds"] = s.retry_after_seconds();
  return net::HttpResponse::Json(HttpCodeOf(s.code()), DumpJson(body));
}

std::string EventLine(std::string_view type, const Json& object) {
  return DumpJson(Json{{"type", std::string(type)}, {"object", object}}) + "\n";
}

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// The watch side of one request: lines wait until the response stream exists.
struct WatchHolder {
  std::mutex mu;
  std::shared_ptr<net::ResponseStream> stream;  // guarded by mu
  std::vector<std::string> early;               // guarded by mu
  bool close_early = false;                     // guarded by mu
  std::unique_ptr<api::Watch> watch;

  void Write(std::string line, bool close) {
    std::lock_guard<std::mutex> lock(mu);
    if (!stream) {
      if (!line.empty()) early.push_back(std::move(line));
      close_early = close_early || close;
      return;
    }
    if (!line.empty()) stream->Write(std::move(line));
    if (close) stream->Close();
  }
};

}  // namespace

FakeApiServer::FakeApiServer(RealEnv& env, FakeKubeClient& backend, Options options)
    : env_(env), backend_(backend), options_(std::move(options)) {}

FakeApiServer::~FakeApiServer() { Stop(); }

Status FakeApiServer::Start() {
  net::HttpServerOptions so;
  so.tls = options_.tls;
  server_ = std::make_unique<net::HttpServer>(
      env_, so, [this](net::HttpRequest& req, std::shared_ptr<net::Exchange> ex) {
        Handle(req, std::move(ex));
      });
  return server_->Start();
}

void FakeApiServer::Stop() {
  if (server_) server_->Stop();
}

std::string FakeApiServer::url() const { return server_->base_url(); }

std::vector<FakeApiServer::Seen> FakeApiServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_;
}

void FakeApiServer::Handle(net::HttpRequest& req, std::shared_ptr<net::Exchange> ex) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    seen_.push_back(Seen{req.method, req.target, req.Header("content-type"),
                         req.Header("authorization"), req.Header("user-agent"), req.body});
  }
  if (!options_.token.empty() && req.Header("authorization") != "Bearer " + options_.token) {
    ex->Respond(StatusReply(Unauthorized("Unauthorized")));
    return;
  }
  std::vector<std::string> segs = Split(req.path);
  api::GroupVersionResource gvr;
  size_t at;
  if (segs.size() >= 3 && segs[0] == "api") {
    gvr.version = segs[1];
    at = 2;
  } else if (segs.size() >= 4 && segs[0] == "apis") {
    gvr.group = segs[1];
    gvr.version = segs[2];
    at = 3;
  } else {
    ex->Respond(StatusReply(NotFound("the server could not find the requested resource")));
    return;
  }
  std::vector<std::string> rest(segs.begin() + at, segs.end());
  std::string ns, name, sub;
  if (rest.size() >= 3 && rest[0] == "namespaces") {
    ns = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  gvr.resource = rest[0];
  if (rest.size() > 1) name = rest[1];
  if (rest.size() > 2) sub = rest[2];

  auto reply = [&](const Result<Json>& r, int ok_code = 200) {
    if (!r.ok()) {
      ex->Respond(StatusReply(r.status()));
    } else {
      ex->Respond(net::HttpResponse::Json(ok_code, DumpJson(*r)));
    }
  };
  api::WriteOptions wo;
  wo.subresource = sub;
  wo.field_manager = req.Query("fieldManager").value_or("");
  wo.dry_run = req.Query("dryRun").has_value();
  const std::string watch = req.Query("watch").value_or("");

  if (req.method == "GET" && name.empty() && (watch == "true" || watch == "1" || watch == "True")) {
    api::ListOptions lo;
    lo.label_selector = req.Query("labelSelector").value_or("");
    lo.field_selector = req.Query("fieldSelector").value_or("");
    lo.resource_version = req.Query("resourceVersion").value_or("");
    lo.allow_watch_bookmarks = req.Query("allowWatchBookmarks").value_or("") == "true";
    auto holder = std::make_shared<WatchHolder>();
    std::weak_ptr<WatchHolder> weak = holder;
    auto w = backend_.StartWatch(
        gvr, ns, lo,
        [weak](const api::WatchEvent& ev) {
          if (auto h = weak.lock()) h->Write(EventLine(api::WatchEventTypeName(ev.type), ev.object), false);
        },
        [weak](Status s) {
          auto h = weak.lock();
          if (!h) return;
          if (s.Is(StatusCode::kGone)) {
            Json st = {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
                       {"message", s.message()}, {"reason", "Expired"}, {"code", 410}};
            h->Write(EventLine("ERROR", st), true);
          } else {
            h->Write("", true);
          }
        });
    if (!w.ok()) {
      ex->Respond(StatusReply(w.status()));
      return;
    }
    holder->watch = std::move(w).value();
    auto stream = ex->StartStream(200, {{"Content-Type", "application/json"}});
    {
      std::lock_guard<std::mutex> lock(holder->mu);
      holder->stream = stream;
      for (auto& line : holder->early) stream->Write(std::move(line));
      holder->early.clear();
      if (holder->close_early) stream->Close();
    }
    // The holder lives until the client hangs up or the watch ends.
    stream->OnClose([holder] {
      if (holder->watch) holder->watch->Stop();
    });
    return;
  }
  if (req.method == "GET" && name.empty()) {
    api::ListOptions lo;
    lo.label_selector = req.Query("labelSelector").value_or("");
    lo.field_selector = req.Query("fieldSelector").value_or("");
    lo.resource_version = req.Query("resourceVersion").value_or("");
    lo.continue_token = req.Query("continue").value_or("");
    lo.limit = std::atoll(req.Query("limit").value_or("0").c_str());
    reply(backend_.List(gvr, ns, lo));
    return;
  }
  if (req.method == "GET") {
    reply(backend_.Get(gvr, ns, name, {.subresource = sub}));
    return;
  }
  if (req.method == "POST" || req.method == "PUT") {
    auto body = ParseJson(req.body);
    if (!body.ok()) {
      ex->Respond(StatusReply(body.status()));
      return;
    }
    if (req.method == "POST") {
      reply(backend_.Create(gvr, ns, *body, wo), 201);
    } else {
      reply(backend_.Update(gvr, ns, *body, wo));
    }
    return;
  }
  if (req.method == "PATCH") {
    auto type = api::PatchTypeFromContentType(req.Header("content-type"));
    if (!type) {
      ex->Respond(StatusReply(Status(StatusCode::kUnsupportedMediaType,
                                     "the body of the request was in an unknown format")));
      return;
    }
    reply(backend_.Patch(gvr, ns, name, *type, req.body, wo));
    return;
  }
  if (req.method == "DELETE") {
    api::DeleteOptions dopt;
    if (!req.body.empty()) {
      auto body = ParseJson(req.body);
      if (!body.ok()) {
        ex->Respond(StatusReply(body.status()));
        return;
      }
      std::string p = GetString(*body, "propagationPolicy");
      if (p == "Foreground") dopt.propagation = api::PropagationPolicy::kForeground;
      if (p == "Background") dopt.propagation = api::PropagationPolicy::kBackground;
      if (p == "Orphan") dopt.propagation = api::PropagationPolicy::kOrphan;
      if (auto uid = GetString(*body, "preconditions.uid"); !uid.empty()) {
        dopt.precondition_uid = uid;
      }
      if (auto rv = GetString(*body, "preconditions.resourceVersion"); !rv.empty()) {
        dopt.precondition_resource_version = rv;
      }
    }
    reply(backend_.Delete(gvr, ns, name, dopt));
    return;
  }
  ex->Respond(StatusReply(Status(StatusCode::kMethodNotAllowed, "method not allowed")));
}

}  // namespace kt::ctrl::testing
