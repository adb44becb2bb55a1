// JSONPath as kubectl and kube-apiserver evaluate it for printer columns (client-go's
// util/jsonpath, one expression without the surrounding braces):
//   .metadata.name   .spec.containers[0].image   .status.conditions[?(@.type=="Ready")].status
//   .items[*].name   .spec.ports[-1]   .a[1:3]   ['key.with.dots']   ..name   .*
// Filters compare a relative path (@.x.y, or @ itself) with a literal (string, number,
// true/false) by ==, !=, <, <=, >, >=, or test that the path exists ([?(@.x)]).
// Missing keys are not errors: they contribute no result (AllowMissingKeys, as tables use).
// Thread-safety: a parsed JsonPath is immutable; Eval is const.
#ifndef KT_SIM_APISERVER_TYPES_JSONPATH_H_
#define KT_SIM_APISERVER_TYPES_JSONPATH_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace kt::sim {

class JsonPath {
 public:
  // Accepts an expression with or without one pair of surrounding braces ("{.a.b}").
  // BadRequest on syntax errors, naming the position.
  static Result<JsonPath> Parse(std::string_view expression);

  // Every value the path selects, in document order, at most `max_results`.
  std::vector<const Json*> Eval(const Json& root, size_t max_results = 1000) const;
  // The first selected value, or null.
  const Json* First(const Json& root) const;

  // Text of a value as kubectl's jsonpath printing shows it: strings raw, numbers and
  // booleans as JSON text, objects and arrays as compact JSON.
  static std::string Text(const Json& v);

  struct Step;
  JsonPath();
  ~JsonPath();
  JsonPath(const JsonPath&);
  JsonPath& operator=(const JsonPath&);
  JsonPath(JsonPath&&) noexcept;
  JsonPath& operator=(JsonPath&&) noexcept;

 private:
  std::vector<std::shared_ptr<const Step>> steps_;
};

inline constexpr size_t kJsonPathBytesMax = 4096;

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_JSONPATH_H_
