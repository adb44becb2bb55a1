#include "cmd/kaito-twin/up_cluster.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/log.h"
#include "sim/cloud/arm_endpoint.h"
#include "sim/cloud/cloud_config.h"
#include "sim/cloud/fake_aks.h"
#include "sim/cloud/sku_catalog.h"
#include "sim/cluster/cluster.h"

namespace kt::twin {

namespace {
constexpr double kSpeedMax = 100000;
}  // namespace

std::string UpClusterUsage() {
  return "  cluster and fake AKS flags:\n"
         "    --speed N            virtual seconds per wall second (default 1; 60 makes a 6 min\n"
         "                         VM boot take 6 s)\n"
         "    --arm-port N         port of the fake AKS's ARM endpoint (default: a free port)\n"
         "    --arm-bind ADDR      address of the ARM endpoint (default 127.0.0.1)\n"
         "    --arm-token T        require \"Authorization: Bearer T\" on ARM requests\n"
         "    --cloud-config FILE  YAML overlay on the fake AKS defaults (quota, capacity, ...)\n"
         "    --images FILE        the kubelets' image catalog (default: compiled in)\n"
         "    --no-cluster         serve the API server alone (no scheduler, kubelets, AKS)\n";
}

bool ParseUpClusterFlag(const std::vector<std::string>& args, size_t* i, UpClusterFlags* f,
                        std::string* error) {
  const std::string& a = args[*i];
  auto value = [&](const std::string& name, std::string* out) {
    if (a.size() > name.size() && a.compare(0, name.size() + 1, name + "=") == 0) {
      *out = a.substr(name.size() + 1);
      return true;
    }
    if (a != name) return false;
    if (*i + 1 >= args.size()) {
      *error = name + " needs a value";
      return true;
    }
    *out = args[++*i];
    return true;
  };
  std::string v;
  if (a == "--no-cluster") {
    f->enabled = false;
    return true;
  }
  if (value("--speed", &v)) {
    if (!error->empty()) return true;
    char* end = nullptr;
    double s = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !(s > 0) || s > kSpeedMax) {
      *error = "--speed: not a number in (0, 100000]: " + v;
    } else {
      f->speed = s;
    }
    return true;
  }
  if (value("--arm-port", &v)) {
    if (!error->empty()) return true;
    char* end = nullptr;
    long p = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || p < 0 || p > 65535) {
      *error = "--arm-port: not a number in [0, 65535]: " + v;
    } else {
      f->arm_port = static_cast<int>(p);
    }
    return true;
  }
  if (value("--arm-bind", &v)) {
    f->arm_bind = v;
    return true;
  }
  if (value("--arm-token", &v)) {
    f->arm_token = v;
    return true;
  }
  if (value("--cloud-config", &v)) {
    f->cloud_config = v;
    return true;
  }
  if (value("--images", &v)) {
    f->image_catalog = v;
    return true;
  }
  return false;
}

UpCluster::UpCluster(RealEnv& env, sim::ApiServer& server, UpClusterFlags flags)
    : env_(env), server_(server), flags_(std::move(flags)) {}

UpCluster::~UpCluster() { Stop(); }

Status UpCluster::Start() {
  if (!flags_.enabled) return Status::Ok();
  sim::cluster::ClusterOptions co;
  co.image_catalog_file = flags_.image_catalog;
  cluster_ = std::make_unique<sim::cluster::Cluster>(env_, server_, co);
  KT_RETURN_IF_ERROR(cluster_->Start().Annotate("starting the cluster"));

  auto catalog = sim::cloud::SkuCatalog::LoadEmbedded();
  if (!catalog.ok()) return catalog.status().Annotate("SKU catalog");
  std::string overlay;
  if (!flags_.cloud_config.empty()) {
    std::ifstream in(flags_.cloud_config);
    if (!in) return NotFound("cannot read " + flags_.cloud_config);
    std::stringstream ss;
    ss << in.rdbuf();
    overlay = ss.str();
  }
  auto config = sim::cloud::CloudConfig::LoadDefaultsWithOverlay(overlay);
  if (!config.ok()) return config.status().Annotate("cloud config");
  aks_ = std::make_unique<sim::cloud::FakeAks>(env_, std::move(*catalog), std::move(*config));
  aks_->AddObserver(&cluster_->vm_observer());

  sim::cloud::ArmEndpointOptions arm;
  arm.server.bind_address = flags_.arm_bind;
  arm.server.port = static_cast<uint16_t>(flags_.arm_port);
  arm.handler.bearer_token = flags_.arm_token;
  arm_ = std::make_unique<sim::cloud::ArmEndpoint>(env_, *aks_, arm);
  KT_RETURN_IF_ERROR(arm_->Start().Annotate("starting the ARM endpoint"));
  return Status::Ok();
}

std::string UpCluster::Banner() const {
  if (!arm_) return "kaito-twin: cluster disabled (--no-cluster)\n";
  std::ostringstream out;
  out << "kaito-twin: cluster running at speed " << flags_.speed << "x (virtual seconds per second)\n"
      << "kaito-twin: ARM endpoint " << arm_->base_url() << "\n"
      << "kaito-twin: agent pools " << arm_->agent_pools_url() << "?api-version=2024-09-01\n"
      << "Create a GPU agent pool:\n"
      << "  curl -X PUT '" << arm_->agent_pools_url() << "/gpu1?api-version=2024-09-01' \\\n"
      << "    -H 'Content-Type: application/json'"
      << (flags_.arm_token.empty() ? "" : " -H 'Authorization: Bearer " + flags_.arm_token + "'")
      << " \\\n"
      << "    -d '{\"properties\":{\"vmSize\":\"Standard_NC24ads_A100_v4\",\"count\":1}}'\n"
      << "  kubectl get nodes -w\n";
  return out.str();
}

void UpCluster::Stop() {
  // The HTTP side first (no new ARM calls), then the cluster's loop and watches. FakeAks's
  // timers stay queued until the Env stops; it is destroyed after that.
  if (arm_) arm_->Stop();
  if (aks_ && cluster_) aks_->RemoveObserver(&cluster_->vm_observer());
  if (cluster_) cluster_->Stop();
}

}  // namespace kt::twin
