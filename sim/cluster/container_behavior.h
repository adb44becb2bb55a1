// ContainerBehavior: how a simulated container behaves once started - when its app is healthy,
// whether and how it exits, what GPU memory it needs. Decided, most specific first, by:
//   1. pod annotations (sim-only knobs; a ".<container>" suffix targets one container):
//        sim.kaito-twin.io/load-seconds     seconds until healthy
//        sim.kaito-twin.io/run-seconds      exits after this long ("never": runs forever)
//        sim.kaito-twin.io/exit-code        exit code when it exits on its own
//        sim.kaito-twin.io/gpu-memory-gib   GPU memory it needs
//        sim.kaito-twin.io/stop-seconds     time it takes to exit after SIGTERM
//   2. the command line, for the shapes a real shell would make obvious: "sleep N" (run N s),
//      "sleep infinity", "exit N", "true"/"false", "echo ..." (exits at once), chained with ';'
//      or '&&' (e.g. sh -c "sleep 5; exit 1");
//      A script with conditions, loops, alternatives ('||') or background jobs ('&') is not
//      guessed from: its sleeps and exits may never run;
//   3. the image catalog (image_catalog.h), by image and command line.
// Pure functions; thread-safe.
#ifndef KT_SIM_CLUSTER_CONTAINER_BEHAVIOR_H_
#define KT_SIM_CLUSTER_CONTAINER_BEHAVIOR_H_

#include <string>

#include "base/json_fwd.h"
#include "sim/cluster/image_catalog.h"

namespace kt::sim::cluster {

inline constexpr char kAnnotationPrefix[] = "sim.kaito-twin.io/";

// The container's command and args joined by single spaces ("" when it has neither).
std::string CommandLine(const Json& container);

// `container` is the container spec; `pod` supplies the annotations.
ImageFacts ContainerBehavior(const ImageCatalog& images, const Json& pod, const Json& container,
                             bool init_container);

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_CONTAINER_BEHAVIOR_H_
