// Error bodies of the two APIs.
//   Kaito (FastAPI):  {"detail": "<message>"}, and for validation failures (422)
//                     {"detail": [{"loc": ["body", ...], "msg": "...", "type": "..."}]}
//   OpenAI:           {"error": {"message": "...", "type": "invalid_request_error",
//                                "param": <field or null>, "code": <status>}}
// plus the mapping from engine Status codes to HTTP statuses (Invalid -> 400, not Kubernetes'
// 422; NotFound -> 404; TooManyRequests -> 429 with Retry-After; Unavailable -> 503).
// Pure functions; thread-safe.
#ifndef KT_SERVING_HTTP_ERROR_RESPONSES_H_
#define KT_SERVING_HTTP_ERROR_RESPONSES_H_

#include <string>

#include "base/net/http.h"
#include "base/status.h"
#include "serving/http/api_requests.h"

namespace kt::serving {

int ServingHttpStatus(const Status& s);
RequestError ToRequestError(const Status& s);

net::HttpResponse KaitoError(const RequestError& e);
net::HttpResponse OpenAiError(const RequestError& e);
// The OpenAI error object alone (for an SSE "error" event).
std::string OpenAiErrorJson(const RequestError& e);

}  // namespace kt::serving

#endif  // KT_SERVING_HTTP_ERROR_RESPONSES_H_
