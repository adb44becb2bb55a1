#include "serving/tokenizer/split_pattern.h"

#include "serving/tokenizer/unicode_class.h"
#include "serving/tokenizer/utf8.h"

namespace kt::serving {

namespace {

constexpr std::string_view kGpt2Regex =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
constexpr std::string_view kCl100kRegex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kQwen2Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// Characters of the text with their classes, so each is classified once.
struct Chars {
  std::vector<Utf8Char> c;
  std::vector<uint8_t> cls;  // bit 0 letter, bit 1 number, bit 2 whitespace
  bool L(size_t i) const { return i < c.size() && (cls[i] & 1); }
  bool N(size_t i) const { return i < c.size() && (cls[i] & 2); }
  bool S(size_t i) const { return i < c.size() && (cls[i] & 4); }
  bool Is(size_t i, char32_t ch) const { return i < c.size() && c[i].cp == ch; }
  bool Newline(size_t i) const { return Is(i, '\r') || Is(i, '\n'); }
  // [^\s\p{L}\p{N}]
  bool Other(size_t i) const { return i < c.size() && (cls[i] & 7) == 0; }
};

char32_t Lower(char32_t c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

// Contractions: returns the match length in characters, or 0.
size_t MatchContraction(const Chars& t, size_t i, bool ignore_case) {
  if (!t.Is(i, '\'')) return 0;
  static const char* const kSuffixes[] = {"s", "t", "re", "ve", "m", "ll", "d"};
  for (const char* suf : kSuffixes) {
    size_t n = std::char_traits<char>::length(suf);
    bool ok = true;
    for (size_t k = 0; k < n; ++k) {
      if (i + 1 + k >= t.c.size()) {
        ok = false;
        break;
      }
      char32_t ch = t.c[i + 1 + k].cp;
      if (ignore_case) ch = Lower(ch);
      if (ch != static_cast<char32_t>(suf[k])) {
        ok = false;
        break;
      }
    }
    if (ok) return 1 + n;
  }
  return 0;
}

size_t RunWhile(const Chars& t, size_t i, bool (Chars::*pred)(size_t) const) {
  size_t j = i;
  while ((t.*pred)(j)) ++j;
  return j - i;
}

// \s+(?!\S) then \s+ : the whitespace alternatives shared by all patterns.
size_t MatchWhitespace(const Chars& t, size_t i) {
  size_t n = RunWhile(t, i, &Chars::S);
  if (n == 0) return 0;
  if (i + n == t.c.size()) return n;  // followed by end: (?!\S) holds
  if (n >= 2) return n - 1;           // backtrack one so a whitespace char follows
  return n;                            // \s+ fallback
}

size_t MatchGpt2(const Chars& t, size_t i) {
  if (size_t n = MatchContraction(t, i, false)) return n;
  size_t sp = t.Is(i, ' ') ? 1 : 0;
  // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: with the optional space taken when the
  // class follows it, else without (the class cannot start with a space anyway).
  for (auto pred : {&Chars::L, &Chars::N, &Chars::Other}) {
    if (size_t n = RunWhile(t, i + sp, pred)) return sp + n;
    if (sp) {
      if (size_t n = RunWhile(t, i, pred)) return n;
    }
  }
  return MatchWhitespace(t, i);
}

size_t MatchCl100k(const Chars& t, size_t i, size_t number_run_max) {
  if (size_t n = MatchContraction(t, i, true)) return n;
  // [^\r\n\p{L}\p{N}]?\p{L}+
  if (i < t.c.size() && !t.Newline(i) && !t.L(i) && !t.N(i)) {
    if (size_t n = RunWhile(t, i + 1, &Chars::L)) return 1 + n;
  }
  if (size_t n = RunWhile(t, i, &Chars::L)) return n;
  // \p{N}{1,number_run_max}
  if (size_t n = RunWhile(t, i, &Chars::N)) return std::min(n, number_run_max);
  //  ?[^\s\p{L}\p{N}]+[\r\n]*
  {
    size_t sp = t.Is(i, ' ') ? 1 : 0;
    size_t n = RunWhile(t, i + sp, &Chars::Other);
    if (n == 0 && sp) {
      sp = 0;
      n = RunWhile(t, i, &Chars::Other);
    }
    if (n > 0) {
      size_t j = i + sp + n;
      while (t.Newline(j)) ++j;
      return j - i;
    }
  }
  // \s*[\r\n]+ : ends after the last newline of the whitespace run.
  {
    size_t n = RunWhile(t, i, &Chars::S);
    for (size_t k = i + n; k > i; --k) {
      if (t.Newline(k - 1)) return k - i;
    }
  }
  return MatchWhitespace(t, i);
}

}  // namespace

std::optional<SplitPattern> RecognizeSplitPattern(std::string_view regex) {
  if (regex == kGpt2Regex) return SplitPattern::kGpt2;
  if (regex == kCl100kRegex) return SplitPattern::kCl100k;
  if (regex == kQwen2Regex) return SplitPattern::kQwen2;
  return std::nullopt;
}

std::vector<std::string_view> SplitWithPattern(SplitPattern p, std::string_view text) {
  Chars t;
  t.c = DecodeUtf8(text);
  t.cls.resize(t.c.size());
  for (size_t i = 0; i < t.c.size(); ++i) {
    char32_t cp = t.c[i].cp;
    t.cls[i] = static_cast<uint8_t>((IsLetter(cp) ? 1 : 0) | (IsNumber(cp) ? 2 : 0) |
                                    (IsWhitespace(cp) ? 4 : 0));
  }
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < t.c.size()) {
    size_t n = 0;
    switch (p) {
      case SplitPattern::kGpt2:
        n = MatchGpt2(t, i);
        break;
      case SplitPattern::kCl100k:
        n = MatchCl100k(t, i, 3);
        break;
      case SplitPattern::kQwen2:
        n = MatchCl100k(t, i, 1);
        break;
    }
    if (n == 0) n = 1;  // unreachable for these patterns; never loop forever
    size_t begin = t.c[i].offset;
    size_t end = i + n < t.c.size() ? t.c[i + n].offset : text.size();
    out.push_back(text.substr(begin, end - begin));
    i += n;
  }
  return out;
}

}  // namespace kt::serving
