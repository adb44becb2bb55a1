#include "sim/apiserver/http/request_target.h"

#include <vector>

namespace kt::sim {

namespace {
std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}
}  // namespace

RequestTarget ParseRequestTarget(std::string_view path) {
  using K = RequestTarget::Kind;
  RequestTarget t;
  std::vector<std::string> s = Split(path);
  if (s.empty()) return t;
  const std::string& head = s[0];
  if (head == "version" && s.size() == 1) {
    t.kind = K::kVersion;
    return t;
  }
  if (head == "healthz" || head == "livez" || head == "readyz") {
    t.kind = K::kHealth;
    return t;
  }
  if (head == "metrics" && s.size() == 1) {
    t.kind = K::kMetrics;
    return t;
  }
  if (head == "openapi") {
    if (s.size() == 2 && s[1] == "v2") {
      t.kind = K::kOpenApiV2;
    } else if (s.size() == 2 && s[1] == "v3") {
      t.kind = K::kOpenApiIndex;
    } else if (s.size() >= 3 && s[1] == "v3") {
      t.kind = K::kOpenApiDoc;
      for (size_t i = 2; i < s.size(); ++i) {
        if (i > 2) t.openapi_path += '/';
        t.openapi_path += s[i];
      }
    }
    return t;
  }
  size_t rest;  // index of the first segment after the group version
  if (head == "api") {
    if (s.size() == 1) {
      t.kind = K::kCoreRoot;
      return t;
    }
    t.version = s[1];
    rest = 2;
  } else if (head == "apis") {
    if (s.size() == 1) {
      t.kind = K::kGroupsRoot;
      return t;
    }
    t.group = s[1];
    if (s.size() == 2) {
      t.kind = K::kGroup;
      return t;
    }
    t.version = s[2];
    rest = 3;
  } else {
    return t;
  }
  if (s.size() == rest) {
    t.kind = K::kGroupVersion;
    return t;
  }
  std::vector<std::string> r(s.begin() + static_cast<long>(rest), s.end());
  ResourceRef& ref = t.ref;
  ref.gvr.group = t.group;
  ref.gvr.version = t.version;
  if (r[0] == "namespaces" && r.size() >= 3 &&
      !(r.size() == 3 && (r[2] == "status" || r[2] == "finalize"))) {
    if (r.size() > 5) return t;
    ref.ns = r[1];
    ref.gvr.resource = r[2];
    if (r.size() >= 4) ref.name = r[3];
    if (r.size() == 5) ref.subresource = r[4];
  } else {
    if (r.size() > 3) return t;
    ref.gvr.resource = r[0];
    if (r.size() >= 2) ref.name = r[1];
    if (r.size() == 3) ref.subresource = r[2];
  }
  t.kind = K::kResource;
  return t;
}

}  // namespace kt::sim
