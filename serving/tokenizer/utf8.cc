#include "serving/tokenizer/utf8.h"

namespace kt::serving {

Utf8Char DecodeUtf8At(std::string_view s, size_t pos) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  unsigned char c = p[pos];
  Utf8Char bad{kReplacementChar, static_cast<uint32_t>(pos), 1};
  if (c < 0x80) return {c, static_cast<uint32_t>(pos), 1};
  int len;
  char32_t cp;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return bad;
  }
  if (pos + static_cast<size_t>(len) > n) return bad;
  for (int i = 1; i < len; ++i) {
    unsigned char cc = p[pos + static_cast<size_t>(i)];
    if ((cc & 0xC0) != 0x80) return bad;
    cp = (cp << 6) | (cc & 0x3F);
  }
  // Overlong forms, surrogates and out-of-range values are invalid.
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return bad;
  }
  return {cp, static_cast<uint32_t>(pos), static_cast<uint32_t>(len)};
}

std::vector<Utf8Char> DecodeUtf8(std::string_view s) {
  std::vector<Utf8Char> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    Utf8Char c = DecodeUtf8At(s, i);
    out.push_back(c);
    i += c.length;
  }
  return out;
}

void AppendUtf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string EncodeUtf8(char32_t cp) {
  std::string s;
  AppendUtf8(cp, s);
  return s;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    Utf8Char c = DecodeUtf8At(s, i);
    if (c.cp == kReplacementChar && c.length == 1 && static_cast<unsigned char>(s[i]) >= 0x80) {
      return false;
    }
    i += c.length;
  }
  return true;
}

size_t CompleteUtf8Prefix(std::string_view s) {
  // Look back at most 3 bytes for the start of a multi-byte sequence.
  size_t n = s.size();
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    unsigned char c = static_cast<unsigned char>(s[n - back]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte: keep looking
    int need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    if (need > static_cast<int>(back)) {
      // Incomplete so far; valid only if the bytes present are continuation bytes.
      return n - back;
    }
    return n;
  }
  return n;
}

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    Utf8Char c = DecodeUtf8At(s, i);
    if (c.cp == kReplacementChar && c.length == 1 && static_cast<unsigned char>(s[i]) >= 0x80) {
      AppendUtf8(kReplacementChar, out);
    } else {
      out.append(s.substr(i, c.length));
    }
    i += c.length;
  }
  return out;
}

}  // namespace kt::serving
