#include "serving/http/error_responses.h"

#include "base/json.h"

namespace kt::serving {

int ServingHttpStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kBadRequest:
    case StatusCode::kInvalid:
    case StatusCode::kAlreadyExists:
    case StatusCode::kConflict:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kRequestEntityTooLarge:
      return 413;
    case StatusCode::kTooManyRequests:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kTimeout:
      return 504;
    default:
      return HttpCodeOf(s.code());
  }
}

RequestError ToRequestError(const Status& s) {
  RequestError e;
  e.http_status = ServingHttpStatus(s);
  e.message = s.message();
  return e;
}

namespace {
net::HttpResponse WithRetryAfter(net::HttpResponse r, const RequestError& e) {
  if (e.http_status == 429) r.SetHeader("Retry-After", "1");
  return r;
}

const char* OpenAiType(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
    case 404:
      return "not_found_error";
    case 429:
      return "rate_limit_error";
    case 503:
      return "service_unavailable_error";
    case 504:
      return "timeout_error";
    default:
      return status >= 500 ? "server_error" : "invalid_request_error";
  }
}
}  // namespace

net::HttpResponse KaitoError(const RequestError& e) {
  Json body;
  if (e.http_status == 422) {
    Json loc = Json::array();
    for (const std::string& l : e.loc) {
      bool digits = !l.empty() && l.find_first_not_of("0123456789") == std::string::npos;
      loc.push_back(digits ? Json(std::stoll(l)) : Json(l));
    }
    std::string msg = e.message;
    size_t colon = msg.find(": ");
    if (!e.loc.empty() && colon != std::string::npos) msg = msg.substr(colon + 2);
    body = {{"detail", Json::array({{{"loc", loc}, {"msg", msg}, {"type", e.type}}})}};
  } else {
    body = {{"detail", e.message}};
  }
  return WithRetryAfter(net::HttpResponse::Json(e.http_status, DumpJson(body)), e);
}

std::string OpenAiErrorJson(const RequestError& e) {
  std::string param;
  for (const std::string& l : e.loc) {
    if (l == "body") continue;
    param += (param.empty() ? "" : ".") + l;
  }
  Json err = {{"message", e.message},
              {"type", OpenAiType(e.http_status)},
              {"param", param.empty() ? Json(nullptr) : Json(param)},
              {"code", e.http_status == 404 ? Json("model_not_found") : Json(e.http_status)}};
  return DumpJson(Json{{"error", err}});
}

net::HttpResponse OpenAiError(const RequestError& e) {
  return WithRetryAfter(net::HttpResponse::Json(e.http_status, OpenAiErrorJson(e)), e);
}

}  // namespace kt::serving
