// The cluster's EventRecorder against client-go's recorder and kube-apiserver's event TTL:
// identical events within the correlation window bump one Event's count; after the window a
// new Event starts; every Event is deleted `ttl` after its last write, and only its own writes
// keep it alive; the correlation cache is bounded.
#include "sim/cluster/event_recorder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/object.h"
#include "base/json.h"
#include "base/sim_env.h"
#include "sim/apiserver/api_server.h"
#include "sim/cluster/cluster_loop.h"

namespace kt::sim::cluster {
namespace {

namespace res = api::resources;

class EventRecorderTest : public ::testing::Test {
 protected:
  EventRecorder::Options Options() {
    EventRecorder::Options o;
    o.correlation_window = std::chrono::minutes(10);
    o.ttl = std::chrono::hours(1);
    return o;
  }
  void Start(EventRecorder::Options o) {
    recorder_ = std::make_unique<EventRecorder>(loop_, server_, o);
  }

  static Json Pod(const std::string& name) {
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}, {"namespace", "default"}, {"uid", "uid-" + name}}}};
  }
  void Record(const std::string& pod, const std::string& message = "Pulling image") {
    loop_.RunLocked([&] { recorder_->Normal(Pod(pod), source_, "Pulling", message); });
  }
  // The Events in the store: name -> count.
  std::map<std::string, int64_t> Events() {
    std::map<std::string, int64_t> out;
    auto list = server_.List(ResourceRef{res::kEvents, "default", "", ""});
    EXPECT_TRUE(list.ok());
    for (const auto& e : list->items) out[api::Name(*e)] = GetInt(*e, "count").value_or(0);
    return out;
  }

  SimEnv env_;
  ApiServer server_{env_};
  ClusterLoop loop_{env_};
  EventSource source_{"kubelet", "node-1"};
  std::unique_ptr<EventRecorder> recorder_;
};

TEST_F(EventRecorderTest, IdenticalEventsWithinTheWindowBumpOneEvent) {
  Start(Options());
  Record("web");
  env_.RunFor(std::chrono::minutes(5));
  Record("web");
  Record("web", "another message");  // not identical: an Event of its own
  auto events = Events();
  ASSERT_EQ(events.size(), 2u);
  std::vector<int64_t> counts;
  for (const auto& [name, count] : events) counts.push_back(count);
  std::sort(counts.begin(), counts.end());
  EXPECT_EQ(counts, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(recorder_->stats().created, 2u);
  EXPECT_EQ(recorder_->stats().aggregated, 1u);
}

TEST_F(EventRecorderTest, AfterTheWindowANewEventStarts) {
  Start(Options());
  Record("web");
  env_.RunFor(std::chrono::minutes(11));
  Record("web");
  EXPECT_EQ(Events().size(), 2u);
  EXPECT_EQ(recorder_->stats().created, 2u);
}

TEST_F(EventRecorderTest, EventsExpireAnHourAfterTheirLastWrite) {
  Start(Options());
  Record("web");
  Record("db");
  env_.RunFor(std::chrono::minutes(9));
  Record("web");  // bumps web's Event: its hour starts again
  env_.RunFor(std::chrono::minutes(55));
  auto events = Events();
  ASSERT_EQ(events.size(), 1u);  // db's Event is gone, web's lives on
  EXPECT_EQ(events.begin()->second, 2);
  env_.RunFor(std::chrono::minutes(20));
  EXPECT_TRUE(Events().empty());
  EXPECT_EQ(recorder_->stats().expired, 2u);
}

// Regression: when an identical event came back after the correlation window, the new Event
// took over the old one's cache entry while the old Event still pointed at it, so every bump of
// the new Event kept the old one alive too, past its hour.
TEST_F(EventRecorderTest, AnOldEventIsNotKeptAliveByItsSuccessor) {
  Start(Options());
  Record("web");  // Event A at t=0
  env_.RunFor(std::chrono::minutes(11));
  Record("web");  // Event B at 11m (outside A's window)
  const auto first = Events();
  ASSERT_EQ(first.size(), 2u);
  for (int i = 0; i < 8; ++i) {  // B is bumped every 9 minutes until 83m
    env_.RunFor(std::chrono::minutes(9));
    Record("web");
  }
  env_.RunFor(std::chrono::minutes(2));  // 85m: A (last written at 0m) is past its hour
  auto events = Events();
  ASSERT_EQ(events.size(), 1u) << "the first Event outlived its TTL";
  EXPECT_EQ(events.begin()->second, 9);
}

TEST_F(EventRecorderTest, TheCorrelationCacheIsBounded) {
  auto o = Options();
  o.correlation_entries_max = 2;
  Start(o);
  Record("a");
  Record("b");
  Record("c");  // evicts a's entry
  Record("a");  // so this is a new Event
  Record("c");  // still cached: a bump
  EXPECT_EQ(recorder_->stats().created, 4u);
  EXPECT_EQ(recorder_->stats().aggregated, 1u);
  EXPECT_EQ(Events().size(), 4u);
}

TEST_F(EventRecorderTest, DisabledRecordsNothing) {
  auto o = Options();
  o.enabled = false;
  Start(o);
  Record("web");
  EXPECT_TRUE(Events().empty());
}

}  // namespace
}  // namespace kt::sim::cluster
