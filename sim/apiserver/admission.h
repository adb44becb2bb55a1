// Admission: the in-process chain every write passes, mutating plugins first, then validating
// ones, as kube-apiserver runs its compiled-in admission plugins. Other components register
// into it: the Kaito webhook is callable in-process by the twin this way, without TLS.
// Admission webhooks configured by (Mutating|Validating)WebhookConfiguration objects run after
// the in-process plugins of the same phase (see webhook_admission.h).
//
// Plugins run without the API server's lock held, so a plugin may read the API through a
// KubeClient. A plugin's error is returned to the caller as is (use Forbidden or Invalid with
// the message a real webhook would give).
//
// Thread-safety: Add*/Remove from any thread; a snapshot of the chain is taken per request.
#ifndef KT_SIM_APISERVER_ADMISSION_H_
#define KT_SIM_APISERVER_ADMISSION_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/resource.h"
#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::sim {

enum class AdmissionOperation { kCreate, kUpdate, kDelete, kConnect };
std::string_view AdmissionOperationName(AdmissionOperation op);  // "CREATE", ...

struct AdmissionRequest {
  AdmissionOperation operation = AdmissionOperation::kCreate;
  api::GroupVersionResource resource;
  api::GroupVersionKind kind;
  std::string subresource;
  std::string ns;
  std::string name;
  const Json* object = nullptr;      // null for DELETE
  const Json* old_object = nullptr;  // null for CREATE
  bool dry_run = false;
  std::string user;
};

class MutatingAdmissionPlugin {
 public:
  virtual ~MutatingAdmissionPlugin() = default;
  virtual std::string name() const = 0;
  // May change `object` (not for DELETE, where object is the live one and is ignored).
  virtual Status Admit(const AdmissionRequest& request, Json& object) = 0;
  // False when Admit will certainly leave the object unchanged for this request (it is still
  // called, and may still refuse it): lets the server skip comparing the object before and
  // after admission, a deep copy per write. The default, true, is always correct.
  virtual bool MayChange(const AdmissionRequest& request) const { return true; }
};

class ValidatingAdmissionPlugin {
 public:
  virtual ~ValidatingAdmissionPlugin() = default;
  virtual std::string name() const = 0;
  virtual Status Validate(const AdmissionRequest& request) = 0;
};

class AdmissionChain {
 public:
  void AddMutating(std::shared_ptr<MutatingAdmissionPlugin> plugin);
  void AddValidating(std::shared_ptr<ValidatingAdmissionPlugin> plugin);
  void Remove(const std::string& name);
  bool empty() const;

  // Runs every mutating plugin in registration order; stops at the first error.
  Status Mutate(const AdmissionRequest& request, Json& object) const;
  // Whether any mutating plugin may change the object of `request` (see MayChange).
  bool MayChange(const AdmissionRequest& request) const;
  Status Validate(const AdmissionRequest& request) const;

 private:
  // Sets plugins_ from the lists. REQUIRES: mu_ held.
  void CountLocked();

  mutable std::mutex mu_;
  std::vector<std::shared_ptr<MutatingAdmissionPlugin>> mutating_;     // guarded by mu_
  std::vector<std::shared_ptr<ValidatingAdmissionPlugin>> validating_; // guarded by mu_
  // How many plugins the lists hold, written under mu_: empty() reads it without the lock, as
  // every API write asks.
  std::atomic<size_t> plugins_{0};
};

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_ADMISSION_H_
