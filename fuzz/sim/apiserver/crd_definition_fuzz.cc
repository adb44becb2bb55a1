// Arbitrary CRD objects: ValidateCrd and AddCrd never crash; a CRD that is accepted yields
// resources whose discovery, OpenAPI and table renderings never crash, and whose custom
// resources can be admitted; RemoveCrd undoes it.
#include "base/check.h"
#include "fuzz/sim/apiserver/fuzz_input.h"
#include "sim/apiserver/types/type_registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = kt::fuzz::Parts(data, size, 2);
  auto crd = kt::fuzz::ParsePart(parts[0]);
  if (!crd) return 0;
  kt::sim::TypeRegistry types;
  kt::Status s = types.AddCrd(*crd);
  if (!s.ok()) {
    KT_CHECK(s.Is(kt::StatusCode::kInvalid) || s.Is(kt::StatusCode::kBadRequest)) << s.ToString();
    return 0;
  }
  (void)types.AggregatedDiscovery(false);
  (void)types.LegacyApiGroupList();
  (void)types.OpenApiIndex();
  std::optional<kt::Json> obj;
  if (parts.size() > 1) obj = kt::fuzz::ParsePart(parts[1]);
  for (const kt::sim::ResourceType* t : types.All()) {
    if (!t->is_custom) continue;
    (void)types.LegacyApiResourceList(t->gvr.group, t->gvr.version);
    (void)types.OpenApiDocument("apis/" + t->gvr.group + "/" + t->gvr.version);
    if (obj) {
      kt::Json copy = *obj;
      (void)types.Admit(*t, copy, "Strict");
      if (obj->is_object()) {
        (void)types.ToTable(*t, {&*obj}, kt::FromUnixSeconds(1767225600), "Object");
      }
    }
  }
  std::string name = crd->is_object() && (*crd)["metadata"].is_object()
                         ? (*crd)["metadata"].value("name", "")
                         : "";
  types.RemoveCrd(name);
  for (const kt::sim::ResourceType* t : types.All()) KT_CHECK(!t->is_custom);
  return 0;
}
