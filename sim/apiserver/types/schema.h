// Structural schemas: the OpenAPI v3 subset of apiextensions.k8s.io/v1 JSONSchemaProps that
// kube-apiserver uses to validate, prune and default custom resources, compiled once into a
// tree for fast checks. Built-in kinds use the same machinery with schemas from
// data/builtin_schemas.yaml.
//
// Supported: type, properties, required, items, additionalProperties (schema or bool), enum,
// pattern, format (int32, int64, float, double, byte, date, date-time, uuid, ...), minimum /
// maximum (+exclusive), multipleOf, minLength / maxLength, minItems / maxItems, uniqueItems,
// minProperties / maxProperties, nullable, default, x-kubernetes-preserve-unknown-fields,
// x-kubernetes-int-or-string, x-kubernetes-embedded-resource, x-kubernetes-list-type /
// x-kubernetes-list-map-keys, x-kubernetes-map-type; allOf / anyOf / oneOf / not are checked
// for their value validations on the same node. Not supported: x-kubernetes-validations (CEL
// rules are accepted and ignored) and $ref.
//
// Ownership: a compiled Schema is immutable and shared (std::shared_ptr<const Schema>).
// Thread-safety: const operations are safe from any thread.
#ifndef KT_SIM_APISERVER_TYPES_SCHEMA_H_
#define KT_SIM_APISERVER_TYPES_SCHEMA_H_

#include <memory>
#include <optional>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "sim/apiserver/types/field_error.h"

namespace kt::sim {

struct Schema {
  enum class Type { kUnspecified, kObject, kArray, kString, kInteger, kNumber, kBoolean };
  Type type = Type::kUnspecified;
  std::string format;
  std::string description;
  bool nullable = false;
  bool preserve_unknown_fields = false;
  bool int_or_string = false;
  bool embedded_resource = false;

  // In key order, in one array (JsonObjectMap's sorted vector): PropertyCursor steps through
  // it beside an object's sorted members on every write.
  JsonObjectMap<std::string, std::shared_ptr<const Schema>, void, void> properties;
  // additionalProperties: a schema for the values of a map-typed object.
  std::shared_ptr<const Schema> additional_properties;
  // additionalProperties: true (any value allowed; kept).
  bool additional_properties_any = false;
  std::shared_ptr<const Schema> items;

  std::vector<std::string> required;
  std::vector<Json> enum_values;
  std::string pattern;
  std::shared_ptr<const std::regex> pattern_regex;
  std::optional<double> minimum;
  std::optional<double> maximum;
  bool exclusive_minimum = false;
  bool exclusive_maximum = false;
  std::optional<double> multiple_of;
  std::optional<int64_t> min_length, max_length;
  std::optional<int64_t> min_items, max_items;
  std::optional<int64_t> min_properties, max_properties;
  bool unique_items = false;
  bool has_default = false;
  Json default_value;
  std::string list_type;  // "", "atomic", "set", "map"
  std::vector<std::string> list_map_keys;
  std::string map_type;  // "", "granular", "atomic"
  // Whether this node or anything below it has a default (lets defaulting skip subtrees).
  bool defaults_below = false;
  // A string, integer, number or boolean with nothing else to check (no enum, allOf, anyOf,
  // oneOf or not, no bounds, lengths, pattern or format): any value of the type is valid, so
  // validation checks the type and moves on. Most fields of most objects are such.
  bool plain_scalar = false;
  // Value validations nested in allOf/anyOf/oneOf/not.
  std::vector<std::shared_ptr<const Schema>> all_of, any_of, one_of;
  std::shared_ptr<const Schema> not_schema;

  // Whether an object node knows its fields (properties or additionalProperties): an object
  // with neither that does not preserve unknown fields is empty after pruning.
  bool IsMap() const { return additional_properties != nullptr || additional_properties_any; }
  // The schema of property `name`; null when there is none.
  const Schema* Property(std::string_view name) const {
    auto it = properties.find(name);
    return it == properties.end() ? nullptr : it->second.get();
  }
  std::string_view TypeName() const;
};

// apiVersion, kind and metadata: the members a resource root (or an embedded resource) has
// whatever its schema says; metadata then follows the ObjectMeta schema.
inline bool IsImplicitMember(std::string_view key) {
  return key == "apiVersion" || key == "kind" || key == "metadata";
}

// Looks up the properties of one schema node for keys asked in ascending order, as a JSON
// object's members come (kt::Json keeps them sorted): it walks the sorted properties alongside
// the members, one comparison per step, instead of searching the map for each key. Asking the
// same key again is allowed; asking a smaller key than the last one is not.
class PropertyCursor {
 public:
  explicit PropertyCursor(const Schema& s) : it_(s.properties.begin()), end_(s.properties.end()) {}
  const Schema* Seek(std::string_view key) {
    // Most members are properties, so the property under the cursor is mostly the key itself:
    // equality (lengths first) is asked before order, which reads each key whole when equal.
    for (; it_ != end_; ++it_) {
      if (SameText(it_->first, key)) return it_->second.get();
      if (CompareKeys(it_->first, key) > 0) return nullptr;
    }
    return nullptr;
  }

