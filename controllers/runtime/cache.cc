#include "controllers/runtime/cache.h"

#include "api/field_selector.h"
#include "api/label_selector.h"
#include "api/object.h"

namespace kt::ctrl {

Cache::Cache(Env& env, api::KubeClient& client, CacheOptions options)
    : env_(env), client_(client), options_(std::move(options)) {}

Cache::~Cache() { Stop(); }

Status Cache::Configure(const api::GroupVersionResource& gvr, InformerOptions options) {
  std::lock_guard<std::mutex> lock(mu_);
  if (informers_.count(gvr)) {
    return Conflict("the informer for " + gvr.GroupResource() + " already exists");
  }
  options.gvr = gvr;
  configured_[gvr] = std::move(options);
  return Status::Ok();
}

Informer& Cache::InformerFor(const api::GroupVersionResource& gvr) {
  Informer* informer;
  bool start;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = informers_.find(gvr);
    if (it != informers_.end()) return *it->second;
    InformerOptions io;
    auto cit = configured_.find(gvr);
    if (cit != configured_.end()) {
      io = cit->second;
    } else {
      io.gvr = gvr;
      io.lag_max = options_.lag_max;
      io.resync_period = options_.resync_period;
    }
    if (io.random_stream.empty()) io.random_stream = options_.random_stream_prefix + gvr.GroupResource();
    auto owned = std::make_unique<Informer>(env_, client_, std::move(io));
    informer = owned.get();
    informers_.emplace(gvr, std::move(owned));
    start = started_;
  }
  if (start) informer->Start();
  return *informer;
}

Status Cache::AddIndex(const api::GroupVersionResource& gvr, std::string name, IndexFunc fn) {
  return InformerFor(gvr).AddIndex(std::move(name), std::move(fn));
}

void Cache::Start() {
  std::vector<Informer*> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_) return;
    started_ = true;
    for (auto& [gvr, informer] : informers_) all.push_back(informer.get());
  }
  for (Informer* i : all) i->Start();
}

void Cache::Stop() {
  std::vector<Informer*> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [gvr, informer] : informers_) all.push_back(informer.get());
  }
  for (Informer* i : all) i->Stop();
}

bool Cache::started() const {
  std::lock_guard<std::mutex> lock(mu_);
  return started_;
}

bool Cache::HasSynced() const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [gvr, informer] : informers_) {
    if (!informer->HasSynced()) return false;
  }
  return true;
}

bool Cache::HasSynced(const api::GroupVersionResource& gvr) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = informers_.find(gvr);
  return it != informers_.end() && it->second->HasSynced();
}

Result<Informer*> Cache::Synced(const api::GroupVersionResource& gvr) {
  Informer& informer = InformerFor(gvr);
  if (!informer.HasSynced()) {
    return Unavailable("the cache of " + gvr.GroupResource() + " has not synced yet");
  }
  return &informer;
}

Result<ObjectPtr> Cache::Get(const api::GroupVersionResource& gvr, std::string_view ns,
                             std::string_view name) {
  KT_ASSIGN_OR_RETURN(Informer * informer, Synced(gvr));
  ObjectPtr obj = informer->store().Get(api::Key(ns, name));
  if (!obj) return NotFound(gvr.GroupResource() + " \"" + std::string(name) + "\" not found");
  return obj;
}

namespace {

// The objects a list must look at. A selector with an equality requirement reads a label
// index (built on first use, kept by the informer after that): a controller that lists "its"
// objects by label on every reconcile then costs O(its objects), not O(all objects). Every
// candidate is still checked against the whole selector and namespace. Sorted by key either way.
std::vector<ObjectPtr> Candidates(Informer& informer, std::string_view ns,
                                  const api::LabelSelector& labels) {
  for (const api::Requirement& r : labels.requirements()) {
    const bool equality = r.op == api::SelectorOp::kEquals ||
                          (r.op == api::SelectorOp::kIn && r.values.size() == 1);
    if (!equality) continue;
    const std::string index = "label:" + r.key;
    auto hit = informer.store().ByIndex(index, r.values[0]);
    if (!hit.ok()) {
      Status added = informer.AddIndex(index, IndexByLabel(r.key));
      (void)added;  // AlreadyExists: another reader added it first
      hit = informer.store().ByIndex(index, r.values[0]);
    }
    if (hit.ok()) return std::move(hit).value();
  }
  return ns.empty() ? informer.store().List() : informer.store().ListNamespace(ns);
}

}  // namespace

Result<std::vector<ObjectPtr>> Cache::List(const api::GroupVersionResource& gvr,
                                           std::string_view ns, std::string_view label_selector,
                                           std::string_view field_selector) {
  KT_ASSIGN_OR_RETURN(api::LabelSelector labels, api::LabelSelector::Parse(label_selector));
  KT_ASSIGN_OR_RETURN(api::FieldSelector fields, api::FieldSelector::Parse(field_selector));
  KT_ASSIGN_OR_RETURN(Informer * informer, Synced(gvr));
  std::vector<ObjectPtr> candidates = Candidates(*informer, ns, labels);
  std::vector<ObjectPtr> out;
  for (ObjectPtr& obj : candidates) {
    if (!ns.empty() && api::Namespace(*obj) != ns) continue;
    if (!labels.empty() && !labels.MatchesObject(*obj)) continue;
    if (!fields.empty() && !fields.Matches(*obj)) continue;
    out.push_back(std::move(obj));
  }
  return out;
}

Result<std::vector<ObjectPtr>> Cache::ByIndex(const api::GroupVersionResource& gvr,
                                              std::string_view index, std::string_view value) {
  KT_ASSIGN_OR_RETURN(Informer * informer, Synced(gvr));
  return informer->store().ByIndex(index, value);
}

}  // namespace kt::ctrl
