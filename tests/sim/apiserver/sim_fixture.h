// A SimEnv + ApiServer + InProcessClient for the API server's tests, with helpers that keep the
// tests short: a Widget CRD (namespaced, status subresource), object builders, and running the
// simulation until the server's controllers and watch deliveries are idle.
#ifndef KT_TESTS_SIM_APISERVER_SIM_FIXTURE_H_
#define KT_TESTS_SIM_APISERVER_SIM_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "api/object.h"
#include "base/json.h"
#include "base/sim_env.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/in_process_client.h"

namespace kt::sim::testing {

// Collects a watch's events and its close status.
class WatchRecorder {
 public:
  api::WatchHandler Handler() {
    return [this](const api::WatchEvent& e) { events_.push_back(e); };
  }
  api::WatchClosed Closed() {
    return [this](Status s) {
      closed_ = true;
      close_status_ = s;
    };
  }
  const std::vector<api::WatchEvent>& events() const { return events_; }
  size_t count(api::WatchEvent::Type t) const {
    size_t n = 0;
    for (const auto& e : events_) n += e.type == t;
    return n;
  }
  bool closed() const { return closed_; }
  const Status& close_status() const { return close_status_; }

 private:
  std::vector<api::WatchEvent> events_;
  bool closed_ = false;
  Status close_status_;
};

inline const api::GroupVersionResource kWidgets{"example.com", "v1", "widgets"};

inline Json WidgetCrdJson() {
  return ParseJson(R"({
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
      "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
      "versions": [{"name": "v1", "served": true, "storage": true,
        "subresources": {"status": {},
          "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"}},
        "additionalPrinterColumns": [{"name": "Color", "type": "string", "jsonPath": ".spec.color"}],
        "schema": {"openAPIV3Schema": {"type": "object", "properties": {
          "spec": {"type": "object", "properties": {
            "color": {"type": "string"}, "size": {"type": "integer", "minimum": 0},
            "replicas": {"type": "integer"}}},
          "status": {"type": "object", "properties": {
            "phase": {"type": "string"}, "replicas": {"type": "integer"}}}}}}}]}})")
      .value();
}

class SimApiServerTest : public ::testing::Test {
 public:
  static Json Widget(const std::string& name, const std::string& ns = "default",
                     const std::string& color = "red") {
    return {{"apiVersion", "example.com/v1"},
            {"kind", "Widget"},
            {"metadata", {{"name", name}, {"namespace", ns}}},
            {"spec", {{"color", color}, {"size", 1}}}};
  }
  static Json ConfigMap(const std::string& name, const std::string& ns = "default") {
    return {{"apiVersion", "v1"}, {"kind", "ConfigMap"},
            {"metadata", {{"name", name}, {"namespace", ns}}}, {"data", {{"k", "v"}}}};
  }

 protected:
  explicit SimApiServerTest(ApiServerOptions options = {}, uint64_t seed = 1)
      : env_(SimEnv::Options{seed}), server_(std::make_unique<ApiServer>(env_, options)),
        client_(*server_) {}

  void InstallWidgets() {
    auto r = client_.Create(api::resources::kCustomResourceDefinitions, "", WidgetCrdJson());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  Json MustCreate(const api::GroupVersionResource& gvr, const Json& obj) {
    auto r = client_.Create(gvr, api::Namespace(obj), obj);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Json();
  }
  bool Exists(const api::GroupVersionResource& gvr, const std::string& ns, const std::string& name) {
    return client_.Get(gvr, ns, name).ok();
  }
  // Lets the server's controllers and watch deliveries run (virtual time may pass).
  void Settle(Duration max = std::chrono::seconds(5)) { env_.RunFor(max); }

  SimEnv env_;
  std::unique_ptr<ApiServer> server_;
  InProcessClient client_;
};

}  // namespace kt::sim::testing

#endif  // KT_TESTS_SIM_APISERVER_SIM_FIXTURE_H_
