#include "controllers/runtime/informer.h"

#include <algorithm>
#include <map>

#include "api/object.h"
#include "base/json.h"
#include "base/log.h"

namespace kt::ctrl {

namespace {

// A watch that ends cleanly this soon without delivering anything is treated like a drop
// (back-off), so a server that closes watches at once cannot make the informer spin.
constexpr Duration kShortWatch = std::chrono::seconds(1);

std::string KindFromList(const Json& list) {
  std::string kind = GetString(list, "kind");
  if (kind.size() <= 4 || !kind.ends_with("List")) return "";  // "List" alone names no kind
  kind.resize(kind.size() - 4);
  return kind;
}

}  // namespace

Informer::Informer(Env& env, api::KubeClient& client, InformerOptions options)
    : env_(env),
      client_(client),
      options_(std::move(options)),
      executor_(env, "informer-" + options_.gvr.resource) {
  if (options_.random_stream.empty()) {
    options_.random_stream = "informer/" + options_.gvr.GroupResource();
  }
}

Informer::~Informer() { Stop(); }

void Informer::Start() {
  if (started_.exchange(true)) return;
  executor_.Post([this] { ListAndWatch(); });
  if (options_.resync_period > Duration(0)) {
    executor_.PostAfter(options_.resync_period, [this] { Resync(); });
  }
}

void Informer::Stop() {
  executor_.Stop();
  std::unique_ptr<api::Watch> watch;
  {
    std::lock_guard<std::mutex> lock(in_mu_);
    ++generation_;
    incoming_.clear();
  }
  watch = std::move(watch_);
  if (watch) watch->Stop();
}

Informer::Stats Informer::stats() const {
  std::lock_guard<std::mutex> lock(in_mu_);
  return stats_;
}

std::string Informer::last_resource_version() const {
  std::lock_guard<std::mutex> lock(in_mu_);
  return last_rv_;
}

uint64_t Informer::AddEventHandler(EventHandler handler) {
  uint64_t id;
  auto slot = std::make_shared<HandlerSlot>();
  slot->handler = std::move(handler);
  {
    std::lock_guard<std::mutex> lock(handlers_mu_);
    id = next_handler_++;
    slots_.emplace(id, slot);
  }
  // Registered on the executor so the replay and later events cannot interleave.
  executor_.Post([this, id, slot] {
    {
      std::lock_guard<std::mutex> lock(handlers_mu_);
      if (slot->removed) return;
      handlers_.emplace_back(id, slot);
    }
    if (!synced_.load() || !slot->handler.on_add) return;
    for (const ObjectPtr& obj : store_.List()) {
      if (slot->removed) return;
      slot->handler.on_add(obj);
    }
  });
  return id;
}

void Informer::RemoveEventHandler(uint64_t id) {
  {
    std::lock_guard<std::mutex> lock(handlers_mu_);
    auto sit = slots_.find(id);
    if (sit != slots_.end()) {
      sit->second->removed = true;
      slots_.erase(sit);
    }
    handlers_.erase(std::remove_if(handlers_.begin(), handlers_.end(),
                                   [&](const auto& h) { return h.first == id; }),
                    handlers_.end());
  }
  // Fence: a handler call already running on the executor thread finishes first.
  if (!executor_.InExecutor()) executor_.RunSync([] {});
}

std::vector<std::shared_ptr<Informer::HandlerSlot>> Informer::Handlers() const {
  std::lock_guard<std::mutex> lock(handlers_mu_);
  std::vector<std::shared_ptr<HandlerSlot>> out;
  out.reserve(handlers_.size());
  for (const auto& [id, slot] : handlers_) out.push_back(slot);
  return out;
}

Duration Informer::NextBackoff() {
  double base = static_cast<double>(options_.backoff_initial.count()) *
                static_cast<double>(uint64_t{1} << std::min(backoff_steps_, 20));
  base = std::min(base, static_cast<double>(options_.backoff_max.count()));
  ++backoff_steps_;
  // Jitter in [base, 2*base), like client-go's backoff with jitter factor 1.
  double jitter = env_.Random(options_.random_stream + "/watch").Uniform();
  return Duration(static_cast<int64_t>(base * (1.0 + jitter)));
}

void Informer::RetryLater(bool relist) {
  Duration delay = NextBackoff();
  if (relist) {
    executor_.PostAfter(delay, [this] { ListAndWatch(); });
  } else {
    executor_.PostAfter(delay, [this] {
      std::string rv = last_resource_version();
      WatchFrom(rv);
    });
  }
}

void Informer::ListAndWatch() {
  std::vector<Json> items;
  std::string rv;
  std::string kind;
  api::ListOptions lo;
  lo.label_selector = options_.label_selector;
  lo.field_selector = options_.field_selector;
  lo.limit = options_.list_page_size;
  Status failure;
  for (int pages = 0;; ++pages) {
    auto list = client_.List(options_.gvr, options_.ns, lo);
    if (!list.ok() && list.status().Is(StatusCode::kGone) && !lo.continue_token.empty()) {
      // The continue token expired mid-way: start over with one unpaged list.
      items.clear();
      lo.continue_token.clear();
      lo.limit = 0;
      continue;
    }
    if (!list.ok()) {
      failure = list.status();
      break;
    }
    if (kind.empty()) kind = KindFromList(*list);
    if (const Json* page = FindPath(*list, "items"); page && page->is_array()) {
      for (const Json& item : *page) items.push_back(item);
    }
    rv = GetString(*list, "metadata.resourceVersion");
    lo.continue_token = GetString(*list, "metadata.continue");
    if (lo.continue_token.empty()) break;
  }
  if (!failure.ok()) {
    {
      std::lock_guard<std::mutex> lock(in_mu_);
      ++stats_.list_errors;
    }
    KT_LOG(WARNING) << "informer " << options_.gvr.GroupResource() << ": list failed: "
                    << failure.ToString();
    RetryLater(/*relist=*/true);
    return;
  }
  // List items of built-in kinds come without kind/apiVersion; fill them in so a cached
  // object can serve as an owner reference or an Event's involvedObject.
  const std::string api_version = options_.gvr.ApiVersion();
  for (Json& item : items) {
    if (!item.is_object()) continue;
    if (!item.contains("apiVersion")) item["apiVersion"] = api_version;
    if (!item.contains("kind") && !kind.empty()) item["kind"] = kind;
  }
  backoff_steps_ = 0;
  {
    std::lock_guard<std::mutex> lock(in_mu_);
    ++stats_.lists;
    last_rv_ = rv;
  }
  Change change;
  change.kind = Change::Kind::kReplace;
  change.items = std::move(items);
  Enqueue(std::move(change));
  WatchFrom(rv);
}

void Informer::WatchFrom(const std::string& rv) {
  if (watch_) {
    watch_->Stop();
    watch_.reset();
  }
  uint64_t gen;
  {
    std::lock_guard<std::mutex> lock(in_mu_);
    gen = ++generation_;
    incoming_.clear();
    overflowed_ = false;
    ++stats_.watches_started;
  }
  api::ListOptions lo;
  lo.label_selector = options_.label_selector;
  lo.field_selector = options_.field_selector;
  lo.resource_version = rv;
  lo.allow_watch_bookmarks = true;
  const double min_s = ToSeconds(options_.watch_timeout_min);
  if (min_s > 0) {
    double t = min_s * (1.0 + env_.Random(options_.random_stream + "/watch").Uniform());
    lo.timeout_seconds = static_cast<int64_t>(t);
  }
  auto push = [this, gen](Incoming in) {
    std::lock_guard<std::mutex> lock(in_mu_);
    if (gen != generation_ || overflowed_) return;
    if (!in.closed && incoming_.size() >= options_.backlog_max) {
      overflowed_ = true;
      incoming_.clear();
    } else {
      in.generation = gen;
      incoming_.push_back(std::move(in));
    }
    if (!drain_posted_) {
      drain_posted_ = true;
      executor_.Post([this] { Drain(); });
    }
  };
  watch_started_at_ = env_.Now();
  watch_delivered_ = false;
  auto watch = client_.StartWatch(
      options_.gvr, options_.ns, lo,
      [push](const api::WatchEvent& ev) {
        Incoming in;
        in.event = ev;
        push(std::move(in));
      },
      [push](Status s) {
        Incoming in;
        in.closed = true;
        in.status = std::move(s);
        push(std::move(in));
      });
  if (!watch.ok()) {
    {
      std::lock_guard<std::mutex> lock(in_mu_);
      ++generation_;  // nothing from that attempt counts
    }
    OnWatchEnded(watch.status(), false);
    return;
  }
  watch_ = std::move(watch).value();
}

void Informer::OnWatchEnded(const Status& s, bool delivered_events) {
  if (watch_) {
    watch_->Stop();
    watch_.reset();
  }
  if (s.Is(StatusCode::kGone)) {
    {
      std::lock_guard<std::mutex> lock(in_mu_);
      ++stats_.relists_after_gone;
    }
    KT_LOG(INFO) << "informer " << options_.gvr.GroupResource()
                 << ": resourceVersion too old, relisting: " << s.message();
    // The first 410 relists at once; a fresh list's resourceVersion answered with 410 again
    // (a server in trouble) backs off instead of spinning.
    if (delivered_events) gone_streak_ = 0;
    if (gone_streak_++ == 0) {
      ListAndWatch();
    } else {
      RetryLater(/*relist=*/true);
    }
    return;
  }
  if (s.ok() && (delivered_events || env_.Now() - watch_started_at_ >= kShortWatch)) {
    WatchFrom(last_resource_version());
    return;
  }
  if (!s.ok()) {
    std::lock_guard<std::mutex> lock(in_mu_);
    ++stats_.watch_drops;
  }
  KT_LOG(INFO) << "informer " << options_.gvr.GroupResource() << ": watch ended ("
               << (s.ok() ? "closed at once" : s.ToString()) << "), resuming after back-off";
  RetryLater(/*relist=*/false);
}

void Informer::Drain() {
  std::deque<Incoming> batch;
  bool overflowed;
  uint64_t gen;
  {
    std::lock_guard<std::mutex> lock(in_mu_);
    drain_posted_ = false;
    batch.swap(incoming_);
    overflowed = overflowed_;
    gen = generation_;
  }
  if (overflowed) {
    {
      std::lock_guard<std::mutex> lock(in_mu_);
      ++stats_.relists_after_overflow;
      ++generation_;
    }
    KT_LOG(WARNING) << "informer " << options_.gvr.GroupResource() << ": more than "
                    << options_.backlog_max << " changes pending; relisting";
    if (watch_) {
      watch_->Stop();
      watch_.reset();
    }
    ListAndWatch();
    return;
  }
  for (Incoming& in : batch) {
    if (in.generation != gen) continue;
    if (in.closed) {
      OnWatchEnded(in.status, watch_delivered_);
      return;  // anything after a close belongs to no watch
    }
    api::WatchEvent& ev = in.event;
    if (ev.type == api::WatchEvent::Type::kError) {
      int code = static_cast<int>(GetInt(ev.object, "code").value_or(500));
      std::string msg = GetString(ev.object, "message");
      Status s = code == 410 ? Gone(msg) : Status(CodeFromHttp(code), msg);
      OnWatchEnded(s, watch_delivered_);
      return;
    }
    std::string rv = api::ResourceVersion(ev.object);
    if (!rv.empty()) {
      std::lock_guard<std::mutex> lock(in_mu_);
      last_rv_ = rv;
    }
    if (ev.type == api::WatchEvent::Type::kBookmark) continue;
    watch_delivered_ = true;
    backoff_steps_ = 0;
    gone_streak_ = 0;
    Change change;
    change.kind = Change::Kind::kEvent;
    change.event = std::move(ev);
    Enqueue(std::move(change));
  }
}

void Informer::Enqueue(Change change) {
  if (options_.lag_max <= Duration(0) && pending_.empty()) {
    Apply(change);
    return;
  }
  const Time now = env_.Now();
  Duration lag{0};
  if (options_.lag_max > Duration(0)) {
    lag = Duration(static_cast<int64_t>(static_cast<double>(options_.lag_max.count()) *
                                        env_.Random(options_.random_stream).Uniform()));
  }
  change.due = std::max(now + lag, last_due_);
  last_due_ = change.due;
  pending_.push_back(std::move(change));
  if (!apply_armed_) {
    apply_armed_ = true;
    executor_.PostAfter(pending_.front().due - now, [this] { ApplyDue(); });
  }
}

void Informer::ApplyDue() {
  apply_armed_ = false;
  const Time now = env_.Now();
  while (!pending_.empty() && pending_.front().due <= now) {
    Change change = std::move(pending_.front());
    pending_.pop_front();
    Apply(change);
  }
  if (!pending_.empty()) {
    apply_armed_ = true;
    executor_.PostAfter(pending_.front().due - now, [this] { ApplyDue(); });
  }
}

void Informer::Apply(Change& change) {
  auto handlers = Handlers();
  if (change.kind == Change::Kind::kReplace) {
    std::map<std::string, ObjectPtr> next;
    for (Json& item : change.items) {
      auto obj = std::make_shared<const Json>(std::move(item));
      next.emplace(api::KeyOf(*obj), std::move(obj));
    }
    std::map<std::string, ObjectPtr> old;
    store_.Replace(next, &old);
    synced_.store(true);
    for (const auto& [key, obj] : next) {
      auto it = old.find(key);
      for (auto& h : handlers) {
        if (h->removed) continue;
        if (it == old.end()) {
          if (h->handler.on_add) h->handler.on_add(obj);
        } else if (h->handler.on_update) {
          h->handler.on_update(it->second, obj);
        }
      }
    }
    for (const auto& [key, obj] : old) {
      if (next.count(key)) continue;
      for (auto& h : handlers) {
        if (!h->removed && h->handler.on_delete) h->handler.on_delete(obj);
      }
    }
    return;
  }
  {
    std::lock_guard<std::mutex> lock(in_mu_);
    ++stats_.events_applied;
  }
  const api::WatchEvent& ev = change.event;
  auto obj = std::make_shared<const Json>(ev.object);
  if (ev.type == api::WatchEvent::Type::kDeleted) {
    store_.Remove(api::KeyOf(*obj));
    for (auto& h : handlers) {
      if (!h->removed && h->handler.on_delete) h->handler.on_delete(obj);
    }
    return;
  }
  ObjectPtr old = store_.Upsert(obj);
  for (auto& h : handlers) {
    if (h->removed) continue;
    if (old) {
      if (h->handler.on_update) h->handler.on_update(old, obj);
    } else if (h->handler.on_add) {
      h->handler.on_add(obj);
    }
  }
}

void Informer::Resync() {
  if (synced_.load()) {
    auto handlers = Handlers();
    for (const ObjectPtr& obj : store_.List()) {
      for (auto& h : handlers) {
        if (!h->removed && h->handler.on_update) h->handler.on_update(obj, obj);
      }
    }
  }
  executor_.PostAfter(options_.resync_period, [this] { Resync(); });
}

}  // namespace kt::ctrl
