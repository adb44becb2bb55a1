// TypeRegistry: lookup, the built-in catalogue, and the schema operations. CRD registration
// lives in crd_registration.cc, discovery in discovery.cc, OpenAPI in openapi.cc, tables in
// table.cc.
#include "sim/apiserver/types/type_registry.h"

#include <algorithm>

#include "api/object.h"
#include "sim/apiserver/types/builtin_kinds.h"
#include "sim/apiserver/types/builtin_schemas.h"
#include "sim/apiserver/types/crd.h"
#include "sim/apiserver/types/merge_keys.h"
#include "sim/apiserver/types/object_meta.h"
#include "sim/apiserver/types/registry_impl.h"
#include "sim/apiserver/types/version_priority.h"

namespace kt::sim {

ValidationResult::ValidationResult() = default;
ValidationResult::~ValidationResult() = default;
ValidationResult::ValidationResult(const ValidationResult&) = default;
ValidationResult& ValidationResult::operator=(const ValidationResult&) = default;
ValidationResult::ValidationResult(ValidationResult&&) noexcept = default;
ValidationResult& ValidationResult::operator=(ValidationResult&&) noexcept = default;

int TypeRegistry::Impl::GroupRank(const std::string& group) const {
  auto it = std::find(builtin_group_order.begin(), builtin_group_order.end(), group);
  if (it != builtin_group_order.end()) return static_cast<int>(it - builtin_group_order.begin());
  return static_cast<int>(builtin_group_order.size());
}

void TypeRegistry::Impl::Reindex() {
  by_gvr.clear();
  by_type.clear();
  by_gvk.clear();
  ordered.clear();
  std::vector<TypeEntry*> all;
  for (auto& e : entries) {
    by_gvr[e->type.gvr] = e.get();
    by_type[&e->type] = e.get();
    by_gvk[e->type.gvk()] = e.get();
    all.push_back(e.get());
  }
  std::stable_sort(all.begin(), all.end(), [this](const TypeEntry* a, const TypeEntry* b) {
    const auto& ga = a->type.gvr;
    const auto& gb = b->type.gvr;
    int ra = GroupRank(ga.group), rb = GroupRank(gb.group);
    if (ra != rb) return ra < rb;
    if (ga.group != gb.group) return ga.group < gb.group;
    if (ga.version != gb.version) return KubeVersionLess(ga.version, gb.version);
    return ga.resource < gb.resource;
  });
  for (TypeEntry* e : all) ordered.push_back(&e->type);
}

TypeRegistry::TypeRegistry() : impl_(std::make_unique<Impl>()) {
  const BuiltinCatalog& catalog = BuiltinCatalog::Get();
  const BuiltinSchemas& schemas = BuiltinSchemas::Get();
  impl_->builtin_group_order = catalog.group_order;
  for (const ResourceType& t : catalog.types) {
    auto e = std::make_unique<TypeEntry>();
    e->type = t;
    e->name_rule = catalog.NameRuleOf(t.gvr.GroupResource());
    // events.k8s.io/v1 Event and core Event share a kind name; schemas are keyed by the
    // group-qualified kind where they differ.
    const BuiltinSchemas::KindSchema* ks =
        schemas.Find(t.gvr.group.empty() ? t.kind : t.kind + "." + t.gvr.group);
    if (ks == nullptr) ks = schemas.Find(t.kind);
    if (ks != nullptr) {
      e->schema = ks->compiled;
      e->openapi_schema = ks->written;
    }
    impl_->entries.push_back(std::move(e));
  }
  impl_->Reindex();
}

TypeRegistry::~TypeRegistry() = default;

const ResourceType* TypeRegistry::Find(const api::GroupVersionResource& gvr) const {
  auto it = impl_->by_gvr.find(gvr);
  return it == impl_->by_gvr.end() ? nullptr : &it->second->type;
}

const ResourceType* TypeRegistry::FindByKind(const api::GroupVersionKind& gvk) const {
  auto it = impl_->by_gvk.find(gvk);
  return it == impl_->by_gvk.end() ? nullptr : &it->second->type;
}

std::vector<const ResourceType*> TypeRegistry::All() const { return impl_->ordered; }

std::vector<const ResourceType*> TypeRegistry::VersionsOf(std::string_view storage_key) const {
  std::vector<const ResourceType*> out;
  for (const ResourceType* t : impl_->ordered) {
    if (t->storage_key == storage_key) out.push_back(t);
  }
  return out;
}

const ResourceType* TypeRegistry::StorageVersionOf(const ResourceType& type) const {
  for (const ResourceType* t : impl_->ordered) {
    if (t->storage_key == type.storage_key && t->storage_version) return t;
  }
  return Find(type.gvr);
}

uint64_t TypeRegistry::Revision() const { return impl_->revision; }

Result<std::string> TypeRegistry::Memo(std::string_view key,
                                       const std::function<Result<std::string>()>& build) const {
  Impl& im = *impl_;
  if (im.memo_revision != im.revision) {
    im.memo.clear();
    im.memo_revision = im.revision;
  }
  auto it = im.memo.find(key);
  if (it != im.memo.end()) return it->second;
  KT_ASSIGN_OR_RETURN(std::string text, build());
  im.memo.emplace(std::string(key), text);
  return text;
}

namespace {

std::string StrictError(const ResourceType& type, const std::vector<std::string>& unknown) {
  std::string m = type.kind + " in version " + GoQuote(type.gvr.version) +
                  " cannot be handled as a " + type.kind + ": strict decoding error: ";
  for (size_t i = 0; i < unknown.size(); ++i) {
    if (i > 0) m += ", ";
    m += "unknown field " + GoQuote(unknown[i]);
  }
  return m;
}

// Applies fieldValidation to the unknown fields found: Strict fails the request (false, with
// r.status set), Warn adds warnings.
bool ReportUnknown(const ResourceType& type, const std::vector<std::string>& unknown,
                   std::string_view field_validation, ValidationResult& r) {
  if (unknown.empty()) return true;
  if (field_validation == "Strict") {
    r.status = BadRequest(StrictError(type, unknown));
    return false;
  }
  for (const std::string& f : unknown) r.warnings.push_back("unknown field " + GoQuote(f));
  return true;
}

// Validate's checks of an object (leaving out `walk.unchanged` members, ratcheting against
// `walk.previous`): metadata, the schema, and for CustomResourceDefinitions the CRD rules.
// `prunable`: see ValidateAgainstSchema.
FieldErrors CheckObject(const TypeEntry* e, const ResourceType& type, const Json& obj,
                        const SchemaWalk& walk, bool* prunable = nullptr) {
  FieldErrors errors;
  if (!walk.Unchanged("metadata")) {
    ValidateObjectMeta(obj, e != nullptr ? e->name_rule : NameRule::kDnsSubdomain, errors,
                       prunable);
  }
  if (e != nullptr && e->schema != nullptr) {
    ValidateAgainstSchema(*e->schema, obj, walk, errors, prunable);
  }
  if (type.gvr == api::resources::kCustomResourceDefinitions && errors.empty()) {
    FieldErrors crd_errors = ValidateCrdObject(obj);
    errors.insert(errors.end(), crd_errors.begin(), crd_errors.end());
  }
  return errors;
}

void DefaultObject(const TypeEntry* e, const ResourceType& type, Json& obj,
                   const SchemaWalk& walk) {
  if (e != nullptr && e->schema != nullptr) DefaultWithSchema(*e->schema, obj, walk);
  if (type.gvr == api::resources::kCustomResourceDefinitions) DefaultCrd(obj);
}

// Whether DefaultObject can change an object of this type.
bool HasDefaults(const TypeEntry* e, const ResourceType& type) {
  return (e != nullptr && e->schema != nullptr && e->schema->defaults_below) ||
         type.gvr == api::resources::kCustomResourceDefinitions;
}

void Conclude(const ResourceType& type, const Json& obj, FieldErrors errors, ValidationResult& r) {
  if (errors.empty()) return;
  r.status = InvalidStatus(type.kind, type.gvr.group, api::Name(obj), errors);
  r.errors = std::move(errors);
}

ValidationResult NotAnObject(const ResourceType& type, const Json& obj) {
  ValidationResult r;
  r.status = BadRequest("the object of kind " + type.kind + " must be a JSON object, not " +
                        std::string(JsonTypeName(obj)));
  return r;
}

}  // namespace

ValidationResult TypeRegistry::Validate(const ResourceType& type, const Json& obj,
                                        std::string_view field_validation) const {
  if (!obj.is_object()) return NotAnObject(type, obj);
  ValidationResult r;
  const TypeEntry* e = impl_->Entry(type);
  SchemaWalk walk;
  if (e != nullptr && e->schema != nullptr && field_validation != "Ignore" &&
      !ReportUnknown(type, UnknownFields(*e->schema, obj, walk), field_validation, r)) {
    return r;
  }
  Conclude(type, obj, CheckObject(e, type, obj, walk), r);
  return r;
}

void TypeRegistry::ApplyDefaults(const ResourceType& type, Json& obj) const {
  if (!obj.is_object()) return;
  DefaultObject(impl_->Entry(type), type, obj, SchemaWalk{});
}

void TypeRegistry::Prune(const ResourceType& type, Json& obj) const {
  if (!obj.is_object()) return;
  const TypeEntry* e = impl_->Entry(type);
  if (e == nullptr || e->schema == nullptr) return;
  PruneWithSchema(*e->schema, obj, SchemaWalk{});
}

ValidationResult TypeRegistry::Admit(const ResourceType& type, Json& obj,
                                     std::string_view field_validation,
                                     std::string_view only_member, const Json* stored) const {
  if (!obj.is_object()) return NotAnObject(type, obj);
  const TypeEntry* e = impl_->Entry(type);
  // A built-in kind's schema never changes, so the stored object was admitted under this one.
  // A custom resource's schema can change under its stored objects: it is pruned and defaulted
  // whole, and validated with ratcheting (its unchanged values keep the errors they had).
  SchemaWalk root;
  std::vector<std::string_view> unchanged;
  if (stored != nullptr && !type.is_custom) {
    unchanged = UnchangedMembers(obj, *stored);
    root.unchanged = unchanged;
  }
  if (stored != nullptr && type.is_custom) root.previous = stored;
  const Schema* member_schema = nullptr;
  if (!only_member.empty() && !type.is_custom && e != nullptr && e->schema != nullptr) {
    member_schema = e->schema->Property(only_member);
  }
  ValidationResult r;
  // Unknown fields are found by the pruning walk itself (one walk, not two); a Strict failure
  // leaves `obj` pruned, which the caller discards.
  std::vector<std::string> unknown;
  std::vector<std::string>* report = field_validation != "Ignore" ? &unknown : nullptr;
  if (member_schema == nullptr) {
    // Most objects arrive with nothing to prune, and validation can tell on its own walk: a
    // valid object it finds nothing prunable in is admitted as is, without the pruning walk.
    // Kube's order (prune, default, validate) still holds where it could matter: for types
    // with defaults (which pruning must precede) and for ratcheting custom-resource updates
    // (whose unchanged values validation does not walk); and whenever validation fails or
    // finds something to prune, the object is admitted the long way.
    if (root.previous == nullptr && !HasDefaults(e, type)) {
      bool prunable = false;
      const FieldErrors errors = CheckObject(e, type, obj, root, &prunable);
      if (errors.empty() && !prunable) return r;
    }
    if (e != nullptr && e->schema != nullptr) {
      PruneWithSchema(*e->schema, obj, root, report);
      if (!ReportUnknown(type, unknown, field_validation, r)) return r;
    }
    DefaultObject(e, type, obj, root);
    Conclude(type, obj, CheckObject(e, type, obj, root), r);
    return r;
  }
  // Everything but the member comes from the stored, already admitted object: only the member
  // is checked, pruned, defaulted and validated, with the object's metadata (kube's status
  // strategies validate metadata and status, not the spec).
  const SchemaWalk walk{std::string(only_member), false};
  FieldErrors errors;
  if (!root.Unchanged("metadata")) ValidateObjectMeta(obj, e->name_rule, errors);
  if (auto m = obj.find(only_member); m != obj.end() && !root.Unchanged(only_member)) {
    PruneWithSchema(*member_schema, *m, walk, report);
    if (!ReportUnknown(type, unknown, field_validation, r)) return r;
    DefaultWithSchema(*member_schema, *m);
    ValidateAgainstSchema(*member_schema, *m, walk, errors);
  }
  Conclude(type, obj, std::move(errors), r);
  return r;
}

std::optional<TypeRegistry::ListMergeInfo> TypeRegistry::MergeInfo(
    const ResourceType& type, std::string_view field_path) const {
  if (type.is_custom) {
    // Custom resources have no strategic merge patch, but server-side apply reads list types
    // from the schema: map lists merge by their x-kubernetes-list-map-keys, set lists by value.
    const TypeEntry* e = impl_->Entry(type);
    if (e == nullptr || e->schema == nullptr) return std::nullopt;
    const Schema* s = SchemaAt(*e->schema, field_path);
    if (s == nullptr || s->type != Schema::Type::kArray) return std::nullopt;
    if (s->list_type == "map" && !s->list_map_keys.empty()) {
      return ListMergeInfo{s->list_map_keys[0], false, s->list_map_keys, {}};
    }
    if (s->list_type == "set") return ListMergeInfo{"", true};
    return std::nullopt;
  }
  return MergeKeyTable::Builtin().Find(type.kind, field_path);
}

const Schema* TypeRegistry::SchemaOf(const ResourceType& type) const {
  const TypeEntry* e = impl_->Entry(type);
  return e == nullptr ? nullptr : e->schema.get();
}

}  // namespace kt::sim
