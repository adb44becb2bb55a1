#include "tests/controllers/runtime/fake_kube_client.h"

#include <thread>

#include "api/field_selector.h"
#include "api/label_selector.h"
#include "api/object.h"
#include "base/json.h"

namespace kt::ctrl::testing {

namespace {

using ThreadId = decltype(std::this_thread::get_id());

std::string NotFoundMessage(const api::GroupVersionResource& gvr, std::string_view name) {
  return gvr.GroupResource() + " \"" + std::string(name) + "\" not found";
}

std::string ConflictMessage(const api::GroupVersionResource& gvr, std::string_view name) {
  return "Operation cannot be fulfilled on " + gvr.GroupResource() + " \"" + std::string(name) +
         "\": the object has been modified; please apply your changes to the latest version "
         "and try again";
}

// The object without metadata and status: what a generation tracks.
Json SpecPart(const Json& obj) {
  Json j = obj;
  if (j.is_object()) {
    j.erase("metadata");
    j.erase("status");
  }
  return j;
}

int64_t ParseRv(const std::string& rv) {
  int64_t v = 0;
  for (char c : rv) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

struct FakeKubeClient::Watcher {
  Env* env = nullptr;
  api::GroupVersionResource gvr;
  std::string ns;
  api::LabelSelector labels;
  api::FieldSelector fields;
  bool bookmarks = false;
  api::WatchHandler on_event;
  api::WatchClosed on_closed;

  struct Item {
    bool close = false;
    Status status;
    api::WatchEvent event{api::WatchEvent::Type::kBookmark, {}};
  };
  std::mutex mu;
  std::deque<Item> items;  // guarded by mu
  bool draining = false;   // guarded by mu
  bool stopped = false;    // guarded by mu
  bool closing = false;    // guarded by mu: a close is queued
  std::mutex deliver_mu;
  std::atomic<ThreadId> deliverer{};

  bool Matches(const Json& obj) const {
    if (!ns.empty() && api::Namespace(obj) != ns) return false;
    if (!labels.empty() && !labels.MatchesObject(obj)) return false;
    if (!fields.empty() && !fields.Matches(obj)) return false;
    return true;
  }

  bool done() {
    std::lock_guard<std::mutex> lock(mu);
    return stopped || closing;
  }

  static void Push(const std::shared_ptr<Watcher>& self, Item item) {
    std::lock_guard<std::mutex> lock(self->mu);
    if (self->stopped || self->closing) return;
    if (item.close) self->closing = true;
    self->items.push_back(std::move(item));
    if (!self->draining) {
      self->draining = true;
      self->env->Post([self] { Drain(self); });
    }
  }

  static void Drain(const std::shared_ptr<Watcher>& self) {
    for (;;) {
      Item item;
      {
        std::lock_guard<std::mutex> lock(self->mu);
        if (self->items.empty() || self->stopped) {
          self->draining = false;
          return;
        }
        item = std::move(self->items.front());
        self->items.pop_front();
      }
      std::lock_guard<std::mutex> lock(self->deliver_mu);
      {
        std::lock_guard<std::mutex> l2(self->mu);
        if (self->stopped) continue;
        if (item.close) self->stopped = true;
      }
      self->deliverer.store(std::this_thread::get_id());
      if (item.close) {
        self->on_closed(item.status);
      } else {
        self->on_event(item.event);
      }
      self->deliverer.store(ThreadId{});
    }
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stopped = true;
      items.clear();
    }
    if (deliverer.load() != std::this_thread::get_id()) {
      std::lock_guard<std::mutex> lock(deliver_mu);
    }
  }
};

namespace {
class FakeWatch final : public api::Watch {
 public:
  explicit FakeWatch(std::function<void()> stop) : stop_(std::move(stop)) {}
  ~FakeWatch() override { Stop(); }
  void Stop() override {
    if (stop_) {
      auto s = std::move(stop_);
      stop_ = nullptr;
      s();
    }
  }

