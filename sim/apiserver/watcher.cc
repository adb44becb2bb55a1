#include "sim/apiserver/watcher.h"

#include "api/object.h"
#include "base/json.h"
#include "sim/apiserver/field_labels.h"
#include "sim/apiserver/fault_sites.h"

namespace kt::sim {

using Type = api::WatchEvent::Type;

Watcher::Watcher(Env& env, uint64_t id, WatchFilter filter, std::shared_ptr<WatchSink> sink,
                 size_t backlog_events_max, bool bookmarks, bool faults)
    : env_(env),
      id_(id),
      filter_(std::move(filter)),
      bookmarks_(bookmarks),
      faults_(faults),
      backlog_events_max_(backlog_events_max),
      sink_(std::move(sink)) {}

Watcher::~Watcher() = default;

bool Watcher::Matches(const Json& obj) const {
  if (!filter_.labels.empty() && !filter_.labels.MatchesObject(obj)) return false;
  if (!filter_.fields.empty() &&
      !MatchesFieldSelector(filter_.group, filter_.resource, filter_.fields, obj)) {
    return false;
  }
  return true;
}

std::shared_ptr<const Json> Watcher::AtServedVersion(const std::shared_ptr<const Json>& obj) const {
  auto it = obj->find("apiVersion");
  if (it != obj->end() && it->is_string() && it->get_ref<const std::string&>() == filter_.api_version) {
    return obj;
  }
  auto copy = std::make_shared<Json>(*obj);
  (*copy)["apiVersion"] = filter_.api_version;
  return copy;
}

bool Watcher::Offer(const ChangeEvent& e) {
  if (done_.load()) return true;
  if (e.storage_key != filter_.storage_key) return true;
  if (!filter_.ns.empty() && e.ns != filter_.ns) return true;
  bool cur = Matches(*e.object);
  bool prev = e.prev != nullptr && Matches(*e.prev);
  Type type;
  switch (e.type) {
    case Type::kAdded:
      if (!cur) return true;
      type = Type::kAdded;
      break;
    case Type::kModified:
      if (cur && prev) type = Type::kModified;
      else if (cur) type = Type::kAdded;
      else if (prev) type = Type::kDeleted;
      else return true;
      break;
    case Type::kDeleted:
      if (!cur && !prev) return true;
      type = Type::kDeleted;
      break;
    default:
      return true;
  }
  last_rv_ = e.rv;
  Enqueue(Item{WatchEventOut{type, AtServedVersion(e.object)}, std::nullopt}, true);
  return !done_.load();
}

void Watcher::QueueInitial(const std::shared_ptr<const Json>& object) {
  if (!Matches(*object)) return;
  Enqueue(Item{WatchEventOut{Type::kAdded, AtServedVersion(object)}, std::nullopt}, false);
}

void Watcher::QueueBookmark(uint64_t rv, bool initial_events_end) {
  Json meta = {{"resourceVersion", std::to_string(rv)}};
  if (initial_events_end) meta["annotations"] = {{"k8s.io/initial-events-end", "true"}};
  auto obj = std::make_shared<Json>(
      Json{{"kind", filter_.kind}, {"apiVersion", filter_.api_version}, {"metadata", std::move(meta)}});
  if (rv > last_rv_) last_rv_ = rv;
  Enqueue(Item{WatchEventOut{Type::kBookmark, std::move(obj)}, std::nullopt}, false);
}

void Watcher::QueueError(const Json& status) {
  Enqueue(Item{WatchEventOut{Type::kError, std::make_shared<Json>(status)}, std::nullopt}, false);
}

void Watcher::Finish(const Status& status) {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    if (finishing_) return;
    finishing_ = true;
    queue_.push_back(Item{WatchEventOut{}, status});
  }
  done_.store(true);
  ScheduleDrain();
}

void Watcher::Enqueue(Item item, bool counts) {
  bool overflow = false;
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    if (finishing_) return;
    if (counts && pending_counted_ >= backlog_events_max_) {
      // Too far behind: drop what is queued and end the stream; the client resumes from the
      // last resourceVersion it saw.
      overflow = true;
      queue_.clear();
      pending_counted_ = 0;
      finishing_ = true;
      queue_.push_back(Item{WatchEventOut{},
                            Unavailable("watch closed: the client fell more than " +
                                        std::to_string(backlog_events_max_) + " events behind")});
    } else {
      if (counts) ++pending_counted_;
      queue_.push_back(std::move(item));
    }
  }
  if (overflow) done_.store(true);
  ScheduleDrain();
}

void Watcher::ScheduleDrain() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    if (drain_scheduled_ || queue_.empty()) return;
    drain_scheduled_ = true;
  }
  auto self = shared_from_this();
  if (faults_ && Buggify(env_, faults::kWatchLag)) {
    int64_t ms = env_.Random(faults::kWatchLag.name).UniformInt(1, faults::kWatchLagMsMax);
    env_.Schedule(std::chrono::milliseconds(ms), [self] { self->Drain(); });
  } else {
    env_.Post([self] { self->Drain(); });
  }
}

void Watcher::Drain() {
  std::deque<Item> batch;
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    batch.swap(queue_);
    pending_counted_ = 0;
  }
  {
    std::lock_guard<std::recursive_mutex> deliver(deliver_mu_);
    for (auto& item : batch) {
      if (stopped_.load()) break;
      if (item.close) {
        stopped_.store(true);
        done_.store(true);
        sink_->OnClosed(*item.close);
        break;
      }
      if (faults_ && Buggify(env_, faults::kWatchDrop)) {
        stopped_.store(true);
        done_.store(true);
        {
          std::lock_guard<std::mutex> lock(queue_mu_);
          finishing_ = true;
          queue_.clear();
        }
        sink_->OnClosed(Unavailable("watch stream dropped (fault " +
                                    std::string(faults::kWatchDrop.name) + ")"));
        break;
      }
      sink_->OnEvent(item.event);
    }
  }
  bool again = false;
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    drain_scheduled_ = false;
    if (stopped_.load()) queue_.clear();
    again = !queue_.empty();
  }
  if (again) ScheduleDrain();
}

void Watcher::Stop() {
  {
    std::lock_guard<std::recursive_mutex> deliver(deliver_mu_);
    stopped_.store(true);
  }
  done_.store(true);
  std::lock_guard<std::mutex> lock(queue_mu_);
  finishing_ = true;
  queue_.clear();
}

}  // namespace kt::sim
