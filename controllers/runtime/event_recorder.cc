#include "controllers/runtime/event_recorder.h"

#include <cstdio>

#include "api/object.h"
#include "base/json.h"
#include "base/log.h"
#include "controllers/runtime/serial_executor.h"

namespace kt::ctrl {

std::string_view EventTypeName(EventType t) {
  return t == EventType::kWarning ? "Warning" : "Normal";
}

EventRecorder::EventRecorder(Env& env, api::KubeClient& client, EventRecorderOptions options)
    : env_(env),
      client_(client),
      options_(std::move(options)),
      correlator_(options_.correlator),
      executor_(std::make_unique<SerialExecutor>(env, "events-" + options_.component)) {}

EventRecorder::~EventRecorder() { Stop(); }

void EventRecorder::Event(const Json& object, EventType type, std::string_view reason,
                          std::string_view message) {
  const Time now = env_.Now();
  const std::string now_text = FormatRfc3339(now);
  const std::string obj_name = api::Name(object);
  const std::string obj_ns = api::Namespace(object);
  Json ref = {{"kind", api::Kind(object)},
              {"name", obj_name},
              {"uid", api::Uid(object)},
              {"apiVersion", api::ApiVersionOf(object)},
              {"resourceVersion", api::ResourceVersion(object)}};
  if (!obj_ns.empty()) ref["namespace"] = obj_ns;
  Json source = {{"component", options_.component}};
  if (!options_.instance.empty()) source["host"] = options_.instance;
  Json event = {{"apiVersion", "v1"},
                {"kind", "Event"},
                {"metadata", {{"namespace", obj_ns.empty() ? "default" : obj_ns}}},
                {"involvedObject", std::move(ref)},
                {"reason", std::string(reason)},
                {"message", std::string(message)},
                {"type", std::string(EventTypeName(type))},
                {"source", std::move(source)},
                {"firstTimestamp", now_text},
                {"lastTimestamp", now_text},
                {"count", 1},
                {"eventTime", nullptr},
                {"reportingComponent", options_.component},
                {"reportingInstance", options_.instance}};
  bool post = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= options_.queue_max) {
      if (stats_.dropped_queue_full++ % 100 == 0) {
        KT_LOG(WARNING) << "event recorder " << options_.component << ": queue full ("
                        << options_.queue_max << "), dropping event " << reason << " for "
                        << obj_name;
      }
      return;
    }
    // client-go names events "<name>.<hex UnixNano>"; virtual time may stand still, so the
    // nanoseconds are bumped to stay unique within this recorder.
    int64_t nanos = std::max(ToUnixNanos(now), last_name_nanos_ + 1);
    last_name_nanos_ = nanos;
    char hex[32];
    std::snprintf(hex, sizeof(hex), "%llx", static_cast<unsigned long long>(nanos));
    event["metadata"]["name"] = obj_name + "." + hex;
    queue_.push_back(std::move(event));
    if (!drain_posted_) {
      drain_posted_ = true;
      post = true;
    }
  }
  if (post) executor_->Post([this] { Drain(); });
}

void EventRecorder::Drain() {
  std::deque<Json> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    drain_posted_ = false;
    batch.swap(queue_);
  }
  for (Json& event : batch) {
    CorrelatedEvent c = correlator_.Correlate(std::move(event), env_.Now());
    if (c.skip) {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.spam_filtered;
      continue;
    }
    const std::string ns = GetString(c.event, "metadata.namespace");
    const std::string name = GetString(c.event, "metadata.name");
    Result<Json> written = NotFound("");
    bool patched = false;
    if (c.patch) {
      written = client_.Patch(api::resources::kEvents, ns, name, api::PatchType::kMerge,
                              DumpJson(c.patch_body));
      patched = written.ok();
    }
    if (!c.patch || written.status().Is(StatusCode::kNotFound)) {
      // First occurrence, or the event we meant to patch has expired: create it.
      c.event["metadata"].erase("resourceVersion");
      written = client_.Create(api::resources::kEvents, ns, c.event);
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (!written.ok()) {
      ++stats_.write_errors;
      KT_LOG(WARNING) << "event recorder " << options_.component << ": writing event " << ns
                      << "/" << name << ": " << written.status().ToString();
      continue;
    }
    if (patched) {
      ++stats_.patched;
    } else {
      ++stats_.created;
    }
    correlator_.UpdateState(*written);
  }
}

void EventRecorder::Flush() { executor_->RunSync([this] { Drain(); }); }

void EventRecorder::Stop() { executor_->Stop(); }

EventRecorder::Stats EventRecorder::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace kt::ctrl
