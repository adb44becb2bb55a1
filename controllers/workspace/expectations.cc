#include "controllers/workspace/expectations.h"

namespace kt::workspace {

void CreationExpectations::ExpectCreation(std::string_view key, std::string_view name, Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) it = entries_.emplace(std::string(key), Entry{{}, now}).first;
  it->second.pending.insert(std::string(name));
  it->second.since = now;
}

bool CreationExpectations::Satisfied(std::string_view key, const std::set<std::string>& observed,
                                     Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return true;
  for (const std::string& n : observed) it->second.pending.erase(n);
  if (it->second.pending.empty() || now - it->second.since > ttl_) {
    entries_.erase(it);
    return true;
  }
  return false;
}

void CreationExpectations::Delete(std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) entries_.erase(it);
}

size_t CreationExpectations::pending_keys() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace kt::workspace
