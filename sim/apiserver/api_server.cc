// ApiServer: the public face of Core, plus loading CRD files.
#include "sim/apiserver/api_server.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/object.h"
#include "base/json.h"
#include "base/yaml.h"
#include "sim/apiserver/core.h"

namespace kt::sim {

WatchHandle::WatchHandle(std::weak_ptr<Core> core, std::shared_ptr<Watcher> watcher)
    : core_(std::move(core)), watcher_(std::move(watcher)) {}

WatchHandle::~WatchHandle() { Stop(); }

void WatchHandle::Stop() {
  if (!watcher_) return;
  watcher_->Stop();
  if (auto core = core_.lock()) core->RemoveWatcher(watcher_);
  watcher_.reset();
}

namespace {
// A JSON type error deep in a write is malformed input that validation did not anticipate:
// the caller gets 400, never a crash.
template <typename Fn>
auto Guard(Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const nlohmann::json::exception& e) {
    return BadRequest(std::string("malformed object: ") + e.what());
  }
}
}  // namespace

ApiServer::ApiServer(Env& env, ApiServerOptions options)
    : core_(std::make_shared<Core>(env, std::move(options))) {
  core_->Start();
}

ApiServer::~ApiServer() { core_->Shutdown(); }

Env& ApiServer::env() { return core_->env(); }
const ApiServerOptions& ApiServer::options() const { return core_->options(); }
AdmissionChain& ApiServer::admission() { return core_->admission(); }

Result<std::shared_ptr<const Json>> ApiServer::Get(const ResourceRef& ref,
                                                   const api::GetOptions& options,
                                                   const RequestContext& ctx) {
  return Guard([&] { return core_->Get(ref, options, ctx); });
}
Result<ListResult> ApiServer::List(const ResourceRef& ref, const api::ListOptions& options,
                                   const RequestContext& ctx) {
  return Guard([&] { return core_->List(ref, options, ctx); });
}
Result<WriteResult> ApiServer::Create(const ResourceRef& ref, Json object,
                                      const api::WriteOptions& options, const RequestContext& ctx) {
  return Guard([&] { return core_->Create(ref, std::move(object), options, ctx); });
}
Result<WriteResult> ApiServer::Update(const ResourceRef& ref, Json object,
                                      const api::WriteOptions& options, const RequestContext& ctx) {
  return Guard([&] { return core_->Update(ref, std::move(object), options, ctx); });
}
Result<WriteResult> ApiServer::Patch(const ResourceRef& ref, api::PatchType type,
                                     std::string_view patch, const api::WriteOptions& options,
                                     const RequestContext& ctx) {
  return Guard([&] { return core_->Patch(ref, type, patch, options, ctx); });
}
Result<DeleteResult> ApiServer::Delete(const ResourceRef& ref, const api::DeleteOptions& options,
                                       const RequestContext& ctx) {
  return Guard([&] { return core_->Delete(ref, options, ctx); });
}
Result<ListResult> ApiServer::DeleteCollection(const ResourceRef& ref,
                                               const api::ListOptions& selectors,
                                               const api::DeleteOptions& options,
                                               const RequestContext& ctx) {
  return Guard([&] { return core_->DeleteCollection(ref, selectors, options, ctx); });
}
Result<std::unique_ptr<WatchHandle>> ApiServer::Watch(const ResourceRef& ref,
                                                      const api::ListOptions& options,
                                                      std::shared_ptr<WatchSink> sink,
                                                      const RequestContext& ctx) {
  return Guard([&] { return core_->Watch(ref, options, std::move(sink), ctx); });
}

void ApiServer::ReadTypes(const std::function<void(const TypeRegistry&)>& fn) const {
  core_->ReadTypes(fn);
}
std::optional<ResourceType> ApiServer::Resolve(const api::GroupVersionResource& gvr) const {
  return core_->Resolve(gvr);
}
Result<Json> ApiServer::RenderTable(const api::GroupVersionResource& gvr,
                                    const std::vector<const Json*>& objects,
                                    std::string_view include_object) const {
  return core_->RenderTable(gvr, objects, include_object);
}
uint64_t ApiServer::resource_version() const { return core_->resource_version(); }
ApiServer::Stats ApiServer::stats() const { return core_->stats(); }

namespace {

Result<std::vector<std::string>> CrdFiles(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return std::vector<std::string>{path};
  if (!fs::is_directory(path, ec)) return NotFound("no CRD file or directory at " + path);
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    if (!entry.is_regular_file()) continue;
    std::string ext = entry.path().extension().string();
    if (ext == ".yaml" || ext == ".yml" || ext == ".json") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

Status ApiServer::LoadCrds(const std::string& file_or_directory) {
  KT_ASSIGN_OR_RETURN(auto files, CrdFiles(file_or_directory));
  RequestContext ctx;
  ctx.internal = true;
  for (const auto& file : files) {
    std::ifstream in(file);
    if (!in) return NotFound("cannot read " + file);
    std::stringstream text;
    text << in.rdbuf();
    auto docs = ParseYamlDocuments(text.str());
    if (!docs.ok()) return docs.status().Annotate(file);
    for (size_t i = 0; i < docs->size(); ++i) {
      Json doc = (*docs)[i];
      if (api::Kind(doc) == "List" && doc.contains("items") && doc["items"].is_array()) {
        for (const Json& item : doc["items"]) docs->push_back(item);
        continue;
      }
      if (api::Kind(doc) != "CustomResourceDefinition") continue;
      std::string name = api::Name(doc);
      ResourceRef ref{api::resources::kCustomResourceDefinitions, "", "", ""};
      auto created = Create(ref, doc, {}, ctx);
      if (created.ok()) continue;
      if (!created.status().Is(StatusCode::kAlreadyExists)) {
        return created.status().Annotate(file + ": CRD " + name);
      }
      ref.name = name;
      auto live = Get(ref, {}, ctx);
      if (!live.ok()) return live.status().Annotate(file);
      doc["metadata"]["resourceVersion"] = api::ResourceVersion(**live);
      auto updated = Update(ref, doc, {}, ctx);
      if (!updated.ok()) return updated.status().Annotate(file + ": CRD " + name);
    }
  }
  return Status::Ok();
}

}  // namespace kt::sim
