// Request parsing: valid Kaito and OpenAI bodies become the expected structs with their
// defaults; malformed JSON, wrong types and out-of-range values are errors naming the field
// (422 with a pydantic-style loc for Kaito's /chat, 400 for OpenAI); unsupported options are
// refused instead of silently ignored. Also Python's repr of the /chat message result.
#include "serving/http/api_requests.h"

#include <gtest/gtest.h>

#include "serving/http/py_repr.h"

namespace kt::serving {
namespace {

TEST(KaitoChatParseTest, PromptWithDefaults) {
  KaitoChatRequest r;
  ASSERT_FALSE(ParseKaitoChatRequest(R"({"prompt":"YOUR QUESTION HERE"})", &r));
  EXPECT_EQ(r.prompt, "YOUR QUESTION HERE");
  EXPECT_TRUE(r.return_full_text);
  EXPECT_EQ(r.max_length, 200);
  EXPECT_TRUE(r.do_sample);
  EXPECT_EQ(r.top_k, 10);
  EXPECT_FALSE(r.messages.has_value());
}

TEST(KaitoChatParseTest, MessagesAndGenerateKwargs) {
  KaitoChatRequest r;
  ASSERT_FALSE(ParseKaitoChatRequest(
      R"({"messages":[{"role":"user","content":"hi"}],"return_full_text":false,
          "generate_kwargs":{"max_new_tokens":7,"do_sample":false,"temperature":0.5,
                             "top_p":0.9,"repetition_penalty":1.2,"eos_token_id":[5,6],
                             "some_unknown_kwarg":123}})",
      &r));
  ASSERT_TRUE(r.messages.has_value());
  EXPECT_EQ((*r.messages)[0].content, "hi");
  EXPECT_EQ(r.max_new_tokens, 7);
  EXPECT_FALSE(r.do_sample);
  EXPECT_EQ(r.eos_token_ids, (std::vector<int64_t>{5, 6}));
  EXPECT_FALSE(r.return_full_text);
}

TEST(KaitoChatParseTest, ValidationErrorsAre422WithLoc) {
  KaitoChatRequest r;
  auto e = ParseKaitoChatRequest(R"({"prompt":"x","generate_kwargs":{"max_length":"long"}})", &r);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->http_status, 422);
  EXPECT_EQ(e->loc, (std::vector<std::string>{"body", "generate_kwargs", "max_length"}));
  EXPECT_EQ(e->type, "type_error.integer");
  e = ParseKaitoChatRequest("{not json", &r);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->http_status, 422);
  EXPECT_EQ(e->type, "value_error.jsondecode");
  e = ParseKaitoChatRequest(R"({"messages":[{"role":"robot","content":"x"}]})", &r);
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("robot"), std::string::npos);
  e = ParseKaitoChatRequest(R"({"prompt":"x","generate_kwargs":{"num_beams":4}})", &r);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->http_status, 400);
  EXPECT_NE(e->message.find("beam search"), std::string::npos);
}

TEST(OpenAiParseTest, CompletionPromptsInEveryShape) {
  CompletionRequest r;
  ASSERT_FALSE(ParseCompletionRequest(R"({"model":"m","prompt":"hi","max_tokens":5})", &r));
  EXPECT_EQ(r.prompts, std::vector<std::string>{"hi"});
  EXPECT_EQ(r.gen.max_tokens, 5);
  CompletionRequest ids;
  ASSERT_FALSE(ParseCompletionRequest(R"({"prompt":[1,2,3]})", &ids));
  EXPECT_EQ(ids.prompt_token_ids, (std::vector<std::vector<int64_t>>{{1, 2, 3}}));
  CompletionRequest many;
  ASSERT_FALSE(ParseCompletionRequest(R"({"prompt":["a","b"],"n":2,"stream":true,
                                          "stream_options":{"include_usage":true},"stop":"\n"})",
                                      &many));
  EXPECT_EQ(many.prompts.size(), 2u);
  EXPECT_EQ(many.n, 2);
  EXPECT_TRUE(many.include_usage);
  EXPECT_EQ(many.gen.stop, std::vector<std::string>{"\n"});
}

TEST(OpenAiParseTest, BadValuesNameTheField) {
  CompletionRequest r;
  auto e = ParseCompletionRequest(R"({"prompt":"x","max_tokens":-5})", &r);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->http_status, 400);
  EXPECT_NE(e->message.find("max_tokens must be at least 1, got -5"), std::string::npos);
  e = ParseCompletionRequest(R"({"prompt":"x","temperature":"hot"})", &r);
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("temperature"), std::string::npos);
  e = ParseCompletionRequest(R"({"max_tokens":3})", &r);
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("prompt"), std::string::npos);
  e = ParseCompletionRequest(R"({"prompt":"x","stream_options":{"include_usage":true}})", &r);
  ASSERT_TRUE(e) << "stream_options without stream";
  ChatCompletionRequest c;
  e = ParseChatCompletionRequest(R"({"messages":[]})", &c);
  ASSERT_TRUE(e);
  e = ParseChatCompletionRequest(R"({"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function"}]})", &c);
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("tools"), std::string::npos);
  e = ParseChatCompletionRequest("[1,2]", &c);
  ASSERT_TRUE(e);
}

TEST(OpenAiParseTest, ChatContentPartsAndMaxCompletionTokens) {
  ChatCompletionRequest c;
  ASSERT_FALSE(ParseChatCompletionRequest(
      R"({"model":"m","messages":[{"role":"system","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
                                   {"role":"user","content":"q"}],
          "max_completion_tokens":9,"logprobs":true,"top_logprobs":3,"seed":-1})",
      &c));
  EXPECT_EQ(c.messages[0].content, "ab");
  EXPECT_EQ(c.gen.max_tokens, 9);
  EXPECT_EQ(c.top_logprobs, 3);
  EXPECT_EQ(c.gen.seed, ~0ull);
}

TEST(PyReprTest, MatchesPythonQuotingAndEscapes) {
  EXPECT_EQ(PyReprStr("hello"), "'hello'");
  EXPECT_EQ(PyReprStr("it's"), "\"it's\"");
  EXPECT_EQ(PyReprStr("both ' and \""), "'both \\' and \"'");
  EXPECT_EQ(PyReprStr("a\nb\tc\\"), "'a\\nb\\tc\\\\'");
  EXPECT_EQ(PyReprStr(std::string("\x01", 1)), "'\\x01'");
  EXPECT_EQ(PyReprStr("naïve 😀"), "'naïve 😀'");
  EXPECT_EQ(PyReprMessage("assistant", "Hi"), "{'role': 'assistant', 'content': 'Hi'}");
}

}  // namespace
}  // namespace kt::serving
