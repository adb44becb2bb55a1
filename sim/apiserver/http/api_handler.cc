// ApiHandler: routing, authentication, resource verbs. Discovery, OpenAPI, version, health and
// metrics are in discovery_handlers.cc.
#include "sim/apiserver/http/api_handler.h"

#include <charconv>
#include <functional>

#include "api/kube_protobuf.h"
#include "api/object.h"
#include "base/json.h"
#include "base/yaml.h"
#include "sim/apiserver/api_errors.h"
#include "sim/apiserver/http/content_negotiation.h"
#include "sim/apiserver/http/handler_call.h"
#include "sim/apiserver/http/watch_stream.h"

namespace kt::sim {

ApiHandler::ApiHandler(ApiServer& server, ApiHttpOptions options)
    : server_(server), options_(std::move(options)) {}

namespace {

bool IsTrue(const std::optional<std::string>& v) {
  return v && (*v == "true" || *v == "1" || *v == "True");
}

bool Anonymous(RequestTarget::Kind k) {
  return k == RequestTarget::Kind::kVersion || k == RequestTarget::Kind::kHealth;
}

Result<int64_t> ParseInt(const std::string& name, const std::string& v) {
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size()) {
    return BadRequest(name + ": Invalid value: \"" + v + "\": must be an integer");
  }
  return out;
}

Result<api::PropagationPolicy> ParsePropagation(const std::string& v) {
  if (v == "Background") return api::PropagationPolicy::kBackground;
  if (v == "Foreground") return api::PropagationPolicy::kForeground;
  if (v == "Orphan") return api::PropagationPolicy::kOrphan;
  return Invalid("propagationPolicy: Unsupported value: \"" + v +
                 "\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
}

Status CheckDryRun(const Json& values) {
  for (const auto& v : values) {
    if (!v.is_string() || v.get<std::string>() != "All") {
      return BadRequest("dryRun: Unsupported value: " + DumpJson(v) + ": supported values: \"All\"");
    }
  }
  return Status::Ok();
}

Result<api::WriteOptions> WriteOptionsFrom(const net::HttpRequest& req, const ResourceRef& ref) {
  api::WriteOptions o;
  o.subresource = ref.subresource;
  o.field_manager = req.Query("fieldManager").value_or("");
  if (auto fv = req.Query("fieldValidation")) {
    if (*fv != "Strict" && *fv != "Warn" && *fv != "Ignore" && !fv->empty()) {
      return BadRequest("fieldValidation: Unsupported value: \"" + *fv +
                        "\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
    }
    o.field_validation = *fv;
  }
  for (const auto& [k, v] : req.query) {
    if (k != "dryRun") continue;
    KT_RETURN_IF_ERROR(CheckDryRun(Json::array({v})));
    o.dry_run = true;
  }
  o.force = IsTrue(req.Query("force"));
  return o;
}

Result<api::ListOptions> ListOptionsFrom(const net::HttpRequest& req) {
  api::ListOptions o;
  o.label_selector = req.Query("labelSelector").value_or("");
  o.field_selector = req.Query("fieldSelector").value_or("");
  o.continue_token = req.Query("continue").value_or("");
  o.resource_version = req.Query("resourceVersion").value_or("");
  if (auto l = req.Query("limit"); l && !l->empty()) {
    KT_ASSIGN_OR_RETURN(o.limit, ParseInt("limit", *l));
  }
  if (auto t = req.Query("timeoutSeconds"); t && !t->empty()) {
    KT_ASSIGN_OR_RETURN(int64_t s, ParseInt("timeoutSeconds", *t));
    o.timeout_seconds = s;
  }
  o.allow_watch_bookmarks = IsTrue(req.Query("allowWatchBookmarks"));
  o.send_initial_events = IsTrue(req.Query("sendInitialEvents"));
  if (o.send_initial_events) {
    std::string match = req.Query("resourceVersionMatch").value_or("");
    if (match != "NotOlderThan") {
      return Invalid("resourceVersionMatch: Forbidden: sendInitialEvents requires setting "
                     "resourceVersionMatch to NotOlderThan");
    }
    if (!o.allow_watch_bookmarks) {
      return Invalid("allowWatchBookmarks: Forbidden: sendInitialEvents requires setting "
                     "allowWatchBookmarks to true");
    }
  }
  return o;
}

Result<api::DeleteOptions> DeleteOptionsFrom(const net::HttpRequest& req) {
  api::DeleteOptions o;
  if (!req.body.empty()) {
    auto body = ParseJson(req.body);
    if (!body.ok()) return BadRequest("the DeleteOptions body is not valid JSON: " + body.status().message());
    if (!body->is_object()) return BadRequest("the DeleteOptions body must be a JSON object");
    if (auto p = body->find("propagationPolicy"); p != body->end() && p->is_string()) {
      KT_ASSIGN_OR_RETURN(o.propagation, ParsePropagation(p->get<std::string>()));
    }
    if (auto g = GetInt(*body, "gracePeriodSeconds")) o.grace_period_seconds = *g;
    if (auto u = FindPath(*body, "preconditions.uid"); u && u->is_string()) o.precondition_uid = u->get<std::string>();
    if (auto r = FindPath(*body, "preconditions.resourceVersion"); r && r->is_string()) {
      o.precondition_resource_version = r->get<std::string>();
    }
    if (auto d = body->find("dryRun"); d != body->end() && d->is_array()) {
      KT_RETURN_IF_ERROR(CheckDryRun(*d));
      o.dry_run = !d->empty();
    }
    if (auto orphan = body->find("orphanDependents"); orphan != body->end() && orphan->is_boolean() &&
        o.propagation == api::PropagationPolicy::kDefault) {
      o.propagation = orphan->get<bool>() ? api::PropagationPolicy::kOrphan
                                          : api::PropagationPolicy::kBackground;
    }
  }
  if (auto p = req.Query("propagationPolicy")) {
    KT_ASSIGN_OR_RETURN(o.propagation, ParsePropagation(*p));
  }
  if (auto g = req.Query("gracePeriodSeconds"); g && !g->empty()) {
    KT_ASSIGN_OR_RETURN(int64_t v, ParseInt("gracePeriodSeconds", *g));
    o.grace_period_seconds = v;
  }
  if (auto orphan = req.Query("orphanDependents"); orphan && o.propagation == api::PropagationPolicy::kDefault) {
    o.propagation = IsTrue(orphan) ? api::PropagationPolicy::kOrphan : api::PropagationPolicy::kBackground;
  }
  for (const auto& [k, v] : req.query) {
    if (k != "dryRun") continue;
    KT_RETURN_IF_ERROR(CheckDryRun(Json::array({v})));
    o.dry_run = true;
  }
  return o;
}

// The request body as an object: JSON, or YAML or Kubernetes protobuf when sent as such.
// `kind_hint` names the expected kind in a parse error (asked only then: it takes the server lock).
Result<Json> DecodeBody(const net::HttpRequest& req,
                        const std::function<std::string()>& kind_hint) {
  std::string media = MediaType(req.Header("content-type"));
  if (media.empty() || media == "application/json" || media == "*/*") {
    auto j = ParseJson(req.body);
    if (!j.ok()) {
      return BadRequest("the object provided is unrecognized (must be of type " + kind_hint() +
                        "): couldn't get version/kind; json parse error: " + j.status().message());
    }
    return std::move(*j);
  }
  if (media == "application/yaml" || media == "application/x-yaml" || media == "text/yaml") {
    auto y = ParseYaml(req.body);
    if (!y.ok()) return BadRequest("error converting YAML to JSON: " + y.status().message());
    return std::move(*y);
  }
  if (media == api::kKubeProtobufMediaType) return api::DecodeKubeProtobuf(req.body);
  return Status(StatusCode::kUnsupportedMediaType,
                "the body of the request was in an unknown format - accepted media types include: "
                "application/json, application/yaml, application/vnd.kubernetes.protobuf");
}

std::string SerializeList(const ListResult& list) {
  std::string out = "{\"apiVersion\":" + DumpJson(list.api_version) + ",\"items\":[";
  for (size_t i = 0; i < list.items.size(); ++i) {
    if (i) out += ',';
    out += DumpJson(*list.items[i]);
  }
  out += "],\"kind\":" + DumpJson(list.kind) + ",\"metadata\":{";
  if (!list.continue_token.empty()) out += "\"continue\":" + DumpJson(list.continue_token) + ",";
  if (list.remaining_item_count) {
    out += "\"remainingItemCount\":" + std::to_string(*list.remaining_item_count) + ",";
  }
  out += "\"resourceVersion\":\"" + std::to_string(list.resource_version) + "\"}}";
  return out;
}

Json PartialMetadata(const Json& obj) {
  return {{"apiVersion", "meta.k8s.io/v1"},
          {"kind", "PartialObjectMetadata"},
          {"metadata", obj.value("metadata", Json::object())}};
}

std::string IncludeObject(const net::HttpRequest& req) {
  std::string v = req.Query("includeObject").value_or("Metadata");
  return v.empty() ? "Metadata" : v;
}

}  // namespace

void ApiHandler::Handle(net::HttpRequest& req, std::shared_ptr<net::Exchange> ex) {
  Call call{this, req, std::move(ex), server_.env().Now(), {}, ParseAccept(req.Header("accept")), {}, {}};
  RequestTarget target = ParseRequestTarget(req.path);
  if (!options_.bearer_token.empty() && !Anonymous(target.kind)) {
    std::string auth = req.Header("authorization");
    if (auth != "Bearer " + options_.bearer_token) {
      call.labels.verb = req.method;
      return call.Error(Unauthorized("Unauthorized"));
    }
  }
  // Health and metrics are plain text whatever the client accepts (Prometheus sends text/plain).
  const bool text_endpoint =
      target.kind == RequestTarget::Kind::kHealth || target.kind == RequestTarget::Kind::kMetrics;
  // OpenAPI v2 negotiates JSON or protobuf itself (ServeOpenApiV2).
  const bool own_negotiation = target.kind == RequestTarget::Kind::kOpenApiV2;
  if (!call.accept.json_acceptable && !text_endpoint && !own_negotiation) {
    call.labels.verb = req.method;
    return call.Error(Status(StatusCode::kNotAcceptable,
                             "only the following media types are accepted: application/json, "
                             "application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io"));
  }
  if (target.kind == RequestTarget::Kind::kResource) return HandleResource(target, call);
  return HandleNonResource(target, call);
}

void ApiHandler::HandleResource(const RequestTarget& target, Call& call) {
  call.ref = target.ref;
  const std::string& m = call.req.method;
  auto& l = call.labels;
  l.group = call.ref.gvr.group;
  l.version = call.ref.gvr.version;
  l.resource = call.ref.gvr.resource;
  l.subresource = call.ref.subresource;
  l.scope = !call.ref.name.empty() ? "resource" : call.ref.ns.empty() ? "cluster" : "namespace";
  if (m == "GET" || m == "HEAD") {
    bool watch = IsTrue(call.req.Query("watch"));
    l.verb = watch ? "WATCH" : call.ref.name.empty() ? "LIST" : "GET";
    return watch ? HandleWatch(call) : HandleRead(call);
  }
  if (m == "POST" || m == "PUT" || m == "PATCH") {
    l.verb = m;
    if (m == "PATCH" && MediaType(call.req.Header("content-type")) == "application/apply-patch+yaml") {
      l.verb = "APPLY";
    }
    return HandleWrite(call);
  }
  if (m == "DELETE") {
    l.verb = call.ref.name.empty() ? "DELETECOLLECTION" : "DELETE";
    return HandleDelete(call);
  }
  l.verb = m;
  call.Error(Status(StatusCode::kMethodNotAllowed,
                    "the server does not allow this method on the requested resource"));
}

void ApiHandler::HandleRead(Call& call) {
  const ResourceRef& ref = call.ref;
  if (!ref.name.empty()) {
    api::GetOptions go;
    go.subresource = ref.subresource;
    auto obj = server_.Get(ref, go, call.ctx);
    if (!obj.ok()) return call.Error(obj.status());
    if (call.accept.table && ref.subresource != "scale") {
      auto t = server_.RenderTable(ref.gvr, {obj->get()}, IncludeObject(call.req));
      if (!t.ok()) return call.Error(t.status());
      (*t)["metadata"]["resourceVersion"] = api::ResourceVersion(**obj);
      return call.Reply(200, DumpJson(*t), kTableContentType);
    }
    if (call.accept.partial_metadata) return call.ReplyJson(200, PartialMetadata(**obj));
    return call.Reply(200, DumpJson(**obj));
  }
  auto opts = ListOptionsFrom(call.req);
  if (!opts.ok()) return call.Error(opts.status());
  auto list = server_.List(ref, *opts, call.ctx);
  if (!list.ok()) return call.Error(list.status());
  if (call.accept.table) {
    std::vector<const Json*> objs;
    objs.reserve(list->items.size());
    for (const auto& o : list->items) objs.push_back(o.get());
    auto t = server_.RenderTable(ref.gvr, objs, IncludeObject(call.req));
    if (!t.ok()) return call.Error(t.status());
    (*t)["metadata"]["resourceVersion"] = std::to_string(list->resource_version);
    if (!list->continue_token.empty()) (*t)["metadata"]["continue"] = list->continue_token;
    if (list->remaining_item_count) (*t)["metadata"]["remainingItemCount"] = *list->remaining_item_count;
    return call.Reply(200, DumpJson(*t), kTableContentType);
  }
  if (call.accept.partial_metadata) {
    Json items = Json::array();
    for (const auto& o : list->items) items.push_back(PartialMetadata(*o));
    Json meta = {{"resourceVersion", std::to_string(list->resource_version)}};
    if (!list->continue_token.empty()) meta["continue"] = list->continue_token;
    return call.ReplyJson(200, {{"apiVersion", "meta.k8s.io/v1"},
                                {"kind", "PartialObjectMetadataList"},
                                {"metadata", meta},
                                {"items", items}});
  }
  call.Reply(200, SerializeList(*list));
}

void ApiHandler::HandleWatch(Call& call) {
  auto opts = ListOptionsFrom(call.req);
  if (!opts.ok()) return call.Error(opts.status());
  auto sink = std::make_shared<HttpWatchSink>(server_, call.ref.gvr, call.accept.table,
                                              IncludeObject(call.req), &metrics_);
  auto handle = server_.Watch(call.ref, *opts, sink, call.ctx);
  if (!handle.ok()) return call.Error(handle.status());
  call.Observe(200);
  std::shared_ptr<WatchHandle> shared_handle = std::move(*handle);
  auto stream = call.ex->StartStream(
      200, {{"Content-Type", call.accept.table ? kTableContentType : "application/json"},
            {"Cache-Control", "no-cache, private"}});
  metrics_.WatchOpened(call.labels);
  RequestLabels labels = call.labels;
  ApiMetrics* metrics = &metrics_;
  stream->OnClose([shared_handle, labels, metrics] {
    shared_handle->Stop();
    metrics->WatchClosed(labels);
  });
  sink->Attach(stream);
}

void ApiHandler::HandleWrite(Call& call) {
  const ResourceRef& ref = call.ref;
  const std::string& m = call.req.method;
  auto wo = WriteOptionsFrom(call.req, ref);
  if (!wo.ok()) return call.Error(wo.status());
  Result<WriteResult> r = Status(StatusCode::kInternal, "unreachable");
  if (m == "PATCH") {
    if (ref.name.empty()) {
      return call.Error(Status(StatusCode::kMethodNotAllowed,
                               "the server does not allow this method on the requested resource"));
    }
    std::string ct = call.req.Header("content-type");
    auto pt = api::PatchTypeFromContentType(ct);
    if (!pt) {
      return call.Error(Status(StatusCode::kUnsupportedMediaType,
                               "the body of the request was in an unknown format - accepted media "
                               "types include: application/json-patch+json, "
                               "application/merge-patch+json, application/apply-patch+yaml, "
                               "application/strategic-merge-patch+json"));
    }
    if (wo->force && *pt != api::PatchType::kApply) {
      return call.Error(Invalid("force: Forbidden: may not be specified for non-apply patch"));
    }
    r = server_.Patch(ref, *pt, call.req.body, *wo, call.ctx);
  } else {
    auto body = DecodeBody(call.req, [&] {
      auto type = server_.Resolve(ref.gvr);
      return type ? type->kind : ref.gvr.resource;
    });
    if (!body.ok()) return call.Error(body.status());
    if (m == "POST") {
      if (!ref.name.empty() && ref.subresource.empty()) {
        return call.Error(Status(StatusCode::kMethodNotAllowed,
                                 "the server does not allow this method on the requested resource"));
      }
      r = server_.Create(ref, std::move(*body), *wo, call.ctx);
    } else {
      if (ref.name.empty()) {
        return call.Error(Status(StatusCode::kMethodNotAllowed,
                                 "the server does not allow this method on the requested resource"));
      }
      r = server_.Update(ref, std::move(*body), *wo, call.ctx);
    }
  }
  if (!r.ok()) return call.Error(r.status());
  int code = r->created ? 201 : 200;
  call.ReplyJson(code, *r->object, r->warnings);
}

void ApiHandler::HandleDelete(Call& call) {
  auto opts = DeleteOptionsFrom(call.req);
  if (!opts.ok()) return call.Error(opts.status());
  if (call.ref.name.empty()) {
    auto sel = ListOptionsFrom(call.req);
    if (!sel.ok()) return call.Error(sel.status());
    auto r = server_.DeleteCollection(call.ref, *sel, *opts, call.ctx);
    if (!r.ok()) return call.Error(r.status());
    return call.Reply(200, SerializeList(*r));
  }
  auto r = server_.Delete(call.ref, *opts, call.ctx);
  if (!r.ok()) return call.Error(r.status());
  call.ReplyJson(r->removed ? 200 : 202, r->object);
}

}  // namespace kt::sim
