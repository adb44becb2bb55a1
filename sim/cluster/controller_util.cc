#include "sim/cluster/controller_util.h"

#include <cmath>
#include <cstdlib>

#include "api/object.h"
#include "base/json.h"

namespace kt::sim::cluster {

std::string SafeEncodeString(std::string_view s) {
  static constexpr char kAlphanums[] = "bcdfghjklmnpqrstvwxz2456789";
  constexpr size_t n = sizeof(kAlphanums) - 1;
  std::string out(s.size(), 'b');
  for (size_t i = 0; i < s.size(); ++i) {
    out[i] = kAlphanums[static_cast<unsigned char>(s[i]) % n];
  }
  return out;
}

std::string TemplateHash(const Json& pod_template, int64_t collision_count) {
  // FNV-32a over the template's canonical JSON (keys are sorted), then the collision count.
  uint32_t h = 2166136261u;
  auto feed = [&](std::string_view data) {
    for (unsigned char c : data) {
      h ^= c;
      h *= 16777619u;
    }
  };
  feed(DumpJson(pod_template));
  if (collision_count > 0) feed(std::to_string(collision_count));
  return SafeEncodeString(std::to_string(h));
}

Json PodFromTemplate(const Json& owner, const Json& pod_template, const std::string& name,
                     const std::string& generate_name) {
  Json meta = Json::object();
  const Json* tmeta = FindPath(pod_template, "metadata");
  if (tmeta != nullptr && tmeta->is_object()) {
    for (const char* f : {"labels", "annotations", "finalizers"}) {
      if (tmeta->contains(f)) meta[f] = (*tmeta)[f];
    }
  }
  if (!name.empty()) {
    meta["name"] = name;
  } else {
    meta["generateName"] = generate_name;
  }
  meta["namespace"] = api::Namespace(owner);
  meta["ownerReferences"] = Json::array({api::ControllerReference(owner)});
  Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", std::move(meta)}};
  const Json* spec = FindPath(pod_template, "spec");
  pod["spec"] = spec != nullptr ? *spec : Json::object();
  return pod;
}

int64_t ResolveIntOrPercent(const Json* value, int64_t total, bool round_up, int64_t fallback) {
  if (value == nullptr || value->is_null()) return fallback;
  if (value->is_number_integer()) return value->get<int64_t>();
  if (!value->is_string()) return fallback;
  std::string s = value->get<std::string>();
  if (s.empty()) return fallback;
  if (s.back() != '%') {
    char* end = nullptr;
    long v = std::strtol(s.c_str(), &end, 10);
    return *end == '\0' ? v : fallback;
  }
  s.pop_back();
  char* end = nullptr;
  long pct = std::strtol(s.c_str(), &end, 10);
  if (*end != '\0') return fallback;
  double v = static_cast<double>(pct) * static_cast<double>(total) / 100.0;
  return static_cast<int64_t>(round_up ? std::ceil(v) : std::floor(v));
}

void Expectations::ExpectCreate(const std::string& owner, const std::string& pod_name, Time now) {
  Entry& e = by_owner_[owner];
  e.adds.insert(pod_name);
  e.set_at = now;
}

void Expectations::ExpectDelete(const std::string& owner, const std::string& pod_name, Time now) {
  Entry& e = by_owner_[owner];
  e.dels.insert(pod_name);
  e.set_at = now;
}

void Expectations::Created(const std::string& owner, const std::string& pod_name) {
  auto it = by_owner_.find(owner);
  if (it == by_owner_.end()) return;
  it->second.adds.erase(pod_name);
  if (it->second.adds.empty() && it->second.dels.empty()) by_owner_.erase(it);
}

void Expectations::Deleted(const std::string& owner, const std::string& pod_name) {
  auto it = by_owner_.find(owner);
  if (it == by_owner_.end()) return;
  it->second.dels.erase(pod_name);
  if (it->second.adds.empty() && it->second.dels.empty()) by_owner_.erase(it);
}

bool Expectations::Satisfied(const std::string& owner, Time now) const {
  auto it = by_owner_.find(owner);
  if (it == by_owner_.end()) return true;
  return now - it->second.set_at >= ttl_;
}

const Json* FindWorkloadCondition(const Json& status, const std::string& type) {
  const Json* conds = FindPath(status, "conditions");
  if (conds == nullptr || !conds->is_array()) return nullptr;
  for (const auto& c : *conds) {
    if (GetString(c, "type") == type) return &c;
  }
  return nullptr;
}

bool SetWorkloadCondition(Json& status, const std::string& type, const std::string& cond_status,
                          const std::string& reason, const std::string& message, Time now,
                          bool force_update) {
  const std::string ts = FormatRfc3339(now);
  Json& conds = status["conditions"];
  if (!conds.is_array()) conds = Json::array();
  std::string transition = ts;
  for (const auto& c : conds) {
    if (GetString(c, "type") != type) continue;
    if (!force_update && GetString(c, "status") == cond_status && GetString(c, "reason") == reason) {
      return false;
    }
    if (GetString(c, "status") == cond_status) {
      transition = GetString(c, "lastTransitionTime", ts);
    }
  }
  Json next = Json::array();
  for (auto& c : conds) {
    if (GetString(c, "type") != type) next.push_back(std::move(c));
  }
  next.push_back({{"type", type},
                  {"status", cond_status},
                  {"lastUpdateTime", ts},
                  {"lastTransitionTime", transition},
                  {"reason", reason},
                  {"message", message}});
  conds = std::move(next);
  return true;
}

JsonPtr NewerOf(const JsonPtr& a, const JsonPtr& b) {
  if (!a) return b;
  if (!b) return a;
  auto rv = [](const Json& o) {
    std::string s = GetString(o, "metadata.resourceVersion");
    return s.empty() ? 0ull : std::strtoull(s.c_str(), nullptr, 10);
  };
  return rv(*a) >= rv(*b) ? a : b;
}

int64_t PodOrdinal(const std::string& set_name, const std::string& pod_name) {
  if (pod_name.size() <= set_name.size() + 1) return -1;
  if (pod_name.compare(0, set_name.size(), set_name) != 0 || pod_name[set_name.size()] != '-') {
    return -1;
  }
  std::string rest = pod_name.substr(set_name.size() + 1);
  if (rest.empty() || rest.size() > 9) return -1;
  for (char c : rest) {
    if (c < '0' || c > '9') return -1;
  }
  if (rest.size() > 1 && rest[0] == '0') return -1;
  return std::atol(rest.c_str());
}

}  // namespace kt::sim::cluster
