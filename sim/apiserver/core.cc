// Core: construction, lookup and the commit path every write ends in.
#include "sim/apiserver/core.h"

#include <charconv>

#include "api/object.h"
#include "base/json.h"
#include "base/trace.h"
#include "sim/apiserver/api_errors.h"
#include "sim/apiserver/fault_sites.h"

namespace kt::sim {

using std::string_view_literals::operator""sv;
using Type = api::WatchEvent::Type;

Core::Core(Env& env, ApiServerOptions options)
    : env_(env),
      options_(std::move(options)),
      webhook_caller_(options_.webhook_response_bytes_max),
      window_(options_.watch_window_events_max, 0),
      services_(options_.service_cluster_ip_cidr, options_.node_port_min, options_.node_port_max) {
  rng_ = &env_.Random("apiserver");
  namespaces_ = types_.Find(api::resources::kNamespaces);
  KT_CHECK(namespaces_ != nullptr) << "the type registry lacks namespaces";
}

Core::~Core() = default;

void Core::Start() {
  if (!options_.create_default_namespaces) return;
  RequestContext ctx;
  ctx.internal = true;
  for (const char* ns : {"default", "kube-node-lease", "kube-public", "kube-system"}) {
    Json obj = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}};
    auto r = Create(ResourceRef{api::resources::kNamespaces, "", "", ""}, std::move(obj), {}, ctx);
    KT_CHECK(r.ok()) << "creating namespace " << ns << ": " << r.status().ToString();
  }
}

void Core::Shutdown() {
  std::vector<std::shared_ptr<Watcher>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shut_down_) return;
    shut_down_ = true;
    for (auto& [k, ws] : watchers_) {
      for (auto& w : ws) {
        CancelTimersLocked(*w);
        all.push_back(w);
      }
    }
    watchers_.clear();
    watcher_count_ = 0;
    work_.clear();
  }
  for (auto& w : all) w->Finish(Status::Ok());
}

// ---- lookup

const ResourceType* Core::FindTypeLocked(const api::GroupVersionResource& gvr) const {
  const ResourceType* t = types_.Find(gvr);
  if (t == nullptr || !t->served) return nullptr;
  return t;
}

Result<const ResourceType*> Core::ResolveLocked(const ResourceRef& ref, std::string_view verb) const {
  const ResourceType* t = FindTypeLocked(ref.gvr);
  if (t == nullptr) return UnknownResourceError();
  if (t->namespaced && ref.ns.empty() && !ref.name.empty()) return UnknownResourceError();
  if (t->namespaced && ref.ns.empty() && verb == "create") return UnknownResourceError();
  if (!t->namespaced && !ref.ns.empty()) return UnknownResourceError();
  if (!ref.subresource.empty()) {
    bool known = false;
    for (const auto& s : t->subresources) known = known || s == ref.subresource;
    if (!known) return UnknownResourceError();
  } else if (!t->verbs.empty()) {
    bool allowed = false;
    for (const auto& v : t->verbs) allowed = allowed || v == verb;
    if (!allowed) {
      return Status(StatusCode::kMethodNotAllowed,
                    "the server does not allow this method on the requested resource");
    }
  }
  return t;
}

const ResourceType* Core::TypeForStorageLocked(const std::string& storage_key) const {
  if (!storage_types_valid_) {
    storage_types_.clear();
    for (const ResourceType* t : types_.All()) {
      auto it = storage_types_.find(t->storage_key);
      if (it == storage_types_.end() || (t->storage_version && !it->second->storage_version)) {
        storage_types_[t->storage_key] = t;
      }
    }
    storage_types_valid_ = true;
  }
  auto it = storage_types_.find(storage_key);
  return it == storage_types_.end() ? nullptr : it->second;
}

bool Core::IsAtVersion(const Json& obj, const ResourceType& type) {
  const Json* av = FindMember(obj, "apiVersion");
  return av != nullptr && av->is_string() &&
         type.gvr.IsApiVersion(av->get_ref<const std::string&>());
}

