// SplitPattern: the pre-tokenizer regexes of byte-level BPE tokenizers, implemented by hand
// (C++ has no Unicode-class regex engine) and chosen by comparing tokenizer.json's pattern
// string with the known ones:
//
//   kGpt2    's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   kCl100k  (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//            ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+          (Llama-3)
//   kQwen2   the same with \p{N} instead of \p{N}{1,3}                     (Qwen2/2.5)
//
// Matching follows regex semantics exactly: at each position the first alternative that
// matches wins (with the backtracking each alternative implies), and the text is cut into
// the matches ("Isolated" behaviour; nothing is dropped since \s+ matches any leftover).
//
// Thread-safe (immutable).
#ifndef KT_SERVING_TOKENIZER_SPLIT_PATTERN_H_
#define KT_SERVING_TOKENIZER_SPLIT_PATTERN_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kt::serving {

enum class SplitPattern { kGpt2, kCl100k, kQwen2 };

// The pattern a tokenizer.json regex string denotes, if it is a known one.
std::optional<SplitPattern> RecognizeSplitPattern(std::string_view regex);
// Cuts `text` into consecutive pieces (their concatenation is `text`).
std::vector<std::string_view> SplitWithPattern(SplitPattern p, std::string_view text);

}  // namespace kt::serving

#endif  // KT_SERVING_TOKENIZER_SPLIT_PATTERN_H_
