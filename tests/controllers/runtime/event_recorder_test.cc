// The event recorder writes real core/v1 Events (reference, source, reporting fields,
// timestamps, count, name "<object>.<hex>"), in the object's namespace or "default"; repeats
// become one Event whose count grows; ten different messages of one kind are combined; the
// per-object spam filter drops events beyond its burst until tokens refill; a full queue drops
// and counts instead of blocking the reconciler.
#include "controllers/runtime/event_recorder.h"

#include <gtest/gtest.h>

#include <regex>

#include "api/object.h"
#include "base/json.h"
#include "base/sim_env.h"
#include "tests/controllers/runtime/fake_kube_client.h"
#include "tests/controllers/runtime/test_objects.h"

namespace kt::ctrl {
namespace {

using testing::FakeKubeClient;

const api::GroupVersionResource kEvents = api::resources::kEvents;

class EventRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = *client_.Create(testing::kWorkspaces, "team", testing::Workspace("team", "phi-3"));
  }
  std::vector<Json> Events(const std::string& ns = "team") {
    env_.RunFor(std::chrono::seconds(1));
    return (*client_.List(kEvents, ns))["items"].get<std::vector<Json>>();
  }

  SimEnv env_;
  FakeKubeClient client_{env_};
  EventRecorder recorder_{env_, client_, {.component = "workspace-controller", .instance = "mgr-0"}};
  Json ws_;
};

TEST_F(EventRecorderTest, WritesACoreV1EventAboutTheObject) {
  recorder_.Event(ws_, EventType::kNormal, "CreatingNodeClaim", "creating 1 NodeClaim");
  auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  const Json& e = events[0];
  EXPECT_EQ(GetString(e, "apiVersion"), "v1");
  EXPECT_EQ(GetString(e, "kind"), "Event");
  EXPECT_TRUE(std::regex_match(GetString(e, "metadata.name"), std::regex(R"(phi-3\.[0-9a-f]+)")));
  EXPECT_EQ(GetString(e, "metadata.namespace"), "team");
  EXPECT_EQ(GetString(e, "involvedObject.kind"), "Workspace");
  EXPECT_EQ(GetString(e, "involvedObject.apiVersion"), "kaito.sh/v1beta1");
  EXPECT_EQ(GetString(e, "involvedObject.name"), "phi-3");
  EXPECT_EQ(GetString(e, "involvedObject.namespace"), "team");
  EXPECT_EQ(GetString(e, "involvedObject.uid"), api::Uid(ws_));
  EXPECT_EQ(GetString(e, "reason"), "CreatingNodeClaim");
  EXPECT_EQ(GetString(e, "message"), "creating 1 NodeClaim");
  EXPECT_EQ(GetString(e, "type"), "Normal");
  EXPECT_EQ(GetString(e, "source.component"), "workspace-controller");
  EXPECT_EQ(GetString(e, "source.host"), "mgr-0");
  EXPECT_EQ(GetString(e, "reportingComponent"), "workspace-controller");
  EXPECT_EQ(GetString(e, "reportingInstance"), "mgr-0");
  EXPECT_EQ(GetInt(e, "count"), 1);
  EXPECT_EQ(GetString(e, "firstTimestamp"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(GetString(e, "lastTimestamp"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(recorder_.stats().created, 1u);
}

TEST_F(EventRecorderTest, RepeatsOfOneEventBecomeOneEventWithAGrowingCount) {
  for (int i = 0; i < 3; ++i) {
    recorder_.Event(ws_, EventType::kWarning, "NodeClaimNotReady", "nodeclaim ws1 is not ready");
    env_.RunFor(std::chrono::seconds(30));
  }
  auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(GetInt(events[0], "count"), 3);
  EXPECT_EQ(GetString(events[0], "firstTimestamp"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(GetString(events[0], "lastTimestamp"), "2026-01-01T00:01:00Z");
  EXPECT_EQ(recorder_.stats().patched, 2u);
}

TEST_F(EventRecorderTest, TenDifferentMessagesOfOneReasonAreCombined) {
  for (int i = 0; i < 12; ++i) {
    recorder_.Event(ws_, EventType::kWarning, "FailedCreate", "attempt " + std::to_string(i));
  }
  auto events = Events();
  // Nine events as sent, then one combined event counting the rest.
  ASSERT_EQ(events.size(), 10u);
  int combined = 0;
  for (const Json& e : events) {
    const std::string msg = GetString(e, "message");
    if (msg.starts_with("(combined from similar events): ")) {
      ++combined;
      EXPECT_EQ(GetInt(e, "count"), 3);
      EXPECT_EQ(msg, "(combined from similar events): attempt 11");
    }
  }
  EXPECT_EQ(combined, 1);
}

TEST_F(EventRecorderTest, SpamFilterDropsEventsBeyondTheBurstUntilTokensRefill) {
  for (int i = 0; i < 30; ++i) {
    recorder_.Event(ws_, EventType::kNormal, "Reason" + std::to_string(i), "m");
  }
  EXPECT_EQ(Events().size(), 25u);
  EXPECT_EQ(recorder_.stats().spam_filtered, 5u);
  env_.RunFor(std::chrono::minutes(5));  // one token back
  recorder_.Event(ws_, EventType::kNormal, "Later", "m");
  recorder_.Event(ws_, EventType::kNormal, "Later2", "m");
  EXPECT_EQ(Events().size(), 26u);
  // Another object has a bucket of its own.
  Json other = *client_.Create(testing::kWorkspaces, "team", testing::Workspace("team", "other"));
  recorder_.Event(other, EventType::kNormal, "Reason0", "m");
  EXPECT_EQ(Events().size(), 27u);
}

TEST_F(EventRecorderTest, EventsAboutClusterScopedObjectsGoToTheDefaultNamespace) {
  Json node = {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"metadata", {{"name", "aks-ws1-12345678-vmss000000"}, {"uid", "n1"}}}};
  recorder_.Event(node, EventType::kNormal, "Labelled", "accelerator=nvidia");
  auto events = Events("default");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(events[0]["involvedObject"].contains("namespace"));
}

TEST_F(EventRecorderTest, AFullQueueDropsAndCountsInsteadOfBlocking) {
  EventRecorder small(env_, client_, {.component = "c", .queue_max = 2});
  for (int i = 0; i < 5; ++i) small.Event(ws_, EventType::kNormal, "R" + std::to_string(i), "m");
  EXPECT_EQ(small.stats().dropped_queue_full, 3u);
  small.Flush();
  EXPECT_EQ(small.stats().created, 2u);
}

TEST_F(EventRecorderTest, AnExpiredEventIsRecreatedOnTheNextRepeat) {
  recorder_.Event(ws_, EventType::kNormal, "Pulling", "pulling image");
  auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  ASSERT_TRUE(client_.Delete(kEvents, "team", GetString(events[0], "metadata.name")).ok());
  recorder_.Event(ws_, EventType::kNormal, "Pulling", "pulling image");
  events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(GetInt(events[0], "count"), 2);
}

}  // namespace
}  // namespace kt::ctrl
