#include "serving/tokenizer/sentencepiece_tokenizer.h"

#include <sentencepiece_processor.h>

namespace kt::serving {

SentencePieceTokenizer::SentencePieceTokenizer()
    : sp_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {}
SentencePieceTokenizer::~SentencePieceTokenizer() = default;

Result<std::unique_ptr<SentencePieceTokenizer>> SentencePieceTokenizer::Load(
    const std::string& model_path, std::vector<AddedToken> added, bool add_bos) {
  std::unique_ptr<SentencePieceTokenizer> t(new SentencePieceTokenizer());
  auto st = t->sp_->Load(model_path);
  if (!st.ok()) return Invalid("cannot load SentencePiece model " + model_path + ": " + st.ToString());
  t->pieces_ = t->sp_->GetPieceSize();
  t->vocab_size_ = t->pieces_;
  for (const AddedToken& a : added) t->vocab_size_ = std::max(t->vocab_size_, a.id + 1);
  t->added_ = AddedTokens(std::move(added));
  t->add_bos_ = add_bos;
  return t;
}

std::vector<int32_t> SentencePieceTokenizer::Encode(std::string_view text,
                                                    bool add_special_tokens) const {
  std::vector<int32_t> out;
  if (add_special_tokens && add_bos_ && sp_->bos_id() >= 0) out.push_back(sp_->bos_id());
  for (const TextSegment& seg : added_.Split(text)) {
    if (seg.id >= 0) {
      out.push_back(seg.id);
      continue;
    }
    std::vector<int> ids;
    auto st = sp_->Encode(seg.text, &ids);
    if (!st.ok()) continue;  // only fails when no model is loaded
    out.insert(out.end(), ids.begin(), ids.end());
  }
  return out;
}

std::string SentencePieceTokenizer::DecodeBytes(std::span<const int32_t> ids,
                                                bool skip_special) const {
  std::string out;
  std::vector<int> run;
  auto flush = [&] {
    if (run.empty()) return;
    std::string s;
    if (sp_->Decode(run, &s).ok()) out += s;
    run.clear();
  };
  for (int32_t id : ids) {
    if (const AddedToken* a = added_.FindById(id)) {
      flush();
      if (!(skip_special && a->special)) out += a->content;
      continue;
    }
    if (id < 0 || id >= pieces_) continue;
    if (sp_->IsControl(id)) {
      if (!skip_special) {
        flush();
        out += sp_->IdToPiece(id);
      }
      continue;
    }
    run.push_back(id);
  }
  flush();
  return out;
}

bool SentencePieceTokenizer::IsSpecial(int32_t id) const {
  if (const AddedToken* a = added_.FindById(id)) return a->special;
  return id >= 0 && id < pieces_ && sp_->IsControl(id);
}

std::optional<int32_t> SentencePieceTokenizer::TokenId(std::string_view piece) const {
  if (const AddedToken* a = added_.FindByContent(piece)) return a->id;
  int id = sp_->PieceToId(piece);
  if (id == sp_->unk_id() && piece != sp_->IdToPiece(id)) return std::nullopt;
  return id;
}

std::optional<int32_t> SentencePieceTokenizer::bos_id() const {
  return sp_->bos_id() >= 0 ? std::optional<int32_t>(sp_->bos_id()) : std::nullopt;
}
std::optional<int32_t> SentencePieceTokenizer::eos_id() const {
  return sp_->eos_id() >= 0 ? std::optional<int32_t>(sp_->eos_id()) : std::nullopt;
}

}  // namespace kt::serving