std::shared_ptr<const Json> Core::AtVersion(std::shared_ptr<const Json> obj,
                                            const ResourceType& type) const {
  if (IsAtVersion(*obj, type)) return obj;
  auto copy = std::make_shared<Json>(*obj);
  (*copy)["apiVersion"] = type.gvr.ApiVersion();
  return copy;
}

bool Core::Faulted(const RequestContext& ctx, const FaultSite& site) {
  // Without mu_: only a SimEnv has fault points, and it is single-threaded by contract.
  if (ctx.internal || !env_.IsSimulated()) return false;
  return Buggify(env_, site);
}

Status Core::UnavailableFault() {
  std::lock_guard<std::mutex> lock(mu_);
  if (rng_->Bernoulli(0.25)) {
    return Internal("Internal error occurred: the server has received an internal error (fault " +
                    std::string(faults::kUnavailable.name) + ")");
  }
  return UnavailableError();
}

// ---- commit

bool Core::HeldFromRemoval(const Json& obj) {
  const Json* fin = FindPath(obj, "metadata.finalizers");
  if (fin != nullptr && fin->is_array() && !fin->empty()) return true;
  if (GetString(obj, "kind") == "Namespace" && GetString(obj, "apiVersion") == "v1") {
    const Json* sf = FindPath(obj, "spec.finalizers");
    if (sf != nullptr && sf->is_array() && !sf->empty()) return true;
  }
  return GetInt(obj, "metadata.deletionGracePeriodSeconds").value_or(0) > 0;
}

namespace {
// Written into the string already there when there is one (an update's body carries the old
// version): no new node.
void SetRv(Json& obj, uint64_t rv) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, rv).ptr;
  Json* meta = FindMutableMember(obj, "metadata");
  if (meta == nullptr || !meta->is_object()) meta = &(obj["metadata"sv] = Json::object());
  Json* member = FindMutableMember(*meta, "resourceVersion");
  if (member != nullptr && member->is_string()) {
    member->get_ref<std::string&>().assign(digits, end);
  } else {
    (*meta)["resourceVersion"sv] = std::string(digits, end);  // a create's: not there yet
  }
}
}  // namespace

void Core::PublishLocked(Type type, const ResourceType& rt, const std::string& key,
                         const std::shared_ptr<const Json>& obj, std::shared_ptr<const Json> prev,
                         uint64_t rv) {
  auto ev = std::make_shared<ChangeEvent>();
  ev->rv = rv;
  ev->type = type;
  ev->storage_key = rt.storage_key;
  if (rt.namespaced) ev->ns = key.substr(0, key.find('/'));
  ev->object = obj;
  ev->prev = std::move(prev);
  std::shared_ptr<const ChangeEvent> cev = std::move(ev);
  window_.Append(cev);
  auto it = watchers_.find(rt.storage_key);
  if (it != watchers_.end()) {
    auto& list = it->second;
    for (auto& w : list) {
      if (!w->Offer(*cev)) CancelTimersLocked(*w);
    }
    size_t before = list.size();
    std::erase_if(list, [](const auto& w) { return w->done(); });
    watcher_count_ -= before - list.size();
    if (list.empty()) watchers_.erase(it);
  }
  ArmBookmarksLocked();
  // {"k":"apiserver","key":...,"op":...,"resource":...,"rv":...,"t":...}, written directly:
  // this line is recorded on every write.
  const char* op = type == Type::kAdded ? "create" : type == Type::kDeleted ? "delete" : "update";
  thread_local std::string members;  // reused: no allocation per write
  members.assign("\"key\":");
  AppendJsonString(members, key);
  members.append(",\"op\":\"").append(op).append("\",\"resource\":");
  AppendJsonString(members, rt.gvr.GroupResource());
  members.append(",\"rv\":").append(std::to_string(rv));
  env_.trace().RecordMembers(env_.Now(), "apiserver", members);
}

std::shared_ptr<const Json> Core::CommitCreateLocked(const ResourceType& type,
                                                     const std::string& key, Json obj) {
  uint64_t rv = ++rv_;
  SetRv(obj, rv);
  auto p = MakeSharedJson(std::move(obj));
  store_.Put(type.storage_key, key, StoredObject{p, rv});
  PublishLocked(Type::kAdded, type, key, p, nullptr, rv);
  AfterCommitLocked(type, nullptr, p.get());
  return p;
}

