// Loading a model directory's tokenizer.
//
// LoadTokenizer(dir) prefers tokenizer.json (HfTokenizer) and falls back to tokenizer.model
// (SentencePieceTokenizer). tokenizer_config.json supplies bos_token/eos_token and
// "added_tokens_decoder"; added_tokens.json (older SentencePiece checkpoints such as Phi-3's)
// adds {content: id} tokens. NotFound when the directory holds neither tokenizer file.
// Thread-safe.
#ifndef KT_SERVING_TOKENIZER_TOKENIZER_LOADER_H_
#define KT_SERVING_TOKENIZER_TOKENIZER_LOADER_H_

#include <memory>
#include <string>

#include "base/status.h"
#include "serving/tokenizer/tokenizer.h"

namespace kt::serving {

Result<std::unique_ptr<Tokenizer>> LoadTokenizer(const std::string& dir);
// tokenizer.json given directly (no tokenizer_config.json).
Result<std::unique_ptr<Tokenizer>> LoadHfTokenizerFile(const std::string& path);

}  // namespace kt::serving

#endif  // KT_SERVING_TOKENIZER_TOKENIZER_LOADER_H_
