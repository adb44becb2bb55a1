#include "controllers/webhook/admission_review.h"

#include <cstdint>
#include <utility>

#include "base/base64.h"
#include "base/json.h"
#include "controllers/kaito/labels.h"
#include "controllers/webhook/defaulting.h"

namespace kt::webhook {
namespace {

constexpr std::string_view kValidationFailedPrefix = "validation failed: ";

Json DeniedResponse(const std::string& uid, const std::string& message,
                    const AdmissionOptions& options) {
  Json status = {{"metadata", Json::object()}};
  if (options.denial_style == DenialStyle::kKnative) {
    status["status"] = "Failure";
    status["reason"] = "BadRequest";
    status["code"] = 400;
    status["message"] = message;
  } else {
    std::string m = message;
    if (m.rfind(kValidationFailedPrefix, 0) == 0) m.erase(0, kValidationFailedPrefix.size());
    status["reason"] = "Forbidden";
    status["code"] = 403;
    status["message"] = m;
  }
  return {{"uid", uid}, {"allowed", false}, {"status", std::move(status)}};
}

Json AllowedResponse(const std::string& uid, const AdmissionOptions& options) {
  Json r = {{"uid", uid}, {"allowed", true}};
  if (options.denial_style == DenialStyle::kControllerRuntime) {
    r["status"] = {{"metadata", Json::object()}, {"code", 200}};
  }
  return r;
}

// Go's GroupVersionKind.String(): "kaito.sh/v1beta1, Kind=Workspace".
std::string GvkString(const Json& kind) {
  return GetString(kind, "group") + "/" + GetString(kind, "version") +
         ", Kind=" + GetString(kind, "kind");
}

Json Respond(WebhookKind webhook, const Json& request, const ValidationContext& ctx,
             const AdmissionOptions& options) {
  const std::string uid = GetString(request, "uid");
  const std::string operation = GetString(request, "operation");
  if (operation != "CREATE" && operation != "UPDATE") return AllowedResponse(uid, options);
  const Json* kind = FindPath(request, "kind");
  if (kind == nullptr || GetString(*kind, "group") != kaito::kGroup ||
      GetString(*kind, "kind") != kaito::kWorkspaceKind ||
      (GetString(*kind, "version") != "v1alpha1" && GetString(*kind, "version") != "v1beta1")) {
    return DeniedResponse(
        uid, "decoding request failed: unhandled kind: " + GvkString(kind ? *kind : Json::object()),
        options);
  }
  const Json* object = FindPath(request, "object");
  if (object == nullptr || !object->is_object()) {
    return DeniedResponse(uid, "the new object may not be nil", options);
  }
  if (webhook == WebhookKind::kDefaulting) {
    Json response = AllowedResponse(uid, options);
    Json ops = DefaultingPatch(*object, *ctx.skus);
    if (!ops.empty()) {
      response["patchType"] = "JSONPatch";
      response["patch"] = Base64Encode(DumpJson(ops));
    }
    return response;
  }
  const Json* old = FindPath(request, "oldObject");
  if (old != nullptr && !old->is_object()) old = nullptr;
  Verdict v =
      Validate(operation == "CREATE" ? Operation::kCreate : Operation::kUpdate, old, *object, ctx);
  Json response =
      v.allowed ? AllowedResponse(uid, options) : DeniedResponse(uid, v.message, options);
  if (!v.warnings.empty()) response["warnings"] = v.warnings;
  return response;
}

}  // namespace

Result<Json> ReviewAdmission(WebhookKind kind, const Json& review, const ValidationContext& ctx,
                             const AdmissionOptions& options) {
  if (!review.is_object()) return BadRequest("an AdmissionReview must be a JSON object");
  const std::string api_version = GetString(review, "apiVersion");
  if (api_version != "admission.k8s.io/v1" && api_version != "admission.k8s.io/v1beta1") {
    return BadRequest("unsupported AdmissionReview apiVersion \"" + api_version +
                      "\" (want admission.k8s.io/v1 or v1beta1)");
  }
  if (GetString(review, "kind") != "AdmissionReview") {
    return BadRequest("kind must be AdmissionReview");
  }
  const Json* request = FindPath(review, "request");
  if (request == nullptr || !request->is_object()) {
    return BadRequest("the AdmissionReview has no request");
  }
  if (GetString(*request, "uid").empty()) return BadRequest("request.uid is missing");
  return Json{{"apiVersion", api_version},
              {"kind", "AdmissionReview"},
              {"response", Respond(kind, *request, ctx, options)}};
}

net::HttpResponse ServeAdmissionHttp(const net::HttpRequest& request, const ValidationContext& ctx,
                                     const AdmissionOptions& options) {
  WebhookKind kind;
  if (request.path == kValidatingPath) {
    kind = WebhookKind::kValidating;
  } else if (request.path == kDefaultingPath) {
    kind = WebhookKind::kDefaulting;
  } else {
    return net::HttpResponse::Text(404, "no webhook at " + request.path + "\n");
  }
  if (request.method != "POST") {
    return net::HttpResponse::Text(405, "webhooks accept POST only\n").SetHeader("Allow", "POST");
  }
  if (request.body.size() > kAdmissionReviewBytesMax) {
    return net::HttpResponse::Text(413, "AdmissionReview larger than " +
                                            std::to_string(kAdmissionReviewBytesMax) + " bytes\n");
  }
  const std::string content_type = request.Header("content-type");
  if (content_type.find("application/json") == std::string::npos) {
    return net::HttpResponse::Text(415,
                                   "contentType=" + content_type + ", expected application/json\n");
  }
  auto body = ParseJson(request.body);
  if (!body.ok()) {
    return net::HttpResponse::Text(400, "could not decode body: " + body.status().message() + "\n");
  }
  auto response = ReviewAdmission(kind, *body, ctx, options);
  if (!response.ok()) {
    return net::HttpResponse::Text(400,
                                   "could not decode body: " + response.status().message() + "\n");
  }
  return net::HttpResponse::Json(200, DumpJson(*response));
}

}  // namespace kt::webhook
