// Core: the state and semantics behind ApiServer (internal to sim/apiserver). The methods are
// split by job over several files: core.cc (commit, lookup), core_read.cc (get, list),
// core_write.cc (create, update, patch), core_delete.cc, core_watch.cc, core_admission.cc,
// garbage_collector.cc, namespace_lifecycle.cc, crd_lifecycle.cc, pod_subresources.cc,
// scale_subresource.cc.
//
// Locking: `mu_` guards everything below it. Methods named *Locked REQUIRE mu_ held. Public
// entry points take it themselves and release it around admission (plugins and webhooks may
// call back into the server). Watch sinks are never called with mu_ held.
#ifndef KT_SIM_APISERVER_CORE_H_
#define KT_SIM_APISERVER_CORE_H_

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/object.h"
#include "base/fault_site.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/object_store.h"
#include "sim/apiserver/service_allocator.h"
#include "sim/apiserver/watch_cache.h"
#include "sim/apiserver/webhook_admission.h"

namespace kt::sim {

class Core : public std::enable_shared_from_this<Core> {
 public:
  Core(Env& env, ApiServerOptions options);
  ~Core();
  // Creates the default namespaces. Call once, after construction (needs shared_from_this).
  void Start();
  // Closes every watch; pending timers and posted work become no-ops.
  void Shutdown();

  Env& env() { return env_; }
  const ApiServerOptions& options() const { return options_; }
  AdmissionChain& admission() { return admission_; }

  Result<std::shared_ptr<const Json>> Get(const ResourceRef& ref, const api::GetOptions& options,
                                          const RequestContext& ctx);
  Result<ListResult> List(const ResourceRef& ref, const api::ListOptions& options,
                          const RequestContext& ctx);
  Result<WriteResult> Create(const ResourceRef& ref, Json object, const api::WriteOptions& options,
                             const RequestContext& ctx);
  Result<WriteResult> Update(const ResourceRef& ref, Json object, const api::WriteOptions& options,
                             const RequestContext& ctx);
  Result<WriteResult> Patch(const ResourceRef& ref, api::PatchType type, std::string_view patch,
                            const api::WriteOptions& options, const RequestContext& ctx);
  Result<DeleteResult> Delete(const ResourceRef& ref, const api::DeleteOptions& options,
                              const RequestContext& ctx);
  Result<ListResult> DeleteCollection(const ResourceRef& ref, const api::ListOptions& selectors,
                                      const api::DeleteOptions& options, const RequestContext& ctx);
  Result<std::unique_ptr<WatchHandle>> Watch(const ResourceRef& ref,
                                             const api::ListOptions& options,
                                             std::shared_ptr<WatchSink> sink,
                                             const RequestContext& ctx);
  void RemoveWatcher(const std::shared_ptr<Watcher>& watcher);

  void ReadTypes(const std::function<void(const TypeRegistry&)>& fn) const;
  std::optional<ResourceType> Resolve(const api::GroupVersionResource& gvr) const;
  Result<Json> RenderTable(const api::GroupVersionResource& gvr,
                           const std::vector<const Json*>& objects,
                           std::string_view include_object) const;
  uint64_t resource_version() const;
  ApiServer::Stats stats() const;

 private:
  // ---- lookup (core.cc)
  // The resource of a request, checked for scope, verb and subresource.
  Result<const ResourceType*> ResolveLocked(const ResourceRef& ref, std::string_view verb) const;
  const ResourceType* TypeForStorageLocked(const std::string& storage_key) const;
  const ResourceType* FindTypeLocked(const api::GroupVersionResource& gvr) const;
  // Whether `obj` is at the version `type` serves (its apiVersion).
  static bool IsAtVersion(const Json& obj, const ResourceType& type);
  // `obj` at the version `type` serves: itself, or a copy with that apiVersion.
  std::shared_ptr<const Json> AtVersion(std::shared_ptr<const Json> obj,
                                        const ResourceType& type) const;
  bool Faulted(const RequestContext& ctx, const FaultSite& site);
  Status UnavailableFault();

