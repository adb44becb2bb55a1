// Field errors in apimachinery's format (k8s.io/apimachinery/pkg/util/validation/field), the
// text kube-apiserver puts into a 422 Invalid Status:
//   `Workspace.kaito.sh "x" is invalid: resource.count: Invalid value: "string":
//    resource.count in body must be of type integer: "string"`
// and into its details.causes ({reason: FieldValueInvalid, message, field}).
#ifndef KT_SIM_APISERVER_TYPES_FIELD_ERROR_H_
#define KT_SIM_APISERVER_TYPES_FIELD_ERROR_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace kt::sim {

struct FieldError {
  enum class Type {
    kInvalid,       // "Invalid value"
    kTypeInvalid,   // "Invalid value" (wrong JSON type)
    kRequired,      // "Required value"
    kNotSupported,  // "Unsupported value"
    kTooLong,       // "Too long"
    kTooMany,       // "Too many"
    kForbidden,     // "Forbidden"
    kDuplicate,     // "Duplicate value"
  };
  Type type = Type::kInvalid;
  std::string field;  // "resource.count", "spec.containers[0].name", "metadata.labels[a]"
  Json value;         // the bad value (shown for Invalid/NotSupported/Duplicate/TooMany)
  std::string detail;

  // "Invalid value: \"string\": resource.count in body must be of type integer: \"string\""
  std::string Body() const;
  // "<field>: <body>"
  std::string ToString() const;
  // The details.causes reason: FieldValueInvalid, FieldValueRequired, ...
  std::string_view CauseReason() const;
};

using FieldErrors = std::vector<FieldError>;

// Helpers that read like apimachinery's constructors.
FieldError FieldInvalid(std::string field, Json value, std::string detail);
FieldError FieldRequired(std::string field, std::string detail = "");
FieldError FieldNotSupported(std::string field, Json value, const std::vector<std::string>& valid);
FieldError FieldForbidden(std::string field, std::string detail);
FieldError FieldDuplicate(std::string field, Json value);

// `<Kind>.<group> "<name>" is invalid: <err>` (one error) or `...: [<e1>, <e2>]`; the kind is
// qualified only for non-core groups ("Pod", "Workspace.kaito.sh").
std::string InvalidMessage(std::string_view kind, std::string_view group, std::string_view name,
                           const FieldErrors& errors);
// A 422 Invalid Status with that message (reason "Invalid").
Status InvalidStatus(std::string_view kind, std::string_view group, std::string_view name,
                     const FieldErrors& errors);
// details.causes of a Status: [{"reason":..,"message":..,"field":..}].
Json CausesJson(const FieldErrors& errors);

// Go's %q quoting of a string (what field errors print for string values).
std::string GoQuote(std::string_view s);
// Path helpers: Child("spec", "x") = "spec.x"; Index("a", 2) = "a[2]"; Key("a", "k") = "a[k]".
std::string ChildPath(std::string_view parent, std::string_view name);
std::string IndexPath(std::string_view parent, size_t index);
std::string KeyPath(std::string_view parent, std::string_view key);

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_FIELD_ERROR_H_
