// ApiServer: an in-memory Kubernetes API server with kube-apiserver's semantics, usable
// in-process (deterministic under SimEnv) and behind the HTTP front end (sim/apiserver/http,
// under RealEnv).
//
// What it models (docs/apiserver.md has the full list and the limits):
//   - one global resourceVersion counter; uid, creationTimestamp, generation (bumped on changes
//     to anything but metadata and status); optimistic concurrency (409 Conflict);
//   - status subresource; finalizers + deletionTimestamp; graceful deletion of bound pods;
//     ownerReference garbage collection (background, foreground, orphan); namespace lifecycle;
//     default namespaces; generateName; dryRun;
//   - list with label/field selectors (field labels validated per resource), limit/continue
//     over a consistent snapshot (410 once it expires); watch with resume, initial events,
//     bookmarks, sendInitialEvents, timeoutSeconds and 410 once the window moved past;
//   - Service ClusterIP (loopback range) and NodePort allocation; pods/binding, pods/eviction,
//     the scale subresource;
//   - CRDs: registered/unregistered with the TypeRegistry as they are created/deleted (their
//     objects are deleted with them); admission (in-process plugins and real webhooks);
//   - fault points (fault_sites.h) under SimEnv.
// Every committed change is recorded in env.trace() as {"op","resource","key","rv"}.
//
// Thread-safety: every method is safe from any thread (one mutex guards the state; admission
// runs outside it). Watch sinks are called on the Env loop, never with the mutex held.
#ifndef KT_SIM_APISERVER_API_SERVER_H_
#define KT_SIM_APISERVER_API_SERVER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/kube_client.h"
#include "api/resource.h"
#include "base/env.h"
#include "base/json_fwd.h"
#include "base/status.h"
#include "sim/apiserver/admission.h"
#include "sim/apiserver/options.h"
#include "sim/apiserver/types/type_registry.h"
#include "sim/apiserver/watcher.h"

namespace kt::sim {

class Core;

// Who is asking. The server's own controllers (GC, namespace and CRD lifecycle) are internal:
// never faulted.
struct RequestContext {
  std::string user = "system:admin";
  bool internal = false;
};

// What a request addresses: a collection (name empty) or an object, maybe a subresource.
struct ResourceRef {
  api::GroupVersionResource gvr;
  std::string ns;
  std::string name;
  std::string subresource;
};

struct WriteResult {
  // The object as stored (shared with the store and the watch cache, never copied), or what
  // a dry run, a subresource or a Status reply answers.
  std::shared_ptr<const Json> object;
  bool created = false;  // 201 (a create, or an apply that created)
  std::vector<std::string> warnings;
  // For subresources that answer with something else than the object (binding, eviction):
  // the Status to send.
  bool status_reply = false;
};

struct DeleteResult {
  Json object;
  bool removed = false;  // gone now; false while finalizers or a grace period hold it
};

struct ListResult {
  std::string api_version;  // of the list ("kaito.sh/v1beta1")
  std::string kind;         // "WorkspaceList"
  uint64_t resource_version = 0;
  std::string continue_token;
  std::optional<int64_t> remaining_item_count;
  std::vector<std::shared_ptr<const Json>> items;  // at the served version
};
// {"apiVersion","kind","metadata":{"resourceVersion","continue","remainingItemCount"},"items"}
Json ListToJson(const ListResult& list);

class WatchHandle {
 public:
  WatchHandle(std::weak_ptr<Core> core, std::shared_ptr<Watcher> watcher);
  ~WatchHandle();  // Stop()s
  // No sink callback starts after Stop() returns.
  void Stop();

 private:
  std::weak_ptr<Core> core_;
  std::shared_ptr<Watcher> watcher_;
};

class ApiServer {
 public:
  explicit ApiServer(Env& env, ApiServerOptions options = {});
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  Env& env();
  const ApiServerOptions& options() const;
  AdmissionChain& admission();

  // Creates every CustomResourceDefinition in a YAML/JSON file, or in every *.yaml, *.yml and
  // *.json file of a directory (sorted by name). Existing CRDs of the same name are updated.
  Status LoadCrds(const std::string& file_or_directory);

  Result<std::shared_ptr<const Json>> Get(const ResourceRef& ref, const api::GetOptions& options = {},
                                          const RequestContext& ctx = {});
  Result<ListResult> List(const ResourceRef& ref, const api::ListOptions& options = {},
                          const RequestContext& ctx = {});
  Result<WriteResult> Create(const ResourceRef& ref, Json object,
                             const api::WriteOptions& options = {},
                             const RequestContext& ctx = {});
  // PUT. metadata.resourceVersion must match when set (required for custom resources).
  Result<WriteResult> Update(const ResourceRef& ref, Json object,
                             const api::WriteOptions& options = {},
                             const RequestContext& ctx = {});
  // `patch` is the request body (for apply: YAML or JSON).
  Result<WriteResult> Patch(const ResourceRef& ref, api::PatchType type, std::string_view patch,
                            const api::WriteOptions& options = {},
                            const RequestContext& ctx = {});
  Result<DeleteResult> Delete(const ResourceRef& ref, const api::DeleteOptions& options = {},
                              const RequestContext& ctx = {});
  // Deletes every object of a collection the selectors match; returns them as a list.
  Result<ListResult> DeleteCollection(const ResourceRef& ref, const api::ListOptions& selectors,
                                      const api::DeleteOptions& options = {},
                                      const RequestContext& ctx = {});
  Result<std::unique_ptr<WatchHandle>> Watch(const ResourceRef& ref,
                                             const api::ListOptions& options,
                                             std::shared_ptr<WatchSink> sink,
                                             const RequestContext& ctx = {});

  // Type information, read under the server's lock (the registry changes with CRDs).
  void ReadTypes(const std::function<void(const TypeRegistry&)>& fn) const;
  std::optional<ResourceType> Resolve(const api::GroupVersionResource& gvr) const;
  // A meta.k8s.io/v1 Table of `objects` for `kubectl get`.
  Result<Json> RenderTable(const api::GroupVersionResource& gvr,
                           const std::vector<const Json*>& objects,
                           std::string_view include_object) const;

  uint64_t resource_version() const;
  struct Stats {
    size_t objects = 0;
    size_t watchers = 0;
    size_t window_events = 0;
    uint64_t compacted_rv = 0;
    size_t list_snapshots = 0;
  };
  Stats stats() const;

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_API_SERVER_H_
