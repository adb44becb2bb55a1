// Compiling JSONSchemaProps into Schema trees, with the structural-schema rules of CRDs.
#include "sim/apiserver/types/schema.h"

namespace kt::sim {
namespace {

const std::vector<std::string> kTypes = {"array", "boolean", "integer", "number", "object",
                                         "string"};

std::optional<double> Number(const Json& s, const char* key) {
  auto it = s.find(key);
  if (it == s.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::optional<int64_t> Count(const Json& s, const char* key) {
  auto it = s.find(key);
  if (it == s.end() || !it->is_number()) return std::nullopt;
  double d = it->get<double>();
  if (d < 0) return 0;
  if (d > 9e18) return static_cast<int64_t>(9e18);
  return static_cast<int64_t>(d);
}

bool Flag(const Json& s, const char* key) {
  auto it = s.find(key);
  return it != s.end() && it->is_boolean() && it->get<bool>();
}

std::string Str(const Json& s, const char* key) {
  auto it = s.find(key);
  if (it == s.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

class Compiler {
 public:
  Compiler(bool structural, FieldErrors* errors) : structural_(structural), errors_(errors) {}

  std::shared_ptr<const Schema> Compile(const Json& j, const std::string& path, int depth,
                                        bool value_validation_only) {
    auto s = std::make_shared<Schema>();
    if (!j.is_object()) {
      Add(FieldInvalid(path, Json(std::string(JsonTypeName(j))), "must be an object"));
      return s;
    }
    if (depth > kSchemaDepthMax) {
      Add(FieldForbidden(path, "schema nesting exceeds " + std::to_string(kSchemaDepthMax) +
                                   " levels"));
      return s;
    }
    if (j.contains("$ref")) Add(FieldForbidden(ChildPath(path, "$ref"), "$ref is not supported"));
    std::string type = Str(j, "type");
    if (j.contains("type") && !j["type"].is_string()) {
      Add(FieldInvalid(ChildPath(path, "type"), j["type"], "must be a string"));
    } else if (!type.empty()) {
      if (type == "object") s->type = Schema::Type::kObject;
      else if (type == "array") s->type = Schema::Type::kArray;
      else if (type == "string") s->type = Schema::Type::kString;
      else if (type == "integer") s->type = Schema::Type::kInteger;
      else if (type == "number") s->type = Schema::Type::kNumber;
      else if (type == "boolean") s->type = Schema::Type::kBoolean;
      else Add(FieldNotSupported(ChildPath(path, "type"), Json(type), kTypes));
    }
    s->format = Str(j, "format");
    s->description = Str(j, "description");
    s->nullable = Flag(j, "nullable");
    s->preserve_unknown_fields = Flag(j, "x-kubernetes-preserve-unknown-fields");
    s->int_or_string = Flag(j, "x-kubernetes-int-or-string");
    s->embedded_resource = Flag(j, "x-kubernetes-embedded-resource");
    s->list_type = Str(j, "x-kubernetes-list-type");
    s->map_type = Str(j, "x-kubernetes-map-type");
    if (auto it = j.find("x-kubernetes-list-map-keys"); it != j.end() && it->is_array()) {
      for (const Json& k : *it) {
        if (k.is_string()) s->list_map_keys.push_back(k.get<std::string>());
      }
    }
    if (auto it = j.find("required"); it != j.end()) {
      if (it->is_array()) {
        for (const Json& r : *it) {
          if (r.is_string()) s->required.push_back(r.get<std::string>());
        }
      } else {
        Add(FieldInvalid(ChildPath(path, "required"), *it, "must be a list of strings"));
      }
    }
    if (auto it = j.find("enum"); it != j.end()) {
      if (it->is_array()) {
        s->enum_values.assign(it->begin(), it->end());
      } else {
        Add(FieldInvalid(ChildPath(path, "enum"), *it, "must be a list"));
      }
    }
    s->pattern = Str(j, "pattern");
    if (!s->pattern.empty()) {
      try {
        s->pattern_regex = std::make_shared<const std::regex>(s->pattern, std::regex::ECMAScript);
      } catch (const std::regex_error&) {
        Add(FieldInvalid(ChildPath(path, "pattern"), Json(s->pattern),
                         "must be a valid regular expression"));
      }
    }
    s->minimum = Number(j, "minimum");
    s->maximum = Number(j, "maximum");
    s->exclusive_minimum = Flag(j, "exclusiveMinimum");
    s->exclusive_maximum = Flag(j, "exclusiveMaximum");
    s->multiple_of = Number(j, "multipleOf");
    if (s->multiple_of && *s->multiple_of <= 0) {
      Add(FieldInvalid(ChildPath(path, "multipleOf"), j["multipleOf"], "must be greater than zero"));
      s->multiple_of.reset();
    }
    s->min_length = Count(j, "minLength");
    s->max_length = Count(j, "maxLength");
    s->min_items = Count(j, "minItems");
    s->max_items = Count(j, "maxItems");
    s->min_properties = Count(j, "minProperties");
    s->max_properties = Count(j, "maxProperties");
    s->unique_items = Flag(j, "uniqueItems");
    if (auto it = j.find("default"); it != j.end()) {
      s->has_default = true;
      s->default_value = *it;
    }

    if (auto it = j.find("properties"); it != j.end()) {
      if (!it->is_object()) {
        Add(FieldInvalid(ChildPath(path, "properties"), *it, "must be an object"));
      } else {
        for (const auto& [name, sub] : it->items()) {
          s->properties.emplace(
              name, Compile(sub, KeyPath(ChildPath(path, "properties"), name), depth + 1,
                            value_validation_only));
        }
      }
    }
    if (auto it = j.find("additionalProperties"); it != j.end()) {
      if (it->is_boolean()) {
        s->additional_properties_any = it->get<bool>();
        if (!it->get<bool>() && structural_ && !value_validation_only) {
          Add(FieldForbidden(ChildPath(path, "additionalProperties"),
                             "additionalProperties cannot be set to false"));
        }
      } else {
        s->additional_properties =
            Compile(*it, ChildPath(path, "additionalProperties"), depth + 1, value_validation_only);
      }
      if (structural_ && !value_validation_only && !s->properties.empty() && s->IsMap()) {
        Add(FieldForbidden(ChildPath(path, "additionalProperties"),
                           "additionalProperties and properties are mutual exclusive"));
      }
    }
    if (auto it = j.find("items"); it != j.end()) {
      if (it->is_array()) {
        Add(FieldForbidden(ChildPath(path, "items"),
                           "items must be a schema object and not an array"));
      } else {
        s->items = Compile(*it, ChildPath(path, "items"), depth + 1, value_validation_only);
      }
    }
    CompileJunctors(j, s.get(), path, depth);
    s->defaults_below = s->has_default;
    for (const auto& [name, child] : s->properties) s->defaults_below |= child->defaults_below;
    if (s->items) s->defaults_below |= s->items->defaults_below;
    if (s->additional_properties) {
      s->defaults_below |= s->additional_properties->defaults_below;
    }
    s->plain_scalar = IsPlainScalar(*s);
    if (structural_ && !value_validation_only) CheckStructural(j, *s, path);
    return s;
  }

 private:
  static bool IsPlainScalar(const Schema& s) {
    using T = Schema::Type;
    if (s.int_or_string || !s.enum_values.empty() || !s.all_of.empty() || !s.any_of.empty() ||
        !s.one_of.empty() || s.not_schema != nullptr) {
      return false;
    }
    switch (s.type) {
      case T::kString:
        return !s.min_length && !s.max_length && s.pattern.empty() && s.format.empty();
      case T::kInteger:
      case T::kNumber:
        return !s.minimum && !s.maximum && !s.multiple_of;
      case T::kBoolean:
        return true;
      default:
        return false;
    }
  }

  void CompileJunctors(const Json& j, Schema* s, const std::string& path, int depth) {
    for (const char* key : {"allOf", "anyOf", "oneOf"}) {
      auto it = j.find(key);
      if (it == j.end()) continue;
      if (!it->is_array()) {
        Add(FieldInvalid(ChildPath(path, key), *it, "must be a list"));
        continue;
      }
      auto& list = key[1] == 'l' ? s->all_of : key[1] == 'n' ? s->any_of : s->one_of;
      size_t i = 0;
      for (const Json& sub : *it) {
        list.push_back(Compile(sub, IndexPath(ChildPath(path, key), i++), depth + 1, true));
      }
    }
    if (auto it = j.find("not"); it != j.end()) {
      s->not_schema = Compile(*it, ChildPath(path, "not"), depth + 1, true);
    }
  }

  void CheckStructural(const Json& j, const Schema& s, const std::string& path) {
    if (s.type == Schema::Type::kUnspecified && !s.preserve_unknown_fields && !s.int_or_string) {
      Add(FieldRequired(ChildPath(path, "type"), "must not be empty for specified object fields"));
    }
    if (s.int_or_string && s.type != Schema::Type::kUnspecified) {
      Add(FieldForbidden(ChildPath(path, "type"),
                         "must be empty to be structural when x-kubernetes-int-or-string is true"));
    }
    if (s.type == Schema::Type::kArray && s.items == nullptr) {
      Add(FieldRequired(ChildPath(path, "items"), "must be specified"));
    }
    if (s.preserve_unknown_fields && j.contains("x-kubernetes-preserve-unknown-fields") &&
        s.type != Schema::Type::kObject && s.type != Schema::Type::kUnspecified) {
      Add(FieldInvalid(ChildPath(path, "type"), Json(std::string(s.TypeName())),
                       "must be object if x-kubernetes-preserve-unknown-fields is true"));
    }
    if (s.embedded_resource && s.type != Schema::Type::kObject) {
      Add(FieldInvalid(ChildPath(path, "type"), Json(std::string(s.TypeName())),
                       "must be object if x-kubernetes-embedded-resource is true"));
    }
    if (!s.list_type.empty()) {
      if (s.list_type != "atomic" && s.list_type != "set" && s.list_type != "map") {
        Add(FieldNotSupported(ChildPath(path, "x-kubernetes-list-type"), Json(s.list_type),
                              {"atomic", "map", "set"}));
      } else if (s.type != Schema::Type::kArray) {
        Add(FieldInvalid(ChildPath(path, "x-kubernetes-list-type"), Json(s.list_type),
                         "must only be used if type is array"));
      }
      if (s.list_type == "map") {
        if (s.list_map_keys.empty()) {
          Add(FieldRequired(ChildPath(path, "x-kubernetes-list-map-keys"),
                            "must not be empty if x-kubernetes-list-type is map"));
        }
        if (s.items != nullptr && s.items->type != Schema::Type::kObject) {
          Add(FieldInvalid(ChildPath(path, "items.type"), Json(std::string(s.items->TypeName())),
                           "must be object if parent array's x-kubernetes-list-type is map"));
        }
      }
    } else if (!s.list_map_keys.empty()) {
      Add(FieldForbidden(ChildPath(path, "x-kubernetes-list-map-keys"),
                         "requires x-kubernetes-list-type to be map"));
    }
    if (!s.map_type.empty() && s.map_type != "granular" && s.map_type != "atomic") {
      Add(FieldNotSupported(ChildPath(path, "x-kubernetes-map-type"), Json(s.map_type),
                            {"atomic", "granular"}));
    }
  }

  void Add(FieldError e) {
    if (errors_ != nullptr && errors_->size() < 100) errors_->push_back(std::move(e));
    failed_ = true;
  }

 public:
  bool failed_ = false;

 private:
  bool structural_;
  FieldErrors* errors_;
};

}  // namespace

std::string_view Schema::TypeName() const {
  switch (type) {
    case Type::kObject: return "object";
    case Type::kArray: return "array";
    case Type::kString: return "string";
    case Type::kInteger: return "integer";
    case Type::kNumber: return "number";
    case Type::kBoolean: return "boolean";
    case Type::kUnspecified: return "";
  }
  return "";
}

std::string_view JsonTypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "object";
    case Json::value_t::array: return "array";
    case Json::value_t::string: return "string";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "integer";
    case Json::value_t::number_float: return "number";
    default: return "unknown";
  }
}

Result<std::shared_ptr<const Schema>> CompileSchema(const Json& schema, std::string_view path,
                                                    bool structural, FieldErrors* errors) {
  FieldErrors local;
  FieldErrors* sink = errors != nullptr ? errors : &local;
  size_t before = sink->size();
  Compiler c(structural, sink);
  auto s = c.Compile(schema, std::string(path), 0, false);
  if (c.failed_) {
    std::string m = "invalid schema";
    if (sink->size() > before) m += ": " + (*sink)[before].ToString();
    return Invalid(m);
  }
  return s;
}

const Schema* SchemaAt(const Schema& root, std::string_view dotted_path) {
  const Schema* cur = &root;
  while (!dotted_path.empty()) {
    while (cur->type == Schema::Type::kArray && cur->items != nullptr) cur = cur->items.get();
    size_t dot = dotted_path.find('.');
    std::string_view key = dotted_path.substr(0, dot);
    if (const Schema* p = cur->Property(key)) {
      cur = p;
    } else if (cur->additional_properties != nullptr) {
      cur = cur->additional_properties.get();
    } else {
      return nullptr;
    }
    if (dot == std::string_view::npos) break;
    dotted_path.remove_prefix(dot + 1);
  }
  return cur;
}

}  // namespace kt::sim
