#include "serving/model/model_weights.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "base/json.h"
#include "base/random.h"
#include "serving/model/hf_names.h"

namespace kt::serving {

namespace fs = std::filesystem;

namespace {

Tensor& SlotTensor(ModelWeights& w, int layer, WeightSlot s) {
  if (layer < 0) {
    switch (s) {
      case WeightSlot::kEmbed:
        return w.embed;
      case WeightSlot::kFinalNorm:
        return w.final_norm;
      case WeightSlot::kLmHead:
        return w.lm_head;
      default:
        KT_UNREACHABLE();
    }
  }
  LayerWeights& l = w.layers.at(static_cast<size_t>(layer));
  switch (s) {
    case WeightSlot::kInputNorm:
      return l.input_norm;
    case WeightSlot::kQkv:
      return l.qkv;
    case WeightSlot::kQkvBias:
      return l.qkv_bias;
    case WeightSlot::kO:
      return l.o;
    case WeightSlot::kOBias:
      return l.o_bias;
    case WeightSlot::kPostNorm:
      return l.post_norm;
    case WeightSlot::kGateUp:
      return l.gate_up;
    case WeightSlot::kGateUpBias:
      return l.gate_up_bias;
    case WeightSlot::kDown:
      return l.down;
    case WeightSlot::kDownBias:
      return l.down_bias;
    default:
      KT_UNREACHABLE();
  }
  KT_UNREACHABLE();
  return w.embed;
}

const Tensor& SlotTensor(const ModelWeights& w, int layer, WeightSlot s) {
  return SlotTensor(const_cast<ModelWeights&>(w), layer, s);
}

// Allocates every engine tensor the parts of `c` fill.
ModelWeights Allocate(const ModelConfig& c, DType dtype, const std::vector<HfPart>& parts) {
  ModelWeights w;
  w.config = c;
  w.dtype = dtype;
  w.layers.resize(static_cast<size_t>(c.num_layers));
  for (const HfPart& p : parts) {
    Tensor& t = SlotTensor(w, p.layer, p.slot);
    if (t.numel() == 0) {
      t = Tensor(IsMatrixSlot(p.slot) ? dtype : DType::kF32, SlotShape(c, p.slot));
    }
  }
  return w;
}

int64_t RowElements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (size_t i = 1; i < shape.size(); ++i) n *= shape[i];
  return n;
}

// Copies `count` values of type `from` into `dst` starting at element `offset`, converting.
void CopyInto(Tensor& dst, int64_t offset, DType from, const void* src, size_t count) {
  uint8_t* d = static_cast<uint8_t*>(dst.data()) + offset * static_cast<int64_t>(DTypeSize(dst.dtype()));
  if (from == dst.dtype()) {
    std::memcpy(d, src, count * DTypeSize(from));
  } else if (dst.dtype() == DType::kF32) {
    ConvertToF32(from, src, reinterpret_cast<float*>(d), count);
  } else {
    constexpr size_t kChunk = 1 << 16;
    std::vector<float> tmp(std::min(count, kChunk));
    const uint8_t* s = static_cast<const uint8_t*>(src);
    for (size_t done = 0; done < count; done += kChunk) {
      size_t n = std::min(kChunk, count - done);
      ConvertToF32(from, s + done * DTypeSize(from), tmp.data(), n);
      ConvertFromF32(dst.dtype(), tmp.data(), d + done * DTypeSize(dst.dtype()), n);
    }
  }
}

// Uniform(-a, a) draws from a stream keyed by (seed, name).
class TensorStream {
 public:
  TensorStream(uint64_t seed, std::string_view name) : state_(seed ^ Fnv1a64(name)) {}
  float Next(float a) {
    uint64_t x = SplitMix64(state_);
    float u = static_cast<float>(x >> 40) * (1.0f / 16777216.0f);  // [0, 1)
    return (2.0f * u - 1.0f) * a;
  }

 private:
  uint64_t state_;
};

// How random values of a part are drawn: center + Uniform(-a, a).
void RandomInit(const HfPart& p, float* center, float* half_width) {
  switch (p.slot) {
    case WeightSlot::kEmbed:
      *center = 0;
      *half_width = std::sqrt(3.0f);  // unit variance
      return;
    case WeightSlot::kInputNorm:
    case WeightSlot::kPostNorm:
    case WeightSlot::kFinalNorm:
      *center = 1.0f;  // transformers initializes norms to one; jitter exercises the scale
      *half_width = 0.2f;
      return;
    case WeightSlot::kQkvBias:
    case WeightSlot::kOBias:
    case WeightSlot::kGateUpBias:
    case WeightSlot::kDownBias:
      *center = 0;
      *half_width = 0.1f;
      return;
    default:
      *center = 0;
      // Unit-variance outputs for unit-variance inputs: std = 1 / sqrt(fan_in).
      *half_width = std::sqrt(3.0f / static_cast<float>(p.shape.at(1)));
      return;
  }
}

}  // namespace

