#include "scenarios/world.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "api/resource.h"
#include "base/check.h"
#include "base/json.h"
#include "base/yaml.h"
#include "controllers/kaito/default_configmaps.h"
#include "controllers/provisioner/setup.h"
#include "controllers/workspace/setup.h"
#include "scenarios/webhook_plugin.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/in_process_client.h"
#include "sim/cloud/cloud_config.h"
#include "sim/cloud/fake_aks.h"
#include "sim/cloud/in_process_agent_pool_client.h"
#include "sim/cloud/sku_catalog.h"

namespace kt::scenarios {

namespace res = api::resources;

struct World::ManagerSlot {
  std::unique_ptr<ctrl::Manager> mgr;
  std::unique_ptr<workspace::WorkspaceController> workspace;
  std::unique_ptr<controllers::provisioner::Provisioner> provisioner;
};

namespace {

uint64_t SumReconciles(ctrl::Manager& mgr) {
  // controller_runtime_reconcile_total{controller="...",result="..."} N
  std::istringstream in(mgr.metrics().Render());
  std::string line;
  double total = 0;
  while (std::getline(in, line)) {
    if (line.rfind("controller_runtime_reconcile_total{", 0) != 0) continue;
    auto sp = line.rfind(' ');
    if (sp == std::string::npos) continue;
    total += std::strtod(line.c_str() + sp + 1, nullptr);
  }
  return static_cast<uint64_t>(total);
}

}  // namespace

std::string HumanDuration(Duration d) {
  const int64_t s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  char buf[32];
  if (s < 0) return "<invalid>";
  if (s < 120) {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  } else if (s < 600) {
    if (s % 60 == 0) {
      std::snprintf(buf, sizeof buf, "%lldm", static_cast<long long>(s / 60));
    } else {
      std::snprintf(buf, sizeof buf, "%lldm%llds", static_cast<long long>(s / 60),
                    static_cast<long long>(s % 60));
    }
  } else if (s < 3 * 3600) {
    std::snprintf(buf, sizeof buf, "%lldm", static_cast<long long>(s / 60));
  } else if (s < 8 * 3600) {
    const long long h = s / 3600, m = (s / 60) % 60;
    if (m == 0) {
      std::snprintf(buf, sizeof buf, "%lldh", h);
    } else {
      std::snprintf(buf, sizeof buf, "%lldh%lldm", h, m);
    }
  } else if (s < 48 * 3600) {
    std::snprintf(buf, sizeof buf, "%lldh", static_cast<long long>(s / 3600));
  } else {
    std::snprintf(buf, sizeof buf, "%lldd", static_cast<long long>(s / 86400));
  }
  return buf;
}

World::World(WorldOptions options)
    : options_(std::move(options)), env_(SimEnv::Options{.seed = options_.seed}) {
  server_ = std::make_unique<sim::ApiServer>(env_);
  client_ = std::make_unique<sim::InProcessClient>(*server_);
  Status crds = server_->LoadCrds(options_.crd_dir);
  KT_CHECK(crds.ok()) << crds.ToString();

  // What Kaito's Helm chart installs: the release namespace and its default ConfigMaps, and
  // the webhook (in-process here).
  auto ns = client_->Create(res::kNamespaces, "",
                            {{"apiVersion", "v1"}, {"kind", "Namespace"},
                             {"metadata", {{"name", kReleaseNamespace}}}});
  KT_CHECK(ns.ok()) << ns.status().ToString();
  for (const Json& cm : kaito::DefaultConfigMaps(kReleaseNamespace)) {
    auto r = client_->Create(res::kConfigMaps, kReleaseNamespace, cm);
    KT_CHECK(r.ok()) << r.status().ToString();
  }
  server_->admission().AddValidating(
      std::make_shared<WorkspaceWebhookPlugin>(*client_, kReleaseNamespace));

  cluster_ = std::make_unique<sim::cluster::Cluster>(env_, *server_, options_.cluster);
  Status cs = cluster_->Start();
  KT_CHECK(cs.ok()) << cs.ToString();

  auto catalog = sim::cloud::SkuCatalog::LoadEmbedded();
  KT_CHECK(catalog.ok()) << catalog.status().ToString();
  auto config = sim::cloud::CloudConfig::LoadDefaultsWithOverlay(options_.cloud_overlay);
  KT_CHECK(config.ok()) << config.status().ToString();
  aks_ = std::make_unique<sim::cloud::FakeAks>(env_, std::move(catalog).value(),
                                               std::move(config).value());
  cloud_ = std::make_unique<sim::cloud::InProcessAgentPoolClient>(*aks_);

  timeline_ = std::make_unique<Timeline>(env_, *client_, options_.timeline_entries_max);
  Status ts = timeline_->Start();
  KT_CHECK(ts.ok()) << ts.ToString();
  aks_->AddObserver(&cluster_->vm_observer());
  aks_->AddObserver(timeline_.get());

  KT_CHECK(options_.managers >= 1);
  for (int i = 0; i < options_.managers; ++i) managers_.push_back(std::make_unique<ManagerSlot>());
  if (options_.start_managers) {
    for (size_t i = 0; i < managers_.size(); ++i) StartManager(i);
  }
}

World::~World() {
  for (size_t i = 0; i < managers_.size(); ++i) StopManager(i);
  timeline_->Stop();
  aks_->RemoveObserver(timeline_.get());
  aks_->RemoveObserver(&cluster_->vm_observer());
  cluster_->Stop();
  env_.RunFor(std::chrono::seconds(1));
}

std::string World::digest() { return env_.trace().Digest(); }

void World::StartManager(size_t i) {
  KT_CHECK(i < managers_.size());
  ManagerSlot& slot = *managers_[i];
  if (slot.mgr) return;
  ctrl::ManagerOptions mo;
  mo.identity = "kaito-controller-manager-" + std::to_string(i);
  mo.cache.lag_max = options_.cache_lag;
  if (options_.managers > 1) {
    mo.leader_election = true;
    mo.leader_election_id = kLeaseName;
    mo.leader_election_namespace = kReleaseNamespace;
  }
  slot.mgr = std::make_unique<ctrl::Manager>(env_, *client_, mo);
  workspace::WorkspaceControllerOptions wo;
  wo.release_namespace = kReleaseNamespace;
  slot.workspace = workspace::WorkspaceController::Setup(*slot.mgr, wo);
  auto p = controllers::provisioner::Provisioner::Setup(*slot.mgr, *cloud_, options_.provisioner);
  KT_CHECK(p.ok()) << p.status().ToString();
  slot.provisioner = std::move(p).value();
  Status s = slot.mgr->Start();
  KT_CHECK(s.ok()) << s.ToString();
  timeline_->Note(mo.identity + " started");
}

void World::StopManager(size_t i) {
  KT_CHECK(i < managers_.size());
  ManagerSlot& slot = *managers_[i];
  if (!slot.mgr) return;
  reconciles_of_stopped_ += SumReconciles(*slot.mgr);
  slot.mgr->Stop();
  timeline_->Note(slot.mgr->identity() + " stopped");
  slot.mgr.reset();
  slot.workspace.reset();
  slot.provisioner.reset();
}

bool World::ManagerRunning(size_t i) const { return i < managers_.size() && managers_[i]->mgr; }

ctrl::Manager& World::manager(size_t i) {
  KT_CHECK(ManagerRunning(i)) << "manager " << i << " is not running";
  return *managers_[i]->mgr;
}

int World::LeaderIndex() const {
  for (size_t i = 0; i < managers_.size(); ++i) {
    if (managers_[i]->mgr && managers_[i]->mgr->IsLeader()) return static_cast<int>(i);
  }
  return -1;
}

uint64_t World::reconciles() const {
  uint64_t total = reconciles_of_stopped_;
  for (const auto& slot : managers_) {
    if (slot->mgr) total += SumReconciles(*slot->mgr);
  }
  return total;
}

Result<Json> World::Create(const Json& object) {
  api::GroupVersionKind gvk = api::GvkOf(object);
  std::optional<sim::ResourceType> type;
  server_->ReadTypes([&](const sim::TypeRegistry& types) {
    if (const sim::ResourceType* t = types.FindByKind(gvk)) type = *t;
  });
  if (!type) {
    return BadRequest("no matches for kind \"" + gvk.kind + "\" in version \"" + gvk.ApiVersion() + "\"");
  }
  Json obj = object;
  std::string ns;
  if (type->namespaced) {
    ns = api::Namespace(obj);
    if (ns.empty()) ns = "default";
    obj["metadata"]["namespace"] = ns;
  }
  return client_->Create(type->gvr, ns, obj);
}

Status World::ApplyYaml(std::string_view text) {
  KT_ASSIGN_OR_RETURN(auto docs, ParseYamlDocuments(text));
  for (const Json& d : docs) {
    auto r = Create(d);
    if (!r.ok()) return r.status();
    timeline_->Note("created " + api::Kind(*r) + "/" + api::Name(*r));
  }
  return Status::Ok();
}

Status World::ApplyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ApplyYaml(ss.str()).Annotate(path);
}

