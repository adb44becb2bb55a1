// UTF-8 helpers for tokenizers: walking code points (invalid bytes become single U+FFFD
// "characters" that keep their original byte), encoding, and finding the longest prefix of a
// byte string that ends on a character boundary (for streaming partial output).
//
// Pure functions; thread-safe.
#ifndef KT_SERVING_TOKENIZER_UTF8_H_
#define KT_SERVING_TOKENIZER_UTF8_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kt::serving {

inline constexpr char32_t kReplacementChar = 0xFFFD;

struct Utf8Char {
  char32_t cp;       // U+FFFD for an invalid sequence
  uint32_t offset;   // byte offset in the input
  uint32_t length;   // bytes (1 for an invalid byte)
};

// Decodes one character at `pos`. REQUIRES: pos < s.size().
Utf8Char DecodeUtf8At(std::string_view s, size_t pos);
std::vector<Utf8Char> DecodeUtf8(std::string_view s);
void AppendUtf8(char32_t cp, std::string& out);
std::string EncodeUtf8(char32_t cp);
// True when `s` is entirely valid UTF-8.
bool IsValidUtf8(std::string_view s);
// Length of the longest prefix of `s` that does not end inside an incomplete (but so far
// valid) multi-byte sequence; invalid bytes count as complete.
size_t CompleteUtf8Prefix(std::string_view s);
// Replaces invalid sequences with U+FFFD (what Python's errors="replace" gives).
std::string SanitizeUtf8(std::string_view s);

}  // namespace kt::serving

#endif  // KT_SERVING_TOKENIZER_UTF8_H_
