// The hand-written pre-tokenizer regexes cut text exactly as the regex engines of `tokenizers`
// do: GPT-2's pattern (optional leading space on letters, numbers and punctuation runs;
// whitespace runs give their last space to the next word), Llama-3's cl100k pattern
// (case-insensitive contractions, numbers in groups of at most three, newline runs) and
// Qwen2's (single digits); the pieces always concatenate back to the input.
#include "serving/tokenizer/split_pattern.h"

#include <gtest/gtest.h>

namespace kt::serving {
namespace {

std::vector<std::string> Split(SplitPattern p, std::string_view s) {
  std::vector<std::string> out;
  for (std::string_view v : SplitWithPattern(p, s)) out.emplace_back(v);
  return out;
}

using V = std::vector<std::string>;

TEST(SplitPatternTest, Gpt2) {
  EXPECT_EQ(Split(SplitPattern::kGpt2, "Hello world's  test 123"),
            (V{"Hello", " world", "'s", " ", " test", " 123"}));
  EXPECT_EQ(Split(SplitPattern::kGpt2, "a\n\nb  "), (V{"a", "\n", "\n", "b", "  "}));
  EXPECT_EQ(Split(SplitPattern::kGpt2, "naïve café!?"), (V{"naïve", " café", "!?"}));
  EXPECT_EQ(Split(SplitPattern::kGpt2, "DON'T"), (V{"DON", "'", "T"}));
}

TEST(SplitPatternTest, Cl100k) {
  EXPECT_EQ(Split(SplitPattern::kCl100k, "Hello world's  test 12345\n\nok"),
            (V{"Hello", " world", "'s", " ", " test", " ", "123", "45", "\n\n", "ok"}));
  EXPECT_EQ(Split(SplitPattern::kCl100k, "DON'T"), (V{"DON", "'T"}));
  EXPECT_EQ(Split(SplitPattern::kCl100k, "x = (y);\n  z"), (V{"x", " =", " (", "y", ");\n", " ", " z"}));
  EXPECT_EQ(Split(SplitPattern::kCl100k, "\"quoted\""), (V{"\"quoted", "\""}));
}

TEST(SplitPatternTest, Qwen2SplitsDigitsOneByOne) {
  EXPECT_EQ(Split(SplitPattern::kQwen2, "abc 2024"), (V{"abc", " ", "2", "0", "2", "4"}));
}

TEST(SplitPatternTest, PiecesConcatenateToTheInput) {
  const std::string text = "Mixed 文字 and émojis 😀😀 with\ttabs\r\n and 123456 numbers's.";
  for (SplitPattern p : {SplitPattern::kGpt2, SplitPattern::kCl100k, SplitPattern::kQwen2}) {
    std::string joined;
    for (const std::string& s : Split(p, text)) joined += s;
    EXPECT_EQ(joined, text);
  }
}

TEST(SplitPatternTest, RecognizesTheKnownRegexStringsOnly) {
  EXPECT_EQ(RecognizeSplitPattern(
                R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)"),
            SplitPattern::kGpt2);
  EXPECT_FALSE(RecognizeSplitPattern("\\w+").has_value());
}

}  // namespace
}  // namespace kt::serving
