// Field selectors (?fieldSelector=metadata.name=x,status.phase!=Running): terms of `field=value`,
// `field==value` or `field!=value`, matched against the object's value at the dotted field path
// (strings as-is, booleans and numbers as their JSON text, a missing field as ""). Which fields
// a resource supports is the API server's decision (see FieldSelector::fields()).
#ifndef KT_API_FIELD_SELECTOR_H_
#define KT_API_FIELD_SELECTOR_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::api {

class FieldSelector {
 public:
  struct Term {
    std::string field;
    bool equals;  // false: !=
    std::string value;
  };

  FieldSelector() = default;  // matches everything
  static Result<FieldSelector> Parse(std::string_view text);

  bool Matches(const Json& obj) const;
  bool empty() const { return terms_.empty(); }
  const std::vector<Term>& terms() const { return terms_; }
  // If the selector pins `field` to one value with '=', that value (fast-path lookups).
  std::optional<std::string> RequiredValue(std::string_view field) const;

 private:
  std::vector<Term> terms_;
};

// The object's value at a dotted field path as a field selector sees it.
std::string FieldValue(const Json& obj, std::string_view field);

}  // namespace kt::api

#endif  // KT_API_FIELD_SELECTOR_H_
