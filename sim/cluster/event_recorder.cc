#include "sim/cluster/event_recorder.h"

#include <cstdio>

#include "api/object.h"
#include "base/json.h"

namespace kt::sim::cluster {

namespace {
const api::GroupVersionResource& Events() { return api::resources::kEvents; }
}  // namespace

EventRecorder::EventRecorder(ClusterLoop& loop, ApiServer& server, Options options)
    : loop_(loop), server_(server), options_(options) {
  ctx_.user = "system:kube-controller-manager";
}

EventRecorder::~EventRecorder() { loop_.Cancel(sweep_timer_); }

std::string EventRecorder::NewName(const std::string& object_name) {
  // client-go names events "<object>.<unix nanos in hex>"; virtual time can repeat, so keep the
  // suffix strictly increasing.
  int64_t nanos = ToUnixNanos(loop_.Now());
  if (nanos <= last_name_nanos_) nanos = last_name_nanos_ + 1;
  last_name_nanos_ = nanos;
  char hex[24];
  std::snprintf(hex, sizeof(hex), "%llx", static_cast<unsigned long long>(nanos));
  return object_name + "." + hex;
}

void EventRecorder::Record(const Json& obj, const EventSource& source, std::string_view type,
                           std::string_view reason, std::string message,
                           std::string_view field_path) {
  if (!options_.enabled) return;
  const Time now = loop_.Now();
  const std::string ts = FormatRfc3339(now);
  std::string obj_ns = api::Namespace(obj);
  const std::string ns = obj_ns.empty() ? "default" : obj_ns;
  const std::string uid = api::Uid(obj);
  std::string key;
  key.reserve(128 + message.size());
  key.append(source.component).append("\x1f").append(source.host).append("\x1f").append(uid);
  key.append("\x1f").append(field_path).append("\x1f").append(type).append("\x1f");
  key.append(reason).append("\x1f").append(message);

  auto it = recent_.find(key);
  if (it != recent_.end()) {
    Recent& r = it->second;
    if (now - r.last <= options_.correlation_window) {
      Json patch = {{"count", r.count + 1}, {"lastTimestamp", ts}};
      auto res = server_.Patch(ResourceRef{Events(), r.ns, r.name, ""}, api::PatchType::kMerge,
                               DumpJson(patch), {}, ctx_);
      if (res.ok()) {
        ++r.count;
        r.last = now;
        lru_.splice(lru_.begin(), lru_, r.lru);
        ++stats_.aggregated;
        return;
      }
    }
    // Past the window, or the Event is gone (TTL, deleted by someone): a new one starts, and
    // the old one ages out on its own.
    Forget(it);
  }

  std::string obj_name = api::Name(obj);
  const std::string name = NewName(obj_name);
  // Members are written in key order, so each write appends (base/json_object_map.h); an
  // initializer list would first build every {key, value} pair as a two-element array.
  Json involved = Json::object();
  involved["apiVersion"] = GetString(obj, "apiVersion");
  if (!field_path.empty()) involved["fieldPath"] = std::string(field_path);
  involved["kind"] = GetString(obj, "kind");
  involved["name"] = std::move(obj_name);
  if (!obj_ns.empty()) involved["namespace"] = obj_ns;
  involved["resourceVersion"] = api::ResourceVersion(obj);
  involved["uid"] = uid;
  Json meta = Json::object();
  meta["name"] = name;
  meta["namespace"] = ns;
  Json source_json = Json::object();
  source_json["component"] = source.component;
  if (!source.host.empty()) source_json["host"] = source.host;
  Json event = Json::object();
  event["apiVersion"] = "v1";
  event["count"] = 1;
  event["eventTime"] = nullptr;
  event["firstTimestamp"] = ts;
  event["involvedObject"] = std::move(involved);
  event["kind"] = "Event";
  event["lastTimestamp"] = ts;
  event["message"] = std::move(message);
  event["metadata"] = std::move(meta);
  event["reason"] = std::string(reason);
  event["reportingComponent"] = source.component;
  event["reportingInstance"] = source.host;
  event["source"] = std::move(source_json);
  event["type"] = std::string(type);
  auto res = server_.Create(ResourceRef{Events(), ns, "", ""}, std::move(event), {}, ctx_);
  if (!res.ok()) {
    ++stats_.dropped;
    return;
  }
  ++stats_.created;
  if (recent_.size() >= options_.correlation_entries_max && !lru_.empty()) {
    Forget(recent_.find(*lru_.back()));
  }
  auto entry = recent_.emplace(std::move(key), Recent{ns, name, 1, now, {}}).first;
  lru_.push_front(&entry->first);
  entry->second.lru = lru_.begin();
  recent_by_event_[ns + "/" + name] = &entry->first;
  if (created_.size() < options_.ttl_entries_max) created_.push_back({now, ns, name});
  ScheduleSweep();
}

void EventRecorder::Forget(std::unordered_map<std::string, Recent>::iterator it) {
  recent_by_event_.erase(it->second.ns + "/" + it->second.name);
  lru_.erase(it->second.lru);
  recent_.erase(it);
}

void EventRecorder::ScheduleSweep() {
  if (sweep_timer_ != ClusterLoop::kNoTimer || created_.empty()) return;
  Duration wait = created_.front().at + options_.ttl - loop_.Now();
  // Batch deletions: one sweep per minute at most.
  if (wait < std::chrono::minutes(1)) wait = std::chrono::minutes(1);
  sweep_timer_ = loop_.After(wait, [this] {
    sweep_timer_ = ClusterLoop::kNoTimer;
    Sweep();
  });
}

void EventRecorder::Sweep() {
  const Time now = loop_.Now();
  while (!created_.empty() && created_.front().at + options_.ttl <= now) {
    Created c = std::move(created_.front());
    created_.pop_front();
    // An event bumped recently lives on (its TTL restarts with each write, as on a real server).
    auto by = recent_by_event_.find(c.ns + "/" + c.name);
    if (by != recent_by_event_.end()) {
      auto r = recent_.find(*by->second);
      if (r != recent_.end() && r->second.last + options_.ttl > now) {
        created_.push_back({r->second.last, c.ns, c.name});
        continue;
      }
    }
    auto res = server_.Delete(ResourceRef{Events(), c.ns, c.name, ""}, {}, ctx_);
    if (res.ok()) ++stats_.expired;
  }
  ScheduleSweep();
}

}  // namespace kt::sim::cluster
