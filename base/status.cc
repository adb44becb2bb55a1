#include "base/status.h"

namespace kt {

namespace {
struct CodeInfo {
  StatusCode code;
  std::string_view reason;
  int http;
};
constexpr CodeInfo kCodes[] = {
    {StatusCode::kOk, "", 200},
    {StatusCode::kBadRequest, "BadRequest", 400},
    {StatusCode::kInvalid, "Invalid", 422},
    {StatusCode::kUnauthorized, "Unauthorized", 401},
    {StatusCode::kForbidden, "Forbidden", 403},
    {StatusCode::kNotFound, "NotFound", 404},
    {StatusCode::kMethodNotAllowed, "MethodNotAllowed", 405},
    {StatusCode::kNotAcceptable, "NotAcceptable", 406},
    {StatusCode::kAlreadyExists, "AlreadyExists", 409},
    {StatusCode::kConflict, "Conflict", 409},
    {StatusCode::kGone, "Expired", 410},
    {StatusCode::kRequestEntityTooLarge, "RequestEntityTooLarge", 413},
    {StatusCode::kUnsupportedMediaType, "UnsupportedMediaType", 415},
    {StatusCode::kTooManyRequests, "TooManyRequests", 429},
    {StatusCode::kInternal, "InternalError", 500},
    {StatusCode::kUnavailable, "ServiceUnavailable", 503},
    {StatusCode::kTimeout, "Timeout", 504},
    {StatusCode::kQuotaExceeded, "QuotaExceeded", 400},
    {StatusCode::kCancelled, "Cancelled", 499},
};

const CodeInfo& InfoOf(StatusCode code) {
  for (const auto& info : kCodes) {
    if (info.code == code) return info;
  }
  return kCodes[static_cast<int>(StatusCode::kInternal)];
}
}  // namespace

std::string_view ReasonOf(StatusCode code) { return InfoOf(code).reason; }
int HttpCodeOf(StatusCode code) { return InfoOf(code).http; }

StatusCode CodeFromHttp(int http_code) {
  switch (http_code) {
    case 400: return StatusCode::kBadRequest;
    case 401: return StatusCode::kUnauthorized;
    case 403: return StatusCode::kForbidden;
    case 404: return StatusCode::kNotFound;
    case 405: return StatusCode::kMethodNotAllowed;
    case 406: return StatusCode::kNotAcceptable;
    case 409: return StatusCode::kConflict;
    case 410: return StatusCode::kGone;
    case 413: return StatusCode::kRequestEntityTooLarge;
    case 415: return StatusCode::kUnsupportedMediaType;
    case 422: return StatusCode::kInvalid;
    case 429: return StatusCode::kTooManyRequests;
    case 503: return StatusCode::kUnavailable;
    case 504: return StatusCode::kTimeout;
    default: break;
  }
  if (http_code >= 200 && http_code < 300) return StatusCode::kOk;
  if (http_code >= 400 && http_code < 500) return StatusCode::kBadRequest;
  return StatusCode::kInternal;
}

Status::Status(StatusCode code, std::string message) {
  if (code == StatusCode::kOk) return;
  state_ = std::make_shared<State>(State{code, std::move(message), {}, 0});
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

std::string_view Status::reason() const {
  if (!state_) return {};
  if (!state_->reason.empty()) return state_->reason;
  return ReasonOf(state_->code);
}

Status& Status::WithReason(std::string reason) {
  KT_CHECK(state_) << "WithReason on OK status";
  state_ = std::make_shared<State>(*state_);
  state_->reason = std::move(reason);
  return *this;
}

Status& Status::WithRetryAfter(int seconds) {
  KT_CHECK(state_) << "WithRetryAfter on OK status";
  state_ = std::make_shared<State>(*state_);
  state_->retry_after_seconds = seconds;
  return *this;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s(reason());
  s += ": ";
  s += state_->message;
  return s;
}

Status Status::Annotate(std::string_view context) const {
  if (ok()) return *this;
  Status s = *this;
  s.state_ = std::make_shared<State>(*state_);
  s.state_->message = std::string(context) + ": " + state_->message;
  return s;
}

}  // namespace kt
