// BPE merging: the lowest-ranked adjacent pair merges first, leftmost first on ties; missing
// characters fall back to <0xXX> byte tokens (byte_fallback) or one fused unk; ignore_merges
// emits whole in-vocabulary words directly; long inputs merge in one pass without blowing up.
#include "serving/tokenizer/bpe_model.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace kt::serving {
namespace {

std::unordered_map<std::string, int32_t> Vocab(std::vector<std::string> pieces) {
  std::unordered_map<std::string, int32_t> v;
  for (size_t i = 0; i < pieces.size(); ++i) v[pieces[i]] = static_cast<int32_t>(i);
  return v;
}

std::vector<int32_t> Encode(const BpeModel& m, std::string_view w) {
  std::vector<int32_t> out;
  m.EncodeWord(w, out);
  return out;
}

TEST(BpeModelTest, LowestRankMergesFirstLeftmostOnTies) {
  //            0    1    2    3     4     5
  auto v = Vocab({"a", "b", "c", "ab", "bc", "abc"});
  BpeModel m(v, {{"b", "c"}, {"a", "b"}, {"a", "bc"}}, {});
  EXPECT_EQ(Encode(m, "abc"), (std::vector<int32_t>{5}));  // bc first, then a+bc
  EXPECT_EQ(Encode(m, "ab"), (std::vector<int32_t>{3}));
  BpeModel aa(Vocab({"a", "aa"}), {{"a", "a"}}, {});
  EXPECT_EQ(Encode(aa, "aaa"), (std::vector<int32_t>{1, 0}));  // leftmost pair merges
}

TEST(BpeModelTest, ByteFallbackAndUnk) {
  std::vector<std::string> pieces = {"<unk>", "a"};
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    pieces.push_back(name);
  }
  auto v = Vocab(pieces);
  BpeModel fb(v, {}, {.byte_fallback = true, .unk_id = 0});
  // "é" is C3 A9 -> ids 2 + 0xC3, 2 + 0xA9
  EXPECT_EQ(Encode(fb, "aé"), (std::vector<int32_t>{1, 2 + 0xC3, 2 + 0xA9}));
  BpeModel unk(Vocab({"<unk>", "a"}), {}, {.fuse_unk = true, .unk_id = 0});
  EXPECT_EQ(Encode(unk, "xxa"), (std::vector<int32_t>{0, 1}));
}

TEST(BpeModelTest, IgnoreMergesEmitsKnownWordsWhole) {
  // "abc" is in the vocabulary but no merge chain builds it.
  auto v = Vocab({"a", "b", "c", "abc"});
  BpeModel plain(v, {}, {});
  BpeModel whole(v, {}, {.ignore_merges = true});
  EXPECT_EQ(Encode(plain, "abc"), (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(Encode(whole, "abc"), (std::vector<int32_t>{3}));
}

TEST(BpeModelTest, LongWordsMergeCompletely) {
  BpeModel m(Vocab({"a", "aa", "aaaa"}), {{"a", "a"}, {"aa", "aa"}}, {});
  std::vector<int32_t> out = Encode(m, std::string(100000, 'a'));
  EXPECT_EQ(out.size(), 25000u);
}

}  // namespace
}  // namespace kt::serving
