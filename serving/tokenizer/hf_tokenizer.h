// HfTokenizer: a Hugging Face tokenizer.json with a BPE model, run the way the `tokenizers`
// library runs it: added tokens split out first; each remaining segment normalized
// (Sequence, Prepend, Replace with a literal pattern, NFC/NFD/NFKC/NFKD), pre-tokenized
// (Metaspace, ByteLevel with or without the GPT-2 regex, Split with a known regex, Sequence),
// encoded by BpeModel; then the post-processor's template adds BOS/EOS (TemplateProcessing,
// also inside a Sequence). Decoding runs the decoder chain (Replace, ByteFallback, Fuse,
// Strip, ByteLevel, Metaspace, Sequence).
//
// Covers the byte-fallback BPE of Llama-2 / Phi-3 / Mistral and the byte-level BPE of
// Llama-3 / Qwen2. Anything else in tokenizer.json (WordPiece, Unigram, an unknown regex or
// normalizer) is refused at load with Invalid naming it, never silently mis-tokenized.
//
// Immutable after Load; thread-safe.
#ifndef KT_SERVING_TOKENIZER_HF_TOKENIZER_H_
#define KT_SERVING_TOKENIZER_HF_TOKENIZER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/json_fwd.h"
#include "base/status.h"
#include "serving/tokenizer/added_tokens.h"
#include "serving/tokenizer/bpe_model.h"
#include "serving/tokenizer/split_pattern.h"
#include "serving/tokenizer/tokenizer.h"
#include "serving/tokenizer/unicode_class.h"

namespace kt::serving {

class HfTokenizer final : public Tokenizer {
 public:
  // `tokenizer_json`: the parsed file. `bos`/`eos`: token strings from tokenizer_config.json
  // (empty: taken from the post-processor template / not set).
  static Result<std::unique_ptr<HfTokenizer>> FromJson(const Json& tokenizer_json,
                                                       std::string_view bos_token = "",
                                                       std::string_view eos_token = "");

  std::vector<int32_t> Encode(std::string_view text, bool add_special_tokens) const override;
  std::string DecodeBytes(std::span<const int32_t> ids, bool skip_special_tokens) const override;
  int32_t vocab_size() const override { return vocab_size_; }
  bool IsSpecial(int32_t id) const override;
  std::optional<int32_t> TokenId(std::string_view piece) const override;
  std::optional<int32_t> bos_id() const override { return bos_; }
  std::optional<int32_t> eos_id() const override { return eos_; }
  std::string_view kind() const override { return "hf-bpe"; }
  bool StripsLeadingSpace() const override { return strips_leading_space_; }

  // Internal pipeline steps (public for the parser in hf_tokenizer.cc).
  struct NormalizerStep {
    enum Kind { kPrepend, kReplace, kUnicode } kind;
    std::string a, b;  // prepend text / replace pattern and content
    NormalizationForm form = NormalizationForm::kNfc;
  };
  struct PreTokenizerStep {
    enum Kind { kMetaspace, kByteLevel, kSplit } kind;
    std::string replacement;  // Metaspace
    enum class Prepend { kAlways, kFirst, kNever } prepend = Prepend::kAlways;
    bool split = false;             // Metaspace: split into words at the replacement char
    bool add_prefix_space = false;  // ByteLevel
    std::optional<SplitPattern> pattern;  // ByteLevel use_regex (GPT-2) or Split's regex
  };
  struct DecoderStep {
    enum Kind { kReplace, kByteFallback, kFuse, kStrip, kByteLevel, kMetaspace } kind;
    std::string a, b;
    int strip_start = 0, strip_stop = 0;
    bool metaspace_strip_first = true;
  };

 private:
  HfTokenizer() = default;
  void EncodeSegment(std::string_view text, bool at_input_start, std::vector<int32_t>& out) const;

  std::unique_ptr<BpeModel> bpe_;
  std::vector<std::string> id_to_piece_;  // vocabulary and added tokens by id ("" when unused)
  AddedTokens added_;
  std::vector<NormalizerStep> normalizers_;
  std::vector<PreTokenizerStep> pre_tokenizers_;
  std::vector<DecoderStep> decoders_;
  std::vector<int32_t> prefix_ids_, suffix_ids_;  // post-processor template around $A
  std::optional<int32_t> bos_, eos_;
  int32_t vocab_size_ = 0;
  bool strips_leading_space_ = false;
};

}  // namespace kt::serving

#endif  // KT_SERVING_TOKENIZER_HF_TOKENIZER_H_
