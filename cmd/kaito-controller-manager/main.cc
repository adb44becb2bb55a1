// kaito-controller-manager: Kaito's workspace controller, the GPU provisioner and the Workspace
// admission webhook in one binary - the one that would ship to AKS. Against kaito-twin:
//   kaito-twin up --no-controllers --speed 60 &
//   kaito-controller-manager --kubeconfig kaito-twin.kubeconfig --cloud-endpoint <ARM url> --speed 60
#include <iostream>
#include <string>
#include <vector>

#include "cmd/kaito-controller-manager/manager_flags.h"
#include "cmd/kaito-controller-manager/run_manager.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      std::cout << kt::cm::ManagerUsage();
      return 0;
    }
  }
  kt::cm::ManagerFlags flags;
  std::string error;
  if (!kt::cm::ParseManagerFlags(args, &flags, &error)) {
    std::cerr << "kaito-controller-manager: " << error << "\n" << kt::cm::ManagerUsage();
    return 2;
  }
  return kt::cm::RunManager(flags);
}