 private:
  std::function<void()> stop_;
};
}  // namespace

FakeKubeClient::FakeKubeClient(Env& env, size_t history_max)
    : env_(env), history_max_(history_max) {}

FakeKubeClient::~FakeKubeClient() {
  std::vector<std::shared_ptr<Watcher>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    all.swap(watchers_);
  }
  for (auto& w : all) w->Stop();
}

Status FakeKubeClient::TakeFault(const std::string& verb, const api::GroupVersionResource& gvr) {
  ++calls_[{verb, gvr}];
  auto it = faults_.find({verb, gvr});
  if (it == faults_.end() || it->second.empty()) return Status::Ok();
  Status s = it->second.front();
  it->second.pop_front();
  return s;
}

std::string FakeKubeClient::StampLocked() { return std::to_string(++rv_); }

void FakeKubeClient::RecordLocked(const api::GroupVersionResource& gvr,
                                  api::WatchEvent::Type type, const Json& obj) {
  history_.push_back(Change{rv_, gvr, type, obj});
  while (history_.size() > history_max_) {
    compacted_rv_ = history_.front().rv;
    history_.pop_front();
  }
  std::erase_if(watchers_, [](const std::shared_ptr<Watcher>& w) { return w->done(); });
  for (auto& w : watchers_) {
    if (w->gvr != gvr || !w->Matches(obj)) continue;
    Watcher::Item item;
    item.event = api::WatchEvent{type, obj};
    Watcher::Push(w, std::move(item));
  }
}

Result<Json> FakeKubeClient::Get(const api::GroupVersionResource& gvr, std::string_view ns,
                                 std::string_view name, const api::GetOptions&) {
  std::lock_guard<std::mutex> lock(mu_);
  KT_RETURN_IF_ERROR(TakeFault("get", gvr));
  auto& objs = objects_[gvr];
  auto it = objs.find(api::Key(ns, name));
  if (it == objs.end()) return NotFound(NotFoundMessage(gvr, name));
  return it->second;
}

Result<Json> FakeKubeClient::List(const api::GroupVersionResource& gvr, std::string_view ns,
                                  const api::ListOptions& options) {
  KT_ASSIGN_OR_RETURN(auto labels, api::LabelSelector::Parse(options.label_selector));
  KT_ASSIGN_OR_RETURN(auto fields, api::FieldSelector::Parse(options.field_selector));
  std::lock_guard<std::mutex> lock(mu_);
  KT_RETURN_IF_ERROR(TakeFault("list", gvr));
  Json items = Json::array();
  std::string kind;
  std::string next;
  for (const auto& [key, obj] : objects_[gvr]) {
    if (!options.continue_token.empty() && key <= options.continue_token) continue;
    if (!ns.empty() && api::Namespace(obj) != ns) continue;
    if (!labels.empty() && !labels.MatchesObject(obj)) continue;
    if (!fields.empty() && !fields.Matches(obj)) continue;
    if (options.limit > 0 && static_cast<int64_t>(items.size()) == options.limit) {
      next = api::KeyOf(items.back());
      break;
    }
    if (kind.empty()) kind = api::Kind(obj);
    items.push_back(obj);
  }
  Json list = {{"apiVersion", gvr.ApiVersion()},
               {"kind", kind + "List"},
               {"metadata", {{"resourceVersion", std::to_string(rv_)}}},
               {"items", std::move(items)}};
  if (!next.empty()) list["metadata"]["continue"] = next;
  return list;
}

Result<Json> FakeKubeClient::Create(const api::GroupVersionResource& gvr, std::string_view ns,
                                    const Json& object, const api::WriteOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  KT_RETURN_IF_ERROR(TakeFault("create", gvr));
  Json obj = object;
  if (!ns.empty()) api::SetNamespace(obj, ns);
  const std::string name = api::Name(obj);
  if (name.empty()) return Invalid(gvr.GroupResource() + ": metadata.name: Required value");
  auto& objs = objects_[gvr];
  const std::string key = api::Key(ns, name);
  if (objs.count(key)) {
    return AlreadyExists(gvr.GroupResource() + " \"" + name + "\" already exists");
  }
  Json& meta = obj["metadata"];
  meta.erase("deletionTimestamp");
  meta["uid"] = "uid-" + std::to_string(++uid_counter_);
  meta["creationTimestamp"] = FormatRfc3339(env_.Now());
  meta["generation"] = 1;
  if (options.dry_run) return obj;
  meta["resourceVersion"] = StampLocked();
  objs[key] = obj;
  RecordLocked(gvr, api::WatchEvent::Type::kAdded, obj);
  return obj;
}

Result<Json> FakeKubeClient::WriteLocked(const api::GroupVersionResource& gvr,
                                         const std::string& key, Json next, bool status_only) {
  auto& objs = objects_[gvr];
  const Json& old = objs.at(key);
  Json stored;
  if (status_only) {
    stored = old;
    if (next.contains("status")) {
      stored["status"] = next["status"];
    } else {
      stored.erase("status");
    }
  } else {
    stored = std::move(next);
    if (old.contains("status")) {
      stored["status"] = old["status"];
    } else {
      stored.erase("status");
    }
    Json& meta = stored["metadata"];
    for (const char* kept : {"uid", "creationTimestamp", "deletionTimestamp", "namespace", "name"}) {
      if (old["metadata"].contains(kept)) {
        meta[kept] = old["metadata"][kept];
      } else {
        meta.erase(kept);
      }
    }
    meta["generation"] = api::Generation(old) + (SpecPart(stored) != SpecPart(old) ? 1 : 0);
  }
  stored["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"];
  if (stored == old) return old;  // a no-op write keeps the resourceVersion
  stored["metadata"]["resourceVersion"] = StampLocked();
  if (api::IsDeleting(stored) && api::Finalizers(stored).empty()) {
    objs.erase(key);
    RecordLocked(gvr, api::WatchEvent::Type::kDeleted, stored);
    return stored;
  }
  objs[key] = stored;
  RecordLocked(gvr, api::WatchEvent::Type::kModified, stored);
  return stored;
}

Result<Json> FakeKubeClient::Update(const api::GroupVersionResource& gvr, std::string_view ns,
                                    const Json& object, const api::WriteOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  KT_RETURN_IF_ERROR(TakeFault("update", gvr));
  const std::string name = api::Name(object);
  const std::string key = api::Key(ns, name);
  auto& objs = objects_[gvr];
  auto it = objs.find(key);
  if (it == objs.end()) return NotFound(NotFoundMessage(gvr, name));
  const std::string rv = api::ResourceVersion(object);
  if (!rv.empty() && rv != api::ResourceVersion(it->second)) {
    return Conflict(ConflictMessage(gvr, name));
  }
  if (options.dry_run) return object;
  return WriteLocked(gvr, key, object, options.subresource == "status");
}

Result<Json> FakeKubeClient::Patch(const api::GroupVersionResource& gvr, std::string_view ns,
                                   std::string_view name, api::PatchType type,
                                   std::string_view patch, const api::WriteOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  KT_RETURN_IF_ERROR(TakeFault("patch", gvr));
  const std::string key = api::Key(ns, name);
  auto& objs = objects_[gvr];
  auto it = objs.find(key);
  if (it == objs.end()) return NotFound(NotFoundMessage(gvr, name));
  if (type != api::PatchType::kMerge && type != api::PatchType::kJson) {
    return Status(StatusCode::kUnsupportedMediaType,
                  "the fake client supports merge and JSON patches only");
  }
  KT_ASSIGN_OR_RETURN(Json body, ParseJson(patch));
  Json next = it->second;
  if (type == api::PatchType::kMerge) {
    if (!body.is_object()) return BadRequest("merge patch body is not a JSON object");
    const std::string rv = GetString(body, "metadata.resourceVersion");
    if (!rv.empty() && rv != api::ResourceVersion(it->second)) {
      return Conflict(ConflictMessage(gvr, name));
    }
    next.merge_patch(body);
  } else {
    try {
      next = next.patch(body);
    } catch (const std::exception& e) {
      return Invalid(std::string("json patch: ") + e.what());
    }
  }
  if (options.dry_run) return next;
  return WriteLocked(gvr, key, std::move(next), options.subresource == "status");
}

Result<Json> FakeKubeClient::Delete(const api::GroupVersionResource& gvr, std::string_view ns,
                                    std::string_view name, const api::DeleteOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  KT_RETURN_IF_ERROR(TakeFault("delete", gvr));
  const std::string key = api::Key(ns, name);
  auto& objs = objects_[gvr];
  auto it = objs.find(key);
  if (it == objs.end()) return NotFound(NotFoundMessage(gvr, name));
  Json obj = it->second;
  if (options.precondition_uid && *options.precondition_uid != api::Uid(obj)) {
    return Conflict("Precondition failed: UID in precondition: " + *options.precondition_uid +
                    ", UID in object meta: " + api::Uid(obj));
  }
  if (options.precondition_resource_version &&
      *options.precondition_resource_version != api::ResourceVersion(obj)) {
    return Conflict("Precondition failed: ResourceVersion in precondition: " +
                    *options.precondition_resource_version +
                    ", ResourceVersion in object meta: " + api::ResourceVersion(obj));
  }
  if (options.dry_run) return obj;
  if (!api::Finalizers(obj).empty()) {
    if (api::IsDeleting(obj)) return obj;
    obj["metadata"]["deletionTimestamp"] = FormatRfc3339(env_.Now());
    obj["metadata"]["resourceVersion"] = StampLocked();
    it->second = obj;
    RecordLocked(gvr, api::WatchEvent::Type::kModified, obj);
    return obj;
  }
  objs.erase(it);
  obj["metadata"]["resourceVersion"] = StampLocked();
  RecordLocked(gvr, api::WatchEvent::Type::kDeleted, obj);
  return obj;
}

Result<std::unique_ptr<api::Watch>> FakeKubeClient::StartWatch(
    const api::GroupVersionResource& gvr, std::string_view ns, const api::ListOptions& options,
    api::WatchHandler on_event, api::WatchClosed on_closed) {
  auto w = std::make_shared<Watcher>();
  w->env = &env_;
  w->gvr = gvr;
  w->ns = std::string(ns);
  KT_ASSIGN_OR_RETURN(w->labels, api::LabelSelector::Parse(options.label_selector));
  KT_ASSIGN_OR_RETURN(w->fields, api::FieldSelector::Parse(options.field_selector));
  w->bookmarks = options.allow_watch_bookmarks;
  w->on_event = std::move(on_event);
  w->on_closed = std::move(on_closed);
  std::lock_guard<std::mutex> lock(mu_);
  KT_RETURN_IF_ERROR(TakeFault("watch", gvr));
  const std::string& rv_text = options.resource_version;
  if (rv_text.empty() || rv_text == "0") {
    for (const auto& [key, obj] : objects_[gvr]) {
      if (!w->Matches(obj)) continue;
      Watcher::Item item;
      item.event = api::WatchEvent{api::WatchEvent::Type::kAdded, obj};
      Watcher::Push(w, std::move(item));
    }
  } else {
    const int64_t from = ParseRv(rv_text);
    if (from < 0) return BadRequest("invalid resourceVersion \"" + rv_text + "\"");
    if (from < compacted_rv_) {
      const std::string msg = "too old resource version: " + rv_text + " (" +
                              std::to_string(compacted_rv_ + 1) + ")";
      if (gone_from_start_watch_) return Gone(msg);
      Watcher::Item item;
      item.close = true;
      item.status = Gone(msg);
      Watcher::Push(w, std::move(item));
    } else {
      for (const Change& c : history_) {
        if (c.rv <= from || c.gvr != gvr || !w->Matches(c.object)) continue;
        Watcher::Item item;
        item.event = api::WatchEvent{c.type, c.object};
        Watcher::Push(w, std::move(item));
      }
    }
  }
  watchers_.push_back(w);
  return std::unique_ptr<api::Watch>(new FakeWatch([w] { w->Stop(); }));
}

void FakeKubeClient::FailNext(const std::string& verb, const api::GroupVersionResource& gvr,
                              Status error, int times) {
  std::lock_guard<std::mutex> lock(mu_);
  for (int i = 0; i < times; ++i) faults_[{verb, gvr}].push_back(error);
}

void FakeKubeClient::DropWatches(const api::GroupVersionResource& gvr, Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& w : watchers_) {
    if (w->gvr != gvr) continue;
    Watcher::Item item;
    item.close = true;
    item.status = status;
    Watcher::Push(w, std::move(item));
  }
}

