// Typed, validated reads of fields of a data-file object (YAML parsed to JSON), shared by the
// SKU catalog and cloud-config loaders. Every error is a BadRequest naming where the field is
// ("sku Standard_NC6s_v3: field vcpus: ...") so a malformed data file is easy to fix.
// Stateless functions; thread-safe.
#ifndef KT_SIM_CLOUD_DATA_FIELDS_H_
#define KT_SIM_CLOUD_DATA_FIELDS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::sim::cloud {

// An integer in [min, max]. Missing: error when `required`, else `fallback`.
Result<int64_t> ReadInt(const Json& obj, std::string_view key, std::string_view where,
                        bool required, int64_t fallback, int64_t min, int64_t max);
// A number (integer or float) in [min, max].
Result<double> ReadNumber(const Json& obj, std::string_view key, std::string_view where,
                          bool required, double fallback, double min, double max);
// A string (non-empty when required).
Result<std::string> ReadString(const Json& obj, std::string_view key, std::string_view where,
                               bool required, std::string_view fallback = "");
// An object-typed field; missing gives an empty object.
Result<const Json*> ReadObject(const Json& obj, std::string_view key, std::string_view where);

Status FieldError(std::string_view where, std::string_view key, std::string_view problem);

}  // namespace kt::sim::cloud

#endif  // KT_SIM_CLOUD_DATA_FIELDS_H_
