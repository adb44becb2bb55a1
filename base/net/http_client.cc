// HttpClient: blocking calls implemented as Beast async operations on a private io_context per
// connection, so every call has a deadline and Stream() can be cancelled from another thread.
// Do() on a plain connection skips the io_context: send, poll and recv on the socket itself.
#include "base/net/http_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <algorithm>
#include <cerrno>
#include <optional>
#include <poll.h>
#include <sys/socket.h>

#include "base/check.h"

namespace kt::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct HttpClient::TlsContext {
  asio::ssl::context ctx{asio::ssl::context::tls_client};
};

struct HttpClient::Connection {
  using Deadline = std::chrono::steady_clock::time_point;

  asio::io_context ioc;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  bool reused = false;

  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  void Close() {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().close();
  }

  // Runs the io_context until the pending operation completes.
  void RunToCompletion() {
    ioc.restart();
    ioc.run();
  }

  template <class Op>
  beast::error_code Write(Op&& op_message, Duration timeout) {
    beast::error_code result;
    lowest().expires_after(timeout);
    auto done = [&result](beast::error_code ec, size_t) { result = ec; };
    if (secure) http::async_write(*secure, op_message, done);
    else http::async_write(*plain, op_message, done);
    RunToCompletion();
    return result;
  }

  template <class Parser>
  beast::error_code ReadHeader(Parser& parser, Duration timeout) {
    beast::error_code result;
    lowest().expires_after(timeout);
    auto done = [&result](beast::error_code ec, size_t) { result = ec; };
    if (secure) http::async_read_header(*secure, buffer, parser, done);
    else http::async_read_header(*plain, buffer, parser, done);
    RunToCompletion();
    return result;
  }

  template <class Parser>
  beast::error_code ReadSome(Parser& parser, Duration timeout) {
    beast::error_code result;
    if (timeout > Duration(0)) lowest().expires_after(timeout);
    else lowest().expires_never();
    auto done = [&result](beast::error_code ec, size_t) { result = ec; };
    if (secure) http::async_read_some(*secure, buffer, parser, done);
    else http::async_read_some(*plain, buffer, parser, done);
    RunToCompletion();
    return result;
  }

  // Plain connections send Do()'s request and read its reply straight through the socket, with
  // poll() keeping the deadline: three system calls a request, where the io_context round of
  // each async operation costs nine (epoll waits and timer updates).
  beast::error_code SendPlain(std::string_view bytes, Deadline deadline) {
    const int fd = plain->socket().native_handle();
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n >= 0) {
        bytes.remove_prefix(static_cast<size_t>(n));
      } else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        if (auto ec = PollUntil(fd, POLLOUT, deadline)) return ec;
      } else {
        return beast::error_code(errno, boost::system::system_category());
      }
    }
    return {};
  }

  template <class Parser>
  beast::error_code ReadPlain(Parser& parser, Deadline deadline) {
    const int fd = plain->socket().native_handle();
    parser.eager(true);
    bool received = buffer.size() > 0;
    for (;;) {
      if (buffer.size() > 0) {
        beast::error_code ec;
        const size_t used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (ec && ec != http::error::need_more) return ec;
        if (parser.is_done()) return {};
        if (used > 0 && buffer.size() > 0) continue;
      }
      if (auto ec = PollUntil(fd, POLLIN, deadline)) return ec;
      auto space = buffer.prepare(std::max<size_t>(16 * 1024, buffer.capacity() - buffer.size()));
      const ssize_t n = ::recv(fd, space.data(), space.size(), MSG_DONTWAIT);
      if (n > 0) {
        buffer.commit(static_cast<size_t>(n));
        received = true;
      } else if (n == 0) {  // the server closed the connection
        if (!received) return http::error::end_of_stream;
        beast::error_code ec;
        parser.put_eof(ec);
        return ec;
      } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return beast::error_code(errno, boost::system::system_category());
      }
    }
  }

  static beast::error_code PollUntil(int fd, short events, Deadline deadline) {
    for (;;) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return beast::error::timeout;
      pollfd p{fd, events, 0};
      const int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1 << 30)));
      if (r > 0) return {};
      if (r < 0 && errno != EINTR) {
        return beast::error_code(errno, boost::system::system_category());
      }
    }
  }

  template <class Parser>
  beast::error_code Read(Parser& parser, Duration timeout) {
    beast::error_code result;
    lowest().expires_after(timeout);
    auto done = [&result](beast::error_code ec, size_t) { result = ec; };
    if (secure) http::async_read(*secure, buffer, parser, done);
    else http::async_read(*plain, buffer, parser, done);
    RunToCompletion();
    return result;
  }
};

