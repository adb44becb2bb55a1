// Data files of sim/cluster/data, compiled into kt_sim_cluster at configure time (see
// CMakeLists.txt), so the cluster twin reads nothing from disk at run time.
// Thread-safety: returns views of static storage; safe from any thread.
#ifndef KT_SIM_CLUSTER_EMBEDDED_DATA_H_
#define KT_SIM_CLUSTER_EMBEDDED_DATA_H_

#include <string_view>

namespace kt::sim::cluster {

// The text of data/images.yaml.
std::string_view EmbeddedImagesYaml();

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_EMBEDDED_DATA_H_
