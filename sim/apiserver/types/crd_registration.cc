// TypeRegistry::AddCrd / RemoveCrd / ValidateCrd: turning CRD objects into served resources.
#include "sim/apiserver/types/crd.h"
#include "sim/apiserver/types/registry_impl.h"
#include "sim/apiserver/types/type_registry.h"

namespace kt::sim {

Status TypeRegistry::ValidateCrd(const Json& crd) const {
  if (!crd.is_object()) return BadRequest("a CustomResourceDefinition must be a JSON object");
  Json defaulted = crd;
  DefaultCrd(defaulted);
  FieldErrors errors = ValidateCrdObject(defaulted);
  if (errors.empty()) {
    // Names must not collide with another resource of the same group.
    std::string name = GetString(defaulted, "metadata.name");
    std::string group = GetString(defaulted, "spec.group");
    std::string kind = GetString(defaulted, "spec.names.kind");
    for (const auto& e : impl_->entries) {
      const ResourceType& t = e->type;
      if (t.gvr.group != group || t.crd_name == name) continue;
      if (t.kind == kind) {
        errors.push_back(FieldInvalid("spec.names.kind", Json(kind),
                                      "kind is already in use by " + t.gvr.GroupResource()));
        break;
      }
    }
  }
  if (errors.empty()) return Status::Ok();
  return InvalidStatus("CustomResourceDefinition", "apiextensions.k8s.io",
                       GetString(crd, "metadata.name"), errors);
}

Status TypeRegistry::AddCrd(const Json& crd) {
  KT_RETURN_IF_ERROR(ValidateCrd(crd));
  Json defaulted = crd;
  DefaultCrd(defaulted);
  std::string name = GetString(defaulted, "metadata.name");
  std::vector<std::unique_ptr<TypeEntry>> fresh = CrdEntries(defaulted);
  Impl& im = *impl_;
  std::vector<std::unique_ptr<TypeEntry>> kept;
  // Versions still served are updated in place (their ResourceType pointers stay valid).
  for (auto& e : im.entries) {
    if (e->type.crd_name != name) {
      kept.push_back(std::move(e));
      continue;
    }
    auto match = std::find_if(fresh.begin(), fresh.end(), [&](const auto& f) {
      return f != nullptr && f->type.gvr == e->type.gvr;
    });
    if (match != fresh.end()) {
      *e = std::move(**match);
      match->reset();
      kept.push_back(std::move(e));
    } else {
      im.retired.push_back(std::move(e));
    }
  }
  for (auto& f : fresh) {
    if (f != nullptr) kept.push_back(std::move(f));
  }
  im.entries = std::move(kept);
  while (im.retired.size() > Impl::kRetiredEntriesMax) im.retired.erase(im.retired.begin());
  im.crd_groups[name] = GetString(defaulted, "spec.group");
  ++im.revision;
  im.Reindex();
  return Status::Ok();
}

void TypeRegistry::RemoveCrd(std::string_view crd_name) {
  Impl& im = *impl_;
  std::vector<std::unique_ptr<TypeEntry>> kept;
  bool changed = false;
  for (auto& e : im.entries) {
    if (e->type.is_custom && e->type.crd_name == crd_name) {
      im.retired.push_back(std::move(e));
      changed = true;
    } else {
      kept.push_back(std::move(e));
    }
  }
  im.entries = std::move(kept);
  im.crd_groups.erase(std::string(crd_name));
  while (im.retired.size() > Impl::kRetiredEntriesMax) im.retired.erase(im.retired.begin());
  if (changed) {
    ++im.revision;
    im.Reindex();
  }
}

}  // namespace kt::sim
