// IncrementalDetokenizer: turns a stream of generated token ids into text deltas whose
// concatenation equals decoding all the generated tokens at once.
//
// Decoding one token at a time is wrong for two reasons: SentencePiece-style tokenizers drop
// the leading space of the first piece they decode, and a multi-byte character may be split
// over several byte tokens. So each step decodes a short window (a few tokens of context plus
// the unread ones) and emits the part past what the context decodes to, holding text back
// while it ends in an incomplete character (U+FFFD), as vLLM does.
//
// Not thread-safe (one per sequence).
#ifndef KT_SERVING_TOKENIZER_INCREMENTAL_DETOKENIZER_H_
#define KT_SERVING_TOKENIZER_INCREMENTAL_DETOKENIZER_H_

#include <span>
#include <string>
#include <vector>

#include "serving/tokenizer/tokenizer.h"

namespace kt::serving {

class IncrementalDetokenizer {
 public:
  // `prompt_tail`: the last few prompt tokens (context for the first generated ones).
  IncrementalDetokenizer(const Tokenizer* tokenizer, std::span<const int32_t> prompt_tail,
                         bool skip_special_tokens);

  // Adds a token; returns the newly decodable text (often empty for partial characters).
  std::string Push(int32_t id);
  // Whatever is still held back (an incomplete character at the end), decoded with U+FFFD.
  std::string Flush();

 private:
  static constexpr size_t kContextTokens = 5;
  const Tokenizer* tokenizer_;
  bool skip_special_;
  std::vector<int32_t> tokens_;  // window: context + unread
  size_t prefix_offset_ = 0;
  size_t read_offset_ = 0;
};

}  // namespace kt::serving

#endif  // KT_SERVING_TOKENIZER_INCREMENTAL_DETOKENIZER_H_
