// Field sets of server-side apply: which fields of an object a manager owns, in the fieldsV1
// format of metadata.managedFields ({"f:spec":{"f:replicas":{}}}, list items by key
// "k:{\"name\":\"app\"}", set members by value "v:\"x\"", "." for a node that is itself
// owned). Built from objects with a list-type oracle (merge keys of built-ins, list types of
// CRD schemas; everything else atomic).
// Thread-safety: value types; no shared state.
#ifndef KT_SIM_APISERVER_TYPES_FIELD_SET_H_
#define KT_SIM_APISERVER_TYPES_FIELD_SET_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/json.h"

namespace kt::sim {

// How the list at a dotted field path merges (list indices are not part of the path).
struct ListKind {
  enum Type { kAtomic, kMap, kSet } type = kAtomic;
  std::vector<std::string> keys;  // kMap: the key fields (an item lacking one is not keyed)
  // kMap: values a key field takes when an item omits it (server-side apply fills them in).
  std::vector<std::pair<std::string, std::string>> key_defaults;
};
using ListKindFn = std::function<ListKind(std::string_view dotted_path)>;
// How an object at a dotted path is owned: a map (its keys are data: labels) or a struct.
using IsMapFn = std::function<bool(std::string_view dotted_path)>;

struct FieldSet {
  bool self = false;  // this node is a member
  std::map<std::string, FieldSet> children;

  bool Empty() const;  // no member anywhere
  // fieldsV1 JSON and back (malformed input yields what could be read).
  Json ToFieldsV1() const;
  static FieldSet FromFieldsV1(const Json& fields);

  // The members of `this` that are not in `other`.
  FieldSet Minus(const FieldSet& other) const;
  FieldSet Intersect(const FieldSet& other) const;
  void Merge(const FieldSet& other);
  bool Has(const std::vector<std::string>& path) const;
  // True when the node at `path` or anything below it is a member.
  bool HasAnyUnder(const std::vector<std::string>& path) const;
  void Remove(const std::vector<std::string>& path);
  // Every member path, parents before children.
  void Members(std::vector<std::vector<std::string>>& out) const;
};

// The set of fields present in `value` (the whole object). Leaves are members; list items
// of map and set lists are members with their contents; objects that are maps are members.
FieldSet SetOfObject(const Json& value, const ListKindFn& lists, const IsMapFn& maps);

// Removes the fields the API machinery owns (apiVersion, kind, metadata.name, namespace, uid,
// resourceVersion, generation, creationTimestamp, managedFields, ...).
void StripSystemFields(FieldSet& set);

// The value at a fieldsV1 path in `obj` (null when absent).
const Json* ValueAt(const Json& obj, const std::vector<std::string>& path);
// Removes the value at a fieldsV1 path from `obj` (field, list item by key, or set value).
void RemoveAt(Json& obj, const std::vector<std::string>& path);
// ".spec.containers[name=\"app\"].image", as conflict messages print paths.
std::string PathString(const std::vector<std::string>& path);

// "k:{...}" for a list item keyed by `keys` (the item's values of them, JSON-encoded),
// "v:<json>" for a value. REQUIRES: the item has every key field.
std::string ItemKey(const std::vector<std::string>& keys, const Json& item);
// True when `item` is an object holding every key field.
bool HasKeys(const std::vector<std::string>& keys, const Json& item);
std::string ValueKey(const Json& value);

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_FIELD_SET_H_
