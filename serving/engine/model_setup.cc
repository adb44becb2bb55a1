#include "serving/engine/model_setup.h"

#include <cstdlib>
#include <filesystem>

#include "base/log.h"
#include "serving/model/memory_budget.h"
#include "serving/model/rope.h"
#include "serving/tokenizer/byte_tokenizer.h"
#include "serving/tokenizer/tokenizer_loader.h"

namespace kt::serving {

namespace fs = std::filesystem;

Result<AdapterSpec> ParseAdapterSpec(std::string_view spec) {
  size_t eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == spec.size()) {
    return Invalid("--adapter wants NAME=DIR[:STRENGTH], got \"" + std::string(spec) + "\"");
  }
  AdapterSpec a;
  a.name = std::string(spec.substr(0, eq));
  std::string rest(spec.substr(eq + 1));
  size_t colon = rest.rfind(':');
  if (colon != std::string::npos) {
    std::string s = rest.substr(colon + 1);
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size()) {
      if (!(v >= 0) || v > 100) return Invalid("adapter strength must be in [0, 100], got " + s);
      a.strength = v;
      rest = rest.substr(0, colon);
    }
  }
  a.dir = rest;
  return a;
}

Result<std::vector<AdapterSpec>> DiscoverAdapters(const std::string& dir) {
  std::vector<AdapterSpec> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;  // no adapters mounted
  std::vector<fs::path> subdirs;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory() && fs::exists(e.path() / "adapter_config.json")) subdirs.push_back(e.path());
  }
  std::sort(subdirs.begin(), subdirs.end());
  for (const fs::path& p : subdirs) {
    AdapterSpec a;
    a.name = p.filename().string();
    a.dir = p.string();
    if (const char* v = std::getenv(a.name.c_str())) {
      char* end = nullptr;
      double s = std::strtod(v, &end);
      if (end == v || *end != '\0' || !(s >= 0) || s > 100) {
        return Invalid("adapter " + a.name + ": strength \"" + v + "\" from the environment is not a number in [0, 100]");
      }
      a.strength = s;
    }
    out.push_back(std::move(a));
  }
  return out;
}

Result<ModelWeights> LoadWeights(const ModelSetupOptions& o, const Preset** preset) {
  *preset = nullptr;
  if (!o.preset.empty()) {
    KT_ASSIGN_OR_RETURN(*preset, FindPreset(o.preset));
  }
  ModelConfig config;
  if (o.random_weights) {
    if (*preset == nullptr) return Invalid("--random-weights needs --preset");
    if (!(*preset)->config) {
      return Invalid("preset " + o.preset + " has no built-in architecture; use --model-dir");
    }
    config = *(*preset)->config;
  } else {
    if (o.model_dir.empty()) return Invalid("give --model-dir DIR or --random-weights");
    KT_ASSIGN_OR_RETURN(config, LoadModelConfig(o.model_dir));
  }
  // Memory check before the big allocation.
  uint64_t available = o.memory_limit_bytes;
  if (available == 0) {
    KT_ASSIGN_OR_RETURN(available, HostMemoryAvailableBytes());
  }
  MemoryPlan plan{.weight_bytes = WeightBytes(config, o.dtype)};
  KT_RETURN_IF_ERROR(CheckMemoryPlan(plan, available, o.preset.empty() ? o.model_dir : o.preset));
  if (o.random_weights) {
    KT_LOG(INFO) << "drawing random weights for " << o.preset << " (seed " << o.seed << ", "
                 << FormatBytes(plan.weight_bytes) << ")";
    return RandomModelWeights(config, {.seed = o.seed, .dtype = o.dtype, .threads = 0});
  }
  KT_LOG(INFO) << "loading " << o.model_dir << " (" << FormatBytes(plan.weight_bytes) << ")";
  return LoadModelDir(o.model_dir, o.dtype);
}