void FakeKubeClient::SendError(const api::GroupVersionResource& gvr, const Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  Json st = {{"apiVersion", "v1"},
             {"kind", "Status"},
             {"status", "Failure"},
             {"message", status.message()},
             {"reason", std::string(status.reason())},
             {"code", HttpCodeOf(status.code())}};
  for (auto& w : watchers_) {
    if (w->gvr != gvr) continue;
    Watcher::Item item;
    item.event = api::WatchEvent{api::WatchEvent::Type::kError, st};
    Watcher::Push(w, std::move(item));
  }
}

void FakeKubeClient::CompactHistory() {
  std::lock_guard<std::mutex> lock(mu_);
  history_.clear();
  compacted_rv_ = rv_;
}

void FakeKubeClient::SendBookmarks(const api::GroupVersionResource& gvr) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& w : watchers_) {
    if (w->gvr != gvr || !w->bookmarks) continue;
    Watcher::Item item;
    item.event = api::WatchEvent{
        api::WatchEvent::Type::kBookmark,
        Json{{"apiVersion", gvr.ApiVersion()},
             {"metadata", {{"resourceVersion", std::to_string(rv_)}}}}};
    Watcher::Push(w, std::move(item));
  }
}

void FakeKubeClient::set_gone_from_start_watch(bool v) {
  std::lock_guard<std::mutex> lock(mu_);
  gone_from_start_watch_ = v;
}

int64_t FakeKubeClient::resource_version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rv_;
}

size_t FakeKubeClient::open_watches(const api::GroupVersionResource& gvr) const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& w : watchers_) {
    if (w->gvr == gvr && !w->done()) ++n;
  }
  return n;
}

int FakeKubeClient::calls(const std::string& verb, const api::GroupVersionResource& gvr) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = calls_.find({verb, gvr});
  return it == calls_.end() ? 0 : it->second;
}

}  // namespace kt::ctrl::testing
