// Identity and bookkeeping of stored objects: generated uids and names, ownerReference checks,
// which changes count as a spec change (generation bumps on anything but metadata and status)
// and which writes are no-ops.
#ifndef KT_SIM_APISERVER_OBJECT_IDENTITY_H_
#define KT_SIM_APISERVER_OBJECT_IDENTITY_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/json_fwd.h"
#include "base/random.h"

namespace kt::sim {

// RFC 4122 version-4 UUID from the stream.
std::string NewUid(Rng& rng);
// The 5-character suffix kube-apiserver appends to metadata.generateName.
std::string GenerateNameSuffix(Rng& rng);

// Field errors of metadata.ownerReferences (apiVersion, kind, name, uid present; at most one
// controller). The rest of ObjectMeta is checked by TypeRegistry::Validate.
std::vector<std::string> OwnerReferenceErrors(const Json& obj);
// Joins field errors the way apimachinery's aggregate prints them ("e" or "[e1, e2]").
std::string JoinFieldErrors(const std::vector<std::string>& errors);

// True when anything but apiVersion, kind, metadata and status differs.
bool SpecChanged(const Json& before, const Json& after);
// managedFields entries equal but for their timestamps.
bool ManagedFieldsEquivalent(const Json& a, const Json& b);
// True when the objects are equal ignoring metadata.resourceVersion and managedFields
// timestamps (a write that changes nothing else is a no-op: no new resourceVersion).
bool SameIgnoringBookkeeping(const Json& a, const Json& b);

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_OBJECT_IDENTITY_H_
