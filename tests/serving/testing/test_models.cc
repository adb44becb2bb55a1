#include "tests/serving/testing/test_models.h"

#include <cstdlib>
#include <filesystem>

#include "base/check.h"
#include "base/random.h"
#include "serving/model/presets.h"
#include "serving/model/rope.h"

namespace kt::serving::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/kt-serving-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  KT_CHECK(mkdtemp(buf.data()) != nullptr) << "mkdtemp failed";
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

ModelConfig PresetConfig(const std::string& preset) {
  auto p = FindPreset(preset);
  KT_CHECK(p.ok()) << p.status().ToString();
  KT_CHECK(p.value()->config.has_value()) << preset << " has no built-in config";
  return *p.value()->config;
}

void WriteRandomModel(const ModelConfig& config, uint64_t seed, const std::string& dir,
                      DType save_dtype, uint64_t shard_bytes_max) {
  ModelWeights w = RandomModelWeights(config, {.seed = seed, .dtype = save_dtype});
  Status s = SaveModelDir(w, dir, {.shard_bytes_max = shard_bytes_max, .dtype = save_dtype});
  KT_CHECK(s.ok()) << s.ToString();
}

std::unique_ptr<KernelModelBackend> LoadBackend(const std::string& dir, const TestBackendOptions& o) {
  auto w = LoadModelDir(dir, o.weight_dtype);
  KT_CHECK(w.ok()) << w.status().ToString();
  ModelBackendOptions bo;
  bo.num_kv_blocks = o.num_kv_blocks;
  bo.block_size = o.block_size;
  bo.max_batch_tokens = o.max_batch_tokens;
  bo.adapter_slots = o.adapter_slots;
  bo.max_lora_rank = o.max_lora_rank;
  bo.activation_dtype = o.activation_dtype;
  bo.kv_dtype = o.kv_dtype;
  auto b = KernelModelBackend::Create(std::move(w).value(), bo);
  KT_CHECK(b.ok()) << b.status().ToString();
  return std::move(b).value();
}

std::vector<std::vector<float>> ForwardChunk(ModelBackend& backend, const std::vector<int>& tokens,
                                             int start, int n, int prompt_len, int lora_slot,
                                             float lora_scale) {
  const ModelConfig& c = backend.config();
  auto rope = Rope::Create(c);
  KT_CHECK(rope.ok());
  const int bs = backend.block_size();
  const int ctx = start + n;
  const int width = (ctx + bs - 1) / bs;
  KT_CHECK(width <= backend.num_kv_blocks()) << "sequence longer than the test cache";
  ForwardBatch b;
  b.num_seqs = 1;
  b.num_tokens = n;
  b.seq_start = {0, n};
  for (int i = 0; i < n; ++i) {
    int pos = start + i;
    b.token_ids.push_back(tokens[pos]);
    b.positions.push_back(pos);
    b.rope_variant.push_back(rope.value().VariantFor(pos, prompt_len));
    b.slot_mapping.push_back(pos);  // block i holds positions [i*bs, (i+1)*bs)
    b.logits_tokens.push_back(i);
  }
  b.context_lens = {ctx};
  b.block_table_width = width;
  for (int i = 0; i < width; ++i) b.block_tables.push_back(i);
  b.lora_slot = {lora_slot};
  b.lora_scale = {lora_scale};
  b.max_context_len = ctx;
  std::vector<float> logits(static_cast<size_t>(n) * c.vocab_size);
  Status s = backend.Forward(b, logits);
  KT_CHECK(s.ok()) << s.ToString();
  std::vector<std::vector<float>> out(n);
  for (int i = 0; i < n; ++i) {
    out[i].assign(logits.begin() + static_cast<int64_t>(i) * c.vocab_size,
                  logits.begin() + static_cast<int64_t>(i + 1) * c.vocab_size);
  }
  return out;
}

std::vector<int> RandomTokens(uint64_t seed, int n, int lo, int hi) {
  Rng rng(seed);
  std::vector<int> out(n);
  for (int& t : out) t = static_cast<int>(rng.UniformInt(lo, hi - 1));
  return out;
}

}  // namespace kt::serving::testing
