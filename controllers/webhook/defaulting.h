// Workspace defaulting: the defaults of Kaito's v0.4.6 CRD schema (resource.count = 1,
// resource.instanceType = Standard_NC24ads_A100_v4, preset.accessMode = public), as a JSON
// Patch for the mutating webhook and as a defaulted copy for validation.
//
// Kaito's own defaulting webhook is a no-op: a real API server applies these schema defaults
// before admission, so on a cluster the patch is empty. The twin's API server may call the
// mutating webhook to get the same effect. Defaults apply where the parent object exists and
// the field is absent or null, as structural-schema defaulting does. Pure functions.
#ifndef KT_CONTROLLERS_WEBHOOK_DEFAULTING_H_
#define KT_CONTROLLERS_WEBHOOK_DEFAULTING_H_

#include "base/json_fwd.h"
#include "controllers/kaito/sku_table.h"

namespace kt::webhook {

// RFC 6902 operations (a JSON array, empty when nothing needs a default).
Json DefaultingPatch(const Json& workspace, const kaito::SkuTable& skus);

// The workspace with the defaults applied.
Json WithCrdDefaults(const Json& workspace, const kaito::SkuTable& skus);

}  // namespace kt::webhook

#endif  // KT_CONTROLLERS_WEBHOOK_DEFAULTING_H_
