#include "sim/apiserver/webhook_admission.h"

#include <algorithm>

#include "api/label_selector.h"
#include "api/object.h"
#include "base/json.h"
#include "base/log.h"
#include "base/net/http_client.h"
#include "base/base64.h"
#include "sim/apiserver/types/patch.h"

namespace kt::sim {

namespace {

bool ListHas(const Json& rule, const char* field, std::string_view value) {
  const Json* list = FindPath(rule, field);
  if (list == nullptr || !list->is_array()) return false;
  for (const auto& v : *list) {
    if (!v.is_string()) continue;
    const auto& s = v.get_ref<const std::string&>();
    if (s == "*" || s == value) return true;
  }
  return false;
}

bool ResourceMatches(const Json& rule, std::string_view resource, std::string_view sub) {
  const Json* list = FindPath(rule, "resources");
  if (list == nullptr || !list->is_array()) return false;
  for (const auto& v : *list) {
    if (!v.is_string()) continue;
    std::string_view entry = v.get_ref<const std::string&>();
    size_t slash = entry.find('/');
    std::string_view res = entry.substr(0, slash);
    std::string_view esub = slash == std::string_view::npos ? "" : entry.substr(slash + 1);
    bool res_ok = res == "*" || res == resource;
    bool sub_ok = slash == std::string_view::npos ? sub.empty() : (esub == "*" || esub == sub);
    if (res_ok && sub_ok) return true;
  }
  return false;
}

bool RuleMatches(const Json& rule, const AdmissionRequest& r, bool namespaced) {
  if (!ListHas(rule, "operations", AdmissionOperationName(r.operation))) return false;
  if (!ListHas(rule, "apiGroups", r.resource.group)) return false;
  if (!ListHas(rule, "apiVersions", r.resource.version)) return false;
  if (!ResourceMatches(rule, r.resource.resource, r.subresource)) return false;
  std::string scope = GetString(rule, "scope", "*");
  if (scope == "Cluster" && namespaced) return false;
  if (scope == "Namespaced" && !namespaced) return false;
  return true;
}

// A metav1.LabelSelector field; absent means "everything". A malformed one matches nothing.
bool SelectorMatches(const Json& webhook, const char* field, const api::Labels& labels) {
  const Json* sel = FindPath(webhook, field);
  if (sel == nullptr || sel->is_null()) return true;
  auto parsed = api::LabelSelector::FromJson(*sel);
  if (!parsed.ok()) return false;
  return parsed->Matches(labels);
}

}  // namespace

std::vector<WebhookCall> MatchWebhooks(const std::vector<std::shared_ptr<const Json>>& configs,
                                       bool mutating, const AdmissionRequest& request,
                                       bool namespaced, const Json* namespace_object,
                                       const ServiceResolver& resolve_service) {
  std::vector<WebhookCall> out;
  // Webhook configurations themselves are never sent to webhooks (no lock-out).
  if (request.resource.group == "admissionregistration.k8s.io") return out;
  for (const auto& cfg : configs) {
    if (api::IsDeleting(*cfg)) continue;
    const Json* hooks = FindPath(*cfg, "webhooks");
    if (hooks == nullptr || !hooks->is_array()) continue;
    for (const auto& hook : *hooks) {
      const Json* rules = FindPath(hook, "rules");
      if (rules == nullptr || !rules->is_array()) continue;
      bool rule_ok = false;
      for (const auto& rule : *rules) rule_ok = rule_ok || RuleMatches(rule, request, namespaced);
      if (!rule_ok) continue;
      // namespaceSelector: the request's namespace, or the Namespace itself when it is one.
      if (request.resource.group.empty() && request.resource.resource == "namespaces") {
        const Json* obj = request.object ? request.object : request.old_object;
        if (obj && !SelectorMatches(hook, "namespaceSelector", api::GetLabels(*obj))) continue;
      } else if (namespaced && namespace_object != nullptr) {
        if (!SelectorMatches(hook, "namespaceSelector", api::GetLabels(*namespace_object))) {
          continue;
        }
      }
      bool obj_ok = false;
      if (request.object) obj_ok = SelectorMatches(hook, "objectSelector", api::GetLabels(*request.object));
      if (!obj_ok && request.old_object) {
        obj_ok = SelectorMatches(hook, "objectSelector", api::GetLabels(*request.old_object));
      }
      if (!request.object && !request.old_object) obj_ok = true;
      if (!obj_ok) continue;

      WebhookCall call;
      call.name = GetString(hook, "name");
      call.mutating = mutating;
      call.fail_closed = GetString(hook, "failurePolicy", "Fail") != "Ignore";
      call.side_effects = GetString(hook, "sideEffects", "Unknown");
      int64_t timeout_s = GetInt(hook, "timeoutSeconds").value_or(10);
      timeout_s = std::clamp<int64_t>(timeout_s, 1, 30);
      call.timeout = std::chrono::seconds(timeout_s);
      std::string ca_b64 = GetString(hook, "clientConfig.caBundle");
      if (!ca_b64.empty()) {
        auto ca = Base64Decode(ca_b64);
        if (ca.ok()) call.ca_pem = *ca;
        else call.resolve_error = BadRequest("caBundle is not valid base64");
      }
      std::string url = GetString(hook, "clientConfig.url");
      if (!url.empty()) {
        call.url = url;
      } else if (const Json* svc = FindPath(hook, "clientConfig.service")) {
        std::string ns = GetString(*svc, "namespace");
        std::string name = GetString(*svc, "name");
        int port = static_cast<int>(GetInt(*svc, "port").value_or(443));
        std::string path = GetString(*svc, "path");
        call.server_name = name + "." + ns + ".svc";
        auto resolved = resolve_service(ns, name, port, path);
        if (resolved.ok()) call.url = *resolved;
        else call.resolve_error = resolved.status();
      } else {
        call.resolve_error = BadRequest("webhook has neither clientConfig.url nor service");
      }
      out.push_back(std::move(call));
    }
  }
  return out;
}

Json AdmissionReviewJson(const AdmissionRequest& r, const std::string& uid) {
  Json kind = {{"group", r.kind.group}, {"version", r.kind.version}, {"kind", r.kind.kind}};
  Json resource = {{"group", r.resource.group},
                   {"version", r.resource.version},
                   {"resource", r.resource.resource}};
  Json req = {{"uid", uid},
              {"kind", kind},
              {"resource", resource},
              {"requestKind", kind},
              {"requestResource", resource},
              {"name", r.name},
              {"namespace", r.ns},
              {"operation", AdmissionOperationName(r.operation)},
              {"userInfo",
               {{"username", r.user.empty() ? "system:admin" : r.user},
                {"groups", Json::array({"system:masters", "system:authenticated"})}}},
              {"object", r.object ? *r.object : Json(nullptr)},
              {"oldObject", r.old_object ? *r.old_object : Json(nullptr)},
              {"dryRun", r.dry_run}};
  if (!r.subresource.empty()) {
    req["subResource"] = r.subresource;
    req["requestSubResource"] = r.subresource;
  }
  const char* options = "CreateOptions";
  if (r.operation == AdmissionOperation::kUpdate) options = "UpdateOptions";
  if (r.operation == AdmissionOperation::kDelete) options = "DeleteOptions";
  req["options"] = {{"apiVersion", "meta.k8s.io/v1"}, {"kind", options}};
  return {{"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}, {"request", req}};
}

WebhookCaller::WebhookCaller(uint64_t response_bytes_max) : response_bytes_max_(response_bytes_max) {}
WebhookCaller::~WebhookCaller() = default;

Result<std::shared_ptr<net::HttpClient>> WebhookCaller::ClientFor(const std::string& origin,
                                                                  const WebhookCall& webhook) {
  std::string key = origin + "|" + webhook.server_name + "|" + webhook.ca_pem + "|" +
                    std::to_string(webhook.timeout.count());
  std::lock_guard<std::mutex> lock(mu_);
  auto it = clients_.find(key);
  if (it != clients_.end()) return it->second;
  net::HttpClientOptions opts;
  opts.ca_pem = webhook.ca_pem;
  opts.server_name = webhook.server_name;
  opts.timeout = webhook.timeout;
  opts.response_bytes_max = response_bytes_max_;
  KT_ASSIGN_OR_RETURN(auto client, net::HttpClient::Create(origin, opts));
  std::shared_ptr<net::HttpClient> shared = std::move(client);
  clients_.emplace(key, shared);
  return shared;
}

namespace {
Status CallFailure(const WebhookCall& w, const std::string& detail) {
  return Internal("Internal error occurred: failed calling webhook \"" + w.name +
                  "\": failed to call webhook: " + detail);
}
}  // namespace

Status WebhookCaller::Call(const WebhookCall& w, const AdmissionRequest& request,
                           const std::string& review_uid, Json* object) {
  if (request.dry_run && w.side_effects != "None" && w.side_effects != "NoneOnDryRun") {
    return BadRequest("admission webhook \"" + w.name + "\" does not support dry run");
  }
  auto fail = [&](Status s) -> Status {
    if (w.fail_closed) return s;
    KT_LOG(WARNING) << "ignoring failed webhook " << w.name << ": " << s.message();
    return Status::Ok();
  };
  if (!w.resolve_error.ok()) return fail(CallFailure(w, w.resolve_error.message()));

  // Split the URL into origin and path.
  std::string_view url = w.url;
  size_t scheme_end = url.find("://");
  size_t path_start = scheme_end == std::string_view::npos ? std::string_view::npos
                                                           : url.find('/', scheme_end + 3);
  std::string origin(url.substr(0, path_start));
  std::string path = path_start == std::string_view::npos ? "/" : std::string(url.substr(path_start));
  path += path.find('?') == std::string::npos ? "?" : "&";
  path += "timeout=" + std::to_string(w.timeout.count() / 1'000'000'000) + "s";

  auto client = ClientFor(origin, w);
  if (!client.ok()) return fail(CallFailure(w, client.status().message()));
  std::string body = DumpJson(AdmissionReviewJson(request, review_uid));
  auto reply = (*client)->Do("POST", path,
                             {{"Content-Type", "application/json"}, {"Accept", "application/json"}},
                             body);
  std::string post = "Post \"" + w.url + "\": ";
  if (!reply.ok()) return fail(CallFailure(w, post + reply.status().message()));
  if (reply->status < 200 || reply->status >= 300) {
    return fail(CallFailure(w, post + "the server responded with status " +
                                   std::to_string(reply->status)));
  }
  auto parsed = ParseJson(reply->body);
  if (!parsed.ok()) return fail(CallFailure(w, "received invalid webhook response: " + parsed.status().message()));
  const Json* resp = FindPath(*parsed, "response");
  if (resp == nullptr || !resp->is_object()) {
    return fail(CallFailure(w, "received invalid webhook response: no response"));
  }
  if (GetString(*resp, "uid") != review_uid) {
    return fail(CallFailure(w, "received invalid webhook response: expected response.uid=\"" +
                                   review_uid + "\", got \"" + GetString(*resp, "uid") + "\""));
  }
  if (!GetBool(*resp, "allowed")) {
    std::string msg = "admission webhook \"" + w.name + "\" denied the request";
    std::string detail = GetString(*resp, "status.message");
    std::string reason = GetString(*resp, "status.reason");
    msg += detail.empty() ? (reason.empty() ? " without explanation" : ": " + reason) : ": " + detail;
    int code = static_cast<int>(GetInt(*resp, "status.code").value_or(403));
    Status s(CodeFromHttp(code == 0 ? 403 : code), msg);
    if (!reason.empty()) s.WithReason(reason);
    return s;
  }
  std::string patch_b64 = GetString(*resp, "patch");
  if (w.mutating && !patch_b64.empty() && object != nullptr) {
    if (GetString(*resp, "patchType", "JSONPatch") != "JSONPatch") {
      return fail(CallFailure(w, "unsupported patchType " + GetString(*resp, "patchType")));
    }
    auto raw = Base64Decode(patch_b64);
    if (!raw.ok()) return fail(CallFailure(w, "the patch is not valid base64"));
    auto ops = ParseJson(*raw);
    if (!ops.ok()) return fail(CallFailure(w, "the patch is not valid JSON"));
    auto patched = ApplyJsonPatch(*object, *ops);
    if (!patched.ok()) {
      return Internal("Internal error occurred: admission webhook \"" + w.name +
                      "\" returned a patch that cannot be applied: " + patched.status().message());
    }
    *object = std::move(*patched);
  }
  return Status::Ok();
}

}  // namespace kt::sim
