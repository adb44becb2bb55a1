// Server-side apply (application/apply-patch+yaml) and managed-fields bookkeeping, modelled on
// kube-apiserver's fieldmanager (structured-merge-diff):
// - each manager's fields are recorded in metadata.managedFields (fieldsV1), one entry per
//   (manager, operation, subresource);
// - an apply conflicts when it sets a field to a value other than the live one while another
//   manager owns that field (409 "Apply failed with N conflict(s): ..."), unless forced, which
//   moves ownership to the applier;
// - fields the applier applied before but no longer lists are removed unless another manager
//   still owns them;
// - ordinary writes (create/update/patch) give their manager the fields they changed
//   (operation Update) and take those fields away from everyone else.
#include <algorithm>
#include <functional>

#include "base/json.h"
#include "sim/apiserver/types/field_set.h"
#include "sim/apiserver/types/patch.h"
#include "sim/apiserver/types/schema.h"

namespace kt::sim {
namespace {

struct ManagerEntry {
  std::string manager;
  std::string operation;  // "Apply" | "Update"
  std::string api_version;
  std::string time;
  std::string subresource;
  FieldSet fields;

  bool SameIdentity(const ManagerEntry& o) const {
    return manager == o.manager && operation == o.operation && subresource == o.subresource;
  }
};

std::vector<ManagerEntry> ReadManagedFields(const Json& obj) {
  std::vector<ManagerEntry> out;
  const Json* mf = FindPath(obj, "metadata.managedFields");
  if (mf == nullptr || !mf->is_array()) return out;
  for (const Json& e : *mf) {
    if (!e.is_object()) continue;
    ManagerEntry m;
    m.manager = GetString(e, "manager");
    m.operation = GetString(e, "operation");
    m.api_version = GetString(e, "apiVersion");
    m.time = GetString(e, "time");
    m.subresource = GetString(e, "subresource");
    m.fields = FieldSet::FromFieldsV1(e.value("fieldsV1", Json::object()));
    out.push_back(std::move(m));
  }
  return out;
}

void WriteManagedFields(Json& obj, const std::vector<ManagerEntry>& entries) {
  Json list = Json::array();
  for (const ManagerEntry& m : entries) {
    if (m.fields.Empty()) continue;
    Json e = {{"manager", m.manager},        {"operation", m.operation},
              {"apiVersion", m.api_version}, {"time", m.time},
              {"fieldsType", "FieldsV1"},    {"fieldsV1", m.fields.ToFieldsV1()}};
    if (!m.subresource.empty()) e["subresource"] = m.subresource;
    list.push_back(std::move(e));
  }
  if (!obj.is_object()) return;
  if (list.empty()) {
    if (obj.contains("metadata") && obj["metadata"].is_object())
      obj["metadata"].erase("managedFields");
    return;
  }
  obj["metadata"]["managedFields"] = std::move(list);
}

// Restricts a set to what a write to `subresource` may own: the status subresource owns only
// status; the main resource of a kind with a status subresource owns everything but status.
void ScopeToSubresource(FieldSet& set, std::string_view subresource, bool has_status) {
  if (subresource == "status") {
    FieldSet only;
    auto it = set.children.find("f:status");
    if (it != set.children.end()) only.children["f:status"] = it->second;
    set = std::move(only);
  } else if (has_status) {
    set.children.erase("f:status");
  }
}

// Fills the key fields a configuration's map-list items omit with their defaults, as kube does
// before identifying items: {containerPort: 80} and {containerPort: 80, protocol: TCP} are the
// same port.
void DefaultKeyFields(Json& v, const std::string& path, const ListKindFn& lists, int depth) {
  if (depth > kJsonDepthMax) return;
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      DefaultKeyFields(it.value(), path.empty() ? it.key() : path + "." + it.key(), lists,
                       depth + 1);
    }
    return;
  }
  if (!v.is_array() || v.empty()) return;
  const ListKind kind = lists(path);
  for (Json& item : v) {
    if (kind.type == ListKind::kMap && item.is_object()) {
      for (const auto& [field, value] : kind.key_defaults) {
        if (!item.contains(field)) item[field] = value;
      }
    }
    DefaultKeyFields(item, path, lists, depth + 1);  // list indices are not part of paths
  }
}

