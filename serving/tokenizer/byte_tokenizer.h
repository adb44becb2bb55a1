// ByteTokenizer: a synthetic vocabulary for random-weight models that ship no tokenizer files.
//
// Layout (SentencePiece byte-fallback style): ids 0..2 are control ids, 3 + b is the byte b,
// and the preset's special tokens keep their ids (e.g. Phi-3's <|user|> = 32010). Encoding
// writes UTF-8 bytes; decoding writes bytes back, so text round-trips exactly. Every other id
// (a random model samples them) decodes to one printable ASCII character, (id - 259) % 95 + 32,
// so generated text is visible rather than empty.
//
// Immutable; thread-safe.
#ifndef KT_SERVING_TOKENIZER_BYTE_TOKENIZER_H_
#define KT_SERVING_TOKENIZER_BYTE_TOKENIZER_H_

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "serving/tokenizer/added_tokens.h"
#include "serving/tokenizer/tokenizer.h"

namespace kt::serving {

class ByteTokenizer final : public Tokenizer {
 public:
  static constexpr int32_t kFirstByteId = 3;
  static constexpr int32_t kBytesEnd = kFirstByteId + 256;

  // REQUIRES: vocab_size >= kBytesEnd; special ids < vocab_size.
  ByteTokenizer(int32_t vocab_size, const std::map<std::string, int64_t>& special_tokens,
                std::optional<int32_t> bos, std::optional<int32_t> eos);

  std::vector<int32_t> Encode(std::string_view text, bool add_special_tokens) const override;
  std::string DecodeBytes(std::span<const int32_t> ids, bool skip_special_tokens) const override;
  int32_t vocab_size() const override { return vocab_size_; }
  bool IsSpecial(int32_t id) const override;
  std::optional<int32_t> TokenId(std::string_view piece) const override;
  std::optional<int32_t> bos_id() const override { return bos_; }
  std::optional<int32_t> eos_id() const override { return eos_; }
  std::string_view kind() const override { return "bytes"; }

 private:
  int32_t vocab_size_;
  AddedTokens specials_;
  std::optional<int32_t> bos_, eos_;
};

}  // namespace kt::serving

#endif  // KT_SERVING_TOKENIZER_BYTE_TOKENIZER_H_
