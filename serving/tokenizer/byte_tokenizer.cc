#include "serving/tokenizer/byte_tokenizer.h"

#include "base/check.h"

namespace kt::serving {

namespace {
std::vector<AddedToken> ToAdded(const std::map<std::string, int64_t>& specials) {
  std::vector<AddedToken> out;
  for (const auto& [text, id] : specials) {
    out.push_back({text, static_cast<int32_t>(id), true, false, false});
  }
  return out;
}
}  // namespace

ByteTokenizer::ByteTokenizer(int32_t vocab_size, const std::map<std::string, int64_t>& special_tokens,
                             std::optional<int32_t> bos, std::optional<int32_t> eos)
    : vocab_size_(vocab_size), specials_(ToAdded(special_tokens)), bos_(bos), eos_(eos) {
  KT_CHECK(vocab_size >= kBytesEnd) << "byte tokenizer needs at least " << kBytesEnd << " ids";
  for (const auto& [text, id] : special_tokens) KT_CHECK(id >= 0 && id < vocab_size) << text;
}

std::vector<int32_t> ByteTokenizer::Encode(std::string_view text, bool add_special_tokens) const {
  std::vector<int32_t> out;
  if (add_special_tokens && bos_) out.push_back(*bos_);
  for (const TextSegment& seg : specials_.Split(text)) {
    if (seg.id >= 0) {
      out.push_back(seg.id);
      continue;
    }
    for (unsigned char b : seg.text) out.push_back(kFirstByteId + b);
  }
  return out;
}

std::string ByteTokenizer::DecodeBytes(std::span<const int32_t> ids, bool skip_special) const {
  std::string out;
  for (int32_t id : ids) {
    if (const AddedToken* a = specials_.FindById(id)) {
      if (!skip_special) out += a->content;
    } else if (id >= kFirstByteId && id < kBytesEnd) {
      out.push_back(static_cast<char>(id - kFirstByteId));
    } else if (id >= kBytesEnd && id < vocab_size_) {
      out.push_back(static_cast<char>((id - kBytesEnd) % 95 + 32));
    }
  }
  return out;
}

bool ByteTokenizer::IsSpecial(int32_t id) const {
  return specials_.FindById(id) != nullptr || (id >= 0 && id < kFirstByteId);
}

std::optional<int32_t> ByteTokenizer::TokenId(std::string_view piece) const {
  if (const AddedToken* a = specials_.FindByContent(piece)) return a->id;
  if (piece.size() == 1) return kFirstByteId + static_cast<unsigned char>(piece[0]);
  return std::nullopt;
}

}  // namespace kt::serving
