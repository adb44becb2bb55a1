// OperationTracker: what the provisioner is waiting for in the cloud, per NodeClaim - the
// long-running operation it started (create or delete), or "a create of this pool is running
// that we did not start" (after a restart ARM answered OperationNotAllowed for a create in
// progress; it is then watched through the pool's provisioningState), plus how many times join
// detection has looked for the pool's Node, and the providerID of a launch whose status write
// the cache may not show yet.
//
// The reconciler never waits on an operation: it polls once per reconcile and requeues. This
// memory is only an optimisation of that loop - losing it (a restart) is safe, because the
// next reconcile rediscovers the state from ARM (PUT -> "create in progress", GET -> Deleting).
//
// Entries are keyed by NodeClaim name and remember the NodeClaim's uid, so a NodeClaim
// re-created under the same name starts afresh. At most `entries_max` NodeClaims are tracked;
// beyond that Put() is refused (returns false) and those NodeClaims fall back to ARM reads.
//
// Thread-safety: every method may be called from any thread.
#ifndef KT_CONTROLLERS_PROVISIONER_OPERATION_TRACKER_H_
#define KT_CONTROLLERS_PROVISIONER_OPERATION_TRACKER_H_

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "api/cloud_client.h"

namespace kt::controllers::provisioner {

struct TrackedOperation {
  enum class Kind { kCreate, kDelete };
  Kind kind = Kind::kCreate;
  std::string uid;  // the NodeClaim's
  // Empty id: a create we did not start (watched through GET of the pool).
  api::LongRunningOperation op;
  bool pool_succeeded = false;  // the create finished: join detection is running
  int join_attempts = 0;
  // Set once the Node joined: Launched=True was written with this providerID. Kept until the
  // cache shows Launched=True, so a reconcile on a stale cached NodeClaim does not launch again.
  std::string provider_id;
};

class OperationTracker {
 public:
  explicit OperationTracker(size_t entries_max) : entries_max_(entries_max) {}

  // The entry of NodeClaim `name` when it belongs to `uid`; an entry of an older NodeClaim of
  // the same name is dropped.
  std::optional<TrackedOperation> Get(std::string_view name, std::string_view uid);
  bool Put(std::string_view name, TrackedOperation op);
  void Forget(std::string_view name);
  size_t size() const;

 private:
  const size_t entries_max_;
  mutable std::mutex mu_;
  std::map<std::string, TrackedOperation, std::less<>> entries_;  // guarded by mu_
};

}  // namespace kt::controllers::provisioner

#endif  // KT_CONTROLLERS_PROVISIONER_OPERATION_TRACKER_H_
