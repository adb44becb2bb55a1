// Status and Result<T>: expected failures travel as values.
//
// A Status is either OK or carries a code and a message. The codes mirror the reasons a
// Kubernetes API server and Azure Resource Manager return, so a failure keeps its meaning
// from the store up to the HTTP reply (see HttpCodeOf / ReasonOf). Bugs are not Statuses:
// they are KT_CHECK failures (base/check.h).
//
// Status is a small value type: copying is cheap (the OK case holds no allocation) and it
// is safe to pass between threads. Result<T> holds either a T or a non-OK Status.
#ifndef KT_BASE_STATUS_H_
#define KT_BASE_STATUS_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "base/check.h"

namespace kt {

enum class StatusCode : int {
  kOk = 0,
  kBadRequest,            // 400 BadRequest: malformed input
  kInvalid,               // 422 Invalid: well-formed but fails validation
  kUnauthorized,          // 401
  kForbidden,             // 403
  kNotFound,              // 404
  kMethodNotAllowed,      // 405
  kNotAcceptable,         // 406
  kAlreadyExists,         // 409 AlreadyExists
  kConflict,              // 409 Conflict: stale resourceVersion, SSA field conflict
  kGone,                  // 410 Expired: watch window compacted
  kRequestEntityTooLarge, // 413
  kUnsupportedMediaType,  // 415
  kTooManyRequests,       // 429 (carries retry_after_seconds)
  kInternal,              // 500
  kUnavailable,           // 503 ServiceUnavailable
  kTimeout,               // 504 / the request may or may not have been applied
  kQuotaExceeded,         // ARM QuotaExceeded (AKS preflight answers HTTP 400)
  kCancelled,             // the caller went away
};

// Kubernetes "reason" string for a code (NotFound, AlreadyExists, Conflict, Expired, ...).
std::string_view ReasonOf(StatusCode code);
// HTTP status code a server answers with for this code.
int HttpCodeOf(StatusCode code);
// The code an HTTP client should report for a reply code (inverse of HttpCodeOf).
StatusCode CodeFromHttp(int http_code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  const std::string& message() const;
  // Optional machine-readable reason overriding ReasonOf(code) (e.g. ARM's
  // "SkuNotAvailable", or Kubernetes' "FieldManagerConflict"-style causes).
  std::string_view reason() const;
  Status& WithReason(std::string reason);
  // Seconds a client should wait before retrying (429 Retry-After); 0 when absent.
  int retry_after_seconds() const { return state_ ? state_->retry_after_seconds : 0; }
  Status& WithRetryAfter(int seconds);

  bool Is(StatusCode c) const { return code() == c; }
  std::string ToString() const;

  // Prepends context: "creating nodeclaim: <message>".
  Status Annotate(std::string_view context) const;

 private:
  struct State {
    StatusCode code;
    std::string message;
    std::string reason;
    int retry_after_seconds = 0;
  };
  std::shared_ptr<State> state_;  // null when OK; copy-on-write via WithReason/WithRetryAfter
};

// Named constructors read like the Kubernetes reasons they mirror.
inline Status BadRequest(std::string m) { return Status(StatusCode::kBadRequest, std::move(m)); }
inline Status Invalid(std::string m) { return Status(StatusCode::kInvalid, std::move(m)); }
inline Status NotFound(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
inline Status AlreadyExists(std::string m) {
  return Status(StatusCode::kAlreadyExists, std::move(m));
}
inline Status Conflict(std::string m) { return Status(StatusCode::kConflict, std::move(m)); }
inline Status Gone(std::string m) { return Status(StatusCode::kGone, std::move(m)); }
inline Status Internal(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }
inline Status Unavailable(std::string m) { return Status(StatusCode::kUnavailable, std::move(m)); }
inline Status Timeout(std::string m) { return Status(StatusCode::kTimeout, std::move(m)); }
inline Status Forbidden(std::string m) { return Status(StatusCode::kForbidden, std::move(m)); }
inline Status Unauthorized(std::string m) {
  return Status(StatusCode::kUnauthorized, std::move(m));
}
inline Status Cancelled(std::string m) { return Status(StatusCode::kCancelled, std::move(m)); }

// Result<T>: a T or a non-OK Status. Accessing value() of an error is a bug (KT_CHECK).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    KT_CHECK(!std::get<Status>(v_).ok()) << "Result built from an OK Status";
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & {
    KT_CHECK(ok()) << status().ToString();
    return std::get<T>(v_);
  }
  const T& value() const& {
    KT_CHECK(ok()) << status().ToString();
    return std::get<T>(v_);
  }
  T&& value() && {
    KT_CHECK(ok()) << status().ToString();
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace kt

// Propagates a non-OK Status from an expression yielding Status.
#define KT_RETURN_IF_ERROR(expr)            \
  do {                                      \
    ::kt::Status kt_status_ = (expr);       \
    if (!kt_status_.ok()) return kt_status_; \
  } while (0)

#define KT_CONCAT_INNER_(a, b) a##b
#define KT_CONCAT_(a, b) KT_CONCAT_INNER_(a, b)
// KT_ASSIGN_OR_RETURN(auto x, Compute()); declares x from a Result or returns its Status.
#define KT_ASSIGN_OR_RETURN(lhs, expr) \
  KT_ASSIGN_OR_RETURN_IMPL_(KT_CONCAT_(kt_result_, __LINE__), lhs, expr)
#define KT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#endif  // KT_BASE_STATUS_H_
