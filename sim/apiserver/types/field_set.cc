#include "sim/apiserver/types/field_set.h"

#include <algorithm>

namespace kt::sim {
namespace {

constexpr int kDepthMax = 256;

void Build(const Json& v, const std::string& path, const ListKindFn& lists, const IsMapFn& maps,
           FieldSet& node, int depth) {
  if (depth > kDepthMax) {
    node.self = true;
    return;
  }
  if (v.is_object()) {
    if (v.empty()) {
      node.self = true;
      return;
    }
    if (!path.empty() && maps(path)) node.self = true;
    for (const auto& [k, child] : v.items()) {
      if (child.is_null()) continue;
      Build(child, path.empty() ? k : path + "." + k, lists, maps, node.children["f:" + k],
            depth + 1);
    }
    if (node.children.empty()) node.self = true;
    return;
  }
  if (v.is_array()) {
    ListKind kind = lists(path);
    if (kind.type == ListKind::kAtomic || v.empty()) {
      node.self = true;
      return;
    }
    for (const Json& item : v) {
      if (kind.type == ListKind::kSet) {
        if (!item.is_object() && !item.is_array()) node.children[ValueKey(item)].self = true;
        continue;
      }
      if (!HasKeys(kind.keys, item)) continue;
      FieldSet& child = node.children[ItemKey(kind.keys, item)];
      Build(item, path, lists, maps, child, depth + 1);
      child.self = true;
    }
    if (node.children.empty()) node.self = true;
    return;
  }
  node.self = true;
}

// The list item of `list` a "k:" or "v:" key names; -1 when none.
long FindItem(const Json& list, const std::string& key) {
  if (!list.is_array()) return -1;
  if (key.rfind("v:", 0) == 0) {
    auto v = Json::parse(key.substr(2), nullptr, false);
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i] == v) return static_cast<long>(i);
    }
    return -1;
  }
  auto k = Json::parse(key.substr(2), nullptr, false);
  if (!k.is_object()) return -1;
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& item = list[i];
    if (!item.is_object()) continue;
    bool match = true;
    for (const auto& [field, value] : k.items()) {
      auto it = item.find(field);
      match = match && it != item.end() && *it == value;
    }
    if (match) return static_cast<long>(i);
  }
  return -1;
}

}  // namespace

std::string ItemKey(const std::vector<std::string>& keys, const Json& item) {
  Json k = Json::object();
  for (const std::string& f : keys) k[f] = item.at(f);
  return "k:" + DumpJson(k);
}

bool HasKeys(const std::vector<std::string>& keys, const Json& item) {
  if (!item.is_object() || keys.empty()) return false;
  return std::all_of(keys.begin(), keys.end(), [&](const std::string& f) { return item.contains(f); });
}

std::string ValueKey(const Json& value) { return "v:" + DumpJson(value); }

bool FieldSet::Empty() const {
  if (self) return false;
  for (const auto& [k, c] : children) {
    if (!c.Empty()) return false;
  }
  return true;
}

Json FieldSet::ToFieldsV1() const {
  Json out = Json::object();
  for (const auto& [k, c] : children) {
    if (c.Empty()) continue;
    Json sub = c.ToFieldsV1();
    if (c.self && !sub.empty()) sub["."] = Json::object();
    out[k] = std::move(sub);
  }
  return out;
}

FieldSet FieldSet::FromFieldsV1(const Json& fields) {
  FieldSet s;
  if (!fields.is_object()) return s;
  for (const auto& [k, v] : fields.items()) {
    if (k == ".") continue;
    FieldSet c = FromFieldsV1(v);
    c.self = !v.is_object() || v.empty() || v.contains(".");
    s.children[k] = std::move(c);
  }
  return s;
}

FieldSet FieldSet::Minus(const FieldSet& other) const {
  FieldSet out;
  out.self = self && !other.self;
  for (const auto& [k, c] : children) {
    auto it = other.children.find(k);
    FieldSet d = it == other.children.end() ? c : c.Minus(it->second);
    if (!d.Empty()) out.children[k] = std::move(d);
  }
  return out;
}

FieldSet FieldSet::Intersect(const FieldSet& other) const {
  FieldSet out;
  out.self = self && other.self;
  for (const auto& [k, c] : children) {
    auto it = other.children.find(k);
    if (it == other.children.end()) continue;
    FieldSet i = c.Intersect(it->second);
    if (!i.Empty()) out.children[k] = std::move(i);
  }
  return out;
}

