#include "controllers/provisioner/cloud_errors.h"

#include "controllers/provisioner/well_known.h"

namespace kt::controllers::provisioner {

CreateErrorKind ClassifyCreateError(const Status& error) {
  if (error.message().find(kCreateInProgressText) != std::string::npos) {
    return CreateErrorKind::kCreateInProgress;
  }
  if (error.reason() == "SkuNotAvailable") return CreateErrorKind::kInsufficientCapacity;
  if (error.Is(StatusCode::kTooManyRequests)) return CreateErrorKind::kThrottled;
  return CreateErrorKind::kRetriable;
}

bool IsPoolNotFound(const Status& error) {
  if (!error.Is(StatusCode::kNotFound)) return false;
  const std::string_view reason = error.reason();
  return reason == "NotFound" || reason == "ResourceNotFound";
}

std::string CreateFailedMessage(std::string_view pool, const Status& error) {
  return "agentPool.BeginCreateOrUpdate for \"" + std::string(pool) + "\" failed: " +
         error.message();
}

std::string InsufficientCapacityMessage(std::string_view pool, const Status& error) {
  return std::string(kInstanceTypesUnavailableMessage) + ": " + CreateFailedMessage(pool, error);
}

std::string ArmCodeOf(const Status& error) { return std::string(error.reason()); }

}  // namespace kt::controllers::provisioner
