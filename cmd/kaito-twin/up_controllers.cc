#include "cmd/kaito-twin/up_controllers.h"

#include <nlohmann/json.hpp>

#include "api/resource.h"
#include "controllers/kaito/default_configmaps.h"
#include "controllers/provisioner/setup.h"
#include "controllers/runtime/manager.h"
#include "controllers/workspace/setup.h"
#include "scenarios/webhook_plugin.h"
#include "scenarios/world.h"
#include "sim/apiserver/in_process_client.h"
#include "sim/cloud/fake_aks.h"
#include "sim/cloud/in_process_agent_pool_client.h"

namespace kt::twin {

namespace res = api::resources;

bool ParseUpControllersFlag(const std::vector<std::string>& args, size_t* i,
                            UpControllersFlags* flags) {
  if (args[*i] == "--no-controllers") {
    flags->enabled = false;
    return true;
  }
  return false;
}

std::string UpControllersUsage() {
  return "  controllers:\n"
         "    --no-controllers     do not run Kaito's controllers and webhook in-process (run\n"
         "                         kaito-controller-manager against this twin instead)\n";
}

UpControllers::UpControllers(RealEnv& env, sim::ApiServer& server, sim::cloud::FakeAks* aks,
                             UpControllersFlags flags)
    : env_(env), server_(server), aks_(aks), flags_(flags) {}

UpControllers::~UpControllers() { Stop(); }

Status UpControllers::Start() {
  if (!flags_.enabled) return Status::Ok();
  client_ = std::make_unique<sim::InProcessClient>(server_);
  const std::string ns = scenarios::kReleaseNamespace;
  auto created = client_->Create(res::kNamespaces, "",
                                 {{"apiVersion", "v1"}, {"kind", "Namespace"},
                                  {"metadata", {{"name", ns}}}});
  if (!created.ok() && !created.status().Is(StatusCode::kAlreadyExists)) return created.status();
  for (const Json& cm : kaito::DefaultConfigMaps(ns)) {
    auto r = client_->Create(res::kConfigMaps, ns, cm);
    if (!r.ok() && !r.status().Is(StatusCode::kAlreadyExists)) return r.status();
  }
  server_.admission().AddValidating(std::make_shared<scenarios::WorkspaceWebhookPlugin>(*client_, ns));

  ctrl::ManagerOptions mo;
  mo.identity = "kaito-twin-controllers";
  mgr_ = std::make_unique<ctrl::Manager>(env_, *client_, mo);
  workspace::WorkspaceControllerOptions wo;
  wo.release_namespace = ns;
  workspace_ = workspace::WorkspaceController::Setup(*mgr_, wo);
  if (aks_ != nullptr) {
    cloud_ = std::make_unique<sim::cloud::InProcessAgentPoolClient>(*aks_);
    auto p = controllers::provisioner::Provisioner::Setup(*mgr_, *cloud_, {});
    if (!p.ok()) return p.status();
    provisioner_ = std::move(p).value();
  }
  return mgr_->Start();
}

std::string UpControllers::Banner() const {
  if (!flags_.enabled) {
    return "kaito-twin: controllers not running (--no-controllers): start kaito-controller-manager\n";
  }
  return std::string("kaito-twin: Kaito workspace controller") +
         (provisioner_ ? " + GPU provisioner" : "") +
         " running in-process; webhook validation.workspace.kaito.sh in the API server\n"
         "  kubectl apply -f examples/inference/kaito_workspace_phi_3.yaml\n"
         "  kubectl get workspace -w\n";
}

void UpControllers::Stop() {
  if (mgr_) mgr_->Stop();
  if (client_) server_.admission().Remove(scenarios::kWebhookPluginName);
}

}  // namespace kt::twin