// Merges an apply configuration into the live object: maps field by field, map lists item by
// key, set lists by value, atomic lists and scalars replaced.
void MergeApplied(Json& live, const Json& config, const std::string& path, const ListKindFn& lists,
                  int depth) {
  if (depth > kJsonDepthMax) return;
  if (config.is_object() && live.is_object()) {
    for (const auto& [k, v] : config.items()) {
      if (v.is_null()) continue;
      std::string child = path.empty() ? k : path + "." + k;
      MergeApplied(live[k], v, child, lists, depth + 1);
    }
    return;
  }
  if (config.is_array() && live.is_array()) {
    ListKind kind = lists(path);
    if (kind.type == ListKind::kSet) {
      for (const Json& e : config) {
        if (std::find(live.begin(), live.end(), e) == live.end()) live.push_back(e);
      }
      return;
    }
    if (kind.type == ListKind::kMap) {
      for (const Json& e : config) {
        auto match = std::find_if(live.begin(), live.end(), [&](const Json& l) {
          if (!HasKeys(kind.keys, l) || !HasKeys(kind.keys, e)) return false;
          return std::all_of(kind.keys.begin(), kind.keys.end(),
                             [&](const std::string& k) { return l[k] == e[k]; });
        });
        if (match == live.end()) {
          live.push_back(e);
        } else {
          MergeApplied(*match, e, path, lists, depth + 1);
        }
      }
      return;
    }
  }
  live = config;
}

// Members of `set` with no member below them: the fields whose values can conflict.
std::vector<std::vector<std::string>> Leaves(const FieldSet& set) {
  std::vector<std::vector<std::string>> members, out;
  set.Members(members);
  for (auto& m : members) {
    const FieldSet* cur = &set;
    for (const std::string& p : m) cur = &cur->children.at(p);
    if (cur->children.empty()) out.push_back(std::move(m));
  }
  return out;
}

// One conflicting field: who owns it (kube's printManager text), the key kube sorts managers
// by (its JSON manager identifier: manager, operation, apiVersion of updaters, subresource),
// and the field path.
struct ConflictItem {
  std::string sort_key;
  std::string manager;
  std::string path;
};

std::string ConflictMessage(const std::vector<ConflictItem>& conflicts) {
  std::string m = "Apply failed with " + std::to_string(conflicts.size()) + " conflict" +
                  (conflicts.size() == 1 ? "" : "s") + ": ";
  if (conflicts.size() == 1) {
    return m + "conflict with " + conflicts[0].manager + ": " + conflicts[0].path;
  }
  std::vector<std::pair<std::string, std::string>> managers;  // (sort key, description)
  for (const auto& c : conflicts) {
    std::pair<std::string, std::string> key{c.sort_key, c.manager};
    if (std::find(managers.begin(), managers.end(), key) == managers.end()) {
      managers.push_back(std::move(key));
    }
  }
  std::sort(managers.begin(), managers.end());  // kube prints managers sorted
  std::string body;
  for (const auto& [key, mgr] : managers) {
    if (!body.empty()) body += "\n";
    body += "conflicts with " + mgr + ":";
    for (const auto& c : conflicts) {
      if (c.sort_key == key) body += "\n- " + c.path;
    }
  }
  return m + body;
}

// kube-apiserver's printManager: the quoted manager, its subresource, and for Update entries
// the API version they wrote with (appliers own fields whatever version they apply).
std::string Describe(const ManagerEntry& e) {
  std::string d = "\"" + e.manager + "\"";
  if (!e.subresource.empty()) d += " with subresource \"" + e.subresource + "\"";
  if (e.operation == "Update") d += " using " + e.api_version;
  return d;
}

