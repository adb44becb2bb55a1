// HTTP message types shared by the server (base/net/http_server.h) and the client
// (base/net/http_client.h). Plain structs: no Beast types leak into users' headers.
#ifndef KT_BASE_NET_HTTP_H_
#define KT_BASE_NET_HTTP_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace kt::net {

// Percent-decoding of URL components; '+' becomes ' ' only when form_encoding is set (query
// strings). Invalid escapes are kept verbatim.
std::string UrlDecode(std::string_view s, bool form_encoding);
// Percent-encoding for query values and path segments (unreserved characters kept).
std::string UrlEncode(std::string_view s);

// Splits "a=1&b=x%3Dy&c" into decoded pairs, in order ("c" has an empty value).
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target: "/api/v1/pods?watch=1"
  std::string path;    // decoded path, no query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::map<std::string, std::string> headers;              // keys lower-case
  std::string body;
  std::string remote_address;  // "127.0.0.1:54321"
  bool tls = false;

  // First value of a query parameter.
  std::optional<std::string> Query(std::string_view name) const;
  // Header value ("" when absent). `name` is case-insensitive.
  std::string Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::string Header(std::string_view name) const;  // case-insensitive, "" when absent
  HttpResponse& SetHeader(std::string name, std::string value);

  static HttpResponse Json(int status, std::string body);
  static HttpResponse Text(int status, std::string body);
};

std::string_view HttpReasonPhrase(int status);

}  // namespace kt::net

#endif  // KT_BASE_NET_HTTP_H_
