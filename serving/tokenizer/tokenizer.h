// Tokenizer: text <-> token ids for a model. Implementations: HfTokenizer (tokenizer.json:
// byte-fallback BPE of Llama-2/Phi-3/Mistral and byte-level BPE of Llama-3/Qwen2),
// SentencePieceTokenizer (tokenizer.model, via Debian's libsentencepiece) and ByteTokenizer
// (a synthetic byte vocabulary for random-weight models without tokenizer files).
//
// Encode recognizes added/special tokens written in the text (chat templates render
// "<|user|>" as text), splitting them out before the model's own algorithm runs, as
// transformers' tokenizers do. Decode can skip special tokens; invalid UTF-8 from partial
// byte tokens decodes to U+FFFD (errors="replace").
//
// Implementations are immutable after loading; thread-safe.
#ifndef KT_SERVING_TOKENIZER_TOKENIZER_H_
#define KT_SERVING_TOKENIZER_TOKENIZER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kt::serving {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // `add_special_tokens`: the model's usual framing (BOS for Llama-2/Phi-3/Llama-3).
  virtual std::vector<int32_t> Encode(std::string_view text, bool add_special_tokens) const = 0;
  // Raw bytes of the tokens (may end inside a UTF-8 sequence); special tokens are left out
  // when `skip_special_tokens`.
  virtual std::string DecodeBytes(std::span<const int32_t> ids, bool skip_special_tokens) const = 0;
  // DecodeBytes with invalid UTF-8 replaced by U+FFFD.
  std::string Decode(std::span<const int32_t> ids, bool skip_special_tokens) const;

  // Number of ids the tokenizer can produce (highest id + 1).
  virtual int32_t vocab_size() const = 0;
  virtual bool IsSpecial(int32_t id) const = 0;
  // The id of a token written exactly as `piece` (added tokens and vocabulary entries).
  virtual std::optional<int32_t> TokenId(std::string_view piece) const = 0;
  virtual std::optional<int32_t> bos_id() const = 0;
  virtual std::optional<int32_t> eos_id() const = 0;
  virtual std::string_view kind() const = 0;  // "hf-bpe", "sentencepiece", "bytes"
  // Whether Decode of a piece sequence drops the leading space of the first piece (the
  // Metaspace/SentencePiece convention). Incremental detokenization needs to know.
  virtual bool StripsLeadingSpace() const { return false; }
};

}  // namespace kt::serving

#endif  // KT_SERVING_TOKENIZER_TOKENIZER_H_
