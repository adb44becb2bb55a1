#include "api/label_selector.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "base/json.h"

namespace kt::api {

namespace {

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])? with length <= max.
bool IsNamePart(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  if (!IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool IsDnsSubdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (label.empty() || label.size() > 63) return false;
    for (char c : label) {
      if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
            c == '-')) {
        return false;
      }
    }
    if (label.front() == '-' || label.back() == '-') return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

struct Lexer {
  std::string_view s;
  size_t pos = 0;
  void SkipSpace() {
    while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos]))) ++pos;
  }
  bool AtEnd() {
    SkipSpace();
    return pos >= s.size();
  }
  bool Consume(std::string_view tok) {
    SkipSpace();
    if (s.substr(pos, tok.size()) == tok) {
      pos += tok.size();
      return true;
    }
    return false;
  }
  // An identifier/value: anything up to a delimiter.
  std::string Word() {
    SkipSpace();
    size_t start = pos;
    while (pos < s.size()) {
      char c = s[pos];
      if (std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == '=' || c == '!' ||
          c == '(' || c == ')' || c == '<' || c == '>') {
        break;
      }
      ++pos;
    }
    return std::string(s.substr(start, pos - start));
  }
  // Keyword "in"/"notin" followed by space or '('.
  bool Keyword(std::string_view kw) {
    SkipSpace();
    if (s.substr(pos, kw.size()) != kw) return false;
    size_t after = pos + kw.size();
    if (after < s.size() && !(std::isspace(static_cast<unsigned char>(s[after])) || s[after] == '(')) {
      return false;
    }
    pos = after;
    return true;
  }
};

Status ParseError(std::string_view text, std::string why) {
  return BadRequest("unable to parse requirement: " + why + " (in selector \"" + std::string(text) +
                    "\")");
}

Status CheckRequirement(const Requirement& r) {
  std::string why = CheckQualifiedName(r.key);
  if (!why.empty()) return BadRequest("invalid label key \"" + r.key + "\": " + why);
  for (const auto& v : r.values) {
    if (r.op == SelectorOp::kGt || r.op == SelectorOp::kLt) {
      char* end = nullptr;
      std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0') {
        return BadRequest("for 'Gt', 'Lt' operators, the value must be an integer, got \"" + v + "\"");
      }
      continue;
    }
    why = CheckLabelValue(v);
    if (!why.empty()) return BadRequest("invalid label value \"" + v + "\": " + why);
  }
  return Status::Ok();
}

Result<SelectorOp> OpFromString(std::string_view op, bool node_ops) {
  if (op == "In") return SelectorOp::kIn;
  if (op == "NotIn") return SelectorOp::kNotIn;
  if (op == "Exists") return SelectorOp::kExists;
  if (op == "DoesNotExist") return SelectorOp::kDoesNotExist;
  if (node_ops && op == "Gt") return SelectorOp::kGt;
  if (node_ops && op == "Lt") return SelectorOp::kLt;
  return BadRequest("\"" + std::string(op) + "\" is not a valid label selector operator");
}

