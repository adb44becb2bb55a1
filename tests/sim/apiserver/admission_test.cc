// The in-process admission chain: registration, removal by name, and the order plugins run in.
#include "sim/apiserver/admission.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "base/json.h"

namespace kt::sim {
namespace {

class Recorder : public MutatingAdmissionPlugin {
 public:
  Recorder(std::string name, std::vector<std::string>* log) : name_(std::move(name)), log_(log) {}
  std::string name() const override { return name_; }
  Status Admit(const AdmissionRequest&, Json& object) override {
    log_->push_back(name_);
    object["seen"].push_back(name_);
    return Status::Ok();
  }

 private:
  std::string name_;
  std::vector<std::string>* log_;
};

class Refuser : public ValidatingAdmissionPlugin {
 public:
  explicit Refuser(std::vector<std::string>* log) : log_(log) {}
  std::string name() const override { return "refuser"; }
  Status Validate(const AdmissionRequest&) override {
    log_->push_back("refuser");
    return Forbidden("refused by refuser");
  }

 private:
  std::vector<std::string>* log_;
};

TEST(AdmissionChainTest, EmptyFollowsAddsAndRemovals) {
  AdmissionChain chain;
  std::vector<std::string> log;
  EXPECT_TRUE(chain.empty());
  chain.AddMutating(std::make_shared<Recorder>("a", &log));
  EXPECT_FALSE(chain.empty());
  chain.AddValidating(std::make_shared<Refuser>(&log));
  chain.Remove("a");
  EXPECT_FALSE(chain.empty());  // the validating plugin is still there
  chain.Remove("no-such-plugin");
  EXPECT_FALSE(chain.empty());
  chain.Remove("refuser");
  EXPECT_TRUE(chain.empty());
}

TEST(AdmissionChainTest, MutatingPluginsRunInRegistrationOrderThenValidatingOnes) {
  AdmissionChain chain;
  std::vector<std::string> log;
  chain.AddMutating(std::make_shared<Recorder>("first", &log));
  chain.AddMutating(std::make_shared<Recorder>("second", &log));
  chain.AddValidating(std::make_shared<Refuser>(&log));
  AdmissionRequest request;
  Json object = Json::object();
  ASSERT_TRUE(chain.Mutate(request, object).ok());
  EXPECT_EQ(object["seen"], Json({"first", "second"}));
  const Status refused = chain.Validate(request);
  EXPECT_EQ(refused.code(), StatusCode::kForbidden);
  EXPECT_EQ(refused.message(), "refused by refuser");
  EXPECT_EQ(log, (std::vector<std::string>{"first", "second", "refuser"}));
}

}  // namespace
}  // namespace kt::sim
