// kaito-twin: the digital twin's command line. Subcommands grow with the project (the cluster
// twin, scenarios, the fake AKS); each lives in its own wiring file.
#include <iostream>
#include <string>
#include <vector>

#include "cmd/kaito-twin/up.h"
#if KT_TWIN_WITH_CONTROLLERS
#include "cmd/kaito-twin/demo.h"
#endif

namespace {
constexpr char kUsage[] =
    "usage: kaito-twin <command> [flags]\n"
    "commands:\n"
    "  up       serve the twin's Kubernetes API (see kaito-twin up --help)\n"
    "  demo     the quick start in virtual time (see kaito-twin demo --help)\n"
    "  help     this text\n";
}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string cmd = args[0];
  args.erase(args.begin());
  if (cmd == "up") {
    for (const auto& a : args) {
      if (a == "--help" || a == "-h") {
        std::cout << kt::twin::UpUsage();
        return 0;
      }
    }
    kt::twin::UpFlags flags;
    std::string error;
    if (!kt::twin::ParseUpFlags(args, &flags, &error)) {
      std::cerr << "kaito-twin up: " << error << "\n" << kt::twin::UpUsage();
      return 2;
    }
    return kt::twin::RunUp(flags);
  }
#if KT_TWIN_WITH_CONTROLLERS
  if (cmd == "demo") return kt::twin::RunDemo(args);
#endif
  std::cerr << "kaito-twin: unknown command \"" << cmd << "\"\n" << kUsage;
  return 2;
}
