// ApiHandler::Call: one HTTP request in flight through the ApiHandler (internal to
// sim/apiserver/http): the request, its exchange, negotiated content, metric labels, and the
// reply helpers that record the request in the metrics.
#ifndef KT_SIM_APISERVER_HTTP_HANDLER_CALL_H_
#define KT_SIM_APISERVER_HTTP_HANDLER_CALL_H_

#include <string>
#include <vector>

#include "base/json.h"
#include "sim/apiserver/api_errors.h"
#include "sim/apiserver/http/api_handler.h"
#include "sim/apiserver/http/content_negotiation.h"

namespace kt::sim {

struct ApiHandler::Call {
  ApiHandler* handler;
  net::HttpRequest& req;
  std::shared_ptr<net::Exchange> ex;
  Time start;
  RequestLabels labels;
  AcceptInfo accept;
  ResourceRef ref;
  RequestContext ctx;

  void Reply(int code, std::string body, const std::string& content_type = "application/json",
             const std::vector<std::string>& warnings = {}) {
    net::HttpResponse r;
    r.status = code;
    r.body = std::move(body);
    r.SetHeader("Content-Type", content_type);
    r.SetHeader("Cache-Control", "no-cache, private");
    for (const auto& w : warnings) {
      std::string escaped;
      for (char c : w) {
        if (c == '"' || c == '\\') escaped += '\\';
        escaped += c;
      }
      r.headers.emplace_back("Warning", "299 - \"" + escaped + "\"");
    }
    Observe(code);
    ex->Respond(std::move(r));
  }
  void ReplyJson(int code, const Json& body, const std::vector<std::string>& warnings = {}) {
    Reply(code, DumpJson(body), "application/json", warnings);
  }
  void Error(const Status& s) {
    net::HttpResponse r;
    r.status = HttpCodeOf(s.code());
    r.body = DumpJson(StatusJson(s, ref.name, ref.gvr.group, ref.gvr.resource));
    r.SetHeader("Content-Type", "application/json");
    r.SetHeader("Cache-Control", "no-cache, private");
    if (s.retry_after_seconds() > 0) r.SetHeader("Retry-After", std::to_string(s.retry_after_seconds()));
    Observe(r.status);
    ex->Respond(std::move(r));
  }
  void Observe(int code) {
    handler->metrics_.ObserveRequest(labels, code, ToSeconds(handler->server_.env().Now() - start));
  }
};

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_HTTP_HANDLER_CALL_H_
