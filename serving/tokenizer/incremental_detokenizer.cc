#include "serving/tokenizer/incremental_detokenizer.h"

#include "serving/tokenizer/utf8.h"

namespace kt::serving {

namespace {
bool EndsWithReplacement(const std::string& s) {
  static const std::string kRep = EncodeUtf8(kReplacementChar);
  return s.size() >= kRep.size() && s.compare(s.size() - kRep.size(), kRep.size(), kRep) == 0;
}
}  // namespace

IncrementalDetokenizer::IncrementalDetokenizer(const Tokenizer* tokenizer,
                                               std::span<const int32_t> prompt_tail,
                                               bool skip_special_tokens)
    : tokenizer_(tokenizer), skip_special_(skip_special_tokens) {
  size_t n = std::min(prompt_tail.size(), kContextTokens);
  tokens_.assign(prompt_tail.end() - static_cast<std::ptrdiff_t>(n), prompt_tail.end());
  prefix_offset_ = 0;
  read_offset_ = tokens_.size();
}

std::string IncrementalDetokenizer::Push(int32_t id) {
  tokens_.push_back(id);
  std::span<const int32_t> all(tokens_);
  std::string prefix = tokenizer_->Decode(all.subspan(prefix_offset_, read_offset_ - prefix_offset_),
                                          skip_special_);
  std::string full = tokenizer_->Decode(all.subspan(prefix_offset_), skip_special_);
  if (full.size() <= prefix.size() || EndsWithReplacement(full) ||
      full.compare(0, prefix.size(), prefix) != 0) {
    if (full.size() > prefix.size() && !EndsWithReplacement(full)) {
      // The context decoded differently once extended (rare normalizer effects): emit the
      // tail past the common prefix rather than lose text.
      size_t common = 0;
      while (common < prefix.size() && prefix[common] == full[common]) ++common;
      std::string delta = full.substr(common);
      // Keep the window small: restart the context at the read position.
      prefix_offset_ = read_offset_;
      read_offset_ = tokens_.size();
      return delta;
    }
    return "";
  }
  std::string delta = full.substr(prefix.size());
  prefix_offset_ = read_offset_;
  read_offset_ = tokens_.size();
  // Drop tokens no longer needed as context.
  if (prefix_offset_ > 64) {
    tokens_.erase(tokens_.begin(), tokens_.begin() + static_cast<std::ptrdiff_t>(prefix_offset_));
    read_offset_ -= prefix_offset_;
    prefix_offset_ = 0;
  }
  return delta;
}

std::string IncrementalDetokenizer::Flush() {
  if (read_offset_ >= tokens_.size()) return "";
  std::span<const int32_t> all(tokens_);
  std::string prefix = tokenizer_->Decode(all.subspan(prefix_offset_, read_offset_ - prefix_offset_),
                                          skip_special_);
  std::string full = tokenizer_->Decode(all.subspan(prefix_offset_), skip_special_);
  read_offset_ = tokens_.size();
  prefix_offset_ = read_offset_;
  if (full.size() > prefix.size() && full.compare(0, prefix.size(), prefix) == 0) {
    return full.substr(prefix.size());
  }
  return "";
}

}  // namespace kt::serving
