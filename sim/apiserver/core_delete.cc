// Core: deletes. Finalizers and the propagation policy decide whether an object goes at once or
// stays with a deletionTimestamp; bound pods are deleted gracefully.
#include "api/object.h"
#include "base/json.h"
#include "sim/apiserver/api_errors.h"
#include "sim/apiserver/core.h"
#include "sim/apiserver/fault_sites.h"

namespace kt::sim {

namespace {
constexpr char kForeground[] = "foregroundDeletion";
constexpr char kOrphan[] = "orphan";
constexpr int kAdmissionRetriesMax = 5;
}  // namespace

Result<DeleteResult> Core::DeleteLocked(const ResourceType& type, const std::string& key,
                                        api::PropagationPolicy policy,
                                        std::optional<int64_t> grace_period_seconds, bool dry_run) {
  const StoredObject* cur = store_.Get(type.storage_key, key);
  KT_CHECK(cur != nullptr);
  Json obj = *cur->object;
  const bool deleting = api::IsDeleting(obj);
  bool changed = false;
  if (policy == api::PropagationPolicy::kDefault) {
    policy = api::HasFinalizer(obj, kOrphan)       ? api::PropagationPolicy::kOrphan
             : api::HasFinalizer(obj, kForeground) ? api::PropagationPolicy::kForeground
                                                   : api::PropagationPolicy::kBackground;
  }
  if (!deleting) {
    if (policy == api::PropagationPolicy::kForeground) {
      changed |= api::RemoveFinalizer(obj, kOrphan);
      changed |= api::AddFinalizer(obj, kForeground);
    } else if (policy == api::PropagationPolicy::kOrphan) {
      changed |= api::RemoveFinalizer(obj, kForeground);
      changed |= api::AddFinalizer(obj, kOrphan);
    }
  }
  if (type.gvr.group.empty() && type.gvr.resource == "namespaces" && !deleting) {
    obj["status"]["phase"] = "Terminating";
  }
  Json& meta = obj["metadata"];  // bound after the last insert into obj
  // Graceful deletion of pods a kubelet runs: the kubelet finishes it with grace 0.
  const bool pod = type.gvr.group.empty() && type.gvr.resource == "pods";
  if (pod && options_.pod_graceful_deletion && !GetString(obj, "spec.nodeName").empty()) {
    int64_t grace = GetInt(obj, "spec.terminationGracePeriodSeconds").value_or(30);
    if (grace_period_seconds && *grace_period_seconds >= 0) grace = *grace_period_seconds;
    int64_t current = GetInt(meta, "deletionGracePeriodSeconds").value_or(-1);
    if (grace > 0) {
      if (!deleting || current < 0 || grace < current) {
        meta["deletionTimestamp"] = FormatRfc3339(env_.Now() + std::chrono::seconds(grace));
        meta["deletionGracePeriodSeconds"] = grace;
        changed = true;
      }
    } else if (current != 0) {
      meta["deletionGracePeriodSeconds"] = 0;
      if (!deleting) meta["deletionTimestamp"] = FormatRfc3339(env_.Now());
      changed = true;
    }
  } else if (!deleting) {
    meta["deletionTimestamp"] = FormatRfc3339(env_.Now());
    meta["deletionGracePeriodSeconds"] = 0;
  }
  DeleteResult out;
  if (HeldFromRemoval(obj)) {
    if (!deleting) changed = true;
    if (dry_run || !changed) {
      out.object = dry_run ? std::move(obj) : *AtVersion(cur->object, type);
      return out;
    }
    bool removed = false;
    auto p = CommitUpdateLocked(type, key, std::move(obj), &removed);
    out.object = *AtVersion(p, type);
    out.removed = removed;
    return out;
  }
  out.removed = true;
  if (dry_run) {
    out.object = std::move(obj);
    return out;
  }
  if (!deleting) {
    // Nothing holds it: it goes now, as it was (no deletionTimestamp in the final state).
    meta.erase("deletionTimestamp");
    meta.erase("deletionGracePeriodSeconds");
  }
  out.object = *AtVersion(CommitRemoveLocked(type, key, std::move(obj)), type);
  return out;
}

Result<DeleteResult> Core::Delete(const ResourceRef& ref, const api::DeleteOptions& options,
                                  const RequestContext& ctx) {
  if (Faulted(ctx, faults::kUnavailable)) return UnavailableFault();
  if (Faulted(ctx, faults::kWriteConflict)) {
    return ConflictError(ref.gvr, ref.name);
  }
  for (int attempt = 0; attempt < kAdmissionRetriesMax; ++attempt) {
    Pending p;
    std::optional<Result<DeleteResult>> done;  // decided without admission
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!ref.subresource.empty()) {
        return Status(StatusCode::kMethodNotAllowed,
                      "the server does not allow this method on the requested resource");
      }
      KT_ASSIGN_OR_RETURN(const ResourceType* type, ResolveLocked(ref, "delete"));
      if (ref.name.empty()) return UnknownResourceError();
      const std::string key = StoreKey(ref.ns, ref.name);
      const StoredObject* cur = store_.Get(type->storage_key, key);
      if (cur == nullptr) return NotFoundError(type->gvr, ref.name);
      if (options.precondition_uid && *options.precondition_uid != api::Uid(*cur->object)) {
        return ConflictErrorWith(type->gvr, ref.name,
                                 "Precondition failed: UID in precondition: " +
                                     *options.precondition_uid +
                                     ", UID in object meta: " + api::Uid(*cur->object));
      }
      if (options.precondition_resource_version &&
          *options.precondition_resource_version != std::to_string(cur->rv)) {
        return ConflictErrorWith(type->gvr, ref.name,
                                 "Precondition failed: ResourceVersion in precondition: " +
                                     *options.precondition_resource_version +
                                     ", ResourceVersion in object meta: " + std::to_string(cur->rv));
      }
      if (!AdmissionConfiguredLocked() || ctx.internal) {
        done = DeleteLocked(*type, key, options.propagation, options.grace_period_seconds,
                            options.dry_run);
      }
    }
    if (done) {
      if (done->ok() && Faulted(ctx, faults::kSlowResponse)) {
        return Timeout("Timeout: request did not complete within requested timeout - context "
                       "deadline exceeded");
      }
      return std::move(*done);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      const ResourceType* type = FindTypeLocked(ref.gvr);
      if (type == nullptr) return UnknownResourceError();
      const StoredObject* cur = store_.Get(type->storage_key, StoreKey(ref.ns, ref.name));
      if (cur == nullptr) return NotFoundError(type->gvr, ref.name);
      p.op = AdmissionOperation::kDelete;
      p.ref = ref;
      p.gvk = type->gvk();
      p.namespaced = type->namespaced;
      p.old = cur->object;
      p.old_rv = cur->rv;
      p.object = *cur->object;
      p.dry_run = options.dry_run;
      p.user = ctx.user;
      CollectWebhooksLocked(p);
    }
    bool mutated = false;
    KT_RETURN_IF_ERROR(RunMutating(p, &mutated));
    KT_RETURN_IF_ERROR(RunValidating(p));
    std::lock_guard<std::mutex> lock(mu_);
    const ResourceType* type = FindTypeLocked(ref.gvr);
    if (type == nullptr) return UnknownResourceError();
    const std::string key = StoreKey(ref.ns, ref.name);
    const StoredObject* cur = store_.Get(type->storage_key, key);
    if (cur == nullptr) return NotFoundError(type->gvr, ref.name);
    if (cur->rv != p.old_rv) continue;
    return DeleteLocked(*type, key, options.propagation, options.grace_period_seconds,
                        options.dry_run);
  }
  return ConflictError(ref.gvr, ref.name);
}

