#include "api/resource.h"

namespace kt::api {

std::string GroupVersionResource::PathPrefix() const {
  return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
}

std::string GroupVersionResource::CollectionPath(std::string_view ns) const {
  std::string p = PathPrefix();
  if (!ns.empty()) {
    p += "/namespaces/";
    p += ns;
  }
  p += "/";
  p += resource;
  return p;
}

std::string GroupVersionResource::ObjectPath(std::string_view ns, std::string_view name,
                                             std::string_view subresource) const {
  std::string p = CollectionPath(ns);
  p += "/";
  p += name;
  if (!subresource.empty()) {
    p += "/";
    p += subresource;
  }
  return p;
}

Result<std::pair<std::string, std::string>> ParseApiVersion(std::string_view api_version) {
  if (api_version.empty()) return BadRequest("apiVersion is empty");
  size_t slash = api_version.find('/');
  if (slash == std::string_view::npos) return std::make_pair(std::string(), std::string(api_version));
  if (slash == 0 || slash + 1 == api_version.size() ||
      api_version.find('/', slash + 1) != std::string_view::npos) {
    return BadRequest("invalid apiVersion \"" + std::string(api_version) + "\"");
  }
  return std::make_pair(std::string(api_version.substr(0, slash)),
                        std::string(api_version.substr(slash + 1)));
}

}  // namespace kt::api
