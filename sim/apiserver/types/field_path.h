// A field path built on the stack while walking an object (parent links, no allocation) and
// rendered to text ("spec.containers[0].name") only when an error or unknown field needs it.
// Internal to sim/apiserver/types.
#ifndef KT_SIM_APISERVER_TYPES_FIELD_PATH_H_
#define KT_SIM_APISERVER_TYPES_FIELD_PATH_H_

#include <string>
#include <string_view>

namespace kt::sim {

struct PathRef {
  const PathRef* parent = nullptr;
  std::string_view key;  // field name, or the root's text
  size_t index = 0;
  bool is_index = false;

  static PathRef Root(std::string_view text) { return {nullptr, text, 0, false}; }
  static PathRef Child(const PathRef& p, std::string_view name) { return {&p, name, 0, false}; }
  static PathRef Index(const PathRef& p, size_t i) { return {&p, {}, i, true}; }

  std::string Str() const {
    std::string out = parent != nullptr ? parent->Str() : std::string();
    if (is_index) {
      out += "[" + std::to_string(index) + "]";
    } else if (parent == nullptr) {
      out = std::string(key);
    } else {
      if (!out.empty()) out += ".";
      out += key;
    }
    return out;
  }
};

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_FIELD_PATH_H_
