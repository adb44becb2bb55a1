#include "sim/cloud/arm_http_handler.h"

#include <algorithm>
#include <climits>

#include "base/json.h"
#include "sim/cloud/arm_errors.h"

namespace kt::sim::cloud {

namespace {

constexpr size_t kPathSegmentsMax = 16;

struct Request {
  const net::HttpRequest& http;
  FakeAks& aks;
  std::vector<std::string> segments;  // decoded path segments
  std::string api_version;
};

bool Eq(std::string_view a, std::string_view b) { return AsciiLower(a) == AsciiLower(b); }

net::HttpResponse JsonReply(int status, const Json& body) {
  return net::HttpResponse::Json(status, DumpJson(body));
}

net::HttpResponse ErrorReply(const Status& error) {
  net::HttpResponse r = JsonReply(ArmHttpStatus(error), ArmErrorBody(error));
  if (error.retry_after_seconds() > 0) {
    r.SetHeader("Retry-After", std::to_string(error.retry_after_seconds()));
  }
  return r;
}

std::string BaseUrl(const net::HttpRequest& req) {
  std::string host = req.Header("Host");
  if (host.empty()) host = "127.0.0.1";
  return std::string(req.tls ? "https://" : "http://") + host;
}

std::string OperationUrl(const Request& r, std::string_view kind, std::string_view id) {
  const ClusterIdentity& c = r.aks.cluster();
  return BaseUrl(r.http) + "/subscriptions/" + c.subscription_id +
         "/providers/Microsoft.ContainerService/locations/" + c.region + "/" + std::string(kind) +
         "/" + std::string(id) + "?api-version=" + r.aks.arm().operation_api_version;
}

std::string OperationIdPrefix(const ClusterIdentity& c) {
  return "/subscriptions/" + c.subscription_id +
         "/providers/Microsoft.ContainerService/locations/" + c.region + "/operations/";
}

Status CheckApiVersion(const Request& r, bool strict) {
  if (r.api_version.empty()) return MissingApiVersion();
  if (!strict) return Status::Ok();
  const auto& versions = r.aks.arm().api_versions;
  if (std::find(versions.begin(), versions.end(), r.api_version) != versions.end()) {
    return Status::Ok();
  }
  std::string csv;
  for (const std::string& v : versions) csv += (csv.empty() ? "" : ", ") + v;
  return UnsupportedApiVersion(r.api_version, r.aks.cluster().region, "managedClusters/agentPools",
                               csv);
}

Status CheckAuthorization(const net::HttpRequest& req, const ArmHandlerOptions& options) {
  if (options.bearer_token.empty()) return Status::Ok();
  const std::string auth = req.Header("Authorization");
  if (auth.empty()) return MissingAuthorization();
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.size() <= kBearer.size() || !Eq(auth.substr(0, kBearer.size()), kBearer) ||
      auth.substr(kBearer.size()) != options.bearer_token) {
    return InvalidAuthenticationToken();
  }
  return Status::Ok();
}

// --- agent pools ---------------------------------------------------------------------------

net::HttpResponse PutPool(Request& r, const std::string& name) {
  if (r.http.body.empty()) return ErrorReply(InvalidRequestContent("The request content is empty"));
  auto body = ParseJson(r.http.body);
  if (!body.ok()) return ErrorReply(InvalidRequestContent(body.status().message()));
  auto put = r.aks.PutAgentPool(name, *body);
  if (!put.ok()) return ErrorReply(put.status());
  net::HttpResponse resp = net::HttpResponse::Json(put->created ? 201 : 200, put->pool_json);
  resp.SetHeader("Azure-AsyncOperation", OperationUrl(r, "operations", put->operation_id));
  return resp;
}

net::HttpResponse DeletePool(Request& r, const std::string& name) {
  auto del = r.aks.DeleteAgentPool(name);
  if (!del.ok()) return ErrorReply(del.status());
  if (!del->existed) {
    net::HttpResponse resp;
    resp.status = 204;
    return resp;
  }
  net::HttpResponse resp;
  resp.status = 202;
  resp.SetHeader("Location", OperationUrl(r, "operationresults", del->operation_id));
  resp.SetHeader("Azure-AsyncOperation", OperationUrl(r, "operations", del->operation_id));
  resp.SetHeader("Retry-After", std::to_string(r.aks.arm().poll_retry_after_s));
  return resp;
}

net::HttpResponse AgentPools(Request& r, const std::string* name) {
  const std::string& method = r.http.method;
  if (name == nullptr) {
    if (method != "GET") return ErrorReply(MethodNotAllowed(method));
    auto pools = r.aks.ListAgentPools();
    if (!pools.ok()) return ErrorReply(pools.status());
    Json value = Json::array();
    for (Json& p : *pools) value.push_back(std::move(p));
    return JsonReply(200, Json{{"value", std::move(value)}});
  }
  if (method == "GET") {
    auto pool = r.aks.GetAgentPool(*name);
    if (!pool.ok()) return ErrorReply(pool.status());
    return JsonReply(200, *pool);
  }
  if (method == "PUT") return PutPool(r, *name);
  if (method == "DELETE") return DeletePool(r, *name);
  return ErrorReply(MethodNotAllowed(method));
}

net::HttpResponse ManagedCluster(Request& r) {
  if (r.http.method != "GET") return ErrorReply(MethodNotAllowed(r.http.method));
  auto pools = r.aks.ListAgentPools();
  if (!pools.ok()) return ErrorReply(pools.status());
  const ClusterIdentity& c = r.aks.cluster();
  Json profiles = Json::array();
  for (const Json& p : *pools) {
    Json profile = p.value("properties", Json::object());
    profile["name"] = p.value("name", "");
    profiles.push_back(std::move(profile));
  }
  return JsonReply(200, Json{{"id", c.ClusterResourceId()},
                             {"name", c.name},
                             {"location", c.region},
                             {"type", "Microsoft.ContainerService/ManagedClusters"},
                             {"properties",
                              {{"provisioningState", "Succeeded"},
                               {"powerState", {{"code", "Running"}}},
                               {"kubernetesVersion", c.kubernetes_version},
                               {"currentKubernetesVersion", c.kubernetes_version},
                               {"nodeResourceGroup", c.NodeResourceGroup()},
                               {"agentPoolProfiles", std::move(profiles)}}}});
}

// --- operations and usages -------------------------------------------------------------------

net::HttpResponse Operation(Request& r, bool results, const std::string& id) {
  if (r.http.method != "GET") return ErrorReply(MethodNotAllowed(r.http.method));
  auto op = r.aks.GetOperation(id);
  if (!op.ok()) return ErrorReply(op.status());
  const int retry = r.aks.arm().poll_retry_after_s;
  if (!results) {
    net::HttpResponse resp = JsonReply(200, op->ToJson(OperationIdPrefix(r.aks.cluster())));
    if (op->state == OperationState::kInProgress) {
      resp.SetHeader("Retry-After", std::to_string(retry));
    }
    return resp;
  }
  switch (op->state) {
    case OperationState::kInProgress: {
      net::HttpResponse resp;
      resp.status = 202;
      resp.SetHeader("Location", OperationUrl(r, "operationresults", id));
      resp.SetHeader("Retry-After", std::to_string(retry));
      return resp;
    }
    case OperationState::kSucceeded: {
      if (op->kind != OperationKind::kDelete) {
        auto pool = r.aks.GetAgentPool(op->pool);
        if (pool.ok()) return JsonReply(200, *pool);
        if (!pool.status().Is(StatusCode::kNotFound)) return ErrorReply(pool.status());
      }
      net::HttpResponse resp;
      resp.status = 204;
      return resp;
    }
    case OperationState::kFailed:
    case OperationState::kCanceled:
      return ErrorReply(op->error);
  }
  return ErrorReply(InternalServerError());
}

net::HttpResponse Usages(Request& r) {
  if (r.http.method != "GET") return ErrorReply(MethodNotAllowed(r.http.method));
  Json value = Json::array();
  for (const QuotaUsage& u : r.aks.QuotaUsages()) {
    value.push_back({{"currentValue", u.current_vcpus},
                     {"limit", u.limit_vcpus < 0 ? int64_t{INT32_MAX} : u.limit_vcpus},
                     {"name", {{"value", u.name}, {"localizedValue", u.display_name}}},
                     {"unit", "Count"}});
  }
  return JsonReply(200, Json{{"value", std::move(value)}});
}

// --- routing -----------------------------------------------------------------------------------

net::HttpResponse Route(Request& r) {
  const auto& s = r.segments;
  const ClusterIdentity& c = r.aks.cluster();
  if (s.size() < 2 || !Eq(s[0], "subscriptions")) return ErrorReply(PathNotFound(r.http.path));
  // /subscriptions/{sub}/providers/{namespace}/locations/{region}/...
  if (s.size() >= 7 && Eq(s[2], "providers") && Eq(s[4], "locations")) {
    if (Status st = CheckApiVersion(r, /*strict=*/false); !st.ok()) return ErrorReply(st);
    if (!Eq(s[1], c.subscription_id)) return ErrorReply(SubscriptionNotFound(s[1]));
    if (Eq(s[3], "Microsoft.ContainerService") && s.size() == 8 &&
        (Eq(s[6], "operations") || Eq(s[6], "operationresults"))) {
      if (!Eq(s[5], c.region)) return ErrorReply(OperationNotFound(s[7]));
      return Operation(r, Eq(s[6], "operationresults"), s[7]);
    }
    if (Eq(s[3], "Microsoft.Compute") && s.size() == 7 && Eq(s[6], "usages") &&
        Eq(s[5], c.region)) {
      return Usages(r);
    }
    return ErrorReply(PathNotFound(r.http.path));
  }
  // /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/
  // managedClusters/{cluster}[/agentPools[/{name}]]
  if (s.size() >= 8 && s.size() <= 10 && Eq(s[2], "resourceGroups") && Eq(s[4], "providers") &&
      Eq(s[5], "Microsoft.ContainerService") && Eq(s[6], "managedClusters") &&
      (s.size() == 8 || Eq(s[8], "agentPools"))) {
    if (Status st = CheckApiVersion(r, /*strict=*/true); !st.ok()) return ErrorReply(st);
    if (!Eq(s[1], c.subscription_id)) return ErrorReply(SubscriptionNotFound(s[1]));
    if (!Eq(s[3], c.resource_group)) return ErrorReply(ResourceGroupNotFound(s[3]));
    if (!Eq(s[7], c.name)) return ErrorReply(ManagedClusterNotFound(s[7], s[3]));
    if (s.size() == 8) return ManagedCluster(r);
    return AgentPools(r, s.size() == 10 ? &s[9] : nullptr);
  }
  return ErrorReply(PathNotFound(r.http.path));
}

}  // namespace

std::string AgentPoolsPath(const ClusterIdentity& cluster) {
  return cluster.ClusterResourceId() + "/agentPools";
}

net::HttpResponse HandleArmRequest(FakeAks& aks, const ArmHandlerOptions& options,
                                   const net::HttpRequest& request) {
  if (Status st = CheckAuthorization(request, options); !st.ok()) return ErrorReply(st);
  Request r{request, aks, {}, request.Query("api-version").value_or("")};
  std::string_view path = request.path;
  size_t start = 0;
  while (start < path.size() && r.segments.size() <= kPathSegmentsMax) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) r.segments.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  if (r.segments.size() > kPathSegmentsMax) return ErrorReply(PathNotFound(request.path));
  return Route(r);
}

}  // namespace kt::sim::cloud
