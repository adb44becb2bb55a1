// CustomResourceDefinitions (apiextensions.k8s.io/v1): the rules kube-apiserver checks on a
// CRD object, its defaults, the status it reports once names are accepted, and the
// translation of a CRD into served resources (one per served version).
// Thread-safety: stateless functions.
#ifndef KT_SIM_APISERVER_TYPES_CRD_H_
#define KT_SIM_APISERVER_TYPES_CRD_H_

#include <memory>
#include <vector>

#include "base/json.h"
#include "base/time.h"
#include "sim/apiserver/types/field_error.h"

namespace kt::sim {

struct TypeEntry;

// Field errors of a CRD object: metadata.name = <plural>.<group>, names, scope, versions
// (exactly one storage version, unique DNS-1035 names), structural schemas, defaults valid
// against their schema, printer columns (name, type, JSONPath), subresources.
FieldErrors ValidateCrdObject(const Json& crd);

// Fills names.singular (lower-case kind), names.listKind (<Kind>List),
// conversion.strategy (None) when absent.
void DefaultCrd(Json& crd);

// The status a freshly accepted CRD reports: acceptedNames (= spec.names, defaulted),
// conditions NamesAccepted and Established (True, at `now`), storedVersions (the storage
// version added to those already recorded in `crd`).
Json CrdAcceptedStatus(const Json& crd, Time now);

// One entry per served version. REQUIRES: ValidateCrdObject(crd) is empty.
std::vector<std::unique_ptr<TypeEntry>> CrdEntries(const Json& crd);

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_CRD_H_
