#include "sim/cluster/informer.h"

#include <algorithm>
#include <charconv>

#include "api/object.h"
#include "base/json.h"
#include "base/log.h"

namespace kt::sim::cluster {

namespace {

uint64_t RvOf(const Json& obj) {
  const Json* rv = FindPath(obj, "metadata.resourceVersion");
  if (rv == nullptr || !rv->is_string()) return 0;
  const std::string& s = rv->get_ref<const std::string&>();
  uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

const std::set<std::string>& EmptyKeys() {
  static const std::set<std::string> kEmpty;
  return kEmpty;
}

}  // namespace

// Delivers one watch's events into the informer under the loop's lock. A sink outlives nothing:
// the informer stops its watch before it goes away, and a delivery that races a stopped loop
// sees the stop and returns.
class Informer::Sink final : public WatchSink {
 public:
  Sink(ClusterLoop& loop, Informer* informer, uint64_t generation)
      : loop_(loop), informer_(informer), generation_(generation) {}
  void OnEvent(const WatchEventOut& e) override {
    loop_.RunLocked([&] { informer_->OnEvent(generation_, e.type, e.object); });
  }
  void OnClosed(const Status& s) override {
    loop_.RunLocked([&] { informer_->OnClosed(generation_, s); });
  }

 private:
  ClusterLoop& loop_;
  Informer* informer_;
  const uint64_t generation_;
};

Informer::Informer(ClusterLoop& loop, ApiServer& server, api::GroupVersionResource gvr,
                   RequestContext ctx, Options options)
    : loop_(loop),
      server_(server),
      gvr_(std::move(gvr)),
      ctx_(std::move(ctx)),
      options_(std::move(options)),
      retry_delay_(options_.retry_initial) {}

Informer::~Informer() { Stop(); }

std::string Informer::KeyOf(const Json& obj) { return api::KeyOf(obj); }

void Informer::AddHandlers(Handlers handlers) { handlers_.push_back(std::move(handlers)); }

void Informer::AddIndex(std::string name, std::function<std::string(const Json&)> index_fn) {
  indexes_[std::move(name)].fn = std::move(index_fn);
}

void Informer::Start() {
  if (running_) return;
  running_ = true;
  List();
}

void Informer::Stop() {
  running_ = false;
  ++generation_;
  loop_.Cancel(retry_timer_);
  if (watch_) {
    watch_->Stop();
    watch_.reset();
  }
}

JsonPtr Informer::Get(std::string_view key) const {
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : it->second;
}

JsonPtr Informer::Get(std::string_view ns, std::string_view name) const {
  return ns.empty() ? Get(name) : Get(api::Key(ns, name));
}

const std::set<std::string>& Informer::ByIndex(std::string_view name,
                                               std::string_view value) const {
  auto it = indexes_.find(name);
  KT_CHECK(it != indexes_.end()) << "no index " << name;
  auto vit = it->second.by_value.find(value);
  return vit == it->second.by_value.end() ? EmptyKeys() : vit->second;
}

const std::map<std::string, std::set<std::string>, std::less<>>& Informer::IndexValues(
    std::string_view name) const {
  auto it = indexes_.find(name);
  KT_CHECK(it != indexes_.end()) << "no index " << name;
  return it->second.by_value;
}

void Informer::Reindex(const std::string& key, const Json* old, const Json* now) {
  for (auto& [name, index] : indexes_) {
    const std::string before = old != nullptr ? index.fn(*old) : std::string();
    std::string after = now != nullptr ? index.fn(*now) : std::string();
    if (before == after) continue;  // most updates (status writes) keep every index value
    if (!before.empty()) {
      auto it = index.by_value.find(before);
      if (it != index.by_value.end()) {
        it->second.erase(key);
        if (it->second.empty()) index.by_value.erase(it);
      }
    }
    if (!after.empty()) index.by_value[std::move(after)].insert(key);
  }
}

void Informer::Upsert(const std::string& key, const JsonPtr& obj) {
  auto it = items_.find(key);
  if (it == items_.end()) {
    items_.emplace(key, obj);
    Reindex(key, nullptr, obj.get());
    for (const auto& h : handlers_) {
      if (h.on_add) h.on_add(obj);
    }
    return;
  }
  JsonPtr old = it->second;
  if (old == obj) return;
  if (const uint64_t rv = RvOf(*obj); rv != 0 && RvOf(*old) == rv) return;  // a replay
  it->second = obj;
  Reindex(key, old.get(), obj.get());
  for (const auto& h : handlers_) {
    if (h.on_update) h.on_update(old, obj);
  }
}

void Informer::Remove(const std::string& key, const JsonPtr& final_state) {
  auto it = items_.find(key);
  if (it == items_.end()) return;
  JsonPtr old = it->second;
  items_.erase(it);
  Reindex(key, old.get(), nullptr);
  const JsonPtr& last = final_state ? final_state : old;
  for (const auto& h : handlers_) {
    if (h.on_delete) h.on_delete(last);
  }
}

void Informer::List() {
  if (!running_) return;
  api::ListOptions lo;
  lo.label_selector = options_.label_selector;
  auto listed = server_.List(ResourceRef{gvr_, options_.ns, "", ""}, lo, ctx_);
  if (!listed.ok()) {
    KT_LOG(DEBUG) << "informer " << gvr_.GroupResource() << ": list failed: "
                  << listed.status().ToString();
    RetryLater(true);
    return;
  }
  ++stats_.relists;
  std::map<std::string, JsonPtr, std::less<>> fresh;
  for (const auto& item : listed->items) fresh.emplace(KeyOf(*item), item);
  // Objects that went away while we were not watching.
  std::vector<std::string> gone;
  for (const auto& [key, obj] : items_) {
    if (!fresh.count(key)) gone.push_back(key);
  }
  for (const auto& key : gone) Remove(key, nullptr);
  for (const auto& [key, obj] : fresh) Upsert(key, obj);
  synced_ = true;
  last_rv_ = listed->resource_version;
  retry_delay_ = options_.retry_initial;
  Watch(last_rv_);
}

void Informer::Watch(uint64_t from_rv) {
  if (!running_) return;
  ++generation_;
  if (watch_) {
    watch_->Stop();
    watch_.reset();
  }
  api::ListOptions lo;
  lo.label_selector = options_.label_selector;
  lo.resource_version = std::to_string(from_rv);
  lo.allow_watch_bookmarks = true;
  auto sink = std::make_shared<Sink>(loop_, this, generation_);
  auto w = server_.Watch(ResourceRef{gvr_, options_.ns, "", ""}, lo, sink, ctx_);
  if (!w.ok()) {
    RetryLater(w.status().Is(StatusCode::kGone));
    return;
  }
  watch_ = std::move(*w);
}

void Informer::RetryLater(bool relist) {
  if (!running_) return;
  ++stats_.rewatches;
  loop_.Cancel(retry_timer_);
  Duration delay = retry_delay_;
  retry_delay_ = std::min(retry_delay_ * 2, options_.retry_max);
  retry_timer_ = loop_.After(delay, [this, relist] {
    retry_timer_ = ClusterLoop::kNoTimer;
    if (relist) {
      List();
    } else {
      Watch(last_rv_);
    }
  });
}

void Informer::OnEvent(uint64_t generation, api::WatchEvent::Type type, const JsonPtr& obj) {
  if (generation != generation_ || !running_ || !obj) return;
  ++stats_.events;
  using T = api::WatchEvent::Type;
  if (type == T::kError) {
    // The server gives up on this watch (410 Expired, typically); the close follows.
    if (GetInt(*obj, "code").value_or(0) == 410) last_rv_ = 0;
    return;
  }
  uint64_t rv = RvOf(*obj);
  if (rv > last_rv_) last_rv_ = rv;
  if (type == T::kBookmark) return;
  retry_delay_ = options_.retry_initial;
  std::string key = KeyOf(*obj);
  if (type == T::kDeleted) {
    Remove(key, obj);
  } else {
    Upsert(key, obj);
  }
}

void Informer::OnClosed(uint64_t generation, const Status& status) {
  if (generation != generation_ || !running_) return;
  watch_.reset();
  if (status.Is(StatusCode::kGone) || last_rv_ == 0) {
    RetryLater(true);
  } else {
    RetryLater(false);
  }
}

}  // namespace kt::sim::cluster
