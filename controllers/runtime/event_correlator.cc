#include "controllers/runtime/event_correlator.h"

#include <algorithm>

namespace kt::ctrl {

namespace {

std::string Join(std::initializer_list<std::string> parts) {
  // A separator that cannot occur in names keeps ("ab","c") and ("a","bc") apart.
  std::string out;
  for (const auto& p : parts) {
    out += p;
    out += '\x1f';
  }
  return out;
}

std::string Obj(const Json& e, const char* field) {
  return GetString(e, std::string("involvedObject.") + field);
}

constexpr std::string_view kCombinedPrefix = "(combined from similar events): ";

}  // namespace

template <typename V>
V* EventCorrelator::Lru<V>::Get(const std::string& key) {
  auto it = map_.find(key);
  if (it == map_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second);
  return &it->second->second;
}

template <typename V>
void EventCorrelator::Lru<V>::Put(const std::string& key, V value) {
  auto it = map_.find(key);
  if (it != map_.end()) {
    it->second->second = std::move(value);
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  order_.emplace_front(key, std::move(value));
  map_[key] = order_.begin();
  if (map_.size() > max_) {
    map_.erase(order_.back().first);
    order_.pop_back();
  }
}

EventCorrelator::EventCorrelator(EventCorrelatorOptions options)
    : options_(options),
      aggregates_(options.cache_entries_max),
      observations_(options.cache_entries_max),
      spam_(options.cache_entries_max) {}

std::string EventCorrelator::AggregateKey(const Json& e) {
  return Join({GetString(e, "source.component"), GetString(e, "source.host"), Obj(e, "kind"),
               Obj(e, "namespace"), Obj(e, "name"), Obj(e, "uid"), Obj(e, "apiVersion"),
               GetString(e, "type"), GetString(e, "reason"), GetString(e, "reportingComponent"),
               GetString(e, "reportingInstance")});
}

std::string EventCorrelator::EventKey(const Json& e) {
  return Join({GetString(e, "source.component"), GetString(e, "source.host"), Obj(e, "kind"),
               Obj(e, "namespace"), Obj(e, "name"), Obj(e, "fieldPath"), Obj(e, "uid"),
               Obj(e, "apiVersion"), GetString(e, "type"), GetString(e, "reason"),
               GetString(e, "message")});
}

std::string EventCorrelator::SpamKey(const Json& e) {
  return Join({GetString(e, "source.component"), GetString(e, "source.host"), Obj(e, "kind"),
               Obj(e, "namespace"), Obj(e, "name"), Obj(e, "uid"), Obj(e, "apiVersion"),
               GetString(e, "type")});
}

CorrelatedEvent EventCorrelator::Correlate(Json event, Time now) {
  CorrelatedEvent out;
  const std::string now_text = FormatRfc3339(now);

  // 1. Aggregation of similar events.
  std::string key = EventKey(event);
  const std::string agg_key = AggregateKey(event);
  AggregateRecord record;
  if (AggregateRecord* r = aggregates_.Get(agg_key)) record = *r;
  if (now - record.last > options_.aggregate_interval) record = AggregateRecord{};
  record.messages.insert(GetString(event, "message"));
  record.last = now;
  if (record.messages.size() >= options_.aggregate_max_events) {
    record.messages.erase(record.messages.begin());  // keep the set bounded
    Json combined = event;  // keeps the new event's unique name
    combined["message"] = std::string(kCombinedPrefix) + GetString(event, "message");
    combined["count"] = 1;
    combined["firstTimestamp"] = now_text;
    combined["lastTimestamp"] = now_text;
    event = std::move(combined);
    key = agg_key;
  }
  aggregates_.Put(agg_key, std::move(record));

  // 2. De-duplication of identical events.
  if (Observation* seen = observations_.Get(key)) {
    event["count"] = seen->count + 1;
    event["firstTimestamp"] = seen->first_timestamp;
    event["metadata"]["name"] = seen->name;
    if (!seen->resource_version.empty()) {
      event["metadata"]["resourceVersion"] = seen->resource_version;
    }
    out.patch = true;
    out.patch_body = Json{{"count", event["count"]},
                          {"lastTimestamp", event.value("lastTimestamp", now_text)},
                          {"message", event.value("message", "")}};
    Observation next = *seen;
    next.count = seen->count + 1;
    observations_.Put(key, next);
  } else {
    Observation first;
    first.count = GetInt(event, "count").value_or(1);
    first.first_timestamp = GetString(event, "firstTimestamp", now_text);
    first.name = GetString(event, "metadata.name");
    observations_.Put(key, first);
  }

  // 3. Spam filter per object.
  const std::string spam_key = SpamKey(event);
  Bucket bucket{static_cast<double>(options_.spam_burst), now};
  if (Bucket* b = spam_.Get(spam_key)) bucket = *b;
  bucket.tokens = std::min(static_cast<double>(options_.spam_burst),
                           bucket.tokens + ToSeconds(now - bucket.last) * options_.spam_qps);
  bucket.last = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
  } else {
    out.skip = true;
  }
  spam_.Put(spam_key, bucket);

  out.event = std::move(event);
  return out;
}

void EventCorrelator::UpdateState(const Json& written) {
  std::string key = EventKey(written);
  const std::string message = GetString(written, "message");
  if (message.starts_with(kCombinedPrefix)) key = AggregateKey(written);
  Observation o;
  o.count = GetInt(written, "count").value_or(1);
  o.first_timestamp = GetString(written, "firstTimestamp");
  o.name = GetString(written, "metadata.name");
  o.resource_version = GetString(written, "metadata.resourceVersion");
  observations_.Put(key, o);
}

}  // namespace kt::ctrl
