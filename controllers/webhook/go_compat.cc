#include "controllers/webhook/go_compat.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "base/json.h"

namespace kt::webhook {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool AllDigits(std::string_view s, bool hex) {
  if (s.empty()) return false;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (hex ? !std::isxdigit(u) : !std::isdigit(u)) return false;
  }
  return true;
}

// The syntax strconv.ParseFloat accepts (without the rarely used '_' digit separators).
bool IsGoFloatSyntax(std::string_view s) {
  std::string_view body = s;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
  if (EqualsIgnoreCase(body, "inf") || EqualsIgnoreCase(body, "infinity")) return true;
  if (EqualsIgnoreCase(s, "nan")) return true;  // no sign allowed on NaN
  bool hex = body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X');
  if (hex) body.remove_prefix(2);
  size_t exp = body.find_first_of(hex ? "pP" : "eE");
  std::string_view mant = body.substr(0, exp);
  if (hex && exp == std::string_view::npos) return false;  // hex floats need a 'p' exponent
  size_t dot = mant.find('.');
  std::string_view ip = mant.substr(0, dot);
  std::string_view fp = dot == std::string_view::npos ? "" : mant.substr(dot + 1);
  if (ip.empty() && fp.empty()) return false;
  if (!ip.empty() && !AllDigits(ip, hex)) return false;
  if (!fp.empty() && !AllDigits(fp, hex)) return false;
  if (exp != std::string_view::npos) {
    std::string_view e = body.substr(exp + 1);
    if (!e.empty() && (e[0] == '+' || e[0] == '-')) e.remove_prefix(1);
    if (!AllDigits(e, false)) return false;
  }
  return true;
}

}  // namespace

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          char buf[5];
          std::snprintf(buf, sizeof(buf), "\\x%02x", u);
          out += buf;
        } else {
          out.push_back(c);  // printable ASCII, or UTF-8 passed through
        }
    }
  }
  out.push_back('"');
  return out;
}

Result<double> ParseGoFloat(std::string_view s, double* value_on_error) {
  const std::string prefix = "strconv.ParseFloat: parsing " + GoQuote(s) + ": ";
  if (!IsGoFloatSyntax(s)) {
    if (value_on_error != nullptr) *value_on_error = 0;
    return BadRequest(prefix + "invalid syntax");
  }
  std::string copy(s);
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) {
    if (value_on_error != nullptr) *value_on_error = 0;
    return BadRequest(prefix + "invalid syntax");
  }
  std::string_view body = s;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
  bool literal_inf = !body.empty() && (body[0] == 'i' || body[0] == 'I');
  if (std::isinf(v) && !literal_inf) {
    if (value_on_error != nullptr) *value_on_error = v;
    return BadRequest(prefix + "value out of range");
  }
  return v;
}

std::string GoYamlTypeName(const Json& v) {
  if (v.is_null()) return "<nil>";
  if (v.is_boolean()) return "bool";
  if (v.is_number_integer()) return "int";
  if (v.is_number()) return "float64";
  if (v.is_string()) return "string";
  if (v.is_array()) return "[]interface {}";
  return "map[interface {}]interface {}";
}

std::string GoCleanPath(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path[0] == '/';
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view p = path.substr(start, slash - start);
    if (p.empty() || p == ".") {
      // skip
    } else if (p == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.emplace_back("..");
      }
    } else {
      parts.emplace_back(p);
    }
    start = slash + 1;
  }
  std::string out = rooted ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out.push_back('/');
    out += parts[i];
  }
  if (out.empty()) return ".";
  return out;
}

}  // namespace kt::webhook
