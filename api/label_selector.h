// Label selectors: the string form of ?labelSelector= (`a=b,c!=d,e in (x,y),!f,g`) and the
// JSON form of metav1.LabelSelector (matchLabels + matchExpressions), plus the node selector
// requirement operators Gt/Lt used by node affinity. Parsing validates keys and values the way
// apimachinery does and reports errors as BadRequest.
#ifndef KT_API_LABEL_SELECTOR_H_
#define KT_API_LABEL_SELECTOR_H_

#include <string>
#include <string_view>
#include <vector>

#include "api/object.h"
#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::api {

enum class SelectorOp { kEquals, kNotEquals, kIn, kNotIn, kExists, kDoesNotExist, kGt, kLt };

struct Requirement {
  std::string key;
  SelectorOp op;
  std::vector<std::string> values;  // sorted for In/NotIn; one for =, !=, Gt, Lt
  bool Matches(const Labels& labels) const;
  // `value` is the label's value, nullptr when the object has no such label.
  bool MatchesValue(const std::string* value) const;
};

class LabelSelector {
 public:
  // Matches everything.
  LabelSelector() = default;
  static LabelSelector Nothing();

  // "" matches everything.
  static Result<LabelSelector> Parse(std::string_view text);
  // metav1.LabelSelector JSON. An empty object matches everything; null matches everything
  // too (callers that need "null selects nothing" check for null themselves).
  static Result<LabelSelector> FromJson(const Json& selector);
  // From a plain map (Service.spec.selector, nodeSelector): every pair must match.
  static LabelSelector FromMap(const Labels& labels);
  // From a NodeSelectorTerm's matchExpressions (node affinity; allows Gt/Lt).
  static Result<LabelSelector> FromNodeSelectorRequirements(const Json& expressions);

  bool Matches(const Labels& labels) const;
  // Matches against `obj`'s metadata.labels in place (no copy of the labels): what list and
  // watch filtering use for every object they look at.
  bool MatchesObject(const Json& obj) const;
  bool empty() const { return requirements_.empty() && !nothing_; }
  const std::vector<Requirement>& requirements() const { return requirements_; }
  // Canonical string form (requirements sorted by key), as apimachinery prints it.
  std::string ToString() const;

 private:
  std::vector<Requirement> requirements_;
  bool nothing_ = false;
};

// Validation helpers shared with object validation.
// A qualified name: optional DNS-subdomain prefix + "/" + name of <= 63 alphanumerics,
// '-', '_', '.', starting and ending alphanumeric. Returns "" when valid, else the reason.
std::string CheckQualifiedName(std::string_view key);
// A label value: empty, or <= 63 chars like a name part.
std::string CheckLabelValue(std::string_view value);

}  // namespace kt::api

#endif  // KT_API_LABEL_SELECTOR_H_
