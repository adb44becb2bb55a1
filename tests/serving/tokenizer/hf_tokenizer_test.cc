// tokenizer.json pipelines: a Llama-2-style byte-fallback BPE (Prepend/Replace normalizer,
// TemplateProcessing BOS, Replace/ByteFallback/Fuse/Strip decoder) and a Llama-3-style
// byte-level BPE (cl100k Split + ByteLevel, ignore_merges) encode as `tokenizers` does:
// added tokens are split out first, each remaining segment is normalized on its own, BOS
// comes from the template; decoding reverses it exactly, multi-byte text included. Unknown
// components are refused at load with their name.
#include "serving/tokenizer/hf_tokenizer.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "base/json.h"
#include "serving/tokenizer/byte_level.h"

namespace kt::serving {
namespace {

const char* const kSpace = "\xE2\x96\x81";  // U+2581

// A small SentencePiece-BPE-like vocabulary: specials, bytes, "▁", letters, a few merges.
Json ByteFallbackJson() {
  Json vocab = Json::object();
  int id = 0;
  for (const char* s : {"<unk>", "<s>", "</s>"}) vocab[s] = id++;
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    vocab[name] = id++;
  }
  std::vector<std::string> pieces = {kSpace, "h", "i", "t", "e", "r", "o", "w", "l", "d"};
  for (const std::string& p : pieces) vocab[p] = id++;
  std::vector<std::pair<std::string, std::string>> merges = {
      {"h", "i"}, {kSpace, "hi"}, {"t", "h"}, {kSpace, "th"}, {"e", "r"}, {"er", "e"}, {kSpace + std::string("th"), "ere"}};
  Json m = Json::array();
  for (auto& [a, b] : merges) {
    vocab[a + b] = id++;
    m.push_back(a + " " + b);
  }
  return Json{
      {"added_tokens",
       {{{"id", 0}, {"content", "<unk>"}, {"special", true}},
        {{"id", 1}, {"content", "<s>"}, {"special", true}},
        {{"id", 2}, {"content", "</s>"}, {"special", true}},
        {{"id", id}, {"content", "<|user|>"}, {"special", true}, {"rstrip", true}}}},
      {"normalizer",
       {{"type", "Sequence"},
        {"normalizers",
         {{{"type", "Prepend"}, {"prepend", kSpace}},
          {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kSpace}}}}}},
      {"pre_tokenizer", nullptr},
      {"post_processor",
       {{"type", "TemplateProcessing"},
        {"single", {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                    {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
        {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}}}}}},
      {"decoder",
       {{"type", "Sequence"},
        {"decoders",
         {{{"type", "Replace"}, {"pattern", {{"String", kSpace}}}, {"content", " "}},
          {{"type", "ByteFallback"}},
          {{"type", "Fuse"}},
          {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}}},
      {"model",
       {{"type", "BPE"}, {"unk_token", "<unk>"}, {"byte_fallback", true}, {"fuse_unk", true},
        {"vocab", vocab}, {"merges", m}}}};
}

TEST(HfTokenizerTest, ByteFallbackBpeEncodesLikeTokenizers) {
  auto t = HfTokenizer::FromJson(ByteFallbackJson(), "<s>", "</s>");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const HfTokenizer& tok = *t.value();
  EXPECT_EQ(tok.bos_id(), 1);
  EXPECT_EQ(tok.eos_id(), 2);
  std::vector<int32_t> ids = tok.Encode("hi there", true);
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[0], 1);
  EXPECT_EQ(ids[1], *tok.TokenId(std::string(kSpace) + "hi"));
  EXPECT_EQ(ids[2], *tok.TokenId(std::string(kSpace) + "there"));
  EXPECT_EQ(tok.Decode(ids, true), "hi there");
  EXPECT_EQ(tok.Decode(ids, false), "<s> hi there");
  // Characters outside the vocabulary become their UTF-8 bytes and decode back.
  std::vector<int32_t> emoji = tok.Encode("hi 😀", false);
  EXPECT_EQ(emoji.size(), 1u + 1 + 4) << "▁hi, ▁, 4 bytes";
  EXPECT_EQ(tok.Decode(emoji, true), "hi 😀");
}

TEST(HfTokenizerTest, AddedTokensAreSplitOutAndSegmentsNormalizedSeparately) {
  auto t = HfTokenizer::FromJson(ByteFallbackJson());
  ASSERT_TRUE(t.ok());
  const HfTokenizer& tok = *t.value();
  int32_t user = *tok.TokenId("<|user|>");
  EXPECT_TRUE(tok.IsSpecial(user));
  std::vector<int32_t> ids = tok.Encode("<|user|>\nhi", false);
  // rstrip swallows the newline; "hi" is its own segment and gets its own ▁ prefix.
  EXPECT_EQ(ids, (std::vector<int32_t>{user, *tok.TokenId(std::string(kSpace) + "hi")}));
  EXPECT_EQ(tok.Decode(ids, true), "hi");
}

// GPT-2 style byte-level vocabulary: all 256 byte characters plus a few merges.
Json ByteLevelJson(bool llama3) {
  Json vocab = Json::object();
  int id = 0;
  for (int b = 0; b < 256; ++b) vocab[BytesToByteLevel(std::string(1, static_cast<char>(b)))] = id++;
  std::vector<std::pair<std::string, std::string>> merges = {
      {"\xC4\xA0", "t"}, {"h", "e"}, {"\xC4\xA0t", "he"}, {"l", "l"}, {"e", "ll"}, {"h", "ell"}};
  Json m = Json::array();
  for (auto& [a, b] : merges) {
    vocab[a + b] = id++;
    m.push_back(Json::array({a, b}));
  }
  vocab["hello"] = id++;  // reachable only through ignore_merges
  Json pre = llama3
                 ? Json{{"type", "Sequence"},
                        {"pretokenizers",
                         {{{"type", "Split"},
                           {"pattern",
                            {{"Regex",
                              R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"}}},
                           {"behavior", "Isolated"},
                           {"invert", false}},
                          {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}}
                 : Json{{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}};
  return Json{{"added_tokens", {{{"id", id}, {"content", "<|eot_id|>"}, {"special", true}}}},
              {"normalizer", nullptr},
              {"pre_tokenizer", pre},
              {"post_processor", {{"type", "ByteLevel"}}},
              {"decoder", {{"type", "ByteLevel"}}},
              {"model",
               {{"type", "BPE"}, {"ignore_merges", llama3}, {"vocab", vocab}, {"merges", m}}}};
}

TEST(HfTokenizerTest, ByteLevelBpeRoundTripsAnyText) {
  for (bool llama3 : {false, true}) {
    auto t = HfTokenizer::FromJson(ByteLevelJson(llama3));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    const HfTokenizer& tok = *t.value();
    std::vector<int32_t> ids = tok.Encode("the hello", false);
    // "the" -> t,he (no "the" merge without the space); " the" would merge.
    EXPECT_EQ(tok.Decode(ids, true), "the hello");
    std::vector<int32_t> spaced = tok.Encode(" the", false);
    EXPECT_EQ(spaced, (std::vector<int32_t>{*tok.TokenId("\xC4\xA0the")}));
    const std::string text = "Grüße, 世界! 😀\n\ttab <|eot_id|> end";
    std::vector<int32_t> all = tok.Encode(text, false);
    EXPECT_EQ(tok.Decode(all, false), text) << (llama3 ? "llama3" : "gpt2");
    EXPECT_EQ(tok.Decode(all, true), "Grüße, 世界! 😀\n\ttab  end");
  }
}

TEST(HfTokenizerTest, IgnoreMergesEmitsWholeVocabularyWords) {
  auto t = HfTokenizer::FromJson(ByteLevelJson(true));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.value()->Encode("hello", false), (std::vector<int32_t>{*t.value()->TokenId("hello")}));
  auto gpt2 = HfTokenizer::FromJson(ByteLevelJson(false));
  EXPECT_EQ(gpt2.value()->Encode("hello", false).size(), 3u) << "he, ll, o";
}

TEST(HfTokenizerTest, UnsupportedComponentsAreNamed) {
  Json j = ByteLevelJson(false);
  j["model"]["type"] = "WordPiece";
  auto t = HfTokenizer::FromJson(j);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("WordPiece"), std::string::npos);
  j = ByteLevelJson(false);
  j["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "\\w+"}}}, {"behavior", "Isolated"}};
  t = HfTokenizer::FromJson(j);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("regex"), std::string::npos);
  j = ByteLevelJson(false);
  j["normalizer"] = {{"type", "BertNormalizer"}};
  EXPECT_FALSE(HfTokenizer::FromJson(j).ok());
}

}  // namespace
}  // namespace kt::serving
