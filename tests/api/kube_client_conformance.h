// The shared KubeClient conformance suite: what every api::KubeClient must do against a
// Kubernetes API server (kube-apiserver semantics), so controllers behave the same in the twin
// and on a cluster. It proves: CRUD with server-set metadata; 404 NotFound, 409 AlreadyExists
// and 409 Conflict on a stale resourceVersion; the status subresource; merge and JSON patches;
// label and field selectors; limit/continue paging; watch from a resourceVersion, initial
// ADDED events, 410 Gone once the window moved past, bookmarks, timeoutSeconds; and deletion
// held by a finalizer.
//
// Use: include this header in exactly one test file and instantiate the suite with a factory
// for your client:
//   INSTANTIATE_TEST_SUITE_P(InProcess, KubeClientConformance,
//       ::testing::Values(kt::api::testing::ConformanceParam{"InProcess", MakeHarness}),
//       kt::api::testing::ConformanceParamName);
// Each test gets a fresh harness and works in a namespace of its own, on the CRD
// widgets.conformance.kaito.sh (created by the suite when absent) and ConfigMaps.
#ifndef KT_TESTS_API_KUBE_CLIENT_CONFORMANCE_H_
#define KT_TESTS_API_KUBE_CLIENT_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "api/kube_client.h"
#include "api/object.h"
#include "base/json.h"
#include "base/time.h"

namespace kt::api::testing {

// What a client implementation provides to the suite.
class KubeClientHarness {
 public:
  virtual ~KubeClientHarness() = default;
  virtual KubeClient& client() = 0;
  // Lets the world run (watch deliveries, the server's controllers) until pred() holds or
  // `max` of (virtual or real) time passed. Returns pred().
  virtual bool RunUntil(const std::function<bool()>& pred, Duration max) = 0;
  // Lets `d` of time pass.
  virtual void Advance(Duration d) = 0;
  // Writes that push a resourceVersion out of the server's watch window (0: skip the 410 test).
  virtual int64_t WatchWindowEvents() const = 0;
  // How long after a change a bookmark is due (zero: skip the bookmark test).
  virtual Duration BookmarkInterval() const = 0;
};

struct ConformanceParam {
  std::string name;
  std::function<std::unique_ptr<KubeClientHarness>()> make;
};

inline std::string ConformanceParamName(const ::testing::TestParamInfo<ConformanceParam>& info) {
  return info.param.name;
}

inline const GroupVersionResource kWidgets{"conformance.kaito.sh", "v1", "widgets"};

// The suite's CRD: namespaced Widgets with a status subresource.
inline Json WidgetCrd() {
  return ParseJson(R"({
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.conformance.kaito.sh"},
    "spec": {"group": "conformance.kaito.sh", "scope": "Namespaced",
      "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
      "versions": [{"name": "v1", "served": true, "storage": true,
        "subresources": {"status": {}},
        "schema": {"openAPIV3Schema": {"type": "object", "properties": {
          "spec": {"type": "object", "properties": {
            "color": {"type": "string"}, "size": {"type": "integer"}}},
          "status": {"type": "object", "properties": {
            "phase": {"type": "string"}}}}}}}]}})")
      .value();
}

// Collects watch events and the close status; safe across threads.
class WatchRecorder {
 public:
  WatchHandler Handler() {
    return [this](const WatchEvent& e) {
      std::lock_guard<std::mutex> lock(mu_);
      events_.push_back(e);
    };
  }
  WatchClosed Closed() {
    return [this](Status s) {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
      close_status_ = s;
    };
  }
  std::vector<WatchEvent> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  size_t count(WatchEvent::Type t) const {
    std::lock_guard<std::mutex> lock(mu_);
    return std::count_if(events_.begin(), events_.end(), [&](const auto& e) { return e.type == t; });
  }
  bool closed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }
  Status close_status() const {
    std::lock_guard<std::mutex> lock(mu_);
    return close_status_;
  }
  // Names of the objects of events of type t, in order.
  std::vector<std::string> Names(WatchEvent::Type t) const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& e : events_) {
      if (e.type == t) out.push_back(Name(e.object));
    }
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<WatchEvent> events_;
  bool closed_ = false;
  Status close_status_;
};

