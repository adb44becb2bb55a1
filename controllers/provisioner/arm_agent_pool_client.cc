#include "controllers/provisioner/arm_agent_pool_client.h"

#include <cctype>
#include <optional>

#include "base/json.h"

namespace kt::controllers::provisioner {

namespace {

constexpr std::string_view kLocationPrefix = "location:";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ARM error codes whose meaning a caller branches on get their own StatusCode; the rest follow
// the HTTP status.
std::optional<StatusCode> CodeOfArmError(std::string_view code) {
  struct Entry {
    std::string_view code;
    StatusCode status;
  };
  static constexpr Entry kCodes[] = {
      {"QuotaExceeded", StatusCode::kQuotaExceeded},
      {"AllocationFailed", StatusCode::kUnavailable},
      {"ZonalAllocationFailed", StatusCode::kUnavailable},
      {"OverconstrainedAllocationRequest", StatusCode::kUnavailable},
      {"OverconstrainedZonalAllocationRequest", StatusCode::kUnavailable},
      {"OperationCanceled", StatusCode::kCancelled},
      {"TooManyRequests", StatusCode::kTooManyRequests},
      {"SubscriptionRequestsThrottled", StatusCode::kTooManyRequests},
      {"NotFound", StatusCode::kNotFound},
      {"ResourceNotFound", StatusCode::kNotFound},
      {"OperationNotAllowed", StatusCode::kConflict},
      {"GatewayTimeout", StatusCode::kTimeout},
      {"InternalServerError", StatusCode::kInternal},
  };
  for (const Entry& e : kCodes) {
    if (e.code == code) return e.status;
  }
  return std::nullopt;
}

// Retry-After in delta-seconds (the form ARM uses); 0 when absent or an HTTP-date.
int RetryAfterSeconds(const net::HttpResponse& reply) {
  const std::string v = reply.Header("Retry-After");
  if (v.empty() || v.size() > 9) return 0;
  int seconds = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return 0;
    seconds = seconds * 10 + (c - '0');
  }
  return seconds;
}

// The error object of an ARM error body: {"error":{...}} or a bare {"code","message"}.
const Json* ErrorObject(const Json& body) {
  if (!body.is_object()) return nullptr;
  if (auto it = body.find("error"); it != body.end() && it->is_object()) return &*it;
  if (body.contains("code") && body["code"].is_string()) return &body;
  return nullptr;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Error mapping.

Status ArmAgentPoolClient::StatusFromArmError(const Json& error, StatusCode fallback) {
  std::string code = error.value("code", "");
  std::string message = error.value("message", "");
  if (code.empty()) code = "UnknownError";
  Status s(CodeOfArmError(code).value_or(fallback), std::move(message));
  s.WithReason(std::move(code));
  return s;
}

Status ArmAgentPoolClient::StatusFromArmReply(const net::HttpResponse& reply,
                                              size_t body_chars_max) {
  const StatusCode by_http = CodeFromHttp(reply.status);
  Status s;
  auto body = ParseJson(reply.body);
  const Json* error = body.ok() ? ErrorObject(*body) : nullptr;
  if (error != nullptr) {
    s = StatusFromArmError(*error, by_http == StatusCode::kOk ? StatusCode::kInternal : by_http);
  } else {
    std::string text = reply.body.substr(0, body_chars_max);
    s = Status(by_http == StatusCode::kOk ? StatusCode::kInternal : by_http,
               "HTTP " + std::to_string(reply.status) + " " +
                   std::string(net::HttpReasonPhrase(reply.status)) +
                   (text.empty() ? "" : ": " + text));
  }
  if (int retry = RetryAfterSeconds(reply); retry > 0) s.WithRetryAfter(retry);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Construction and plumbing.

Result<std::unique_ptr<ArmAgentPoolClient>> ArmAgentPoolClient::Create(
    ArmAgentPoolClientOptions options, std::shared_ptr<TokenProvider> tokens) {
  if (options.subscription_id.empty() || options.resource_group.empty() ||
      options.cluster_name.empty()) {
    return BadRequest("ARM client: subscription_id, resource_group and cluster_name are required");
  }
  if (options.api_version.empty()) return BadRequest("ARM client: api_version is required");
  if (options.list_pages_max < 1) return BadRequest("ARM client: list_pages_max must be >= 1");
  KT_ASSIGN_OR_RETURN(std::unique_ptr<net::HttpClient> http,
                      net::HttpClient::Create(options.endpoint, options.http));
  return std::unique_ptr<ArmAgentPoolClient>(
      new ArmAgentPoolClient(std::move(options), std::move(tokens), std::move(http)));
}

ArmAgentPoolClient::ArmAgentPoolClient(ArmAgentPoolClientOptions options,
                                       std::shared_ptr<TokenProvider> tokens,
                                       std::unique_ptr<net::HttpClient> http)
    : options_(std::move(options)), tokens_(std::move(tokens)), http_(std::move(http)) {}

std::string ArmAgentPoolClient::AgentPoolsPath() const {
  return "/subscriptions/" + net::UrlEncode(options_.subscription_id) + "/resourceGroups/" +
         net::UrlEncode(options_.resource_group) +
         "/providers/Microsoft.ContainerService/managedClusters/" +
         net::UrlEncode(options_.cluster_name) + "/agentPools";
}

std::string ArmAgentPoolClient::WithApiVersion(std::string path) const {
  path += path.find('?') == std::string::npos ? "?" : "&";
  path += "api-version=" + net::UrlEncode(options_.api_version);
  return path;
}

Result<net::HttpResponse> ArmAgentPoolClient::Send(std::string_view method,
                                                   const std::string& target,
                                                   std::string_view body) {
  std::vector<std::pair<std::string, std::string>> headers = {{"Accept", "application/json"}};
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  if (tokens_ != nullptr) {
    auto token = tokens_->Token();
    if (!token.ok()) return token.status().Annotate("getting an ARM access token");
    headers.emplace_back("Authorization", "Bearer " + *token);
  }
  auto reply = http_->Do(method, target, headers, body);
  if (!reply.ok()) {
    return reply.status().Annotate(std::string(method) + " " + options_.endpoint + target);
  }
  return reply;
}

Result<std::string> ArmAgentPoolClient::SameOriginTarget(std::string_view url) const {
  KT_ASSIGN_OR_RETURN(net::BaseUrl u, net::ParseBaseUrl(url));
  const net::BaseUrl& base = http_->base();
  if (u.tls != base.tls || Lower(u.host) != Lower(base.host) || u.port != base.port) {
    return BadRequest("ARM returned a URL on another origin than " + options_.endpoint + ": " +
                      std::string(url));
  }
  std::string target = u.path_prefix.empty() ? "/" : u.path_prefix;
  // HttpClient prepends the endpoint's own path prefix again.
  if (!base.path_prefix.empty() && target.rfind(base.path_prefix, 0) == 0) {
    target = target.substr(base.path_prefix.size());
  }
  return target;
}

Result<api::LongRunningOperation> ArmAgentPoolClient::OperationFrom(const net::HttpResponse& reply,
                                                                    std::string_view name) const {
  api::LongRunningOperation op;
  op.resource_name = std::string(name);
  if (std::string async = reply.Header("Azure-AsyncOperation"); !async.empty()) {
    KT_RETURN_IF_ERROR(SameOriginTarget(async).status());
    op.id = async;
  } else if (std::string location = reply.Header("Location"); !location.empty()) {
    KT_RETURN_IF_ERROR(SameOriginTarget(location).status());
    op.id = std::string(kLocationPrefix) + location;
  }
  return op;
}

// ---------------------------------------------------------------------------------------------
// AgentPoolClient.

Result<Json> ArmAgentPoolClient::Get(std::string_view name) {
  KT_ASSIGN_OR_RETURN(net::HttpResponse reply,
                      Send("GET", WithApiVersion(AgentPoolsPath() + "/" + net::UrlEncode(name))));
  if (reply.status != 200) return StatusFromArmReply(reply, options_.error_body_chars_max);
  auto body = ParseJson(reply.body);
  if (!body.ok()) return body.status().Annotate("ARM agent pool reply");
  return std::move(body).value();
}

Result<std::vector<Json>> ArmAgentPoolClient::List() {
  std::vector<Json> pools;
  std::string target = WithApiVersion(AgentPoolsPath());
  for (int page = 0; page < options_.list_pages_max; ++page) {
    KT_ASSIGN_OR_RETURN(net::HttpResponse reply, Send("GET", target));
    if (reply.status != 200) return StatusFromArmReply(reply, options_.error_body_chars_max);
    auto body = ParseJson(reply.body);
    if (!body.ok()) return body.status().Annotate("ARM agent pool list");
    const Json* value = FindPath(*body, "value");
    if (value == nullptr || !value->is_array()) {
      return Internal("ARM agent pool list has no \"value\" array");
    }
    for (const Json& p : *value) pools.push_back(p);
    std::string next = GetString(*body, "nextLink");
    if (next.empty()) return pools;
    KT_ASSIGN_OR_RETURN(target, SameOriginTarget(next));
  }
  return Internal("ARM agent pool list has more than " + std::to_string(options_.list_pages_max) +
                  " pages");
}

Result<api::LongRunningOperation> ArmAgentPoolClient::BeginCreateOrUpdate(std::string_view name,
                                                                          const Json& agent_pool) {
  KT_ASSIGN_OR_RETURN(net::HttpResponse reply,
                      Send("PUT", WithApiVersion(AgentPoolsPath() + "/" + net::UrlEncode(name)),
                           DumpJson(agent_pool)));
  if (reply.status != 200 && reply.status != 201 && reply.status != 202) {
    return StatusFromArmReply(reply, options_.error_body_chars_max);
  }
  return OperationFrom(reply, name);
}

Result<api::LongRunningOperation> ArmAgentPoolClient::BeginDelete(std::string_view name) {
  KT_ASSIGN_OR_RETURN(
      net::HttpResponse reply,
      Send("DELETE", WithApiVersion(AgentPoolsPath() + "/" + net::UrlEncode(name))));
  if (reply.status == 200 || reply.status == 204) {
    return api::LongRunningOperation{"", std::string(name)};
  }
  if (reply.status != 202) return StatusFromArmReply(reply, options_.error_body_chars_max);
  return OperationFrom(reply, name);
}

Result<api::OperationStatus> ArmAgentPoolClient::Poll(const api::LongRunningOperation& op) {
  api::OperationStatus status;
  if (op.id.empty()) {
    status.state = api::OperationStatus::State::kSucceeded;
    return status;
  }
  const bool location = op.id.rfind(kLocationPrefix, 0) == 0;
  const std::string url = location ? op.id.substr(kLocationPrefix.size()) : op.id;
  KT_ASSIGN_OR_RETURN(std::string target, SameOriginTarget(url));
  KT_ASSIGN_OR_RETURN(net::HttpResponse reply, Send("GET", target));
  status.retry_after_seconds = RetryAfterSeconds(reply);

  if (location) {
    // Location polling: 202 while running, 200/201/204 when done, an ARM error when failed.
    if (reply.status == 202) return status;
    if (reply.status >= 200 && reply.status < 300) {
      status.state = api::OperationStatus::State::kSucceeded;
      status.retry_after_seconds = 0;
      return status;
    }
    Status error = StatusFromArmReply(reply, options_.error_body_chars_max);
    // A throttled or missing poll is the poll's failure, not the operation's.
    if (reply.status == 429 || reply.status == 404 || reply.status >= 500) return error;
    status.state = error.Is(StatusCode::kCancelled) ? api::OperationStatus::State::kCanceled
                                                    : api::OperationStatus::State::kFailed;
    status.error = error;
    status.retry_after_seconds = 0;
    return status;
  }

  if (reply.status != 200) return StatusFromArmReply(reply, options_.error_body_chars_max);
  auto body = ParseJson(reply.body);
  if (!body.ok()) return body.status().Annotate("ARM operation status");
  const std::string state = Lower(GetString(*body, "status"));
  if (state.empty()) return Internal("ARM operation status has no \"status\": " + reply.body);
  const Json* error = FindPath(*body, "error");
  if (state == "succeeded") {
    status.state = api::OperationStatus::State::kSucceeded;
  } else if (state == "failed") {
    status.state = api::OperationStatus::State::kFailed;
    status.error = error != nullptr && error->is_object()
                       ? StatusFromArmError(*error, StatusCode::kInternal)
                       : Status(StatusCode::kInternal, "operation failed without an error");
    if (status.error.reason() == "UnknownError") status.error.WithReason("Failed");
  } else if (state == "canceled" || state == "cancelled") {
    status.state = api::OperationStatus::State::kCanceled;
    status.error = error != nullptr && error->is_object()
                       ? StatusFromArmError(*error, StatusCode::kCancelled)
                       : Status(StatusCode::kCancelled, "operation canceled");
  } else {
    return status;  // InProgress, Accepted, Running, Creating, ... : keep polling
  }
  status.retry_after_seconds = 0;
  return status;
}

}  // namespace kt::controllers::provisioner
