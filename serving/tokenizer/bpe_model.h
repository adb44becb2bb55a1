// BpeModel: byte-pair encoding with ranked merges (the "BPE" model of tokenizer.json).
//
// A word (one pre-token, already normalized and, for byte-level BPE, byte-mapped) starts as its
// characters; the adjacent pair with the lowest merge rank is merged repeatedly (leftmost first
// on ties) until no ranked pair remains; each resulting symbol becomes its vocabulary id.
// A symbol missing from the vocabulary becomes its bytes' "<0xXX>" tokens with byte_fallback,
// else the unk token (consecutive unks fused with fuse_unk). With ignore_merges, a word that
// is itself in the vocabulary is emitted whole (Llama-3).
//
// Merging uses a heap over a linked list of symbols, O(n log n) per word, so a whole Llama-2
// prompt (which has no pre-tokenizer) is one word without quadratic cost.
//
// Immutable after construction; thread-safe.
#ifndef KT_SERVING_TOKENIZER_BPE_MODEL_H_
#define KT_SERVING_TOKENIZER_BPE_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kt::serving {

struct BpeOptions {
  bool byte_fallback = false;
  bool ignore_merges = false;
  bool fuse_unk = false;
  std::optional<int32_t> unk_id;
};

class BpeModel {
 public:
  // merges: pairs of symbol strings in rank order (rank 0 merges first). A merge whose parts or
  // result is not in the vocabulary is skipped.
  BpeModel(std::unordered_map<std::string, int32_t> vocab,
           const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions options);

  // Appends the ids of `word` to `out`.
  void EncodeWord(std::string_view word, std::vector<int32_t>& out) const;

  std::optional<int32_t> Find(std::string_view symbol) const;
  size_t vocab_size() const { return vocab_.size(); }
  size_t num_merges() const { return ranks_.size(); }

 private:
  struct PairHash {
    size_t operator()(const std::pair<int32_t, int32_t>& p) const {
      return std::hash<uint64_t>()((static_cast<uint64_t>(static_cast<uint32_t>(p.first)) << 32) |
                                   static_cast<uint32_t>(p.second));
    }
  };
  struct Merge {
    int32_t rank;
    int32_t result;
  };

  std::unordered_map<std::string, int32_t> vocab_;
  std::unordered_map<std::pair<int32_t, int32_t>, Merge, PairHash> ranks_;
  std::vector<int32_t> byte_ids_;  // "<0xXX>" ids for byte fallback, -1 when absent
  BpeOptions options_;
};

}  // namespace kt::serving

#endif  // KT_SERVING_TOKENIZER_BPE_MODEL_H_
