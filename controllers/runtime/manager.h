// Manager: owns and runs everything a controller binary needs (controller-runtime's
// manager.Manager): the informer cache, controllers, runnables, event recorders, leader
// election, and the HTTP endpoints - metrics, health probes and the admission webhook server.
//
// Lifecycle:
//   Start()  starts the HTTP servers (RealEnv only), the cache, the runnables that do not need
//            leadership, and then either the controllers and leader-only runnables at once or,
//            with leader_election, the elector, which starts them when this manager leads.
//   Stop()   graceful shutdown: stop taking work (queues shut down), let reconciles in flight
//            finish within graceful_shutdown_timeout, stop runnables, release the lease (so a
//            standby takes over at its next retry), stop the cache and the servers.
//   Losing the lease stops the controllers and leader-only runnables for good; the manager
//   then reports state() == kLostLeadership, /healthz fails and Wait() returns an error, so
//   the process exits and is restarted (as controller-runtime's does).
//
// Endpoints (each off unless given a bind address "host:port"; ":port" binds every address,
// port 0 picks a free one; RealEnv only):
//   metrics   GET /metrics: Prometheus text of metrics() (controller-runtime's names)
//   probes    GET /healthz, /readyz (health_checks.h), "ping" checks built in
//   webhook   HTTPS with <cert_dir>/tls.crt and tls.key; handlers registered by path
// Serve() answers the same requests in-process, which is how SimEnv tests read them.
//
// Reads go through cache(), writes through client(): "cached reads, direct writes".
//
// Thread-safety: wiring (NewController + Complete, Add, AddWebhook, Add*Check) before or after
// Start from one thread at a time; Start/Stop/Wait/IsLeader/Serve from any thread.
#ifndef KT_CONTROLLERS_RUNTIME_MANAGER_H_
#define KT_CONTROLLERS_RUNTIME_MANAGER_H_

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/kube_client.h"
#include "base/env.h"
#include "base/net/http.h"
#include "controllers/runtime/cache.h"
#include "controllers/runtime/controller.h"
#include "controllers/runtime/event_recorder.h"
#include "controllers/runtime/health_checks.h"
#include "controllers/runtime/leader_elector.h"
#include "controllers/runtime/metrics.h"
#include "controllers/runtime/runnable.h"

namespace kt::net {
class HttpServer;
}  // namespace kt::net

namespace kt::ctrl {

using WebhookHandler = std::function<net::HttpResponse(const net::HttpRequest& request)>;

struct ManagerOptions {
  std::string name = "kaito-controller-manager";
  std::string identity;  // lease holder and reportingInstance; default "<name>_<8 hex>"
  CacheOptions cache;

  bool leader_election = false;
  std::string leader_election_id;         // the Lease's name
  std::string leader_election_namespace;  // the Lease's namespace
  Duration lease_duration = std::chrono::seconds(15);
  Duration renew_deadline = std::chrono::seconds(10);
  Duration retry_period = std::chrono::seconds(2);

  std::string metrics_bind_address;       // "" or "0": off
  std::string health_probe_bind_address;  // "" or "0": off
  std::string webhook_bind_address;       // "" or "0": off; e.g. ":9443"
  std::string webhook_cert_dir;
  std::string webhook_cert_name = "tls.crt";
  std::string webhook_key_name = "tls.key";

  Duration graceful_shutdown_timeout = std::chrono::seconds(30);
};

class Manager {
 public:
  enum class State { kNew, kRunning, kStopped, kLostLeadership };

  Manager(Env& env, api::KubeClient& client, ManagerOptions options);
  ~Manager();  // Stop()
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  Env& env() { return env_; }
  api::KubeClient& client() { return client_; }
  Cache& cache() { return cache_; }
  MetricsRegistry& metrics() { return metrics_; }
  const std::string& identity() const { return options_.identity; }
  const ManagerOptions& options() const { return options_; }

  // A controller owned by the manager, started when the manager runs and leads. Wire it
  // (For/Owns/Watches) right away; one created after Start() starts once Complete() is called.
  Controller& NewController(ControllerOptions options, Reconciler& reconciler);
  // For a controller wired after Start(): starts it now if this manager leads (otherwise it
  // starts with the others when leadership comes). No-op before Start().
  void Complete(Controller& controller);
  void Add(std::unique_ptr<Runnable> runnable);
  // One recorder per component name (source.component of its Events).
  EventRecorder& GetEventRecorderFor(const std::string& component);
  void AddWebhook(const std::string& path, WebhookHandler handler);
  void AddHealthzCheck(std::string name, HealthCheck check);
  void AddReadyzCheck(std::string name, HealthCheck check);

  Status Start();
  void Stop();
  // Blocks until Stop() (OK) or until leadership is lost (Unavailable). RealEnv only.
  Status Wait();

  State state() const;
  bool IsLeader() const;
  // Bound ports (0 when the endpoint is off).
  uint16_t metrics_port() const;
  uint16_t health_probe_port() const;
  uint16_t webhook_port() const;

  // In-process answer for /metrics, /healthz*, /readyz* and webhook paths.
  net::HttpResponse Serve(const net::HttpRequest& request);

 private:
  void StartLeaderWork();
  void StopLeaderWork();
  void OnLostLeadership();
  Status StartServers();
  net::HttpResponse ServeWebhook(const net::HttpRequest& request);

  Env& env_;
  api::KubeClient& client_;
  ManagerOptions options_;
  MetricsRegistry metrics_;
  Cache cache_;
  HealthChecks healthz_{"healthz"};
  HealthChecks readyz_{"readyz"};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  State state_ = State::kNew;       // guarded by mu_
  bool leader_work_started_ = false;  // guarded by mu_
  std::vector<std::unique_ptr<Controller>> controllers_;  // guarded by mu_
  std::vector<std::unique_ptr<Runnable>> runnables_;      // guarded by mu_
  std::map<std::string, std::unique_ptr<EventRecorder>> recorders_;  // guarded by mu_
  std::map<std::string, WebhookHandler> webhooks_;                    // guarded by mu_
  std::unique_ptr<LeaderElector> elector_;
  std::unique_ptr<net::HttpServer> metrics_server_;
  std::unique_ptr<net::HttpServer> probe_server_;
  std::unique_ptr<net::HttpServer> webhook_server_;
};

// Splits "host:port" / ":port" / "[::1]:port"; ":port" means every address ("0.0.0.0").
Result<std::pair<std::string, uint16_t>> ParseBindAddress(std::string_view address);

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_MANAGER_H_