void FieldSet::Merge(const FieldSet& other) {
  self = self || other.self;
  for (const auto& [k, c] : other.children) children[k].Merge(c);
}

bool FieldSet::Has(const std::vector<std::string>& path) const {
  const FieldSet* cur = this;
  for (const std::string& p : path) {
    auto it = cur->children.find(p);
    if (it == cur->children.end()) return false;
    cur = &it->second;
  }
  return cur->self;
}

bool FieldSet::HasAnyUnder(const std::vector<std::string>& path) const {
  const FieldSet* cur = this;
  for (const std::string& p : path) {
    auto it = cur->children.find(p);
    if (it == cur->children.end()) return false;
    cur = &it->second;
  }
  return !cur->Empty();
}

void FieldSet::Remove(const std::vector<std::string>& path) {
  if (path.empty()) {
    self = false;
    return;
  }
  auto it = children.find(path[0]);
  if (it == children.end()) return;
  it->second.Remove(std::vector<std::string>(path.begin() + 1, path.end()));
  if (it->second.Empty()) children.erase(it);
}

void FieldSet::Members(std::vector<std::vector<std::string>>& out) const {
  std::vector<std::string> prefix;
  std::function<void(const FieldSet&)> walk = [&](const FieldSet& n) {
    for (const auto& [k, c] : n.children) {
      prefix.push_back(k);
      if (c.self) out.push_back(prefix);
      walk(c);
      prefix.pop_back();
    }
  };
  walk(*this);
}

FieldSet SetOfObject(const Json& value, const ListKindFn& lists, const IsMapFn& maps) {
  FieldSet s;
  Build(value, "", lists, maps, s, 0);
  s.self = false;
  return s;
}

void StripSystemFields(FieldSet& set) {
  set.children.erase("f:apiVersion");
  set.children.erase("f:kind");
  auto meta = set.children.find("f:metadata");
  if (meta == set.children.end()) return;
  for (const char* f : {"f:name", "f:namespace", "f:uid", "f:resourceVersion", "f:generation",
                        "f:creationTimestamp", "f:managedFields", "f:selfLink",
                        "f:deletionTimestamp", "f:deletionGracePeriodSeconds", "f:generateName"}) {
    meta->second.children.erase(f);
  }
  meta->second.self = false;
  if (meta->second.Empty()) set.children.erase(meta);
}

const Json* ValueAt(const Json& obj, const std::vector<std::string>& path) {
  const Json* cur = &obj;
  for (const std::string& p : path) {
    if (p.rfind("f:", 0) == 0) {
      if (!cur->is_object()) return nullptr;
      auto it = cur->find(p.substr(2));
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else {
      long i = FindItem(*cur, p);
      if (i < 0) return nullptr;
      cur = &(*cur)[static_cast<size_t>(i)];
    }
  }
  return cur;
}

void RemoveAt(Json& obj, const std::vector<std::string>& path) {
  if (path.empty()) return;
  std::vector<std::string> parent(path.begin(), path.end() - 1);
  Json* p = const_cast<Json*>(ValueAt(obj, parent));
  if (p == nullptr) return;
  const std::string& last = path.back();
  if (last.rfind("f:", 0) == 0) {
    if (p->is_object()) p->erase(last.substr(2));
    return;
  }
  long i = FindItem(*p, last);
  if (i >= 0) p->erase(p->begin() + i);
}

std::string PathString(const std::vector<std::string>& path) {
  std::string out;
  for (const std::string& p : path) {
    if (p.rfind("f:", 0) == 0) {
      out += "." + p.substr(2);
    } else if (p.rfind("v:", 0) == 0) {
      out += "[=" + p.substr(2) + "]";
    } else if (p.rfind("k:", 0) == 0) {
      auto k = Json::parse(p.substr(2), nullptr, false);
      out += "[";
      bool first = true;
      if (k.is_object()) {
        for (const auto& [f, v] : k.items()) {
          if (!first) out += ",";
          first = false;
          out += f + "=" + DumpJson(v);
        }
      }
      out += "]";
    } else {
      out += "[" + p + "]";
    }
  }
  return out;
}

}  // namespace kt::sim
