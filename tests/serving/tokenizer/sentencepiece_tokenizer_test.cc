// The SentencePiece tokenizer on a model trained here (libsentencepiece's trainer, BPE with
// byte fallback): it encodes as SentencePiece does, prepends BOS on request, splits added
// tokens (Phi-3-style <|user|>) out before SentencePiece sees the text, and decodes back.
#include "serving/tokenizer/sentencepiece_tokenizer.h"

#include <gtest/gtest.h>
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <fstream>

#include "tests/serving/testing/test_models.h"

namespace kt::serving {
namespace {

class SentencePieceTokenizerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    std::ofstream corpus(dir_->Sub("corpus.txt"));
    const char* lines[] = {"the quick brown fox jumps over the lazy dog",
                           "a stitch in time saves nine", "all that glitters is not gold",
                           "the early bird catches the worm", "actions speak louder than words"};
    for (int i = 0; i < 200; ++i) corpus << lines[i % 5] << " " << i << "\n";
    corpus.close();
    auto st = sentencepiece::SentencePieceTrainer::Train(
        "--input=" + dir_->Sub("corpus.txt") + " --model_prefix=" + dir_->Sub("sp") +
        " --vocab_size=300 --model_type=bpe --byte_fallback=true --minloglevel=2");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  static void TearDownTestSuite() { delete dir_; }
  static testing::TempDir* dir_;
};
testing::TempDir* SentencePieceTokenizerTest::dir_ = nullptr;

TEST_F(SentencePieceTokenizerTest, EncodesLikeSentencePieceWithBos) {
  auto t = SentencePieceTokenizer::Load(dir_->Sub("sp.model"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  sentencepiece::SentencePieceProcessor sp;
  ASSERT_TRUE(sp.Load(dir_->Sub("sp.model")).ok());
  for (const char* s : {"the quick brown fox", "zebra 😀 ünïcode", "  spaced  out "}) {
    std::vector<int> want;
    ASSERT_TRUE(sp.Encode(s, &want).ok());
    std::vector<int32_t> got = t.value()->Encode(s, false);
    EXPECT_EQ(got, std::vector<int32_t>(want.begin(), want.end())) << s;
    std::vector<int32_t> with_bos = t.value()->Encode(s, true);
    EXPECT_EQ(with_bos.front(), sp.bos_id());
    std::string decoded;
    ASSERT_TRUE(sp.Decode(want, &decoded).ok());
    EXPECT_EQ(t.value()->Decode(got, true), decoded);
  }
}

TEST_F(SentencePieceTokenizerTest, AddedTokensAreSplitOut) {
  auto t = SentencePieceTokenizer::Load(dir_->Sub("sp.model"),
                                        {{"<|user|>", 310, true, false, false},
                                         {"<|end|>", 307, true, false, false}});
  ASSERT_TRUE(t.ok());
  std::vector<int32_t> ids = t.value()->Encode("<|user|>\nthe dog<|end|>", false);
  EXPECT_EQ(ids.front(), 310);
  EXPECT_EQ(ids.back(), 307);
  EXPECT_EQ(t.value()->vocab_size(), 311);
  // SentencePiece normalizes the newline to the word-boundary space, which decoding strips
  // at the start of a segment (as transformers' slow tokenizer does).
  EXPECT_EQ(t.value()->Decode(ids, false), "<|user|>the dog<|end|>");
  EXPECT_EQ(t.value()->Decode(ids, true), "the dog");
}

TEST_F(SentencePieceTokenizerTest, MissingModelIsInvalid) {
  EXPECT_FALSE(SentencePieceTokenizer::Load(dir_->Sub("nope.model")).ok());
}

}  // namespace
}  // namespace kt::serving
