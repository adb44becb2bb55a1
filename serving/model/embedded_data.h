// Data files compiled into the binary (the build turns each into a string constant), so
// kaito-serve needs nothing next to it at run time. The files stay data: YAML in the source
// tree, parsed by code at startup.
#ifndef KT_SERVING_MODEL_EMBEDDED_DATA_H_
#define KT_SERVING_MODEL_EMBEDDED_DATA_H_

#include <string_view>

namespace kt::serving::embedded {

// serving/model/presets.yaml
std::string_view PresetsYaml();

}  // namespace kt::serving::embedded

#endif  // KT_SERVING_MODEL_EMBEDDED_DATA_H_
