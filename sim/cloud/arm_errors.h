// The errors Azure Resource Manager and AKS return, as Status values and as ARM error bodies.
//
// Every ARM error is a Status whose reason() is the ARM error code ("QuotaExceeded",
// "SkuNotAvailable", "OperationNotAllowed", ...) and whose message is the message ARM writes,
// worded as AKS words it (the GPU provisioner matches on some of these texts, e.g.
// "Operation is not allowed because there's an in progress create node pool operation").
// 429 errors carry retry_after_seconds. The same Status travels through the in-process client
// and, rendered by ArmErrorBody + ArmHttpStatus, over HTTP.
//
// Stateless functions; thread-safe.
#ifndef KT_SIM_CLOUD_ARM_ERRORS_H_
#define KT_SIM_CLOUD_ARM_ERRORS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/json_fwd.h"
#include "base/status.h"
#include "base/time.h"

namespace kt::sim::cloud {

// A Status for ARM code `code`: its StatusCode and HTTP status follow the code table in
// arm_errors.cc (unknown codes: 400 BadRequest).
Status ArmError(std::string_view code, std::string message);

// HTTP status ARM answers a synchronous error with.
int ArmHttpStatus(const Status& error);
// {"error":{"code":..,"message":..}} (plus "target" when the message names a parameter).
Json ArmErrorBody(const Status& error, std::string_view target = "");

// --- Request validation (400) ---
Status MissingApiVersion();
Status UnsupportedApiVersion(std::string_view api_version, std::string_view region,
                             std::string_view resource_type, std::string_view supported_csv);
Status InvalidRequestContent(std::string_view detail);
// "The value of parameter agentPoolProfile.<field> is invalid. <detail>" (code InvalidParameter).
Status InvalidParameter(std::string_view field, std::string_view detail);
Status PropertyChangeNotAllowed(std::string_view property);
Status AvailabilityZoneNotSupported(std::string_view zones_csv, std::string_view pool,
                                    std::string_view region, std::string_view supported_csv);

// --- Capacity, quota, availability ---
// family_display: "standardNCADSA100v4Family", "Total Regional", "Low Priority".
Status QuotaExceeded(std::string_view cluster, std::string_view node_resource_group,
                     std::string_view family_display, std::string_view region, int64_t limit,
                     int64_t usage, int64_t required);
Status SkuNotAvailable(std::string_view sku, std::string_view region, std::string_view zones_csv);
Status AllocationFailed();
Status ZonalAllocationFailed();

// --- Conflicts ---
// The message gpu-provisioner treats as "creation already running: keep waiting".
Status CreateInProgress(std::string_view pool, Time started);
// Another operation (Updating/Deleting/Creating) of `pool` is running.
Status AnotherOperationInProgress(std::string_view pool, std::string_view state);
Status OperationCanceled(std::string_view by_operation_id);
Status TooManyAgentPools(int max);

// --- Not found ---
Status AgentPoolNotFound(std::string_view pool, std::string_view cluster);
Status OperationNotFound(std::string_view operation_id);
Status SubscriptionNotFound(std::string_view subscription);
Status ResourceGroupNotFound(std::string_view resource_group);
Status ManagedClusterNotFound(std::string_view cluster, std::string_view resource_group);
Status PathNotFound(std::string_view path);
Status MethodNotAllowed(std::string_view method);

// --- Throttling and server faults ---
// The resource provider throttles (AKS's own limits); 429 TooManyRequests with Retry-After.
Status Throttled(std::string_view operation_type, int retry_after_s);
// ARM's per-subscription hourly budget ("read", "write" or "delete") is exhausted; 429
// SubscriptionRequestsThrottled with Retry-After.
Status SubscriptionThrottled(std::string_view kind, std::string_view subscription,
                             int retry_after_s);
Status InternalServerError();
// The gateway gave up although the provider may have applied the request (504).
Status GatewayTimeout();

// --- Authentication ---
Status MissingAuthorization();
Status InvalidAuthenticationToken();

}  // namespace kt::sim::cloud

#endif  // KT_SIM_CLOUD_ARM_ERRORS_H_