 private:
  using Iterator = decltype(Schema::properties)::const_iterator;
  Iterator it_;
  Iterator end_;
};

// Longest string a pattern is matched against (std::regex backtracks recursively); longer
// strings fail the pattern with a clear message instead of risking the stack.
inline constexpr size_t kPatternSubjectBytesMax = 16 * 1024;
// Deepest schema nesting accepted when compiling (and so object depth that is walked).
inline constexpr int kSchemaDepthMax = 64;

// Compiles a JSONSchemaProps document. `path` names the schema in errors
// ("spec.versions[0].schema.openAPIV3Schema"). With `structural` set, applies the CRD rules:
// every node specifies a type (unless it preserves unknown fields or is int-or-string),
// no additionalProperties next to properties, metadata may only restrict name/generateName,
// defaults must validate and must not appear under... (see crd.cc). Errors are FieldErrors.
Result<std::shared_ptr<const Schema>> CompileSchema(const Json& schema, std::string_view path,
                                                    bool structural, FieldErrors* errors);

// Options for one pass over an object.
struct SchemaWalk {
  // Root-relative path of the object's root ("" for a whole object).
  std::string root_path;
  // True at the root of a resource: apiVersion, kind and metadata are implicit fields and
  // metadata is treated as ObjectMeta.
  bool is_resource_root = true;
  // Members of the resource root the walk leaves alone: an update's members that equal the
  // stored object's, which were pruned, defaulted and validated when it was admitted under
  // the same schema (see UnchangedMembers).
  std::span<const std::string_view> unchanged;
  // Validation only: the stored object an update of a custom resource replaces. A value equal
  // to the one it replaces keeps the errors it had (kube's CRD validation ratcheting): object
  // members are matched by key, list items by index, or by their keys in a map list; items of
  // a set or atomic list are not matched (only the list as a whole can be unchanged).
  const Json* previous = nullptr;

  bool Unchanged(std::string_view key) const {
    for (std::string_view u : unchanged) {
      if (u == key) return true;
    }
    return false;
  }
};

// The top-level members of `obj` equal to `stored`'s, as views of `stored`'s keys.
std::vector<std::string_view> UnchangedMembers(const Json& obj, const Json& stored);

// Validates `value` against `schema` and appends field errors. Unknown fields are not errors
// here (see UnknownFields).
// With `prunable` set, the walk also notes what PruneWithSchema would remove: it sets
// *prunable where it meets an unknown field or a null the schema does not allow. It may set it
// where pruning would change nothing (a null that is also a type error); it never leaves it
// unset where pruning would change a value that validates. Admission relies on the latter to
// skip the pruning walk.
void ValidateAgainstSchema(const Schema& schema, const Json& value, const SchemaWalk& walk,
                           FieldErrors& errors, bool* prunable = nullptr);

// Paths of fields the schema does not know ("spec.foo", "spec.containers[0].bar"), in
// document order, at most `max_fields`.
std::vector<std::string> UnknownFields(const Schema& schema, const Json& value,
                                       const SchemaWalk& walk, size_t max_fields = 100);

// Removes unknown fields (and nulls of non-nullable fields), as kube-apiserver prunes. With
// `unknown` set, appends the paths of the unknown fields removed, as UnknownFields lists them
// (one walk where admission needs both).
void PruneWithSchema(const Schema& schema, Json& value, const SchemaWalk& walk,
                     std::vector<std::string>* unknown = nullptr, size_t max_fields = 100);

// Fills in defaults of absent fields, recursively (after pruning), except under the root's
// `walk.unchanged` members.
void DefaultWithSchema(const Schema& schema, Json& value, const SchemaWalk& walk = {});

// The schema node at a field path of object keys ("spec.template"; list elements are
// transparent); null when the path leaves the schema.
const Schema* SchemaAt(const Schema& root, std::string_view dotted_path);

// The JSON type name kube reports for a value: "string", "integer", "number", "boolean",
// "object", "array", "null".
std::string_view JsonTypeName(const Json& v);

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_SCHEMA_H_
