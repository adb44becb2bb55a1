#include "cmd/kaito-twin/up.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "base/log.h"
#include "base/real_env.h"
#include "base/termination_signals.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/http/api_http_server.h"

namespace kt::twin {

std::string UpUsage() {
  return "usage: kaito-twin up [--port N] [--bind ADDR] [--kubeconfig FILE] [--insecure]\n"
         "                     [--crds DIR|FILE ...] [--version-minor N] [--threads N]\n"
         "                     [--seed N] [--log-level debug|info|warning|error]\n"
         "  Serves the twin's Kubernetes API on ADDR:N (default 127.0.0.1:6443) with TLS and a\n"
         "  bearer token (--insecure: plain HTTP, no authentication), loads the CRDs of\n"
         "  deploy/crds (or --crds), writes a kubeconfig and runs until interrupted.\n"
         "  --version-minor picks what /version reports (the kubectl dispatcher runs\n"
         "  kubectl.1.<minor>); the default 32 keeps the dispatcher on kubectl 1.32.\n" +
         UpClusterUsage()
#if KT_TWIN_WITH_CONTROLLERS
         + UpControllersUsage()
#endif
         ;
}

bool ParseUpFlags(const std::vector<std::string>& args, UpFlags* f, std::string* error) {
  auto value = [&](size_t& i, const std::string& name, std::string* out) {
    const std::string& a = args[i];
    if (a.size() > name.size() && a.compare(0, name.size() + 1, name + "=") == 0) {
      *out = a.substr(name.size() + 1);
      return true;
    }
    if (a != name) return false;
    if (i + 1 >= args.size()) {
      *error = name + " needs a value";
      return false;
    }
    *out = args[++i];
    return true;
  };
  auto to_int = [&](const std::string& name, const std::string& v, long min, long max, long* out) {
    char* end = nullptr;
    long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < min || n > max) {
      *error = name + ": not a number in [" + std::to_string(min) + ", " + std::to_string(max) + "]: " + v;
      return false;
    }
    *out = n;
    return true;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string v;
    long n = 0;
    const std::string& a = args[i];
    if (a == "--insecure") {
      f->insecure = true;
    } else if (value(i, "--port", &v)) {
      if (!to_int("--port", v, 0, 65535, &n)) return false;
      f->port = static_cast<int>(n);
    } else if (value(i, "--bind", &v)) {
      f->bind_address = v;
    } else if (value(i, "--kubeconfig", &v)) {
      f->kubeconfig = v;
    } else if (value(i, "--crds", &v)) {
      f->crd_paths.push_back(v);
    } else if (value(i, "--version-minor", &v)) {
      if (!to_int("--version-minor", v, 0, 999, &n)) return false;
      f->version_minor = static_cast<int>(n);
    } else if (value(i, "--threads", &v)) {
      if (!to_int("--threads", v, 1, 64, &n)) return false;
      f->io_threads = static_cast<int>(n);
    } else if (value(i, "--seed", &v)) {
      if (!to_int("--seed", v, 0, LONG_MAX, &n)) return false;
      f->seed = static_cast<uint64_t>(n);
    } else if (value(i, "--log-level", &v)) {
      f->log_level = v;
#if KT_TWIN_WITH_CONTROLLERS
    } else if (ParseUpControllersFlag(args, &i, &f->controllers)) {
#endif
    } else if (ParseUpClusterFlag(args, &i, &f->cluster, error)) {
      if (!error->empty()) return false;
    } else {
      if (error->empty()) *error = "unknown flag: " + a;
      return false;
    }
  }
  return true;
}

namespace {

// deploy/crds of the source tree: relative to the working directory, else to the binary
// (build/bin/kaito-twin -> ../../deploy/crds).
std::string DefaultCrdDir() {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory("deploy/crds", ec)) return "deploy/crds";
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path dir = exe.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
      if (fs::is_directory(dir / "deploy" / "crds", ec)) return (dir / "deploy" / "crds").string();
    }
  }
  return "";
}

Status WriteKubeconfig(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return Unavailable("cannot write " + path);
  out << text;
  out.close();
  if (!out) return Unavailable("cannot write " + path);
  ::chmod(path.c_str(), 0600);
  return Status::Ok();
}

}  // namespace

int RunUp(const UpFlags& flags) {
  auto level = ParseLogLevel(flags.log_level);
  if (!level.ok()) {
    std::cerr << level.status().message() << "\n";
    return 2;
  }
  SetLogLevel(*level);
  // SIGINT/SIGTERM are taken by WaitForSignal below, never by the io threads.
  const sigset_t signals = BlockTerminationSignals();

  RealEnv env(RealEnv::Options{flags.seed, flags.cluster.speed});
  SetLogClock([&env] { return env.Now(); });
  sim::ApiServer server(env);
  std::vector<std::string> crds = flags.crd_paths;
  if (crds.empty()) {
    std::string dir = DefaultCrdDir();
    if (!dir.empty()) {
      crds.push_back(dir);
    } else {
      KT_LOG(WARNING) << "no deploy/crds directory found; starting without the Kaito CRDs";
    }
  }
  for (const auto& path : crds) {
    Status s = server.LoadCrds(path);
    if (!s.ok()) {
      std::cerr << "kaito-twin up: loading CRDs from " << path << ": " << s.message() << "\n";
      return 1;
    }
  }
  sim::ServeOptions so;
  so.bind_address = flags.bind_address;
  so.port = static_cast<uint16_t>(flags.port);
  so.insecure = flags.insecure;
  so.version_minor = flags.version_minor;
  sim::ApiHttpServer http(env, server, so);
  Status started = http.Start();
  if (!started.ok()) {
    std::cerr << "kaito-twin up: " << started.message() << "\n";
    return 1;
  }
  Status wrote = WriteKubeconfig(flags.kubeconfig, http.Kubeconfig());
  if (!wrote.ok()) {
    std::cerr << "kaito-twin up: " << wrote.message() << "\n";
    return 1;
  }
  UpCluster cluster(env, server, flags.cluster);
  Status cluster_started = cluster.Start();
  if (!cluster_started.ok()) {
    std::cerr << "kaito-twin up: " << cluster_started.message() << "\n";
    return 1;
  }
#if KT_TWIN_WITH_CONTROLLERS
  UpControllers controllers(env, server, cluster.aks(), flags.controllers);
  Status controllers_started = controllers.Start();
  if (!controllers_started.ok()) {
    std::cerr << "kaito-twin up: controllers: " << controllers_started.message() << "\n";
    return 1;
  }
#endif
  env.RunInBackground(flags.io_threads);
  std::error_code ec;
  std::string kubeconfig = std::filesystem::absolute(flags.kubeconfig, ec).string();
  std::cout << "kaito-twin: Kubernetes API on " << http.base_url()
            << (flags.insecure ? " (insecure: plain HTTP, no authentication)" : " (TLS, bearer token)")
            << "\n"
            << "kaito-twin: kubeconfig written to " << kubeconfig << "\n"
            << "Point kubectl at it:\n"
            << "  export KUBECONFIG=" << kubeconfig << "\n"
            << "  kubectl get workspaces\n"
            << cluster.Banner()
#if KT_TWIN_WITH_CONTROLLERS
            << controllers.Banner()
#endif
            << "Press Ctrl-C to stop." << std::endl;

  const int sig = WaitForSignal(signals);
  std::cout << "kaito-twin: " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ", shutting down" << std::endl;
  http.Stop();
#if KT_TWIN_WITH_CONTROLLERS
  controllers.Stop();
#endif
  cluster.Stop();
  env.Stop();
  env.Join();
  return 0;
}

}  // namespace kt::twin