  // ---- commit (core.cc). Each assigns the next resourceVersion, stores, appends the watch
  // event, records the trace line and runs the post-commit hooks.
  std::shared_ptr<const Json> CommitCreateLocked(const ResourceType& type, const std::string& key,
                                                 Json obj);
  // An update; becomes a removal when the object is deleting and nothing holds it any more.
  // `removed` (optional) tells which happened.
  std::shared_ptr<const Json> CommitUpdateLocked(const ResourceType& type, const std::string& key,
                                                 Json obj, bool* removed = nullptr);
  std::shared_ptr<const Json> CommitRemoveLocked(const ResourceType& type, const std::string& key,
                                                 Json final_state);
  void PublishLocked(api::WatchEvent::Type type, const ResourceType& rt, const std::string& key,
                     const std::shared_ptr<const Json>& obj, std::shared_ptr<const Json> prev,
                     uint64_t rv);
  void AfterCommitLocked(const ResourceType& type, const Json* old, const Json* now);
  static bool HeldFromRemoval(const Json& obj);

  // ---- writes (core_write.cc)
  // A write between its preparation and its commit, while admission runs unlocked.
  struct Pending {
    AdmissionOperation op = AdmissionOperation::kCreate;
    ResourceRef ref;
    api::GroupVersionKind gvk;
    bool namespaced = true;
    Json object;                      // the object to write (CREATE/UPDATE)
    std::shared_ptr<const Json> old;  // the live object (UPDATE/DELETE)
    uint64_t old_rv = 0;
    bool dry_run = false;
    std::string user;
    std::vector<WebhookCall> mutating, validating;
    std::vector<std::string> review_uids;  // one per webhook, mutating first
    std::shared_ptr<const Json> namespace_object;
    AdmissionRequest Request() const;
  };
  Status PrepareCreateLocked(const ResourceType& type, const ResourceRef& ref, Json& obj,
                             const api::WriteOptions& options, std::vector<std::string>* warnings);
  Status PrepareUpdateLocked(const ResourceType& type, const ResourceRef& ref, const Json& old,
                             Json& obj, const api::WriteOptions& options, bool from_patch,
                             std::vector<std::string>* warnings);
  // `only_member`, `stored`: see TypeRegistry::Admit.
  Status SchemaLocked(const ResourceType& type, Json& obj, std::string_view field_validation,
                      std::vector<std::string>* warnings, std::string_view only_member = {},
                      const Json* stored = nullptr);
  Status KindSpecificCreateLocked(const ResourceType& type, Json& obj);
  Result<WriteResult> WriteObject(const ResourceRef& ref, std::optional<Json> body,
                                  std::optional<api::PatchType> patch_type,
                                  std::string_view patch, const api::WriteOptions& options,
                                  const RequestContext& ctx);
  Result<Json> ApplyPatchLocked(const ResourceType& type, const Json& current,
                                api::PatchType patch_type, std::string_view patch);

  // ---- admission (core_admission.cc)
  bool AdmissionConfiguredLocked() const;
  void CollectWebhooksLocked(Pending& p);
  Status RunMutating(Pending& p, bool* mutated);
  Status RunValidating(const Pending& p);
  Result<std::string> ResolveServiceLocked(const std::string& ns, const std::string& name, int port,
                                           const std::string& path) const;

  // ---- deletes (core_delete.cc)
  Result<DeleteResult> DeleteLocked(const ResourceType& type, const std::string& key,
                                    api::PropagationPolicy policy,
                                    std::optional<int64_t> grace_period_seconds, bool dry_run);

  // ---- reads (core_read.cc)
  Status ParseSelectorsLocked(const ResourceType& type, const api::ListOptions& options,
                              api::LabelSelector* labels, api::FieldSelector* fields) const;
  bool MatchesLocked(const ResourceType& type, const Json& obj, const api::LabelSelector& labels,
                     const api::FieldSelector& fields) const;
  std::vector<std::string> SelectableFieldsLocked(const ResourceType& type) const;
  void ExpireSnapshotsLocked();

  // ---- watch (core_watch.cc)
  void ArmBookmarksLocked();
  void OnBookmarkTimer(std::weak_ptr<Watcher> watcher);
  void OnWatchTimeout(std::weak_ptr<Watcher> watcher);
  void CancelTimersLocked(Watcher& w);