Status World::DeleteWorkspace(const std::string& name, const std::string& ns) {
  auto r = client_->Delete(res::kWorkspaces, ns, name);
  if (!r.ok()) return r.status();
  timeline_->Note("deleted Workspace/" + name);
  return Status::Ok();
}

std::optional<Json> World::Get(const api::GroupVersionResource& gvr, const std::string& ns,
                               const std::string& name) {
  auto r = client_->Get(gvr, ns, name);
  if (!r.ok()) return std::nullopt;
  return std::move(r).value();
}

std::optional<Json> World::Workspace(const std::string& name, const std::string& ns) {
  return Get(res::kWorkspacesV1alpha1, ns, name);
}

std::optional<api::Condition> World::Cond(const std::string& ws, const std::string& type,
                                          const std::string& ns) {
  auto w = Workspace(ws, ns);
  if (!w) return std::nullopt;
  return api::FindCondition(*w, type);
}

std::string World::CondStatus(const std::string& ws, const std::string& type,
                              const std::string& ns) {
  auto c = Cond(ws, type, ns);
  return c ? c->status : "";
}

std::vector<Json> World::List(const api::GroupVersionResource& gvr, const std::string& ns,
                              const std::string& label_selector) {
  api::ListOptions lo;
  lo.label_selector = label_selector;
  auto r = client_->List(gvr, ns, lo);
  KT_CHECK(r.ok()) << r.status().ToString();
  std::vector<Json> out;
  for (const Json& i : (*r)["items"]) out.push_back(i);
  return out;
}

