#include "sim/apiserver/types/field_error.h"

#include <cmath>
#include <cstdio>

namespace kt::sim {
namespace {

std::string_view TypeText(FieldError::Type t) {
  switch (t) {
    case FieldError::Type::kInvalid:
    case FieldError::Type::kTypeInvalid: return "Invalid value";
    case FieldError::Type::kRequired: return "Required value";
    case FieldError::Type::kNotSupported: return "Unsupported value";
    case FieldError::Type::kTooLong: return "Too long";
    case FieldError::Type::kTooMany: return "Too many";
    case FieldError::Type::kForbidden: return "Forbidden";
    case FieldError::Type::kDuplicate: return "Duplicate value";
  }
  return "Invalid value";
}

std::string GoNumber(const Json& v) {
  if (v.is_number_integer()) return v.dump();
  double d = v.get<double>();
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e21) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.0f", d);
    return buf;
  }
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", d);
  // Shortest form that reads back, like Go's %v (strconv 'g', -1).
  for (int prec = 1; prec <= 17; ++prec) {
    char b2[64];
    std::snprintf(b2, sizeof(b2), "%.*g", prec, d);
    if (std::strtod(b2, nullptr) == d) return b2;
  }
  return buf;
}

// Go's %#v of a decoded JSON value (map[string]interface {}{...}), bounded in length.
void GoSharpV(const Json& v, std::string& out, int depth) {
  if (out.size() > 512 || depth > 8) {
    out += "...";
    return;
  }
  if (v.is_null()) {
    out += "interface {}(nil)";
  } else if (v.is_string()) {
    out += GoQuote(v.get_ref<const std::string&>());
  } else if (v.is_boolean()) {
    out += v.get<bool>() ? "true" : "false";
  } else if (v.is_number()) {
    out += GoNumber(v);
  } else if (v.is_array()) {
    out += "[]interface {}{";
    bool first = true;
    for (const Json& e : v) {
      if (!first) out += ", ";
      first = false;
      GoSharpV(e, out, depth + 1);
    }
    out += "}";
  } else {
    out += "map[string]interface {}{";
    bool first = true;
    for (const auto& [k, e] : v.items()) {
      if (!first) out += ", ";
      first = false;
      out += GoQuote(k);
      out += ":";
      GoSharpV(e, out, depth + 1);
    }
    out += "}";
  }
}

}  // namespace

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += "\"";
  return out;
}

std::string FieldError::Body() const {
  std::string s(TypeText(type));
  bool show_value = type != Type::kRequired && type != Type::kForbidden && type != Type::kTooLong;
  if (show_value) {
    s += ": ";
    if (value.is_string()) {
      s += GoQuote(value.get_ref<const std::string&>());
    } else if (value.is_null()) {
      s += "\"null\"";
    } else if (value.is_number()) {
      s += GoNumber(value);
    } else if (value.is_boolean()) {
      s += value.get<bool>() ? "true" : "false";
    } else {
      GoSharpV(value, s, 0);
    }
  }
  if (!detail.empty()) {
    s += ": ";
    s += detail;
  }
  return s;
}

std::string FieldError::ToString() const { return field + ": " + Body(); }

std::string_view FieldError::CauseReason() const {
  switch (type) {
    case Type::kInvalid:
    case Type::kTypeInvalid: return "FieldValueInvalid";
    case Type::kRequired: return "FieldValueRequired";
    case Type::kNotSupported: return "FieldValueNotSupported";
    case Type::kTooLong: return "FieldValueTooLong";
    case Type::kTooMany: return "FieldValueTooMany";
    case Type::kForbidden: return "FieldValueForbidden";
    case Type::kDuplicate: return "FieldValueDuplicate";
  }
  return "FieldValueInvalid";
}

FieldError FieldInvalid(std::string field, Json value, std::string detail) {
  return {FieldError::Type::kInvalid, std::move(field), std::move(value), std::move(detail)};
}
FieldError FieldRequired(std::string field, std::string detail) {
  return {FieldError::Type::kRequired, std::move(field), Json(), std::move(detail)};
}
FieldError FieldNotSupported(std::string field, Json value, const std::vector<std::string>& valid) {
  std::string detail;
  if (!valid.empty()) {
    detail = "supported values: ";
    for (size_t i = 0; i < valid.size(); ++i) {
      if (i > 0) detail += ", ";
      detail += GoQuote(valid[i]);
    }
  }
  return {FieldError::Type::kNotSupported, std::move(field), std::move(value), std::move(detail)};
}
FieldError FieldForbidden(std::string field, std::string detail) {
  return {FieldError::Type::kForbidden, std::move(field), Json(), std::move(detail)};
}
FieldError FieldDuplicate(std::string field, Json value) {
  return {FieldError::Type::kDuplicate, std::move(field), std::move(value), ""};
}

std::string InvalidMessage(std::string_view kind, std::string_view group, std::string_view name,
                           const FieldErrors& errors) {
  std::string m(kind);
  if (!group.empty()) {
    m += ".";
    m += group;
  }
  m += " ";
  m += GoQuote(name);
  m += " is invalid: ";
  if (errors.size() == 1) {
    m += errors[0].ToString();
  } else {
    m += "[";
    for (size_t i = 0; i < errors.size(); ++i) {
      if (i > 0) m += ", ";
      m += errors[i].ToString();
    }
    m += "]";
  }
  return m;
}

Status InvalidStatus(std::string_view kind, std::string_view group, std::string_view name,
                     const FieldErrors& errors) {
  return Invalid(InvalidMessage(kind, group, name, errors));
}

Json CausesJson(const FieldErrors& errors) {
  Json causes = Json::array();
  for (const FieldError& e : errors) {
    causes.push_back({{"reason", std::string(e.CauseReason())}, {"message", e.Body()},
                      {"field", e.field}});
  }
  return causes;
}

std::string ChildPath(std::string_view parent, std::string_view name) {
  if (parent.empty()) return std::string(name);
  std::string p(parent);
  p += ".";
  p += name;
  return p;
}

std::string IndexPath(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string KeyPath(std::string_view parent, std::string_view key) {
  return std::string(parent) + "[" + std::string(key) + "]";
}

}  // namespace kt::sim
