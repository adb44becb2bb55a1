#include "api/object.h"

#include <algorithm>

#include "base/json.h"

namespace kt::api {

namespace {
const Json& Meta(const Json& obj) {
  static const Json kEmpty = Json::object();
  if (!obj.is_object()) return kEmpty;
  auto it = obj.find("metadata");
  return it != obj.end() && it->is_object() ? *it : kEmpty;
}

Json& MutableMeta(Json& obj) {
  if (!obj.is_object()) obj = Json::object();
  Json& m = obj["metadata"];
  if (!m.is_object()) m = Json::object();
  return m;
}

Labels MapOf(const Json& meta, const char* field) {
  Labels out;
  auto it = meta.find(field);
  if (it == meta.end() || !it->is_object()) return out;
  for (const auto& [k, v] : it->items()) {
    if (v.is_string()) out.emplace(k, v.get<std::string>());
  }
  return out;
}

std::optional<std::string> EntryOf(const Json& meta, const char* field, std::string_view key) {
  auto it = meta.find(field);
  if (it == meta.end() || !it->is_object()) return std::nullopt;
  auto v = it->find(key);
  if (v == it->end() || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}
}  // namespace

const Json* MetaField(const Json& obj, std::string_view key) {
  return FindMember(FindMember(obj, "metadata"), key);
}

std::string Name(const Json& obj) { return GetString(Meta(obj), "name"); }
std::string Namespace(const Json& obj) { return GetString(Meta(obj), "namespace"); }
std::string Uid(const Json& obj) { return GetString(Meta(obj), "uid"); }
std::string ResourceVersion(const Json& obj) { return GetString(Meta(obj), "resourceVersion"); }
int64_t Generation(const Json& obj) {
  const Json* g = MetaField(obj, "generation");
  return g != nullptr && g->is_number_integer() ? g->get<int64_t>() : 0;
}
std::string Kind(const Json& obj) { return obj.is_object() ? GetString(obj, "kind") : ""; }
std::string ApiVersionOf(const Json& obj) {
  return obj.is_object() ? GetString(obj, "apiVersion") : "";
}

GroupVersionKind GvkOf(const Json& obj) {
  GroupVersionKind gvk;
  gvk.kind = Kind(obj);
  auto gv = ParseApiVersion(ApiVersionOf(obj));
  if (gv.ok()) {
    gvk.group = gv->first;
    gvk.version = gv->second;
  }
  return gvk;
}

Labels GetLabels(const Json& obj) { return MapOf(Meta(obj), "labels"); }
Labels GetAnnotations(const Json& obj) { return MapOf(Meta(obj), "annotations"); }
std::optional<std::string> Label(const Json& obj, std::string_view key) {
  return EntryOf(Meta(obj), "labels", key);
}
std::optional<std::string> Annotation(const Json& obj, std::string_view key) {
  return EntryOf(Meta(obj), "annotations", key);
}

std::vector<std::string> Finalizers(const Json& obj) {
  std::vector<std::string> out;
  const Json& m = Meta(obj);
  auto it = m.find("finalizers");
  if (it == m.end() || !it->is_array()) return out;
  for (const auto& f : *it) {
    if (f.is_string()) out.push_back(f.get<std::string>());
  }
  return out;
}

bool HasFinalizer(const Json& obj, std::string_view finalizer) {
  auto f = Finalizers(obj);
  return std::find(f.begin(), f.end(), finalizer) != f.end();
}

bool IsDeleting(const Json& obj) {
  const Json* t = MetaField(obj, "deletionTimestamp");
  return t != nullptr && !t->is_null();
}

std::optional<Time> CreationTimestamp(const Json& obj) {
  std::string ts = GetString(Meta(obj), "creationTimestamp");
  if (ts.empty()) return std::nullopt;
  auto t = ParseRfc3339(ts);
  if (!t.ok()) return std::nullopt;
  return *t;
}

void SetName(Json& obj, std::string_view name) { MutableMeta(obj)["name"] = name; }
void SetNamespace(Json& obj, std::string_view ns) { MutableMeta(obj)["namespace"] = ns; }

void SetLabel(Json& obj, std::string_view key, std::string_view value) {
  Json& labels = MutableMeta(obj)["labels"];
  if (!labels.is_object()) labels = Json::object();
  labels[std::string(key)] = value;
}

void SetAnnotation(Json& obj, std::string_view key, std::string_view value) {
  Json& ann = MutableMeta(obj)["annotations"];
  if (!ann.is_object()) ann = Json::object();
  ann[std::string(key)] = value;
}

void RemoveLabel(Json& obj, std::string_view key) {
  Json& m = MutableMeta(obj);
  auto it = m.find("labels");
  if (it != m.end() && it->is_object()) it->erase(std::string(key));
}

bool AddFinalizer(Json& obj, std::string_view finalizer) {
  if (HasFinalizer(obj, finalizer)) return false;
  Json& f = MutableMeta(obj)["finalizers"];
  if (!f.is_array()) f = Json::array();
  f.push_back(finalizer);
  return true;
}

bool RemoveFinalizer(Json& obj, std::string_view finalizer) {
  Json& m = MutableMeta(obj);
  auto it = m.find("finalizers");
  if (it == m.end() || !it->is_array()) return false;
  size_t before = it->size();
  Json kept = Json::array();
  for (auto& f : *it) {
    if (!(f.is_string() && f.get<std::string>() == finalizer)) kept.push_back(f);
  }
  bool removed = kept.size() != before;
  if (kept.empty()) m.erase("finalizers");
  else *it = std::move(kept);
  return removed;
}

std::string Key(std::string_view ns, std::string_view name) {
  if (ns.empty()) return std::string(name);
  std::string k;
  k.reserve(ns.size() + 1 + name.size());
  k += ns;
  k += '/';
  k += name;
  return k;
}

std::string KeyOf(const Json& obj) {
  return Key(GetStringView(obj, "metadata.namespace"), GetStringView(obj, "metadata.name"));
}

std::vector<OwnerReference> OwnerReferences(const Json& obj) {
  std::vector<OwnerReference> out;
  const Json& m = Meta(obj);
  auto it = m.find("ownerReferences");
  if (it == m.end() || !it->is_array()) return out;
  for (const auto& r : *it) {
    if (!r.is_object()) continue;
    OwnerReference o;
    o.api_version = GetString(r, "apiVersion");
    o.kind = GetString(r, "kind");
    o.name = GetString(r, "name");
    o.uid = GetString(r, "uid");
    o.controller = GetBool(r, "controller");
    o.block_owner_deletion = GetBool(r, "blockOwnerDeletion");
    out.push_back(std::move(o));
  }
  return out;
}

std::optional<OwnerReference> ControllerOf(const Json& obj) {
  for (auto& o : OwnerReferences(obj)) {
    if (o.controller) return o;
  }
  return std::nullopt;
}

Json ControllerReference(const Json& owner) {
  return Json{{"apiVersion", ApiVersionOf(owner)},
              {"kind", Kind(owner)},
              {"name", Name(owner)},
              {"uid", Uid(owner)},
              {"controller", true},
              {"blockOwnerDeletion", true}};
}

void SetControllerReference(Json& obj, const Json& owner) {
  Json& refs = MutableMeta(obj)["ownerReferences"];
  if (!refs.is_array()) refs = Json::array();
  Json ref = ControllerReference(owner);
  for (auto& r : refs) {
    if (r.is_object() && GetString(r, "uid") == Uid(owner)) {
      r = ref;
      return;
    }
  }
  refs.push_back(std::move(ref));
}

std::vector<Condition> Conditions(const Json& obj) {
  std::vector<Condition> out;
  const Json* list = FindPath(obj, "status.conditions");
  if (list == nullptr || !list->is_array()) return out;
  for (const auto& c : *list) {
    if (!c.is_object()) continue;
    Condition cond;
    cond.type = GetString(c, "type");
    cond.status = GetString(c, "status");
    cond.reason = GetString(c, "reason");
    cond.message = GetString(c, "message");
    cond.last_transition_time = GetString(c, "lastTransitionTime");
    cond.observed_generation = GetInt(c, "observedGeneration");
    out.push_back(std::move(cond));
  }
  return out;
}

std::optional<Condition> FindCondition(const Json& obj, std::string_view type) {
  for (auto& c : Conditions(obj)) {
    if (c.type == type) return c;
  }
  return std::nullopt;
}

bool IsConditionTrue(const Json& obj, std::string_view type) {
  auto c = FindCondition(obj, type);
  return c && c->status == "True";
}

Json ConditionToJson(const Condition& c) {
  Json j = {{"type", c.type},     {"status", c.status},
            {"reason", c.reason}, {"message", c.message},
            {"lastTransitionTime", c.last_transition_time}};
  if (c.observed_generation) j["observedGeneration"] = *c.observed_generation;
  return j;
}

bool SetCondition(Json& obj, const Condition& c, Time now) {
  if (!obj.is_object()) obj = Json::object();
  Json& status = obj["status"];
  if (!status.is_object()) status = Json::object();
  Json& list = status["conditions"];
  if (!list.is_array()) list = Json::array();
  for (auto& existing : list) {
    if (!existing.is_object() || GetString(existing, "type") != c.type) continue;
    Condition next = c;
    bool status_changed = GetString(existing, "status") != c.status;
    next.last_transition_time = status_changed || GetString(existing, "lastTransitionTime").empty()
                                    ? FormatRfc3339(now)
                                    : GetString(existing, "lastTransitionTime");
    Json updated = ConditionToJson(next);
    if (updated == existing) return false;
    existing = std::move(updated);
    return true;
  }
  Condition next = c;
  next.last_transition_time = FormatRfc3339(now);
  list.push_back(ConditionToJson(next));
  return true;
}

}  // namespace kt::api
