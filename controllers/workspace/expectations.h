// Creation expectations (controller-runtime / kube-controller-manager's ControllerExpectations,
// as Kaito HEAD uses them for NodeClaims): after creating objects with random names, a
// workspace's reconcile must not trust a cache that has not seen them yet, or it would create
// them again. The reconciler records the names it created; a later reconcile asks whether the
// cache shows them all (or they expired), and waits (requeue) while it does not.
//
// Thread-safety: every method may be called from any thread (reconcile workers).
#ifndef KT_CONTROLLERS_WORKSPACE_EXPECTATIONS_H_
#define KT_CONTROLLERS_WORKSPACE_EXPECTATIONS_H_

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "base/time.h"

namespace kt::workspace {

class CreationExpectations {
 public:
  explicit CreationExpectations(Duration ttl) : ttl_(ttl) {}

  // Records that `name` was created for `key` at `now`.
  void ExpectCreation(std::string_view key, std::string_view name, Time now);
  // Marks names as seen; returns true when nothing created for `key` is still unseen, or the
  // expectation is older than the TTL (then it is dropped).
  bool Satisfied(std::string_view key, const std::set<std::string>& observed, Time now);
  // Forgets `key` (its object is gone).
  void Delete(std::string_view key);
  size_t pending_keys() const;

 private:
  struct Entry {
    std::set<std::string> pending;
    Time since;
  };
  const Duration ttl_;
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;  // guarded by mu_
};

}  // namespace kt::workspace

#endif  // KT_CONTROLLERS_WORKSPACE_EXPECTATIONS_H_
