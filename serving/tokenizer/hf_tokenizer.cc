#include "serving/tokenizer/hf_tokenizer.h"

#include <cstdio>

#include "base/json.h"
#include "serving/tokenizer/byte_level.h"
#include "serving/tokenizer/utf8.h"

namespace kt::serving {

namespace {

using NormalizerStep = HfTokenizer::NormalizerStep;
using PreTokenizerStep = HfTokenizer::PreTokenizerStep;
using DecoderStep = HfTokenizer::DecoderStep;

Status Unsupported(const std::string& what) {
  return Invalid("tokenizer.json: " + what + " is not supported");
}

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  std::string out;
  size_t i = 0;
  while (true) {
    size_t j = s.find(from, i);
    if (j == std::string::npos) break;
    out.append(s, i, j - i);
    out.append(to);
    i = j + from.size();
  }
  out.append(s, i, std::string::npos);
  s = std::move(out);
}

Result<std::string> LiteralPattern(const Json& step, const std::string& what) {
  const Json* p = FindPath(step, "pattern");
  if (p == nullptr) return Invalid("tokenizer.json: " + what + " has no pattern");
  if (p->is_object() && p->contains("String") && (*p)["String"].is_string()) {
    return (*p)["String"].get<std::string>();
  }
  return Unsupported(what + " with a regex pattern");
}

Status ParseNormalizer(const Json& n, std::vector<NormalizerStep>& out) {
  if (n.is_null()) return Status::Ok();
  std::string type = GetString(n, "type");
  if (type == "Sequence") {
    const Json* list = FindPath(n, "normalizers");
    if (list == nullptr || !list->is_array()) return Invalid("tokenizer.json: bad Sequence normalizer");
    for (const Json& s : *list) KT_RETURN_IF_ERROR(ParseNormalizer(s, out));
    return Status::Ok();
  }
  if (type == "Prepend") {
    out.push_back({NormalizerStep::kPrepend, GetString(n, "prepend"), "", NormalizationForm::kNfc});
    return Status::Ok();
  }
  if (type == "Replace") {
    KT_ASSIGN_OR_RETURN(std::string pattern, LiteralPattern(n, "Replace normalizer"));
    out.push_back({NormalizerStep::kReplace, pattern, GetString(n, "content"), NormalizationForm::kNfc});
    return Status::Ok();
  }
  static const std::pair<const char*, NormalizationForm> kForms[] = {
      {"NFC", NormalizationForm::kNfc},
      {"NFD", NormalizationForm::kNfd},
      {"NFKC", NormalizationForm::kNfkc},
      {"NFKD", NormalizationForm::kNfkd}};
  for (const auto& [name, form] : kForms) {
    if (type == name) {
      out.push_back({NormalizerStep::kUnicode, "", "", form});
      return Status::Ok();
    }
  }
  return Unsupported("normalizer \"" + type + "\"");
}

Status ParsePreTokenizer(const Json& p, std::vector<PreTokenizerStep>& out) {
  if (p.is_null()) return Status::Ok();
  std::string type = GetString(p, "type");
  if (type == "Sequence") {
    const Json* list = FindPath(p, "pretokenizers");
    if (list == nullptr || !list->is_array()) {
      return Invalid("tokenizer.json: bad Sequence pre_tokenizer");
    }
    for (const Json& s : *list) KT_RETURN_IF_ERROR(ParsePreTokenizer(s, out));
    return Status::Ok();
  }
  PreTokenizerStep step{};
  if (type == "Metaspace") {
    step.kind = PreTokenizerStep::kMetaspace;
    step.replacement = GetString(p, "replacement", "\xE2\x96\x81");
    std::string scheme = GetString(p, "prepend_scheme");
    if (scheme.empty()) {
      scheme = GetBool(p, "add_prefix_space", true) ? "always" : "never";
    }
    if (scheme == "always") {
      step.prepend = PreTokenizerStep::Prepend::kAlways;
    } else if (scheme == "first") {
      step.prepend = PreTokenizerStep::Prepend::kFirst;
    } else if (scheme == "never") {
      step.prepend = PreTokenizerStep::Prepend::kNever;
    } else {
      return Unsupported("Metaspace prepend_scheme \"" + scheme + "\"");
    }
    step.split = GetBool(p, "split", true);
    out.push_back(step);
    return Status::Ok();
  }
  if (type == "ByteLevel") {
    step.kind = PreTokenizerStep::kByteLevel;
    step.add_prefix_space = GetBool(p, "add_prefix_space", true);
    if (GetBool(p, "use_regex", true)) step.pattern = SplitPattern::kGpt2;
    out.push_back(step);
    return Status::Ok();
  }
  if (type == "Split") {
    step.kind = PreTokenizerStep::kSplit;
    const Json* pat = FindPath(p, "pattern");
    std::string regex;
    if (pat != nullptr && pat->is_object() && pat->contains("Regex") && (*pat)["Regex"].is_string()) {
      regex = (*pat)["Regex"].get<std::string>();
    } else {
      return Unsupported("Split pre_tokenizer without a Regex pattern");
    }
    step.pattern = RecognizeSplitPattern(regex);
    if (!step.pattern) return Unsupported("Split pre_tokenizer regex " + regex);
    std::string behavior = GetString(p, "behavior", "Isolated");
    if (behavior != "Isolated" || GetBool(p, "invert", false)) {
      return Unsupported("Split pre_tokenizer behavior " + behavior);
    }
    out.push_back(step);
    return Status::Ok();
  }
  return Unsupported("pre_tokenizer \"" + type + "\"");
}

Status ParseDecoder(const Json& d, std::vector<DecoderStep>& out) {
  if (d.is_null()) return Status::Ok();
  std::string type = GetString(d, "type");
  DecoderStep step{};
  if (type == "Sequence") {
    const Json* list = FindPath(d, "decoders");
    if (list == nullptr || !list->is_array()) return Invalid("tokenizer.json: bad Sequence decoder");
    for (const Json& s : *list) KT_RETURN_IF_ERROR(ParseDecoder(s, out));
    return Status::Ok();
  }
  if (type == "Replace") {
    step.kind = DecoderStep::kReplace;
    KT_ASSIGN_OR_RETURN(step.a, LiteralPattern(d, "Replace decoder"));
    step.b = GetString(d, "content");
  } else if (type == "ByteFallback") {
    step.kind = DecoderStep::kByteFallback;
  } else if (type == "Fuse") {
    step.kind = DecoderStep::kFuse;
  } else if (type == "Strip") {
    step.kind = DecoderStep::kStrip;
    step.a = GetString(d, "content", " ");
    step.strip_start = static_cast<int>(GetInt(d, "start").value_or(0));
    step.strip_stop = static_cast<int>(GetInt(d, "stop").value_or(0));
  } else if (type == "ByteLevel") {
    step.kind = DecoderStep::kByteLevel;
  } else if (type == "Metaspace") {
    step.kind = DecoderStep::kMetaspace;
    step.a = GetString(d, "replacement", "\xE2\x96\x81");
    std::string scheme = GetString(d, "prepend_scheme");
    step.metaspace_strip_first =
        scheme.empty() ? GetBool(d, "add_prefix_space", true) : scheme != "never";
  } else {
    return Unsupported("decoder \"" + type + "\"");
  }
  out.push_back(step);
  return Status::Ok();
}

Status ParsePostProcessor(const Json& p, const std::function<std::optional<int32_t>(const std::string&)>& lookup,
                          std::vector<int32_t>& prefix, std::vector<int32_t>& suffix) {
  if (p.is_null()) return Status::Ok();
  std::string type = GetString(p, "type");
  if (type == "Sequence") {
    const Json* list = FindPath(p, "processors");
    if (list == nullptr || !list->is_array()) {
      return Invalid("tokenizer.json: bad Sequence post_processor");
    }
    for (const Json& s : *list) KT_RETURN_IF_ERROR(ParsePostProcessor(s, lookup, prefix, suffix));
    return Status::Ok();
  }
  if (type == "ByteLevel") return Status::Ok();  // offsets only
  if (type != "TemplateProcessing") return Unsupported("post_processor \"" + type + "\"");
  const Json* single = FindPath(p, "single");
  if (single == nullptr || !single->is_array()) {
    return Invalid("tokenizer.json: TemplateProcessing without \"single\"");
  }
  bool after = false;
  for (const Json& item : *single) {
    if (item.contains("Sequence")) {
      after = true;
      continue;
    }
    const Json* st = FindPath(item, "SpecialToken");
    if (st == nullptr) return Invalid("tokenizer.json: bad TemplateProcessing item");
    std::string name = GetString(*st, "id");
    std::vector<int32_t> ids;
    if (const Json* spec = FindPath(p, "special_tokens"); spec != nullptr && spec->contains(name)) {
      const Json& e = (*spec)[name];
      if (e.contains("ids") && e["ids"].is_array()) {
        for (const Json& id : e["ids"]) ids.push_back(id.get<int32_t>());
      }
    }
    if (ids.empty()) {
      auto id = lookup(name);
      if (!id) return Invalid("tokenizer.json: template token \"" + name + "\" is not in the vocabulary");
      ids.push_back(*id);
    }
    (after ? suffix : prefix).insert((after ? suffix : prefix).end(), ids.begin(), ids.end());
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<HfTokenizer>> HfTokenizer::FromJson(const Json& j, std::string_view bos,
                                                           std::string_view eos) {
  if (!j.is_object()) return Invalid("tokenizer.json is not a JSON object");
  const Json* model = FindPath(j, "model");
  if (model == nullptr || !model->is_object()) return Invalid("tokenizer.json has no model");
  std::string type = GetString(*model, "type", "BPE");
  if (type != "BPE") return Unsupported("model type \"" + type + "\" (only BPE)");
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (model->contains(key) && (*model)[key].is_string() && !(*model)[key].get<std::string>().empty()) {
      return Unsupported(std::string("BPE ") + key);
    }
  }
  std::unique_ptr<HfTokenizer> t(new HfTokenizer());
  const Json* vocab = FindPath(*model, "vocab");
  if (vocab == nullptr || !vocab->is_object()) return Invalid("tokenizer.json: model.vocab is not an object");
  std::unordered_map<std::string, int32_t> v;
  v.reserve(vocab->size());
  int32_t max_id = -1;
  for (auto it = vocab->begin(); it != vocab->end(); ++it) {
    if (!it.value().is_number_integer()) return Invalid("tokenizer.json: vocab id is not an integer");
    int64_t id = it.value().get<int64_t>();
    if (id < 0 || id > (1 << 24)) return Invalid("tokenizer.json: vocab id out of range");
    v.emplace(it.key(), static_cast<int32_t>(id));
    max_id = std::max(max_id, static_cast<int32_t>(id));
  }
  std::vector<std::pair<std::string, std::string>> merges;
  if (const Json* m = FindPath(*model, "merges"); m != nullptr && m->is_array()) {
    merges.reserve(m->size());
    for (const Json& e : *m) {
      if (e.is_string()) {
        const std::string& s = e.get_ref<const std::string&>();
        size_t sp = s.find(' ');
        if (sp == std::string::npos) return Invalid("tokenizer.json: merge \"" + s + "\" has no space");
        merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
      } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
        merges.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
      } else {
        return Invalid("tokenizer.json: malformed merge entry");
      }
    }
  }
  BpeOptions opts;
  opts.byte_fallback = GetBool(*model, "byte_fallback", false);
  opts.ignore_merges = GetBool(*model, "ignore_merges", false);
  opts.fuse_unk = GetBool(*model, "fuse_unk", false);
  std::string unk = GetString(*model, "unk_token");
  if (!unk.empty()) {
    auto it = v.find(unk);
    if (it != v.end()) opts.unk_id = it->second;
  }
  std::vector<AddedToken> added;
  if (const Json* a = FindPath(j, "added_tokens"); a != nullptr && a->is_array()) {
    for (const Json& e : *a) {
      AddedToken tok;
      tok.content = GetString(e, "content");
      auto id = GetInt(e, "id");
      if (tok.content.empty() || !id || *id < 0 || *id > (1 << 24)) {
        return Invalid("tokenizer.json: malformed added token");
      }
      tok.id = static_cast<int32_t>(*id);
      tok.special = GetBool(e, "special", false);
      tok.lstrip = GetBool(e, "lstrip", false);
      tok.rstrip = GetBool(e, "rstrip", false);
      max_id = std::max(max_id, tok.id);
      added.push_back(std::move(tok));
    }
  }
  t->vocab_size_ = max_id + 1;
  t->id_to_piece_.assign(static_cast<size_t>(t->vocab_size_), "");
  for (const auto& [piece, id] : v) t->id_to_piece_[id] = piece;
  for (const AddedToken& a : added) t->id_to_piece_[a.id] = a.content;
  t->added_ = AddedTokens(std::move(added));
  t->bpe_ = std::make_unique<BpeModel>(std::move(v), merges, opts);

  if (const Json* n = FindPath(j, "normalizer"); n != nullptr) {
    KT_RETURN_IF_ERROR(ParseNormalizer(*n, t->normalizers_));
  }
  if (const Json* p = FindPath(j, "pre_tokenizer"); p != nullptr) {
    KT_RETURN_IF_ERROR(ParsePreTokenizer(*p, t->pre_tokenizers_));
  }
  if (const Json* d = FindPath(j, "decoder"); d != nullptr) {
    KT_RETURN_IF_ERROR(ParseDecoder(*d, t->decoders_));
  }
  for (const DecoderStep& d : t->decoders_) {
    if ((d.kind == DecoderStep::kStrip && d.strip_start > 0 && d.a == " ") ||
        (d.kind == DecoderStep::kMetaspace && d.metaspace_strip_first)) {
      t->strips_leading_space_ = true;
    }
  }
  auto lookup = [&t](const std::string& s) { return t->TokenId(s); };
  if (const Json* p = FindPath(j, "post_processor"); p != nullptr) {
    KT_RETURN_IF_ERROR(ParsePostProcessor(*p, lookup, t->prefix_ids_, t->suffix_ids_));
  }
  if (!bos.empty()) t->bos_ = t->TokenId(bos);
  if (!t->bos_ && !t->prefix_ids_.empty()) t->bos_ = t->prefix_ids_.front();
  if (!eos.empty()) t->eos_ = t->TokenId(eos);
  return t;
}

bool HfTokenizer::IsSpecial(int32_t id) const {
  const AddedToken* a = added_.FindById(id);
  return a != nullptr && a->special;
}

std::optional<int32_t> HfTokenizer::TokenId(std::string_view piece) const {
  if (const AddedToken* a = added_.FindByContent(piece)) return a->id;
  return bpe_->Find(piece);
}

void HfTokenizer::EncodeSegment(std::string_view text, bool at_input_start,
                                std::vector<int32_t>& out) const {
  std::string s(text);
  for (const NormalizerStep& n : normalizers_) {
    switch (n.kind) {
      case NormalizerStep::kPrepend:
        if (!s.empty()) s = n.a + s;
        break;
      case NormalizerStep::kReplace:
        ReplaceAll(s, n.a, n.b);
        break;
      case NormalizerStep::kUnicode: {
        auto r = Normalize(s, n.form);
        if (r.ok()) s = std::move(r).value();
        break;
      }
    }
  }
  std::vector<std::string> pieces{std::move(s)};
  for (const PreTokenizerStep& p : pre_tokenizers_) {
    std::vector<std::string> next;
    for (size_t pi = 0; pi < pieces.size(); ++pi) {
      std::string& piece = pieces[pi];
      switch (p.kind) {
        case PreTokenizerStep::kMetaspace: {
          ReplaceAll(piece, " ", p.replacement);
          bool prepend = p.prepend == PreTokenizerStep::Prepend::kAlways ||
                         (p.prepend == PreTokenizerStep::Prepend::kFirst && at_input_start && pi == 0);
          if (prepend && piece.rfind(p.replacement, 0) != 0) piece = p.replacement + piece;
          if (!p.split) {
            next.push_back(piece);
            break;
          }
          // Split so that each word starts with the replacement character.
          size_t start = 0;
          for (size_t k = p.replacement.size(); k <= piece.size(); ++k) {
            if (k == piece.size() || piece.compare(k, p.replacement.size(), p.replacement) == 0) {
              if (k > start) next.push_back(piece.substr(start, k - start));
              start = k;
            }
          }
          if (start < piece.size()) next.push_back(piece.substr(start));
          break;
        }
        case PreTokenizerStep::kByteLevel: {
          if (p.add_prefix_space && pi == 0 && !piece.empty() && piece[0] != ' ') piece = " " + piece;
          if (p.pattern) {
            for (std::string_view w : SplitWithPattern(*p.pattern, piece)) {
              next.push_back(BytesToByteLevel(w));
            }
          } else {
            next.push_back(BytesToByteLevel(piece));
          }
          break;
        }
        case PreTokenizerStep::kSplit:
          for (std::string_view w : SplitWithPattern(*p.pattern, piece)) next.emplace_back(w);
          break;
      }
    }
    pieces = std::move(next);
  }
  for (const std::string& w : pieces) bpe_->EncodeWord(w, out);
}

std::vector<int32_t> HfTokenizer::Encode(std::string_view text, bool add_special_tokens) const {
  std::vector<int32_t> out;
  if (add_special_tokens) out = prefix_ids_;
  for (const TextSegment& seg : added_.Split(text)) {
    if (seg.id >= 0) {
      out.push_back(seg.id);
    } else {
      EncodeSegment(seg.text, seg.text.data() == text.data(), out);
    }
  }
  if (add_special_tokens) out.insert(out.end(), suffix_ids_.begin(), suffix_ids_.end());
  return out;
}

std::string HfTokenizer::DecodeBytes(std::span<const int32_t> ids, bool skip_special) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int32_t id : ids) {
    if (id < 0 || id >= vocab_size_ || id_to_piece_[id].empty()) continue;
    if (skip_special && IsSpecial(id)) continue;
    tokens.push_back(id_to_piece_[id]);
  }
  for (const DecoderStep& d : decoders_) {
    switch (d.kind) {
      case DecoderStep::kReplace:
        for (std::string& t : tokens) ReplaceAll(t, d.a, d.b);
        break;
      case DecoderStep::kByteFallback: {
        std::vector<std::string> next;
        std::string bytes;
        bool in_run = false;
        for (std::string& t : tokens) {
          unsigned int b;
          if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>' &&
              std::sscanf(t.c_str() + 3, "%2X", &b) == 1) {
            bytes.push_back(static_cast<char>(b));
            in_run = true;
            continue;
          }
          if (in_run) {
            next.push_back(std::move(bytes));
            bytes.clear();
            in_run = false;
          }
          next.push_back(std::move(t));
        }
        if (in_run) next.push_back(std::move(bytes));
        tokens = std::move(next);
        break;
      }
      case DecoderStep::kFuse: {
        std::string all;
        for (const std::string& t : tokens) all += t;
        tokens.assign(1, std::move(all));
        break;
      }
      case DecoderStep::kStrip:
        for (std::string& t : tokens) {
          int n = 0;
          while (n < d.strip_start && t.compare(0, d.a.size(), d.a) == 0) {
            t.erase(0, d.a.size());
            ++n;
          }
          n = 0;
          while (n < d.strip_stop && t.size() >= d.a.size() &&
                 t.compare(t.size() - d.a.size(), d.a.size(), d.a) == 0) {
            t.erase(t.size() - d.a.size());
            ++n;
          }
        }
        break;
      case DecoderStep::kByteLevel: {
        std::string all;
        for (const std::string& t : tokens) all += ByteLevelToBytes(t);
        tokens.assign(1, std::move(all));
        break;
      }
      case DecoderStep::kMetaspace:
        for (size_t i = 0; i < tokens.size(); ++i) {
          ReplaceAll(tokens[i], d.a, " ");
          if (i == 0 && d.metaspace_strip_first && !tokens[i].empty() && tokens[i][0] == ' ') {
            tokens[i].erase(0, 1);
          }
        }
        break;
    }
  }
  std::string out;
  for (const std::string& t : tokens) out += t;
  return out;
}

}  // namespace kt::serving
