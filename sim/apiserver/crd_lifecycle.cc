// Core: CustomResourceDefinition lifecycle (apiextensions-apiserver's controllers, in-process).
// A CRD is validated by the TypeRegistry, gets the cleanup finalizer and its status
// (NamesAccepted, Established, acceptedNames, storedVersions) when written, and its resources
// are registered as it is committed. Deleting it marks it Terminating, deletes its objects
// (their finalizers respected), then unregisters the resources, closes their watches and lets
// the CRD go. Creating objects of a terminating CRD is refused (405).
#include <algorithm>

#include "api/object.h"
#include "base/json.h"
#include "base/log.h"
#include "sim/apiserver/core.h"

namespace kt::sim {

namespace {
constexpr char kCleanupFinalizer[] = "customresourcecleanup.apiextensions.k8s.io";

Json Condition(const Json* old_status, const char* type, const char* reason, const char* message,
               const std::string& now) {
  std::string ltt = now;
  if (old_status != nullptr) {
    if (const Json* conds = FindPath(*old_status, "conditions"); conds && conds->is_array()) {
      for (const auto& c : *conds) {
        if (GetString(c, "type") == type && GetString(c, "status") == "True") {
          ltt = GetString(c, "lastTransitionTime", now);
        }
      }
    }
  }
  return {{"type", type},
          {"status", "True"},
          {"reason", reason},
          {"message", message},
          {"lastTransitionTime", ltt}};
}
}  // namespace

Status Core::PrepareCrdLocked(Json& crd, const Json* old) {
  KT_RETURN_IF_ERROR(types_.ValidateCrd(crd));
  if (old == nullptr) api::AddFinalizer(crd, kCleanupFinalizer);
  const std::string now = FormatRfc3339(env_.Now());
  const Json* old_status = old ? FindPath(*old, "status") : nullptr;
  Json names = crd["spec"]["names"];
  std::string kind = GetString(names, "kind");
  if (!names.contains("listKind")) names["listKind"] = kind + "List";
  if (!names.contains("singular")) {
    std::string singular = kind;
    for (auto& c : singular) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    names["singular"] = singular;
  }
  Json stored = Json::array();
  if (old_status != nullptr) {
    if (const Json* sv = FindPath(*old_status, "storedVersions"); sv && sv->is_array()) stored = *sv;
  }
  if (const Json* versions = FindPath(crd, "spec.versions"); versions && versions->is_array()) {
    for (const auto& v : *versions) {
      if (!GetBool(v, "storage")) continue;
      Json name = v.value("name", Json(""));
      if (std::find(stored.begin(), stored.end(), name) == stored.end()) stored.push_back(name);
    }
  }
  Json conditions = Json::array();
  conditions.push_back(Condition(old_status, "NamesAccepted", "NoConflicts", "no conflicts found", now));
  conditions.push_back(Condition(old_status, "Established", "InitialNamesAccepted",
                                 "the initial names have been accepted", now));
  if (old != nullptr && api::IsDeleting(*old)) {
    conditions.push_back(Condition(old_status, "Terminating", "InstanceDeletionInProgress",
                                   "CustomResource deletion is in progress", now));
  }
  crd["status"] = {{"acceptedNames", names}, {"conditions", conditions}, {"storedVersions", stored}};
  return Status::Ok();
}

void Core::CrdAfterCommitLocked(const Json* old, const Json* now) {
  if (now != nullptr) {
    if (!api::IsDeleting(*now)) {
      Status s = types_.AddCrd(*now);
      storage_types_valid_ = false;
      if (!s.ok()) {
        KT_LOG(ERROR) << "registering CRD " << api::Name(*now) << ": " << s.ToString();
      }
      return;
    }
    if (old == nullptr || !api::IsDeleting(*old)) {
      std::string name = api::Name(*now);
      for (const ResourceType* t : types_.All()) {
        if (t->crd_name == name) terminating_crds_[t->storage_key] = name;
      }
      EnqueueLocked({WorkItem::kCrdCleanup, {}, name});
    }
    return;
  }
  // Removed.
  std::string name = api::Name(*old);
  for (auto it = terminating_crds_.begin(); it != terminating_crds_.end();) {
    if (it->second == name) it = terminating_crds_.erase(it);
    else ++it;
  }
  types_.RemoveCrd(name);
  storage_types_valid_ = false;
}

void Core::CloseWatchersOfStorageLocked(const std::string& storage_key) {
  auto it = watchers_.find(storage_key);
  if (it == watchers_.end()) return;
  for (auto& w : it->second) {
    CancelTimersLocked(*w);
    w->Finish(Status::Ok());
  }
  watcher_count_ -= it->second.size();
  watchers_.erase(it);
}

void Core::CrdCleanupLocked(const std::string& crd_name) {
  const ResourceType* crd_type = FindTypeLocked(api::resources::kCustomResourceDefinitions);
  if (crd_type == nullptr) return;
  const StoredObject* crd = store_.Get(crd_type->storage_key, crd_name);
  if (crd == nullptr || !api::IsDeleting(*crd->object)) return;
  std::string storage_key;
  const ResourceType* type = nullptr;
  for (const ResourceType* t : types_.All()) {
    if (t->crd_name == crd_name) {
      storage_key = t->storage_key;
      type = TypeForStorageLocked(storage_key);
      break;
    }
  }
  // Mark it Terminating (once).
  if (!api::IsConditionTrue(*crd->object, "Terminating")) {
    InternalUpdateLocked(ObjectLocation{crd_type->storage_key, crd_name}, [&](Json& o) {
      o["status"]["conditions"].push_back(
          {{"type", "Terminating"},
           {"status", "True"},
           {"reason", "InstanceDeletionInProgress"},
           {"message", "CustomResource deletion is in progress"},
           {"lastTransitionTime", FormatRfc3339(env_.Now())}});
      return true;
    });
  }
  if (type != nullptr) {
    std::vector<std::string> keys;
    store_.ForEachIn(storage_key, "", [&](const std::string& k, const StoredObject&) { keys.push_back(k); });
    bool remaining = false;
    for (const auto& k : keys) {
      const StoredObject* o = store_.Get(storage_key, k);
      if (o == nullptr) continue;
      if (!api::IsDeleting(*o->object)) {
        auto r = DeleteLocked(*type, k, api::PropagationPolicy::kBackground, std::nullopt, false);
        if (!r.ok()) {
          KT_LOG(WARNING) << "CRD cleanup: deleting " << k << ": " << r.status().ToString();
        }
      }
      if (store_.Get(storage_key, k) != nullptr) remaining = true;
    }
    if (remaining) return;  // re-queued as the last objects go
    CloseWatchersOfStorageLocked(storage_key);
  }
  InternalUpdateLocked(ObjectLocation{crd_type->storage_key, crd_name},
                       [](Json& o) { return api::RemoveFinalizer(o, kCleanupFinalizer); });
}

}  // namespace kt::sim
