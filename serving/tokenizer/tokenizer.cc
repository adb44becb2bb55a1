#include "serving/tokenizer/tokenizer.h"

#include "serving/tokenizer/utf8.h"

namespace kt::serving {

std::string Tokenizer::Decode(std::span<const int32_t> ids, bool skip_special_tokens) const {
  return SanitizeUtf8(DecodeBytes(ids, skip_special_tokens));
}

}  // namespace kt::serving
