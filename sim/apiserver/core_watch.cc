// Core: watches. A watch starts with synthetic ADDED events (resourceVersion "" or "0", or
// sendInitialEvents with its closing bookmark) or replays the window after a resourceVersion;
// a resourceVersion the window has moved past gets ERROR 410 Expired. Bookmarks go to watchers
// that asked for them once the resourceVersion moved past what they were told; timers end
// watches at timeoutSeconds.
#include <charconv>

#include "api/object.h"
#include "base/json.h"
#include "sim/apiserver/api_errors.h"
#include "sim/apiserver/core.h"
#include "sim/apiserver/fault_sites.h"

namespace kt::sim {

Result<std::unique_ptr<WatchHandle>> Core::Watch(const ResourceRef& ref,
                                                 const api::ListOptions& options,
                                                 std::shared_ptr<WatchSink> sink,
                                                 const RequestContext& ctx) {
  if (Faulted(ctx, faults::kUnavailable)) return UnavailableFault();
  std::lock_guard<std::mutex> lock(mu_);
  KT_ASSIGN_OR_RETURN(const ResourceType* type, ResolveLocked(ref, "watch"));
  api::ListOptions opts = options;
  if (!ref.name.empty()) {
    opts.field_selector = "metadata.name=" + ref.name +
                          (opts.field_selector.empty() ? "" : "," + opts.field_selector);
  }
  WatchFilter filter;
  KT_RETURN_IF_ERROR(ParseSelectorsLocked(*type, opts, &filter.labels, &filter.fields));
  if (watcher_count_ >= options_.watchers_max) {
    return Status(StatusCode::kTooManyRequests, "too many open watches").WithRetryAfter(1);
  }
  const std::string& rv_text = opts.resource_version;
  const bool from_now = rv_text.empty() || rv_text == "0";
  uint64_t from_rv = 0;
  if (!from_now) {
    auto [ptr, ec] = std::from_chars(rv_text.data(), rv_text.data() + rv_text.size(), from_rv);
    if (ec != std::errc() || ptr != rv_text.data() + rv_text.size()) {
      return BadRequest("resourceVersion: Invalid value: \"" + rv_text +
                        "\": must be a valid resource version");
    }
  }
  filter.storage_key = type->storage_key;
  filter.ns = ref.ns;
  filter.group = type->gvr.group;
  filter.resource = type->gvr.resource;
  filter.api_version = type->gvr.ApiVersion();
  filter.kind = type->kind;
  const bool faults = !ctx.internal && env_.IsSimulated();
  auto w = std::make_shared<Watcher>(env_, next_watcher_id_++, std::move(filter), std::move(sink),
                                     options_.watch_backlog_events_max, opts.allow_watch_bookmarks,
                                     faults);
  auto handle = std::make_unique<WatchHandle>(weak_from_this(), w);
  if (opts.send_initial_events || from_now) {
    store_.ForEachIn(type->storage_key, ref.ns,
                     [&](const std::string&, const StoredObject& so) { w->QueueInitial(so.object); });
    w->set_last_rv(rv_);
    if (opts.send_initial_events) w->QueueBookmark(rv_, true);
  } else {
    if (!window_.CanResumeFrom(from_rv)) {
      Status gone = Gone("too old resource version: " + std::to_string(from_rv) + " (" +
                         std::to_string(window_.compacted_rv() + 1) + ")");
      w->QueueError(StatusJson(gone));
      w->Finish(gone);
      return handle;
    }
    w->set_last_rv(from_rv);
    window_.ForEachAfter(from_rv, [&](const std::shared_ptr<const ChangeEvent>& e) { w->Offer(*e); });
    if (w->done()) return handle;  // overflowed while replaying
  }
  watchers_[type->storage_key].push_back(w);
  ++watcher_count_;
  if (opts.timeout_seconds && *opts.timeout_seconds > 0) {
    std::weak_ptr<Core> weak = weak_from_this();
    std::weak_ptr<Watcher> ww = w;
    w->timeout_timer = env_.Schedule(std::chrono::seconds(*opts.timeout_seconds), [weak, ww] {
      if (auto core = weak.lock()) core->OnWatchTimeout(ww);
    });
  }
  if (w->bookmarks()) {
    bookmark_idle_.push_back(w);
    ArmBookmarksLocked();
  }
  return handle;
}

void Core::ArmBookmarksLocked() {
  if (bookmark_idle_.empty()) return;
  std::vector<std::weak_ptr<Watcher>> still_idle;
  std::weak_ptr<Core> weak = weak_from_this();
  for (auto& ww : bookmark_idle_) {
    auto w = ww.lock();
    if (!w || w->done()) continue;
    if (w->last_rv() >= rv_) {
      still_idle.push_back(ww);
      continue;
    }
    w->bookmark_timer = env_.Schedule(options_.bookmark_interval, [weak, ww] {
      if (auto core = weak.lock()) core->OnBookmarkTimer(ww);
    });
  }
  bookmark_idle_.swap(still_idle);
}

void Core::OnBookmarkTimer(std::weak_ptr<Watcher> ww) {
  std::lock_guard<std::mutex> lock(mu_);
  auto w = ww.lock();
  if (shut_down_ || !w || w->done()) return;
  w->bookmark_timer = Env::kNoTimer;
  if (rv_ > w->last_rv()) w->QueueBookmark(rv_, false);
  bookmark_idle_.push_back(w);
}

void Core::OnWatchTimeout(std::weak_ptr<Watcher> ww) {
  std::shared_ptr<Watcher> w = ww.lock();
  if (!w) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    w->timeout_timer = Env::kNoTimer;
    if (shut_down_ || w->done()) return;
    if (w->bookmarks() && rv_ > w->last_rv()) w->QueueBookmark(rv_, false);
    w->Finish(Status::Ok());
  }
  RemoveWatcher(w);
}

void Core::CancelTimersLocked(Watcher& w) {
  if (w.timeout_timer != Env::kNoTimer) env_.Cancel(w.timeout_timer);
  if (w.bookmark_timer != Env::kNoTimer) env_.Cancel(w.bookmark_timer);
  w.timeout_timer = Env::kNoTimer;
  w.bookmark_timer = Env::kNoTimer;
}

void Core::RemoveWatcher(const std::shared_ptr<Watcher>& watcher) {
  std::lock_guard<std::mutex> lock(mu_);
  CancelTimersLocked(*watcher);
  auto it = watchers_.find(watcher->filter().storage_key);
  if (it == watchers_.end()) return;
  auto& list = it->second;
  size_t before = list.size();
  std::erase_if(list, [&](const auto& w) { return w == watcher; });
  watcher_count_ -= before - list.size();
  if (list.empty()) watchers_.erase(it);
}

}  // namespace kt::sim
