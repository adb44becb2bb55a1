#include "sim/cloud/arm_errors.h"

#include "base/json.h"

namespace kt::sim::cloud {

namespace {

struct ArmCode {
  std::string_view code;
  int http;
  StatusCode status;
};

// HTTP statuses as ARM/AKS answer them. Async-only codes (allocation, cancel) are listed with
// the status the operation-result URL answers once the operation failed.
constexpr ArmCode kArmCodes[] = {
    {"InvalidParameter", 400, StatusCode::kBadRequest},
    {"InvalidRequestContent", 400, StatusCode::kBadRequest},
    {"MissingApiVersionParameter", 400, StatusCode::kBadRequest},
    {"NoRegisteredProviderFound", 400, StatusCode::kBadRequest},
    {"PropertyChangeNotAllowed", 400, StatusCode::kBadRequest},
    {"AvailabilityZoneNotSupported", 400, StatusCode::kBadRequest},
    {"SkuNotAvailable", 400, StatusCode::kBadRequest},
    {"QuotaExceeded", 400, StatusCode::kQuotaExceeded},
    {"AuthenticationFailed", 401, StatusCode::kUnauthorized},
    {"InvalidAuthenticationToken", 401, StatusCode::kUnauthorized},
    {"NotFound", 404, StatusCode::kNotFound},
    {"ResourceNotFound", 404, StatusCode::kNotFound},
    {"ResourceGroupNotFound", 404, StatusCode::kNotFound},
    {"SubscriptionNotFound", 404, StatusCode::kNotFound},
    {"MethodNotAllowed", 405, StatusCode::kMethodNotAllowed},
    {"OperationNotAllowed", 409, StatusCode::kConflict},
    {"AllocationFailed", 409, StatusCode::kUnavailable},
    {"ZonalAllocationFailed", 409, StatusCode::kUnavailable},
    {"OperationCanceled", 409, StatusCode::kCancelled},
    {"TooManyRequests", 429, StatusCode::kTooManyRequests},
    {"SubscriptionRequestsThrottled", 429, StatusCode::kTooManyRequests},
    {"InternalServerError", 500, StatusCode::kInternal},
    {"GatewayTimeout", 504, StatusCode::kTimeout},
};

const ArmCode* FindCode(std::string_view code) {
  for (const ArmCode& c : kArmCodes) {
    if (c.code == code) return &c;
  }
  return nullptr;
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

Status ArmError(std::string_view code, std::string message) {
  const ArmCode* c = FindCode(code);
  Status s(c ? c->status : StatusCode::kBadRequest, std::move(message));
  s.WithReason(std::string(code));
  return s;
}

int ArmHttpStatus(const Status& error) {
  if (const ArmCode* c = FindCode(error.reason())) return c->http;
  return HttpCodeOf(error.code());
}

Json ArmErrorBody(const Status& error, std::string_view target) {
  Json inner = {{"code", std::string(error.reason())}, {"message", error.message()}};
  if (!target.empty()) inner["target"] = std::string(target);
  return Json{{"error", std::move(inner)}};
}

Status MissingApiVersion() {
  return ArmError("MissingApiVersionParameter",
                  "The api-version query parameter (?api-version=) is required for all requests.");
}

Status UnsupportedApiVersion(std::string_view api_version, std::string_view region,
                             std::string_view resource_type, std::string_view supported_csv) {
  return ArmError("NoRegisteredProviderFound",
                  "No registered resource provider found for location " + Quote(region) +
                      " and API version " + Quote(api_version) + " for type " +
                      Quote(resource_type) + ". The supported api-versions are " +
                      Quote(supported_csv) + ". The supported locations are " + Quote(region) +
                      ".");
}

Status InvalidRequestContent(std::string_view detail) {
  return ArmError(
      "InvalidRequestContent",
      "The request content was invalid and could not be deserialized: " + Quote(detail) + ".");
}

Status InvalidParameter(std::string_view field, std::string_view detail) {
  std::string m = "The value of parameter agentPoolProfile." + std::string(field) + " is invalid.";
  if (!detail.empty()) {
    m += " ";
    m += detail;
  }
  m += " Please see https://aka.ms/aks-naming-rules for more details.";
  return ArmError("InvalidParameter", std::move(m));
}

Status PropertyChangeNotAllowed(std::string_view property) {
  return ArmError("PropertyChangeNotAllowed",
                  "Changing property " + Quote(property) + " is not allowed.");
}

Status AvailabilityZoneNotSupported(std::string_view zones_csv, std::string_view pool,
                                    std::string_view region, std::string_view supported_csv) {
  return ArmError("AvailabilityZoneNotSupported",
                  "The zone(s) " + std::string(zones_csv) + " for resource " + std::string(pool) +
                      " is not supported. The supported zones for location " + std::string(region) +
                      " are " + std::string(supported_csv) + ".");
}

Status QuotaExceeded(std::string_view cluster, std::string_view node_resource_group,
                     std::string_view family_display, std::string_view region, int64_t limit,
                     int64_t usage, int64_t required) {
  return ArmError(
      "QuotaExceeded",
      "Preflight validation check for resource(s) for container service " + std::string(cluster) +
          " in resource group " + std::string(node_resource_group) +
          " failed. Message: Operation could not be completed as it results in exceeding "
          "approved " +
          std::string(family_display) +
          " Cores quota. Additional details - Deployment Model: Resource Manager, Location: " +
          std::string(region) + ", Current Limit: " + std::to_string(limit) + ", Current Usage: " +
          std::to_string(usage) + ", Additional Required: " + std::to_string(required) +
          ", (Minimum) New Limit Required: " + std::to_string(usage + required) +
          ". Submit a request for Quota increase at https://aka.ms/ProdportalCRP by specifying "
          "parameters listed in the 'Details' section for deployment to succeed. Please read "
          "more about quota limits at https://docs.microsoft.com/en-us/azure/azure-supportability/"
          "per-vm-quota-requests. Details: ");
}

Status SkuNotAvailable(std::string_view sku, std::string_view region, std::string_view zones_csv) {
  return ArmError("SkuNotAvailable",
                  "The requested VM size for resource 'Following SKUs have failed for Capacity "
                  "Restrictions: " +
                      std::string(sku) + "' is currently not available in location " +
                      Quote(region) + " zones " + Quote(zones_csv) +
                      ". Please try another size or deploy to a different location or "
                      "different zone. See https://aka.ms/azureskunotavailable for details.");
}

Status AllocationFailed() {
  return ArmError("AllocationFailed",
                  "Allocation failed. We do not have sufficient capacity for the requested VM "
                  "size in this region. Read more about improving likelihood of allocation "
                  "success at http://aka.ms/allocation-guidance");
}

Status ZonalAllocationFailed() {
  return ArmError("ZonalAllocationFailed",
                  "Allocation failed. We do not have sufficient capacity for the requested VM "
                  "size in this zone. Read more about improving likelihood of allocation success "
                  "at http://aka.ms/allocation-guidance");
}

Status CreateInProgress(std::string_view pool, Time started) {
  return ArmError("OperationNotAllowed",
                  "Operation is not allowed because there's an in progress create node pool "
                  "operation for agent pool " +
                      Quote(pool) + " which started at " + FormatRfc3339(started) +
                      ". Please wait for it to finish before starting a new operation. See "
                      "https://aka.ms/aks-pending-operation for more details");
}

Status AnotherOperationInProgress(std::string_view pool, std::string_view state) {
  return ArmError("OperationNotAllowed",
                  "Operation is not allowed: Another agentpool operation (" + std::string(pool) +
                      " - " + std::string(state) +
                      ") is in progress, please wait for it to finish before starting a new "
                      "operation. See https://aka.ms/aks-pending-operation for more details");
}

Status OperationCanceled(std::string_view by_operation_id) {
  return ArmError("OperationCanceled",
                  "The operation was overriden and canceled by a later "
                  "operation " +
                      std::string(by_operation_id) + ".");
}

Status TooManyAgentPools(int max) {
  return ArmError("InvalidParameter", "The number of agent pools would exceed the maximum of " +
                                          std::to_string(max) + " per managed cluster.");
}

Status AgentPoolNotFound(std::string_view pool, std::string_view cluster) {
  return ArmError("NotFound", "Agent Pool " + Quote(pool) + " in managed cluster " +
                                  Quote(cluster) + " not found.");
}

Status OperationNotFound(std::string_view operation_id) {
  return ArmError("NotFound", "Operation " + Quote(operation_id) + " not found.");
}

Status SubscriptionNotFound(std::string_view subscription) {
  return ArmError("SubscriptionNotFound",
                  "The subscription " + Quote(subscription) + " could not be found.");
}

Status ResourceGroupNotFound(std::string_view resource_group) {
  return ArmError("ResourceGroupNotFound",
                  "Resource group " + Quote(resource_group) + " could not be found.");
}

Status ManagedClusterNotFound(std::string_view cluster, std::string_view resource_group) {
  return ArmError("ResourceNotFound", "The Resource 'Microsoft.ContainerService/managedClusters/" +
                                          std::string(cluster) + "' under resource group " +
                                          Quote(resource_group) +
                                          " was not found. For more details please go to "
                                          "https://aka.ms/ARMResourceNotFoundFix");
}

Status PathNotFound(std::string_view path) {
  return ArmError("NotFound", "The requested path " + Quote(path) +
                                  " is not served by this Azure Resource Manager endpoint.");
}

Status MethodNotAllowed(std::string_view method) {
  return ArmError("MethodNotAllowed",
                  "The requested method " + Quote(method) + " is not allowed for this resource.");
}

Status Throttled(std::string_view operation_type, int retry_after_s) {
  Status s = ArmError("TooManyRequests",
                      "The request is being throttled as the limit has been reached for "
                      "operation type - " +
                          std::string(operation_type) +
                          "_ObservationWindow_00:01:00. Please try again after '" +
                          std::to_string(retry_after_s) +
                          "' seconds. For more information, refer to - "
                          "https://aka.ms/srpthrottlinglimits");
  s.WithRetryAfter(retry_after_s);
  return s;
}

Status SubscriptionThrottled(std::string_view kind, std::string_view subscription,
                             int retry_after_s) {
  Status s =
      ArmError("SubscriptionRequestsThrottled",
               "Number of " + Quote(kind) + " requests for subscription " + Quote(subscription) +
                   " exceeded the limit for time interval "
                   "'01:00:00'. Please try again after '" +
                   std::to_string(retry_after_s) + "' seconds.");
  s.WithRetryAfter(retry_after_s);
  return s;
}

Status InternalServerError() {
  return ArmError("InternalServerError",
                  "An internal server error occurred. Please retry the request.");
}

Status GatewayTimeout() {
  return ArmError("GatewayTimeout",
                  "The gateway did not receive a response from 'Microsoft.ContainerService' "
                  "within the specified time period.");
}

Status MissingAuthorization() {
  return ArmError("AuthenticationFailed",
                  "Authentication failed. The 'Authorization' header is missing.");
}

Status InvalidAuthenticationToken() {
  return ArmError("InvalidAuthenticationToken", "The access token is invalid.");
}

}  // namespace kt::sim::cloud
