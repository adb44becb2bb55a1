// Proves list and watch semantics under SimEnv: field selectors supported per resource (pods'
// spec.nodeName/status.phase, events' involvedObject.*, nodes' spec.unschedulable) and refused
// otherwise with the real message; limit/continue over a consistent snapshot that expires
// (410); watches: initial events, resume from a resourceVersion, selector transitions turning
// into ADDED/DELETED, sendInitialEvents with the initial-events-end bookmark, periodic
// bookmarks, timeoutSeconds, 410 once the window moved past, slow watchers closed, delivery on
// the Env loop (nothing is delivered until the loop runs), and Stop() ending delivery.
#include <gtest/gtest.h>

#include "tests/sim/apiserver/sim_fixture.h"

namespace kt::sim::testing {
namespace {

using api::WatchEvent;
namespace res = api::resources;

class ListAndWatch : public SimApiServerTest {
 protected:
  ListAndWatch() : SimApiServerTest(Options()) {}
  static ApiServerOptions Options() {
    ApiServerOptions o;
    o.watch_window_events_max = 50;
    o.watch_backlog_events_max = 20;
    o.bookmark_interval = std::chrono::seconds(60);
    o.continue_token_ttl = std::chrono::minutes(5);
    return o;
  }
  Json Pod(const std::string& name, const std::string& node, const std::string& phase) {
    Json p = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", name}, {"namespace", "default"}}},
              {"spec", {{"containers", Json::array({{{"name", "c"}, {"image", "i"}}})}}}};
    if (!node.empty()) p["spec"]["nodeName"] = node;
    Json created = MustCreate(res::kPods, p);
    if (!phase.empty()) {
      api::WriteOptions st;
      st.subresource = "status";
      EXPECT_TRUE(client_.Patch(res::kPods, "default", name, api::PatchType::kMerge,
                                R"({"status":{"phase":")" + phase + R"("}})", st).ok());
    }
    return created;
  }
  std::vector<std::string> Names(const api::GroupVersionResource& gvr, const std::string& ns,
                                 const std::string& fields) {
    api::ListOptions o;
    o.field_selector = fields;
    auto r = client_.List(gvr, ns, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    if (r.ok()) for (const auto& i : (*r)["items"]) out.push_back(api::Name(i));
    return out;
  }
};

TEST_F(ListAndWatch, PodFieldSelectorsOnNodeNameAndPhase) {
  Pod("a", "n1", "Running");
  Pod("b", "n2", "Running");
  Pod("c", "", "");
  EXPECT_EQ(Names(res::kPods, "default", "spec.nodeName=n1"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Names(res::kPods, "default", "spec.nodeName="), (std::vector<std::string>{"c"}));
  EXPECT_EQ(Names(res::kPods, "default", "status.phase=Running,spec.nodeName!=n1"),
            (std::vector<std::string>{"b"}));
  EXPECT_EQ(Names(res::kPods, "", "status.phase=Pending"), (std::vector<std::string>{"c"}));
}

TEST_F(ListAndWatch, EventFieldSelectorsOnInvolvedObject) {
  Json ev = {{"apiVersion", "v1"}, {"kind", "Event"}, {"metadata", {{"name", "e1"}, {"namespace", "default"}}},
             {"involvedObject", {{"kind", "Workspace"}, {"name", "ws"}, {"namespace", "default"}, {"uid", "u1"}}},
             {"reason", "Created"}, {"type", "Normal"}, {"source", {{"component", "kaito"}}}};
  MustCreate(res::kEvents, ev);
  ev["metadata"]["name"] = "e2";
  ev["involvedObject"]["name"] = "other";
  MustCreate(res::kEvents, ev);
  EXPECT_EQ(Names(res::kEvents, "default",
                  "involvedObject.name=ws,involvedObject.namespace=default,involvedObject.kind=Workspace,involvedObject.uid=u1"),
            (std::vector<std::string>{"e1"}));
  EXPECT_EQ(Names(res::kEvents, "default", "source=kaito,reason=Created").size(), 2u);
}

TEST_F(ListAndWatch, NodeUnschedulableDefaultsToFalse) {
  MustCreate(res::kNodes, Json{{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", "n1"}}}});
  Json cordoned = {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", "n2"}}},
                   {"spec", {{"unschedulable", true}}}};
  MustCreate(res::kNodes, cordoned);
  EXPECT_EQ(Names(res::kNodes, "", "spec.unschedulable=false"), (std::vector<std::string>{"n1"}));
  EXPECT_EQ(Names(res::kNodes, "", "spec.unschedulable=true"), (std::vector<std::string>{"n2"}));
}

TEST_F(ListAndWatch, UnsupportedFieldLabelsAreBadRequest) {
  api::ListOptions o;
  o.field_selector = "spec.nodeName=n1";
  auto r = client_.List(res::kConfigMaps, "default", o);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kBadRequest));
  EXPECT_EQ(r.status().message(), "field label not supported: spec.nodeName");
  InstallWidgets();
  o.field_selector = "spec.color=red";
  auto w = client_.List(kWidgets, "default", o);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().message(),
            "\"spec.color\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
  o.field_selector = "metadata.namespace=default";
  EXPECT_FALSE(client_.List(res::kNodes, "", o).ok()) << "cluster-scoped kinds have no namespace label";
}

TEST_F(ListAndWatch, ContinueTokensExpire) {
  for (int i = 0; i < 5; ++i) MustCreate(res::kConfigMaps, ConfigMap("c" + std::to_string(i)));
  api::ListOptions o;
  o.limit = 2;
  auto first = client_.List(res::kConfigMaps, "default", o);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)["metadata"]["remainingItemCount"], 3);
  o.continue_token = GetString(*first, "metadata.continue");
  ASSERT_FALSE(o.continue_token.empty());
  env_.RunFor(std::chrono::minutes(6));
  auto later = client_.List(res::kConfigMaps, "default", o);
  ASSERT_FALSE(later.ok());
  EXPECT_TRUE(later.status().Is(StatusCode::kGone));
  EXPECT_NE(later.status().message().find("continue parameter is too old"), std::string::npos);
  o.continue_token = "!!!";
  EXPECT_TRUE(client_.List(res::kConfigMaps, "default", o).status().Is(StatusCode::kBadRequest));
}

TEST_F(ListAndWatch, NothingIsDeliveredUntilTheLoopRuns) {
  WatchRecorder rec;
  auto w = client_.StartWatch(res::kConfigMaps, "default", {}, rec.Handler(), rec.Closed());
  ASSERT_TRUE(w.ok());
  MustCreate(res::kConfigMaps, ConfigMap("a"));
  EXPECT_TRUE(rec.events().empty());
  env_.RunUntilIdle();
  EXPECT_EQ(rec.count(WatchEvent::Type::kAdded), 1u);
}

TEST_F(ListAndWatch, SelectorTransitionsBecomeAddedAndDeleted) {
  Json cm = ConfigMap("a");
  cm["metadata"]["labels"]["watched"] = "no";
  MustCreate(res::kConfigMaps, cm);
  WatchRecorder rec;
  api::ListOptions o;
  o.label_selector = "watched=yes";
  o.resource_version = std::to_string(server_->resource_version());
  auto w = client_.StartWatch(res::kConfigMaps, "default", o, rec.Handler(), rec.Closed());
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(client_.Patch(res::kConfigMaps, "default", "a", api::PatchType::kMerge,
                            R"({"metadata":{"labels":{"watched":"yes"}}})").ok());
  ASSERT_TRUE(client_.Patch(res::kConfigMaps, "default", "a", api::PatchType::kMerge,
                            R"({"data":{"k":"2"}})").ok());
  ASSERT_TRUE(client_.Patch(res::kConfigMaps, "default", "a", api::PatchType::kMerge,
                            R"({"metadata":{"labels":{"watched":"no"}}})").ok());
  env_.RunUntilIdle();
  auto ev = rec.events();
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].type, WatchEvent::Type::kAdded);
  EXPECT_EQ(ev[1].type, WatchEvent::Type::kModified);
  EXPECT_EQ(ev[2].type, WatchEvent::Type::kDeleted);
}

