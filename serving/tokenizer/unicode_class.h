// Unicode character classes the pre-tokenizer regexes use (\p{L}, \p{N}, \s), from ICU's
// character database, plus NFC/NFKC normalization for tokenizer.json normalizers.
// Pure functions; thread-safe.
#ifndef KT_SERVING_TOKENIZER_UNICODE_CLASS_H_
#define KT_SERVING_TOKENIZER_UNICODE_CLASS_H_

#include <string>
#include <string_view>

#include "base/status.h"

namespace kt::serving {

bool IsLetter(char32_t c);      // general category L*
bool IsNumber(char32_t c);      // general category N*
bool IsWhitespace(char32_t c);  // White_Space property

enum class NormalizationForm { kNfc, kNfd, kNfkc, kNfkd };
// Invalid UTF-8 is replaced by U+FFFD first.
Result<std::string> Normalize(std::string_view text, NormalizationForm form);

}  // namespace kt::serving

#endif  // KT_SERVING_TOKENIZER_UNICODE_CLASS_H_
