#include "cmd/kaito-controller-manager/run_manager.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "api/resource.h"
#include "base/base64.h"
#include "base/log.h"
#include "base/net/tls_certs.h"
#include "base/real_env.h"
#include "base/termination_signals.h"
#include "controllers/kaito/default_configmaps.h"
#include "controllers/provisioner/arm_agent_pool_client.h"
#include "controllers/provisioner/setup.h"
#include "controllers/runtime/http_kube_client.h"
#include "controllers/runtime/manager.h"
#include "controllers/runtime/rest_config.h"
#include "controllers/webhook/admission_review.h"
#include "controllers/webhook/config_map_reader.h"
#include "controllers/workspace/setup.h"

namespace kt::cm {

namespace res = api::resources;

namespace {

Status CreateIfAbsent(api::KubeClient& client, const api::GroupVersionResource& gvr,
                      const std::string& ns, const Json& obj) {
  auto r = client.Create(gvr, ns, obj);
  if (r.ok() || r.status().Is(StatusCode::kAlreadyExists)) return Status::Ok();
  return r.status();
}

// What Kaito's Helm chart installs and the webhook needs: the release namespace and the three
// default ConfigMaps.
Status InstallDefaults(api::KubeClient& client, const std::string& ns) {
  KT_RETURN_IF_ERROR(CreateIfAbsent(client, res::kNamespaces, "",
                                    {{"apiVersion", "v1"}, {"kind", "Namespace"},
                                     {"metadata", {{"name", ns}}}}));
  for (const Json& cm : kaito::DefaultConfigMaps(ns)) {
    KT_RETURN_IF_ERROR(CreateIfAbsent(client, res::kConfigMaps, ns, cm));
  }
  return Status::Ok();
}

Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return Unavailable("cannot write " + path);
  out << text;
  out.close();
  if (!out) return Unavailable("cannot write " + path);
  return Status::Ok();
}

// A CA and a serving certificate for 127.0.0.1 / localhost / the in-cluster Service name.
Result<std::string> GenerateWebhookCerts(Env& env, const ManagerFlags& f) {
  std::error_code ec;
  std::filesystem::create_directories(f.webhook_cert_dir, ec);
  if (ec) return Unavailable("cannot create " + f.webhook_cert_dir + ": " + ec.message());
  KT_ASSIGN_OR_RETURN(auto ca, net::GenerateCa("kaito-webhook-ca", env.Now() - std::chrono::hours(1),
                                               std::chrono::hours(24 * 365)));
  net::CertRequest req;
  req.common_name = "kaito-workspace-webhook";
  req.dns_names = {"localhost", "kaito-workspace." + f.release_namespace + ".svc",
                   "kaito-workspace." + f.release_namespace + ".svc.cluster.local"};
  req.ip_addresses = {"127.0.0.1"};
  req.not_before = env.Now() - std::chrono::hours(1);
  KT_ASSIGN_OR_RETURN(auto leaf, net::IssueCert(ca, req));
  KT_RETURN_IF_ERROR(WriteFile(f.webhook_cert_dir + "/tls.crt", leaf.cert_pem));
  KT_RETURN_IF_ERROR(WriteFile(f.webhook_cert_dir + "/tls.key", leaf.key_pem));
  ::chmod((f.webhook_cert_dir + "/tls.key").c_str(), 0600);
  return ca.cert_pem;
}

// Kaito's ValidatingWebhookConfiguration, pointing at this process.
Status RegisterWebhook(api::KubeClient& client, const std::string& ca_pem, uint16_t port) {
  const std::string name(webhook::kValidatingWebhookName);
  Json config = {
      {"apiVersion", "admissionregistration.k8s.io/v1"},
      {"kind", "ValidatingWebhookConfiguration"},
      {"metadata", {{"name", name}}},
      {"webhooks",
       Json::array({{{"name", name},
                     {"admissionReviewVersions", Json::array({"v1"})},
                     {"sideEffects", "None"},
                     {"failurePolicy", "Fail"},
                     {"timeoutSeconds", 10},
                     {"clientConfig",
                      {{"url", "https://127.0.0.1:" + std::to_string(port) +
                                   std::string(webhook::kValidatingPath)},
                       {"caBundle", Base64Encode(ca_pem)}}},
                     {"rules", Json::array({{{"apiGroups", Json::array({"kaito.sh"})},
                                             {"apiVersions", Json::array({"v1alpha1", "v1beta1"})},
                                             {"operations", Json::array({"CREATE", "UPDATE"})},
                                             {"resources", Json::array({"workspaces"})},
                                             {"scope", "Namespaced"}}})}}})}};
  const api::GroupVersionResource gvr{"admissionregistration.k8s.io", "v1",
                                      "validatingwebhookconfigurations"};
  auto existing = client.Get(gvr, "", name);
  if (existing.ok()) {
    config["metadata"]["resourceVersion"] = (*existing)["metadata"]["resourceVersion"];
    return client.Update(gvr, "", config).status();
  }
  return client.Create(gvr, "", config).status();
}

}  // namespace

