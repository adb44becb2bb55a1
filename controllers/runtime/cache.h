// Cache: the informers of one manager, one per resource, and cached reads over them
// (controller-runtime's cache.Cache). Controllers read here and write through the KubeClient
// ("cached reads, direct writes"); a read may be stale by the informer's lag, which is the
// point of testing against it.
//
// Informers are created on first use (a controller's For/Owns/Watches, AddIndex, or a read)
// and started with the cache; one created after Start() starts at once. A read of a resource
// whose informer has not synced yet answers Unavailable ("not synced"), so a reconcile that
// runs early fails and is retried instead of acting on an empty cache.
//
// By default an informer watches every namespace; Configure() narrows one resource (a
// namespace, label or field selector) before its informer is first used.
//
// Returned objects are shared immutable snapshots (see object_cache.h for the ownership rule).
// Lists are sorted by namespace/name.
//
// Thread-safety: every method may be called from any thread. Informer references stay valid
// for the cache's lifetime.
#ifndef KT_CONTROLLERS_RUNTIME_CACHE_H_
#define KT_CONTROLLERS_RUNTIME_CACHE_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/kube_client.h"
#include "base/env.h"
#include "controllers/runtime/informer.h"

namespace kt::ctrl {

struct CacheOptions {
  Duration lag_max{0};         // default staleness injection for every informer (simulations)
  Duration resync_period{0};
  std::string random_stream_prefix = "informer/";  // + gvr.GroupResource()
};

class Cache {
 public:
  Cache(Env& env, api::KubeClient& client, CacheOptions options);
  ~Cache();  // Stop()

  // Overrides the options of one resource's informer (selectors, namespace, lag). Must come
  // before the informer is first used; later calls are refused with a FailedPrecondition-like
  // Conflict status.
  Status Configure(const api::GroupVersionResource& gvr, InformerOptions options);

  Informer& InformerFor(const api::GroupVersionResource& gvr);
  Status AddIndex(const api::GroupVersionResource& gvr, std::string name, IndexFunc fn);

  void Start();
  void Stop();
  bool started() const;
  bool HasSynced() const;  // every informer so far
  bool HasSynced(const api::GroupVersionResource& gvr) const;

  // NotFound with the API server's message (`workspaces.kaito.sh "x" not found`).
  Result<ObjectPtr> Get(const api::GroupVersionResource& gvr, std::string_view ns,
                        std::string_view name);
  // ns "" lists every namespace; selectors use the API's string forms.
  Result<std::vector<ObjectPtr>> List(const api::GroupVersionResource& gvr, std::string_view ns,
                                      std::string_view label_selector = "",
                                      std::string_view field_selector = "");
  Result<std::vector<ObjectPtr>> ByIndex(const api::GroupVersionResource& gvr,
                                         std::string_view index, std::string_view value);

 private:
  Result<Informer*> Synced(const api::GroupVersionResource& gvr);

  Env& env_;
  api::KubeClient& client_;
  CacheOptions options_;
  mutable std::mutex mu_;
  bool started_ = false;                                                  // guarded by mu_
  std::map<api::GroupVersionResource, InformerOptions> configured_;       // guarded by mu_
  std::map<api::GroupVersionResource, std::unique_ptr<Informer>> informers_;  // guarded by mu_
};

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_CACHE_H_
