// Small re-creations of Go library behaviour that leaks into Kaito's webhook messages:
// strconv.ParseFloat (what an adapter strength may be, and its error text), strconv.Quote (%q),
// the %T names of values decoded by gopkg.in/yaml.v2, and path/filepath.Clean. Pure functions.
#ifndef KT_CONTROLLERS_WEBHOOK_GO_COMPAT_H_
#define KT_CONTROLLERS_WEBHOOK_GO_COMPAT_H_

#include <string>
#include <string_view>

#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::webhook {

// strconv.Quote: double-quoted with Go escapes for control bytes, '"' and '\'.
std::string GoQuote(std::string_view s);

// strconv.ParseFloat(s, 64). Accepts what Go accepts (decimal and hexadecimal floats, "inf",
// "infinity", "nan" in any case); on failure the error message is Go's:
//   strconv.ParseFloat: parsing "abc": invalid syntax
//   strconv.ParseFloat: parsing "1e999": value out of range
// (Go also returns +-Inf with the range error; `*value_on_error` receives it when non-null.)
Result<double> ParseGoFloat(std::string_view s, double* value_on_error = nullptr);

// The %T of a YAML value as gopkg.in/yaml.v2 decodes it into interface{}: "string", "int",
// "float64", "bool", "map[interface {}]interface {}", "[]interface {}", "<nil>".
std::string GoYamlTypeName(const Json& v);

// path/filepath.Clean for slash-separated paths.
std::string GoCleanPath(std::string_view path);

}  // namespace kt::webhook

#endif  // KT_CONTROLLERS_WEBHOOK_GO_COMPAT_H_