std::vector<Json> World::NodeClaims(const std::string& ws, const std::string& ns) {
  return List(res::kNodeClaims, "", "kaito.sh/workspace=" + ws + ",kaito.sh/workspacenamespace=" + ns);
}

std::vector<Json> World::GpuNodes() { return List(res::kNodes, "", "kaito.sh/workspace"); }

size_t World::PoolCount() { return aks_->pool_count(); }

std::string World::WorkspaceTable(const std::vector<std::string>& names, const std::string& ns) {
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "INSTANCE", "RESOURCEREADY", "INFERENCEREADY", "WORKSPACEREADY", "AGE"}};
  for (const auto& name : names) {
    auto w = Workspace(name, ns);
    if (!w) continue;
    auto cond = [&](const char* type) {
      auto c = api::FindCondition(*w, type);
      return c ? c->status : std::string();
    };
    std::string age = "<unknown>";
    if (auto created = api::CreationTimestamp(*w)) age = HumanDuration(env_.Now() - *created);
    rows.push_back({name, GetString(*w, "resource.instanceType"), cond("ResourceReady"),
                    cond("InferenceReady"), cond("WorkspaceReady"), age});
  }
  // kubectl's printer: columns left-aligned, three spaces apart.
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line += std::string(width[c] - r[c].size() + 3, ' ');
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace kt::scenarios