// The list-type and map oracles of a kind: merge keys of built-ins, list types of CRD schemas.
ListKindFn ListKindsOf(const TypeRegistry& types, const ResourceType& type) {
  return [&types, &type](std::string_view path) {
    auto info = types.MergeInfo(type, path);
    if (!info) return ListKind{};
    if (info->primitive_set || info->merge_key.empty()) return ListKind{ListKind::kSet, {}, {}};
    std::vector<std::string> keys = info->map_keys;
    if (keys.empty()) keys.push_back(info->merge_key);
    return ListKind{ListKind::kMap, std::move(keys), info->key_defaults};
  };
}

IsMapFn MapsOf(const TypeRegistry& types, const ResourceType& type) {
  const Schema* schema = types.SchemaOf(type);
  return [schema](std::string_view path) {
    if (path == "metadata.labels" || path == "metadata.annotations") return true;
    if (schema == nullptr) return false;
    const Schema* s = SchemaAt(*schema, path);
    return s != nullptr && s->IsMap();
  };
}

std::string SortKey(const ManagerEntry& e) {
  return e.manager + '\x01' + e.operation + '\x01' +
         (e.operation == "Update" ? e.api_version : std::string()) + '\x01' + e.subresource;
}

}  // namespace

Result<Json> ServerSideApply(const TypeRegistry& types, const ResourceType& type, const Json& live,
                             const Json& raw_config, const ApplyRequest& request) {
  if (request.manager.empty()) {
    return BadRequest("PATCH requests for apply must have a fieldManager");
  }
  if (!raw_config.is_object()) return BadRequest("the apply configuration must be a JSON object");
  if (!live.is_null() && !live.is_object()) return Internal("live object is not a JSON object");
  ListKindFn lists = ListKindsOf(types, type);
  IsMapFn maps = MapsOf(types, type);
  Json config = raw_config;
  DefaultKeyFields(config, "", lists, 0);
  FieldSet applied = SetOfObject(config, lists, maps);
  StripSystemFields(applied);
  ScopeToSubresource(applied, request.subresource, type.has_status);

  Json base = live.is_null() ? Json::object() : live;
  std::vector<ManagerEntry> entries = ReadManagedFields(base);
  ManagerEntry self{request.manager,     "Apply", type.gvr.ApiVersion(), FormatRfc3339(request.now),
                    request.subresource, {}};
  FieldSet previous;
  for (const ManagerEntry& e : entries) {
    if (e.SameIdentity(self)) previous = e.fields;
  }

  // Conflicts: leaves this apply sets to a different value than another manager left there.
  std::vector<ConflictItem> conflicts;
  std::vector<std::vector<std::string>> conflicting;
  for (const auto& leaf : Leaves(applied)) {
    const Json* want = ValueAt(config, leaf);
    const Json* have = ValueAt(base, leaf);
    if (want == nullptr || have == nullptr || *want == *have) continue;
    for (const ManagerEntry& e : entries) {
      if (e.SameIdentity(self) || !e.fields.Has(leaf)) continue;
      conflicts.push_back({SortKey(e), Describe(e), PathString(leaf)});
      conflicting.push_back(leaf);
    }
  }
  if (!conflicts.empty() && !request.force) {
    return Conflict(ConflictMessage(conflicts));
  }
  for (ManagerEntry& e : entries) {
    if (e.SameIdentity(self)) continue;
    for (const auto& path : conflicting) e.fields.Remove(path);
  }

  // Fields this manager applied before and no longer applies go, unless someone else owns them.
  FieldSet others;
  for (const ManagerEntry& e : entries) {
    if (!e.SameIdentity(self)) others.Merge(e.fields);
  }
  Json out = base;
  FieldSet dropped = previous.Minus(applied);
  std::vector<std::vector<std::string>> dropped_paths;
  dropped.Members(dropped_paths);  // parents before children
  std::vector<std::vector<std::string>> removed_items;
  for (const auto& path : dropped_paths) {
    bool under_removed =
        std::any_of(removed_items.begin(), removed_items.end(), [&](const auto& r) {
          return r.size() < path.size() && std::equal(r.begin(), r.end(), path.begin());
        });
    if (under_removed || others.HasAnyUnder(path) || applied.HasAnyUnder(path)) continue;
    const FieldSet* node = &previous;
    for (const std::string& p : path) node = &node->children.at(p);
    bool item = path.back().rfind("f:", 0) != 0;
    if (item) {
      RemoveAt(out, path);  // the whole list item, with its fields
      removed_items.push_back(path);
    } else if (node->children.empty()) {
      RemoveAt(out, path);
    }
  }

  // The configuration itself. apiVersion/kind follow the served version.
  Json cfg = config;
  if (request.subresource == "status") {
    Json only = Json::object();
    if (cfg.contains("status")) only["status"] = cfg["status"];
    cfg = std::move(only);
  }
  if (cfg.contains("metadata") && cfg["metadata"].is_object())
    cfg["metadata"].erase("managedFields");
  MergeApplied(out, cfg, "", lists, 0);

  bool replaced = false;
  for (ManagerEntry& e : entries) {
    if (e.SameIdentity(self)) {
      e = self;
      e.fields = applied;
      replaced = true;
    }
  }
  if (!replaced) {
    self.fields = applied;
    entries.push_back(std::move(self));
  }
  WriteManagedFields(out, entries);
  return out;
}

