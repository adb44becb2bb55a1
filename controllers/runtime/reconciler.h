// The reconciler contract (controller-runtime's reconcile package).
//
// A Reconciler is level-based: given only the namespace/name of an object (never the event
// that caused the call), it reads the world, computes what it should be, and writes the
// difference. It returns a ReconcileResult:
//   Done()              nothing more to do; the key's back-off streak ends (Forget);
//   RequeueAfter(d)     look again after d (Forget, then AddAfter);
//   Requeue()           look again soon, with the per-key back-off (AddRateLimited);
//   a non-OK Status     an error: logged, counted, retried with the per-key back-off;
//   TerminalError(s)    an error that retrying cannot fix (SKU not offered anywhere):
//                       logged and counted, never retried; a later watch event still
//                       enqueues the key.
// ReconcileResult converts implicitly from Status, so KT_RETURN_IF_ERROR and
// KT_ASSIGN_OR_RETURN work inside Reconcile().
//
// Thread-safety: under RealEnv a controller calls Reconcile from up to
// max_concurrent_reconciles threads at once, never twice at once for one key.
#ifndef KT_CONTROLLERS_RUNTIME_RECONCILER_H_
#define KT_CONTROLLERS_RUNTIME_RECONCILER_H_

#include <compare>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/time.h"

namespace kt::ctrl {

struct Request {
  std::string ns;    // "" for cluster-scoped objects
  std::string name;

  // The work queue key: "ns/name", or "name" when ns is empty.
  std::string Key() const;
  static Request FromKey(std::string_view key);
  auto operator<=>(const Request&) const = default;
};

class ReconcileResult {
 public:
  ReconcileResult() = default;  // Done
  ReconcileResult(Status error);  // NOLINT: implicit so Status-returning macros work. OK = Done.

  static ReconcileResult Done() { return ReconcileResult(); }
  static ReconcileResult Requeue();
  static ReconcileResult RequeueAfter(Duration delay);
  // REQUIRES: !error.ok().
  static ReconcileResult Terminal(Status error);

  bool ok() const { return error_.ok(); }
  bool terminal() const { return terminal_; }
  const Status& error() const { return error_; }
  bool requeue() const { return requeue_; }
  Duration requeue_after() const { return requeue_after_; }

 private:
  Status error_;
  bool terminal_ = false;
  bool requeue_ = false;
  Duration requeue_after_{0};
};

// controller-runtime's reconcile.TerminalError(err).
inline ReconcileResult TerminalError(Status error) {
  return ReconcileResult::Terminal(std::move(error));
}

class Reconciler {
 public:
  virtual ~Reconciler() = default;
  virtual ReconcileResult Reconcile(const Request& request) = 0;
};

// A Reconciler from a function (tests, small controllers).
class ReconcilerFunc final : public Reconciler {
 public:
  explicit ReconcilerFunc(std::function<ReconcileResult(const Request&)> fn) : fn_(std::move(fn)) {}
  ReconcileResult Reconcile(const Request& request) override { return fn_(request); }

 private:
  std::function<ReconcileResult(const Request&)> fn_;
};

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_RECONCILER_H_
