// HttpServer: an HTTP/1.1 server on Boost.Beast, plain TCP or TLS, running on a RealEnv's
// io_context (the Env's threads serve connections).
//
// A handler receives the parsed request and an Exchange. It answers exactly once, either with
// Respond() (a complete response) or StartStream() (status + headers, then chunks written over
// time with Transfer-Encoding: chunked: Kubernetes watches, Server-Sent Events). Both may be
// called later and from any thread, so a handler can hand the exchange to a worker and return.
// An exchange dropped without an answer gets a 500.
//
// Limits: request bodies over body_bytes_max get 413 with a message (a Kubernetes Status by
// default; HttpServerOptions::body_too_large shapes it for other APIs), headers over
// header_bytes_max get 431; idle keep-alive connections close after idle_timeout. A client
// that disconnects while a stream is open is noticed (OnClose fires) even if nothing is being
// written, because the server keeps a read pending on the socket.
//
// Thread-safety: Start/Stop from any thread; Exchange and ResponseStream methods from any
// thread.
#ifndef KT_BASE_NET_HTTP_SERVER_H_
#define KT_BASE_NET_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/net/http.h"
#include "base/real_env.h"

namespace kt::net {

class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Queues one chunk. Returns false (and drops it) once the stream is closed.
  virtual bool Write(std::string data) = 0;
  // Sends the final chunk; the connection may then serve the next request.
  virtual void Close() = 0;
  // True after Close() or once the client went away.
  virtual bool closed() const = 0;
  // Runs fn once when the stream ends for any reason (immediately if already closed). fn runs
  // on an io thread: it must not block.
  virtual void OnClose(std::function<void()> fn) = 0;
};

class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual void Respond(HttpResponse response) = 0;
  // REQUIRES: no earlier Respond/StartStream. Headers should include Content-Type.
  virtual std::shared_ptr<ResponseStream> StartStream(
      int status, std::vector<std::pair<std::string, std::string>> headers) = 0;
};

using HttpHandler = std::function<void(HttpRequest& request, std::shared_ptr<Exchange> exchange)>;

struct TlsServerConfig {
  std::string cert_chain_pem;  // server certificate (+ intermediates)
  std::string private_key_pem;
  // When set, client certificates are requested and verified against this CA (optional for
  // the client: bearer tokens remain possible). The verified subject is not interpreted here.
  std::string client_ca_pem;
};

struct HttpServerOptions {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 0;  // 0: pick a free port (see HttpServer::port())
  std::optional<TlsServerConfig> tls;
  uint64_t body_bytes_max = 3 * 1024 * 1024;  // kube-apiserver's default request limit
  uint32_t header_bytes_max = 64 * 1024;
  Duration idle_timeout = std::chrono::seconds(120);
  std::string server_name = "kaito-twin";
  // The 413 answer to a body over body_bytes_max, given the request's path (the headers have
  // been read, the body has not). Unset: a Kubernetes Status naming the limit. Runs on an io
  // thread: must not block.
  std::function<HttpResponse(std::string_view path, uint64_t body_bytes_max)> body_too_large;
};

class HttpServer {
 public:
  HttpServer(RealEnv& env, HttpServerOptions options, HttpHandler handler);
  ~HttpServer();  // Stop()s

  // Binds and starts accepting. Connections are served by the Env's io threads.
  Status Start();
  // Stops accepting and closes open connections (open streams see OnClose).
  void Stop();
  uint16_t port() const;
  bool tls() const;
  // "http://127.0.0.1:PORT" or "https://..."
  std::string base_url() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace kt::net

#endif  // KT_BASE_NET_HTTP_SERVER_H_