class KubeClientConformance : public ::testing::TestWithParam<ConformanceParam> {
 protected:
  void SetUp() override {
    harness_ = GetParam().make();
    ASSERT_NE(harness_, nullptr);
    auto crd = client().Get(GroupVersionResource{"apiextensions.k8s.io", "v1", "customresourcedefinitions"},
                            "", "widgets.conformance.kaito.sh");
    if (!crd.ok()) {
      ASSERT_TRUE(crd.status().Is(StatusCode::kNotFound)) << crd.status().ToString();
      auto created = client().Create(
          GroupVersionResource{"apiextensions.k8s.io", "v1", "customresourcedefinitions"}, "", WidgetCrd());
      ASSERT_TRUE(created.ok()) << created.status().ToString();
    }
    ASSERT_TRUE(harness_->RunUntil([&] { return client().List(kWidgets, "").ok(); }, std::chrono::seconds(30)))
        << "the Widget CRD never became usable";
    // A namespace of this test's own.
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string n = std::string("kc-") + info->name();
    for (auto& c : n) c = std::isalnum(static_cast<unsigned char>(c)) ? std::tolower(static_cast<unsigned char>(c)) : '-';
    if (n.size() > 50) n.resize(50);
    while (!n.empty() && n.back() == '-') n.pop_back();
    ns_ = n;
    auto nsr = client().Create(resources::kNamespaces, "",
                               Json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}});
    ASSERT_TRUE(nsr.ok() || nsr.status().Is(StatusCode::kAlreadyExists)) << nsr.status().ToString();
  }

  KubeClient& client() { return harness_->client(); }
  KubeClientHarness& harness() { return *harness_; }
  const std::string& ns() const { return ns_; }

  Json Widget(const std::string& name, const std::string& color = "red",
              const Labels& labels = {}) const {
    Json w = {{"apiVersion", "conformance.kaito.sh/v1"},
              {"kind", "Widget"},
              {"metadata", {{"name", name}, {"namespace", ns_}}},
              {"spec", {{"color", color}, {"size", 1}}}};
    for (const auto& [k, v] : labels) w["metadata"]["labels"][k] = v;
    return w;
  }
  Json MustCreate(const Json& obj) {
    auto r = client().Create(kWidgets, ns_, obj);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Json();
  }
  std::set<std::string> ListNames(const ListOptions& opts) {
    auto r = client().List(kWidgets, ns_, opts);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::set<std::string> names;
    if (r.ok()) {
      for (const auto& item : (*r)["items"]) names.insert(Name(item));
    }
    return names;
  }

  std::unique_ptr<KubeClientHarness> harness_;
  std::string ns_;
};

TEST_P(KubeClientConformance, CreateSetsServerMetadataAndGetReturnsTheObject) {
  Json created = MustCreate(Widget("w1"));
  EXPECT_FALSE(Uid(created).empty());
  EXPECT_FALSE(ResourceVersion(created).empty());
  EXPECT_EQ(Generation(created), 1);
  EXPECT_TRUE(CreationTimestamp(created).has_value());
  EXPECT_EQ(Kind(created), "Widget");
  EXPECT_EQ(ApiVersionOf(created), "conformance.kaito.sh/v1");
  auto got = client().Get(kWidgets, ns_, "w1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(Uid(*got), Uid(created));
  EXPECT_EQ((*got)["spec"]["color"], "red");
}

TEST_P(KubeClientConformance, UpdateBumpsResourceVersionAndGenerationOnSpecChange) {
  Json w = MustCreate(Widget("w1"));
  w["spec"]["color"] = "blue";
  auto updated = client().Update(kWidgets, ns_, w);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_NE(ResourceVersion(*updated), ResourceVersion(w));
  EXPECT_EQ(Generation(*updated), 2);
  Json again = *updated;
  again["metadata"]["labels"]["touched"] = "yes";
  auto relabeled = client().Update(kWidgets, ns_, again);
  ASSERT_TRUE(relabeled.ok()) << relabeled.status().ToString();
  EXPECT_EQ(Generation(*relabeled), 2) << "metadata changes do not bump generation";
}

TEST_P(KubeClientConformance, CreatingAnExistingObjectIsAlreadyExists) {
  MustCreate(Widget("w1"));
  auto again = client().Create(kWidgets, ns_, Widget("w1"));
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.status().Is(StatusCode::kAlreadyExists)) << again.status().ToString();
  EXPECT_NE(again.status().message().find("already exists"), std::string::npos);
}