Result<BaseUrl> ParseBaseUrl(std::string_view url) {
  BaseUrl out;
  std::string_view rest;
  if (url.starts_with("https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return BadRequest("URL must start with http:// or https://: \"" + std::string(url) + "\"");
  }
  size_t slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    out.path_prefix = std::string(rest.substr(slash));
    while (!out.path_prefix.empty() && out.path_prefix.back() == '/') out.path_prefix.pop_back();
  }
  if (hostport.empty()) return BadRequest("URL has no host: \"" + std::string(url) + "\"");
  if (hostport.front() == '[') {  // [::1]:443
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) return BadRequest("bad IPv6 host in URL");
    out.host = std::string(hostport.substr(1, close - 1));
    if (close + 1 < hostport.size() && hostport[close + 1] == ':') {
      out.port = std::string(hostport.substr(close + 2));
    }
  } else {
    size_t colon = hostport.rfind(':');
    out.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) out.port = std::string(hostport.substr(colon + 1));
  }
  if (out.port.empty()) out.port = out.tls ? "443" : "80";
  return out;
}

Result<std::unique_ptr<HttpClient>> HttpClient::Create(std::string_view base_url,
                                                       HttpClientOptions options) {
  KT_ASSIGN_OR_RETURN(BaseUrl base, ParseBaseUrl(base_url));
  std::unique_ptr<HttpClient> client(new HttpClient(std::move(base), std::move(options)));
  if (client->base_.tls) {
    client->tls_ = std::make_unique<TlsContext>();
    auto& ctx = client->tls_->ctx;
    try {
      if (client->options_.insecure_skip_verify) {
        ctx.set_verify_mode(asio::ssl::verify_none);
      } else {
        ctx.set_verify_mode(asio::ssl::verify_peer);
        if (!client->options_.ca_pem.empty()) {
          ctx.add_certificate_authority(asio::buffer(client->options_.ca_pem));
        } else {
          ctx.set_default_verify_paths();
        }
      }
      if (!client->options_.client_cert_pem.empty()) {
        ctx.use_certificate_chain(asio::buffer(client->options_.client_cert_pem));
        ctx.use_private_key(asio::buffer(client->options_.client_key_pem),
                            asio::ssl::context::pem);
      }
    } catch (const std::exception& e) {
      return BadRequest(std::string("invalid TLS configuration: ") + e.what());
    }
  }
  return client;
}

HttpClient::HttpClient(BaseUrl base, HttpClientOptions options)
    : base_(std::move(base)), options_(std::move(options)) {}

HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient::Connection>> HttpClient::Connect() {
  auto conn = std::make_unique<Connection>();
  tcp::resolver resolver(conn->ioc);
  beast::error_code ec;
  auto endpoints = resolver.resolve(base_.host, base_.port, ec);
  if (ec) {
    return Unavailable("cannot resolve " + base_.host + ":" + base_.port + ": " + ec.message());
  }
  if (tls_) {
    conn->secure.emplace(beast::tcp_stream(conn->ioc), tls_->ctx);
  } else {
    conn->plain.emplace(conn->ioc);
  }
  beast::error_code connect_ec;
  conn->lowest().expires_after(options_.timeout);
  conn->lowest().async_connect(endpoints, [&connect_ec](beast::error_code e, const auto&) {
    connect_ec = e;
  });
  conn->RunToCompletion();
  if (connect_ec) {
    return Unavailable("cannot connect to " + base_.host + ":" + base_.port + ": " +
                       connect_ec.message());
  }
  if (tls_) {
    SSL* ssl = conn->secure->native_handle();
    const std::string& name = options_.server_name.empty() ? base_.host : options_.server_name;
    beast::error_code addr_ec;
    asio::ip::make_address(name, addr_ec);
    const bool is_ip = !addr_ec;
    if (!is_ip) SSL_set_tlsext_host_name(ssl, name.c_str());
    if (!options_.insecure_skip_verify) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      if (is_ip) X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
      else X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
    }
    beast::error_code hs_ec;
    conn->lowest().expires_after(options_.timeout);
    conn->secure->async_handshake(asio::ssl::stream_base::client,
                                  [&hs_ec](beast::error_code e) { hs_ec = e; });
    conn->RunToCompletion();
    if (hs_ec) {
      return Unavailable("TLS handshake with " + base_.host + ":" + base_.port +
                         " failed: " + hs_ec.message());
    }
  }
  return conn;
}

namespace {

http::request<http::string_body> BuildRequest(
    const BaseUrl& base, std::string_view method, std::string_view target,
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body) {
  http::request<http::string_body> req;
  req.version(11);
  req.method_string(std::string(method));
  req.target(base.path_prefix + std::string(target));
  req.set(http::field::host, base.host + ":" + base.port);
  req.set(http::field::user_agent, "kaito-twin");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = std::string(body);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    req.prepare_payload();
  }
  req.keep_alive(true);
  return req;
}