TEST_F(ListAndWatch, SendInitialEventsEndsWithAnAnnotatedBookmark) {
  MustCreate(res::kConfigMaps, ConfigMap("a"));
  MustCreate(res::kConfigMaps, ConfigMap("b"));
  WatchRecorder rec;
  api::ListOptions o;
  o.send_initial_events = true;
  o.allow_watch_bookmarks = true;
  auto w = client_.StartWatch(res::kConfigMaps, "default", o, rec.Handler(), rec.Closed());
  ASSERT_TRUE(w.ok());
  env_.RunUntilIdle();
  auto ev = rec.events();
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[2].type, WatchEvent::Type::kBookmark);
  EXPECT_EQ(api::Annotation(ev[2].object, "k8s.io/initial-events-end").value_or(""), "true");
  EXPECT_EQ(api::ResourceVersion(ev[2].object), std::to_string(server_->resource_version()));
}

TEST_F(ListAndWatch, BookmarksOnlyFollowProgress) {
  WatchRecorder rec;
  api::ListOptions o;
  o.allow_watch_bookmarks = true;
  auto w = client_.StartWatch(res::kConfigMaps, "default", o, rec.Handler(), rec.Closed());
  ASSERT_TRUE(w.ok());
  env_.RunFor(std::chrono::minutes(5));
  EXPECT_EQ(rec.count(WatchEvent::Type::kBookmark), 0u) << "no progress, no bookmark";
  MustCreate(res::kSecrets, Json{{"apiVersion", "v1"}, {"kind", "Secret"},
                                 {"metadata", {{"name", "s"}, {"namespace", "default"}}}});
  env_.RunFor(std::chrono::seconds(59));
  EXPECT_EQ(rec.count(WatchEvent::Type::kBookmark), 0u);
  env_.RunFor(std::chrono::seconds(2));
  EXPECT_EQ(rec.count(WatchEvent::Type::kBookmark), 1u);
  EXPECT_TRUE(env_.RunUntilIdle()) << "an idle watch leaves no timers behind";
}

