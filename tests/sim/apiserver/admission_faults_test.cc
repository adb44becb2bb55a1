// Proves the in-process admission chain (mutating before validating, in registration order, on
// create/update/delete, denials returned as is, mutations validated) and the fault points:
// each Buggify site does what fault_sites.h says under SimEnv with faults on, and nothing
// under RealEnv or with faults off.
#include <gtest/gtest.h>

#include "base/real_env.h"
#include "sim/apiserver/fault_sites.h"
#include "tests/sim/apiserver/sim_fixture.h"

namespace kt::sim::testing {
namespace {

namespace res = api::resources;

class LabelAdder final : public MutatingAdmissionPlugin {
 public:
  std::string name() const override { return "label-adder"; }
  Status Admit(const AdmissionRequest& r, Json& obj) override {
    seen.push_back(std::string(AdmissionOperationName(r.operation)));
    if (r.operation != AdmissionOperation::kDelete) obj["metadata"]["labels"]["admitted"] = "yes";
    return Status::Ok();
  }
  std::vector<std::string> seen;
};

class NoRedWidgets final : public ValidatingAdmissionPlugin {
 public:
  std::string name() const override { return "no-red"; }
  Status Validate(const AdmissionRequest& r) override {
    order.push_back(r.object ? api::Label(*r.object, "admitted").value_or("") : "");
    if (r.object && GetString(*r.object, "data.color") == "red") {
      return Forbidden("admission webhook \"no-red\" denied the request: red is not allowed");
    }
    return Status::Ok();
  }
  std::vector<std::string> order;
};

class Admission : public SimApiServerTest {};

TEST_F(Admission, MutatingPluginsRunBeforeValidatingOnes) {
  auto mut = std::make_shared<LabelAdder>();
  auto val = std::make_shared<NoRedWidgets>();
  server_->admission().AddMutating(mut);
  server_->admission().AddValidating(val);
  Json created = MustCreate(res::kConfigMaps, ConfigMap("a"));
  EXPECT_EQ(api::Label(created, "admitted").value_or(""), "yes");
  ASSERT_EQ(val->order.size(), 1u);
  EXPECT_EQ(val->order[0], "yes") << "validation saw the mutated object";
  ASSERT_TRUE(client_.Delete(res::kConfigMaps, "default", "a").ok());
  EXPECT_EQ(mut->seen, (std::vector<std::string>{"CREATE", "DELETE"}));
}

TEST_F(Admission, ADenialIsReturnedAndNothingIsWritten) {
  server_->admission().AddValidating(std::make_shared<NoRedWidgets>());
  Json cm = ConfigMap("red");
  cm["data"]["color"] = "red";
  uint64_t rv = server_->resource_version();
  auto r = client_.Create(res::kConfigMaps, "default", cm);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kForbidden));
  EXPECT_EQ(r.status().message(), "admission webhook \"no-red\" denied the request: red is not allowed");
  EXPECT_EQ(server_->resource_version(), rv);
  MustCreate(res::kConfigMaps, ConfigMap("ok"));
  auto upd = client_.Patch(res::kConfigMaps, "default", "ok", api::PatchType::kMerge, R"({"data":{"color":"red"}})");
  EXPECT_TRUE(upd.status().Is(StatusCode::kForbidden)) << "updates are admitted too";
}

TEST_F(Admission, RemovedPluginsNoLongerRun) {
  server_->admission().AddValidating(std::make_shared<NoRedWidgets>());
  server_->admission().Remove("no-red");
  Json cm = ConfigMap("red");
  cm["data"]["color"] = "red";
  EXPECT_TRUE(client_.Create(res::kConfigMaps, "default", cm).ok());
}

// ---- fault points

