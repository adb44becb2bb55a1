// AddedTokens: tokens matched literally in the input before the model's algorithm runs
// (tokenizer.json "added_tokens", tokenizer_config.json "added_tokens_decoder", a preset's
// special tokens). Split() cuts text into plain segments and added-token hits, scanning left to
// right and preferring the longest token at each position. lstrip/rstrip let a token swallow
// the whitespace before/after it, as transformers does.
//
// Immutable after construction; thread-safe.
#ifndef KT_SERVING_TOKENIZER_ADDED_TOKENS_H_
#define KT_SERVING_TOKENIZER_ADDED_TOKENS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kt::serving {

struct AddedToken {
  std::string content;
  int32_t id = 0;
  bool special = true;
  bool lstrip = false;
  bool rstrip = false;
};

struct TextSegment {
  std::string_view text;  // plain text (id < 0) or the matched token's text
  int32_t id = -1;        // the added token's id, or -1 for plain text
};

class AddedTokens {
 public:
  AddedTokens() = default;
  explicit AddedTokens(std::vector<AddedToken> tokens);

  std::vector<TextSegment> Split(std::string_view text) const;
  const AddedToken* FindById(int32_t id) const;
  const AddedToken* FindByContent(std::string_view content) const;
  bool empty() const { return tokens_.empty(); }
  const std::vector<AddedToken>& tokens() const { return tokens_; }

 private:
  std::vector<AddedToken> tokens_;
  std::map<int32_t, size_t> by_id_;
  std::map<std::string, size_t, std::less<>> by_content_;
  // Tokens grouped by first byte, longest first, for the scan.
  std::vector<std::vector<size_t>> by_first_byte_;
};

}  // namespace kt::serving

#endif  // KT_SERVING_TOKENIZER_ADDED_TOKENS_H_
