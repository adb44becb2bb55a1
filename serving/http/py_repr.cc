#include "serving/http/py_repr.h"

#include <cstdio>

#include "serving/tokenizer/utf8.h"

namespace kt::serving {

namespace {
// Python's str.isprintable() for the characters that occur in practice: everything but
// control characters (C0, DEL, C1), line/paragraph separators and a few format characters.
bool Printable(char32_t c) {
  if (c < 0x20 || (c >= 0x7F && c < 0xA0)) return false;
  if (c == 0xAD || c == 0x2028 || c == 0x2029 || (c >= 0x200B && c <= 0x200F) ||
      (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) || c == 0xFEFF) {
    return false;
  }
  if (c >= 0xD800 && c <= 0xDFFF) return false;
  return true;
}
}  // namespace

std::string PyReprStr(std::string_view s) {
  const bool has_single = s.find('\'') != std::string_view::npos;
  const bool has_double = s.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (const Utf8Char& ch : DecodeUtf8(s)) {
    char32_t c = ch.cp;
    if (c == '\\') {
      out += "\\\\";
    } else if (c == static_cast<char32_t>(quote)) {
      out += '\\';
      out += quote;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (!Printable(c)) {
      char buf[16];
      if (c < 0x100) {
        std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
      } else if (c < 0x10000) {
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      } else {
        std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(c));
      }
      out += buf;
    } else {
      AppendUtf8(c, out);
    }
  }
  out += quote;
  return out;
}

std::string PyReprMessage(std::string_view role, std::string_view content) {
  return "{'role': " + PyReprStr(role) + ", 'content': " + PyReprStr(content) + "}";
}

}  // namespace kt::serving
