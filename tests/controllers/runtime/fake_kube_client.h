// FakeKubeClient: a small in-memory KubeClient for the runtime's tests, standing in until
// sim/apiserver's in-process client exists. It keeps the parts of the contract the runtime
// relies on, honestly:
//   - one global resourceVersion counter; every write bumps it; Update/Patch with a stale
//     metadata.resourceVersion fail with Conflict (the API server's message);
//   - uid, creationTimestamp, generation (bumped when anything outside metadata/status
//     changes), the status subresource (Update with subresource "status" changes only status;
//     a plain Update keeps the stored status);
//   - finalizers: Delete marks deletionTimestamp while finalizers remain; removing the last one
//     deletes the object; preconditions on uid/resourceVersion;
//   - List with label and field selectors, limit/continue, the list resourceVersion;
//   - Watch with resume: resourceVersion ""/"0" starts with synthetic ADDED events, N replays
//     every retained change after N, then streams; changes older than the retained history
//     (history_max, or CompactHistory()) answer 410 Gone; bookmarks on request; events are
//     filtered by namespace and selectors (on the object's new state: one that leaves a
//     selector is not turned into a DELETED); each watch delivers in order, one at a time, on the
//     Env loop (Env::Post), and never after Stop() returns;
//   - merge and JSON patches (strategic merge and apply answer UnsupportedMediaType).
// Not modelled: timeoutSeconds (watches stay open), admission, defaulting, garbage collection,
// generateName, server-side apply.
//
// Fault controls for tests: FailNext(verb, gvr, status), DropWatches(gvr, status).
// Thread-safe (the HTTP tests serve it from several io threads).
#ifndef KT_TESTS_CONTROLLERS_RUNTIME_FAKE_KUBE_CLIENT_H_
#define KT_TESTS_CONTROLLERS_RUNTIME_FAKE_KUBE_CLIENT_H_

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/kube_client.h"
#include "base/env.h"

namespace kt::ctrl::testing {

class FakeKubeClient final : public api::KubeClient {
 public:
  explicit FakeKubeClient(Env& env, size_t history_max = 1000);
  ~FakeKubeClient() override;

  Result<Json> Get(const api::GroupVersionResource& gvr, std::string_view ns,
                   std::string_view name, const api::GetOptions& options = {}) override;
  Result<Json> List(const api::GroupVersionResource& gvr, std::string_view ns,
                    const api::ListOptions& options = {}) override;
  Result<Json> Create(const api::GroupVersionResource& gvr, std::string_view ns,
                      const Json& object, const api::WriteOptions& options = {}) override;
  Result<Json> Update(const api::GroupVersionResource& gvr, std::string_view ns,
                      const Json& object, const api::WriteOptions& options = {}) override;
  Result<Json> Patch(const api::GroupVersionResource& gvr, std::string_view ns,
                     std::string_view name, api::PatchType type, std::string_view patch,
                     const api::WriteOptions& options = {}) override;
  Result<Json> Delete(const api::GroupVersionResource& gvr, std::string_view ns,
                      std::string_view name, const api::DeleteOptions& options = {}) override;
  Result<std::unique_ptr<api::Watch>> StartWatch(const api::GroupVersionResource& gvr,
                                                 std::string_view ns,
                                                 const api::ListOptions& options,
                                                 api::WatchHandler on_event,
                                                 api::WatchClosed on_closed) override;

  // The next `times` calls of `verb` ("get", "list", "create", "update", "patch", "delete",
  // "watch") on `gvr` fail with `error`.
  void FailNext(const std::string& verb, const api::GroupVersionResource& gvr, Status error,
                int times = 1);
  // Ends every open watch of `gvr` with `status` (Unavailable: a dropped stream; OK: a clean
  // close; Gone: too old).
  void DropWatches(const api::GroupVersionResource& gvr, Status status);
  // Sends an ERROR event carrying `status` as a metav1.Status on every open watch of `gvr`
  // (what a real server does for 410 on an established stream).
  void SendError(const api::GroupVersionResource& gvr, const Status& status);
  // Forgets the change history: a watch resuming from any earlier resourceVersion gets 410.
  void CompactHistory();
  // Sends a BOOKMARK with the current resourceVersion to watches that allow bookmarks.
  void SendBookmarks(const api::GroupVersionResource& gvr);
  // When true, a too-old resourceVersion fails StartWatch itself (as an HTTP client reports a
  // 410 reply); otherwise the watch starts and ends at once through on_closed(Gone).
  void set_gone_from_start_watch(bool v);

  int64_t resource_version() const;
  size_t open_watches(const api::GroupVersionResource& gvr) const;
  int calls(const std::string& verb, const api::GroupVersionResource& gvr) const;

 private:
  struct Watcher;
  struct Change {
    int64_t rv;
    api::GroupVersionResource gvr;
    api::WatchEvent::Type type;
    Json object;
  };

  Status TakeFault(const std::string& verb, const api::GroupVersionResource& gvr);
  void RecordLocked(const api::GroupVersionResource& gvr, api::WatchEvent::Type type,
                    const Json& obj);
  Result<Json> WriteLocked(const api::GroupVersionResource& gvr, const std::string& key,
                           Json next, bool status_only);
  std::string StampLocked();

  Env& env_;
  size_t history_max_;
  mutable std::mutex mu_;
  int64_t rv_ = 0;
  uint64_t uid_counter_ = 0;
  std::map<api::GroupVersionResource, std::map<std::string, Json>> objects_;
  std::deque<Change> history_;
  int64_t compacted_rv_ = 0;  // changes with rv <= this are gone
  std::vector<std::shared_ptr<Watcher>> watchers_;
  std::map<std::pair<std::string, api::GroupVersionResource>, std::deque<Status>> faults_;
  std::map<std::pair<std::string, api::GroupVersionResource>, int> calls_;
  bool gone_from_start_watch_ = false;
};

}  // namespace kt::ctrl::testing

#endif  // KT_TESTS_CONTROLLERS_RUNTIME_FAKE_KUBE_CLIENT_H_
