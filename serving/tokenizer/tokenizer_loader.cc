#include "serving/tokenizer/tokenizer_loader.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/json.h"
#include "serving/tokenizer/hf_tokenizer.h"
#include "serving/tokenizer/sentencepiece_tokenizer.h"

namespace kt::serving {

namespace fs = std::filesystem;

namespace {

constexpr size_t kTokenizerFileBytesMax = 64u << 20;

Result<Json> ReadJsonFile(const fs::path& p) {
  std::error_code ec;
  auto size = fs::file_size(p, ec);
  if (ec) return NotFound("cannot read " + p.string());
  if (size > kTokenizerFileBytesMax) return Invalid(p.string() + " is too large");
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = ParseJson(ss.str());
  if (!j.ok()) return Invalid(p.string() + ": " + j.status().message());
  return j;
}

// bos_token / eos_token are a string or {"content": "..."}.
std::string TokenString(const Json& cfg, const char* key) {
  const Json* v = FindPath(cfg, key);
  if (v == nullptr) return "";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_object()) return GetString(*v, "content");
  return "";
}

}  // namespace

Result<std::unique_ptr<Tokenizer>> LoadHfTokenizerFile(const std::string& path) {
  KT_ASSIGN_OR_RETURN(Json j, ReadJsonFile(path));
  auto t = HfTokenizer::FromJson(j);
  if (!t.ok()) return t.status().Annotate(path);
  return std::unique_ptr<Tokenizer>(std::move(t).value());
}

Result<std::unique_ptr<Tokenizer>> LoadTokenizer(const std::string& dir) {
  fs::path d(dir);
  std::error_code ec;
  Json config = Json::object();
  if (fs::exists(d / "tokenizer_config.json", ec)) {
    KT_ASSIGN_OR_RETURN(config, ReadJsonFile(d / "tokenizer_config.json"));
  }
  std::string bos = TokenString(config, "bos_token");
  std::string eos = TokenString(config, "eos_token");
  if (fs::exists(d / "tokenizer.json", ec)) {
    KT_ASSIGN_OR_RETURN(Json j, ReadJsonFile(d / "tokenizer.json"));
    auto t = HfTokenizer::FromJson(j, bos, eos);
    if (!t.ok()) return t.status().Annotate((d / "tokenizer.json").string());
    return std::unique_ptr<Tokenizer>(std::move(t).value());
  }
  if (fs::exists(d / "tokenizer.model", ec)) {
    std::vector<AddedToken> added;
    if (const Json* dec = FindPath(config, "added_tokens_decoder"); dec != nullptr && dec->is_object()) {
      for (auto it = dec->begin(); it != dec->end(); ++it) {
        AddedToken a;
        try {
          a.id = std::stoi(it.key());
        } catch (...) {
          return Invalid("tokenizer_config.json: added_tokens_decoder key \"" + it.key() +
                         "\" is not an id");
        }
        a.content = GetString(it.value(), "content");
        a.special = GetBool(it.value(), "special", true);
        a.lstrip = GetBool(it.value(), "lstrip");
        a.rstrip = GetBool(it.value(), "rstrip");
        if (!a.content.empty()) added.push_back(std::move(a));
      }
    }
    if (fs::exists(d / "added_tokens.json", ec)) {
      KT_ASSIGN_OR_RETURN(Json at, ReadJsonFile(d / "added_tokens.json"));
      for (auto it = at.begin(); it != at.end(); ++it) {
        if (!it.value().is_number_integer()) continue;
        bool known = false;
        for (const AddedToken& a : added) known = known || a.content == it.key();
        if (!known) added.push_back({it.key(), it.value().get<int32_t>(), true, false, false});
      }
    }
    // Pieces of the .model itself (<unk>, <s>, </s>) are handled by SentencePiece.
    bool add_bos = GetBool(config, "add_bos_token", true);
    auto t = SentencePieceTokenizer::Load((d / "tokenizer.model").string(), std::move(added), add_bos);
    if (!t.ok()) return t.status();
    return std::unique_ptr<Tokenizer>(std::move(t).value());
  }
  return NotFound(dir + " has neither tokenizer.json nor tokenizer.model");
}

}  // namespace kt::serving