// The bytes of a request as it goes on the wire.
std::string Serialize(http::request<http::string_body>& req) {
  std::string out;
  http::serializer<true, http::string_body> sr{req};
  beast::error_code ec;
  while (!ec && !sr.is_done()) {
    sr.next(ec, [&](beast::error_code&, const auto& buffers) {
      for (const auto b : beast::buffers_range_ref(buffers)) {
        out.append(static_cast<const char*>(b.data()), b.size());
      }
      sr.consume(beast::buffer_bytes(buffers));
    });
  }
  return out;
}

template <class Body>
void CopyHead(const http::response_parser<Body>& parser, HttpResponse& out) {
  const auto& msg = parser.get();
  out.status = static_cast<int>(msg.result_int());
  for (const auto& field : msg) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
}

Status ToStatus(const beast::error_code& ec, std::string_view what) {
  if (ec == beast::error::timeout) return Timeout(std::string(what) + ": timed out");
  return Unavailable(std::string(what) + ": " + ec.message());
}

}  // namespace

Result<HttpResponse> HttpClient::Do(std::string_view method, std::string_view target,
                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                    std::string_view body) {
  std::lock_guard<std::mutex> lock(mu_);
  auto req = BuildRequest(base_, method, target, headers, body);
  std::string wire;  // the request's bytes, for plain connections
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!conn_) {
      KT_ASSIGN_OR_RETURN(conn_, Connect());
    }
    const bool reused = conn_->reused;
    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.response_bytes_max);
    beast::error_code ec;
    if (conn_->plain) {
      if (wire.empty()) wire = Serialize(req);
      const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
      ec = conn_->SendPlain(wire, deadline);
      if (!ec) ec = conn_->ReadPlain(parser, deadline);
    } else {
      ec = conn_->Write(req, options_.timeout);
      if (!ec) ec = conn_->Read(parser, options_.timeout);
    }
    if (ec) {
      conn_.reset();
      // A server may close an idle keep-alive connection just as we reuse it: retry once on a
      // fresh connection when nothing came back.
      const bool stale = reused && (ec == http::error::end_of_stream || ec == asio::error::eof ||
                                    ec == asio::error::connection_reset ||
                                    ec == asio::error::broken_pipe);
      if (stale && attempt == 0) continue;
      return ToStatus(ec, std::string(method) + " " + std::string(target));
    }
    HttpResponse out;
    CopyHead(parser, out);
    out.body = std::move(parser.get().body());
    if (parser.get().keep_alive()) {
      conn_->reused = true;
    } else {
      conn_.reset();
    }
    return out;
  }
  return Unavailable("unreachable");
}

Status HttpClient::Stream(std::string_view method, std::string_view target,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          std::string_view body,
                          const std::function<bool(const HttpResponse&)>& on_head,
                          const std::function<bool(std::string_view)>& on_data,
                          Duration idle_timeout) {
  const uint64_t generation = cancel_generation_.load();
  KT_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connect());
  {
    std::lock_guard<std::mutex> lock(streams_mu_);
    if (cancel_generation_.load() != generation) return Cancelled("stream cancelled");
    streams_.push_back(conn.get());
  }
  struct Unregister {
    HttpClient* self;
    Connection* c;
    ~Unregister() {
      std::lock_guard<std::mutex> lock(self->streams_mu_);
      std::erase(self->streams_, c);
    }
  } unregister{this, conn.get()};

  auto cancelled = [&] { return cancel_generation_.load() != generation; };
  auto req = BuildRequest(base_, method, target, headers, body);
  req.keep_alive(false);
  beast::error_code ec = conn->Write(req, options_.timeout);
  if (ec) return cancelled() ? Cancelled("stream cancelled") : ToStatus(ec, "stream request");

  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);  // streams are unbounded by design; the caller stops them
  ec = conn->ReadHeader(parser, options_.timeout);
  if (ec) return cancelled() ? Cancelled("stream cancelled") : ToStatus(ec, "stream header");
  HttpResponse head;
  CopyHead(parser, head);
  if (!on_head(head)) {
    conn->Close();
    return Status::Ok();
  }
  char buf[16 * 1024];
  while (!parser.is_done()) {
    parser.get().body().data = buf;
    parser.get().body().size = sizeof(buf);
    ec = conn->ReadSome(parser, idle_timeout);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      if (cancelled()) return Cancelled("stream cancelled");
      if (ec == http::error::end_of_stream || ec == asio::error::eof) return Status::Ok();
      return ToStatus(ec, "stream body");
    }
    size_t n = sizeof(buf) - parser.get().body().size;
    if (n > 0 && !on_data(std::string_view(buf, n))) {
      conn->Close();
      return Status::Ok();
    }
    if (cancelled()) {
      conn->Close();
      return Cancelled("stream cancelled");
    }
  }
  return Status::Ok();
}

void HttpClient::Cancel() {
  std::lock_guard<std::mutex> lock(streams_mu_);
  cancel_generation_.fetch_add(1);
  for (Connection* c : streams_) {
    asio::post(c->ioc, [c] { c->Close(); });
  }
}

}  // namespace kt::net
