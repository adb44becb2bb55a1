#include "sim/cluster/resources.h"

#include <algorithm>

#include "api/quantity.h"
#include "base/json.h"

namespace kt::sim::cluster {

ResourceVec& ResourceVec::operator+=(const ResourceVec& o) {
  cpu_milli += o.cpu_milli;
  memory += o.memory;
  ephemeral += o.ephemeral;
  gpu += o.gpu;
  pods += o.pods;
  for (const auto& [k, v] : o.other) other[k] += v;
  return *this;
}

ResourceVec& ResourceVec::operator-=(const ResourceVec& o) {
  cpu_milli -= o.cpu_milli;
  memory -= o.memory;
  ephemeral -= o.ephemeral;
  gpu -= o.gpu;
  pods -= o.pods;
  for (const auto& [k, v] : o.other) {
    auto it = other.find(k);
    if (it == other.end()) continue;
    it->second -= v;
    if (it->second == 0) other.erase(it);
  }
  return *this;
}

bool ResourceVec::empty() const {
  return cpu_milli == 0 && memory == 0 && ephemeral == 0 && gpu == 0 && pods == 0 && other.empty();
}

int64_t QuantityMilli(const Json& q) {
  if (q.is_string()) {
    auto parsed = api::Quantity::Parse(q.get_ref<const std::string&>());
    return parsed.ok() ? parsed->milli() : 0;
  }
  if (q.is_number_integer()) return q.get<int64_t>() * 1000;
  if (q.is_number()) return static_cast<int64_t>(q.get<double>() * 1000.0);
  return 0;
}

namespace {

// Adds one quantity map entry into v (units: bytes for memory/storage, devices for the GPU).
void AddEntry(ResourceVec& v, const std::string& name, const Json& q) {
  int64_t milli = QuantityMilli(q);
  if (milli == 0) return;
  if (name == "cpu") {
    v.cpu_milli += milli;
  } else if (name == "memory") {
    v.memory += milli / 1000;
  } else if (name == "ephemeral-storage") {
    v.ephemeral += milli / 1000;
  } else if (name == kGpuResource) {
    v.gpu += milli / 1000;
  } else if (name == "pods") {
    v.pods += milli / 1000;
  } else if (name.find('/') != std::string::npos || name.rfind("hugepages-", 0) == 0) {
    v.other[name] += milli;
  }
}

ResourceVec FromMap(const Json* m) {
  ResourceVec v;
  if (m == nullptr || !m->is_object()) return v;
  for (const auto& [k, q] : m->items()) AddEntry(v, k, q);
  return v;
}

void MaxInto(ResourceVec& a, const ResourceVec& b) {
  a.cpu_milli = std::max(a.cpu_milli, b.cpu_milli);
  a.memory = std::max(a.memory, b.memory);
  a.ephemeral = std::max(a.ephemeral, b.ephemeral);
  a.gpu = std::max(a.gpu, b.gpu);
  for (const auto& [k, v] : b.other) a.other[k] = std::max(a.other[k], v);
}

}  // namespace

ResourceVec ContainerRequests(const Json& container) {
  const Json* res = FindPath(container, "resources");
  if (res == nullptr || !res->is_object()) return {};
  const Json* req = res->contains("requests") ? &(*res)["requests"] : nullptr;
  const Json* lim = res->contains("limits") ? &(*res)["limits"] : nullptr;
  ResourceVec v = FromMap(req);
  if (lim != nullptr && lim->is_object()) {
    for (const auto& [k, q] : lim->items()) {
      if (req != nullptr && req->is_object() && req->contains(k)) continue;
      AddEntry(v, k, q);
    }
  }
  return v;
}

ResourceVec PodRequests(const Json& pod) {
  ResourceVec sum;
  if (const Json* cs = FindPath(pod, "spec.containers"); cs && cs->is_array()) {
    for (const auto& c : *cs) sum += ContainerRequests(c);
  }
  if (const Json* ics = FindPath(pod, "spec.initContainers"); ics && ics->is_array()) {
    for (const auto& c : *ics) MaxInto(sum, ContainerRequests(c));
  }
  sum += FromMap(FindPath(pod, "spec.overhead"));
  sum.pods = 1;
  return sum;
}

ResourceVec NodeAllocatable(const Json& node) {
  const Json* alloc = FindPath(node, "status.allocatable");
  if (alloc == nullptr || !alloc->is_object() || alloc->empty()) {
    alloc = FindPath(node, "status.capacity");
  }
  return FromMap(alloc);
}

std::vector<ResourceAmount> RequestedResources(const ResourceVec& pod) {
  std::vector<ResourceAmount> out;
  if (pod.cpu_milli > 0) out.push_back({"cpu", pod.cpu_milli});
  if (pod.memory > 0) out.push_back({"memory", pod.memory});
  if (pod.ephemeral > 0) out.push_back({"ephemeral-storage", pod.ephemeral});
  // Scalar resources, sorted by name ("nvidia.com/gpu" among them).
  std::vector<ResourceAmount> scalar;
  if (pod.gpu > 0) scalar.push_back({kGpuResource, pod.gpu});
  for (const auto& [k, v] : pod.other) {
    if (v > 0) scalar.push_back({k, v});
  }
  std::sort(scalar.begin(), scalar.end(),
            [](const ResourceAmount& a, const ResourceAmount& b) { return a.name < b.name; });
  out.insert(out.end(), scalar.begin(), scalar.end());
  return out;
}

int64_t AmountOf(const ResourceVec& v, std::string_view name) {
  if (name == "cpu") return v.cpu_milli;
  if (name == "memory") return v.memory;
  if (name == "ephemeral-storage") return v.ephemeral;
  if (name == kGpuResource) return v.gpu;
  if (name == "pods") return v.pods;
  auto it = v.other.find(name);
  return it == v.other.end() ? 0 : it->second;
}

}  // namespace kt::sim::cluster