Result<ListResult> Core::DeleteCollection(const ResourceRef& ref, const api::ListOptions& selectors,
                                          const api::DeleteOptions& options,
                                          const RequestContext& ctx) {
  std::vector<std::string> names;
  ListResult out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    KT_ASSIGN_OR_RETURN(const ResourceType* type, ResolveLocked(ref, "deletecollection"));
    api::LabelSelector labels;
    api::FieldSelector fields;
    KT_RETURN_IF_ERROR(ParseSelectorsLocked(*type, selectors, &labels, &fields));
    out.api_version = type->gvr.ApiVersion();
    out.kind = type->list_kind.empty() ? type->kind + "List" : type->list_kind;
    store_.ForEachIn(type->storage_key, ref.ns, [&](const std::string&, const StoredObject& so) {
      if (MatchesLocked(*type, *so.object, labels, fields)) {
        names.push_back(api::Namespace(*so.object) + "/" + api::Name(*so.object));
      }
    });
  }
  for (const auto& nn : names) {
    ResourceRef one = ref;
    size_t slash = nn.find('/');
    one.ns = nn.substr(0, slash);
    one.name = nn.substr(slash + 1);
    auto r = Delete(one, options, ctx);
    if (!r.ok()) {
      if (r.status().Is(StatusCode::kNotFound)) continue;
      return r.status();
    }
    out.items.push_back(std::make_shared<const Json>(std::move(r->object)));
  }
  out.resource_version = resource_version();
  return out;
}

}  // namespace kt::sim
