#include "sim/apiserver/http/content_negotiation.h"

#include <cctype>
#include <map>
#include <vector>

namespace kt::sim {

namespace {
std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

std::string MediaType(std::string_view content_type) {
  return Lower(Trim(content_type.substr(0, content_type.find(';'))));
}

AcceptInfo ParseAccept(std::string_view accept) {
  AcceptInfo info;
  if (Trim(accept).empty()) return info;
  bool any_json = false;
  size_t start = 0;
  while (start <= accept.size()) {
    size_t comma = accept.find(',', start);
    std::string_view range = accept.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    start = comma == std::string_view::npos ? accept.size() + 1 : comma + 1;
    std::string type = MediaType(range);
    std::map<std::string, std::string> params;
    size_t p = range.find(';');
    while (p != std::string_view::npos) {
      size_t next = range.find(';', p + 1);
      std::string_view kv = range.substr(p + 1, next == std::string_view::npos ? std::string_view::npos : next - p - 1);
      size_t eq = kv.find('=');
      if (eq != std::string_view::npos) params[Lower(Trim(kv.substr(0, eq)))] = Trim(kv.substr(eq + 1));
      p = next;
    }
    if (type == "application/json" || type == "*/*" || type == "application/*" ||
        type == "application/yaml") {
      any_json = true;
    }
    if (type != "application/json") continue;
    std::string as = params["as"];
    if (as == "Table" && (params["g"].empty() || params["g"] == "meta.k8s.io")) info.table = true;
    if (as == "PartialObjectMetadata" || as == "PartialObjectMetadataList") info.partial_metadata = true;
    if (as == "APIGroupDiscoveryList" && params["g"] == "apidiscovery.k8s.io" &&
        info.aggregated_discovery.empty()) {
      if (params["v"] == "v2" || params["v"] == "v2beta1") info.aggregated_discovery = params["v"];
    }
  }
  info.json_acceptable = any_json;
  return info;
}

}  // namespace kt::sim