std::shared_ptr<const Tokenizer> ChooseTokenizer(const ModelSetupOptions& o, const Preset* preset,
                                                 const ModelConfig& config, std::string* source,
                                                 Status* error) {
  *error = Status::Ok();
  auto from = [&](Result<std::unique_ptr<Tokenizer>> r, const std::string& what)
      -> std::shared_ptr<const Tokenizer> {
    if (!r.ok()) {
      *error = r.status();
      return nullptr;
    }
    *source = what;
    return std::shared_ptr<const Tokenizer>(std::move(r).value());
  };
  if (!o.tokenizer_json.empty()) return from(LoadHfTokenizerFile(o.tokenizer_json), o.tokenizer_json);
  if (!o.tokenizer_dir.empty()) return from(LoadTokenizer(o.tokenizer_dir), o.tokenizer_dir);
  std::error_code ec;
  if (!o.model_dir.empty() && (fs::exists(fs::path(o.model_dir) / "tokenizer.json", ec) ||
                               fs::exists(fs::path(o.model_dir) / "tokenizer.model", ec))) {
    return from(LoadTokenizer(o.model_dir), o.model_dir);
  }
  if (config.vocab_size < ByteTokenizer::kBytesEnd) {
    *error = Invalid("the model has no tokenizer files and its vocabulary is too small for the "
                     "synthetic byte tokenizer; pass --tokenizer-dir");
    return nullptr;
  }
  std::map<std::string, int64_t> specials;
  if (preset) {
    for (const auto& [text, id] : preset->special_tokens) {
      if (id >= 0 && id < config.vocab_size) specials[text] = id;
    }
  }
  std::optional<int32_t> bos, eos;
  if (!config.bos_token_ids.empty()) bos = static_cast<int32_t>(config.bos_token_ids[0]);
  if (!config.eos_token_ids.empty()) eos = static_cast<int32_t>(config.eos_token_ids[0]);
  *source = "synthetic byte vocabulary";
  return std::make_shared<ByteTokenizer>(static_cast<int32_t>(config.vocab_size), specials, bos, eos);
}

namespace {
Result<std::vector<std::pair<LoraAdapter, double>>> LoadAdapters(
    const std::vector<AdapterSpec>& specs, const ModelConfig& config) {
  std::vector<std::pair<LoraAdapter, double>> out;
  for (const AdapterSpec& s : specs) {
    KT_ASSIGN_OR_RETURN(LoraAdapter a, LoadLoraAdapter(s.dir, config, s.name));
    out.emplace_back(std::move(a), s.strength);
  }
  return out;
}
}  // namespace

Result<LoadedModel> SetUpModel(Env& env, const ModelSetupOptions& o) {
  LoadedModel m;
  KT_ASSIGN_OR_RETURN(ModelWeights weights, LoadWeights(o, &m.preset));
  m.config = weights.config;
  Status tok_status;
  m.tokenizer = ChooseTokenizer(o, m.preset, m.config, &m.tokenizer_source, &tok_status);
  if (!m.tokenizer) return tok_status;
  KT_ASSIGN_OR_RETURN(auto adapters, LoadAdapters(o.adapters, m.config));

  ModelBackendOptions bo = DefaultModelBackendOptions(o.device);
  bo.cuda_device = o.cuda_device;
  bo.block_size = o.block_size;
  bo.max_batch_tokens = o.max_batch_tokens;
  bo.kv_dtype = o.kv_dtype;
  bo.blas_threads = o.threads;
  const int64_t per_block = static_cast<int64_t>(o.block_size) * m.config.KvBytesPerToken(o.kv_dtype);
  if (o.num_kv_blocks > 0) {
    bo.num_kv_blocks = o.num_kv_blocks;
  } else {
    // The byte budget, but no more than every running sequence at full context can use.
    const int64_t context = o.max_model_len > 0 ? o.max_model_len : m.config.max_position_embeddings;
    const int64_t useful = (static_cast<int64_t>(o.max_num_seqs) * context + o.block_size - 1) / o.block_size;
    const int64_t budget = static_cast<int64_t>(o.kv_cache_bytes) / per_block;
    bo.num_kv_blocks = static_cast<int32_t>(std::clamp<int64_t>(std::min(budget, useful), 1, 1 << 30));
  }
  if (!adapters.empty()) {
    int rank_sum = 0, rank_max = 0;
    for (const auto& [a, s] : adapters) {
      rank_sum += a.rank;
      rank_max = std::max(rank_max, a.rank);
    }
    bo.adapter_slots = static_cast<int32_t>(adapters.size()) + 1;  // + the merge for /chat
    bo.max_lora_rank = std::max(rank_sum, rank_max);
  }
  // Host memory only: device allocations fail with the device's own out-of-memory error.
  if (o.device == kernels::BackendKind::kCpu) {
    uint64_t available = o.memory_limit_bytes;
    if (available == 0) {
      KT_ASSIGN_OR_RETURN(available, HostMemoryAvailableBytes());
    }
    MemoryPlan plan{.kv_cache_bytes = 0,
                    .workspace_bytes = KernelModelBackend::RuntimeBytes(m.config, bo)};
    KT_RETURN_IF_ERROR(CheckMemoryPlan(plan, available, "the KV cache, adapters and workspace"));
  }
  KT_ASSIGN_OR_RETURN(auto backend, KernelModelBackend::Create(std::move(weights), bo));

  EngineOptions eo;
  eo.max_model_len = o.max_model_len;
  eo.max_num_seqs = o.max_num_seqs;
  eo.max_waiting = o.max_waiting;
  eo.rope_policy = o.rope_policy;
  for (int64_t id : m.config.eos_token_ids) eo.eos_token_ids.push_back(static_cast<int32_t>(id));
  if (m.preset) {
    for (int64_t id : m.preset->stop_token_ids) {
      if (id < m.config.vocab_size) eo.eos_token_ids.push_back(static_cast<int32_t>(id));
    }
  }
  if (!m.tokenizer_source.empty() && m.tokenizer->eos_id()) {
    eo.eos_token_ids.push_back(*m.tokenizer->eos_id());
  }
  std::sort(eo.eos_token_ids.begin(), eo.eos_token_ids.end());
  eo.eos_token_ids.erase(std::unique(eo.eos_token_ids.begin(), eo.eos_token_ids.end()),
                         eo.eos_token_ids.end());
  KT_ASSIGN_OR_RETURN(m.engine, Engine::Create(env, std::move(backend), m.tokenizer, eo));
  for (const auto& [a, strength] : adapters) {
    KT_RETURN_IF_ERROR(m.engine->AddAdapter(a.name, a, strength));
  }
  if (!adapters.empty()) {
    std::vector<std::pair<const LoraAdapter*, double>> weighted;
    for (const auto& [a, strength] : adapters) weighted.emplace_back(&a, strength);
    m.kaito_adapter = "kaito-merged-adapters";
    KT_RETURN_IF_ERROR(
        m.engine->AddAdapter(m.kaito_adapter, MergeLoraAdapters(weighted, m.kaito_adapter), 1.0));
  }
  return m;
}

