// KubeClient: how everything above the API server talks to it.
//
// Two implementations pass the same shared client test (tests/api/kube_client_conformance.h):
//   - the in-process client of sim/apiserver (the twin; deterministic under SimEnv), and
//   - the HTTP client of controllers/runtime (kubeconfig / in-cluster; talks to kaito-twin up or
//     to a real cluster).
// Controllers are written against this interface only, which is what lets the same binaries run
// in the twin and against AKS.
//
// Semantics are kube-apiserver's: objects are JSON (api/object.h); errors are Status values with
// the Kubernetes reason (NotFound, AlreadyExists, Conflict, Invalid, Gone, ...) and the server's
// message. Calls are synchronous. Under SimEnv an in-process call completes at the current
// virtual time; a fault may make it fail (Conflict, Unavailable) or report kTimeout although the
// write was applied, exactly as a slow real server can.
//
// Thread-safety: implementations are safe to call from several threads (RealEnv). Watch event
// callbacks run on the Env loop (in-process) or on a client thread (HTTP), never concurrently for
// one watch.
#ifndef KT_API_KUBE_CLIENT_H_
#define KT_API_KUBE_CLIENT_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/resource.h"
#include "base/json.h"
#include "base/status.h"

namespace kt::api {

struct GetOptions {
  std::string subresource;       // "" or "status", "scale", ...
  std::string resource_version;  // "" = latest
};

struct ListOptions {
  std::string label_selector;  // string form, see api/label_selector.h
  std::string field_selector;  // string form, see api/field_selector.h
  int64_t limit = 0;           // 0 = no limit
  std::string continue_token;
  // List: "" = most recent; "0" = any (served from the watch cache). Watch: resume point;
  // "" or "0" = start with synthetic ADDED events for what exists now.
  std::string resource_version;
  // Watch only.
  bool allow_watch_bookmarks = false;
  std::optional<int64_t> timeout_seconds;
  bool send_initial_events = false;  // with resource_version_match NotOlderThan
};

struct WriteOptions {
  std::string subresource;      // "status", "binding", "eviction", ...
  std::string field_manager;    // required for apply patches
  bool force = false;           // server-side apply: take ownership on conflict
  bool dry_run = false;         // validate and admit, persist nothing
  std::string field_validation; // "Strict" | "Warn" | "Ignore" ("" = server default)
};

enum class PropagationPolicy { kDefault, kBackground, kForeground, kOrphan };

struct DeleteOptions {
  PropagationPolicy propagation = PropagationPolicy::kDefault;
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
  std::optional<int64_t> grace_period_seconds;
  bool dry_run = false;
};

enum class PatchType {
  kMerge,           // application/merge-patch+json (RFC 7386)
  kJson,            // application/json-patch+json (RFC 6902)
  kStrategicMerge,  // application/strategic-merge-patch+json (built-in kinds only)
  kApply,           // application/apply-patch+yaml (server-side apply)
};
std::string_view ContentTypeOf(PatchType t);
std::optional<PatchType> PatchTypeFromContentType(std::string_view content_type);

struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted, kBookmark, kError };
  Type type;
  Json object;  // the object; for kError a metav1.Status
};
std::string_view WatchEventTypeName(WatchEvent::Type t);  // "ADDED", ...

// A running watch. Destroying it or calling Stop() ends the stream; no callback runs after
// Stop() returns (when called from the thread that delivers events, from the next event on).
class Watch {
 public:
  virtual ~Watch() = default;
  virtual void Stop() = 0;
};

// Called once when a watch ends by itself: OK for a server-side timeout (timeoutSeconds) or a
// clean close; Gone when the resourceVersion is too old (relist!); Unavailable when the stream
// dropped.
using WatchClosed = std::function<void(Status)>;
using WatchHandler = std::function<void(const WatchEvent&)>;

class KubeClient {
 public:
  virtual ~KubeClient() = default;

  virtual Result<Json> Get(const GroupVersionResource& gvr, std::string_view ns,
                           std::string_view name, const GetOptions& options = {}) = 0;
  // Returns a List object ({"kind":"<Kind>List","items":[...],"metadata":{resourceVersion,
  // continue}}).
  virtual Result<Json> List(const GroupVersionResource& gvr, std::string_view ns,
                            const ListOptions& options = {}) = 0;
  virtual Result<Json> Create(const GroupVersionResource& gvr, std::string_view ns,
                              const Json& object, const WriteOptions& options = {}) = 0;
  // Replaces the object (PUT). metadata.resourceVersion, when set, must match (else Conflict).
  virtual Result<Json> Update(const GroupVersionResource& gvr, std::string_view ns,
                              const Json& object, const WriteOptions& options = {}) = 0;
  virtual Result<Json> Patch(const GroupVersionResource& gvr, std::string_view ns,
                             std::string_view name, PatchType type, std::string_view patch,
                             const WriteOptions& options = {}) = 0;
  // Returns the object as it is after the call (still present with deletionTimestamp while
  // finalizers remain) or, once it is gone, the final state.
  virtual Result<Json> Delete(const GroupVersionResource& gvr, std::string_view ns,
                              std::string_view name, const DeleteOptions& options = {}) = 0;
  virtual Result<std::unique_ptr<Watch>> StartWatch(const GroupVersionResource& gvr,
                                                    std::string_view ns,
                                                    const ListOptions& options,
                                                    WatchHandler on_event,
                                                    WatchClosed on_closed) = 0;
};

}  // namespace kt::api

#endif  // KT_API_KUBE_CLIENT_H_
