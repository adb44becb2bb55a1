#include "sim/cloud/data_fields.h"

#include <cmath>

#include "base/json.h"

namespace kt::sim::cloud {

Status FieldError(std::string_view where, std::string_view key, std::string_view problem) {
  std::string m(where);
  m += ": field ";
  m += key;
  m += ": ";
  m += problem;
  return BadRequest(std::move(m));
}

Result<int64_t> ReadInt(const Json& obj, std::string_view key, std::string_view where,
                        bool required, int64_t fallback, int64_t min, int64_t max) {
  if (!obj.is_object()) return FieldError(where, key, "enclosing value is not a map");
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return FieldError(where, key, "is required");
    return fallback;
  }
  int64_t v = 0;
  if (it->is_number_integer()) {
    v = it->get<int64_t>();
  } else if (it->is_number_float() && std::floor(it->get<double>()) == it->get<double>() &&
             std::fabs(it->get<double>()) < 9.0e15) {
    v = static_cast<int64_t>(it->get<double>());
  } else {
    return FieldError(where, key, "must be an integer, got " + it->dump());
  }
  if (v < min || v > max) {
    return FieldError(where, key,
                      "must be in [" + std::to_string(min) + ", " + std::to_string(max) +
                          "], got " + std::to_string(v));
  }
  return v;
}

Result<double> ReadNumber(const Json& obj, std::string_view key, std::string_view where,
                          bool required, double fallback, double min, double max) {
  if (!obj.is_object()) return FieldError(where, key, "enclosing value is not a map");
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return FieldError(where, key, "is required");
    return fallback;
  }
  if (!it->is_number()) return FieldError(where, key, "must be a number, got " + it->dump());
  double v = it->get<double>();
  if (!std::isfinite(v) || v < min || v > max) {
    return FieldError(where, key, "is out of range: " + it->dump());
  }
  return v;
}

Result<std::string> ReadString(const Json& obj, std::string_view key, std::string_view where,
                               bool required, std::string_view fallback) {
  if (!obj.is_object()) return FieldError(where, key, "enclosing value is not a map");
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return FieldError(where, key, "is required");
    return std::string(fallback);
  }
  if (!it->is_string()) return FieldError(where, key, "must be a string, got " + it->dump());
  std::string v = it->get<std::string>();
  if (required && v.empty()) return FieldError(where, key, "must not be empty");
  return v;
}

Result<const Json*> ReadObject(const Json& obj, std::string_view key, std::string_view where) {
  static const Json kEmpty = Json::object();
  if (!obj.is_object()) return FieldError(where, key, "enclosing value is not a map");
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return &kEmpty;
  if (!it->is_object()) return FieldError(where, key, "must be a map, got " + it->dump());
  return &*it;
}

}  // namespace kt::sim::cloud
