#include "base/yaml.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>

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

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF) with its code point in `cp`, or 0 if there is none.
size_t DecodeUtf8(std::string_view s, size_t i, char32_t& cp) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the second byte
  if (c < 0x80) {
    cp = c;
    return 1;
  } else if (c >= 0xc2 && c <= 0xdf) {
    n = 1;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 2;
    cp = c & 0x0f;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 3;
    cp = c & 0x07;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (i + n >= s.size()) return 0;
  for (size_t k = 1; k <= n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  return n + 1;
}

// yaml-cpp 0.7 decodes the escapes "\N" and "\_" to the single bytes 0x85 and 0xA0 instead of
// the UTF-8 of U+0085 and U+00A0. The stream was checked to be UTF-8, so every byte that is not
// UTF-8 in a scalar came from such an escape: it is re-encoded as the code point it names.
std::string FixLatin1Escapes(const std::string& value) {
  if (std::all_of(value.begin(), value.end(), [](char c) { return (c & 0x80) == 0; })) return value;
  std::string out;
  for (size_t i = 0; i < value.size();) {
    char32_t cp = 0;
    if (const size_t n = DecodeUtf8(value, i, cp); n != 0) {
      out.append(value, i, n);
      i += n;
      continue;
    }
    const auto b = static_cast<unsigned char>(value[i++]);
    out += static_cast<char>(0xc0 | (b >> 6));
    out += static_cast<char>(0x80 | (b & 0x3f));
  }
  return out;
}

// Builds the JSON of each document straight from yaml-cpp's parse events. Aliases let a few
// bytes of YAML name a node many times ("billion laughs"); the JSON they expand to is bounded
// relative to the input, as go-yaml bounds it ("excessive aliasing"). The first error wins and
// later events are ignored (an event handler cannot stop the parser).
class JsonBuilder final : public YAML::EventHandler {
 public:
  explicit JsonBuilder(size_t input_bytes)
      : nodes_left_(std::min<size_t>(2'000'000, 64 * input_bytes + 10'000)),
        bytes_left_(std::min<size_t>(size_t{256} << 20, 64 * input_bytes + (size_t{1} << 20))) {}

  // The finished document (null when it was empty); valid after OnDocumentEnd.
  Json TakeDocument() { return std::move(document_); }
  const Status& status() const { return status_; }
  YAML::Mark document_start() const { return document_start_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    document_start_ = mark;
    document_ = nullptr;
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark&, YAML::anchor_t anchor) override {
    if (ok() && Spend(1, 0)) Add(Json(nullptr), anchor, 1, 0, nullptr);
  }

  void OnAlias(const YAML::Mark&, YAML::anchor_t anchor) override {
    if (!ok()) return;
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) return Fail(BadRequest("invalid YAML: unknown alias"));
    const Anchored& a = it->second;
    if (Spend(a.nodes, a.bytes)) {
      Add(Json(a.value), 0, a.nodes, a.bytes, a.scalar ? &a.text : nullptr);
    }
  }

  void OnScalar(const YAML::Mark&, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (!ok() || !Spend(1, value.size())) return;
    const std::string text = FixLatin1Escapes(value);
    // Quoted and explicitly tagged !!str scalars stay strings.
    Json v = (tag == "?" || tag.empty()) ? ResolvePlainScalar(text) : Json(text);
    Add(std::move(v), anchor, 1, text.size(), &text);
  }

  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(Json::array(), anchor);
  }
  void OnSequenceEnd() override { Close(); }

  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(Json::object(), anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Frame {
    Json value;
    YAML::anchor_t anchor;
    size_t nodes = 1;  // JSON nodes under this one, itself included
    size_t bytes = 0;  // scalar bytes under it
    std::optional<std::string> key;  // a mapping's key waiting for its value
  };
  struct Anchored {
    Json value;
    size_t nodes;
    size_t bytes;
    bool scalar;       // an alias of a scalar may be a mapping key,
    std::string text;  // which is the scalar's text
  };

  bool ok() const { return status_.ok(); }
  void Fail(Status s) {
    if (ok()) status_ = std::move(s);
  }

  bool Spend(size_t nodes, size_t bytes) {
    if (nodes > nodes_left_ || bytes > bytes_left_) {
      Fail(BadRequest("invalid YAML: document contains excessive aliasing"));
      return false;
    }
    nodes_left_ -= nodes;
    bytes_left_ -= bytes;
    return true;
  }

  void Open(Json container, YAML::anchor_t anchor) {
    if (!ok()) return;
    if (stack_.size() >= static_cast<size_t>(kJsonDepthMax)) {
      return Fail(BadRequest("YAML nesting exceeds " + std::to_string(kJsonDepthMax) + " levels"));
    }
    if (!stack_.empty() && stack_.back().value.is_object() && !stack_.back().key) {
      return Fail(BadRequest("YAML mapping keys must be scalars"));
    }
    if (Spend(1, 0)) stack_.push_back(Frame{std::move(container), anchor});
  }

  void Close() {
    if (!ok()) return;
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    Add(std::move(f.value), f.anchor, f.nodes, f.bytes, nullptr);
  }

  // A finished node: into its parent (as a key, a value or an item) or as the document.
  // `text` is a scalar's text as written; null for other nodes.
  void Add(Json v, YAML::anchor_t anchor, size_t nodes, size_t bytes, const std::string* text) {
    if (anchor != 0) {
      anchors_[anchor] = Anchored{v, nodes, bytes, text != nullptr, text ? *text : std::string()};
    }
    if (stack_.empty()) {
      document_ = std::move(v);
      return;
    }
    Frame& parent = stack_.back();
    parent.nodes += nodes;
    parent.bytes += bytes;
    if (parent.value.is_array()) {
      parent.value.push_back(std::move(v));
    } else if (!parent.key) {
      // Keys are the scalar's text as written ("1: x" has the key "1").
      if (text == nullptr) return Fail(BadRequest("YAML mapping keys must be scalars"));
      parent.key = *text;
    } else {
      parent.value[*parent.key] = std::move(v);
      parent.key.reset();
    }
  }

  size_t nodes_left_;
  size_t bytes_left_;
  Status status_ = Status::Ok();
  YAML::Mark document_start_;
  Json document_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, Anchored> anchors_;
};

// YAML's printable set (c-printable): what a stream may hold unescaped.
bool Printable(char32_t cp) {
  return cp == 0x09 || cp == 0x0a || cp == 0x0d || (cp >= 0x20 && cp <= 0x7e) || cp == 0x85 ||
         (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
         (cp >= 0x10000 && cp <= 0x10ffff);
}

// "00A0", "1F600": a code point as U+ notation writes it.
std::string CodePointHex(char32_t cp) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (int d = cp > 0xffff ? 5 : 3; d >= 0; --d) out += kHex[(cp >> (4 * d)) & 0xf];
  return out;
}

// Code points a writer escapes: those outside the printable set, the byte order mark, and
// those YAML 1.1 reads as line breaks (NEL, LS, PS), which would split a scalar.
bool NeedsEscape(char32_t cp) {
  return !Printable(cp) || cp == 0x85 || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff;
}

// Whether `s` holds only code points a plain or block scalar can carry raw (and newlines
// where `newlines` allows them).
bool RawWritable(std::string_view s, bool newlines) {
  for (size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const size_t n = DecodeUtf8(s, i, cp);
    if (n == 0 || NeedsEscape(cp) || cp == '\r' || cp == '\t') return false;
    if (cp == '\n' && !newlines) return false;
    i += n;
  }
  return true;
}

// Whether `s` can be written as a plain (unquoted) scalar and read back as the same string.
bool PlainSafe(const std::string& s) {
  if (s.empty()) return false;
  if (!ResolvePlainScalar(s).is_string()) return false;
  // Characters that start YAML syntax.
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string_view::npos) {
    return false;
  }
  if (std::isspace(static_cast<unsigned char>(s.front())) ||
      std::isspace(static_cast<unsigned char>(s.back())) || s.back() == ':') {
    return false;
  }
  // Document markers, when a scalar document starts the line with them.
  if (s.starts_with("---") || s.starts_with("...")) return false;
  if (s.find(": ") != std::string::npos || s.find(":\t") != std::string::npos ||
      s.find(" #") != std::string::npos || s.find("\t#") != std::string::npos) {
    return false;
  }
  return RawWritable(s, false);
}

// Whether a multi-line `s` reads back unchanged from a literal block scalar ("|" or "|-"):
// printable lines, no blanks that the block's indentation or chomping would eat.
bool LiteralSafe(const std::string& s) {
  if (s.find('\n') == std::string::npos || !RawWritable(s, true)) return false;
  if (s.front() == ' ' || s.front() == '\n') return false;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] == ' ' && s[i + 1] == '\n') return false;
  }
  if (s.back() == ' ') return false;
  // One trailing newline is "|", none is "|-"; more would need "|+".
  return !(s.size() >= 2 && s[s.size() - 1] == '\n' && s[s.size() - 2] == '\n');
}

