// SentencePieceTokenizer: a SentencePiece model (tokenizer.model) run by Debian's
// libsentencepiece, plus added tokens (Phi-3's <|user|> ... which are not in the .model file)
// split out before SentencePiece sees the text, and BOS framing.
//
// Each plain segment gets SentencePiece's dummy-prefix space, as transformers' slow
// LlamaTokenizer (legacy mode) does. Immutable after Load; thread-safe (the processor's
// Encode/Decode are const and reentrant).
#ifndef KT_SERVING_TOKENIZER_SENTENCEPIECE_TOKENIZER_H_
#define KT_SERVING_TOKENIZER_SENTENCEPIECE_TOKENIZER_H_

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "serving/tokenizer/added_tokens.h"
#include "serving/tokenizer/tokenizer.h"

namespace sentencepiece {
class SentencePieceProcessor;
}  // namespace sentencepiece

namespace kt::serving {

class SentencePieceTokenizer final : public Tokenizer {
 public:
  // `added`: tokens with ids at or past the model's pieces (or overriding pieces).
  static Result<std::unique_ptr<SentencePieceTokenizer>> Load(const std::string& model_path,
                                                              std::vector<AddedToken> added = {},
                                                              bool add_bos = true);
  ~SentencePieceTokenizer() override;

  std::vector<int32_t> Encode(std::string_view text, bool add_special_tokens) const override;
  std::string DecodeBytes(std::span<const int32_t> ids, bool skip_special_tokens) const override;
  int32_t vocab_size() const override { return vocab_size_; }
  bool IsSpecial(int32_t id) const override;
  std::optional<int32_t> TokenId(std::string_view piece) const override;
  std::optional<int32_t> bos_id() const override;
  std::optional<int32_t> eos_id() const override;
  std::string_view kind() const override { return "sentencepiece"; }
  bool StripsLeadingSpace() const override { return true; }

 private:
  SentencePieceTokenizer();
  std::unique_ptr<sentencepiece::SentencePieceProcessor> sp_;
  AddedTokens added_;
  int32_t pieces_ = 0;
  int32_t vocab_size_ = 0;
  bool add_bos_ = true;
};

}  // namespace kt::serving

#endif  // KT_SERVING_TOKENIZER_SENTENCEPIECE_TOKENIZER_H_