class FaultPoints : public ::testing::Test {
 protected:
  // A seed for which `site`, and no other API server site, is enabled (sites are switched on
  // per seed).
  static uint64_t SeedEnabling(const FaultSite& site) {
    const FaultSite all[] = {faults::kWriteConflict, faults::kUnavailable, faults::kSlowResponse,
                             faults::kWatchDrop, faults::kWatchLag};
    for (uint64_t seed = 1; seed < 10'000; ++seed) {
      SimEnv probe(SimEnv::Options{seed, FromUnixSeconds(1767225600), 0.25, true});
      bool only = true;
      for (const FaultSite& s : all) {
        (void)probe.Buggify(s.name, 0.0);
        bool on = probe.fault_sites().find(s.name)->second.enabled;
        only = only && (on == (s.name == site.name));
      }
      if (only) return seed;
    }
    ADD_FAILURE() << "no seed enables " << site.name;
    return 1;
  }
  void Start(const FaultSite& site) {
    uint64_t seed = SeedEnabling(site);
    std::cout << "seed=" << seed << " enables " << site.name << "\n";
    env_ = std::make_unique<SimEnv>(SimEnv::Options{seed, FromUnixSeconds(1767225600), 0.25, false});
    server_ = std::make_unique<ApiServer>(*env_);
    client_ = std::make_unique<InProcessClient>(*server_);
    ASSERT_TRUE(client_->Create(res::kConfigMaps, "default", SimApiServerTest::ConfigMap("base")).ok());
    env_->SetFaultsEnabled(true);
  }
  std::unique_ptr<SimEnv> env_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<InProcessClient> client_;
};

TEST_F(FaultPoints, WriteConflictFailsWritesBeforeApplying) {
  Start(faults::kWriteConflict);
  int conflicts = 0;
  for (int i = 0; i < 400; ++i) {
    uint64_t rv = server_->resource_version();
    auto r = client_->Patch(res::kConfigMaps, "default", "base", api::PatchType::kMerge,
                            "{\"data\":{\"k\":\"" + std::to_string(i) + "\"}}");
    if (!r.ok()) {
      ASSERT_TRUE(r.status().Is(StatusCode::kConflict)) << r.status().ToString();
      EXPECT_EQ(server_->resource_version(), rv) << "a faulted write is not applied";
      ++conflicts;
    }
  }
  EXPECT_GT(conflicts, 0);
  EXPECT_LT(conflicts, 400);
}

TEST_F(FaultPoints, UnavailableFailsRequestsWith503Or500) {
  Start(faults::kUnavailable);
  int failed = 0;
  for (int i = 0; i < 500; ++i) {
    auto r = client_->Get(res::kConfigMaps, "default", "base");
    if (!r.ok()) {
      EXPECT_TRUE(r.status().Is(StatusCode::kUnavailable) || r.status().Is(StatusCode::kInternal));
      ++failed;
    }
  }
  EXPECT_GT(failed, 0);
}

TEST_F(FaultPoints, SlowResponseAppliesTheWriteButReportsTimeout) {
  Start(faults::kSlowResponse);
  int timeouts = 0;
  for (int i = 0; i < 400; ++i) {
    std::string v = std::to_string(i);
    auto r = client_->Patch(res::kConfigMaps, "default", "base", api::PatchType::kMerge,
                            "{\"data\":{\"k\":\"" + v + "\"}}");
    if (!r.ok()) {
      ASSERT_TRUE(r.status().Is(StatusCode::kTimeout)) << r.status().ToString();
      env_->SetFaultsEnabled(false);
      auto now = client_->Get(res::kConfigMaps, "default", "base");
      env_->SetFaultsEnabled(true);
      ASSERT_TRUE(now.ok());
      EXPECT_EQ((*now)["data"]["k"], v) << "the write was applied";
      ++timeouts;
    }
  }
  EXPECT_GT(timeouts, 0);
}