void AppendDoubleQuoted(std::string& out, const std::string& s) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
      ++i;
      continue;
    }
    if (c == '\n' || c == '\t' || c == '\r') {
      out += c == '\n' ? "\\n" : c == '\t' ? "\\t" : "\\r";
      ++i;
      continue;
    }
    char32_t cp = 0;
    size_t n = DecodeUtf8(s, i, cp);
    if (n == 0) {  // not UTF-8 (the parser refuses such text; nothing reads back the same)
      out += c;
      ++i;
      continue;
    }
    if (NeedsEscape(cp)) {
      const int digits = cp <= 0xff ? 2 : cp <= 0xffff ? 4 : 8;
      out += digits == 2 ? "\\x" : digits == 4 ? "\\u" : "\\U";
      for (int d = digits - 1; d >= 0; --d) out += kHex[(cp >> (4 * d)) & 0xf];
    } else {
      out.append(s, i, n);
    }
    i += n;
  }
  out += '"';
}

void AppendKey(std::string& out, const std::string& k) {
  if (PlainSafe(k)) out += k;
  else AppendDoubleQuoted(out, k);
}

void AppendBlock(std::string& out, const Json& j, int indent, bool first_line_placed);

// Writes `j` as the value of a "key:" or "-" already in `out` (at indentation `indent`).
void AppendValue(std::string& out, const Json& j, int indent, bool after_dash) {
  const bool block = (j.is_object() || j.is_array()) && !j.empty();
  if (block) {
    // A mapping or sequence in a sequence starts on the dash's line.
    if (after_dash) {
      out += ' ';
      AppendBlock(out, j, indent + 2, true);
    } else {
      out += '\n';
      AppendBlock(out, j, indent + 2, false);
    }
    return;
  }
  out += ' ';
  switch (j.type()) {
    case Json::value_t::null: out += "null"; break;
    case Json::value_t::boolean: out += j.get<bool>() ? "true" : "false"; break;
    case Json::value_t::number_integer: out += std::to_string(j.get<int64_t>()); break;
    case Json::value_t::number_unsigned: out += std::to_string(j.get<uint64_t>()); break;
    case Json::value_t::number_float: {
      const double d = j.get<double>();
      if (std::isnan(d)) out += ".nan";
      else if (std::isinf(d)) out += d > 0 ? ".inf" : "-.inf";
      else out += DumpJson(j);
      break;
    }
    case Json::value_t::string: {
      const auto& s = j.get_ref<const std::string&>();
      if (LiteralSafe(s)) {
        out += s.back() == '\n' ? "|\n" : "|-\n";
        size_t begin = 0;
        while (begin < s.size()) {
          size_t end = s.find('\n', begin);
          if (end == std::string::npos) end = s.size();
          if (end > begin) out.append(static_cast<size_t>(indent + 2), ' ');
          out.append(s, begin, end - begin);
          out += '\n';
          begin = end + 1;
        }
        return;  // the block ends its own last line
      }
      if (PlainSafe(s)) out += s;
      else AppendDoubleQuoted(out, s);
      break;
    }
    case Json::value_t::array: out += "[]"; break;
    case Json::value_t::object: out += "{}"; break;
    default: out += "null";
  }
  out += '\n';
}

