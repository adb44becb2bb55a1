#include "controllers/runtime/reconciler.h"

#include "base/check.h"

namespace kt::ctrl {

std::string Request::Key() const { return ns.empty() ? name : ns + "/" + name; }

Request Request::FromKey(std::string_view key) {
  size_t slash = key.find('/');
  if (slash == std::string_view::npos) return Request{"", std::string(key)};
  return Request{std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
}

ReconcileResult::ReconcileResult(Status error) : error_(std::move(error)) {}

ReconcileResult ReconcileResult::Requeue() {
  ReconcileResult r;
  r.requeue_ = true;
  return r;
}

ReconcileResult ReconcileResult::RequeueAfter(Duration delay) {
  ReconcileResult r;
  if (delay > Duration(0)) {
    r.requeue_after_ = delay;
  } else {
    r.requeue_ = true;
  }
  return r;
}

ReconcileResult ReconcileResult::Terminal(Status error) {
  KT_CHECK(!error.ok()) << "TerminalError needs an error";
  ReconcileResult r(std::move(error));
  r.terminal_ = true;
  return r;
}

}  // namespace kt::ctrl
