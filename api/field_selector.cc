#include "api/field_selector.h"

#include "base/json.h"

namespace kt::api {

namespace {
std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// Splits on commas not escaped with a backslash; values may contain "\," "\=" "\\".
std::vector<std::string> SplitTerms(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      cur += s[i];
      cur += s[++i];
    } else if (s[i] == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += s[i];
    }
  }
  out.push_back(cur);
  return out;
}

std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out += s[i];
  }
  return out;
}
}  // namespace

Result<FieldSelector> FieldSelector::Parse(std::string_view text) {
  FieldSelector sel;
  if (Trim(text).empty()) return sel;
  for (const std::string& raw : SplitTerms(text)) {
    std::string term = Trim(raw);
    if (term.empty()) continue;
    size_t pos;
    Term t;
    if ((pos = term.find("!=")) != std::string::npos) {
      t.equals = false;
      t.field = Trim(term.substr(0, pos));
      t.value = Unescape(Trim(term.substr(pos + 2)));
    } else if ((pos = term.find("==")) != std::string::npos) {
      t.equals = true;
      t.field = Trim(term.substr(0, pos));
      t.value = Unescape(Trim(term.substr(pos + 2)));
    } else if ((pos = term.find('=')) != std::string::npos) {
      t.equals = true;
      t.field = Trim(term.substr(0, pos));
      t.value = Unescape(Trim(term.substr(pos + 1)));
    } else {
      return BadRequest("invalid selector: '" + std::string(text) +
                        "'; can't understand '" + term + "'");
    }
    if (t.field.empty()) {
      return BadRequest("invalid selector: '" + std::string(text) + "'; empty field name");
    }
    sel.terms_.push_back(std::move(t));
  }
  return sel;
}

std::string FieldValue(const Json& obj, std::string_view field) {
  const Json* v = FindPath(obj, field);
  if (v == nullptr || v->is_null()) return "";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_boolean()) return v->get<bool>() ? "true" : "false";
  if (v->is_number()) return v->dump();
  return "";
}

bool FieldSelector::Matches(const Json& obj) const {
  for (const auto& t : terms_) {
    bool eq = FieldValue(obj, t.field) == t.value;
    if (eq != t.equals) return false;
  }
  return true;
}

std::optional<std::string> FieldSelector::RequiredValue(std::string_view field) const {
  for (const auto& t : terms_) {
    if (t.equals && t.field == field) return t.value;
  }
  return std::nullopt;
}

}  // namespace kt::api