std::shared_ptr<const Json> Core::CommitUpdateLocked(const ResourceType& type,
                                                     const std::string& key, Json obj,
                                                     bool* removed) {
  if (api::IsDeleting(obj) && !HeldFromRemoval(obj)) {
    if (removed) *removed = true;
    return CommitRemoveLocked(type, key, std::move(obj));
  }
  if (removed) *removed = false;
  uint64_t rv = ++rv_;
  SetRv(obj, rv);
  auto p = MakeSharedJson(std::move(obj));
  std::shared_ptr<const Json> prev = store_.Put(type.storage_key, key, StoredObject{p, rv});
  KT_CHECK(prev != nullptr) << "update of a missing object " << key;
  PublishLocked(Type::kModified, type, key, p, prev, rv);
  AfterCommitLocked(type, prev.get(), p.get());
  return p;
}

std::shared_ptr<const Json> Core::CommitRemoveLocked(const ResourceType& type,
                                                     const std::string& key, Json final_state) {
  const StoredObject* old = store_.Get(type.storage_key, key);
  KT_CHECK(old != nullptr) << "removal of a missing object " << key;
  std::shared_ptr<const Json> prev = old->object;
  uint64_t rv = ++rv_;
  SetRv(final_state, rv);
  auto p = MakeSharedJson(std::move(final_state));
  store_.Erase(type.storage_key, key);
  PublishLocked(Type::kDeleted, type, key, p, prev, rv);
  AfterCommitLocked(type, p.get(), nullptr);
  return p;
}

void Core::AfterCommitLocked(const ResourceType& type, const Json* old, const Json* now) {
  const auto& gvr = type.gvr;
  // Against string views: a std::string compared with a C string measures it each time.
  if (gvr.group.empty() && gvr.resource == "services"sv) services_.Commit(old, now);
  if ((old == nullptr) != (now == nullptr) && gvr.group == "admissionregistration.k8s.io"sv &&
      (gvr.resource == "mutatingwebhookconfigurations"sv ||
       gvr.resource == "validatingwebhookconfigurations"sv)) {
    if (now != nullptr) ++webhook_configurations_;
    else --webhook_configurations_;
  }
  if (gvr.group == "apiextensions.k8s.io"sv && gvr.resource == "customresourcedefinitions"sv) {
    CrdAfterCommitLocked(old, now);
  }
  GcAfterCommitLocked(type, old, now);
  NamespaceAfterCommitLocked(type, old, now);
  if (now == nullptr && type.is_custom) {
    auto it = terminating_crds_.find(type.storage_key);
    if (it != terminating_crds_.end()) EnqueueLocked({WorkItem::kCrdCleanup, {}, it->second});
  }
}

// ---- type information

void Core::ReadTypes(const std::function<void(const TypeRegistry&)>& fn) const {
  std::lock_guard<std::mutex> lock(mu_);
  fn(types_);
}

std::optional<ResourceType> Core::Resolve(const api::GroupVersionResource& gvr) const {
  std::lock_guard<std::mutex> lock(mu_);
  const ResourceType* t = FindTypeLocked(gvr);
  if (t == nullptr) return std::nullopt;
  return *t;
}

Result<Json> Core::RenderTable(const api::GroupVersionResource& gvr,
                               const std::vector<const Json*>& objects,
                               std::string_view include_object) const {
  std::lock_guard<std::mutex> lock(mu_);
  const ResourceType* t = FindTypeLocked(gvr);
  if (t == nullptr) return UnknownResourceError();
  return types_.ToTable(*t, objects, env_.Now(), include_object);
}

uint64_t Core::resource_version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rv_;
}

ApiServer::Stats Core::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  ApiServer::Stats s;
  s.objects = store_.size();
  s.watchers = watcher_count_;
  s.window_events = window_.size();
  s.compacted_rv = window_.compacted_rv();
  s.list_snapshots = snapshots_.size();
  return s;
}

}  // namespace kt::sim