Result<std::vector<Requirement>> ExpressionsFromJson(const Json& exprs, bool node_ops) {
  std::vector<Requirement> out;
  if (exprs.is_null()) return out;
  if (!exprs.is_array()) return BadRequest("matchExpressions must be a list");
  for (const auto& e : exprs) {
    if (!e.is_object()) return BadRequest("matchExpressions entries must be objects");
    Requirement r;
    r.key = GetString(e, "key");
    KT_ASSIGN_OR_RETURN(r.op, OpFromString(GetString(e, "operator"), node_ops));
    if (auto it = e.find("values"); it != e.end() && it->is_array()) {
      for (const auto& v : *it) {
        if (!v.is_string()) return BadRequest("matchExpressions values must be strings");
        r.values.push_back(v.get<std::string>());
      }
    }
    const bool needs_values = r.op == SelectorOp::kIn || r.op == SelectorOp::kNotIn;
    const bool single_value = r.op == SelectorOp::kGt || r.op == SelectorOp::kLt;
    if (needs_values && r.values.empty()) {
      return BadRequest("values: Required value: must be specified when `operator` is 'In' or 'NotIn'");
    }
    if (!needs_values && !single_value && !r.values.empty()) {
      return BadRequest("values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
    }
    if (single_value && r.values.size() != 1) {
      return BadRequest("values: Required value: must be specified single value when `operator` is 'Lt' or 'Gt'");
    }
    KT_RETURN_IF_ERROR(CheckRequirement(r));
    std::sort(r.values.begin(), r.values.end());
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::string CheckQualifiedName(std::string_view key) {
  if (key.empty()) return "name part must be non-empty";
  std::string_view name = key;
  size_t slash = key.find('/');
  if (slash != std::string_view::npos) {
    std::string_view prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (!IsDnsSubdomain(prefix)) return "prefix part must be a lowercase RFC 1123 subdomain";
  }
  if (!IsNamePart(name, 63)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
           "and end with an alphanumeric character (max 63 characters)";
  }
  return "";
}

std::string CheckLabelValue(std::string_view value) {
  if (value.empty()) return "";
  if (!IsNamePart(value, 63)) {
    return "a valid label must be an empty string or consist of alphanumeric characters, '-', "
           "'_' or '.', and must start and end with an alphanumeric character (max 63 "
           "characters)";
  }
  return "";
}

bool Requirement::Matches(const Labels& labels) const {
  auto it = labels.find(key);
  return MatchesValue(it == labels.end() ? nullptr : &it->second);
}

bool Requirement::MatchesValue(const std::string* value) const {
  const bool has = value != nullptr;
  switch (op) {
    case SelectorOp::kEquals:
      return has && *value == values[0];
    case SelectorOp::kNotEquals:
      return !has || *value != values[0];
    case SelectorOp::kIn:
      return has && std::binary_search(values.begin(), values.end(), *value);
    case SelectorOp::kNotIn:
      return !has || !std::binary_search(values.begin(), values.end(), *value);
    case SelectorOp::kExists:
      return has;
    case SelectorOp::kDoesNotExist:
      return !has;
    case SelectorOp::kGt:
    case SelectorOp::kLt: {
      if (!has) return false;
      char* end = nullptr;
      long long label_value = std::strtoll(value->c_str(), &end, 10);
      if (value->empty() || *end != '\0') return false;
      long long bound = std::strtoll(values[0].c_str(), nullptr, 10);
      return op == SelectorOp::kGt ? label_value > bound : label_value < bound;
    }
  }
  return false;
}

LabelSelector LabelSelector::Nothing() {
  LabelSelector s;
  s.nothing_ = true;
  return s;
}

Result<LabelSelector> LabelSelector::Parse(std::string_view text) {
  LabelSelector sel;
  Lexer lx{text};
  if (lx.AtEnd()) return sel;
  for (;;) {
    Requirement r;
    if (lx.Consume("!")) {
      r.key = lx.Word();
      r.op = SelectorOp::kDoesNotExist;
    } else {
      r.key = lx.Word();
      if (r.key.empty()) return ParseError(text, "found '" + std::string(text.substr(lx.pos, 1)) +
                                                     "', expected: identifier");
      if (lx.Consume("==") || lx.Consume("=")) {
        r.op = SelectorOp::kEquals;
        r.values.push_back(lx.Word());
      } else if (lx.Consume("!=")) {
        r.op = SelectorOp::kNotEquals;
        r.values.push_back(lx.Word());
      } else if (lx.Consume(">")) {
        r.op = SelectorOp::kGt;
        r.values.push_back(lx.Word());
      } else if (lx.Consume("<")) {
        r.op = SelectorOp::kLt;
        r.values.push_back(lx.Word());
      } else if (bool notin = lx.Keyword("notin"); notin || lx.Keyword("in")) {
        r.op = notin ? SelectorOp::kNotIn : SelectorOp::kIn;
        if (!lx.Consume("(")) return ParseError(text, "expected '(' after set operator");
        for (;;) {
          std::string v = lx.Word();
          r.values.push_back(v);
          if (lx.Consume(",")) continue;
          if (lx.Consume(")")) break;
          return ParseError(text, "expected ',' or ')' in value set");
        }
        std::sort(r.values.begin(), r.values.end());
      } else {
        r.op = SelectorOp::kExists;
      }
    }
    KT_RETURN_IF_ERROR(CheckRequirement(r).Annotate("unable to parse requirement"));
    sel.requirements_.push_back(std::move(r));
    if (lx.AtEnd()) break;
    if (!lx.Consume(",")) {
      return ParseError(text, "found '" + std::string(text.substr(lx.pos, 1)) + "', expected: ','");
    }
  }
  std::stable_sort(sel.requirements_.begin(), sel.requirements_.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  return sel;
}

Result<LabelSelector> LabelSelector::FromJson(const Json& selector) {
  LabelSelector sel;
  if (selector.is_null()) return sel;
  if (!selector.is_object()) return BadRequest("label selector must be an object");
  if (auto it = selector.find("matchLabels"); it != selector.end() && !it->is_null()) {
    if (!it->is_object()) return BadRequest("matchLabels must be a map of strings");
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string()) return BadRequest("matchLabels values must be strings");
      Requirement r{k, SelectorOp::kEquals, {v.get<std::string>()}};
      KT_RETURN_IF_ERROR(CheckRequirement(r));
      sel.requirements_.push_back(std::move(r));
    }
  }
  if (auto it = selector.find("matchExpressions"); it != selector.end()) {
    KT_ASSIGN_OR_RETURN(auto reqs, ExpressionsFromJson(*it, false));
    for (auto& r : reqs) sel.requirements_.push_back(std::move(r));
  }
  std::stable_sort(sel.requirements_.begin(), sel.requirements_.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  return sel;
}

LabelSelector LabelSelector::FromMap(const Labels& labels) {
  LabelSelector sel;
  for (const auto& [k, v] : labels) sel.requirements_.push_back({k, SelectorOp::kEquals, {v}});
  return sel;
}

Result<LabelSelector> LabelSelector::FromNodeSelectorRequirements(const Json& expressions) {
  LabelSelector sel;
  KT_ASSIGN_OR_RETURN(sel.requirements_, ExpressionsFromJson(expressions, true));
  return sel;
}

bool LabelSelector::Matches(const Labels& labels) const {
  if (nothing_) return false;
  for (const auto& r : requirements_) {
    if (!r.Matches(labels)) return false;
  }
  return true;
}

bool LabelSelector::MatchesObject(const Json& obj) const {
  if (nothing_) return false;
  if (requirements_.empty()) return true;
  const Json* labels = nullptr;
  if (obj.is_object()) {
    auto meta = obj.find("metadata");
    if (meta != obj.end() && meta->is_object()) {
      auto l = meta->find("labels");
      if (l != meta->end() && l->is_object()) labels = &*l;
    }
  }
  for (const auto& r : requirements_) {
    const std::string* value = nullptr;
    if (labels != nullptr) {
      auto it = labels->find(r.key);
      if (it != labels->end() && it->is_string()) value = &it->get_ref<const std::string&>();
    }
    if (!r.MatchesValue(value)) return false;
  }
  return true;
}

std::string LabelSelector::ToString() const {
  std::string out;
  for (const auto& r : requirements_) {
    if (!out.empty()) out += ",";
    auto join = [&] {
      std::string s = "(";
      for (size_t i = 0; i < r.values.size(); ++i) s += (i ? "," : "") + r.values[i];
      return s + ")";
    };
    switch (r.op) {
      case SelectorOp::kEquals: out += r.key + "=" + r.values[0]; break;
      case SelectorOp::kNotEquals: out += r.key + "!=" + r.values[0]; break;
      case SelectorOp::kIn: out += r.key + " in " + join(); break;
      case SelectorOp::kNotIn: out += r.key + " notin " + join(); break;
      case SelectorOp::kExists: out += r.key; break;
      case SelectorOp::kDoesNotExist: out += "!" + r.key; break;
      case SelectorOp::kGt: out += r.key + ">" + r.values[0]; break;
      case SelectorOp::kLt: out += r.key + "<" + r.values[0]; break;
    }
  }
  return out;
}

}  // namespace kt::api
