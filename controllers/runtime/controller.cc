#include "controllers/runtime/controller.h"

#include <algorithm>

#include "api/object.h"
#include "base/check.h"
#include "base/json.h"
#include "base/log.h"
#include "controllers/runtime/cache.h"
#include "controllers/runtime/metrics.h"
#include "controllers/runtime/poll.h"
#include "controllers/runtime/serial_executor.h"
#include "controllers/runtime/work_queue.h"

namespace kt::ctrl {

Predicate GenerationChangedPredicate() {
  Predicate p;
  p.update = [](const Json& old_obj, const Json& new_obj) {
    return api::Generation(old_obj) != api::Generation(new_obj);
  };
  return p;
}

Predicate ResourceVersionChangedPredicate() {
  Predicate p;
  p.update = [](const Json& old_obj, const Json& new_obj) {
    return api::ResourceVersion(old_obj) != api::ResourceVersion(new_obj);
  };
  return p;
}

Controller::Controller(Env& env, Cache& cache, MetricsRegistry& metrics, Reconciler& reconciler,
                       ControllerOptions options)
    : env_(env), cache_(cache), reconciler_(reconciler), options_(std::move(options)) {
  KT_CHECK(!options_.name.empty()) << "a controller needs a name";
  KT_CHECK(options_.max_concurrent_reconciles >= 1);
  WorkQueueOptions qo;
  qo.name = options_.name;
  qo.items_max = options_.queue_items_max;
  qo.rate_limiter = options_.rate_limiter;
  queue_ = std::make_shared<WorkQueue>(env, qo, &metrics);
  if (env.IsSimulated()) {
    sim_executor_ = std::make_unique<SerialExecutor>(env, "controller-" + options_.name);
  }
  const std::string& n = options_.name;
  auto total = [&](const char* result) {
    return &metrics.GetCounter("controller_runtime_reconcile_total",
                               "Reconciliations per controller and result",
                               {{"controller", n}, {"result", result}});
  };
  m_.success = total("success");
  m_.error = total("error");
  m_.requeue = total("requeue");
  m_.requeue_after = total("requeue_after");
  m_.errors = &metrics.GetCounter("controller_runtime_reconcile_errors_total",
                                  "Reconciliations that returned an error", {{"controller", n}});
  m_.terminal_errors = &metrics.GetCounter(
      "controller_runtime_terminal_reconcile_errors_total",
      "Reconciliations that returned a terminal (not retried) error", {{"controller", n}});
  m_.time = &metrics.GetHistogram("controller_runtime_reconcile_time_seconds",
                                  "Seconds per reconciliation", ReconcileTimeBuckets(),
                                  {{"controller", n}});
  metrics
      .GetGauge("controller_runtime_max_concurrent_reconciles",
                "Worker limit of the controller", {{"controller", n}})
      .Set(options_.max_concurrent_reconciles);
  m_.active = &metrics.GetGauge("controller_runtime_active_workers",
                                "Workers reconciling right now", {{"controller", n}});
}

Controller::~Controller() {
  Stop();
  // Worker threads use this object: wait for them however long a reconcile takes.
  while (!env_.IsSimulated() && !WaitForIdle(std::chrono::minutes(1))) {
    KT_LOG(WARNING) << "controller " << options_.name << ": waiting for " << active_.load()
                    << " reconcile(s) to finish";
  }
  if (sim_executor_) sim_executor_->Stop();
}

EventHandler Controller::MakeHandler(std::function<std::vector<Request>(const Json&)> requests,
                                     Predicate predicate) {
  std::shared_ptr<WorkQueue> queue = queue_;
  std::string name = options_.name;
  auto enqueue = [queue, name](const std::vector<Request>& reqs) {
    for (const Request& r : reqs) {
      Status s = queue->Add(r.Key());
      if (!s.ok() && !s.Is(StatusCode::kCancelled)) {
        KT_LOG(ERROR) << "controller " << name << ": " << s.message();
      }
    }
  };
  EventHandler h;
  h.on_add = [=](const ObjectPtr& obj) {
    if (predicate.create && !predicate.create(*obj)) return;
    enqueue(requests(*obj));
  };
  h.on_update = [=](const ObjectPtr& old_obj, const ObjectPtr& new_obj) {
    if (predicate.update && !predicate.update(*old_obj, *new_obj)) return;
    std::vector<Request> reqs = requests(*old_obj);
    for (Request& r : requests(*new_obj)) {
      if (std::find(reqs.begin(), reqs.end(), r) == reqs.end()) reqs.push_back(std::move(r));
    }
    enqueue(reqs);
  };
  h.on_delete = [=](const ObjectPtr& obj) {
    if (predicate.del && !predicate.del(*obj)) return;
    enqueue(requests(*obj));
  };
  return h;
}

Controller& Controller::For(ForResource resource, Predicate predicate) {
  KT_CHECK(!started_.load()) << "wire controller " << options_.name << " before Start";
  KT_CHECK(for_.kind.empty()) << "controller " << options_.name << " already has a For()";
  KT_CHECK(!resource.kind.empty()) << "For() needs the kind";
  for_ = std::move(resource);
  cache_.InformerFor(for_.gvr);
  Source src;
  src.gvr = for_.gvr;
  src.handler = MakeHandler(
      [](const Json& obj) {
        return std::vector<Request>{Request{api::Namespace(obj), api::Name(obj)}};
      },
      std::move(predicate));
  sources_.push_back(std::move(src));
  return *this;
}

Controller& Controller::Owns(const api::GroupVersionResource& gvr, Predicate predicate) {
  KT_CHECK(!started_.load()) << "wire controller " << options_.name << " before Start";
  KT_CHECK(!for_.kind.empty()) << "call For() before Owns()";
  cache_.InformerFor(gvr);
  const std::string owner_group = for_.gvr.group;
  const std::string owner_kind = for_.kind;
  const bool owner_namespaced = for_.namespaced;
  Source src;
  src.gvr = gvr;
  src.handler = MakeHandler(
      [owner_group, owner_kind, owner_namespaced](const Json& obj) {
        std::vector<Request> out;
        auto ref = api::ControllerOf(obj);
        if (!ref || ref->kind != owner_kind) return out;
        auto gv = api::ParseApiVersion(ref->api_version);
        if (!gv.ok() || gv->first != owner_group) return out;
        out.push_back(Request{owner_namespaced ? api::Namespace(obj) : "", ref->name});
        return out;
      },
      std::move(predicate));
  sources_.push_back(std::move(src));
  return *this;
}

Controller& Controller::Watches(const api::GroupVersionResource& gvr, MapFunc map,
                                Predicate predicate) {
  KT_CHECK(!started_.load()) << "wire controller " << options_.name << " before Start";
  KT_CHECK(map) << "Watches() needs a map function";
  cache_.InformerFor(gvr);
  Source src;
  src.gvr = gvr;
  src.handler = MakeHandler(std::move(map), std::move(predicate));
  sources_.push_back(std::move(src));
  return *this;
}

bool Controller::SourcesSynced() const {
  for (const Source& s : sources_) {
    if (!cache_.HasSynced(s.gvr)) return false;
  }
  return true;
}

void Controller::Start() {
  KT_CHECK(!for_.kind.empty()) << "controller " << options_.name << " has no For()";
  if (started_.exchange(true) || stopped_.load()) return;
  for (Source& s : sources_) {
    s.handler_id = cache_.InformerFor(s.gvr).AddEventHandler(s.handler);
  }
  if (env_.IsSimulated()) {
    queue_->SetReadyCallback([this] { Dispatch(); });
    WaitForSyncSim();
    return;
  }
  threads_alive_.store(options_.max_concurrent_reconciles);
  for (int i = 0; i < options_.max_concurrent_reconciles; ++i) {
    env_.StartThread(options_.name + "-" + std::to_string(i), [this] { WorkerLoop(); });
  }
}

void Controller::WaitForSyncSim() {
  if (stopped_.load()) return;
  if (SourcesSynced()) {
    workers_running_.store(true);
    Dispatch();
    return;
  }
  sim_executor_->PostAfter(options_.cache_sync_poll, [this] { WaitForSyncSim(); });
}

void Controller::Stop() {
  if (stopped_.exchange(true)) return;
  queue_->ShutDown();
  queue_->SetReadyCallback(nullptr);
  if (started_.load()) {
    for (Source& s : sources_) {
      if (s.handler_id != 0) cache_.InformerFor(s.gvr).RemoveEventHandler(s.handler_id);
      s.handler_id = 0;
    }
  }
  if (sim_executor_) sim_executor_->Stop();
  workers_running_.store(false);
}

bool Controller::WaitForIdle(Duration timeout) {
  return PollUntil(
      env_, [this] { return active_.load() == 0 && threads_alive_.load() == 0; }, timeout);
}

void Controller::Dispatch() {
  if (!workers_running_.load() || stopped_.load()) return;
  // A slot takes its key when it runs, not when it is posted, so changes that arrive in the
  // meantime fold into that one reconcile (as with a worker blocked in Get()).
  while (sim_busy_ < options_.max_concurrent_reconciles &&
         queue_->Len() > static_cast<size_t>(sim_posted_)) {
    ++sim_busy_;
    ++sim_posted_;
    sim_executor_->Post([this] {
      --sim_posted_;
      if (std::optional<std::string> key = queue_->TryGet()) ProcessItem(*key);
      --sim_busy_;
      Dispatch();
    });
  }
}

void Controller::WorkerLoop() {
  while (!stopped_.load() && !SourcesSynced()) env_.SleepFor(options_.cache_sync_poll);
  if (!stopped_.load()) workers_running_.store(true);
  std::string key;
  while (!stopped_.load() && queue_->Get(&key)) ProcessItem(key);
  threads_alive_.fetch_sub(1);
}

void Controller::ProcessItem(const std::string& key) {
  ++active_;
  m_.active->Inc();
  const Request req = Request::FromKey(key);
  const Time start = env_.Now();
  ReconcileResult r = reconciler_.Reconcile(req);
  m_.time->Observe(ToSeconds(env_.Now() - start));
  if (!r.ok()) {
    m_.errors->Inc();
    m_.error->Inc();
    if (r.terminal()) {
      m_.terminal_errors->Inc();
      queue_->Forget(key);
      KT_LOG(WARNING) << "controller " << options_.name << ": " << key
                      << ": terminal error (not retried): " << r.error().ToString();
    } else {
      Status s = queue_->AddRateLimited(key);
      KT_LOG(INFO) << "controller " << options_.name << ": " << key << ": reconcile error (retry #"
                   << queue_->NumRequeues(key) << "): " << r.error().ToString();
      (void)s;
    }
  } else if (r.requeue_after() > Duration(0)) {
    m_.requeue_after->Inc();
    queue_->Forget(key);
    Status s = queue_->AddAfter(key, r.requeue_after());
    (void)s;
  } else if (r.requeue()) {
    m_.requeue->Inc();
    Status s = queue_->AddRateLimited(key);
    (void)s;
  } else {
    m_.success->Inc();
    queue_->Forget(key);
  }
  queue_->Done(key);
  --active_;
  m_.active->Dec();
}

}  // namespace kt::ctrl
