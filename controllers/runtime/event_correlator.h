// EventCorrelator: client-go's client-side event correlation, so a controller that reports
// the same thing on every reconcile writes one Event with a growing count instead of a flood.
//
// For each new core/v1 Event (JSON) it decides, in client-go's order:
//   1. aggregation: events alike except for the message (same source, involved object, type,
//      reason) - once aggregate_max_events distinct messages arrived within
//      aggregate_interval, the event becomes one "(combined from similar events): <message>"
//      event keyed without the message;
//   2. de-duplication: an event identical to one already written (same key) becomes a patch
//      of that Event: count+1, lastTimestamp, message; firstTimestamp and name are kept;
//   3. spam filter: per source + involved object + type, a token bucket (burst 25, refilled
//      one per 5 minutes); an event without a token is skipped.
// Caches are LRU-bounded (cache_entries_max each).
//
// Not thread-safe: the event recorder calls it from its executor only.
#ifndef KT_CONTROLLERS_RUNTIME_EVENT_CORRELATOR_H_
#define KT_CONTROLLERS_RUNTIME_EVENT_CORRELATOR_H_

#include <cstdint>
#include <list>
#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include "base/json.h"
#include "base/time.h"

namespace kt::ctrl {

struct EventCorrelatorOptions {
  size_t cache_entries_max = 4096;
  size_t aggregate_max_events = 10;
  Duration aggregate_interval = std::chrono::minutes(10);
  double spam_qps = 1.0 / 300;
  int64_t spam_burst = 25;
};

struct CorrelatedEvent {
  Json event;              // what to write (the aggregated or counted form)
  bool skip = false;       // dropped by the spam filter
  bool patch = false;      // write as a merge patch of event.metadata.name
  Json patch_body;         // {"count","lastTimestamp","message"} when patch
};

class EventCorrelator {
 public:
  explicit EventCorrelator(EventCorrelatorOptions options = {});
  // `now` is the correlation time (aggregated events are stamped with it).
  CorrelatedEvent Correlate(Json event, Time now);
  // Records the server's copy after a successful create or patch.
  void UpdateState(const Json& written);

  // Keys, exposed for tests: the full key includes the message, the aggregate key does not.
  static std::string EventKey(const Json& event);
  static std::string AggregateKey(const Json& event);
  static std::string SpamKey(const Json& event);

 private:
  // A small LRU map.
  template <typename V>
  class Lru {
   public:
    explicit Lru(size_t max) : max_(max) {}
    V* Get(const std::string& key);
    void Put(const std::string& key, V value);

   private:
    size_t max_;
    std::list<std::pair<std::string, V>> order_;  // most recent first
    std::unordered_map<std::string, typename std::list<std::pair<std::string, V>>::iterator> map_;
  };
  struct AggregateRecord {
    std::set<std::string> messages;
    Time last;
  };
  struct Observation {
    int64_t count = 0;
    std::string first_timestamp;
    std::string name;
    std::string resource_version;
  };
  struct Bucket {
    double tokens = 0;
    Time last;
  };

  EventCorrelatorOptions options_;
  Lru<AggregateRecord> aggregates_;
  Lru<Observation> observations_;
  Lru<Bucket> spam_;
};

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_EVENT_CORRELATOR_H_