namespace {

// Paths (fieldsV1 form, lists atomic) whose values differ between two objects, and those
// removed.
void Diff(const Json* a, const Json* b, std::vector<std::string>& path, FieldSet& changed,
          FieldSet& removed, int depth) {
  auto mark = [&](FieldSet& set) {
    FieldSet* cur = &set;
    for (const std::string& p : path) cur = &cur->children[p];
    cur->self = true;
  };
  if (depth > kJsonDepthMax) return;
  if (b == nullptr) {
    if (a != nullptr && !path.empty()) mark(removed);
    return;
  }
  if (b->is_object() && !b->empty() && (a == nullptr || a->is_object())) {
    const bool in_metadata = path.size() == 1 && path[0] == "f:metadata";
    for (const auto& [k, v] : b->items()) {
      if (in_metadata && k == "managedFields") continue;
      path.push_back("f:" + k);
      const Json* av = nullptr;
      if (a != nullptr) {
        auto it = a->find(k);
        if (it != a->end()) av = &*it;
      }
      Diff(av, &v, path, changed, removed, depth + 1);
      path.pop_back();
    }
    if (a != nullptr) {
      for (const auto& [k, v] : a->items()) {
        if (b->contains(k) || (in_metadata && k == "managedFields")) continue;
        path.push_back("f:" + k);
        mark(removed);
        path.pop_back();
      }
    }
    return;
  }
  if (a == nullptr || *a != *b) {
    if (!path.empty()) mark(changed);
  }
}

// Typed comparison (structured-merge-diff's Compare): members of the new object's field set
// that the old one lacks or whose leaf values differ are changed; members only the old one has
// are removed.
void TypedDiff(const Json* a, const Json& b, const ListKindFn& lists, const IsMapFn& maps,
               FieldSet& changed, FieldSet& removed) {
  static const Json kEmpty = Json::object();
  const Json& old_obj = a != nullptr ? *a : kEmpty;
  FieldSet old_set = SetOfObject(old_obj, lists, maps);
  FieldSet new_set = SetOfObject(b, lists, maps);
  removed = old_set.Minus(new_set);
  changed = new_set.Minus(old_set);
  std::vector<std::string> path;
  // Leaves present in both whose values differ.
  std::function<void(const FieldSet&, const FieldSet&)> walk = [&](const FieldSet& n,
                                                                   const FieldSet& o) {
    for (const auto& [k, c] : n.children) {
      auto it = o.children.find(k);
      if (it == o.children.end()) continue;
      path.push_back(k);
      if (c.self && c.children.empty() && it->second.self) {
        const Json* nv = ValueAt(b, path);
        const Json* ov = ValueAt(old_obj, path);
        if (nv != nullptr && (ov == nullptr || *nv != *ov)) {
          FieldSet* cur = &changed;
          for (const std::string& p : path) cur = &cur->children[p];
          cur->self = true;
        }
      }
      walk(c, it->second);
      path.pop_back();
    }
  };
  walk(new_set, old_set);
}

void RecordUpdate(const Json& old_object, Json& new_object, std::string_view manager,
                  std::string_view subresource, Time now, const ListKindFn* lists,
                  const IsMapFn* maps) {
  if (!new_object.is_object()) return;
  const Json* sent = FindPath(new_object, "metadata.managedFields");
  if (sent != nullptr && sent->is_array() && sent->empty()) {
    new_object["metadata"].erase("managedFields");  // an explicit empty list resets ownership
    return;
  }
  FieldSet changed, removed;
  if (lists != nullptr && maps != nullptr) {
    TypedDiff(old_object.is_object() ? &old_object : nullptr, new_object, *lists, *maps, changed,
              removed);
  } else {
    std::vector<std::string> path;
    Diff(old_object.is_object() ? &old_object : nullptr, &new_object, path, changed, removed, 0);
  }
  StripSystemFields(changed);
  StripSystemFields(removed);
  if (subresource == "status") {
    FieldSet only;
    auto it = changed.children.find("f:status");
    if (it != changed.children.end()) only.children["f:status"] = it->second;
    changed = std::move(only);
  }
  const bool from_request = sent != nullptr && sent->is_array();
  if (changed.Empty() && removed.Empty()) {
    // Nothing changed hands: keep the recorded ownership as it is.
    if (!from_request) {
      const Json* old_mf =
          old_object.is_object() ? FindPath(old_object, "metadata.managedFields") : nullptr;
      if (old_mf != nullptr) new_object["metadata"]["managedFields"] = *old_mf;
    }
    return;
  }
  static const Json kNone;
  const Json& source = from_request ? new_object : old_object.is_object() ? old_object : kNone;
  std::vector<ManagerEntry> entries = ReadManagedFields(source);
  std::vector<std::vector<std::string>> changed_paths, removed_paths;
  if (!entries.empty()) {  // only others' entries need paths removed
    changed.Members(changed_paths);
    removed.Members(removed_paths);
  }
  ManagerEntry self{
      std::string(manager),     "Update", GetString(new_object, "apiVersion"), FormatRfc3339(now),
      std::string(subresource), {}};
  for (ManagerEntry& e : entries) {
    if (!manager.empty() && e.SameIdentity(self)) continue;
    for (const auto& p : changed_paths) e.fields.Remove(p);
    for (const auto& p : removed_paths) e.fields.Remove(p);
  }
  if (!manager.empty() && !changed.Empty()) {
    bool found = false;
    for (ManagerEntry& e : entries) {
      if (!e.SameIdentity(self)) continue;
      for (const auto& p : removed_paths) e.fields.Remove(p);
      e.fields.Merge(changed);
      e.time = self.time;
      e.api_version = self.api_version;
      found = true;
    }
    if (!found) {
      self.fields = changed;
      entries.push_back(std::move(self));
    }
  }
  WriteManagedFields(new_object, entries);
}

}  // namespace

void UpdateManagedFields(const Json& old_object, Json& new_object, std::string_view manager,
                         std::string_view subresource, Time now) {
  RecordUpdate(old_object, new_object, manager, subresource, now, nullptr, nullptr);
}

void UpdateManagedFields(const TypeRegistry& types, const ResourceType& type,
                         const Json& old_object, Json& new_object, std::string_view manager,
                         std::string_view subresource, Time now) {
  ListKindFn lists = ListKindsOf(types, type);
  IsMapFn maps = MapsOf(types, type);
  RecordUpdate(old_object, new_object, manager, subresource, now, &lists, &maps);
}

}  // namespace kt::sim
