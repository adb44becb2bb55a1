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

#include "api/object.h"
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
  const Json* mf = api::MetaField(obj, "managedFields");
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

// One walk over two objects (structured-merge-diff's Compare without building either field
// set): `changed` gets the members of b that a lacks or whose leaf values differ, `removed` the
// members only a has (a removed subtree is marked at its root). Map lists are compared item by
// item by key, set lists value by value, atomic lists as leaves, and map-typed objects
// (labels) are members themselves.
class Differ {
 public:
  Differ(const ListKindFn& lists, const IsMapFn& maps, FieldSet& changed, FieldSet& removed)
      : lists_(lists), maps_(maps), changed_(changed), removed_(removed) {}

  // Compares only the top-level member `key` of two objects.
  void WalkMember(const Json& a, const Json& b, const std::string& key) {
    const Json* av = nullptr;
    const Json* bv = nullptr;
    if (a.is_object()) {
      if (auto it = a.find(key); it != a.end()) av = &*it;
    }
    if (auto it = b.find(key); it != b.end()) bv = &*it;
    path_.push_back("f:" + key);
    if (bv != nullptr) Walk(av, *bv, key, 1);
    else if (av != nullptr) Mark(removed_);
    path_.pop_back();
  }

  void Walk(const Json* a, const Json& b, const std::string& dotted, int depth) {
    if (depth > kJsonDepthMax) return;
    if (b.is_object() && !b.empty() && (a == nullptr || a->is_object())) {
      if (!dotted.empty() && (a == nullptr || a->empty()) && maps_(dotted)) {
        Mark(changed_);  // a map that was not there is itself a new member
      }
      const bool in_metadata = path_.size() == 1 && path_[0] == "f:metadata";
      for (const auto& [k, v] : b.items()) {
        if (in_metadata && k == "managedFields") continue;
        const Json* av = nullptr;
        if (a != nullptr) {
          auto it = a->find(k);
          if (it != a->end()) av = &*it;
        }
        path_.push_back("f:" + k);
        Walk(av, v, dotted.empty() ? k : dotted + "." + k, depth + 1);
        path_.pop_back();
      }
      if (a != nullptr) {
        for (const auto& [k, v] : a->items()) {
          if (b.contains(k) || (in_metadata && k == "managedFields")) continue;
          path_.push_back("f:" + k);
          Mark(removed_);
          path_.pop_back();
        }
      }
      return;
    }
    if (b.is_array() && !b.empty()) {
      const ListKind kind = lists_(dotted);
      const Json* old_list = a != nullptr && a->is_array() ? a : nullptr;
      if (kind.type == ListKind::kMap) return WalkMapList(old_list, b, kind, dotted, depth);
      if (kind.type == ListKind::kSet) return WalkSetList(old_list, b);
    }
    if (b.is_null()) return;
    if ((a == nullptr || *a != b) && !path_.empty()) Mark(changed_);
  }

 private:
  void WalkMapList(const Json* a, const Json& b, const ListKind& kind, const std::string& dotted,
                   int depth) {
    // Each item's key is built once: (key, item) of a, then of b.
    std::vector<std::pair<std::string, const Json*>> old_items;
    if (a != nullptr) {
      for (const Json& o : *a) {
        if (HasKeys(kind.keys, o)) old_items.emplace_back(ItemKey(kind.keys, o), &o);
      }
    }
    std::vector<std::string> seen;
    for (const Json& item : b) {
      if (!HasKeys(kind.keys, item)) continue;
      const std::string key = ItemKey(kind.keys, item);
      seen.push_back(key);
      const Json* old_item = nullptr;
      for (const auto& [k, o] : old_items) {
        if (k == key) old_item = o;
      }
      path_.push_back(key);
      if (old_item == nullptr) Mark(changed_);  // a new item is a member with its fields
      Walk(old_item, item, dotted, depth + 1);   // list indices are not part of paths
      path_.pop_back();
    }
    for (const auto& [key, o] : old_items) {
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
      path_.push_back(key);
      Mark(removed_);
      path_.pop_back();
    }
  }

  void WalkSetList(const Json* a, const Json& b) {
    auto holds = [](const Json* list, const Json& v) {
      return list != nullptr && std::find(list->begin(), list->end(), v) != list->end();
    };
    for (const Json& v : b) {
      if (v.is_object() || v.is_array() || holds(a, v)) continue;
      path_.push_back(ValueKey(v));
      Mark(changed_);
      path_.pop_back();
    }
    if (a == nullptr) return;
    for (const Json& v : *a) {
      if (v.is_object() || v.is_array() || holds(&b, v)) continue;
      path_.push_back(ValueKey(v));
      Mark(removed_);
      path_.pop_back();
    }
  }

  void Mark(FieldSet& set) {
    FieldSet* cur = &set;
    for (const std::string& p : path_) cur = &cur->children[p];
    cur->self = true;
  }

  const ListKindFn& lists_;
  const IsMapFn& maps_;
  FieldSet& changed_;
  FieldSet& removed_;
  std::vector<std::string> path_;
};

void RecordUpdate(const Json& old_object, Json& new_object, std::string_view manager,
                  std::string_view subresource, Time now, const ListKindFn& lists,
                  const IsMapFn& maps) {
  if (!new_object.is_object()) return;
  const Json* sent = api::MetaField(new_object, "managedFields");
  if (sent != nullptr && sent->is_array() && sent->empty()) {
    new_object["metadata"].erase("managedFields");  // an explicit empty list resets ownership
    return;
  }
  const bool from_request = sent != nullptr && sent->is_array();
  const Json* old_mf =
      old_object.is_object() ? api::MetaField(old_object, "managedFields") : nullptr;
  if (manager.empty() && sent == nullptr && old_mf == nullptr) {
    return;  // no manager to record and no one's ownership to take away
  }
  FieldSet changed, removed;
  Differ differ(lists, maps, changed, removed);
  if (subresource == "status") {
    // A status write keeps everything but status from the stored object: only status can
    // differ, and only status changes hands.
    differ.WalkMember(old_object, new_object, "status");
  } else {
    differ.Walk(old_object.is_object() ? &old_object : nullptr, new_object, "", 0);
    StripSystemFields(changed);
    StripSystemFields(removed);
  }
  if (changed.Empty() && removed.Empty()) {
    // Nothing changed hands: keep the recorded ownership as it is.
    if (!from_request && old_mf != nullptr) new_object["metadata"]["managedFields"] = *old_mf;
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
    // Every manager loses what was removed (the writer too, even when it changed nothing
    // else); the others also lose what the writer now owns.
    for (const auto& p : removed_paths) e.fields.Remove(p);
    if (!manager.empty() && e.SameIdentity(self)) continue;
    for (const auto& p : changed_paths) e.fields.Remove(p);
  }
  if (!manager.empty() && !changed.Empty()) {
    bool found = false;
    for (ManagerEntry& e : entries) {
      if (!e.SameIdentity(self)) continue;
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

void UpdateManagedFields(const TypeRegistry& types, const ResourceType& type,
                         const Json& old_object, Json& new_object, std::string_view manager,
                         std::string_view subresource, Time now) {
  ListKindFn lists = ListKindsOf(types, type);
  IsMapFn maps = MapsOf(types, type);
  RecordUpdate(old_object, new_object, manager, subresource, now, lists, maps);
}

}  // namespace kt::sim
