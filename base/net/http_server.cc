// HttpServer on Boost.Beast. One Session per connection, all of its I/O on one strand; the
// handler's Exchange posts back onto that strand, so handlers may answer from any thread.
#include "base/net/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <deque>
#include <mutex>

#include "base/check.h"
#include "base/log.h"

namespace kt::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

class StreamImpl;

// Options and handler shared by the server and its sessions (sessions may outlive the server
// object by a few callbacks while they close).
struct ServerShared {
  HttpServerOptions options;
  HttpHandler handler;
};

// What a Session offers to its Exchange and ResponseStream (type-erased over plain/TLS).
class SessionBase : public std::enable_shared_from_this<SessionBase> {
 public:
  // The stream being served, if any. Touched only on the session's strand. Held strongly so
  // OnClose callbacks fire even if the handler kept no reference; the cycle with
  // StreamImpl::session_ is broken when the connection closes.
  std::shared_ptr<StreamImpl> active_stream;

  virtual ~SessionBase() = default;
  virtual void Post(std::function<void()> fn) = 0;
  // Runs `fn` at once when called on the session's strand (a handler answering inline), else
  // posts it there.
  virtual void Dispatch(std::function<void()> fn) = 0;
  // On the strand:
  virtual void SendResponse(HttpResponse response, bool keep_alive) = 0;
  virtual void SendStreamHead(int status,
                              std::vector<std::pair<std::string, std::string>> headers) = 0;
  virtual void SendStreamData(std::string data) = 0;
  virtual void EndStream() = 0;
  virtual void CloseNow() = 0;
};

class StreamImpl final : public ResponseStream {
 public:
  explicit StreamImpl(std::shared_ptr<SessionBase> session) : session_(std::move(session)) {}

  bool Write(std::string data) override {
    if (data.empty()) return !closed();
    std::shared_ptr<SessionBase> s;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return false;
      s = session_;
    }
    s->Post([s, d = std::move(data)]() mutable { s->SendStreamData(std::move(d)); });
    return true;
  }

  void Close() override {
    std::shared_ptr<SessionBase> s;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return;
      s = session_;
    }
    s->Post([s] { s->EndStream(); });
    MarkClosed();
  }

  bool closed() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }

  void OnClose(std::function<void()> fn) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!closed_) {
        on_close_.push_back(std::move(fn));
        return;
      }
    }
    fn();
  }

  // Called by the session when the client goes away or the stream ends.
  void MarkClosed() {
    std::vector<std::function<void()>> fns;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return;
      closed_ = true;
      fns.swap(on_close_);
    }
    for (auto& fn : fns) fn();
  }

 private:
  mutable std::mutex mu_;
  bool closed_ = false;
  std::shared_ptr<SessionBase> session_;
  std::vector<std::function<void()>> on_close_;
};

class ExchangeImpl final : public Exchange {
 public:
  ExchangeImpl(std::shared_ptr<SessionBase> session, bool keep_alive)
      : session_(std::move(session)), keep_alive_(keep_alive) {}

  ~ExchangeImpl() override {
    if (!answered_.exchange(true)) {
      auto s = session_;
      bool ka = keep_alive_;
      s->Post([s, ka] {
        s->SendResponse(HttpResponse::Json(
                            500, R"({"error":"handler dropped the request without an answer"})"),
                        ka);
      });
    }
  }

  void Respond(HttpResponse response) override {
    KT_CHECK(!answered_.exchange(true)) << "HTTP exchange answered twice";
    auto s = session_;
    bool ka = keep_alive_;
    s->Dispatch([s, ka, r = std::move(response)]() mutable { s->SendResponse(std::move(r), ka); });
  }

  std::shared_ptr<ResponseStream> StartStream(
      int status, std::vector<std::pair<std::string, std::string>> headers) override;

  std::shared_ptr<StreamImpl> stream;  // set by StartStream

 private:
  std::shared_ptr<SessionBase> session_;
  bool keep_alive_;
  std::atomic<bool> answered_{false};
};

template <class StreamT>
class Session final : public SessionBase {
 public:
  Session(StreamT stream, std::shared_ptr<const ServerShared> shared, bool tls)
      : stream_(std::move(stream)), shared_(std::move(shared)), options_(shared_->options), tls_(tls) {}

