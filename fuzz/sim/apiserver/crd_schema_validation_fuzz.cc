// CRD schema validation of arbitrary JSON: Admit (unknown fields, pruning, defaulting,
// validation) and ToTable never crash for any object against a CRD exercising every schema
// feature, under each fieldValidation mode (the first byte picks it). Validation notes
// whatever pruning would remove from a valid object, and a built-in kind's Admit (which skips
// the pruning walk on that word) stores what pruning, defaulting and validating store.
#include "base/check.h"
#include "base/yaml.h"
#include "fuzz/sim/apiserver/fuzz_input.h"
#include "sim/apiserver/types/object_meta.h"
#include "sim/apiserver/types/schema.h"
#include "sim/apiserver/types/type_registry.h"

namespace {

constexpr const char* kCrd = R"(
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
    - {name: When, type: date, jsonPath: .spec.when}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1, maximum: 10, multipleOf: 1}
              ratio: {type: number, exclusiveMinimum: true, minimum: 0}
              mode: {type: string, enum: [fast, slow], default: slow}
              code: {type: string, pattern: '^[a-z]+(-[a-z0-9]+)*$', maxLength: 20}
              tags: {type: array, items: {type: string}, maxItems: 4, x-kubernetes-list-type: set}
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [port]
                items: {type: object, required: [port], properties: {port: {type: integer}, name: {type: string, default: x}}}
              labels: {type: object, additionalProperties: {type: string}, maxProperties: 5}
              when: {type: string, format: date-time}
              maybe: {type: string, nullable: true}
              port: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
              free: {type: object, x-kubernetes-preserve-unknown-fields: true}
              any: {x-kubernetes-preserve-unknown-fields: true}
              nested: {type: object, default: {}, properties: {level: {type: integer, default: 3}}}
              pod: {type: object, x-kubernetes-embedded-resource: true, x-kubernetes-preserve-unknown-fields: true}
              choice: {type: string, oneOf: [{enum: [a]}, {enum: [b]}], not: {enum: [c]}}
          status:
            type: object
            properties:
              conditions: {type: array, items: {type: object, properties: {type: {type: string}, status: {type: string}}}}
)";

// ValidateAgainstSchema's promise: a valid object it finds nothing prunable in, pruning leaves
// as it is.
void CheckPrunableIsNoted(const kt::sim::TypeRegistry& types, const kt::sim::ResourceType& type,
                          const kt::Json& obj) {
  bool prunable = false;
  kt::sim::FieldErrors errors;
  kt::sim::ValidateObjectMeta(obj, kt::sim::NameRule::kDnsSubdomain, errors, &prunable);
  kt::sim::ValidateAgainstSchema(*types.SchemaOf(type), obj, kt::sim::SchemaWalk{}, errors,
                                 &prunable);
  if (!errors.empty() || prunable) return;
  kt::Json pruned = obj;
  types.Prune(type, pruned);
  KT_CHECK(pruned == obj) << "pruning changed an object validation found nothing prunable in\n"
                          << kt::DumpJson(obj);
}

// Admit of a built-in kind without defaults stores what the long way stores.
void CheckBuiltinAdmit(const kt::sim::TypeRegistry& types, const kt::sim::ResourceType& type,
                       const kt::Json& obj) {
  kt::Json admitted = obj;
  const auto got = types.Admit(type, admitted, "Ignore");
  kt::Json expected = obj;
  types.Prune(type, expected);
  types.ApplyDefaults(type, expected);
  const auto want = types.Validate(type, expected, "Ignore");
  KT_CHECK(got.status.ToString() == want.status.ToString())
      << got.status.ToString() << " vs " << want.status.ToString();
  KT_CHECK(!got.status.ok() || admitted == expected) << kt::DumpJson(obj);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static kt::sim::TypeRegistry* types = [] {
    auto* r = new kt::sim::TypeRegistry();
    auto crd = kt::ParseYaml(kCrd);
    KT_CHECK(crd.ok()) << crd.status().ToString();
    kt::Status s = r->AddCrd(*crd);
    KT_CHECK(s.ok()) << s.ToString();
    return r;
  }();
  static const kt::sim::ResourceType* type = types->Find({"example.com", "v1", "gadgets"});
  static const kt::sim::ResourceType* event = types->Find({"", "v1", "events"});
  if (size < 1) return 0;
  static const char* kModes[] = {"Strict", "Warn", "Ignore"};
  const char* mode = kModes[data[0] % 3];
  auto obj = kt::fuzz::ParsePart(
      std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  if (!obj) return 0;
  kt::Json copy = *obj;
  auto v = types->Admit(*type, copy, mode);
  if (!v.status.ok()) {
    auto c = v.status.code();
    KT_CHECK(c == kt::StatusCode::kBadRequest || c == kt::StatusCode::kInvalid)
        << v.status.ToString();
  }
  // Admission is stable: admitting the admitted object again changes nothing.
  if (v.status.ok()) {
    kt::Json again = copy;
    auto v2 = types->Admit(*type, again, "Strict");
    KT_CHECK(v2.status.ok()) << v2.status.ToString() << "\n" << kt::DumpJson(copy);
    KT_CHECK(again == copy) << "admission not idempotent";
  }
  if (obj->is_object()) {
    CheckPrunableIsNoted(*types, *type, *obj);
    CheckBuiltinAdmit(*types, *event, *obj);
    (void)types->ToTable(*type, {&*obj}, kt::FromUnixSeconds(1767225600), "Metadata");
  }
  return 0;
}