// A non-empty mapping or sequence at `indent`; when `first_line_placed`, the cursor already
// sits where its first entry goes (after a sequence dash).
void AppendBlock(std::string& out, const Json& j, int indent, bool first_line_placed) {
  bool first = true;
  auto line_start = [&] {
    if (!(first && first_line_placed)) out.append(static_cast<size_t>(indent), ' ');
    first = false;
  };
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      line_start();
      AppendKey(out, k);
      out += ':';
      AppendValue(out, v, indent, false);
    }
  } else {
    for (const Json& v : j) {
      line_start();
      out += '-';
      AppendValue(out, v, indent, true);
    }
  }
}

}  // namespace

Result<std::vector<Json>> ParseYamlDocuments(std::string_view text) {
  // A YAML stream is printable Unicode; go-yaml refuses anything else too ("invalid leading
  // UTF-8 octet", "control characters are not allowed").
  for (size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const size_t n = DecodeUtf8(text, i, cp);
    if (n == 0) return BadRequest("invalid YAML: invalid UTF-8 at byte " + std::to_string(i));
    if (!Printable(cp)) {
      return BadRequest("invalid YAML: control characters are not allowed (U+" +
                        CodePointHex(cp) + " at byte " + std::to_string(i) + ")");
    }
    i += n;
  }
  std::vector<Json> out;
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    JsonBuilder builder(text.size());
    std::optional<YAML::Mark> previous_start;
    while (parser.HandleNextDocument(builder)) {
      KT_RETURN_IF_ERROR(builder.status());
      // yaml-cpp 0.7 can hand out the same empty document forever (",\n"): a document that
      // starts where the last one did means the parser is stuck on a token it cannot use.
      const YAML::Mark start = builder.document_start();
      if (previous_start && previous_start->pos == start.pos) {
        return BadRequest("invalid YAML: line " + std::to_string(start.line + 1) + ", column " +
                          std::to_string(start.column + 1) +
                          ": did not find expected node content");
      }
      previous_start = start;
      Json doc = builder.TakeDocument();
      if (!doc.is_null()) out.push_back(std::move(doc));
    }
  } catch (const YAML::Exception& e) {
    return BadRequest("invalid YAML: line " + std::to_string(e.mark.line + 1) + ", column " +
                      std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const std::exception& e) {
    return BadRequest(std::string("invalid YAML: ") + e.what());
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
  std::string out;
  if ((j.is_object() || j.is_array()) && !j.empty()) {
    AppendBlock(out, j, 0, false);
    return out;
  }
  // A scalar document: AppendValue writes the blank that follows a key; it is dropped.
  AppendValue(out, j, 0, false);
  return out.substr(1);
}

}  // namespace kt
