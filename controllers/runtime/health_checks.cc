#include "controllers/runtime/health_checks.h"

#include <vector>

namespace kt::ctrl {

HealthChecks::HealthChecks(std::string endpoint) : endpoint_(std::move(endpoint)) {}

void HealthChecks::Add(std::string name, HealthCheck check) {
  std::lock_guard<std::mutex> lock(mu_);
  checks_[std::move(name)] = std::move(check);
}

bool HealthChecks::Serve(const net::HttpRequest& request, net::HttpResponse* response) const {
  const std::string base = "/" + endpoint_;
  std::string_view path = request.path;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  std::string only;
  if (path == base) {
    // all checks
  } else if (path.starts_with(base + "/")) {
    only = std::string(path.substr(base.size() + 1));
  } else {
    return false;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    *response = net::HttpResponse::Text(405, "method not allowed\n");
    return true;
  }
  std::map<std::string, HealthCheck> checks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    checks = checks_;
  }
  if (!only.empty()) {
    auto it = checks.find(only);
    if (it == checks.end()) {
      *response = net::HttpResponse::Text(404, "no " + endpoint_ + " check named " + only + "\n");
      return true;
    }
    Status s = it->second();
    *response = s.ok() ? net::HttpResponse::Text(200, "ok")
                       : net::HttpResponse::Text(500, "internal server error: " + s.message() + "\n");
    return true;
  }
  std::string detail;
  bool failed = false;
  for (const auto& [name, check] : checks) {
    Status s = check();
    if (s.ok()) {
      detail += "[+]" + name + " ok\n";
    } else {
      failed = true;
      detail += "[-]" + name + " failed: reason withheld\n";
    }
  }
  const bool verbose = request.Query("verbose").has_value();
  if (failed) {
    *response = net::HttpResponse::Text(500, detail + endpoint_ + " check failed\n");
  } else {
    *response = net::HttpResponse::Text(200, verbose ? detail + endpoint_ + " check passed\n" : "ok");
  }
  return true;
}

}  // namespace kt::ctrl
