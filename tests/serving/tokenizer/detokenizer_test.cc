// Streaming text: the incremental detokenizer's deltas add up to decoding all tokens at once,
// never emit a partial UTF-8 character (a 4-byte emoji split over byte tokens arrives whole),
// and keep the word spaces that SentencePiece-style decoders strip from a first piece. Also
// covers the byte tokenizer and the UTF-8 helpers the streaming relies on.
#include "serving/tokenizer/incremental_detokenizer.h"

#include <gtest/gtest.h>

#include "serving/tokenizer/byte_tokenizer.h"
#include "serving/tokenizer/utf8.h"

namespace kt::serving {
namespace {

TEST(Utf8Test, CompletePrefixAndSanitize) {
  const std::string smile = "\xF0\x9F\x98\x80";
  EXPECT_EQ(CompleteUtf8Prefix("ab" + smile.substr(0, 2)), 2u);
  EXPECT_EQ(CompleteUtf8Prefix("ab" + smile), 6u);
  EXPECT_EQ(CompleteUtf8Prefix("a\xC3"), 1u);
  EXPECT_TRUE(IsValidUtf8("héllo" + smile));
  EXPECT_FALSE(IsValidUtf8("a\xFF"));
  EXPECT_EQ(SanitizeUtf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF")) << "overlong";
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80")) << "surrogate";
}

TEST(ByteTokenizerTest, RoundTripsBytesAndKeepsSpecials) {
  ByteTokenizer t(384, {{"<s>", 1}, {"</s>", 2}, {"<|end|>", 307}}, 1, 2);
  std::vector<int32_t> ids = t.Encode("hé<|end|>", true);
  EXPECT_EQ(ids, (std::vector<int32_t>{1, 3 + 'h', 3 + 0xC3, 3 + 0xA9, 307}));
  EXPECT_EQ(t.Decode(ids, true), "hé");
  EXPECT_EQ(t.Decode(ids, false), "<s>hé<|end|>");
  EXPECT_EQ(t.Decode(std::vector<int32_t>{259, 260}, true), " !") << "ids past the bytes print";
  EXPECT_TRUE(t.IsSpecial(307));
}

TEST(IncrementalDetokenizerTest, DeltasAddUpAndNeverSplitACharacter) {
  ByteTokenizer t(384, {}, 1, 2);
  std::vector<int32_t> prompt = t.Encode("Q:", true);
  std::vector<int32_t> gen = t.Encode("a😀 é!", false);
  IncrementalDetokenizer d(&t, prompt, true);
  std::string all;
  for (int32_t id : gen) {
    std::string delta = d.Push(id);
    EXPECT_TRUE(IsValidUtf8(delta)) << "partial character streamed";
    all += delta;
  }
  all += d.Flush();
  EXPECT_EQ(all, "a😀 é!");
}

TEST(IncrementalDetokenizerTest, FlushReturnsATrailingPartialCharacterReplaced) {
  ByteTokenizer t(384, {}, 1, 2);
  IncrementalDetokenizer d(&t, {}, true);
  EXPECT_EQ(d.Push(3 + 0xF0), "");
  EXPECT_EQ(d.Flush(), "\xEF\xBF\xBD");
}

}  // namespace
}  // namespace kt::serving