uint64_t ModelWeights::Bytes() const {
  uint64_t b = embed.nbytes() + final_norm.nbytes() + lm_head.nbytes();
  for (const LayerWeights& l : layers) {
    for (const Tensor* t : {&l.input_norm, &l.qkv, &l.qkv_bias, &l.o, &l.o_bias, &l.post_norm,
                            &l.gate_up, &l.gate_up_bias, &l.down, &l.down_bias}) {
      b += t->nbytes();
    }
  }
  return b;
}

uint64_t WeightBytes(const ModelConfig& c, DType dtype) {
  uint64_t bytes = 0;
  for (WeightSlot s : {WeightSlot::kEmbed, WeightSlot::kFinalNorm, WeightSlot::kLmHead}) {
    if (s == WeightSlot::kLmHead && c.tie_word_embeddings) continue;
    auto shape = SlotShape(c, s);
    uint64_t n = 1;
    for (int64_t d : shape) n *= static_cast<uint64_t>(d);
    bytes += n * (IsMatrixSlot(s) ? DTypeSize(dtype) : 4);
  }
  std::vector<WeightSlot> per_layer = {WeightSlot::kInputNorm, WeightSlot::kQkv, WeightSlot::kO,
                                       WeightSlot::kPostNorm, WeightSlot::kGateUp,
                                       WeightSlot::kDown};
  if (c.qkv_bias) per_layer.push_back(WeightSlot::kQkvBias);
  if (c.o_bias) per_layer.push_back(WeightSlot::kOBias);
  if (c.mlp_bias) {
    per_layer.push_back(WeightSlot::kGateUpBias);
    per_layer.push_back(WeightSlot::kDownBias);
  }
  uint64_t layer_bytes = 0;
  for (WeightSlot s : per_layer) {
    uint64_t n = 1;
    for (int64_t d : SlotShape(c, s)) n *= static_cast<uint64_t>(d);
    layer_bytes += n * (IsMatrixSlot(s) ? DTypeSize(dtype) : 4);
  }
  return bytes + layer_bytes * static_cast<uint64_t>(c.num_layers);
}

Result<ModelWeights> LoadModelWeights(const ModelConfig& config, const Checkpoint& ckpt,
                                      DType dtype) {
  std::vector<HfPart> parts = HfParts(config);
  for (const HfPart& p : parts) {
    const SafetensorsEntry* e = ckpt.Find(p.name);
    if (e == nullptr) {
      std::string hint;
      if (p.slot == WeightSlot::kLmHead) hint = " (set tie_word_embeddings if the head is tied)";
      return NotFound("checkpoint has no tensor \"" + p.name + "\"" + hint);
    }
    if (e->shape != p.shape) {
      return Invalid("tensor \"" + p.name + "\" has shape " + ShapeToString(e->shape) +
                     " but config.json implies " + ShapeToString(p.shape));
    }
  }
  ModelWeights w = Allocate(config, dtype, parts);
  for (const HfPart& p : parts) {
    const SafetensorsEntry* e = ckpt.Find(p.name);
    Tensor& dst = SlotTensor(w, p.layer, p.slot);
    CopyInto(dst, p.row_offset * RowElements(dst.shape()), e->dtype, e->data,
             static_cast<size_t>(e->numel()));
  }
  return w;
}

Result<ModelWeights> LoadModelDir(const std::string& dir, DType dtype) {
  KT_ASSIGN_OR_RETURN(ModelConfig config, LoadModelConfig(dir));
  KT_ASSIGN_OR_RETURN(auto ckpt, Checkpoint::Open(dir));
  auto w = LoadModelWeights(config, *ckpt, dtype);
  if (!w.ok()) return w.status().Annotate(dir);
  return w;
}

