// Strategic-merge-patch list strategies of the built-in kinds (data/builtin_merge_keys.yaml):
// for a kind and a dotted field path ("spec.template.spec.containers.env"), whether the list
// there merges by a key, merges as a set of scalars, or is atomic (not listed).
// Thread-safety: immutable after construction; MergeKeyTable::Builtin() is safe from any thread.
#ifndef KT_SIM_APISERVER_TYPES_MERGE_KEYS_H_
#define KT_SIM_APISERVER_TYPES_MERGE_KEYS_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "sim/apiserver/types/type_registry.h"

namespace kt::sim {

class MergeKeyTable {
 public:
  static Result<MergeKeyTable> Parse(std::string_view yaml);
  static const MergeKeyTable& Builtin();

  // nullopt: atomic list, or a path/kind the table does not know.
  std::optional<TypeRegistry::ListMergeInfo> Find(std::string_view kind,
                                                  std::string_view field_path) const;

 private:
  // kind -> full path -> info
  std::map<std::string, std::map<std::string, TypeRegistry::ListMergeInfo, std::less<>>,
           std::less<>>
      kinds_;
};

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_MERGE_KEYS_H_
