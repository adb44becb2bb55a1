// An update admitted against the stored object (TypeRegistry::Admit with `stored`, which leaves
// members equal to the stored ones alone) ends exactly as admission of the whole object does:
// the same status, warnings and object, for whole writes and status writes. The update is a
// stored object merge-patched by the input, so most of its members stay equal to the stored
// ones, which is where the two paths could differ.
// Input: byte 0 picks the stored object, byte 1 the fieldValidation mode and the write (whole
// or /status), the rest is the JSON merge patch.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/check.h"
#include "fuzz/sim/apiserver/fuzz_input.h"
#include "sim/apiserver/types/patch.h"
#include "sim/apiserver/types/type_registry.h"

namespace {

namespace res = kt::api::resources;

struct Stored {
  const kt::sim::ResourceType* type;
  kt::Json object;  // admitted, as the store holds it
};

std::vector<Stored> StoredObjects(const kt::sim::TypeRegistry& types) {
  const std::vector<std::pair<kt::api::GroupVersionResource, const char*>> objects = {
      {res::kDeployments,
       R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"ws","namespace":"default",
           "uid":"0f9a8b7c-1234-4678-9abc-def012345678","resourceVersion":"7","generation":1,
           "creationTimestamp":"2026-01-01T00:00:00Z","labels":{"app":"ws"}},
           "spec":{"replicas":1,"selector":{"matchLabels":{"app":"ws"}},"template":{
           "metadata":{"labels":{"app":"ws"}},"spec":{"containers":[{"name":"ws","image":"i",
           "ports":[{"containerPort":5000}],"resources":{"limits":{"nvidia.com/gpu":"1"}}}],
           "tolerations":[{"key":"sku","operator":"Equal","value":"gpu"}]}}},
           "status":{"replicas":1,"readyReplicas":1}})"},
      {res::kPods,
       R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default",
           "uid":"0f9a8b7c-1234-4678-9abc-def012345679","resourceVersion":"8",
           "creationTimestamp":"2026-01-01T00:00:00Z","ownerReferences":[{"apiVersion":"apps/v1",
           "kind":"ReplicaSet","name":"rs","uid":"0f9a8b7c-1234-4678-9abc-def01234567a",
           "controller":true}]},"spec":{"nodeName":"n1","containers":[{"name":"c","image":"i"}]},
           "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}})"},
      {res::kConfigMaps,
       R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"default",
           "annotations":{"a":"b"}},"data":{"k":"v"}})"},
      {res::kNamespaces,
       R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ns","finalizers":["x/y"]},
           "spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}})"},
      {res::kServices,
       R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"svc","namespace":"default"},
           "spec":{"selector":{"app":"ws"},"ports":[{"port":80,"targetPort":5000}]}})"},
      {res::kEvents,
       R"({"apiVersion":"v1","kind":"Event","metadata":{"name":"e","namespace":"default"},
           "involvedObject":{"kind":"Pod","name":"p","namespace":"default"},"reason":"Pulled",
           "message":"m","count":1,"type":"Normal"})"},
  };
  std::vector<Stored> out;
  for (const auto& [gvr, text] : objects) {
    const kt::sim::ResourceType* type = types.Find(gvr);
    KT_CHECK(type != nullptr) << gvr.resource;
    kt::Json obj = kt::Json::parse(text);
    const kt::sim::ValidationResult v = types.Admit(*type, obj, "Strict");
    KT_CHECK(v.status.ok()) << v.status.ToString();
    out.push_back({type, std::move(obj)});
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static const kt::sim::TypeRegistry types;
  static const std::vector<Stored> stored = StoredObjects(types);
  const Stored& s = stored[data[0] % stored.size()];
  const char* const modes[] = {"Strict", "Warn", "Ignore"};
  const std::string_view mode = modes[data[1] % 3];
  const std::string_view only_member = (data[1] / 3) % 2 == 1 ? "status" : "";
  auto patch = kt::fuzz::ParsePart(
      std::string_view(reinterpret_cast<const char*>(data + 2), size - 2));
  if (!patch || !patch->is_object()) return 0;
  auto next = kt::sim::ApplyMergePatch(s.object, *patch);
  if (!next.ok()) return 0;
  kt::Json whole = *next;
  kt::Json against = *next;
  const kt::sim::ValidationResult w = types.Admit(*s.type, whole, mode, only_member);
  const kt::sim::ValidationResult a = types.Admit(*s.type, against, mode, only_member, &s.object);
  KT_CHECK(a.status.ToString() == w.status.ToString())
      << "against the stored object: " << a.status.ToString() << "\nwhole: " << w.status.ToString();
  KT_CHECK(a.warnings == w.warnings);
  KT_CHECK(kt::SameJson(against, whole)) << kt::DumpJson(against) << "\n" << kt::DumpJson(whole);
  return 0;
}