ModelWeights RandomModelWeights(const ModelConfig& config, const RandomWeightOptions& options) {
  std::vector<HfPart> parts = HfParts(config);
  ModelWeights w = Allocate(config, options.dtype, parts);
  // Parts write disjoint ranges (fused tensors take their parts at row offsets), so they can be
  // drawn concurrently.
  auto draw = [&](const HfPart& p, std::vector<float>& buf) {
    Tensor& dst = SlotTensor(w, p.layer, p.slot);
    TensorStream stream(options.seed, p.name);
    float center, a;
    RandomInit(p, &center, &a);
    int64_t n = 1;
    for (int64_t d : p.shape) n *= d;
    const int64_t base = p.row_offset * RowElements(dst.shape());
    for (int64_t done = 0; done < n; done += static_cast<int64_t>(buf.size())) {
      size_t m = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(buf.size()), n - done));
      for (size_t i = 0; i < m; ++i) buf[i] = center + stream.Next(a);
      if (options.dtype != DType::kF32) {
        // Norms and biases are held in float32 but get values representable in the weight
        // dtype, so saving at that dtype and reloading is exact.
        for (size_t i = 0; i < m; ++i) {
          uint16_t v;
          ConvertFromF32(options.dtype, &buf[i], &v, 1);
          ConvertToF32(options.dtype, &v, &buf[i], 1);
        }
      }
      CopyInto(dst, base + done, DType::kF32, buf.data(), m);
    }
  };
  constexpr size_t kChunk = 1 << 16;
  // Threads outside the Env on purpose: this is start-up work of real processes (kaito-serve
  // --random-weights, the benchmarks), it finishes before returning, and its output does not
  // depend on the thread count (tested). The default, one thread, runs inline, which is what
  // anything under a SimEnv uses.
  size_t threads = options.threads > 0 ? static_cast<size_t>(options.threads)
                                       : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, parts.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    std::vector<float> buf(kChunk);
    for (size_t i = next++; i < parts.size(); i = next++) draw(parts[i], buf);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  return w;
}

Status SaveModelDir(const ModelWeights& w, const std::string& dir, const SaveOptions& options) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Internal("cannot create " + dir + ": " + ec.message());
  const ModelConfig& c = w.config;
  std::vector<HfPart> parts = HfParts(c);
  auto part_bytes = [&](const HfPart& p) {
    uint64_t n = 1;
    for (int64_t d : p.shape) n *= static_cast<uint64_t>(d);
    return n * DTypeSize(options.dtype);
  };
  // Plan shards no larger than shard_bytes_max (a single tensor may exceed it).
  std::vector<std::vector<size_t>> shards(1);
  uint64_t current = 0, total = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    uint64_t b = part_bytes(parts[i]);
    if (current > 0 && current + b > options.shard_bytes_max) {
      shards.emplace_back();
      current = 0;
    }
    shards.back().push_back(i);
    current += b;
    total += b;
  }
  Json index_map = Json::object();
  for (size_t s = 0; s < shards.size(); ++s) {
    std::string file = "model.safetensors";
    if (shards.size() > 1) {
      char name[64];
      std::snprintf(name, sizeof name, "model-%05zu-of-%05zu.safetensors", s + 1, shards.size());
      file = name;
    }
    // Materialize one shard at a time: each Hugging Face tensor is a row range of a fused one.
    std::vector<Tensor> tensors;
    tensors.reserve(shards[s].size());
    std::vector<std::pair<std::string, const Tensor*>> list;
    for (size_t i : shards[s]) {
      const HfPart& p = parts[i];
      const Tensor& src = SlotTensor(w, p.layer, p.slot);
      Tensor t(options.dtype, p.shape);
      const uint8_t* from = static_cast<const uint8_t*>(src.data()) +
                            p.row_offset * RowElements(src.shape()) *
                                static_cast<int64_t>(DTypeSize(src.dtype()));
      CopyInto(t, 0, src.dtype(), from, static_cast<size_t>(t.numel()));
      tensors.push_back(std::move(t));
      index_map[p.name] = file;
    }
    for (size_t k = 0; k < shards[s].size(); ++k) {
      list.emplace_back(parts[shards[s][k]].name, &tensors[k]);
    }
    KT_RETURN_IF_ERROR(WriteSafetensors((fs::path(dir) / file).string(), list));
  }
  if (shards.size() > 1) {
    Json index = {{"metadata", {{"total_size", total}}}, {"weight_map", index_map}};
    std::ofstream out(fs::path(dir) / "model.safetensors.index.json");
    out << index.dump(2) << "\n";
    if (!out) return Internal("cannot write the shard index in " + dir);
  }
  ModelConfig saved = c;
  saved.torch_dtype = options.dtype;
  std::ofstream cfg(fs::path(dir) / "config.json");
  cfg << ModelConfigToJson(saved).dump(2) << "\n";
  if (!cfg) return Internal("cannot write config.json in " + dir);
  return Status::Ok();
}

}  // namespace kt::serving
