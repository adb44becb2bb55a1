#include "cmd/kaito-twin/demo.h"

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "scenarios/quickstart.h"

namespace kt::twin {

namespace {

// The source tree (examples/ and deploy/crds): the working directory, else a parent of the
// binary (build/bin/kaito-twin -> ../..).
std::string SourceRoot() {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory("examples", ec) && fs::is_directory("deploy/crds", ec)) return ".";
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path dir = exe.parent_path(); !dir.empty() && dir != dir.root_path();
         dir = dir.parent_path()) {
      if (fs::is_directory(dir / "examples", ec) && fs::is_directory(dir / "deploy" / "crds", ec)) {
        return dir.string();
      }
    }
  }
  return ".";
}

}  // namespace

std::string DemoUsage() {
  return "usage: kaito-twin demo [--seed N] [--example FILE] [--keep]\n"
         "  Runs the quick start in virtual time: applies the Phi-3 workspace (or FILE), the\n"
         "  provisioner creates an agent pool on the fake AKS, the node joins and gets its GPU,\n"
         "  the inference Deployment runs; prints the timeline, `kubectl get workspace`, the\n"
         "  Service's cluster IP, then deletes the workspace (unless --keep) and shows that the\n"
         "  NodeClaim, agent pool and Node are gone. Same seed, same digest.\n";
}

int RunDemo(const std::vector<std::string>& args) {
  scenarios::QuickStartOptions o;
  const std::string root = SourceRoot();
  o.example = root + "/examples/inference/kaito_workspace_phi_3.yaml";
  o.crd_dir = root + "/deploy/crds";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= args.size()) return false;
      *out = args[++i];
      return true;
    };
    std::string v;
    if (a == "--help" || a == "-h") {
      std::cout << DemoUsage();
      return 0;
    } else if (a == "--keep") {
      o.delete_after = false;
    } else if (a == "--seed") {
      char* end = nullptr;
      if (!value(&v)) {
        std::cerr << "kaito-twin demo: --seed needs a value\n" << DemoUsage();
        return 2;
      }
      unsigned long long n = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || v[0] == '-') {
        std::cerr << "kaito-twin demo: --seed: not a number: " << v << "\n";
        return 2;
      }
      o.seed = n;
    } else if (a == "--example") {
      if (!value(&o.example)) {
        std::cerr << "kaito-twin demo: --example needs a value\n" << DemoUsage();
        return 2;
      }
    } else {
      std::cerr << "kaito-twin demo: unknown flag: " << a << "\n" << DemoUsage();
      return 2;
    }
  }
  auto report = scenarios::RunQuickStart(o);
  if (!report.ok()) {
    std::cerr << "kaito-twin demo: " << report.status().ToString() << "\n";
    return 1;
  }
  std::cout << scenarios::FormatQuickStartReport(*report) << std::flush;
  const bool ok = report->ready && (!o.delete_after || report->deleted);
  return ok ? 0 : 1;
}

}  // namespace kt::twin
