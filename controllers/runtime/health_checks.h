// HealthChecks: the /healthz and /readyz endpoints of a manager (controller-runtime's
// healthz handler). Each named check returns OK or an error.
//   GET /healthz            200 "ok" when every check passes, else 500 listing the failures
//   GET /healthz?verbose    one "[+]name ok" / "[-]name failed: reason withheld" line per check
//   GET /healthz/<name>     just that check (404 when unknown)
// The same for /readyz with its own checks. Thread-safe.
#ifndef KT_CONTROLLERS_RUNTIME_HEALTH_CHECKS_H_
#define KT_CONTROLLERS_RUNTIME_HEALTH_CHECKS_H_

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "base/net/http.h"
#include "base/status.h"

namespace kt::ctrl {

using HealthCheck = std::function<Status()>;

class HealthChecks {
 public:
  explicit HealthChecks(std::string endpoint);  // "healthz" or "readyz"

  void Add(std::string name, HealthCheck check);
  // Serves "/<endpoint>" and "/<endpoint>/<name>"; false when the path is not this endpoint's.
  bool Serve(const net::HttpRequest& request, net::HttpResponse* response) const;

 private:
  std::string endpoint_;
  mutable std::mutex mu_;
  std::map<std::string, HealthCheck> checks_;  // guarded by mu_
};

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_HEALTH_CHECKS_H_
