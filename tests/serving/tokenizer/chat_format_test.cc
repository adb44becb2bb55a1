// Chat formats render conversations exactly as the presets' templates do: Phi-3 (July 2024:
// system turns, <|end|>, generation prompt; April 2024: BOS, system dropped, user turn opens
// the assistant turn), Llama 3 and 3.1 (header ids, trimmed content, 3.1's knowledge-date
// system header), Mistral ([INST] with the system text folded into the last user turn),
// Qwen2.5 (ChatML with its default system prompt); bad roles and empty conversations are
// Invalid.
#include "serving/tokenizer/chat_format.h"

#include <gtest/gtest.h>

namespace kt::serving {
namespace {

std::string Render(const char* format, std::vector<ChatMessage> msgs, bool gen = true,
                   const char* bos = "<s>", const char* eos = "</s>") {
  auto f = FindChatFormat(format);
  EXPECT_TRUE(f.ok()) << format;
  auto r = RenderChat(*f.value(), msgs, gen, bos, eos);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r.value() : "";
}

const std::vector<ChatMessage> kConversation = {
    {"system", "Be brief."}, {"user", "Hi"}, {"assistant", "Hello!"}, {"user", "2+2?"}};

TEST(ChatFormatTest, Phi3July2024) {
  EXPECT_EQ(Render("phi3", kConversation),
            "<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\nHello!<|end|>\n"
            "<|user|>\n2+2?<|end|>\n<|assistant|>\n");
  EXPECT_EQ(Render("phi3", {{"user", "Hi"}}, false, "<s>", "<|endoftext|>"),
            "<|user|>\nHi<|end|>\n<|endoftext|>");
}

TEST(ChatFormatTest, Phi3April2024HasNoSystemRole) {
  EXPECT_EQ(Render("phi3-april", kConversation),
            "<s><|user|>\nHi<|end|>\n<|assistant|>\nHello!<|end|>\n<|user|>\n2+2?<|end|>\n"
            "<|assistant|>\n");
}

TEST(ChatFormatTest, Llama3AndLlama31) {
  EXPECT_EQ(Render("llama3", {{"user", "  Hi  "}}, true, "<|begin_of_text|>"),
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
  EXPECT_EQ(Render("llama3.1", {{"user", "Hi"}}, true, "<|begin_of_text|>"),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
            "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(ChatFormatTest, MistralFoldsSystemIntoLastUserTurn) {
  EXPECT_EQ(Render("mistral", kConversation),
            "<s>[INST] Hi[/INST] Hello!</s>[INST] Be brief.\n\n2+2?[/INST]");
}

TEST(ChatFormatTest, QwenAddsItsDefaultSystemPrompt) {
  EXPECT_EQ(Render("qwen2.5", {{"user", "Hi"}}),
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
            "assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(Render("qwen2.5", {{"system", "S"}, {"user", "Hi"}}),
            "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST(ChatFormatTest, ContentIsNotReinterpretedAsPlaceholders) {
  EXPECT_EQ(Render("chatml", {{"user", "{content} {eos}"}}),
            "<|im_start|>user\n{content} {eos}<|im_end|>\n<|im_start|>assistant\n");
}

TEST(ChatFormatTest, BadConversationsAreInvalid) {
  const ChatFormat* f = FindChatFormat("phi3").value();
  EXPECT_EQ(RenderChat(*f, {}, true, "", "").status().code(), StatusCode::kInvalid);
  auto r = RenderChat(*f, {{"tool", "x"}}, true, "", "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("messages[0].role"), std::string::npos);
  EXPECT_EQ(FindChatFormat("nope").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace kt::serving