  void Start() {
    auto self = std::static_pointer_cast<Session>(shared_from_this());
    beast::error_code ec;
    const auto ep = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) remote_address_ = ep.address().to_string() + ":" + std::to_string(ep.port());
    asio::dispatch(stream_.get_executor(), [self] {
      if constexpr (std::is_same_v<StreamT, beast::ssl_stream<beast::tcp_stream>>) {
        beast::get_lowest_layer(self->stream_).expires_after(std::chrono::seconds(30));
        self->stream_.async_handshake(asio::ssl::stream_base::server,
                                      [self](beast::error_code ec) {
                                        if (ec) return self->CloseNow();
                                        self->DoRead();
                                      });
      } else {
        self->DoRead();
      }
    });
  }

  void Post(std::function<void()> fn) override { asio::post(stream_.get_executor(), std::move(fn)); }
  void Dispatch(std::function<void()> fn) override {
    asio::dispatch(stream_.get_executor(), std::move(fn));
  }

  void CloseNow() override {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(stream_).close();
    NotifyStreamClosed();
  }

  void SendResponse(HttpResponse r, bool keep_alive) override {
    if (closed_) return;
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    res->set(http::field::server, options_.server_name);
    for (auto& [k, v] : r.headers) res->set(k, v);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    auto self = std::static_pointer_cast<Session>(shared_from_this());
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(60));
    http::async_write(stream_, *res, [self, res](beast::error_code ec, size_t) {
      if (ec || !res->keep_alive()) return self->CloseNow();
      self->DoRead();
    });
  }

  void SendStreamHead(int status,
                      std::vector<std::pair<std::string, std::string>> headers) override {
    if (closed_) return;
    std::string head = "HTTP/1.1 " + std::to_string(status) + " ";
    head += HttpReasonPhrase(status);
    head += "\r\nServer: " + options_.server_name + "\r\n";
    for (auto& [k, v] : headers) head += k + ": " + v + "\r\n";
    head += "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    streaming_ = true;
    beast::get_lowest_layer(stream_).expires_never();
    Enqueue(std::move(head));
    WatchForDisconnect();
  }

  void SendStreamData(std::string data) override {
    if (closed_ || !streaming_ || stream_ended_) return;
    char size[24];
    int n = std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
    std::string chunk(size, static_cast<size_t>(n));
    chunk += data;
    chunk += "\r\n";
    Enqueue(std::move(chunk));
  }

  void EndStream() override {
    if (closed_ || stream_ended_) return;
    stream_ended_ = true;
    Enqueue("0\r\n\r\n");
  }


 private:
  void DoRead() {
    if (closed_) return;
    parser_.emplace();
    parser_->body_limit(options_.body_bytes_max);
    parser_->header_limit(options_.header_bytes_max);
    beast::get_lowest_layer(stream_).expires_after(options_.idle_timeout);
    auto self = std::static_pointer_cast<Session>(shared_from_this());
    http::async_read(stream_, buffer_, *parser_,
                     [self](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      const uint64_t limit = options_.body_bytes_max;
      if (options_.body_too_large) {
        const std::string target(parser_->get().target());
        const std::string path = UrlDecode(std::string_view(target).substr(0, target.find('?')), false);
        return SendResponse(options_.body_too_large(path, limit), false);
      }
      return SendResponse(
          HttpResponse::Json(413, R"({"kind":"Status","apiVersion":"v1","metadata":{},)"
                                  R"("status":"Failure","message":"the request body exceeds )" +
                                      std::to_string(limit) +
                                      R"( bytes","reason":"RequestEntityTooLarge","code":413})"),
          false);
    }
    if (ec == http::error::header_limit) {
      return SendResponse(HttpResponse::Text(431, "request headers too large\n"), false);
    }
    if (ec) return CloseNow();

    http::request<http::string_body> msg = parser_->release();
    HttpRequest req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    std::string_view target = req.target;
    size_t q = target.find('?');
    req.path = UrlDecode(target.substr(0, q), false);
    if (q != std::string_view::npos) req.query = ParseQuery(target.substr(q + 1));
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto [it, inserted] = req.headers.emplace(name, std::string(field.value()));
      if (!inserted) it->second += ", " + std::string(field.value());
    }
    req.body = std::move(msg.body());
    req.tls = tls_;
    req.remote_address = remote_address_;

    auto exchange = std::make_shared<ExchangeImpl>(shared_from_this(), msg.keep_alive());
    shared_->handler(req, std::move(exchange));
  }

  void Enqueue(std::string data) {
    queue_.push_back(std::move(data));
    if (!writing_) WriteNext();
  }

  void WriteNext() {
    if (closed_) return;
    if (queue_.empty()) {
      writing_ = false;
      if (stream_ended_) CloseNow();  // streams end their connection
      return;
    }
    writing_ = true;
    auto self = std::static_pointer_cast<Session>(shared_from_this());
    auto data = std::make_shared<std::string>(std::move(queue_.front()));
    queue_.pop_front();
    asio::async_write(stream_, asio::buffer(*data), [self, data](beast::error_code ec, size_t) {
      if (ec) return self->CloseNow();
      self->WriteNext();
    });
  }

  // While a stream is open, a pending read notices the client hanging up.
  void WatchForDisconnect() {
    auto self = std::static_pointer_cast<Session>(shared_from_this());
    auto buf = std::make_shared<std::array<char, 512>>();
    stream_.async_read_some(asio::buffer(*buf), [self, buf](beast::error_code ec, size_t) {
      if (ec) return self->CloseNow();
      self->WatchForDisconnect();  // ignore anything a client sends mid-stream
    });
  }

  void NotifyStreamClosed();

  StreamT stream_;
  std::shared_ptr<const ServerShared> shared_;
  const HttpServerOptions& options_;  // shared_->options
  bool tls_;
  std::string remote_address_;  // "ip:port" of the client, read once
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool streaming_ = false;
  bool stream_ended_ = false;
  bool closed_ = false;
};