TEST_P(KubeClientConformance, GetAndDeleteOfAMissingObjectAreNotFound) {
  auto got = client().Get(kWidgets, ns_, "nope");
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.status().Is(StatusCode::kNotFound));
  EXPECT_EQ(got.status().message(), "widgets.conformance.kaito.sh \"nope\" not found");
  auto del = client().Delete(kWidgets, ns_, "nope");
  ASSERT_FALSE(del.ok());
  EXPECT_TRUE(del.status().Is(StatusCode::kNotFound));
}

TEST_P(KubeClientConformance, UpdateWithStaleResourceVersionIsConflict) {
  Json w = MustCreate(Widget("w1"));
  Json first = w;
  first["spec"]["size"] = 2;
  ASSERT_TRUE(client().Update(kWidgets, ns_, first).ok());
  Json stale = w;
  stale["spec"]["size"] = 3;
  auto r = client().Update(kWidgets, ns_, stale);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kConflict)) << r.status().ToString();
  EXPECT_EQ(r.status().message(),
            "Operation cannot be fulfilled on widgets.conformance.kaito.sh \"w1\": the object has "
            "been modified; please apply your changes to the latest version and try again");
}

TEST_P(KubeClientConformance, StatusSubresourceWritesOnlyStatus) {
  Json w = MustCreate(Widget("w1"));
  Json s = w;
  s["status"] = {{"phase", "Ready"}};
  s["spec"]["color"] = "ignored";
  WriteOptions status_write;
  status_write.subresource = "status";
  auto r = client().Update(kWidgets, ns_, s, status_write);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["status"]["phase"], "Ready");
  EXPECT_EQ((*r)["spec"]["color"], "red") << "a status write ignores the spec";
  EXPECT_EQ(Generation(*r), 1) << "a status write does not bump generation";
  Json main = *r;
  main["status"]["phase"] = "Broken";
  main["spec"]["color"] = "green";
  auto m = client().Update(kWidgets, ns_, main);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)["status"]["phase"], "Ready") << "a main-resource write ignores the status";
  EXPECT_EQ((*m)["spec"]["color"], "green");
}

TEST_P(KubeClientConformance, MergeAndJsonPatchesApply) {
  MustCreate(Widget("w1"));
  auto merged = client().Patch(kWidgets, ns_, "w1", PatchType::kMerge,
                               R"({"metadata":{"labels":{"a":"b"}},"spec":{"color":"blue"}})");
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ((*merged)["spec"]["color"], "blue");
  EXPECT_EQ(Label(*merged, "a").value_or(""), "b");
  auto patched = client().Patch(kWidgets, ns_, "w1", PatchType::kJson,
                                R"([{"op":"replace","path":"/spec/size","value":7}])");
  ASSERT_TRUE(patched.ok()) << patched.status().ToString();
  EXPECT_EQ((*patched)["spec"]["size"], 7);
  WriteOptions status_write;
  status_write.subresource = "status";
  auto st = client().Patch(kWidgets, ns_, "w1", PatchType::kMerge, R"({"status":{"phase":"Up"}})",
                           status_write);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ((*st)["status"]["phase"], "Up");
}

TEST_P(KubeClientConformance, LabelSelectorsFilterLists) {
  MustCreate(Widget("a", "red", {{"tier", "web"}, {"env", "prod"}}));
  MustCreate(Widget("b", "red", {{"tier", "db"}, {"env", "prod"}}));
  MustCreate(Widget("c", "red", {{"tier", "web"}}));
  auto names = [&](const std::string& sel) {
    ListOptions o;
    o.label_selector = sel;
    return ListNames(o);
  };
  EXPECT_EQ(names("tier=web"), (std::set<std::string>{"a", "c"}));
  EXPECT_EQ(names("tier!=web"), (std::set<std::string>{"b"}));
  EXPECT_EQ(names("tier in (db,cache)"), (std::set<std::string>{"b"}));
  EXPECT_EQ(names("tier notin (db)"), (std::set<std::string>{"a", "c"}));
  EXPECT_EQ(names("env"), (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(names("!env"), (std::set<std::string>{"c"}));
  EXPECT_EQ(names("tier=web,env=prod"), (std::set<std::string>{"a"}));
  ListOptions bad;
  bad.label_selector = "tier in (";
  auto r = client().List(kWidgets, ns_, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kBadRequest)) << r.status().ToString();
}

TEST_P(KubeClientConformance, FieldSelectorsFilterByNameAndRejectUnknownFields) {
  MustCreate(Widget("a"));
  MustCreate(Widget("b"));
  ListOptions o;
  o.field_selector = "metadata.name=b";
  EXPECT_EQ(ListNames(o), (std::set<std::string>{"b"}));
  o.field_selector = "metadata.name!=b";
  EXPECT_EQ(ListNames(o), (std::set<std::string>{"a"}));
  o.field_selector = "spec.color=red";
  auto r = client().List(kWidgets, ns_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kBadRequest)) << r.status().ToString();
}

