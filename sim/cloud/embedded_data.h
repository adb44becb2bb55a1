// Data files of sim/cloud/data, compiled into kt_sim_cloud at configure time (see
// CMakeLists.txt), so the fake AKS reads nothing from disk at run time.
// Thread-safety: returns views of static storage; safe from any thread.
#ifndef KT_SIM_CLOUD_EMBEDDED_DATA_H_
#define KT_SIM_CLOUD_EMBEDDED_DATA_H_

#include <string_view>

namespace kt::sim::cloud {

// The text of data/sku_catalog.yaml.
std::string_view EmbeddedSkuCatalogYaml();
// The text of data/aks_defaults.yaml.
std::string_view EmbeddedAksDefaultsYaml();

}  // namespace kt::sim::cloud

#endif  // KT_SIM_CLOUD_EMBEDDED_DATA_H_
