#include "controllers/provisioner/operation_tracker.h"

namespace kt::controllers::provisioner {

std::optional<TrackedOperation> OperationTracker::Get(std::string_view name, std::string_view uid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.uid != uid) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

bool OperationTracker::Put(std::string_view name, TrackedOperation op) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(name);
  if (it != entries_.end()) {
    it->second = std::move(op);
    return true;
  }
  if (entries_.size() >= entries_max_) return false;
  entries_.emplace(std::string(name), std::move(op));
  return true;
}

void OperationTracker::Forget(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(name);
  if (it != entries_.end()) entries_.erase(it);
}

size_t OperationTracker::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace kt::controllers::provisioner
