// ApiHandler: the non-resource endpoints — discovery (aggregated v2/v2beta1 with the exact
// Content-Type kubectl requires, else legacy), OpenAPI v3 and v2, /version, health, metrics.
#include "base/json.h"
#include "sim/apiserver/api_errors.h"
#include "sim/apiserver/http/handler_call.h"
#include "sim/apiserver/types/openapi_v2.h"

namespace kt::sim {

std::string ApiHandler::VersionJson() const {
  std::string minor = std::to_string(options_.version_minor);
  Json v = {{"major", "1"},
            {"minor", minor},
            {"gitVersion", "v1." + minor + ".0"},
            {"gitCommit", "0000000000000000000000000000000000000000"},
            {"gitTreeState", "clean"},
            {"buildDate", "2025-01-01T00:00:00Z"},
            {"goVersion", "go1.23.4"},
            {"compiler", "gc"},
            {"platform", "linux/amd64"}};
  return DumpJson(v);
}

void ApiHandler::HandleNonResource(const RequestTarget& target, Call& call) {
  using K = RequestTarget::Kind;
  call.labels.verb = call.req.method;
  if (call.req.method != "GET" && call.req.method != "HEAD") {
    return call.Error(Status(StatusCode::kMethodNotAllowed,
                             "the server does not allow this method on the requested resource"));
  }
  switch (target.kind) {
    case K::kVersion:
      return call.Reply(200, VersionJson());
    case K::kHealth:
      return call.Reply(200, "ok", "text/plain; charset=utf-8");
    case K::kMetrics:
      return call.Reply(200, metrics_.Render(), "text/plain; version=0.0.4; charset=utf-8");
    case K::kCoreRoot:
    case K::kGroupsRoot: {
      const bool core = target.kind == K::kCoreRoot;
      const std::string& v = call.accept.aggregated_discovery;
      Json body;
      server_.ReadTypes([&](const TypeRegistry& types) {
        if (!v.empty()) body = types.AggregatedDiscovery(core);
        else body = core ? types.LegacyApiVersions() : types.LegacyApiGroupList();
      });
      if (v.empty()) {
        if (core && !options_.server_address.empty()) {
          body["serverAddressByClientCIDRs"] =
              Json::array({{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", options_.server_address}}});
        }
        return call.ReplyJson(200, body);
      }
      body["apiVersion"] = "apidiscovery.k8s.io/" + v;
      return call.Reply(200, DumpJson(body),
                        v == "v2" ? kAggregatedDiscoveryV2 : kAggregatedDiscoveryV2Beta1);
    }
    case K::kGroup: {
      Result<Json> r = NotFound("");
      server_.ReadTypes([&](const TypeRegistry& types) { r = types.LegacyApiGroup(target.group); });
      if (!r.ok()) return call.Error(UnknownResourceError());
      return call.ReplyJson(200, *r);
    }
    case K::kGroupVersion: {
      Result<Json> r = NotFound("");
      server_.ReadTypes([&](const TypeRegistry& types) {
        r = types.LegacyApiResourceList(target.group, target.version);
      });
      if (!r.ok()) return call.Error(UnknownResourceError());
      return call.ReplyJson(200, *r);
    }
    case K::kOpenApiIndex: {
      Json body;
      server_.ReadTypes([&](const TypeRegistry& types) { body = types.OpenApiIndex(); });
      return call.ReplyJson(200, body);
    }
    case K::kOpenApiDoc: {
      Result<Json> r = NotFound("");
      server_.ReadTypes([&](const TypeRegistry& types) { r = types.OpenApiDocument(target.openapi_path); });
      if (!r.ok()) return call.Error(UnknownResourceError());
      return call.ReplyJson(200, *r);
    }
    case K::kOpenApiV2: {
      Result<OpenApiV2Reply> r = Status(StatusCode::kInternal, "no type registry");
      server_.ReadTypes([&](const TypeRegistry& types) {
        r = ServeOpenApiV2(types, call.req.Header("accept"), call.req.Header("if-none-match"));
      });
      if (!r.ok()) return call.Error(r.status());
      net::HttpResponse resp;
      resp.status = r->status;
      resp.body = std::move(r->body);
      resp.SetHeader("Content-Type", r->content_type);
      resp.SetHeader("Etag", r->etag);
      resp.SetHeader("Vary", "Accept");
      resp.SetHeader("Cache-Control", "no-cache, private");
      call.Observe(resp.status);
      return call.ex->Respond(std::move(resp));
    }
    case K::kNotFound:
    case K::kResource:
      break;
  }
  call.Error(UnknownResourceError());
}

}  // namespace kt::sim
