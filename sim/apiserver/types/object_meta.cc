#include "sim/apiserver/types/object_meta.h"

#include "api/label_selector.h"
#include "sim/apiserver/types/builtin_schemas.h"
#include "sim/apiserver/types/schema.h"

namespace kt::sim {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool IsDnsLabel(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

bool IsDnsSubdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  while (true) {
    size_t dot = s.find('.');
    if (!IsDnsLabel(s.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

constexpr const char* kSubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
constexpr const char* kLabelMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
constexpr const char* k1035Msg =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

}  // namespace

NameRule ParseNameRule(std::string_view text) {
  if (text == "dns1123Label") return NameRule::kDnsLabel;
  if (text == "dns1035Label") return NameRule::kDns1035Label;
  if (text == "pathSegment") return NameRule::kPathSegment;
  return NameRule::kDnsSubdomain;
}

std::vector<std::string> NameErrors(std::string_view name, NameRule rule) {
  std::vector<std::string> out;
  switch (rule) {
    case NameRule::kDnsSubdomain:
      if (name.size() > 253) out.push_back("must be no more than 253 characters");
      if (!IsDnsSubdomain(name.substr(0, 253)) || name.empty()) out.push_back(kSubdomainMsg);
      break;
    case NameRule::kDnsLabel:
      if (name.size() > 63) out.push_back("must be no more than 63 characters");
      if (!IsDnsLabel(name.substr(0, 63))) out.push_back(kLabelMsg);
      break;
    case NameRule::kDns1035Label:
      if (name.size() > 63) out.push_back("must be no more than 63 characters");
      if (!IsDnsLabel(name.substr(0, 63)) || !(name[0] >= 'a' && name[0] <= 'z')) {
        out.push_back(k1035Msg);
      }
      break;
    case NameRule::kPathSegment:
      if (name == "." || name == "..") out.push_back("may not be '" + std::string(name) + "'");
      if (name.find('/') != std::string_view::npos) out.push_back("may not contain '/'");
      if (name.find('%') != std::string_view::npos) out.push_back("may not contain '%'");
      break;
  }
  return out;
}

void ValidateObjectMetaShape(const Json& meta, const std::string& path, FieldErrors& errors,
                             bool* prunable) {
  SchemaWalk walk;
  walk.root_path = path;
  walk.is_resource_root = false;
  ValidateAgainstSchema(*BuiltinSchemas::Get().object_meta.compiled, meta, walk, errors, prunable);
}

void ValidateObjectMeta(const Json& obj, NameRule rule, FieldErrors& errors, bool* prunable) {
  const Json* meta = FindMember(obj, "metadata");
  if (meta == nullptr || !meta->is_object()) {
    errors.push_back(FieldRequired("metadata.name", "name or generateName is required"));
    return;
  }
  size_t before = errors.size();
  ValidateObjectMetaShape(*meta, "metadata", errors, prunable);
  if (errors.size() > before) return;  // wrong types: the finer checks would misread them
  const std::string_view name = MemberStringView(*meta, "name");
  const std::string_view generate = MemberStringView(*meta, "generateName");
  if (name.empty() && generate.empty()) {
    errors.push_back(FieldRequired("metadata.name", "name or generateName is required"));
  } else if (!name.empty()) {
    for (const std::string& m : NameErrors(name, rule)) {
      errors.push_back(FieldInvalid("metadata.name", Json(std::string(name)), m));
    }
  }
  if (const Json* labels = FindMember(*meta, "labels"); labels != nullptr && labels->is_object()) {
    for (const auto& [k, v] : labels->get_ref<const Json::object_t&>()) {
      if (std::string r = api::CheckQualifiedName(k); !r.empty()) {
        errors.push_back(FieldInvalid("metadata.labels", Json(k), r));
      }
      if (v.is_string()) {
        if (std::string r = api::CheckLabelValue(v.get_ref<const std::string&>()); !r.empty()) {
          errors.push_back(FieldInvalid("metadata.labels", v, r));
        }
      }
    }
  }
  if (const Json* ann = FindMember(*meta, "annotations"); ann != nullptr && ann->is_object()) {
    size_t total = 0;
    for (const auto& [k, v] : ann->get_ref<const Json::object_t&>()) {
      if (std::string r = api::CheckQualifiedName(k); !r.empty()) {
        errors.push_back(FieldInvalid("metadata.annotations", Json(k), r));
      }
      total += k.size() + (v.is_string() ? v.get_ref<const std::string&>().size() : 0);
    }
    if (total > kAnnotationsBytesMax) {
      errors.push_back({FieldError::Type::kTooLong, "metadata.annotations", Json(),
                        "must have at most " + std::to_string(kAnnotationsBytesMax) + " bytes"});
    }
  }
  if (const Json* fin = FindMember(*meta, "finalizers"); fin != nullptr && fin->is_array()) {
    for (size_t i = 0; i < fin->size(); ++i) {
      const Json& f = (*fin)[i];
      if (!f.is_string()) continue;
      if (std::string r = api::CheckQualifiedName(f.get<std::string>()); !r.empty()) {
        errors.push_back(FieldInvalid(IndexPath("metadata.finalizers", i), f, r));
      }
    }
  }
}

}  // namespace kt::sim