Result<std::vector<std::vector<float>>> ComputeLogits(ModelWeights weights,
                                                      const std::vector<int32_t>& tokens,
                                                      int32_t prefill,
                                                      const std::vector<AdapterSpec>& adapters,
                                                      kernels::BackendKind device) {
  const ModelConfig config = weights.config;
  const int32_t n = static_cast<int32_t>(tokens.size());
  if (n == 0) return Invalid("no tokens given");
  if (prefill < 1 || prefill > n) prefill = n;
  for (int32_t t : tokens) {
    if (t < 0 || t >= config.vocab_size) return Invalid("token " + std::to_string(t) + " outside the vocabulary");
  }
  if (adapters.size() > 1) return Invalid("at most one adapter for a logits dump");
  std::optional<LoraAdapter> adapter;
  if (!adapters.empty()) {
    KT_ASSIGN_OR_RETURN(adapter, LoadLoraAdapter(adapters[0].dir, config, adapters[0].name));
  }
  ModelBackendOptions bo = DefaultModelBackendOptions(device);
  bo.block_size = 16;
  bo.num_kv_blocks = (n + 15) / 16;
  bo.max_batch_tokens = std::max(prefill, 1);
  if (adapter) {
    bo.adapter_slots = 1;
    bo.max_lora_rank = adapter->rank;
  }
  KT_ASSIGN_OR_RETURN(auto backend, KernelModelBackend::Create(std::move(weights), bo));
  if (adapter) KT_RETURN_IF_ERROR(backend->LoadAdapter(0, *adapter));
  KT_ASSIGN_OR_RETURN(Rope rope, Rope::Create(config));
  std::vector<std::vector<float>> out;
  auto run = [&](int32_t start, int32_t count) -> Status {
    ForwardBatch b;
    b.num_seqs = 1;
    b.num_tokens = count;
    b.seq_start = {0, count};
    for (int32_t i = 0; i < count; ++i) {
      int32_t pos = start + i;
      b.token_ids.push_back(tokens[pos]);
      b.positions.push_back(pos);
      b.rope_variant.push_back(rope.VariantFor(pos, prefill));
      b.slot_mapping.push_back(pos);
      b.logits_tokens.push_back(i);
    }
    b.context_lens = {start + count};
    b.block_table_width = bo.num_kv_blocks;
    for (int32_t i = 0; i < bo.num_kv_blocks; ++i) b.block_tables.push_back(i);
    b.lora_slot = {adapter ? 0 : -1};
    b.lora_scale = {adapter ? static_cast<float>(adapters[0].strength * adapter->scaling()) : 0.0f};
    b.max_context_len = start + count;
    std::vector<float> logits(static_cast<size_t>(count) * config.vocab_size);
    KT_RETURN_IF_ERROR(backend->Forward(b, logits));
    for (int32_t i = 0; i < count; ++i) {
      out.emplace_back(logits.begin() + static_cast<int64_t>(i) * config.vocab_size,
                       logits.begin() + static_cast<int64_t>(i + 1) * config.vocab_size);
    }
    return Status::Ok();
  };
  KT_RETURN_IF_ERROR(run(0, prefill));
  for (int32_t p = prefill; p < n; ++p) KT_RETURN_IF_ERROR(run(p, 1));
  return out;
}

}  // namespace kt::serving
