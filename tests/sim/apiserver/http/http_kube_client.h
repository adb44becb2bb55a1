// HttpKubeClient (test helper): a small api::KubeClient over base/net's HttpClient, enough to
// run the shared conformance suite against the HTTP front end. (The controllers' production
// HTTP client lives in controllers/runtime; this one only exists to test the server.)
//
// Thread-safety: calls from any thread; each watch streams on a thread of its own and calls its
// handler there.
#ifndef KT_TESTS_SIM_APISERVER_HTTP_HTTP_KUBE_CLIENT_H_
#define KT_TESTS_SIM_APISERVER_HTTP_HTTP_KUBE_CLIENT_H_

#include <memory>
#include <string>

#include "api/kube_client.h"
#include "base/net/http_client.h"

namespace kt::sim::testing {

class HttpKubeClient final : public api::KubeClient {
 public:
  // `base_url` "https://127.0.0.1:PORT"; `token` "" for none.
  static Result<std::unique_ptr<HttpKubeClient>> Create(const std::string& base_url,
                                                        const std::string& ca_pem,
                                                        const std::string& token);

  Result<Json> Get(const api::GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                   const api::GetOptions& options = {}) override;
  Result<Json> List(const api::GroupVersionResource& gvr, std::string_view ns,
                    const api::ListOptions& options = {}) override;
  Result<Json> Create(const api::GroupVersionResource& gvr, std::string_view ns, const Json& object,
                      const api::WriteOptions& options = {}) override;
  Result<Json> Update(const api::GroupVersionResource& gvr, std::string_view ns, const Json& object,
                      const api::WriteOptions& options = {}) override;
  Result<Json> Patch(const api::GroupVersionResource& gvr, std::string_view ns,
                     std::string_view name, api::PatchType type, std::string_view patch,
                     const api::WriteOptions& options = {}) override;
  Result<Json> Delete(const api::GroupVersionResource& gvr, std::string_view ns,
                      std::string_view name, const api::DeleteOptions& options = {}) override;
  Result<std::unique_ptr<api::Watch>> StartWatch(const api::GroupVersionResource& gvr,
                                                 std::string_view ns,
                                                 const api::ListOptions& options,
                                                 api::WatchHandler on_event,
                                                 api::WatchClosed on_closed) override;

 private:
  HttpKubeClient(std::string base_url, net::HttpClientOptions options, std::string token,
                 std::unique_ptr<net::HttpClient> client);
  Result<Json> Call(const std::string& method, const std::string& target, const std::string& body,
                    const std::string& content_type);

  std::string base_url_;
  net::HttpClientOptions options_;
  std::string token_;
  std::unique_ptr<net::HttpClient> client_;
};

// The Status error an API server reply carries (reason decides AlreadyExists vs Conflict).
Status StatusFromReply(int http_code, const std::string& body);

}  // namespace kt::sim::testing

#endif  // KT_TESTS_SIM_APISERVER_HTTP_HTTP_KUBE_CLIENT_H_
