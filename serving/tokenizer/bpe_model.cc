#include "serving/tokenizer/bpe_model.h"

#include <cstdio>
#include <queue>

#include "serving/tokenizer/utf8.h"

namespace kt::serving {

BpeModel::BpeModel(std::unordered_map<std::string, int32_t> vocab,
                   const std::vector<std::pair<std::string, std::string>>& merges,
                   BpeOptions options)
    : vocab_(std::move(vocab)), options_(options) {
  ranks_.reserve(merges.size());
  int32_t rank = 0;
  for (const auto& [a, b] : merges) {
    auto ia = vocab_.find(a), ib = vocab_.find(b), ir = vocab_.find(a + b);
    if (ia != vocab_.end() && ib != vocab_.end() && ir != vocab_.end()) {
      // The first occurrence of a pair keeps its rank.
      ranks_.emplace(std::make_pair(ia->second, ib->second), Merge{rank, ir->second});
    }
    ++rank;
  }
  byte_ids_.assign(256, -1);
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    auto it = vocab_.find(name);
    if (it != vocab_.end()) byte_ids_[b] = it->second;
  }
}

std::optional<int32_t> BpeModel::Find(std::string_view symbol) const {
  auto it = vocab_.find(std::string(symbol));
  if (it == vocab_.end()) return std::nullopt;
  return it->second;
}

void BpeModel::EncodeWord(std::string_view word, std::vector<int32_t>& out) const {
  if (word.empty()) return;
  if (options_.ignore_merges) {
    if (auto id = Find(word)) {
      out.push_back(*id);
      return;
    }
  }
  struct Symbol {
    int32_t id;
    int32_t prev;
    int32_t next;
    bool alive;
    bool mergeable;
  };
  std::vector<Symbol> syms;
  syms.reserve(word.size());
  auto push = [&](int32_t id, bool mergeable) {
    int32_t idx = static_cast<int32_t>(syms.size());
    syms.push_back({id, idx - 1, -1, true, mergeable});
    if (idx > 0) syms[idx - 1].next = idx;
  };
  for (const Utf8Char& c : DecodeUtf8(word)) {
    std::string_view ch = word.substr(c.offset, c.length);
    if (auto id = Find(ch)) {
      push(*id, true);
      continue;
    }
    if (options_.byte_fallback) {
      bool all = true;
      for (unsigned char b : ch) all = all && byte_ids_[b] >= 0;
      if (all) {
        for (unsigned char b : ch) push(byte_ids_[b], false);
        continue;
      }
    }
    if (options_.unk_id) {
      if (options_.fuse_unk && !syms.empty() && syms.back().id == *options_.unk_id &&
          !syms.back().mergeable) {
        continue;
      }
      push(*options_.unk_id, false);
    }
    // Without an unk token the character is dropped (what tokenizers does).
  }
  struct Candidate {
    int32_t rank;
    int32_t pos;
    int32_t left;
    int32_t right;
    bool operator>(const Candidate& o) const {
      return rank != o.rank ? rank > o.rank : pos > o.pos;
    }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> heap;
  auto consider = [&](int32_t pos) {
    if (pos < 0) return;
    int32_t nxt = syms[pos].next;
    if (nxt < 0 || !syms[pos].mergeable || !syms[nxt].mergeable) return;
    auto it = ranks_.find({syms[pos].id, syms[nxt].id});
    if (it != ranks_.end()) heap.push({it->second.rank, pos, syms[pos].id, syms[nxt].id});
  };
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(syms.size()); ++i) consider(i);
  while (!heap.empty()) {
    Candidate c = heap.top();
    heap.pop();
    Symbol& s = syms[c.pos];
    if (!s.alive || s.id != c.left || s.next < 0 || syms[s.next].id != c.right) continue;
    auto it = ranks_.find({c.left, c.right});
    if (it == ranks_.end() || it->second.rank != c.rank) continue;
    int32_t gone = s.next;
    s.id = it->second.result;
    s.next = syms[gone].next;
    if (s.next >= 0) syms[s.next].prev = c.pos;
    syms[gone].alive = false;
    consider(s.prev);
    consider(c.pos);
  }
  for (int32_t i = syms.empty() ? -1 : 0; i >= 0; i = syms[i].next) out.push_back(syms[i].id);
}

}  // namespace kt::serving