std::shared_ptr<ResponseStream> ExchangeImpl::StartStream(
    int status, std::vector<std::pair<std::string, std::string>> headers) {
  KT_CHECK(!answered_.exchange(true)) << "HTTP exchange answered twice";
  auto s = session_;
  auto st = std::make_shared<StreamImpl>(s);
  stream = st;
  s->Post([s, st, status, h = std::move(headers)]() mutable {
    s->active_stream = st;  // so a disconnect reaches the stream's OnClose
    s->SendStreamHead(status, std::move(h));
  });
  return st;
}

template <class StreamT>
void Session<StreamT>::NotifyStreamClosed() {
  if (auto st = std::move(active_stream)) st->MarkClosed();
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(RealEnv& e, HttpServerOptions o, HttpHandler h)
      : env(e),
        shared(std::make_shared<ServerShared>(ServerShared{std::move(o), std::move(h)})),
        options(shared->options) {}

  RealEnv& env;
  std::shared_ptr<const ServerShared> shared;
  const HttpServerOptions& options;
  std::unique_ptr<asio::ssl::context> ssl;
  std::unique_ptr<tcp::acceptor> acceptor;
  uint16_t port = 0;
  std::atomic<bool> stopped{false};
  std::mutex mu;
  std::vector<std::weak_ptr<SessionBase>> session_refs;  // guarded by mu
  size_t prune_at = 64;                                  // guarded by mu

  void Accept() {
    auto self = shared_from_this();
    acceptor->async_accept(asio::make_strand(env.io()), [self](beast::error_code ec,
                                                               tcp::socket socket) {
      if (self->stopped) return;
      if (!ec) self->Serve(std::move(socket));
      self->Accept();
    });
  }

  void Register(std::shared_ptr<SessionBase> s) {
    std::lock_guard<std::mutex> lock(mu);
    // Drop references to finished sessions now and then so the list stays bounded.
    if (session_refs.size() >= prune_at) {
      std::erase_if(session_refs, [](const auto& w) { return w.expired(); });
      prune_at = 2 * session_refs.size() + 64;
    }
    session_refs.push_back(std::move(s));
  }

  void Serve(tcp::socket socket) {
    if (ssl) {
      auto s = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *ssl), shared,
          true);
      Register(s);
      s->Start();
    } else {
      auto s = std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)),
                                                            shared, false);
      Register(s);
      s->Start();
    }
  }
};

HttpServer::HttpServer(RealEnv& env, HttpServerOptions options, HttpHandler handler)
    : impl_(std::make_shared<Impl>(env, std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  Impl& im = *impl_;
  try {
    if (im.options.tls) {
      im.ssl = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
      im.ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                          asio::ssl::context::no_tlsv1_1);
      const auto& tls = *im.options.tls;
      im.ssl->use_certificate_chain(asio::buffer(tls.cert_chain_pem));
      im.ssl->use_private_key(asio::buffer(tls.private_key_pem), asio::ssl::context::pem);
      if (!tls.client_ca_pem.empty()) {
        im.ssl->add_certificate_authority(asio::buffer(tls.client_ca_pem));
        im.ssl->set_verify_mode(asio::ssl::verify_peer);
      }
    }
    auto address = asio::ip::make_address(im.options.bind_address);
    im.acceptor = std::make_unique<tcp::acceptor>(im.env.io());
    tcp::endpoint ep(address, im.options.port);
    im.acceptor->open(ep.protocol());
    im.acceptor->set_option(asio::socket_base::reuse_address(true));
    im.acceptor->bind(ep);
    im.acceptor->listen(asio::socket_base::max_listen_connections);
    im.port = im.acceptor->local_endpoint().port();
  } catch (const std::exception& e) {
    return Unavailable("cannot listen on " + im.options.bind_address + ":" +
                       std::to_string(im.options.port) + ": " + e.what());
  }
  im.Accept();
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!impl_ || impl_->stopped.exchange(true)) return;
  if (impl_->acceptor) {
    asio::post(impl_->env.io(), [impl = impl_] {
      beast::error_code ec;
      impl->acceptor->close(ec);
    });
  }
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto& w : impl_->session_refs) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
    impl_->session_refs.clear();
  }
  for (auto& s : live) s->Post([s] { s->CloseNow(); });
}

uint16_t HttpServer::port() const { return impl_->port; }
bool HttpServer::tls() const { return impl_->options.tls.has_value(); }

std::string HttpServer::base_url() const {
  std::string host = impl_->options.bind_address;
  if (host == "0.0.0.0") host = "127.0.0.1";
  return std::string(tls() ? "https://" : "http://") + host + ":" + std::to_string(port());
}

}  // namespace kt::net