int RunManager(const ManagerFlags& f) {
  auto level = ParseLogLevel(f.log_level);
  if (!level.ok()) {
    std::cerr << "kaito-controller-manager: " << level.status().message() << "\n";
    return 2;
  }
  SetLogLevel(*level);
  const sigset_t signals = BlockTerminationSignals();

  RealEnv env(RealEnv::Options{f.seed, f.speed});
  SetLogClock([&env] { return env.Now(); });
  env.RunInBackground(2);
  // The client's watch threads belong to the Env: the client goes before env.Join().
  std::unique_ptr<ctrl::HttpKubeClient> kube;
  auto shutdown = [&] {
    kube.reset();
    env.Stop();
    env.Join();
  };
  auto fail = [&](const std::string& what, const Status& s) {
    std::cerr << "kaito-controller-manager: " << what << ": " << s.ToString() << std::endl;
    shutdown();
    return 1;
  };

  auto rest = ctrl::LoadRestConfig(f.kubeconfig);
  if (!rest.ok()) return fail("kubeconfig", rest.status());
  auto created = ctrl::HttpKubeClient::Create(env, std::move(rest).value());
  if (!created.ok()) return fail("Kubernetes client", created.status());
  kube = std::move(created).value();
  api::KubeClient* client = kube.get();
  if (f.install_default_configmaps) {
    Status s = InstallDefaults(*client, f.release_namespace);
    if (!s.ok()) return fail("installing the default ConfigMaps", s);
  }

  controllers::provisioner::ArmAgentPoolClientOptions arm;
  arm.endpoint = f.cloud_endpoint;
  arm.subscription_id = f.subscription_id;
  arm.resource_group = f.resource_group;
  arm.cluster_name = f.cluster_name;
  std::string token = f.cloud_token;
  if (token.empty()) {
    if (const char* t = std::getenv("AZURE_ACCESS_TOKEN")) token = t;
  }
  std::shared_ptr<controllers::provisioner::TokenProvider> tokens;
  if (!token.empty()) tokens = std::make_shared<controllers::provisioner::StaticTokenProvider>(token);
  auto cloud = controllers::provisioner::ArmAgentPoolClient::Create(arm, tokens);
  if (!cloud.ok()) return fail("ARM client", cloud.status());

  std::string ca_pem;
  if (f.webhook_port > 0 && f.webhook_self_register) {
    auto ca = GenerateWebhookCerts(env, f);
    if (!ca.ok()) return fail("webhook certificates", ca.status());
    ca_pem = *ca;
  }

  ctrl::ManagerOptions mo;
  mo.leader_election = f.leader_elect;
  mo.leader_election_id = f.leader_election_id;
  mo.leader_election_namespace = f.release_namespace;
  mo.metrics_bind_address = f.metrics_bind_address;
  mo.health_probe_bind_address = f.health_probe_bind_address;
  if (f.webhook_port > 0) {
    mo.webhook_bind_address = "127.0.0.1:" + std::to_string(f.webhook_port);
    if (!f.webhook_self_register) mo.webhook_bind_address = ":" + std::to_string(f.webhook_port);
    mo.webhook_cert_dir = f.webhook_cert_dir;
  }
  int exit_code = 0;
  {
    ctrl::Manager mgr(env, *client, mo);
    workspace::WorkspaceControllerOptions wo;
    wo.release_namespace = f.release_namespace;
    auto ws = workspace::WorkspaceController::Setup(mgr, wo);
    auto prov = controllers::provisioner::Provisioner::Setup(mgr, **cloud, {});
    if (!prov.ok()) {
      mgr.Stop();
      return fail("provisioner", prov.status());
    }
    webhook::KubeClientConfigMapReader config_maps(*client);
    webhook::ValidationContext ctx;
    ctx.config_maps = &config_maps;
    ctx.release_namespace = f.release_namespace;
    if (f.webhook_port > 0) {
      auto serve = [&ctx](const net::HttpRequest& r) { return webhook::ServeAdmissionHttp(r, ctx); };
      mgr.AddWebhook(std::string(webhook::kValidatingPath), serve);
      mgr.AddWebhook(std::string(webhook::kDefaultingPath), serve);
    }
    Status started = mgr.Start();
    if (!started.ok()) {
      mgr.Stop();
      return fail("starting the manager", started);
    }
    if (f.webhook_port > 0 && f.webhook_self_register) {
      Status s = RegisterWebhook(*client, ca_pem, mgr.webhook_port());
      if (!s.ok()) {
        mgr.Stop();
        return fail("registering the webhook", s);
      }
    }
    std::cout << "kaito-controller-manager: " << mgr.identity() << " started"
              << (f.leader_elect ? " (leader election on " + f.release_namespace + "/" +
                                       f.leader_election_id + ")"
                                 : "")
              << "; metrics :" << mgr.metrics_port() << ", probes :" << mgr.health_probe_port()
              << ", webhook :" << mgr.webhook_port() << ", ARM " << f.cloud_endpoint << std::endl;

    // Ctrl-C / SIGTERM -> graceful stop; a lost lease ends Wait() with an error instead.
    std::thread signal_waiter([&] {
      WaitForSignal(signals);
      mgr.Stop();
    });
    Status done = mgr.Wait();
    if (!done.ok()) {
      std::cerr << "kaito-controller-manager: " << done.ToString() << std::endl;
      mgr.Stop();
    }
    ::kill(::getpid(), SIGTERM);  // wakes the waiter when the lease was lost
    signal_waiter.join();
    exit_code = done.ok() ? 0 : 1;
  }
  shutdown();
  std::cout << "kaito-controller-manager: stopped" << std::endl;
  return exit_code;
}

}  // namespace kt::cm
