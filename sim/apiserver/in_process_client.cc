#include "sim/apiserver/in_process_client.h"

#include "api/object.h"

namespace kt::sim {

namespace {

std::string NamespaceFor(std::string_view ns, const Json& object) {
  if (!ns.empty()) return std::string(ns);
  return api::Namespace(object);
}

class CallbackSink final : public WatchSink {
 public:
  CallbackSink(api::WatchHandler on_event, api::WatchClosed on_closed)
      : on_event_(std::move(on_event)), on_closed_(std::move(on_closed)) {}
  void OnEvent(const WatchEventOut& e) override {
    if (on_event_) on_event_(api::WatchEvent{e.type, *e.object});
  }
  void OnClosed(const Status& s) override {
    if (on_closed_) on_closed_(s);
  }

 private:
  api::WatchHandler on_event_;
  api::WatchClosed on_closed_;
};

class InProcessWatch final : public api::Watch {
 public:
  explicit InProcessWatch(std::unique_ptr<WatchHandle> handle) : handle_(std::move(handle)) {}
  void Stop() override { handle_->Stop(); }

 private:
  std::unique_ptr<WatchHandle> handle_;
};

}  // namespace

InProcessClient::InProcessClient(ApiServer& server, RequestContext ctx)
    : server_(server), ctx_(std::move(ctx)) {}

Result<Json> InProcessClient::Get(const api::GroupVersionResource& gvr, std::string_view ns,
                                  std::string_view name, const api::GetOptions& options) {
  ResourceRef ref{gvr, std::string(ns), std::string(name), options.subresource};
  KT_ASSIGN_OR_RETURN(auto obj, server_.Get(ref, options, ctx_));
  return *obj;
}

Result<Json> InProcessClient::List(const api::GroupVersionResource& gvr, std::string_view ns,
                                   const api::ListOptions& options) {
  KT_ASSIGN_OR_RETURN(ListResult list, server_.List(ResourceRef{gvr, std::string(ns), "", ""},
                                                    options, ctx_));
  return ListToJson(list);
}

Result<Json> InProcessClient::Create(const api::GroupVersionResource& gvr, std::string_view ns,
                                     const Json& object, const api::WriteOptions& options) {
  ResourceRef ref{gvr, NamespaceFor(ns, object), "", options.subresource};
  if (!options.subresource.empty()) ref.name = api::Name(object);
  KT_ASSIGN_OR_RETURN(WriteResult r, server_.Create(ref, object, options, ctx_));
  return Json(*r.object);
}

Result<Json> InProcessClient::Update(const api::GroupVersionResource& gvr, std::string_view ns,
                                     const Json& object, const api::WriteOptions& options) {
  ResourceRef ref{gvr, NamespaceFor(ns, object), api::Name(object), options.subresource};
  KT_ASSIGN_OR_RETURN(WriteResult r, server_.Update(ref, object, options, ctx_));
  return Json(*r.object);
}

Result<Json> InProcessClient::Patch(const api::GroupVersionResource& gvr, std::string_view ns,
                                    std::string_view name, api::PatchType type,
                                    std::string_view patch, const api::WriteOptions& options) {
  ResourceRef ref{gvr, std::string(ns), std::string(name), options.subresource};
  KT_ASSIGN_OR_RETURN(WriteResult r, server_.Patch(ref, type, patch, options, ctx_));
  return Json(*r.object);
}

Result<Json> InProcessClient::Delete(const api::GroupVersionResource& gvr, std::string_view ns,
                                     std::string_view name, const api::DeleteOptions& options) {
  ResourceRef ref{gvr, std::string(ns), std::string(name), ""};
  KT_ASSIGN_OR_RETURN(DeleteResult r, server_.Delete(ref, options, ctx_));
  return std::move(r.object);
}

Result<std::unique_ptr<api::Watch>> InProcessClient::StartWatch(
    const api::GroupVersionResource& gvr, std::string_view ns, const api::ListOptions& options,
    api::WatchHandler on_event, api::WatchClosed on_closed) {
  auto sink = std::make_shared<CallbackSink>(std::move(on_event), std::move(on_closed));
  KT_ASSIGN_OR_RETURN(auto handle,
                      server_.Watch(ResourceRef{gvr, std::string(ns), "", ""}, options, sink, ctx_));
  return std::unique_ptr<api::Watch>(std::make_unique<InProcessWatch>(std::move(handle)));
}

}  // namespace kt::sim
