// HttpClient: a blocking HTTP/1.1 client (plain or TLS, optional client certificate) with
// keep-alive, for controllers, the ARM client, webhook calls and tests.
//
// Each call blocks the calling thread until the reply arrives, the timeout passes (kTimeout)
// or the connection fails (kUnavailable). HTTP error replies are not Status errors: the
// caller reads HttpResponse::status. Stream() delivers a chunked or long-lived body piece by
// piece until the server ends it, the callback returns false, or Cancel() is called from
// another thread.
//
// Thread-safety: one HttpClient may be used from several threads; calls are serialized on
// its single keep-alive connection, except Stream(), which opens a connection of its own.
#ifndef KT_BASE_NET_HTTP_CLIENT_H_
#define KT_BASE_NET_HTTP_CLIENT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/net/http.h"
#include "base/time.h"

namespace kt::net {

struct HttpClientOptions {
  std::string ca_pem;                 // trust anchor for https; empty = system default store
  bool insecure_skip_verify = false;  // never verify the server (development only)
  std::string client_cert_pem;        // optional client certificate (mutual TLS)
  std::string client_key_pem;
  std::string server_name;  // SNI / verification name; defaults to the URL's host
  Duration timeout = std::chrono::seconds(30);
  uint64_t response_bytes_max = 256ull * 1024 * 1024;
};

// Parsed "scheme://host:port" base URL.
struct BaseUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string path_prefix;  // e.g. "/subscriptions/..." when the URL had a path
};
Result<BaseUrl> ParseBaseUrl(std::string_view url);

class HttpClient {
 public:
  static Result<std::unique_ptr<HttpClient>> Create(std::string_view base_url,
                                                    HttpClientOptions options = {});
  ~HttpClient();

  // `target` is the path + query ("/api/v1/pods?limit=5"), appended to the base URL's path.
  Result<HttpResponse> Do(std::string_view method, std::string_view target,
                          const std::vector<std::pair<std::string, std::string>>& headers = {},
                          std::string_view body = {});

  // Streams a response body. `on_head` sees the status and headers first (return false to stop
  // early); `on_data` then gets body bytes as they arrive (chunk framing removed). Returns when
  // the body ends (OK), the server closes, Cancel() is called (kCancelled), or no byte arrives
  // within `idle_timeout` (kTimeout; zero disables).
  Status Stream(std::string_view method, std::string_view target,
                const std::vector<std::pair<std::string, std::string>>& headers,
                std::string_view body, const std::function<bool(const HttpResponse&)>& on_head,
                const std::function<bool(std::string_view)>& on_data, Duration idle_timeout);

  // Aborts any Stream() in progress on this client (from any thread).
  void Cancel();

  const BaseUrl& base() const { return base_; }

 private:
  struct Connection;
  HttpClient(BaseUrl base, HttpClientOptions options);
  Result<std::unique_ptr<Connection>> Connect();

  BaseUrl base_;
  HttpClientOptions options_;
  struct TlsContext;
  std::unique_ptr<TlsContext> tls_;
  std::mutex mu_;
  std::unique_ptr<Connection> conn_;  // keep-alive connection for Do(); guarded by mu_
  std::mutex streams_mu_;
  std::vector<Connection*> streams_;  // live Stream() connections; guarded by streams_mu_
  std::atomic<uint64_t> cancel_generation_{0};
};

}  // namespace kt::net

#endif  // KT_BASE_NET_HTTP_CLIENT_H_
