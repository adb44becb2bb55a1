// A minimal in-memory api::KubeClient for the sim/cloud tests (sim/apiserver is another
// engineer's and may not be built): Create/Get/Update/Delete/List of objects keyed by
// (resource, namespace, name), resourceVersions, and scripted failures. Patch and watches
// are not supported (Internal). Not thread-safe.
#ifndef KT_TESTS_SIM_CLOUD_FAKE_KUBE_CLIENT_H_
#define KT_TESTS_SIM_CLOUD_FAKE_KUBE_CLIENT_H_

#include <deque>
#include <map>
#include <string>
#include <tuple>

#include "api/kube_client.h"
#include "api/object.h"
#include "base/json.h"

namespace kt::sim::cloud::testing {

class FakeKubeClient : public api::KubeClient {
 public:
  // The next calls fail with these statuses, in order.
  std::deque<Status> failures;
  // Drop status on create, as a server that treats status as a subresource does.
  bool drop_status_on_create = false;
  int writes = 0;

  const Json* Find(const api::GroupVersionResource& gvr, std::string_view ns,
                   std::string_view name) const {
    auto it = objects_.find({gvr.resource, std::string(ns), std::string(name)});
    return it == objects_.end() ? nullptr : &it->second;
  }
  size_t size() const { return objects_.size(); }

  Result<Json> Get(const api::GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                   const api::GetOptions& = {}) override {
    if (const Json* o = Find(gvr, ns, name)) return *o;
    return NotFound(gvr.resource + " \"" + std::string(name) + "\" not found");
  }
  Result<Json> List(const api::GroupVersionResource& gvr, std::string_view ns,
                    const api::ListOptions& = {}) override {
    Json items = Json::array();
    for (const auto& [key, o] : objects_) {
      if (std::get<0>(key) == gvr.resource && std::get<1>(key) == ns) items.push_back(o);
    }
    return Json{{"items", items}};
  }
  Result<Json> Create(const api::GroupVersionResource& gvr, std::string_view ns, const Json& object,
                      const api::WriteOptions& = {}) override {
    KT_RETURN_IF_ERROR(NextFailure());
    ++writes;
    std::string name = api::Name(object);
    auto key = std::make_tuple(gvr.resource, std::string(ns), name);
    if (objects_.count(key))
      return AlreadyExists(gvr.resource + " \"" + name + "\" already exists");
    Json o = object;
    if (drop_status_on_create) o.erase("status");
    o["metadata"]["resourceVersion"] = std::to_string(++rv_);
    o["metadata"]["uid"] = "uid-" + std::to_string(rv_);
    objects_[key] = o;
    return o;
  }
  Result<Json> Update(const api::GroupVersionResource& gvr, std::string_view ns, const Json& object,
                      const api::WriteOptions& options = {}) override {
    KT_RETURN_IF_ERROR(NextFailure());
    ++writes;
    auto key = std::make_tuple(gvr.resource, std::string(ns), api::Name(object));
    auto it = objects_.find(key);
    if (it == objects_.end()) return NotFound("not found");
    if (api::ResourceVersion(object) != api::ResourceVersion(it->second)) {
      return Conflict("the object has been modified");
    }
    Json o = options.subresource == "status" ? it->second : object;
    if (options.subresource == "status") o["status"] = object["status"];
    o["metadata"]["resourceVersion"] = std::to_string(++rv_);
    it->second = o;
    return o;
  }
  Result<Json> Patch(const api::GroupVersionResource&, std::string_view, std::string_view,
                     api::PatchType, std::string_view, const api::WriteOptions& = {}) override {
    return Internal("patch is not supported by the test fake");
  }
  Result<Json> Delete(const api::GroupVersionResource& gvr, std::string_view ns,
                      std::string_view name, const api::DeleteOptions& = {}) override {
    KT_RETURN_IF_ERROR(NextFailure());
    ++writes;
    auto it = objects_.find({gvr.resource, std::string(ns), std::string(name)});
    if (it == objects_.end()) return NotFound("not found");
    Json o = it->second;
    objects_.erase(it);
    return o;
  }
  Result<std::unique_ptr<api::Watch>> StartWatch(const api::GroupVersionResource&, std::string_view,
                                                 const api::ListOptions&, api::WatchHandler,
                                                 api::WatchClosed) override {
    return Internal("watch is not supported by the test fake");
  }

 private:
  Status NextFailure() {
    if (failures.empty()) return Status::Ok();
    Status s = failures.front();
    failures.pop_front();
    return s;
  }
  std::map<std::tuple<std::string, std::string, std::string>, Json> objects_;
  int64_t rv_ = 0;
};

}  // namespace kt::sim::cloud::testing

#endif  // KT_TESTS_SIM_CLOUD_FAKE_KUBE_CLIENT_H_
