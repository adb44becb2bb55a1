#include "serving/tokenizer/unicode_class.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include "serving/tokenizer/utf8.h"

namespace kt::serving {

bool IsLetter(char32_t c) { return (U_GET_GC_MASK(static_cast<UChar32>(c)) & U_GC_L_MASK) != 0; }
bool IsNumber(char32_t c) { return (U_GET_GC_MASK(static_cast<UChar32>(c)) & U_GC_N_MASK) != 0; }
bool IsWhitespace(char32_t c) { return u_isUWhiteSpace(static_cast<UChar32>(c)) != 0; }

Result<std::string> Normalize(std::string_view text, NormalizationForm form) {
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* n = nullptr;
  switch (form) {
    case NormalizationForm::kNfc:
      n = icu::Normalizer2::getNFCInstance(err);
      break;
    case NormalizationForm::kNfd:
      n = icu::Normalizer2::getNFDInstance(err);
      break;
    case NormalizationForm::kNfkc:
      n = icu::Normalizer2::getNFKCInstance(err);
      break;
    case NormalizationForm::kNfkd:
      n = icu::Normalizer2::getNFKDInstance(err);
      break;
  }
  if (U_FAILURE(err) || n == nullptr) return Internal("ICU normalizer unavailable");
  std::string clean = SanitizeUtf8(text);
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(clean);
  icu::UnicodeString out = n->normalize(in, err);
  if (U_FAILURE(err)) return Internal(std::string("ICU normalization failed: ") + u_errorName(err));
  std::string result;
  out.toUTF8String(result);
  return result;
}

}  // namespace kt::serving
