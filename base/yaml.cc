#include "base/yaml.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/json.h"

namespace kt {

namespace {

bool IsYamlNull(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool> YamlBool(const std::string& s) {
  static const char* const kTrue[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
                                      "on", "On", "ON"};
  static const char* const kFalse[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE",
                                       "off", "Off", "OFF"};
  for (const char* t : kTrue) {
    if (s == t) return true;
  }
  for (const char* f : kFalse) {
    if (s == f) return false;
  }
  return std::nullopt;
}

std::optional<int64_t> YamlInt(const std::string& s) {
  std::string t;
  for (char c : s) {
    if (c != '_') t += c;
  }
  if (t.empty()) return std::nullopt;
  size_t i = 0;
  bool neg = false;
  if (t[0] == '+' || t[0] == '-') {
    neg = t[0] == '-';
    i = 1;
  }
  if (i >= t.size()) return std::nullopt;
  int base = 10;
  if (t.size() > i + 2 && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'X')) {
    base = 16;
    i += 2;
  } else if (t.size() > i + 2 && t[i] == '0' && (t[i + 1] == 'o' || t[i + 1] == 'O')) {
    base = 8;
    i += 2;
  } else if (t.size() > i + 2 && t[i] == '0' && (t[i + 1] == 'b' || t[i + 1] == 'B')) {
    base = 2;
    i += 2;
  }
  unsigned __int128 v = 0;
  for (; i < t.size(); ++i) {
    int d;
    char c = t[i];
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return std::nullopt;
    if (d >= base) return std::nullopt;
    v = v * base + d;
    if (v > static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max()) + 1) {
      return std::nullopt;
    }
  }
  if (!neg && v > static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max())) {
    return std::nullopt;
  }
  return neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
}

std::optional<double> YamlFloat(const std::string& s) {
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf" || s == "+.Inf" || s == "+.INF") {
    return std::numeric_limits<double>::infinity();
  }
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF") return -std::numeric_limits<double>::infinity();
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  // [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  return std::strtod(s.c_str(), nullptr);
}

Json ResolvePlainScalar(const std::string& s) {
  if (IsYamlNull(s)) return nullptr;
  if (auto b = YamlBool(s)) return *b;
  if (auto i = YamlInt(s)) return *i;
  if (auto f = YamlFloat(s)) return *f;
  return s;
}

// Aliases let a few bytes of YAML name a node many times ("billion laughs"); the JSON they
// expand to is bounded relative to the input, as go-yaml bounds it ("excessive aliasing").
struct ExpansionBudget {
  size_t nodes_left;
  size_t bytes_left;
  explicit ExpansionBudget(size_t input_bytes)
      : nodes_left(std::min<size_t>(2'000'000, 64 * input_bytes + 10'000)),
        bytes_left(std::min<size_t>(size_t{256} << 20, 64 * input_bytes + (size_t{1} << 20))) {}
};

Result<Json> NodeToJson(const YAML::Node& node, int depth, ExpansionBudget& budget) {
  if (depth > kJsonDepthMax) {
    return BadRequest("YAML nesting exceeds " + std::to_string(kJsonDepthMax) + " levels");
  }
  if (budget.nodes_left == 0) {
    return BadRequest("invalid YAML: document contains excessive aliasing");
  }
  --budget.nodes_left;
  if (node.IsScalar()) {
    if (node.Scalar().size() > budget.bytes_left) {
      return BadRequest("invalid YAML: document contains excessive aliasing");
    }
    budget.bytes_left -= node.Scalar().size();
  }
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return Json(nullptr);
    case YAML::NodeType::Scalar: {
      const std::string& v = node.Scalar();
      // Quoted and explicitly tagged !!str scalars stay strings.
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return Json(v);
      if (node.Tag() == "?" || node.Tag().empty()) return ResolvePlainScalar(v);
      return Json(v);
    }
    case YAML::NodeType::Sequence: {
      Json arr = Json::array();
      for (const auto& item : node) {
        KT_ASSIGN_OR_RETURN(Json v, NodeToJson(item, depth + 1, budget));
        arr.push_back(std::move(v));
      }
      return arr;
    }
    case YAML::NodeType::Map: {
      Json obj = Json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) return BadRequest("YAML mapping keys must be scalars");
        KT_ASSIGN_OR_RETURN(Json v, NodeToJson(kv.second, depth + 1, budget));
        obj[kv.first.Scalar()] = std::move(v);
      }
      return obj;
    }
  }
  return BadRequest("unsupported YAML node");
}

bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  Json resolved = ResolvePlainScalar(s);
  if (!resolved.is_string()) return true;
  // Characters that start YAML syntax or would be trimmed.
  const char first = s.front();
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(first) != std::string_view::npos) return true;
  if (std::isspace(static_cast<unsigned char>(first)) ||
      std::isspace(static_cast<unsigned char>(s.back()))) {
    return true;
  }
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return true;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

void Emit(YAML::Emitter& out, const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      out << YAML::Null;
      break;
    case Json::value_t::boolean:
      out << (j.get<bool>() ? "true" : "false");
      break;
    case Json::value_t::number_integer:
      out << j.get<int64_t>();
      break;
    case Json::value_t::number_unsigned:
      out << j.get<uint64_t>();
      break;
    case Json::value_t::number_float: {
      double d = j.get<double>();
      if (std::isnan(d)) out << ".nan";
      else if (std::isinf(d)) out << (d > 0 ? ".inf" : "-.inf");
      else out << DumpJson(j);
      break;
    }
    case Json::value_t::string: {
      const auto& s = j.get_ref<const std::string&>();
      if (s.find('\n') != std::string::npos) {
        out << YAML::Literal << s;
      } else if (NeedsQuotes(s)) {
        out << YAML::DoubleQuoted << s;
      } else {
        out << s;
      }
      break;
    }
    case Json::value_t::array:
      if (j.empty()) {
        out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        break;
      }
      out << YAML::BeginSeq;
      for (const auto& item : j) Emit(out, item);
      out << YAML::EndSeq;
      break;
    case Json::value_t::object:
      if (j.empty()) {
        out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        break;
      }
      out << YAML::BeginMap;
      for (const auto& [k, v] : j.items()) {
        out << YAML::Key;
        if (NeedsQuotes(k)) out << YAML::DoubleQuoted;
        out << k << YAML::Value;
        Emit(out, v);
      }
      out << YAML::EndMap;
      break;
    default:
      out << YAML::Null;
  }
}

// Byte offset of the first byte that is not well-formed UTF-8 (RFC 3629: no overlong forms,
// no surrogates, nothing past U+10FFFF), or npos. YAML streams are Unicode; go-yaml refuses
// such input too ("invalid leading UTF-8 octet").
size_t FirstInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the second byte
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return i;
    }
    if (i + n >= s.size()) return i;
    for (size_t k = 1; k <= n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) return i;
    }
    i += n + 1;
  }
  return std::string_view::npos;
}

}  // namespace

Result<std::vector<Json>> ParseYamlDocuments(std::string_view text) {
  if (size_t bad = FirstInvalidUtf8(text); bad != std::string_view::npos) {
    return BadRequest("invalid YAML: invalid UTF-8 at byte " + std::to_string(bad));
  }
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return BadRequest("invalid YAML: line " + std::to_string(e.mark.line + 1) + ", column " +
                      std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const std::exception& e) {
    return BadRequest(std::string("invalid YAML: ") + e.what());
  }
  std::vector<Json> out;
  ExpansionBudget budget(text.size());
  for (const auto& d : docs) {
    if (d.IsNull() || !d.IsDefined()) continue;
    KT_ASSIGN_OR_RETURN(Json j, NodeToJson(d, 0, budget));
    out.push_back(std::move(j));
  }
  return out;
}

Result<Json> ParseYaml(std::string_view text) {
  KT_ASSIGN_OR_RETURN(auto docs, ParseYamlDocuments(text));
  if (docs.size() != 1) {
    return BadRequest("expected one YAML document, found " + std::to_string(docs.size()));
  }
  return std::move(docs[0]);
}

std::string ToYaml(const Json& j) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  out.SetMapFormat(YAML::Block);
  Emit(out, j);
  std::string s = out.c_str();
  if (s.empty() || s.back() != '\n') s += '\n';
  return s;
}

}  // namespace kt
