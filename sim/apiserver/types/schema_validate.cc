// Validation of values against compiled structural schemas, with kube-openapi's messages.
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <utility>

#include "sim/apiserver/types/field_path.h"
#include "sim/apiserver/types/object_meta.h"
#include "sim/apiserver/types/schema.h"

namespace kt::sim {
namespace {

std::string FormatNumber(double d) {
  if (d == std::floor(d) && std::fabs(d) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.0f", d);
    return buf;
  }
  char buf[64];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof(buf), "%.*g", prec, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  return buf;
}

bool IsIntegral(const Json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  double d = v.get<double>();
  return std::isfinite(d) && d == std::floor(d);
}

bool TypeMatches(const Schema& s, const Json& v) {
  if (s.int_or_string) return v.is_string() || IsIntegral(v);
  switch (s.type) {
    case Schema::Type::kUnspecified: return true;
    case Schema::Type::kObject: return v.is_object();
    case Schema::Type::kArray: return v.is_array();
    case Schema::Type::kString: return v.is_string();
    case Schema::Type::kInteger: return IsIntegral(v);
    case Schema::Type::kNumber: return v.is_number();
    case Schema::Type::kBoolean: return v.is_boolean();
  }
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

bool IsDate(std::string_view s) {
  return s.size() == 10 && AllDigits(s.substr(0, 4)) && s[4] == '-' && AllDigits(s.substr(5, 2)) &&
         s[7] == '-' && AllDigits(s.substr(8, 2));
}

bool IsDateTime(std::string_view s) {
  if (s.size() < 20 || !IsDate(s.substr(0, 10))) return false;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  std::string_view t = s.substr(11);
  if (t.size() < 8 || !AllDigits(t.substr(0, 2)) || t[2] != ':' || !AllDigits(t.substr(3, 2)) ||
      t[5] != ':' || !AllDigits(t.substr(6, 2))) {
    return false;
  }
  t.remove_prefix(8);
  if (!t.empty() && t[0] == '.') {
    size_t i = 1;
    while (i < t.size() && IsDigit(t[i])) ++i;
    if (i == 1) return false;
    t.remove_prefix(i);
  }
  if (t == "Z" || t == "z") return true;
  return t.size() == 6 && (t[0] == '+' || t[0] == '-') && AllDigits(t.substr(1, 2)) &&
         t[3] == ':' && AllDigits(t.substr(4, 2));
}

bool IsBase64(std::string_view s) {
  if (s.size() % 4 != 0) return false;
  size_t pad = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c) || c == '+' ||
                 c == '/';
    if (c == '=') {
      ++pad;
      if (i + 2 < s.size()) return false;
    } else if (!alnum || pad > 0) {
      return false;
    }
  }
  return pad <= 2;
}

bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

bool IsIpv4(std::string_view s) {
  int parts = 0;
  while (true) {
    size_t dot = s.find('.');
    std::string_view p = s.substr(0, dot);
    if (p.empty() || p.size() > 3 || !AllDigits(p) || std::stoi(std::string(p)) > 255 ||
        (p.size() > 1 && p[0] == '0')) {
      return false;
    }
    ++parts;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return parts == 4;
}

// Formats kube validates on strings; others (int32, int64, float, password, ...) pass.
bool FormatOk(std::string_view format, std::string_view s) {
  if (format == "date-time" || format == "datetime") return IsDateTime(s);
  if (format == "date") return IsDate(s);
  if (format == "byte") return IsBase64(s);
  if (format == "uuid") return IsUuid(s);
  if (format == "ipv4") return IsIpv4(s);
  return true;
}

// UTF-8 characters in `s`: its bytes less the continuation bytes (10xxxxxx), eight at a time.
int64_t RuneCount(std::string_view s) {
  constexpr uint64_t kLow = 0x0101010101010101ULL;
  int64_t continuation = 0;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    continuation += std::popcount((w >> 7) & ~(w >> 6) & kLow);
  }
  for (; i < s.size(); ++i) continuation += (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
  return static_cast<int64_t>(s.size()) - continuation;
}

std::string EnumText(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// A value of a plain scalar's type is valid whatever it replaces (see Schema::plain_scalar):
// the walk skips the rest of Value for it.
bool PlainAndValid(const Schema& s, const Json& v) { return s.plain_scalar && TypeMatches(s, v); }

class Validator {
 public:
  // `prunable`: see ValidateAgainstSchema; null when not asked.
  explicit Validator(FieldErrors& errors, bool* prunable = nullptr)
      : errors_(errors), prunable_(prunable) {}

  // `old`: the value `v` replaces in an update (ratcheting, see SchemaWalk::previous); null
  // when there is none or it cannot be correlated.
  void Value(const Schema& s, const Json& v, const PathRef& path, const Json* old = nullptr) {
    // Unchanged: whatever errors it has, it had when it was stored, and they stand.
    if (old != nullptr && SameJson(*old, v)) return;
    if (v.is_null()) {
      if (!s.nullable) Prunable();  // pruning drops a member's null unless it is nullable
      if (s.nullable || (s.type == Schema::Type::kUnspecified && !s.int_or_string)) return;
      TypeError(s, v, path);
      return;
    }
    if (!TypeMatches(s, v)) {
      TypeError(s, v, path);
      return;
    }
    Common(s, v, path);
    if (v.is_object()) {
      Object(s, v, path, nullptr, old);
    } else if (v.is_array()) {
      Array(s, v, path, old);
    } else if (v.is_string()) {
      String(s, v.get_ref<const std::string&>(), v, path);
    } else if (v.is_number()) {
      Number(s, v, path);
    }
  }

  void Root(const Schema& s, const Json& v, const SchemaWalk& walk) {
    PathRef root = PathRef::Root(walk.root_path);
    if (!walk.is_resource_root || !v.is_object()) {
      Value(s, v, root);
      return;
    }
    // apiVersion, kind and metadata are validated by the API machinery, not the schema.
    Common(s, v, root);
    Object(s, v, root, &walk, walk.previous);
  }

 private:
  void TypeError(const Schema& s, const Json& v, const PathRef& path) {
    std::string want = s.int_or_string ? "integer,string" : std::string(s.TypeName());
    std::string got(JsonTypeName(v));
    Add({FieldError::Type::kTypeInvalid, path.Str(), Json(got),
         Name(path.Str()) + " in body must be of type " + want + ": " + GoQuote(got)});
  }

  std::string Name(const std::string& path) const { return path.empty() ? "body" : path; }

  void Prunable() {
    if (prunable_ != nullptr) *prunable_ = true;
  }

  // Validates `v` against `s` without noting what is prunable: for schemas that pruning does not
  // follow (allOf's, and a schema's own for embedded metadata, which prunes as ObjectMeta).
  void ValueNotPruned(const Schema& s, const Json& v, const PathRef& path, const Json* old) {
    bool* const saved = std::exchange(prunable_, nullptr);
    Value(s, v, path, old);
    prunable_ = saved;
  }

  void Common(const Schema& s, const Json& v, const PathRef& path) {
    if (!s.enum_values.empty()) {
      bool found = false;
      for (const Json& e : s.enum_values) {
        if (e == v || (e.is_number() && v.is_number() && e.get<double>() == v.get<double>())) {
          found = true;
          break;
        }
      }
      if (!found) {
        std::vector<std::string> valid;
        for (const Json& e : s.enum_values) valid.push_back(EnumText(e));
        Add(FieldNotSupported(path.Str(), v, valid));
      }
    }
    for (const auto& sub : s.all_of) ValueNotPruned(*sub, v, path, nullptr);
    if (!s.any_of.empty()) {
      bool any = false;
      for (const auto& sub : s.any_of) any = any || Passes(*sub, v, path);
      if (!any) Add(FieldInvalid(path.Str(), Json(std::string(JsonTypeName(v))),
                                 "must validate at least one schema (anyOf)"));
    }
    if (!s.one_of.empty()) {
      int n = 0;
      for (const auto& sub : s.one_of) n += Passes(*sub, v, path) ? 1 : 0;
      if (n != 1) Add(FieldInvalid(path.Str(), Json(std::string(JsonTypeName(v))),
                                   "must validate one and only one schema (oneOf)"));
    }
    if (s.not_schema != nullptr && Passes(*s.not_schema, v, path)) {
      Add(FieldInvalid(path.Str(), Json(std::string(JsonTypeName(v))),
                       "must not validate the schema (not)"));
    }
  }

  bool Passes(const Schema& s, const Json& v, const PathRef& path) {
    FieldErrors scratch;
    Validator sub(scratch);
    sub.Value(s, v, path);
    return scratch.empty();
  }

  // `root`: set at a resource's root, with the members to leave alone. `old`: as for Value;
  // members are correlated by key.
  void Object(const Schema& s, const Json& v, const PathRef& path,
              const SchemaWalk* root = nullptr, const Json* old = nullptr) {
    const bool resource_root = root != nullptr;
    if (old != nullptr && !old->is_object()) old = nullptr;
    for (const std::string& r : s.required) {
      if (!v.contains(r)) Add(FieldRequired(PathRef::Child(path, r).Str()));
    }
    auto n = static_cast<int64_t>(v.size());
    if (s.min_properties && n < *s.min_properties) {
      Add(FieldInvalid(path.Str(), v, Name(path.Str()) + " in body should have at least " +
                                    std::to_string(*s.min_properties) + " properties"));
    }
    if (s.max_properties && n > *s.max_properties) {
      Add({FieldError::Type::kTooMany, path.Str(), Json(n),
           "must have at most " + std::to_string(*s.max_properties) + " items"});
    }
    bool embedded = s.embedded_resource || resource_root;
    PropertyCursor props(s);
    // Over the members themselves: items() makes two strings per loop for array indices.
    for (const auto& [key, child] : v.get_ref<const Json::object_t&>()) {
      if (resource_root && root->Unchanged(key)) continue;
      const Schema* p = props.Seek(key);
      const Json* old_child = nullptr;
      if (old != nullptr) {
        const auto& members = old->get_ref<const Json::object_t&>();
        if (auto o = members.find(key); o != members.end()) old_child = &o->second;
      }
      if (embedded && IsImplicitMember(key)) {
        const bool metadata = std::string_view(key) == "metadata";
        if (metadata && !resource_root &&
            (old_child == nullptr || !SameJson(*old_child, child))) {
          ValidateObjectMetaShape(child, PathRef::Child(path, key).Str(), errors_, prunable_);
        }
        if (p == nullptr) continue;
        if (metadata) {
          ValueNotPruned(*p, child, PathRef::Child(path, key), old_child);
          continue;
        }
      }
      const Schema* cs = p != nullptr ? p : s.additional_properties.get();
      if (cs == nullptr) {
        if (!s.preserve_unknown_fields && !s.additional_properties_any) Prunable();  // unknown
        continue;
      }
      if (PlainAndValid(*cs, child)) continue;
      Value(*cs, child, PathRef::Child(path, key), old_child);
    }
    if (s.embedded_resource) {
      for (std::string_view key : {"apiVersion", "kind"}) {  // views: no key built per lookup
        auto it = v.find(key);
        if (it == v.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
          Add(FieldRequired(PathRef::Child(path, key).Str(), "must not be empty"));
        }
      }
    }
  }

  // `old`: as for Value; items are correlated by index, or by their map keys in a map list, and
  // not at all in a set or atomic list (only the list as a whole can be unchanged).
  void Array(const Schema& s, const Json& v, const PathRef& path, const Json* old = nullptr) {
    auto n = static_cast<int64_t>(v.size());
    if (s.min_items && n < *s.min_items) {
      Add(FieldInvalid(path.Str(), v, Name(path.Str()) + " in body should have at least " +
                                    std::to_string(*s.min_items) + " items"));
    }
    if (s.max_items && n > *s.max_items) {
      Add({FieldError::Type::kTooMany, path.Str(), Json(n),
           "must have at most " + std::to_string(*s.max_items) + " items"});
    }
    if (s.items != nullptr) {
      for (size_t i = 0; i < v.size(); ++i) {
        if (PlainAndValid(*s.items, v[i])) continue;
        Value(*s.items, v[i], PathRef::Index(path, i), OldItem(s, old, v, i));
      }
    }
    if (s.unique_items || s.list_type == "set") {
      for (size_t i = 1; i < v.size() && i < 10000; ++i) {
        for (size_t j = 0; j < i; ++j) {
          if (v[i] == v[j]) {
            Add(FieldDuplicate(PathRef::Index(path, i).Str(), v[i]));
            break;
          }
        }
      }
    }
    if (s.list_type == "map" && !s.list_map_keys.empty()) {
      std::vector<Json> seen;
      for (size_t i = 0; i < v.size() && i < 10000; ++i) {
        if (!v[i].is_object()) continue;
        Json key = Json::object();
        for (const std::string& k : s.list_map_keys) {
          if (v[i].contains(k)) key[k] = v[i][k];
        }
        bool dup = false;
        for (const Json& k : seen) dup = dup || k == key;
        if (dup) {
          Add(FieldDuplicate(PathRef::Index(path, i).Str(), key));
        } else {
          seen.push_back(std::move(key));
        }
      }
    }
  }

  // The item of `old` that item `i` of `list` replaces, as SchemaWalk::previous correlates them.
  static const Json* OldItem(const Schema& s, const Json* old, const Json& list, size_t i) {
    if (old == nullptr || !old->is_array()) return nullptr;
    if (s.list_type == "set" || s.list_type == "atomic") return nullptr;
    if (s.list_type != "map" || s.list_map_keys.empty()) return i < old->size() ? &(*old)[i] : nullptr;
    // Bounded: a hostile list pair is not worth a quadratic search.
    if (old->size() * list.size() > kCorrelationPairsMax || !list[i].is_object()) return nullptr;
    for (const Json& o : *old) {
      if (!o.is_object()) continue;
      bool same = true;
      for (const std::string& k : s.list_map_keys) {
        auto a = list[i].find(k), b = o.find(k);
        const bool has_a = a != list[i].end(), has_b = b != o.end();
        if (has_a != has_b || (has_a && !SameJson(*a, *b))) {
          same = false;
          break;
        }
      }
      if (same) return &o;
    }
    return nullptr;
  }

  void String(const Schema& s, const std::string& str, const Json& v, const PathRef& path) {
    // Lengths count characters (runes), not bytes: counted only when bounded.
    const int64_t runes = s.max_length || s.min_length ? RuneCount(str) : 0;
    if (s.max_length && runes > *s.max_length) {
      Add({FieldError::Type::kTooLong, path.Str(), v,
           "may not be longer than " + std::to_string(*s.max_length)});
    }
    if (s.min_length && runes < *s.min_length) {
      Add(FieldInvalid(path.Str(), v, Name(path.Str()) + " in body should be at least " +
                                    std::to_string(*s.min_length) + " chars long"));
    }
    if (s.pattern_regex != nullptr) {
      bool ok = false;
      if (str.size() <= kPatternSubjectBytesMax) {
        try {
          ok = std::regex_search(str, *s.pattern_regex);
        } catch (const std::regex_error&) {
          ok = false;
        }
      }
      if (!ok) {
        Add(FieldInvalid(path.Str(), v, Name(path.Str()) + " in body should match '" + s.pattern + "'"));
      }
    }
    if (!s.format.empty() && !FormatOk(s.format, str)) {
      Add({FieldError::Type::kTypeInvalid, path.Str(), v,
           Name(path.Str()) + " in body must be of type " + s.format + ": " + GoQuote(str)});
    }
  }

  void Number(const Schema& s, const Json& v, const PathRef& path) {
    double d = v.get<double>();
    if (s.minimum) {
      bool bad = s.exclusive_minimum ? d <= *s.minimum : d < *s.minimum;
      if (bad) {
        Add(FieldInvalid(path.Str(), v, Name(path.Str()) + " in body should be greater than " +
                                      std::string(s.exclusive_minimum ? "" : "or equal to ") +
                                      FormatNumber(*s.minimum)));
      }
    }
    if (s.maximum) {
      bool bad = s.exclusive_maximum ? d >= *s.maximum : d > *s.maximum;
      if (bad) {
        Add(FieldInvalid(path.Str(), v, Name(path.Str()) + " in body should be less than " +
                                      std::string(s.exclusive_maximum ? "" : "or equal to ") +
                                      FormatNumber(*s.maximum)));
      }
    }
    if (s.multiple_of) {
      double q = d / *s.multiple_of;
      if (!std::isfinite(q) || std::fabs(q - std::round(q)) > 1e-9) {
        Add(FieldInvalid(path.Str(), v, Name(path.Str()) + " in body should be a multiple of " +
                                      FormatNumber(*s.multiple_of)));
      }
    }
  }

  void Add(FieldError e) {
    if (errors_.size() < kFieldErrorsMax) errors_.push_back(std::move(e));
  }

  static constexpr size_t kFieldErrorsMax = 100;
  static constexpr size_t kCorrelationPairsMax = 1'000'000;
  FieldErrors& errors_;
  bool* prunable_;
};

}  // namespace

void ValidateAgainstSchema(const Schema& schema, const Json& value, const SchemaWalk& walk,
                           FieldErrors& errors, bool* prunable) {
  Validator(errors, prunable).Root(schema, value, walk);
}

}  // namespace kt::sim