TEST_P(KubeClientConformance, LimitAndContinuePageThroughEveryObjectOnce) {
  for (int i = 0; i < 7; ++i) MustCreate(Widget("w" + std::to_string(i)));
  std::vector<std::string> seen;
  ListOptions o;
  o.limit = 3;
  std::string list_rv;
  for (int page = 0; page < 10; ++page) {
    auto r = client().List(kWidgets, ns_, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_LE((*r)["items"].size(), 3u);
    for (const auto& item : (*r)["items"]) seen.push_back(Name(item));
    std::string rv = GetString(*r, "metadata.resourceVersion");
    if (list_rv.empty()) list_rv = rv;
    EXPECT_EQ(rv, list_rv) << "every page is of the same snapshot";
    if (page == 0) MustCreate(Widget("late"));  // not part of the snapshot
    o.continue_token = GetString(*r, "metadata.continue");
    if (o.continue_token.empty()) break;
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"w0", "w1", "w2", "w3", "w4", "w5", "w6"}));
}

TEST_P(KubeClientConformance, WatchWithoutResourceVersionStartsWithAddedForWhatExists) {
  MustCreate(Widget("a"));
  MustCreate(Widget("b"));
  WatchRecorder rec;
  auto w = client().StartWatch(kWidgets, ns_, {}, rec.Handler(), rec.Closed());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE(harness().RunUntil([&] { return rec.count(WatchEvent::Type::kAdded) == 2; },
                                 std::chrono::seconds(10)));
  MustCreate(Widget("c"));
  ASSERT_TRUE(harness().RunUntil([&] { return rec.count(WatchEvent::Type::kAdded) == 3; },
                                 std::chrono::seconds(10)));
  auto names = rec.Names(WatchEvent::Type::kAdded);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.begin() + 2), (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(names[2], "c");
  (*w)->Stop();
}

TEST_P(KubeClientConformance, WatchFromResourceVersionSeesOnlyLaterChangesInOrder) {
  MustCreate(Widget("before"));
  auto list = client().List(kWidgets, ns_);
  ASSERT_TRUE(list.ok());
  std::string rv = GetString(*list, "metadata.resourceVersion");
  MustCreate(Widget("after"));
  ASSERT_TRUE(client().Patch(kWidgets, ns_, "after", PatchType::kMerge, R"({"spec":{"size":5}})").ok());
  ASSERT_TRUE(client().Delete(kWidgets, ns_, "after").ok());
  WatchRecorder rec;
  ListOptions o;
  o.resource_version = rv;
  auto w = client().StartWatch(kWidgets, ns_, o, rec.Handler(), rec.Closed());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE(harness().RunUntil([&] { return rec.events().size() >= 3; }, std::chrono::seconds(10)));
  auto ev = rec.events();
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].type, WatchEvent::Type::kAdded);
  EXPECT_EQ(ev[1].type, WatchEvent::Type::kModified);
  EXPECT_EQ(ev[2].type, WatchEvent::Type::kDeleted);
  for (const auto& e : ev) EXPECT_EQ(Name(e.object), "after");
  EXPECT_LT(std::stoll(ResourceVersion(ev[0].object)), std::stoll(ResourceVersion(ev[2].object)));
  (*w)->Stop();
}

