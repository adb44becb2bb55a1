// ControllerRevisions of a workspace (Kaito v0.4.6 syncControllerRevision): every distinct
// spec (resource + inference + tuning) a workspace had is recorded as an apps/v1
// ControllerRevision "<ws>-<hash[:5]>" with label workspace.kaito.io/name=<ws>, annotation
// workspace.kaito.io/hash=<hash>, a revision number one past the latest, Data = the three
// fields, and the workspace as controller owner. At most `history_max` are kept (the oldest go).
// The workspace carries annotations workspace.kaito.io/revision=<n> and
// workspace.kaito.io/hash=<hash>; workloads carry the revision to tell when to update.
//
// The hash is sha256 over the JSON of resource, inference and tuning (absent = null), each
// followed by a newline, as Go's json.Encoder writes them (our JSON has sorted keys, so the
// digest differs from Kaito's for the same spec; it is stable for ours).
//
// PlanRevision is pure: it says what to write; the reconciler writes it.
#ifndef KT_CONTROLLERS_WORKSPACE_REVISION_H_
#define KT_CONTROLLERS_WORKSPACE_REVISION_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::workspace {

std::string WorkspaceHash(const Json& workspace);
std::string RevisionName(std::string_view ws_name, std::string_view hash);
// The label selector (string form) of a workspace's revisions.
std::string RevisionSelector(std::string_view ws_name);

Json ControllerRevisionManifest(const Json& workspace, std::string_view hash, int64_t revision);

struct RevisionPlan {
  std::string hash;
  int64_t revision = 0;               // the number the workspace is annotated with
  bool create = false;                // a new ControllerRevision to create:
                                      // ControllerRevisionManifest(ws, hash, revision)
  std::vector<std::string> to_delete; // oldest revisions beyond the history limit
};

// `existing`: the workspace's ControllerRevisions (any order). Conflict when a revision of
// the same name records another hash ("revision name conflicts").
Result<RevisionPlan> PlanRevision(const Json& workspace, const std::vector<const Json*>& existing,
                                  int history_max);

}  // namespace kt::workspace

#endif  // KT_CONTROLLERS_WORKSPACE_REVISION_H_