TEST_F(FaultPoints, WatchDropEndsStreamsWithUnavailable) {
  Start(faults::kWatchDrop);
  WatchRecorder rec;
  auto w = client_->StartWatch(res::kConfigMaps, "default", {}, rec.Handler(), rec.Closed());
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 2000 && !rec.closed(); ++i) {
    env_->SetFaultsEnabled(false);
    ASSERT_TRUE(client_->Patch(res::kConfigMaps, "default", "base", api::PatchType::kMerge,
                               "{\"data\":{\"k\":\"" + std::to_string(i) + "\"}}").ok());
    env_->SetFaultsEnabled(true);
    env_->RunUntilIdle();
  }
  ASSERT_TRUE(rec.closed());
  EXPECT_TRUE(rec.close_status().Is(StatusCode::kUnavailable));
}

TEST_F(FaultPoints, WatchLagDelaysDeliveryButKeepsOrder) {
  Start(faults::kWatchLag);
  WatchRecorder rec;
  api::ListOptions o;
  o.resource_version = std::to_string(server_->resource_version());
  auto w = client_->StartWatch(res::kConfigMaps, "default", o, rec.Handler(), rec.Closed());
  ASSERT_TRUE(w.ok());
  bool lagged = false;
  for (int i = 0; i < 200; ++i) {
    // Other sites may be on for this seed too: retry what failed before applying.
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto r = client_->Patch(res::kConfigMaps, "default", "base", api::PatchType::kMerge,
                              "{\"data\":{\"k\":\"" + std::to_string(i) + "\"}}");
      if (r.ok() || r.status().Is(StatusCode::kTimeout)) break;
    }
    size_t before = rec.events().size();
    env_->RunFor(Duration(0));  // due-now work only
    if (rec.events().size() == before) lagged = true;
    env_->RunFor(std::chrono::seconds(3));
  }
  EXPECT_TRUE(lagged) << "some delivery waited for virtual time to pass";
  ASSERT_EQ(rec.events().size(), 200u);
  for (size_t i = 0; i < rec.events().size(); ++i) {
    EXPECT_EQ(rec.events()[i].object["data"]["k"], std::to_string(i)) << "order kept";
  }
}

TEST_F(FaultPoints, SitesAreInertUnderRealEnv) {
  RealEnv env;
  ApiServer server(env);
  InProcessClient client(server);
  ASSERT_TRUE(client.Create(res::kConfigMaps, "default", SimApiServerTest::ConfigMap("a")).ok());
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(client.Patch(res::kConfigMaps, "default", "a", api::PatchType::kMerge,
                             "{\"data\":{\"k\":\"" + std::to_string(i) + "\"}}").ok());
  }
}

TEST_F(FaultPoints, InternalControllersAreNeverFaulted) {
  Start(faults::kWriteConflict);
  // Garbage collection writes keep working while client writes fail now and then.
  Json owner = SimApiServerTest::ConfigMap("owner");
  auto o = client_->Create(res::kConfigMaps, "default", owner);
  for (int attempt = 0; attempt < 50 && !o.ok(); ++attempt) {
    o = client_->Create(res::kConfigMaps, "default", owner);
  }
  ASSERT_TRUE(o.ok());
  for (int i = 0; i < 20; ++i) {
    Json d = SimApiServerTest::ConfigMap("d" + std::to_string(i));
    d["metadata"]["ownerReferences"] = Json::array({{{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                                                     {"name", "owner"}, {"uid", api::Uid(*o)}}});
    auto r = client_->Create(res::kConfigMaps, "default", d);
    ASSERT_TRUE(r.ok() || r.status().Is(StatusCode::kUnavailable)) << r.status().ToString();
  }
  env_->SetFaultsEnabled(false);
  ASSERT_TRUE(client_->Delete(res::kConfigMaps, "default", "owner").ok());
  env_->SetFaultsEnabled(true);
  env_->RunFor(std::chrono::seconds(5));
  env_->SetFaultsEnabled(false);
  auto left = client_->List(res::kConfigMaps, "default");
  ASSERT_TRUE(left.ok());
  EXPECT_EQ((*left)["items"].size(), 1u) << "only 'base' remains";
}

}  // namespace
}  // namespace kt::sim::testing