  // ---- controllers (garbage_collector.cc, namespace_lifecycle.cc, crd_lifecycle.cc)
  struct WorkItem {
    enum Kind { kAttemptDependent, kForegroundOwner, kOrphanOwner, kNamespace, kCrdCleanup };
    Kind kind;
    ObjectLocation loc;  // the dependent (kAttemptDependent) or the owner
    std::string name;    // owner uid, namespace name or CRD name
  };
  void EnqueueLocked(WorkItem item);
  void RunControllers();
  void ProcessLocked(const WorkItem& item);
  // The type an ownerReference's apiVersion and kind name; null when the server does not serve
  // that version of the kind.
  const ResourceType* OwnerTypeLocked(const api::OwnerReference& ref) const;
  // The owner an ownerReference names, found as kube's garbage collector finds it: by its kind
  // (`type`, from OwnerTypeLocked) and name (in the dependent's namespace when the kind is
  // namespaced), and only if its uid is the reference's. Null when absent; `where`, when given,
  // receives its location.
  const Json* FindOwnerLocked(const ResourceType& type, const api::OwnerReference& ref,
                              std::string_view dependent_ns, ObjectLocation* where = nullptr) const;
  // The owner at `loc` when it is still the object with `uid`.
  const Json* OwnerAtLocked(const ObjectLocation& loc, std::string_view uid) const;
  void GcAttemptDependentLocked(const ObjectLocation& loc);
  void GcForegroundOwnerLocked(const ObjectLocation& owner, const std::string& uid);
  void GcOrphanOwnerLocked(const ObjectLocation& owner, const std::string& uid);
  void GcAfterCommitLocked(const ResourceType& type, const Json* old, const Json* now);
  // Enqueues the owners of `dependent` (in namespace `ns`) that wait in foreground deletion.
  void EnqueueForegroundOwnersLocked(const Json& dependent, std::string_view ns);
  // Applies `mutate` to the stored object and commits it (internal controllers' writes).
  void InternalUpdateLocked(const ObjectLocation& loc, const std::function<bool(Json&)>& mutate);
  void NamespaceAfterCommitLocked(const ResourceType& type, const Json* old, const Json* now);
  void NamespaceCleanupLocked(const std::string& ns);
  Status CheckNamespaceForCreateLocked(const std::string& ns) const;
  Status PrepareCrdLocked(Json& crd, const Json* old);
  void CrdAfterCommitLocked(const Json* old, const Json* now);
  void CrdCleanupLocked(const std::string& crd_name);
  void CloseWatchersOfStorageLocked(const std::string& storage_key);

  // ---- subresources (pod_subresources.cc, scale_subresource.cc)
  Result<WriteResult> PodBindingLocked(const ResourceRef& ref, const Json& binding);
  Result<std::string> PodEvictionTargetLocked(const ResourceRef& ref, const Json& eviction);
  Result<Json> ScaleOfLocked(const ResourceType& type, const Json& obj) const;
  Result<Json> ApplyScaleLocked(const ResourceType& type, const Json& obj, const Json& scale) const;

  friend class WatchHandle;

  Env& env_;
  const ApiServerOptions options_;
  AdmissionChain admission_;
  WebhookCaller webhook_caller_;

  mutable std::mutex mu_;
  TypeRegistry types_;
  // The built-in Namespace type, looked up once: built-in kinds are never removed, so the
  // pointer stays valid (every namespaced create checks its namespace).
  const ResourceType* namespaces_ = nullptr;
  ObjectStore store_;
  WatchCache window_;
  ServiceAllocator services_;
  // Stored Mutating/ValidatingWebhookConfigurations (kept by AfterCommitLocked): with none and
  // no in-process chain, a write commits in its first critical section.
  size_t webhook_configurations_ = 0;
  uint64_t rv_ = 0;
  bool shut_down_ = false;
  Rng* rng_ = nullptr;  // env.Random("apiserver"), used under mu_
  // Watchers by storage key.
  std::map<std::string, std::vector<std::shared_ptr<Watcher>>, std::less<>> watchers_;
  size_t watcher_count_ = 0;
  uint64_t next_watcher_id_ = 1;
  std::vector<std::weak_ptr<Watcher>> bookmark_idle_;
  // Paged lists' snapshots.
  struct Snapshot {
    uint64_t rv = 0;
    Time created;
    std::string scope;  // storage key + namespace + selectors the pages must repeat
    std::vector<std::pair<std::string, std::shared_ptr<const Json>>> items;
  };
  std::map<uint64_t, Snapshot> snapshots_;
  uint64_t next_snapshot_id_ = 1;
  // Controller work.
  std::deque<WorkItem> work_;
  bool work_scheduled_ = false;
  std::set<std::string> namespaces_queued_;
  std::map<std::string, std::string> terminating_crds_;  // storage key -> CRD name
  // storage key -> a type serving it (refreshed when CRDs change)
  mutable std::map<std::string, const ResourceType*> storage_types_;
  mutable bool storage_types_valid_ = false;
};

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_CORE_H_
