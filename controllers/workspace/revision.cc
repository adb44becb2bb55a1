#include "controllers/workspace/revision.h"

#include <algorithm>

#include "api/object.h"
#include "base/json.h"
#include "base/sha256.h"
#include "controllers/kaito/labels.h"

namespace kt::workspace {
namespace {

Json FieldOrNull(const Json& ws, std::string_view key) {
  auto it = ws.find(std::string(key));
  return it == ws.end() ? Json(nullptr) : *it;
}

int64_t RevisionNumber(const Json& rev) { return GetInt(rev, "revision").value_or(0); }

}  // namespace

std::string WorkspaceHash(const Json& workspace) {
  Sha256 h;
  for (std::string_view key : {"resource", "inference", "tuning"}) {
    h.Update(DumpJson(FieldOrNull(workspace, key)));
    h.Update("\n");
  }
  return h.HexDigest();
}

std::string RevisionName(std::string_view ws_name, std::string_view hash) {
  return std::string(ws_name) + "-" + std::string(hash.substr(0, 5));
}

std::string RevisionSelector(std::string_view ws_name) {
  return std::string(kaito::kLabelRevisionWorkspaceName) + "=" + std::string(ws_name);
}

Json ControllerRevisionManifest(const Json& workspace, std::string_view hash, int64_t revision) {
  Json data = Json::object();
  for (std::string_view key : {"resource", "inference", "tuning"}) {
    Json v = FieldOrNull(workspace, key);
    if (!v.is_null()) data[std::string(key)] = std::move(v);
  }
  Json rev = {
      {"apiVersion", "apps/v1"},
      {"kind", "ControllerRevision"},
      {"metadata",
       {{"name", RevisionName(api::Name(workspace), hash)},
        {"namespace", api::Namespace(workspace)},
        {"labels", {{std::string(kaito::kLabelRevisionWorkspaceName), api::Name(workspace)}}},
        {"annotations", {{std::string(kaito::kAnnotationHash), hash}}}}},
      {"revision", revision},
      {"data", data}};
  api::SetControllerReference(rev, workspace);
  return rev;
}

Result<RevisionPlan> PlanRevision(const Json& workspace, const std::vector<const Json*>& existing,
                                  int history_max) {
  std::vector<const Json*> revs = existing;
  std::sort(revs.begin(), revs.end(), [](const Json* a, const Json* b) {
    if (RevisionNumber(*a) != RevisionNumber(*b)) return RevisionNumber(*a) < RevisionNumber(*b);
    return api::Name(*a) < api::Name(*b);
  });
  RevisionPlan plan;
  plan.hash = WorkspaceHash(workspace);
  const std::string name = RevisionName(api::Name(workspace), plan.hash);
  for (const Json* r : revs) {
    if (api::Name(*r) != name) continue;
    if (api::Annotation(*r, kaito::kAnnotationHash).value_or("") != plan.hash) {
      return Conflict("revision name conflicts: ControllerRevision " + name +
                      " records another workspace hash");
    }
    plan.revision = RevisionNumber(*r);
    return plan;
  }
  plan.revision = revs.empty() ? 1 : RevisionNumber(*revs.back()) + 1;
  plan.create = true;
  const int64_t total = static_cast<int64_t>(revs.size()) + 1;
  for (int64_t i = 0; i < total - history_max && i < static_cast<int64_t>(revs.size()); ++i) {
    plan.to_delete.push_back(api::Name(*revs[static_cast<size_t>(i)]));
  }
  return plan;
}

}  // namespace kt::workspace
