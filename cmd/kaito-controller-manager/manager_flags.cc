#include "cmd/kaito-controller-manager/manager_flags.h"

#include <climits>
#include <cstdlib>

namespace kt::cm {

std::string ManagerUsage() {
  return "usage: kaito-controller-manager [flags]\n"
         "  --kubeconfig FILE                 Kubernetes API (default $KUBECONFIG, else in-cluster)\n"
         "  --cloud-endpoint URL              ARM base URL (kaito-twin up prints its fake AKS's)\n"
         "  --subscription-id ID --resource-group RG --cluster-name NAME   the AKS cluster\n"
         "  --cloud-token TOKEN               ARM bearer token (default $AZURE_ACCESS_TOKEN)\n"
         "  --leader-elect                    leader election on a Lease (release namespace)\n"
         "  --leader-election-id NAME         the Lease's name (kaito-controller-manager)\n"
         "  --release-namespace NS            default ConfigMaps and Lease (kaito-workspace)\n"
         "  --metrics-bind-address ADDR       Prometheus /metrics (\":8080\"; \"0\" off)\n"
         "  --health-probe-bind-address ADDR  /healthz, /readyz (\":8081\"; \"0\" off)\n"
         "  --webhook-port N                  HTTPS admission webhook (9443; 0 off)\n"
         "  --webhook-cert-dir DIR            tls.crt and tls.key\n"
         "  --webhook-self-register           generate the certificate into the cert dir and\n"
         "                                    register the ValidatingWebhookConfiguration\n"
         "  --no-default-configmaps           do not create Kaito's default ConfigMaps\n"
         "  --speed N                         virtual seconds per wall second (kaito-twin up --speed)\n"
         "  --seed N  --log-level debug|info|warning|error\n";
}

bool ParseManagerFlags(const std::vector<std::string>& args, ManagerFlags* f, std::string* error) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string v;
    bool has_inline = false;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      v = a.substr(eq + 1);
      a = a.substr(0, eq);
      has_inline = true;
    }
    auto value = [&](std::string* out) {
      if (has_inline) {
        *out = v;
        return true;
      }
      if (i + 1 >= args.size()) {
        *error = a + " needs a value";
        return false;
      }
      *out = args[++i];
      return true;
    };
    auto number = [&](long min, long max, long* out) {
      std::string s;
      if (!value(&s)) return false;
      char* end = nullptr;
      long n = std::strtol(s.c_str(), &end, 10);
      if (s.empty() || *end != '\0' || n < min || n > max) {
        *error = a + ": not a number in [" + std::to_string(min) + ", " + std::to_string(max) + "]: " + s;
        return false;
      }
      *out = n;
      return true;
    };
    long n = 0;
    if (a == "--leader-elect") {
      f->leader_elect = !has_inline || v == "true";
    } else if (a == "--webhook-self-register") {
      f->webhook_self_register = !has_inline || v == "true";
    } else if (a == "--no-default-configmaps") {
      f->install_default_configmaps = false;
    } else if (a == "--kubeconfig") {
      if (!value(&f->kubeconfig)) return false;
    } else if (a == "--cloud-endpoint") {
      if (!value(&f->cloud_endpoint)) return false;
    } else if (a == "--subscription-id") {
      if (!value(&f->subscription_id)) return false;
    } else if (a == "--resource-group") {
      if (!value(&f->resource_group)) return false;
    } else if (a == "--cluster-name") {
      if (!value(&f->cluster_name)) return false;
    } else if (a == "--cloud-token") {
      if (!value(&f->cloud_token)) return false;
    } else if (a == "--leader-election-id") {
      if (!value(&f->leader_election_id)) return false;
    } else if (a == "--release-namespace") {
      if (!value(&f->release_namespace)) return false;
    } else if (a == "--metrics-bind-address") {
      if (!value(&f->metrics_bind_address)) return false;
    } else if (a == "--health-probe-bind-address") {
      if (!value(&f->health_probe_bind_address)) return false;
    } else if (a == "--webhook-cert-dir") {
      if (!value(&f->webhook_cert_dir)) return false;
    } else if (a == "--log-level") {
      if (!value(&f->log_level)) return false;
    } else if (a == "--webhook-port") {
      if (!number(0, 65535, &n)) return false;
      f->webhook_port = static_cast<int>(n);
    } else if (a == "--seed") {
      if (!number(0, LONG_MAX, &n)) return false;
      f->seed = static_cast<uint64_t>(n);
    } else if (a == "--speed") {
      std::string s;
      if (!value(&s)) return false;
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (s.empty() || *end != '\0' || !(d > 0) || d > 100000) {
        *error = "--speed: not a number in (0, 100000]: " + s;
        return false;
      }
      f->speed = d;
    } else {
      *error = "unknown flag: " + args[i];
      return false;
    }
  }
  return true;
}

}  // namespace kt::cm
