// Splits a fuzz input into JSON documents separated by NUL bytes (the first parsed as the
// original object, the next as the patch, ...). Shared by the sim/apiserver fuzz targets.
#ifndef KT_FUZZ_SIM_APISERVER_FUZZ_INPUT_H_
#define KT_FUZZ_SIM_APISERVER_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/json.h"

namespace kt::fuzz {

// The NUL-separated parts of the input, at most `max_parts`.
inline std::vector<std::string_view> Parts(const uint8_t* data, size_t size, size_t max_parts) {
  std::vector<std::string_view> out;
  std::string_view all(reinterpret_cast<const char*>(data), size);
  while (out.size() + 1 < max_parts) {
    size_t nul = all.find('\0');
    if (nul == std::string_view::npos) break;
    out.push_back(all.substr(0, nul));
    all.remove_prefix(nul + 1);
  }
  out.push_back(all);
  return out;
}

inline std::optional<Json> ParsePart(std::string_view text) {
  auto r = ParseJson(text);
  if (!r.ok()) return std::nullopt;
  return std::move(r).value();
}

}  // namespace kt::fuzz

#endif  // KT_FUZZ_SIM_APISERVER_FUZZ_INPUT_H_