TEST_F(ListAndWatch, TimeoutSecondsEndsTheWatchCleanly) {
  WatchRecorder rec;
  api::ListOptions o;
  o.timeout_seconds = 30;
  auto w = client_.StartWatch(res::kConfigMaps, "default", o, rec.Handler(), rec.Closed());
  ASSERT_TRUE(w.ok());
  env_.RunFor(std::chrono::seconds(29));
  EXPECT_FALSE(rec.closed());
  env_.RunFor(std::chrono::seconds(2));
  ASSERT_TRUE(rec.closed());
  EXPECT_TRUE(rec.close_status().ok());
  EXPECT_EQ(server_->stats().watchers, 0u);
}

TEST_F(ListAndWatch, WatchFromBeforeTheWindowGetsErrorExpired) {
  Json a = MustCreate(res::kConfigMaps, ConfigMap("a"));
  for (int i = 0; i < 60; ++i) {
    ASSERT_TRUE(client_.Patch(res::kConfigMaps, "default", "a", api::PatchType::kMerge,
                              "{\"data\":{\"k\":\"" + std::to_string(i) + "\"}}").ok());
  }
  WatchRecorder rec;
  api::ListOptions o;
  o.resource_version = api::ResourceVersion(a);
  auto w = client_.StartWatch(res::kConfigMaps, "default", o, rec.Handler(), rec.Closed());
  ASSERT_TRUE(w.ok());
  env_.RunUntilIdle();
  ASSERT_TRUE(rec.closed());
  EXPECT_TRUE(rec.close_status().Is(StatusCode::kGone));
  auto ev = rec.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, WatchEvent::Type::kError);
  EXPECT_EQ(ev[0].object["code"], 410);
  EXPECT_EQ(ev[0].object["reason"], "Expired");
  EXPECT_NE(GetString(ev[0].object, "message").find("too old resource version"), std::string::npos);
}

TEST_F(ListAndWatch, ASlowWatcherIsClosedAndCanResume) {
  WatchRecorder rec;
  api::ListOptions o;
  o.resource_version = std::to_string(server_->resource_version());
  auto w = client_.StartWatch(res::kConfigMaps, "default", o, rec.Handler(), rec.Closed());
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 25; ++i) MustCreate(res::kConfigMaps, ConfigMap("c" + std::to_string(i)));
  env_.RunUntilIdle();
  ASSERT_TRUE(rec.closed());
  EXPECT_TRUE(rec.close_status().Is(StatusCode::kUnavailable)) << rec.close_status().ToString();
  EXPECT_EQ(server_->stats().watchers, 0u);
}

TEST_F(ListAndWatch, StopEndsDelivery) {
  WatchRecorder rec;
  auto w = client_.StartWatch(res::kConfigMaps, "default", {}, rec.Handler(), rec.Closed());
  ASSERT_TRUE(w.ok());
  MustCreate(res::kConfigMaps, ConfigMap("a"));
  (*w)->Stop();
  env_.RunUntilIdle();
  EXPECT_TRUE(rec.events().empty());
  EXPECT_FALSE(rec.closed()) << "a stopped watch gets no callbacks at all";
  EXPECT_EQ(server_->stats().watchers, 0u);
}

TEST_F(ListAndWatch, WatchesServeTheRequestedVersion) {
  InstallWidgets();
  WatchRecorder rec;
  auto w = client_.StartWatch(kWidgets, "", {}, rec.Handler(), rec.Closed());
  ASSERT_TRUE(w.ok());
  MustCreate(kWidgets, Widget("w"));
  env_.RunUntilIdle();
  ASSERT_EQ(rec.events().size(), 1u);
  EXPECT_EQ(api::ApiVersionOf(rec.events()[0].object), "example.com/v1");
}

}  // namespace
}  // namespace kt::sim::testing
