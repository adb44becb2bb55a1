// PartitionedClient: a KubeClient that forwards to another until it is cut off, after which
// every call fails with Unavailable (a manager that lost its network). Open watches are not
// cut (the informer side is not what these tests are about). Single-threaded (SimEnv tests).
#ifndef KT_TESTS_CONTROLLERS_RUNTIME_PARTITIONED_CLIENT_H_
#define KT_TESTS_CONTROLLERS_RUNTIME_PARTITIONED_CLIENT_H_

#include "api/kube_client.h"

namespace kt::ctrl::testing {

class PartitionedClient final : public api::KubeClient {
 public:
  explicit PartitionedClient(api::KubeClient& inner) : inner_(inner) {}
  void set_partitioned(bool p) { partitioned_ = p; }

  Result<Json> Get(const api::GroupVersionResource& gvr, std::string_view ns,
                   std::string_view name, const api::GetOptions& o = {}) override {
    if (partitioned_) return Cut();
    return inner_.Get(gvr, ns, name, o);
  }
  Result<Json> List(const api::GroupVersionResource& gvr, std::string_view ns,
                    const api::ListOptions& o = {}) override {
    if (partitioned_) return Cut();
    return inner_.List(gvr, ns, o);
  }
  Result<Json> Create(const api::GroupVersionResource& gvr, std::string_view ns, const Json& obj,
                      const api::WriteOptions& o = {}) override {
    if (partitioned_) return Cut();
    return inner_.Create(gvr, ns, obj, o);
  }
  Result<Json> Update(const api::GroupVersionResource& gvr, std::string_view ns, const Json& obj,
                      const api::WriteOptions& o = {}) override {
    if (partitioned_) return Cut();
    return inner_.Update(gvr, ns, obj, o);
  }
  Result<Json> Patch(const api::GroupVersionResource& gvr, std::string_view ns,
                     std::string_view name, api::PatchType t, std::string_view p,
                     const api::WriteOptions& o = {}) override {
    if (partitioned_) return Cut();
    return inner_.Patch(gvr, ns, name, t, p, o);
  }
  Result<Json> Delete(const api::GroupVersionResource& gvr, std::string_view ns,
                      std::string_view name, const api::DeleteOptions& o = {}) override {
    if (partitioned_) return Cut();
    return inner_.Delete(gvr, ns, name, o);
  }
  Result<std::unique_ptr<api::Watch>> StartWatch(const api::GroupVersionResource& gvr,
                                                 std::string_view ns, const api::ListOptions& o,
                                                 api::WatchHandler on_event,
                                                 api::WatchClosed on_closed) override {
    if (partitioned_) return Cut();
    return inner_.StartWatch(gvr, ns, o, std::move(on_event), std::move(on_closed));
  }

 private:
  static Status Cut() { return Unavailable("dial tcp 10.0.0.1:443: connect: no route to host"); }
  api::KubeClient& inner_;
  bool partitioned_ = false;
};

}  // namespace kt::ctrl::testing

#endif  // KT_TESTS_CONTROLLERS_RUNTIME_PARTITIONED_CLIENT_H_
