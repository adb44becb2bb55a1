// libFuzzer target: kaito-serve's request parsers (Kaito /chat, OpenAI completions and chat
// completions) on arbitrary bytes. Every input must parse or produce a RequestError with a
// 4xx status and a message, never crash, hang or exhaust memory; accepted chat messages must
// render under every built-in chat format or be refused with a Status; Python repr of any
// string must terminate.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/check.h"
#include "serving/http/api_requests.h"
#include "serving/http/py_repr.h"
#include "serving/tokenizer/chat_format.h"

namespace {
void ParseAll(std::string_view body);
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  ParseAll(raw);
  // The input spliced into well-formed bodies reaches the field validation random bytes
  // rarely get to.
  for (const char* tmpl : {R"({"prompt":"x","generate_kwargs":@})", R"({"messages":[{"role":"user","content":@}]})",
                           R"({"model":"m","prompt":@,"max_tokens":3})", R"({"messages":@,"stream":true})",
                           R"({"prompt":"x","stop":@,"logprobs":@,"stream_options":@})"}) {
    std::string body;
    for (const char* c = tmpl; *c; ++c) {
      if (*c == '@') {
        body.append(raw);
      } else {
        body.push_back(*c);
      }
    }
    ParseAll(body);
  }
  return 0;
}

namespace {
void ParseAll(std::string_view body) {
  using namespace kt::serving;
  auto check = [](const std::optional<RequestError>& e) {
    if (e) KT_CHECK(e->http_status >= 400 && e->http_status < 500 && !e->message.empty());
  };
  KaitoChatRequest k;
  check(ParseKaitoChatRequest(body, &k));
  CompletionRequest c;
  check(ParseCompletionRequest(body, &c));
  ChatCompletionRequest cc;
  auto e = ParseChatCompletionRequest(body, &cc);
  check(e);
  if (!e) {
    for (const ChatFormat& f : BuiltinChatFormats()) {
      auto r = RenderChat(f, cc.messages, true, "<s>", "</s>");
      (void)r;
    }
  }
  (void)PyReprStr(body);
}
}  // namespace
