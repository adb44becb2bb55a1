// ArmAgentPoolClient: api::AgentPoolClient over Azure Resource Manager's REST API
// (Microsoft.ContainerService/managedClusters/agentPools), for the GPU provisioner. It talks to
// https://management.azure.com with an Azure AD token, or to kaito-twin's fake AKS endpoint
// (sim/cloud ArmEndpoint) - the same code either way.
//
// Wire behaviour:
//   - Every request carries ?api-version=<options.api_version> and, when a TokenProvider is
//     set, "Authorization: Bearer <token>" (the provider is asked on every request, so it may
//     refresh tokens).
//   - BeginCreateOrUpdate: PUT; 200/201. BeginDelete: DELETE; 202, or 200/204 when there is
//     nothing to wait for. The returned operation id is the Azure-AsyncOperation URL; a reply
//     with only a Location header gives "location:<url>"; a reply with neither gives "" (done).
//   - Poll: GET of that URL. The operation resource's "status" maps Succeeded / Failed /
//     Canceled, anything else is in progress; Retry-After becomes retry_after_seconds. An empty
//     id polls as Succeeded.
//   - Errors: any non-2xx reply becomes a Status whose reason() is ARM's error code and whose
//     message is ARM's message (both {"error":{..}} and bare {"code","message"} bodies are
//     understood); QuotaExceeded maps to kQuotaExceeded, other codes to the StatusCode of the
//     HTTP status; 429 carries retry_after_seconds from Retry-After. Transport failures are
//     kUnavailable / kTimeout. The client never sleeps: callers honour retry_after_seconds.
//   - List follows nextLink (at most list_pages_max pages). Operation and nextLink URLs must be
//     on the endpoint's origin (scheme, host, port), else BadRequest.
//
// Thread-safety: safe from several threads (HttpClient serializes requests on its keep-alive
// connection; the TokenProvider must be thread-safe).
#ifndef KT_CONTROLLERS_PROVISIONER_ARM_AGENT_POOL_CLIENT_H_
#define KT_CONTROLLERS_PROVISIONER_ARM_AGENT_POOL_CLIENT_H_

#include <memory>
#include <string>
#include <string_view>

#include "api/cloud_client.h"
#include "base/net/http.h"
#include "base/net/http_client.h"

namespace kt::controllers::provisioner {

// Supplies bearer tokens for ARM (audience https://management.azure.com/). Implementations:
// StaticTokenProvider here; an Azure AD client (workload identity: exchange the federated
// token at login.microsoftonline.com) can be plugged in without touching the client.
// REQUIRES: thread-safe.
class TokenProvider {
 public:
  virtual ~TokenProvider() = default;
  // The access token without the "Bearer " prefix.
  virtual Result<std::string> Token() = 0;
};

class StaticTokenProvider final : public TokenProvider {
 public:
  explicit StaticTokenProvider(std::string token) : token_(std::move(token)) {}
  Result<std::string> Token() override { return token_; }

 private:
  const std::string token_;
};

struct ArmAgentPoolClientOptions {
  std::string endpoint = "https://management.azure.com";
  std::string subscription_id;
  std::string resource_group;
  std::string cluster_name;
  std::string api_version = "2024-09-01";
  net::HttpClientOptions http;
  int list_pages_max = 100;
  // How much of an unparseable error body is quoted in the Status message.
  size_t error_body_chars_max = 2048;
};

class ArmAgentPoolClient final : public api::AgentPoolClient {
 public:
  // `tokens` may be null (no Authorization header: local emulators only).
  static Result<std::unique_ptr<ArmAgentPoolClient>> Create(ArmAgentPoolClientOptions options,
                                                            std::shared_ptr<TokenProvider> tokens);

  Result<Json> Get(std::string_view name) override;
  Result<std::vector<Json>> List() override;
  Result<api::LongRunningOperation> BeginCreateOrUpdate(std::string_view name,
                                                        const Json& agent_pool) override;
  Result<api::LongRunningOperation> BeginDelete(std::string_view name) override;
  Result<api::OperationStatus> Poll(const api::LongRunningOperation& op) override;

  // "/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerService/
  // managedClusters/<cluster>/agentPools".
  std::string AgentPoolsPath() const;

  // The Status for a non-2xx ARM reply (see the header comment).
  static Status StatusFromArmReply(const net::HttpResponse& reply, size_t body_chars_max = 2048);
  // The Status for an ARM error object {"code","message"} reported inside a 2xx reply (a failed
  // operation); `fallback` is used when the code is not one ARM uses for a distinct StatusCode.
  static Status StatusFromArmError(const Json& error, StatusCode fallback);

 private:
  ArmAgentPoolClient(ArmAgentPoolClientOptions options, std::shared_ptr<TokenProvider> tokens,
                     std::unique_ptr<net::HttpClient> http);

  Result<net::HttpResponse> Send(std::string_view method, const std::string& target,
                                 std::string_view body = {});
  // path + query of an absolute URL on our origin.
  Result<std::string> SameOriginTarget(std::string_view url) const;
  std::string WithApiVersion(std::string path) const;
  Result<api::LongRunningOperation> OperationFrom(const net::HttpResponse& reply,
                                                  std::string_view name) const;

  ArmAgentPoolClientOptions options_;
  std::shared_ptr<TokenProvider> tokens_;
  std::unique_ptr<net::HttpClient> http_;
};

}  // namespace kt::controllers::provisioner

#endif  // KT_CONTROLLERS_PROVISIONER_ARM_AGENT_POOL_CLIENT_H_
