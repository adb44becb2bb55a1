// The data files of controllers/kaito/data/, compiled into the library: CMake reads each file
// at configure time and writes it into a generated .cc as a raw string literal (editing a data
// file re-runs the configure step). Binaries therefore need no data path at run time; to use
// other data, load it with PresetCatalog::LoadFile / SkuTable::LoadFile.
//
// The returned views point at static storage and live for the whole program.
#ifndef KT_CONTROLLERS_KAITO_EMBEDDED_DATA_H_
#define KT_CONTROLLERS_KAITO_EMBEDDED_DATA_H_

#include <string_view>

namespace kt::kaito {

std::string_view EmbeddedPresetsYaml();            // data/presets.yaml
std::string_view EmbeddedSkusYaml();               // data/skus.yaml
std::string_view EmbeddedDefaultConfigMapsYaml();  // data/default_configmaps.yaml

}  // namespace kt::kaito

#endif  // KT_CONTROLLERS_KAITO_EMBEDDED_DATA_H_