TEST_P(KubeClientConformance, WatchFromACompactedResourceVersionIsGone) {
  int64_t window = harness().WatchWindowEvents();
  if (window <= 0) GTEST_SKIP() << "the harness does not bound its watch window";
  Json first = MustCreate(Widget("churn"));
  std::string old_rv = ResourceVersion(first);
  for (int64_t i = 0; i < window + 5; ++i) {
    auto r = client().Patch(kWidgets, ns_, "churn", PatchType::kMerge,
                            "{\"spec\":{\"size\":" + std::to_string(i + 2) + "}}");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  WatchRecorder rec;
  ListOptions o;
  o.resource_version = old_rv;
  auto w = client().StartWatch(kWidgets, ns_, o, rec.Handler(), rec.Closed());
  if (!w.ok()) {
    EXPECT_TRUE(w.status().Is(StatusCode::kGone)) << w.status().ToString();
    return;
  }
  ASSERT_TRUE(harness().RunUntil([&] { return rec.closed(); }, std::chrono::seconds(10)));
  EXPECT_TRUE(rec.close_status().Is(StatusCode::kGone)) << rec.close_status().ToString();
  EXPECT_EQ(rec.count(WatchEvent::Type::kModified), 0u) << "no events are replayed past the window";
}

TEST_P(KubeClientConformance, BookmarksArriveWhenAskedFor) {
  Duration interval = harness().BookmarkInterval();
  if (interval <= Duration(0)) GTEST_SKIP() << "the harness has no bookmark interval";
  MustCreate(Widget("a"));
  WatchRecorder rec;
  ListOptions o;
  o.allow_watch_bookmarks = true;
  auto w = client().StartWatch(kWidgets, ns_, o, rec.Handler(), rec.Closed());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  // A change elsewhere moves the resourceVersion past what the watcher saw.
  auto cm = client().Create(resources::kConfigMaps, ns_,
                            Json{{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                                 {"metadata", {{"name", "elsewhere"}}}, {"data", {{"k", "v"}}}});
  ASSERT_TRUE(cm.ok()) << cm.status().ToString();
  ASSERT_TRUE(harness().RunUntil([&] { return rec.count(WatchEvent::Type::kBookmark) >= 1; },
                                 interval * 3));
  for (const auto& e : rec.events()) {
    if (e.type != WatchEvent::Type::kBookmark) continue;
    EXPECT_GE(std::stoll(ResourceVersion(e.object)), std::stoll(ResourceVersion(*cm)));
    EXPECT_EQ(Kind(e.object), "Widget");
  }
  (*w)->Stop();
}

TEST_P(KubeClientConformance, WatchEndsCleanlyAtTimeoutSeconds) {
  WatchRecorder rec;
  ListOptions o;
  o.timeout_seconds = 1;
  auto w = client().StartWatch(kWidgets, ns_, o, rec.Handler(), rec.Closed());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE(harness().RunUntil([&] { return rec.closed(); }, std::chrono::seconds(30)));
  EXPECT_TRUE(rec.close_status().ok()) << rec.close_status().ToString();
}

TEST_P(KubeClientConformance, DeleteWithFinalizerKeepsObjectUntilFinalizerRemoved) {
  Json w = Widget("held");
  w["metadata"]["finalizers"] = Json::array({"conformance.kaito.sh/hold"});
  MustCreate(w);
  WatchRecorder rec;
  auto watch = client().StartWatch(kWidgets, ns_, {}, rec.Handler(), rec.Closed());
  ASSERT_TRUE(watch.ok());
  auto del = client().Delete(kWidgets, ns_, "held");
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  auto still = client().Get(kWidgets, ns_, "held");
  ASSERT_TRUE(still.ok()) << "the finalizer holds the object";
  EXPECT_TRUE(IsDeleting(*still));
  auto add = client().Patch(kWidgets, ns_, "held", PatchType::kMerge,
                            R"({"metadata":{"finalizers":["conformance.kaito.sh/hold","x.io/more"]}})");
  EXPECT_FALSE(add.ok()) << "no new finalizers on a deleting object";
  auto release = client().Patch(kWidgets, ns_, "held", PatchType::kMerge,
                                R"({"metadata":{"finalizers":null}})");
  ASSERT_TRUE(release.ok()) << release.status().ToString();
  auto gone = client().Get(kWidgets, ns_, "held");
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(gone.status().Is(StatusCode::kNotFound));
  ASSERT_TRUE(harness().RunUntil([&] { return rec.count(WatchEvent::Type::kDeleted) == 1; },
                                 std::chrono::seconds(10)));
  EXPECT_GE(rec.count(WatchEvent::Type::kModified), 1u) << "deletionTimestamp arrives as MODIFIED";
  (*watch)->Stop();
}

}  // namespace kt::api::testing

#endif  // KT_TESTS_API_KUBE_CLIENT_CONFORMANCE_H_
