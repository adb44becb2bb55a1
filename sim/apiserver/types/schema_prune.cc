// Unknown-field detection, pruning and defaulting over structural schemas. The three walks
// share one notion of "known": a property of the schema, any key of a map
// (additionalProperties), anything under x-kubernetes-preserve-unknown-fields, and
// apiVersion/kind/metadata at a resource root or an embedded resource (metadata then follows
// the ObjectMeta schema).
#include <algorithm>

#include "sim/apiserver/types/builtin_schemas.h"
#include "sim/apiserver/types/field_path.h"
#include "sim/apiserver/types/schema.h"

namespace kt::sim {
namespace {

const Schema& MetaSchema() { return *BuiltinSchemas::Get().object_meta.compiled; }

// The schema that governs `key` of an object with schema `s`; null when the key is unknown
// and the object does not preserve unknown fields. `implicit` marks apiVersion/kind (no
// schema needed: anything goes).
// `props` walks `s`'s properties; keys come in ascending order.
const Schema* ChildSchema(const Schema& s, PropertyCursor& props, const std::string& key,
                          bool embedded, bool* implicit) {
  *implicit = false;
  if (embedded && std::string_view(key) == "metadata") return &MetaSchema();
  if (const Schema* p = props.Seek(key)) return p;
  if (embedded && IsImplicitMember(key)) {
    *implicit = true;
    return nullptr;
  }
  if (s.additional_properties != nullptr) return s.additional_properties.get();
  return nullptr;
}

class UnknownWalker {
 public:
  UnknownWalker(std::vector<std::string>& out, size_t max) : out_(out), max_(max) {}

  void Walk(const Schema& s, const Json& v, const PathRef& path, bool embedded) {
    if (out_.size() >= max_) return;
    if (v.is_object()) {
      if (s.type != Schema::Type::kObject && s.type != Schema::Type::kUnspecified) return;
      bool emb = embedded || s.embedded_resource;
      PropertyCursor props(s);
      for (const auto& [key, child] : v.items()) {
        bool implicit = false;
        const Schema* cs = ChildSchema(s, props, key, emb, &implicit);
        if (cs != nullptr) {
          Walk(*cs, child, PathRef::Child(path, key), false);
        } else if (!implicit && !s.preserve_unknown_fields && !s.additional_properties_any) {
          if (out_.size() < max_) out_.push_back(PathRef::Child(path, key).Str());
        }
      }
    } else if (v.is_array() && s.items != nullptr) {
      for (size_t i = 0; i < v.size() && out_.size() < max_; ++i) {
        Walk(*s.items, v[i], PathRef::Index(path, i), false);
      }
    }
  }

 private:
  std::vector<std::string>& out_;
  size_t max_;
};

// Prunes `v`; with `unknown` set, also records the paths of the unknown fields it removes (at
// most `max` of them), as UnknownWalker would find them.
class Pruner {
 public:
  Pruner(std::vector<std::string>* unknown, size_t max) : unknown_(unknown), max_(max) {}

  // `unchanged`: members of `v` (the root) left alone.
  void Prune(const Schema& s, Json& v, const PathRef& path, bool embedded,
             const SchemaWalk* unchanged = nullptr) {
    if (v.is_object()) {
      if (s.type != Schema::Type::kObject && s.type != Schema::Type::kUnspecified) return;
      bool emb = embedded || s.embedded_resource;
      PropertyCursor props(s);
      for (auto it = v.begin(); it != v.end();) {
        if (unchanged != nullptr && unchanged->Unchanged(it.key())) {
          ++it;
          continue;
        }
        bool implicit = false;
        const Schema* cs = ChildSchema(s, props, it.key(), emb, &implicit);
        if (cs != nullptr) {
          if (it->is_null() && !cs->nullable) {
            it = v.erase(it);
            continue;
          }
          Prune(*cs, *it, PathRef::Child(path, it.key()), false);
        } else if (!implicit && !s.preserve_unknown_fields && !s.additional_properties_any) {
          if (unknown_ != nullptr && unknown_->size() < max_) {
            unknown_->push_back(PathRef::Child(path, it.key()).Str());
          }
          it = v.erase(it);
          continue;
        }
        ++it;
      }
    } else if (v.is_array() && s.items != nullptr) {
      for (size_t i = 0; i < v.size(); ++i) Prune(*s.items, v[i], PathRef::Index(path, i), false);
    }
  }

 private:
  std::vector<std::string>* unknown_;
  size_t max_;
};

// `unchanged`: members of `v` (the root) left alone.
void Default(const Schema& s, Json& v, const SchemaWalk* unchanged = nullptr) {
  if (!s.defaults_below) return;
  if (v.is_object()) {
    for (const auto& [key, cs] : s.properties) {
      if (!cs->has_default) continue;
      auto it = v.find(key);
      if (it == v.end()) {
        if (cs->has_default) v[key] = cs->default_value;
      } else if (it->is_null() && cs->has_default && !cs->nullable) {
        *it = cs->default_value;
      }
    }
    PropertyCursor props(s);
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (unchanged != nullptr && unchanged->Unchanged(it.key())) continue;
      if (const Schema* p = props.Seek(it.key())) {
        if (p->defaults_below) Default(*p, *it);
      } else if (s.additional_properties != nullptr) {
        Default(*s.additional_properties, *it);
      }
    }
  } else if (v.is_array() && s.items != nullptr) {
    for (Json& e : v) Default(*s.items, e);
  }
}

}  // namespace

std::vector<std::string> UnknownFields(const Schema& schema, const Json& value,
                                       const SchemaWalk& walk, size_t max_fields) {
  std::vector<std::string> out;
  PathRef root = PathRef::Root(walk.root_path);
  UnknownWalker(out, max_fields).Walk(schema, value, root, walk.is_resource_root);
  return out;
}

void PruneWithSchema(const Schema& schema, Json& value, const SchemaWalk& walk,
                     std::vector<std::string>* unknown, size_t max_fields) {
  PathRef root = PathRef::Root(walk.root_path);
  Pruner(unknown, max_fields).Prune(schema, value, root, walk.is_resource_root, &walk);
}

void DefaultWithSchema(const Schema& schema, Json& value, const SchemaWalk& walk) {
  Default(schema, value, &walk);
}

std::vector<std::string_view> UnchangedMembers(const Json& obj, const Json& stored) {
  std::vector<std::string_view> out;
  if (!obj.is_object() || !stored.is_object()) return out;
  out.reserve(std::min(obj.size(), stored.size()));
  // Both objects' members are sorted by key: one merge pass.
  auto a = obj.begin();
  for (auto b = stored.begin(); a != obj.end() && b != stored.end();) {
    const int c = CompareKeys(a.key(), b.key());
    if (c < 0) {
      ++a;
    } else if (c > 0) {
      ++b;
    } else {
      if (SameJson(*a, *b)) out.push_back(b.key());
      ++a;
      ++b;
    }
  }
  return out;
}

}  // namespace kt::sim
