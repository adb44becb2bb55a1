#include "sim/apiserver/admission.h"

#include <algorithm>

namespace kt::sim {

std::string_view AdmissionOperationName(AdmissionOperation op) {
  switch (op) {
    case AdmissionOperation::kCreate: return "CREATE";
    case AdmissionOperation::kUpdate: return "UPDATE";
    case AdmissionOperation::kDelete: return "DELETE";
    case AdmissionOperation::kConnect: return "CONNECT";
  }
  return "CREATE";
}

void AdmissionChain::AddMutating(std::shared_ptr<MutatingAdmissionPlugin> plugin) {
  std::lock_guard<std::mutex> lock(mu_);
  mutating_.push_back(std::move(plugin));
  CountLocked();
}

void AdmissionChain::AddValidating(std::shared_ptr<ValidatingAdmissionPlugin> plugin) {
  std::lock_guard<std::mutex> lock(mu_);
  validating_.push_back(std::move(plugin));
  CountLocked();
}

void AdmissionChain::Remove(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(mutating_, [&](const auto& p) { return p->name() == name; });
  std::erase_if(validating_, [&](const auto& p) { return p->name() == name; });
  CountLocked();
}

void AdmissionChain::CountLocked() {
  plugins_.store(mutating_.size() + validating_.size(), std::memory_order_release);
}

bool AdmissionChain::empty() const { return plugins_.load(std::memory_order_acquire) == 0; }

Status AdmissionChain::Mutate(const AdmissionRequest& request, Json& object) const {
  std::vector<std::shared_ptr<MutatingAdmissionPlugin>> plugins;
  {
    std::lock_guard<std::mutex> lock(mu_);
    plugins = mutating_;
  }
  for (const auto& p : plugins) KT_RETURN_IF_ERROR(p->Admit(request, object));
  return Status::Ok();
}

bool AdmissionChain::MayChange(const AdmissionRequest& request) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& p : mutating_) {
    if (p->MayChange(request)) return true;
  }
  return false;
}

Status AdmissionChain::Validate(const AdmissionRequest& request) const {
  std::vector<std::shared_ptr<ValidatingAdmissionPlugin>> plugins;
  {
    std::lock_guard<std::mutex> lock(mu_);
    plugins = validating_;
  }
  for (const auto& p : plugins) KT_RETURN_IF_ERROR(p->Validate(request));
  return Status::Ok();
}

}  // namespace kt::sim
